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
    # Liveness reports to the hub: the last accepted one, the failures since, the next due.
    heartbeat_ok_at: Mapped[datetime | None] = mapped_column(default=None)
    heartbeat_error: Mapped[str | None] = mapped_column(Text, default=None)
    heartbeat_failures: Mapped[int] = mapped_column(default=0)
    next_heartbeat_at: Mapped[datetime | None] = mapped_column(default=None)


class Publication(IdMixin, TimestampMixin, Base):
    """One endpoint's listing on one marketplace, and where pushing it there stands.

    ``status``: pending (a change waits to be pushed), published, failed (the last push failed;
    retried at ``next_attempt_at``), removing (the listing must go: unpublished, or the endpoint
    deleted, in which case ``endpoint_id`` is gone and ``slug`` says what to remove).
    """

    __tablename__ = "publications"
    __table_args__ = (UniqueConstraint("marketplace_id", "slug"),)

    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    endpoint_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("endpoints.id", ondelete="SET NULL"), index=True
    )
    marketplace_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("marketplaces.id", ondelete="CASCADE"), index=True
    )
    slug: Mapped[str] = mapped_column(String(63))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    error: Mapped[str | None] = mapped_column(Text, default=None)
    attempts: Mapped[int] = mapped_column(default=0)
    # None: nothing to push. Otherwise the earliest time the next push may run (debounce or
    # back-off), claimed by compare-and-set so one process pushes it.
    next_attempt_at: Mapped[datetime | None] = mapped_column(default=None, index=True)
    published_at: Mapped[datetime | None] = mapped_column(default=None)
    # The listing as last accepted by the hub (a digest), and how many times it changed: the
    # listing's version is 1.0.<revision>.
    listed_digest: Mapped[str | None] = mapped_column(String(64), default=None)
    revision: Mapped[int] = mapped_column(default=0)
    # Whether the hub's listing under this slug is this Space's: created here, or possibly
    # created by a call whose answer was lost. Only a claimed listing is updated or deleted;
    # anything else under the slug belongs to the owner's other work and is left alone.
    claimed: Mapped[bool] = mapped_column(default=False)
    # Bumped whenever what should be on the hub changes (an edit, publish, unpublish, deletion).
    # A hub call records its outcome fully only if the generation is still the one it started
    # with; otherwise a newer intent wins and the worker reconciles the hub with it.
    generation: Mapped[int] = mapped_column(default=0)


class NetworkSettings(IdMixin, TimestampMixin, ConfiguredMixin, Base):
    """How hubs reach this tenant's endpoints: the public URL and the developer token (a hub
    personal access token used by marketplaces that have no credentials of their own). Its
    existence also records that the tenant's default marketplace was created once."""

    __tablename__ = "network_settings"

    tenant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), unique=True
    )
