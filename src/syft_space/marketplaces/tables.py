from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from syft_space.core.configurable import ConfiguredMixin
from syft_space.core.db import Base, IdMixin, TimestampMixin


class Marketplace(IdMixin, TimestampMixin, ConfiguredMixin, Base):
    """A SyftHub the tenant's owner has an account on. ``configuration``/``secrets`` hold the
    account's credentials (a personal access token, or username and password)."""

    __tablename__ = "marketplaces"
    __table_args__ = (UniqueConstraint("tenant_id", "name"),)

    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    url: Mapped[str] = mapped_column(String(500))
    # The 'iss' of the hub's satellite tokens; None means the hub's URL.
    issuer: Mapped[str | None] = mapped_column(String(500), default=None)
    # The owner's username on the hub: the audience of satellite tokens meant for this Space.
    hub_username: Mapped[str | None] = mapped_column(String(100), default=None)
    is_default: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(16), default="disabled")
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    last_error_at: Mapped[datetime | None] = mapped_column(default=None)
