"""The owner's view of the SyftBox bridge."""

from __future__ import annotations

from fastapi import APIRouter

from syft_space.api.deps import OwnerIdentityDep
from syft_space.relay.schemas import RelayStatus

router = APIRouter(prefix="/relay", tags=["Relay"])

NOT_CONFIGURED = RelayStatus(
    enabled=False,
    running=False,
    folder=None,
    owner=None,
    routers=[],
    requests_handled=0,
    detail="No SyftBox folder is known: set SYFT_SYFTBOX_DIR and SYFT_SYFTBOX_EMAIL, or run "
    "the SyftBox client so its config file can be read, then restart.",
)


@router.get("/status", summary="The SyftBox bridge: routers served, requests handled, errors")
async def relay_status(owner: OwnerIdentityDep) -> RelayStatus:
    relay = owner.container.relay
    if relay is None:
        return NOT_CONFIGURED
    status = relay.status()
    if owner.container.settings.relay_enabled is False:
        return status.model_copy(
            update={"enabled": False, "detail": "SYFT_RELAY_ENABLED is off; the bridge is idle."}
        )
    return status
