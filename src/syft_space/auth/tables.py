from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from syft_space.core.db import Base, IdMixin, utcnow


class OwnerKey(IdMixin, Base):
    """An owner API key. Only a SHA-256 digest of the secret part is kept."""

    __tablename__ = "owner_keys"

    name: Mapped[str] = mapped_column(String(64), unique=True)
    # None means a global admin key that may act on every tenant.
    tenant_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), index=True
    )
    lookup_id: Mapped[str] = mapped_column(String(32), unique=True)
    secret_digest: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
