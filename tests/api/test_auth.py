from __future__ import annotations

from collections.abc import Callable

import pytest

from syft_space.auth.service import OwnerKeyService
from syft_space.config import Settings
from tests.conftest import Space, start_space

pytestmark = pytest.mark.anyio


async def test_management_routes_refuse_a_missing_key(space: Space) -> None:
    async with space.anonymous() as anonymous:
        response = await anonymous.get("/api/v1/datasets/")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert "Missing owner key" in response.json()["detail"]


async def test_management_routes_refuse_a_wrong_key(space: Space) -> None:
    for bad in ("nonsense", "syft_sk_000000000000_wrong", space.owner_key + "x"):
        response = await space.client.get(
            "/api/v1/models/", headers={"Authorization": f"Bearer {bad}"}
        )
        assert response.status_code == 401, bad
        assert response.json()["detail"] == (
            "The owner key is not valid. Check the Authorization header."
        )
        assert bad not in response.text


async def test_the_first_key_is_saved_privately_and_works(space: Space) -> None:
    key_file = space.container.settings.data_dir / "owner.key"
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert space.owner_key.startswith("syft_sk_")
    response = await space.client.get("/api/v1/datasets/")
    assert response.status_code == 200


async def test_a_revoked_key_is_refused(space: Space) -> None:
    async with space.container.database.unit_of_work() as session:
        keys = OwnerKeyService(session)
        _, plaintext = await keys.create("temporary", tenant=None)
    headers = {"Authorization": f"Bearer {plaintext}"}
    assert (await space.client.get("/api/v1/datasets/", headers=headers)).status_code == 200
    async with space.container.database.unit_of_work() as session:
        await OwnerKeyService(session).revoke("temporary")
    response = await space.client.get("/api/v1/datasets/", headers=headers)
    assert response.status_code == 401
    assert "revoked" in response.json()["detail"]


async def test_keys_are_stored_only_as_digests(space: Space) -> None:
    async with space.container.database.unit_of_work(write=False) as session:
        keys = await OwnerKeyService(session).all()
    assert [k.name for k in keys] == ["initial"]
    secret_part = space.owner_key.rsplit("_", 1)[-1]
    raw = space.container.settings.data_dir / "syft-space.db"
    if raw.exists():
        assert secret_part.encode() not in raw.read_bytes()


async def test_last_used_is_recorded(space: Space) -> None:
    await space.client.get("/api/v1/datasets/")
    async with space.container.database.unit_of_work(write=False) as session:
        (key,) = await OwnerKeyService(session).all()
    assert key.last_used_at is not None


async def test_public_routes_need_no_key(space: Space) -> None:
    async with space.anonymous() as anonymous:
        for path in ("/api/v1/health", "/docs", "/redoc", "/openapi.json"):
            response = await anonymous.get(path)
            assert response.status_code == 200, path


async def test_insecure_mode_is_explicit_and_opens_the_api(
    make_settings: Callable[..., Settings],
) -> None:
    async for space in start_space(make_settings(insecure_no_auth=True)):
        assert space.owner_key == ""
        async with space.anonymous() as anonymous:
            response = await anonymous.get("/api/v1/datasets/")
        assert response.status_code == 200
