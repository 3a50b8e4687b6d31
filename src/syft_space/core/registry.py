"""Registries of pluggable types (dataset types, model types, policy types, ...).

A plug-in is an object with a ``name``, a human ``title`` and ``description``, and a pydantic
``config_model`` whose JSON schema is what the API serves and the console renders as a form.
Registries are plain instances built at start-up in ``syft_space.plugins``; nothing registers
itself on import, and a duplicate name is an error at start-up rather than a silent override.
"""

from __future__ import annotations

from typing import Any, Generic, Protocol, TypeVar

from pydantic import BaseModel

from syft_space.core.errors import NotFoundError


class PluginType(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def title(self) -> str: ...

    @property
    def description(self) -> str: ...

    @property
    def config_model(self) -> type[BaseModel]: ...


PluginT = TypeVar("PluginT", bound=PluginType)


class DuplicateTypeError(RuntimeError):
    pass


class TypeRegistry(Generic[PluginT]):
    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._types: dict[str, PluginT] = {}

    def register(self, plugin: PluginT) -> None:
        if plugin.name in self._types:
            raise DuplicateTypeError(f"{self.kind} type '{plugin.name}' is registered twice")
        self._types[plugin.name] = plugin

    def get(self, name: str) -> PluginT:
        try:
            return self._types[name]
        except KeyError:
            known = ", ".join(sorted(self._types)) or "none"
            raise NotFoundError(
                f"Unknown {self.kind} type '{name}'. Available types: {known}."
            ) from None

    def __contains__(self, name: object) -> bool:
        return name in self._types

    def all(self) -> list[PluginT]:
        return [self._types[name] for name in sorted(self._types)]

    def names(self) -> list[str]:
        return sorted(self._types)


def config_schema(plugin: PluginType) -> dict[str, Any]:
    return plugin.config_model.model_json_schema()
