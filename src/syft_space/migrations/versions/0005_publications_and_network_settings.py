"""Publications (an endpoint's listing per marketplace), network settings, heartbeat state.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 10:08:54.797841
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "network_settings",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("configuration", sa.JSON(), nullable=False),
        sa.Column("secrets", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_network_settings_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_network_settings")),
        sa.UniqueConstraint("tenant_id", name=op.f("uq_network_settings_tenant_id")),
    )
    op.create_table(
        "publications",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("endpoint_id", sa.Uuid(), nullable=True),
        sa.Column("marketplace_id", sa.Uuid(), nullable=False),
        sa.Column("slug", sa.String(length=63), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=True),
        sa.Column("published_at", sa.DateTime(), nullable=True),
        sa.Column("listed_digest", sa.String(length=64), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("claimed", sa.Boolean(), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["endpoint_id"],
            ["endpoints.id"],
            name=op.f("fk_publications_endpoint_id_endpoints"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["marketplace_id"],
            ["marketplaces.id"],
            name=op.f("fk_publications_marketplace_id_marketplaces"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_publications_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_publications")),
        sa.UniqueConstraint(
            "marketplace_id", "slug", name=op.f("uq_publications_marketplace_id_slug")
        ),
    )
    with op.batch_alter_table("publications", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_publications_endpoint_id"), ["endpoint_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_publications_marketplace_id"), ["marketplace_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_publications_next_attempt_at"), ["next_attempt_at"], unique=False
        )

    with op.batch_alter_table("marketplaces", schema=None) as batch_op:
        batch_op.add_column(sa.Column("heartbeat_ok_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("heartbeat_error", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column("heartbeat_failures", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("next_heartbeat_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("marketplaces", schema=None) as batch_op:
        batch_op.drop_column("next_heartbeat_at")
        batch_op.drop_column("heartbeat_failures")
        batch_op.drop_column("heartbeat_error")
        batch_op.drop_column("heartbeat_ok_at")

    with op.batch_alter_table("publications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_publications_next_attempt_at"))
        batch_op.drop_index(batch_op.f("ix_publications_marketplace_id"))
        batch_op.drop_index(batch_op.f("ix_publications_endpoint_id"))

    op.drop_table("publications")
    op.drop_table("network_settings")
