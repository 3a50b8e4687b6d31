"""Whether a hub can reach this Space, and the address it is told in health reports.

A hub sends queries to the public URL it learns from the Space's heartbeat. That URL is the one
the owner set, or, on a VM that listens on every interface and has a public address, the one
found on its network interface. Nothing here can prove reachability from outside (that needs
the outside); it explains what stands in the way when something visibly does.
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from syft_space.config import Settings

LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
PRIVATE_SUFFIXES = (".local", ".localhost", ".internal", ".lan", ".home")


@dataclass(frozen=True)
class Reachability:
    reachable: bool
    reason: str
    detected_url: str | None

    def report_url(self, public_url: str | None) -> str | None:
        """The URL health reports carry: the owner's, else a detected public one."""
        return public_url or self.detected_url


def _is_private_host(host: str) -> bool:
    with contextlib.suppress(ValueError):
        return not ipaddress.ip_address(host).is_global
    return host in LOOPBACK_NAMES or "." not in host or host.endswith(PRIVATE_SUFFIXES)


def interface_address() -> str | None:
    """The address this machine would use for outside traffic. Connecting a UDP socket sends
    nothing; it only asks the kernel for a route."""
    with contextlib.suppress(OSError), socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.connect(("192.0.2.1", 9))  # TEST-NET-1: never routed anywhere real
        address: str = probe.getsockname()[0]
        return address
    return None


def assess(settings: Settings, public_url: str | None, address: str | None) -> Reachability:
    if public_url is not None:
        host = urlsplit(public_url).hostname or ""
        if _is_private_host(host):
            return Reachability(
                False,
                f"The public URL {public_url} names a local or private host ({host}); a hub on "
                "the internet cannot reach it. Use the Space's public domain or address.",
                None,
            )
        return Reachability(True, f"Hubs are told to send queries to {public_url}.", None)
    if settings.host in LOOPBACK_NAMES:
        return Reachability(
            False,
            f"The Space listens on {settings.host} only, so nothing outside this machine can "
            "reach it. On a laptop, publish with a developer token and serve queries through "
            "the SyftBox relay; on a VM, start with --host 0.0.0.0 and set the public URL.",
            None,
        )
    if address is not None and not _is_private_host(address):
        detected = f"http://{address}:{settings.port}"
        return Reachability(
            True,
            f"No public URL is set; hubs are told to use this machine's public address "
            f"{detected}. Set the public URL if the Space is behind HTTPS or a proxy.",
            detected,
        )
    where = f"this machine's address {address} is private" if address else "no address found"
    return Reachability(
        False,
        f"No public URL is set and {where}: set the public URL under which hubs reach the "
        "Space (for example the address of your proxy or tunnel).",
        None,
    )
