"""Background tasks: sleeping until woken, and stopping.

``asyncio.wait_for`` on Python 3.11 can swallow a cancellation that arrives as the wait ends,
and a loop that loses its cancellation never stops, hanging shutdown. ``asyncio.timeout`` tells
its own timeout apart from an outside cancellation, so shutdown always gets through.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterable
from typing import Any


async def cancel_and_wait(tasks: Iterable[asyncio.Task[Any] | None]) -> None:
    """Cancel every task first, then wait for each, so they wind down together rather than
    one after another."""
    running = [task for task in tasks if task is not None]
    for task in running:
        task.cancel()
    for task in running:
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def sleep_until_woken(wake: asyncio.Event, seconds: float) -> None:
    """Return when ``wake`` is set or ``seconds`` have passed, and clear it."""
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(seconds):
            await wake.wait()
    wake.clear()
