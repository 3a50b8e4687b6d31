from __future__ import annotations

import uuid

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from syft_space.core.configurable import ConfiguredMixin
from syft_space.core.db import Base, IdMixin, TimestampMixin


class Policy(IdMixin, TimestampMixin, ConfiguredMixin, Base):
    __tablename__ = "policies"
    __table_args__ = (UniqueConstraint("endpoint_id", "name"),)

    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    # Deleting an endpoint deletes its policies.
    endpoint_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("endpoints.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(64))
    policy_type: Mapped[str] = mapped_column(String(64))
