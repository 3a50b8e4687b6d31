"""The send/poll client and ``syft-space relay`` against the relay double over real HTTP."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import anyio
import pytest

from syft_space.relay.client import RelayClient, RelayError, RouterReply
from syft_space.relay.files import PERMISSIONS
from tests.doubles.relay import RelayDouble
from tests.endpoints.conftest import Published
from tests.relay.conftest import OWNER, bridge_of, client_for, url, wait_until

pytestmark = pytest.mark.anyio


def silent_router(datasites: Path, slug: str = "quiet") -> None:
    """A router folder that accepts requests but that nobody answers."""
    rpc = datasites / OWNER / "app_data" / slug / "rpc"
    rpc.mkdir(parents=True)
    (rpc / "syft.pub.yaml").write_text(PERMISSIONS)


async def test_an_unknown_datasite_is_404(relay: RelayDouble) -> None:
    async with client_for(relay) as client:
        with pytest.raises(RelayError) as missing:
            await client.send(url("quiet", "search", "nobody@example.org"), {"query": "x"})
    assert missing.value.status == 404
    assert "has no router or request" in missing.value.message


async def test_a_router_that_does_not_let_the_sender_write_is_403(relay: RelayDouble) -> None:
    async with client_for(relay, sender="bob@example.org") as client:
        with pytest.raises(RelayError) as refused:
            await client.send(url("private", "search"), {"query": "x"})
    assert refused.value.status == 403
    assert "bob@example.org may not send to" in refused.value.message


async def test_a_malformed_url_is_refused_before_sending(relay: RelayDouble) -> None:
    async with client_for(relay) as client:
        with pytest.raises(RelayError) as bad:
            await client.send("https://example.org/search")
    assert "not a router URL" in bad.value.message


async def test_no_answer_in_time(relay: RelayDouble, datasites: Path) -> None:
    silent_router(datasites)
    async with client_for(relay, timeout=0.5, wait=0.1) as client:
        with pytest.raises(RelayError) as late:
            await client.send(url("quiet", "search"), {"query": "x"})
    assert "No answer from" in late.value.message
    assert relay.polls >= 1


async def test_polls_until_answered_and_retries_a_failing_relay(
    routers: Published, relay: RelayDouble
) -> None:
    bridge = bridge_of(routers.space)
    await bridge.stop()
    relay.failing_polls = 2
    replies: list[RouterReply] = []

    async def send(client: RelayClient) -> None:
        replies.append(await client.send(url("space-news", "search"), {"query": "sat"}))

    async with (
        client_for(relay, wait=0.05, retries=3) as client,
        anyio.create_task_group() as group,
    ):
        group.start_soon(send, client)
        await wait_until(lambda: relay.polls >= 4)
        bridge.start()
    assert replies[0].status_code == 200
    assert replies[0].body["query"] == "sat"


async def test_a_relay_that_keeps_failing(routers: Published, relay: RelayDouble) -> None:
    await bridge_of(routers.space).stop()
    relay.failing_polls = 100
    async with client_for(relay, wait=0.05, retries=1) as client:
        with pytest.raises(RelayError) as failed:
            await client.send(url("space-news", "search"), {"query": "x"})
    assert failed.value.status == 500
    assert "The relay failed" in failed.value.message


async def test_a_second_poll_of_a_collected_answer_is_404(
    routers: Published, relay: RelayDouble
) -> None:
    async with client_for(relay) as client:
        reply = await client.send(url("space-news", "health"))
        with pytest.raises(RelayError) as gone:
            await client.collect(reply.request_id, url("space-news", "health"))
    assert gone.value.status == 404


async def test_an_unreachable_relay() -> None:
    async with RelayClient("http://127.0.0.1:9", retries=1, poll_interval=0.01) as client:
        with pytest.raises(RelayError) as down:
            await client.send(url("quiet", "search"))
    assert "Could not reach the relay" in down.value.message


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "syft_space", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "SYFT_DATA_DIR": "/nonexistent-syft-space"},
        timeout=60,
        check=False,
    )


async def test_relay_send_from_the_command_line(routers: Published, relay: RelayDouble) -> None:
    common = ["--relay-url", relay.base_url, "--poll-interval", "0.05", "--timeout", "15"]
    sent = await anyio.to_thread.run_sync(
        lambda: run_cli(
            "relay",
            "send",
            url("space-news", "search"),
            "--body",
            '{"query": "satellite"}',
            "--from",
            "carol@example.org",
            *common,
        )
    )
    assert sent.returncode == 0, sent.stderr
    assert "EuroSat-7" in json.loads(sent.stdout)["results"][0]["content"]
    refused = await anyio.to_thread.run_sync(
        lambda: run_cli("relay", "send", url("space-news", "nope"), *common)
    )
    assert refused.returncode == 1
    assert refused.stderr.startswith("Error: The router ")
    assert "answered 404" in refused.stderr
    bad_body = run_cli("relay", "send", url("space-news", "search"), "--body", "{", *common)
    assert bad_body.returncode == 1
    assert "--body is not valid JSON" in bad_body.stderr


def test_relay_status_needs_a_running_space() -> None:
    result = run_cli("relay", "status", "--url", "http://127.0.0.1:9")
    assert result.returncode == 1
    assert "cannot reach the Space at http://127.0.0.1:9" in result.stderr
