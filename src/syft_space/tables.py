"""Every table, imported in one place so Alembic and tests see the whole schema."""

from syft_space.auth.tables import OwnerKey
from syft_space.datasets.tables import Dataset
from syft_space.endpoints.tables import Endpoint
from syft_space.models.tables import Model
from syft_space.policies.tables import Policy
from syft_space.tenants.tables import Tenant

__all__ = ["Dataset", "Endpoint", "Model", "OwnerKey", "Policy", "Tenant"]
