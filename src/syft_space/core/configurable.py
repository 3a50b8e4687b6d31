"""Typed configurations for pluggable resources, with their secrets encrypted at rest.

A row stores its type name, the non-secret part of its configuration as JSON, and each secret
field as its own Fernet token. A field is secret when its type is ``SecretStr`` (optionally
``| None``): the JSON schema then says ``writeOnly`` and ``format: password``, so the API and
the UI know it too, and the value is never rendered back; reads show ``REDACTED`` instead.

Updates merge over what is stored: a secret left out of a PATCH, or sent back as the redaction
marker the API showed, keeps its stored value; ``null`` clears it.
"""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
import types
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar, Union, get_args, get_origin

from cryptography.fernet import Fernet, InvalidToken
from pydantic import BaseModel, ConfigDict, SecretStr, ValidationError
from sqlalchemy.orm import Mapped, mapped_column

from syft_space.core.errors import FieldError, InvalidInputError, SyftSpaceError

REDACTED = "**********"
ConfigT = TypeVar("ConfigT", bound=BaseModel)
KEY_FILE_NAME = "secret.key"


class PluginConfig(BaseModel):
    """Base of every type's configuration: unknown fields are errors, not silently dropped."""

    model_config = ConfigDict(extra="forbid")


class ConfiguredMixin:
    configuration: Mapped[dict[str, Any]] = mapped_column(default=dict)
    secrets: Mapped[dict[str, Any]] = mapped_column(default=dict)


class SecretsUnreadableError(SyftSpaceError):
    status_code = 500


class SecretBox:
    """Symmetric encryption for secrets at rest (Fernet: AES-128-CBC + HMAC-SHA256)."""

    def __init__(self, key_material: str) -> None:
        digest = hashlib.sha256(key_material.encode()).digest()
        self._fernet = Fernet(base64.urlsafe_b64encode(digest))

    @classmethod
    def from_key_file(cls, data_dir: Path) -> SecretBox:
        """Read the data dir's key file, creating it (mode 0600) on first use."""
        path = data_dir / KEY_FILE_NAME
        if not path.exists():
            write_private_file(path, secrets.token_urlsafe(32) + "\n")
        return cls(path.read_text().strip())

    def encrypt(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode()).decode()

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken:
            raise SecretsUnreadableError(
                "A stored secret cannot be decrypted: the secret key differs from the one it "
                "was written with. Restore SYFT_SECRET_KEY (or the data dir's secret.key), or "
                "enter the secret again."
            ) from None


def write_private_file(path: Path, content: str) -> None:
    """Create ``path`` readable only by its owner, never briefly world-readable."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(content)
    path.chmod(0o600)


def _is_secret_annotation(annotation: Any) -> bool:
    if annotation is SecretStr:
        return True
    if get_origin(annotation) in (Union, types.UnionType):
        return any(arg is SecretStr for arg in get_args(annotation))
    return False


def secret_fields(config_model: type[BaseModel]) -> frozenset[str]:
    return frozenset(
        name
        for name, info in config_model.model_fields.items()
        if _is_secret_annotation(info.annotation)
    )


@dataclass
class StoredConfig:
    """A configuration as it is kept: plain JSON plus encrypted secrets."""

    configuration: dict[str, Any] = field(default_factory=dict)
    secrets: dict[str, str] = field(default_factory=dict)


def validation_errors(
    error: ValidationError, loc_prefix: tuple[str | int, ...], type_name: str
) -> list[FieldError]:
    """Turn a pydantic error into field errors located in the request body."""
    found = []
    for item in error.errors():
        loc = (*loc_prefix, *item["loc"])
        msg = item["msg"]
        if item["type"] == "extra_forbidden":
            msg = f"Unknown field '{item['loc'][-1]}' for type '{type_name}'."
        found.append(FieldError(loc=loc, msg=msg, type=item["type"]))
    return found


class ConfigCodec:
    """Validates, stores, redacts and loads configurations of one plug-in kind."""

    def __init__(self, box: SecretBox) -> None:
        self._box = box

    def prepare(
        self,
        config_model: type[BaseModel],
        type_name: str,
        incoming: dict[str, Any] | None,
        *,
        current: StoredConfig | None = None,
        loc_prefix: tuple[str | int, ...] = ("body", "configuration"),
        context: dict[str, Any] | None = None,
    ) -> StoredConfig:
        """Merge ``incoming`` over ``current``, validate the result, and split out secrets.

        ``context`` reaches the config model's validators: facts of this Space, such as the
        folders it may read, that a configuration is checked against."""
        secret_names = secret_fields(config_model)
        merged: dict[str, Any] = dict(current.configuration) if current else {}
        kept_secrets: dict[str, str] = dict(current.secrets) if current else {}
        for name, value in (incoming or {}).items():
            if name in secret_names:
                if value == REDACTED:
                    continue
                kept_secrets.pop(name, None)
            merged[name] = value
        for name, token in kept_secrets.items():
            if name not in merged:
                merged[name] = self._box.decrypt(token)
        try:
            validated = config_model.model_validate(merged, context=context)
        except ValidationError as exc:
            raise InvalidInputError(validation_errors(exc, loc_prefix, type_name)) from None
        plain = validated.model_dump(mode="json", exclude=set(secret_names))
        encrypted: dict[str, str] = {}
        for name in secret_names:
            value = getattr(validated, name)
            if isinstance(value, SecretStr):
                encrypted[name] = self._box.encrypt(value.get_secret_value())
        return StoredConfig(configuration=plain, secrets=encrypted)

    def redacted(self, config_model: type[BaseModel], stored: StoredConfig) -> dict[str, Any]:
        """The configuration as the API shows it: every set secret replaced by REDACTED."""
        shown = dict(stored.configuration)
        for name in secret_fields(config_model):
            shown[name] = REDACTED if name in stored.secrets else None
        return shown

    def load(self, config_model: type[ConfigT], stored: StoredConfig) -> ConfigT:
        """The full configuration with secrets decrypted, for the type's own behaviour."""
        values = dict(stored.configuration)
        for name, token in stored.secrets.items():
            values[name] = self._box.decrypt(token)
        return config_model.model_validate(values)
