"""Every table, imported in one place so Alembic and tests see the whole schema."""

from syft_space.analytics.tables import QueryEvent
from syft_space.auth.tables import OwnerKey
from syft_space.datasets.tables import Chunk, Dataset, Document, IngestionJob
from syft_space.endpoints.tables import Endpoint
from syft_space.marketplaces.tables import Marketplace, NetworkSettings, Publication
from syft_space.models.tables import Model
from syft_space.policies.ledger_tables import CreditBalance, LedgerEntry
from syft_space.policies.tables import Policy
from syft_space.tenants.tables import Tenant

__all__ = [
    "Chunk",
    "CreditBalance",
    "Dataset",
    "Document",
    "Endpoint",
    "IngestionJob",
    "LedgerEntry",
    "Marketplace",
    "Model",
    "NetworkSettings",
    "OwnerKey",
    "Policy",
    "Publication",
    "QueryEvent",
    "Tenant",
]
