"""The on-disk contract and the settings that find it, without a Space."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from syft_space.config import Settings
from syft_space.core.errors import BadRequestError
from syft_space.relay.bridge import SyftBoxLocation, syftbox_location
from syft_space.relay.files import Datasite, SyftUrl, decode_body, encode_body
from syft_space.relay.services import request_fields

OWNER = "alice@example.org"


def test_syft_urls() -> None:
    parsed = SyftUrl.parse(f"syft://{OWNER}/app_data/research-qa/rpc/search")
    assert parsed == SyftUrl(OWNER, "research-qa", "search")
    assert str(parsed) == f"syft://{OWNER}/app_data/research-qa/rpc/search"
    for bad in (
        "https://example.org",
        f"syft://{OWNER}/app_data/x/search",
        "syft://no-email/app_data/x/rpc/search",
        f"syft://{OWNER}/app_data//rpc/search",
    ):
        with pytest.raises(BadRequestError, match="not a router URL"):
            SyftUrl.parse(bad)


def test_bodies_are_strict_url_safe_base64() -> None:
    raw = bytes(range(256))
    assert decode_body(encode_body(raw)) == raw
    assert "+" not in encode_body(raw)
    assert decode_body(None) == b""
    for bad in ("a+b/", "abc", "ab$="):
        with pytest.raises(BadRequestError, match="not URL-safe base64"):
            decode_body(bad)


def test_requests_are_located_only_inside_their_app(tmp_path: Path) -> None:
    site = Datasite(tmp_path, OWNER)
    folder = site.rpc_dir("news") / "search" / "bob@example.org"
    folder.mkdir(parents=True)
    good = folder / "1234-abcd.request"
    good.write_text("{}")
    located = site.locate(good)
    assert located is not None
    assert (located.slug, located.service, located.sender, located.request_id) == (
        "news",
        "search",
        "bob@example.org",
        "1234-abcd",
    )
    assert located.response_path == folder / "1234-abcd.response"
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "x.request").write_text("{}")
    os.symlink(outside, site.rpc_dir("news") / "search" / "eve@example.org")
    linked = folder / "linked.request"
    os.symlink(good, linked)
    for path in (
        site.rpc_dir("news") / "search" / "eve@example.org" / "x.request",
        linked,
        site.rpc_dir("news") / "search" / "loose.request",
        folder / ".hidden.request",
        tmp_path / "x.request",
        folder / "1234-abcd.response",
    ):
        assert site.locate(path) is None, path


def test_old_pairs_are_cleaned_up(tmp_path: Path) -> None:
    site = Datasite(tmp_path, OWNER)
    folder = site.rpc_dir("news") / "search" / "bob@example.org"
    folder.mkdir(parents=True)
    old_time = time.time() - 7200
    for name, age in (("old", old_time), ("new", None), ("waiting", None)):
        (folder / f"{name}.request").write_text("{}")
        if name != "waiting":
            (folder / f"{name}.response").write_text("{}")
            if age:
                os.utime(folder / f"{name}.response", (age, age))
    assert site.remove_old_pairs({"news"}, max_age_seconds=3600) == 1
    assert sorted(p.name for p in folder.iterdir()) == [
        "new.request",
        "new.response",
        "waiting.request",
    ]


def test_metadata_is_kept_for_routers_this_space_did_not_make(tmp_path: Path) -> None:
    site = Datasite(tmp_path, OWNER)
    site.prepare_router("ours", {"project_name": "ours", "publish_date": "2025-01-01T00:00:00Z"})
    site.prepare_router("ours", {"project_name": "ours", "publish_date": "2026-01-01T00:00:00Z"})
    kept = json.loads(site.metadata_path("ours").read_text())
    assert kept["publish_date"] == "2025-01-01T00:00:00Z"
    theirs = site.metadata_path("theirs")
    theirs.parent.mkdir(parents=True)
    theirs.write_text("{}")
    assert site.retire_routers(keep=set()) == ["ours"]
    assert theirs.exists()
    assert not site.metadata_path("ours").exists()


def test_the_location_comes_from_settings_or_the_syftbox_config(tmp_path: Path) -> None:
    config = tmp_path / "config.json"
    missing = Settings(data_dir=tmp_path / "data", syftbox_config=config)
    assert syftbox_location(missing) is None
    config.write_text(json.dumps({"data_dir": str(tmp_path / "SyftBox"), "email": OWNER}))
    from_file = Settings(data_dir=tmp_path / "data", syftbox_config=config)
    assert syftbox_location(from_file) == SyftBoxLocation(tmp_path / "SyftBox" / "datasites", OWNER)
    explicit = Settings(
        data_dir=tmp_path / "data",
        syftbox_config=config,
        syftbox_dir=tmp_path / "other",
        syftbox_email="bob@example.org",
    )
    assert syftbox_location(explicit) == SyftBoxLocation(tmp_path / "other", "bob@example.org")
    config.write_text("{not json")
    assert syftbox_location(Settings(data_dir=tmp_path / "data", syftbox_config=config)) is None


def test_request_fields_accept_both_spellings() -> None:
    assert request_fields(
        {
            "query": "q",
            "options": {"maxTokens": 5, "similarityThreshold": 0.1},
            "includeMetadata": False,
            "suffix-sender": "true",
            "x-syft-url": "syft://x",
            "userEmail": "a@b.c",
            "filters": {"fileName": "kept as given"},
        }
    ) == {
        "query": "q",
        "max_tokens": 5,
        "similarity_threshold": 0.1,
        "include_metadata": False,
        "filters": {"fileName": "kept as given"},
    }
