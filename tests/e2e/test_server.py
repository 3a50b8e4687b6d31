"""The real thing: ``syft-space serve`` in its own process, spoken to over a socket."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from tests.e2e.server import running_server


def test_first_start_serves_the_api_with_a_private_owner_key(tmp_path: Path) -> None:
    data_dir = tmp_path / "space"
    with running_server(data_dir) as server:
        assert data_dir.stat().st_mode & 0o777 == 0o700
        key_file = data_dir / "owner.key"
        assert key_file.stat().st_mode & 0o777 == 0o600
        key = key_file.read_text().strip()
        with httpx.Client(base_url=server.base_url, timeout=10) as client:
            health = client.get("/api/v1/health").json()
            assert health["status"] == "ok"
            assert health["database"]["backend"] == "sqlite"
            assert client.get("/api/v1/datasets/").status_code == 401
            auth = {"Authorization": f"Bearer {key}"}
            created = client.post(
                "/api/v1/datasets/",
                json={"name": "my-docs", "dtype": "local_file"},
                headers={**auth, "X-Request-ID": "e2e-create"},
            )
            assert created.status_code == 201
            assert created.headers["x-request-id"] == "e2e-create"
            model = client.post(
                "/api/v1/models/",
                json={
                    "name": "gpt",
                    "mtype": "openai",
                    "configuration": {"model": "gpt-4o", "api_key": "sk-e2e-secret"},
                },
                headers=auth,
            )
            assert model.status_code == 201
            assert client.get("/docs").status_code == 200
    # Read once the server has exited: access lines are written after each response is sent.
    logs = server.log_text()

    lines = [json.loads(line) for line in logs.splitlines() if line.startswith("{")]
    requests = [line for line in lines if line["event"] == "request"]
    assert any(r["request_id"] == "e2e-create" and r["status"] == 201 for r in requests)
    configuration = next(line for line in lines if line["event"] == "configuration")
    assert configuration["port"] > 0
    assert key not in logs
    # The secret part alone (it may itself contain '_', so cut the known prefix, not at '_').
    assert key.removeprefix("syft_sk_") not in logs
    assert "sk-e2e-secret" not in logs


def test_restart_keeps_data_and_does_not_make_a_new_key(tmp_path: Path) -> None:
    data_dir = tmp_path / "space"
    with running_server(data_dir) as server:
        key = (data_dir / "owner.key").read_text().strip()
        httpx.post(
            f"{server.base_url}/api/v1/datasets/",
            json={"name": "kept", "dtype": "local_file"},
            headers={"Authorization": f"Bearer {key}"},
        ).raise_for_status()
    with running_server(data_dir) as server:
        assert (data_dir / "owner.key").read_text().strip() == key
        listed = httpx.get(
            f"{server.base_url}/api/v1/datasets/", headers={"Authorization": f"Bearer {key}"}
        ).json()
        assert [d["name"] for d in listed["items"]] == ["kept"]
        assert "owner_key_created" not in server.log_text()


def test_insecure_mode_warns_at_start_and_on_every_request(tmp_path: Path) -> None:
    with running_server(tmp_path / "space", env={"SYFT_INSECURE_NO_AUTH": "true"}) as server:
        assert httpx.get(f"{server.base_url}/api/v1/datasets/").status_code == 200
        assert httpx.get(f"{server.base_url}/api/v1/models/").status_code == 200
    logs = server.log_text()
    lines = [json.loads(line) for line in logs.splitlines() if line.startswith("{")]
    assert any(line["event"] == "owner_auth_disabled" for line in lines)
    requests = [line for line in lines if line["event"] == "request"]
    assert len(requests) >= 3
    assert all(r["level"] == "warning" and "DISABLED" in r["auth"] for r in requests)
    assert not (tmp_path / "space" / "owner.key").exists()
