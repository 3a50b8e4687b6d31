from __future__ import annotations

from syft_space.core.resources import NamedConfiguredService
from syft_space.datasets.schemas import DatasetRead
from syft_space.datasets.tables import Dataset


class DatasetService(NamedConfiguredService[Dataset, DatasetRead]):
    kind = "Dataset"
    type_field = "dtype"
    table = Dataset
    read_model = DatasetRead
