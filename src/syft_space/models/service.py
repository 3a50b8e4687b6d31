from __future__ import annotations

from syft_space.core.resources import NamedConfiguredService
from syft_space.models.schemas import ModelRead
from syft_space.models.tables import Model


class ModelService(NamedConfiguredService[Model, ModelRead]):
    kind = "Model"
    type_field = "mtype"
    table = Model
    read_model = ModelRead
