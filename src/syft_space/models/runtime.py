"""The long-lived side of models: one HTTP client per configured model, and health results.

Built once in the container and closed at shutdown. A client is keyed by the model's id and a
fingerprint of its connection settings (base URL, key, timeouts), so connection reuse survives
across requests, and a changed key or URL gets a fresh client on the next call. The old client
is closed when the last request still using it finishes, never under a running stream.
"""

from __future__ import annotations

import functools
import hashlib
import json
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import anyio
import httpx
from pydantic import SecretStr

from syft_space.models.providers.base import ChatProvider, ConnectionConfig
from syft_space.models.providers.http import ProviderHTTP, RetryPolicy

HEALTH_TTL_SECONDS = 15.0
ValueT = TypeVar("ValueT")


def fingerprint(connection: ConnectionConfig, fields: set[str]) -> str:
    """A digest of the fields that shape the HTTP client (secrets included, never stored)."""
    values = {
        name: value.get_secret_value() if isinstance(value, SecretStr) else value
        for name, value in connection.model_dump(include=fields).items()
    }
    return hashlib.sha256(json.dumps(values, sort_keys=True, default=str).encode()).hexdigest()


@dataclass(eq=False)
class _Slot:
    fingerprint: str
    client: httpx.AsyncClient
    users: int = 0
    retired: bool = False


class ClientPool:
    def __init__(self, retry: RetryPolicy | None = None) -> None:
        self.retry = retry or RetryPolicy()
        self._slots: dict[str, _Slot] = {}
        self._retired: set[_Slot] = set()

    def __len__(self) -> int:
        return len(self._slots)

    def client_of(self, key: str) -> httpx.AsyncClient | None:
        slot = self._slots.get(key)
        return None if slot is None else slot.client

    @asynccontextmanager
    async def lease(
        self, key: str, print_: str, build: Callable[[], httpx.AsyncClient]
    ) -> AsyncIterator[httpx.AsyncClient]:
        # Swap and count this user before the first await, so concurrent leases see one slot.
        slot = self._slots.get(key)
        replaced = None
        if slot is None or slot.fingerprint != print_:
            replaced, slot = slot, _Slot(print_, build())
            self._slots[key] = slot
        slot.users += 1
        try:
            if replaced is not None:
                await self._retire(replaced)
            yield slot.client
        finally:
            slot.users -= 1
            if slot.retired and slot.users == 0:
                with anyio.CancelScope(shield=True):
                    await self._close(slot)

    async def discard(self, key: str) -> None:
        """Forget a deleted model's client."""
        slot = self._slots.pop(key, None)
        if slot is not None:
            await self._retire(slot)

    async def _retire(self, slot: _Slot) -> None:
        """Close a slot already removed from the pool, or once its last user is done."""
        slot.retired = True
        if slot.users == 0:
            await self._close(slot)
        else:
            self._retired.add(slot)

    async def _close(self, slot: _Slot) -> None:
        self._retired.discard(slot)
        await slot.client.aclose()

    async def close(self) -> None:
        for slot in [*self._slots.values(), *self._retired]:
            await slot.client.aclose()
        self._slots.clear()
        self._retired.clear()


class TTLCache(Generic[ValueT]):
    def __init__(self, ttl_seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl_seconds
        self._clock = clock
        self._items: dict[str, tuple[float, ValueT]] = {}

    def get(self, key: str) -> ValueT | None:
        found = self._items.get(key)
        if found is None or found[0] < self._clock():
            self._items.pop(key, None)
            return None
        return found[1]

    def put(self, key: str, value: ValueT) -> None:
        now = self._clock()
        self._items = {k: item for k, item in self._items.items() if item[0] >= now}
        self._items[key] = (now + self.ttl, value)


@dataclass
class ModelRuntime:
    pool: ClientPool = field(default_factory=ClientPool)
    health: TTLCache[Any] = field(default_factory=lambda: TTLCache(HEALTH_TTL_SECONDS))

    @asynccontextmanager
    async def provider(
        self, key: str, provider_class: type[ChatProvider[Any]], connection: ConnectionConfig
    ) -> AsyncIterator[ChatProvider[Any]]:
        """A provider on the pooled client for ``key``, valid inside the block."""
        fields = set(provider_class.connection_model.model_fields)
        build = functools.partial(provider_class.build_client, connection)
        async with self.pool.lease(key, fingerprint(connection, fields), build) as client:
            http = ProviderHTTP(
                client,
                self.pool.retry,
                provider_title=provider_class.label,
                secrets=connection.secret_values(),
            )
            yield provider_class(http)

    async def close(self) -> None:
        await self.pool.close()
