from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from syft_space.config import Settings, mask_url_password


def test_defaults_need_no_configuration(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    settings = Settings()
    assert settings.data_dir == tmp_path / ".syft-space"
    assert settings.port == 8080
    assert settings.host == "127.0.0.1"
    assert (
        settings.effective_database_url == f"sqlite:///{tmp_path / '.syft-space' / 'syft-space.db'}"
    )
    assert settings.allowed_origins == ["http://localhost:5173"]
    assert settings.insecure_no_auth is False


def test_environment_overrides_the_config_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    config = tmp_path / "space.toml"
    config.write_text(
        'port = 9000\nrate_limit_per_minute = 7\ncors_origins = ["https://a.example"]\n'
    )
    monkeypatch.setenv("SYFT_CONFIG_FILE", str(config))
    monkeypatch.setenv("SYFT_PORT", "9100")
    settings = Settings(data_dir=tmp_path)
    assert settings.port == 9100
    assert settings.rate_limit_per_minute == 7
    assert settings.allowed_origins == ["http://localhost:5173", "https://a.example"]


def test_bad_values_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SYFT_PORT", "99999")
    with pytest.raises(ValidationError, match="port"):
        Settings()


def test_masked_configuration_hides_secrets(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path,
        secret_key="super-secret",  # type: ignore[arg-type]
        database_url="postgresql://ann:hunter2@db.example/space",
        redis_url="redis://:pw@cache.example:6379/0",
    )
    shown = settings.masked()
    rendered = str(shown)
    assert "super-secret" not in rendered
    assert "hunter2" not in rendered
    assert shown["secret_key"] == "********"
    assert shown["database_url"] == "postgresql://ann:****@db.example/space"
    assert shown["redis_url"] == "redis://:****@cache.example:6379/0"


@pytest.mark.parametrize(
    ("url", "masked"),
    [
        (None, None),
        ("sqlite:///x.db", "sqlite:///x.db"),
        ("postgresql://ann@host/db", "postgresql://ann@host/db"),
        ("postgresql://ann:p%40ss@host/db", "postgresql://ann:****@host/db"),
    ],
)
def test_mask_url_password(url: str | None, masked: str | None) -> None:
    assert mask_url_password(url) == masked
