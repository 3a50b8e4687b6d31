from __future__ import annotations

import json
import logging

import pytest

from syft_space.core.log import MASK, configure_logging, get_logger, scrub_text


@pytest.mark.parametrize(
    "secret",
    [
        "syft_sk_0123456789ab_abcdefSECRET",
        "Bearer eyJhbGciOi.eyJzdWIiOiIx.sig",
        "syft_pat_abcdef123",
        "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl",
    ],
)
def test_scrub_text_masks_keys_and_tokens(secret: str) -> None:
    scrubbed = scrub_text(f"calling with {secret} now")
    assert secret not in scrubbed
    assert MASK in scrubbed


def test_log_lines_are_json_and_never_carry_secrets(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("info", "json")
    try:
        get_logger("test").info(
            "hub_call",
            api_key="sk-live-123",
            headers={"Authorization": "Bearer abc.def.ghi", "accept": "json"},
            note="key syft_sk_0123456789ab_zzzz leaked?",
        )
        logging.getLogger("third.party").warning("token=%s", "syft_pat_qqq")
    finally:
        logging.getLogger().handlers = []
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    assert lines[0]["event"] == "hub_call"
    assert lines[0]["api_key"] == MASK
    assert lines[0]["headers"] == {"Authorization": MASK, "accept": "json"}
    assert "syft_sk_" not in lines[0]["note"]
    assert "syft_pat_qqq" not in json.dumps(lines[1])
