"""Configuration: environment variables with the ``SYFT_`` prefix, over an optional TOML file.

Precedence, highest first: explicit constructor arguments (the CLI), ``SYFT_*`` environment
variables, the TOML file named by ``SYFT_CONFIG_FILE``, then the defaults below. Every default
is chosen so that a fresh laptop runs with no configuration at all.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

DEV_FRONTEND_ORIGIN = "http://localhost:5173"


def default_data_dir() -> Path:
    return Path.home() / ".syft-space"


def default_syftbox_config() -> Path:
    return Path.home() / ".syftbox" / "config.json"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SYFT_", extra="forbid", validate_default=True)

    data_dir: Path = Field(
        default_factory=default_data_dir,
        description="Where the database, indexes, keys and uploads live.",
    )
    host: str = Field(default="127.0.0.1", description="Interface the server binds to.")
    port: int = Field(default=8080, ge=1, le=65535, description="Port the server listens on.")
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL; unset means SQLite in the data dir. "
        "postgresql://... switches to PostgreSQL.",
    )
    redis_url: str | None = Field(
        default=None,
        description="redis://... keeps rate-limit counters in Redis so limits hold across "
        "processes; unset keeps them in memory.",
    )
    secret_key: SecretStr | None = Field(
        default=None,
        description="Key that encrypts secrets at rest (a Fernet key); unset means a key file "
        "generated in the data dir.",
    )
    multi_tenancy: bool = Field(
        default=False, description="Select the tenant per request with X-Tenant-Name."
    )
    default_tenant: str = Field(default="default", description="Name of the built-in tenant.")
    insecure_no_auth: bool = Field(
        default=False,
        description="Disable owner authentication entirely. For throwaway local experiments only.",
    )
    cors_origins: list[str] = Field(
        default_factory=list,
        description=f"Browser origins allowed besides {DEV_FRONTEND_ORIGIN}.",
    )
    rate_limit_per_hour: int = Field(
        default=1000, ge=1, description="Management API requests per tenant per hour."
    )
    rate_limit_per_minute: int = Field(
        default=100, ge=1, description="Management API burst limit per tenant per minute."
    )
    max_body_bytes: int = Field(
        default=10 * 1024 * 1024, ge=1024, description="Largest accepted JSON request body."
    )
    allowed_paths: list[Path] | None = Field(
        default=None,
        description="Folders (and their subfolders) that datasets may read; unset means the "
        "data dir and your home folder.",
    )
    watch_folders: bool = Field(
        default=True,
        description="Watch datasets' folders for changes. With several processes on one "
        "database, turn it on in one of them only.",
    )
    embedder: Literal["local", "openai"] = Field(
        default="local",
        description="local: the packaged all-MiniLM-L6-v2, offline. openai: an "
        "OpenAI-compatible embeddings API (set the SYFT_EMBEDDING_* variables).",
    )
    embedding_url: str | None = Field(
        default=None, description="Base URL of the embeddings API, e.g. http://localhost:11434/v1"
    )
    embedding_model: str | None = Field(default=None, description="Embedding model name.")
    embedding_api_key: SecretStr | None = Field(default=None, description="Bearer key, if any.")
    embedding_dimension: int | None = Field(
        default=None, ge=8, le=8192, description="Length of the API's vectors."
    )
    max_upload_bytes: int = Field(
        default=100 * 1024 * 1024, ge=1024, description="Largest accepted uploaded file."
    )
    max_files_per_upload: int = Field(
        default=20, ge=1, le=1000, description="Most files in one upload request."
    )
    ingestion_workers: int = Field(
        default=1, ge=0, le=16, description="Ingestion tasks in this process (0: none here)."
    )
    max_query_chars: int = Field(
        default=100_000, ge=100, description="Longest conversation a query may send, in characters."
    )
    analytics_retention_days: int = Field(
        default=90, ge=1, description="Days query events are kept."
    )
    hub_timeout_seconds: float = Field(
        default=10.0, gt=0, le=120, description="How long to wait for a SyftHub to answer."
    )
    publish_debounce_seconds: float = Field(
        default=2.0,
        ge=0,
        le=600,
        description="Quiet time after an edit before published listings are updated.",
    )
    publish_retry_seconds: float = Field(
        default=5.0,
        gt=0,
        le=3600,
        description="First wait before retrying a failed listing push; doubles each time.",
    )
    heartbeat_interval_seconds: float = Field(
        default=45.0,
        gt=0,
        le=3600,
        description="Mean time between health reports to each hub (jittered by a third).",
    )
    syftbox_config: Path = Field(
        default_factory=default_syftbox_config,
        description="The SyftBox client's config file; its data_dir and email are used when "
        "SYFT_SYFTBOX_DIR or SYFT_SYFTBOX_EMAIL is unset.",
    )
    syftbox_dir: Path | None = Field(
        default=None,
        description="The folder where the SyftBox client keeps datasites (its data_dir/datasites).",
    )
    syftbox_email: str | None = Field(
        default=None, description="The owner's SyftBox email: routers are served from its datasite."
    )
    relay_enabled: bool | None = Field(
        default=None,
        description="Serve published endpoints as SyftBox routers; unset means on whenever the "
        "datasites folder and email are known.",
    )
    relay_url: str = Field(
        default="https://syftbox.net", description="The SyftBox relay `relay send` talks to."
    )
    relay_concurrency: int = Field(
        default=8, ge=1, le=256, description="Relay requests the bridge answers at once."
    )
    relay_cleanup_hours: float = Field(
        default=24.0, gt=0, description="Answered relay requests older than this are removed."
    )
    log_level: Literal["debug", "info", "warning", "error"] = Field(default="info")
    log_format: Literal["auto", "json", "console"] = Field(
        default="auto", description="auto: JSON unless stderr is a terminal."
    )
    web_dir: Path | None = Field(
        default=None,
        description="The built web console (index.html and assets/); unset means the build "
        "that ./serve makes in the package (syft_space/web_dist).",
    )

    @model_validator(mode="after")
    def _remote_embedder_is_complete(self) -> Settings:
        if self.embedder == "openai":
            missing = [
                f"SYFT_{name.upper()}"
                for name in ("embedding_url", "embedding_model", "embedding_dimension")
                if getattr(self, name) is None
            ]
            if missing:
                raise ValueError(f"SYFT_EMBEDDER=openai also needs {', '.join(missing)}")
        return self

    @field_validator("data_dir", "syftbox_config", "syftbox_dir")
    @classmethod
    def _expand_data_dir(cls, value: Path | None) -> Path | None:
        return value.expanduser().resolve() if value is not None else None

    @field_validator("database_url", "redis_url", "syftbox_dir", "syftbox_email", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        return None if value == "" else value

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'syft-space.db'}"

    @property
    def allowed_roots(self) -> list[Path]:
        roots = self.allowed_paths or [self.data_dir, Path.home()]
        return [Path(root).expanduser().resolve() for root in roots]

    @property
    def upload_request_limit(self) -> int:
        return self.max_upload_bytes * self.max_files_per_upload

    @property
    def allowed_origins(self) -> list[str]:
        return [DEV_FRONTEND_ORIGIN, *[o for o in self.cors_origins if o != DEV_FRONTEND_ORIGIN]]

    def masked(self) -> dict[str, Any]:
        """The effective configuration, safe to log: secrets and URL passwords hidden."""
        shown = self.model_dump(mode="json")
        shown["secret_key"] = "********" if self.secret_key else None
        shown["embedding_api_key"] = "********" if self.embedding_api_key else None
        for field in ("database_url", "redis_url"):
            shown[field] = mask_url_password(shown[field])
        return shown

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        config_file = os.environ.get("SYFT_CONFIG_FILE")
        if config_file:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=Path(config_file)))
        return tuple(sources)


def mask_url_password(url: str | None) -> str | None:
    """Hide the password in ``scheme://user:password@host`` so a URL can be logged."""
    if not url or "@" not in url or "://" not in url:
        return url
    scheme, rest = url.split("://", 1)
    credentials, host = rest.rsplit("@", 1)
    if ":" not in credentials:
        return url
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}:****@{host}"
