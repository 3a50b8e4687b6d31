"""Sleeping until woken, for background loops.

``asyncio.wait_for`` on Python 3.11 can swallow a cancellation that arrives as the wait ends,
and a loop that loses its cancellation never stops, hanging shutdown. ``asyncio.timeout`` tells
its own timeout apart from an outside cancellation, so shutdown always gets through.
"""

from __future__ import annotations

import asyncio
import contextlib


async def sleep_until_woken(wake: asyncio.Event, seconds: float) -> None:
    """Return when ``wake`` is set or ``seconds`` have passed, and clear it."""
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(seconds):
            await wake.wait()
    wake.clear()
