"""Start ``syft-space serve`` as a real process on a free port, for end-to-end tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class RunningServer:
    base_url: str
    data_dir: Path
    log_path: Path
    process: subprocess.Popen[bytes]

    def log_text(self) -> str:
        return self.log_path.read_text()


@contextmanager
def running_server(
    data_dir: Path, *, env: dict[str, str] | None = None, startup_timeout: float = 60.0
) -> Iterator[RunningServer]:
    port = free_port()
    log_path = data_dir.parent / f"server-{port}.log"
    full_env = {**os.environ, "SYFT_DATA_DIR": str(data_dir), "SYFT_LOG_FORMAT": "json"}
    full_env.pop("SYFT_DATABASE_URL", None)
    full_env.update(env or {})
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "syft_space", "serve", "--port", str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=full_env,
        )
    server = RunningServer(f"http://127.0.0.1:{port}", data_dir, log_path, process)
    try:
        deadline = time.monotonic() + startup_timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"server exited early:\n{server.log_text()}")
            try:
                if httpx.get(f"{server.base_url}/api/v1/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"server not ready:\n{server.log_text()}")
            time.sleep(0.1)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
