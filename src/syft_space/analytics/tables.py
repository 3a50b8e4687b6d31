from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from syft_space.core.db import Base, IdMixin, utcnow


class QueryEvent(IdMixin, Base):
    """One query, allowed or refused, recorded once when it ends."""

    __tablename__ = "query_events"
    __table_args__ = (Index("ix_query_events_tenant_created", "tenant_id", "created_at"),)

    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    # Kept when the endpoint is deleted, so history survives it.
    endpoint_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("endpoints.id", ondelete="SET NULL"), index=True
    )
    endpoint_slug: Mapped[str] = mapped_column(String(63))
    sender: Mapped[str] = mapped_column(String(320))
    channel: Mapped[str] = mapped_column(String(16))
    outcome: Mapped[str] = mapped_column(String(32))
    status_code: Mapped[int]
    latency_ms: Mapped[float]
    documents: Mapped[int] = mapped_column(default=0)
    prompt_tokens: Mapped[int] = mapped_column(default=0)
    completion_tokens: Mapped[int] = mapped_column(default=0)
    cost: Mapped[float] = mapped_column(default=0.0)
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
