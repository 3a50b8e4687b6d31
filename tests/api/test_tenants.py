from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest

from syft_space.auth.service import OwnerKeyService
from syft_space.config import Settings
from syft_space.tenants.service import TenantService
from tests.api.helpers import create_dataset
from tests.conftest import Space, start_space

pytestmark = pytest.mark.anyio


@pytest.fixture
async def multi(make_settings: Callable[..., Settings]) -> AsyncIterator[Space]:
    async for space in start_space(make_settings(multi_tenancy=True)):
        async with space.container.database.unit_of_work() as session:
            await TenantService(session).create("acme")
            await TenantService(session).create("globex")
        yield space


async def test_missing_tenant_header_is_400(multi: Space) -> None:
    response = await multi.client.get("/api/v1/datasets/")
    assert response.status_code == 400
    assert "X-Tenant-Name" in response.json()["detail"]


async def test_unknown_tenant_is_404(multi: Space) -> None:
    response = await multi.client.get("/api/v1/datasets/", headers={"X-Tenant-Name": "nobody"})
    assert response.status_code == 404
    assert response.json()["detail"] == "Tenant 'nobody' not found."


async def test_resources_are_isolated_per_tenant_and_names_unique_per_tenant(
    multi: Space,
) -> None:
    acme = {"X-Tenant-Name": "acme"}
    globex = {"X-Tenant-Name": "globex"}
    multi.client.headers.update(acme)
    await create_dataset(multi.client, "shared-name")
    multi.client.headers.update(globex)
    await create_dataset(multi.client, "shared-name")
    listed = (await multi.client.get("/api/v1/datasets/")).json()
    assert listed["total"] == 1
    multi.client.headers.update(acme)
    duplicate = await multi.client.post(
        "/api/v1/datasets/", json={"name": "shared-name", "dtype": "local_file"}
    )
    assert duplicate.status_code == 409


async def test_a_tenant_key_cannot_act_on_another_tenant(multi: Space) -> None:
    async with multi.container.database.unit_of_work() as session:
        acme = await TenantService(session).get("acme")
        _, key = await OwnerKeyService(session).create("acme-key", acme)
    headers = {"Authorization": f"Bearer {key}"}
    ok = await multi.client.get("/api/v1/datasets/", headers={**headers, "X-Tenant-Name": "acme"})
    assert ok.status_code == 200
    denied = await multi.client.get(
        "/api/v1/datasets/", headers={**headers, "X-Tenant-Name": "globex"}
    )
    assert denied.status_code == 403
    assert "acme-key" in denied.json()["detail"]
    tenants = await multi.client.get(
        "/api/v1/tenants/", headers={**headers, "X-Tenant-Name": "acme"}
    )
    assert tenants.status_code == 403


async def test_global_keys_manage_tenants(multi: Space) -> None:
    headers = {"X-Tenant-Name": "acme"}
    created = await multi.client.post("/api/v1/tenants/", json={"name": "initech"}, headers=headers)
    assert created.status_code == 201
    listed = await multi.client.get("/api/v1/tenants/", headers=headers)
    assert [t["name"] for t in listed.json()["items"]] == ["acme", "default", "globex", "initech"]
    again = await multi.client.post("/api/v1/tenants/", json={"name": "initech"}, headers=headers)
    assert again.status_code == 409


async def test_without_multi_tenancy_the_header_is_ignored(space: Space) -> None:
    response = await space.client.get("/api/v1/datasets/", headers={"X-Tenant-Name": "nobody"})
    assert response.status_code == 200
