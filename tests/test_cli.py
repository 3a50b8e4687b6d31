"""The CLI, run as a real process the way an owner runs it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from syft_space import __version__
from syft_space.config import Settings
from syft_space.core import migrate
from tests.conftest import start_space


def run_cli(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SYFT_DATA_DIR": str(data_dir)}
    env.pop("SYFT_DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "syft_space", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_version() -> None:
    result = run_cli(Path("/nonexistent"), "--version")
    assert result.returncode == 0
    assert result.stdout.strip() == __version__


def test_migrate_prints_the_revision(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "migrate")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == migrate.head_revision("sqlite:///unused.db")


def test_admin_keys_create_list_revoke(tmp_path: Path) -> None:
    created = run_cli(tmp_path, "admin-key", "create", "--name", "laptop")
    assert created.returncode == 0, created.stderr
    key = created.stdout
    assert key.endswith("\n")
    assert key.count("\n") == 1
    assert key.startswith("syft_sk_")

    duplicate = run_cli(tmp_path, "admin-key", "create", "--name", "laptop")
    assert duplicate.returncode == 1
    assert duplicate.stdout == ""
    assert "already exists" in duplicate.stderr

    listed = run_cli(tmp_path, "admin-key", "list")
    assert "laptop" in listed.stdout
    assert "(global)" in listed.stdout
    assert "active" in listed.stdout
    assert key.strip() not in listed.stdout

    revoked = run_cli(tmp_path, "admin-key", "revoke", "laptop")
    assert revoked.returncode == 0
    assert "revoked" in run_cli(tmp_path, "admin-key", "list").stdout
    missing = run_cli(tmp_path, "admin-key", "revoke", "nobody")
    assert missing.returncode == 1
    assert "No owner key named 'nobody'" in missing.stderr


@pytest.mark.anyio
async def test_a_cli_key_opens_the_api_and_replaces_the_first_start_key(tmp_path: Path) -> None:
    key = run_cli(tmp_path, "admin-key", "create", "--name", "ops").stdout.strip()
    settings = Settings(data_dir=tmp_path, log_format="json")
    async for space in start_space(settings):
        # An active key existed, so no first-start key was generated.
        assert space.owner_key == ""
        response = await space.client.get(
            "/api/v1/datasets/", headers={"Authorization": f"Bearer {key}"}
        )
        assert response.status_code == 200


def test_tenant_bound_keys(tmp_path: Path) -> None:
    assert run_cli(tmp_path, "tenant", "create", "acme").returncode == 0
    assert run_cli(tmp_path, "tenant", "list").stdout.split() == ["acme", "default"]
    bound = run_cli(tmp_path, "admin-key", "create", "--name", "acme-ops", "--tenant", "acme")
    assert bound.returncode == 0
    assert "acme" in run_cli(tmp_path, "admin-key", "list").stdout
    unknown = run_cli(tmp_path, "admin-key", "create", "--name", "x", "--tenant", "nope")
    assert unknown.returncode == 1
    assert "Tenant 'nope' not found" in unknown.stderr
