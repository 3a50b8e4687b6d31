"""First start: make sure the owner can get in, without ever running open.

When no active owner key exists, one is created, written to ``<data dir>/owner.key`` (mode 0600)
and shown once on the console. It is printed only when stderr is a terminal: under a service
manager the console is a log file, and keys never go to logs, so the file is the way to read it.
"""

from __future__ import annotations

import sys
from pathlib import Path

from syft_space.auth.service import OwnerKeyService
from syft_space.core.configurable import write_private_file
from syft_space.core.db import Database
from syft_space.core.log import get_logger

OWNER_KEY_FILE = "owner.key"
INITIAL_KEY_NAME = "initial"

log = get_logger(__name__)


async def ensure_owner_key(database: Database, data_dir: Path) -> Path | None:
    """Create the first owner key if there is none; return the file it was saved to."""
    async with database.unit_of_work() as session:
        keys = OwnerKeyService(session)
        if await keys.has_active_keys():
            return None
        name = INITIAL_KEY_NAME
        existing = {k.name for k in await keys.all()}
        suffix = 1
        while name in existing:
            suffix += 1
            name = f"{INITIAL_KEY_NAME}-{suffix}"
        _, plaintext = await keys.create(name, tenant=None)
    path = data_dir / OWNER_KEY_FILE
    write_private_file(path, plaintext + "\n")
    if sys.stderr.isatty():
        bar = "=" * 72
        print(
            f"\n{bar}\n  Your owner key (shown once; also saved to {path}):\n\n    {plaintext}\n\n"
            f"  Send it as 'Authorization: Bearer <key>' to manage this Space.\n{bar}\n",
            file=sys.stderr,
        )
    log.warning("owner_key_created", name=name, saved_to=str(path))
    return path
