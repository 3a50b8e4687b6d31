"""Streaming through a real server process: deltas reach the caller while the model writes."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from tests.e2e.server import running_server
from tests.models.doubles import Gate, ProviderDouble, StreamReply, sse

pytestmark = pytest.mark.e2e


def test_deltas_arrive_before_the_answer_is_finished(
    tmp_path: Path, double: ProviderDouble
) -> None:
    gate = Gate()
    chunk = {"id": "c", "model": "m", "choices": [{"delta": {"content": "first"}}]}
    rest = sse(
        {"id": "c", "model": "m", "choices": [{"delta": {"content": " second"}}]},
        {"id": "c", "choices": [], "usage": {"prompt_tokens": 4, "completion_tokens": 2}},
    )
    double.reply(StreamReply([*sse(chunk).lines[:1], gate, *rest.lines]))
    data_dir = tmp_path / "data"

    with running_server(data_dir) as server:
        auth = {"Authorization": f"Bearer {(data_dir / 'owner.key').read_text().strip()}"}
        configuration = {"base_url": double.base_url, "model": "m"}
        created = httpx.post(
            f"{server.base_url}/api/v1/models/",
            headers=auth,
            json={"name": "m", "mtype": "openai", "configuration": configuration},
        )
        assert created.status_code == 201
        events = []
        with httpx.stream(
            "POST",
            f"{server.base_url}/api/v1/models/m/chat",
            headers=auth,
            json={"messages": "Hi", "stream": True},
            timeout=30,
        ) as response:
            assert response.status_code == 200
            for line in response.iter_lines():
                if line.startswith("data: "):
                    events.append(json.loads(line.removeprefix("data: ")))
                    gate.open()

    assert gate.opened_in_time is True
    assert events[:2] == [{"content": "first"}, {"content": " second"}]
    assert events[2]["result"]["message"]["content"] == "first second"
    assert events[2]["result"]["usage"]["total_tokens"] == 6
