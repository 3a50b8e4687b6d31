"""Published endpoints served as SyftBox routers, reached through a relay double over real HTTP."""

from __future__ import annotations

import json
import os
from datetime import timedelta
from pathlib import Path

import anyio
import pytest
from sqlalchemy import select

from syft_space.analytics.tables import QueryEvent
from syft_space.relay.client import RouterError
from syft_space.relay.files import MAX_BODY_BYTES
from tests.doubles.relay import RelayDouble
from tests.endpoints.conftest import Published, completion
from tests.models.doubles import ProviderDouble, json_reply
from tests.relay.conftest import OWNER, answer_to, bridge_of, client_for, url, wait_until

pytestmark = pytest.mark.anyio


async def test_a_guest_searches_a_published_router(
    routers: Published, relay: RelayDouble, datasites: Path
) -> None:
    async with client_for(relay) as client:
        reply = await client.send(
            url("space-news", "search"),
            {"query": "satellite crash", "options": {"limit": 1, "similarityThreshold": 0.0}},
        )
    assert reply.status_code == 200
    results = reply.body["results"]
    assert len(results) == 1
    assert "EuroSat-7" in results[0]["content"]
    assert set(results[0]) == {"id", "score", "content", "metadata"}
    assert reply.body["query"] == "satellite crash"
    assert reply.body["providerInfo"]["searchType"] == "hybrid"
    rpc = datasites / OWNER / "app_data" / "space-news" / "rpc"
    assert "{{.UserEmail}}/*.request" in (rpc / "syft.pub.yaml").read_text()
    await routers.space.container.pipeline.events_recorded()
    async with routers.space.container.database.unit_of_work(write=False) as session:
        events = list(await session.execute(select(QueryEvent.channel, QueryEvent.sender)))
    assert events == [("relay", "guest@syftbox.net")]


async def test_search_accepts_spec_004_fields_and_filters(
    routers: Published, relay: RelayDouble
) -> None:
    async with client_for(relay) as client:
        reply = await client.send(
            url("space-news", "search"),
            {
                "query": "sourdough",
                "limit": 5,
                "search_type": "keyword",
                "filters": {"file_name": "bread.txt"},
                "suffix-sender": "true",
                "x-syft-url": url("space-news", "search"),
                "user_email": "sarah@example.org",
            },
        )
    assert [r["metadata"]["file_name"] for r in reply.body["results"]] == ["bread.txt"]


async def test_chat_answers_with_the_model(
    chat_router: Published, relay: RelayDouble, provider: ProviderDouble
) -> None:
    provider.reply(json_reply(completion("Machine learning learns from data.", 12, 6)))
    async with client_for(relay, sender="bob@example.org") as client:
        reply = await client.send(
            url("chat-only", "chat"),
            {
                "messages": [{"role": "user", "content": "What is machine learning?"}],
                "options": {"maxTokens": 50, "temperature": 0.2},
                "conversation_id": "conv_123",
            },
        )
    body = reply.body
    assert body["message"] == {"role": "assistant", "content": "Machine learning learns from data."}
    assert body["finishReason"] == "stop"
    assert body["usage"] == {"promptTokens": 12, "completionTokens": 6, "totalTokens": 18}
    assert body["conversationId"] == "conv_123"
    sent = provider.received[0].body
    assert sent["max_tokens"] == 50
    assert sent["messages"][-1] == {"role": "user", "content": "What is machine learning?"}


async def test_a_search_router_has_no_chat(routers: Published, relay: RelayDouble) -> None:
    async with client_for(relay) as client:
        with pytest.raises(RouterError) as refused:
            await client.send(url("space-news", "chat"), {"message": "hello"})
    assert refused.value.status == 404
    assert "no chat service" in refused.value.message


async def test_query_runs_the_whole_pipeline(routers: Published, relay: RelayDouble) -> None:
    async with client_for(relay) as client:
        reply = await client.send(
            url("space-news", "query"),
            {"messages": "satellite", "similarityThreshold": 0.0, "includeMetadata": False},
        )
    documents = reply.body["references"]["documents"]
    assert documents
    assert documents[0]["metadata"] == {}
    assert reply.body["policy_metadata"]["outcome"] == "allowed"


async def test_health_info_and_status(routers: Published, relay: RelayDouble) -> None:
    async with client_for(relay) as client:
        health = (await client.send(url("space-news", "health"))).body
        info = (await client.send(url("space-news", "info"))).body
        await client.send(url("space-news", "search"), {"query": "satellite"})
        status = (await client.send(url("space-news", "status"), {"service": "search"})).body
        with pytest.raises(RouterError) as unknown:
            await client.send(url("space-news", "status"), {"service": "upload"})
    assert health["status"] == "healthy"
    assert health["services"] == {"chat": "stopped", "search": "running"}
    assert info["name"] == "space-news"
    assert info["author"] == OWNER
    assert info["published"] is True
    assert info["services"]["search"] == {
        "enabled": True,
        "collection_size": 2,
        "pricing": {"per_request": 0.0},
    }
    assert info["services"]["chat"]["enabled"] is False
    assert status["service"] == "search"
    assert status["status"] == "running"
    assert status["requests_today"] == 1
    assert status["error_rate"] == "0.0%"
    assert unknown.value.status == 400


async def test_an_access_policy_refuses_a_sender(routers: Published, relay: RelayDouble) -> None:
    await routers.add_policy("access", {"deny": ["bob@example.org"]})
    async with client_for(relay, sender="bob@example.org") as client:
        with pytest.raises(RouterError) as denied:
            await client.send(url("space-news", "search"), {"query": "satellite"})
    assert denied.value.status == 403
    assert denied.value.body["error"] == "permission_denied"
    assert denied.value.body["policy_metadata"]["outcome"] == "access_denied"
    assert "bob@example.org is not allowed" in denied.value.message
    async with client_for(relay, sender="carol@example.org") as client:
        allowed = await client.send(url("space-news", "search"), {"query": "satellite"})
    assert allowed.status_code == 200


async def test_rate_limits_count_per_sender(routers: Published, relay: RelayDouble) -> None:
    await routers.add_policy("rate_limit", {"limits": [{"rate": "1/m"}]})
    async with client_for(relay, sender="bob@example.org") as bob:
        assert (await bob.send(url("space-news", "search"), {"query": "a"})).status_code == 200
        with pytest.raises(RouterError) as limited:
            await bob.send(url("space-news", "search"), {"query": "b"})
    assert limited.value.status == 429
    assert limited.value.body["error"] == "rate_limited"
    async with client_for(relay, sender="carol@example.org") as carol:
        assert (await carol.send(url("space-news", "search"), {"query": "c"})).status_code == 200


async def test_a_satellite_token_proves_who_is_asking(
    routers: Published, relay: RelayDouble
) -> None:
    await routers.add_policy("access", {"allow": ["carol@example.org"]})
    token = routers.token_for("carol")
    async with client_for(relay) as client:
        with pytest.raises(RouterError) as guest:
            await client.send(url("space-news", "search"), {"query": "satellite"})
        in_body = await client.send(
            url("space-news", "search"),
            {"query": "satellite", "satellite_token": token},
        )
        in_header = await client.send(
            url("space-news", "search"),
            {"query": "satellite"},
            headers={"X-Satellite-Token": token},
        )
        with pytest.raises(RouterError) as forged:
            await client.send(
                url("space-news", "search"), {"query": "satellite", "satelliteToken": "nope"}
            )
    assert guest.value.status == 403
    assert in_body.status_code == in_header.status_code == 200
    assert forged.value.status == 401
    assert relay.received_headers[2]["x-satellite-token"] == token


async def test_a_claimed_sender_cannot_spend_that_emails_credit(
    routers: Published, relay: RelayDouble
) -> None:
    await routers.add_policy("accounting", {"price_per_request": 0.01})
    granted = await routers.space.client.post(
        "/api/v1/credits", json={"email": "carol@example.org", "amount": 1.0}
    )
    assert granted.status_code == 200, granted.text
    # Anyone can write a request under carol's name; only a token proves it is her.
    async with client_for(relay, sender="carol@example.org") as client:
        with pytest.raises(RouterError) as claimed:
            await client.send(url("space-news", "search"), {"query": "satellite"})
        proven = await client.send(
            url("space-news", "search"),
            {"query": "satellite", "satellite_token": routers.token_for("carol")},
        )
    assert claimed.value.status == 402
    assert "only claimed" in claimed.value.message
    assert proven.status_code == 200
    balances = (await routers.space.client.get("/api/v1/credits?email=carol@example.org")).json()
    assert float(balances[0]["balance"]) == pytest.approx(0.99)


async def test_an_expired_request_is_419(routers: Published, relay: RelayDouble) -> None:
    relay.expires_in = timedelta(minutes=-1)
    async with client_for(relay) as client:
        with pytest.raises(RouterError) as expired:
            await client.send(url("space-news", "search"), {"query": "satellite"})
    assert expired.value.status == 419
    assert "expired" in expired.value.message


async def test_a_request_waiting_before_start_is_answered(
    routers: Published, relay: RelayDouble
) -> None:
    bridge = bridge_of(routers.space)
    await bridge.stop()
    assert not bridge.running
    target = url("space-news", "search")
    document = relay.request_document(target, "dave@example.org", b'{"query": "satellite"}')
    waiting = relay.drop(target, "dave@example.org", json.dumps(document).encode())
    bridge.start()
    status, body = await answer_to(waiting)
    assert status == 200
    assert body["results"]


async def test_twenty_requests_at_once(routers: Published, relay: RelayDouble) -> None:
    statuses: list[int] = []

    async def one(number: int) -> None:
        async with client_for(relay, sender=f"user{number}@example.org") as client:
            reply = await client.send(url("space-news", "search"), {"query": "satellite"})
            statuses.append(reply.status_code)

    async with anyio.create_task_group() as group:
        for number in range(20):
            group.start_soon(one, number)
    assert statuses == [200] * 20
    assert bridge_of(routers.space).requests_handled == 20


async def test_bad_request_files_are_answered_and_the_bridge_keeps_serving(
    routers: Published, relay: RelayDouble, datasites: Path
) -> None:
    target = url("space-news", "search")
    sender = "eve@example.org"

    def document(**changes: object) -> bytes:
        found = relay.request_document(target, sender, b'{"query": "satellite"}')
        return json.dumps({**found, **changes}).encode()

    cases = {
        "not JSON": (b"{not json", 400, "not a SyftBox request"),
        "bad base64": (document(body="***"), 400, "not URL-safe base64"),
        "another owner": (
            document(url=url("space-news", "search", "mallory@example.org")),
            400,
            "delivered to",
        ),
        "another app": (document(url=url("other-news", "search")), 400, "delivered to"),
        "another sender": (document(sender="bob@example.org"), 400, "in eve@example.org's folder"),
        "not an object": (document(body="WzEsMl0="), 400, "must be a JSON object"),
        "body over 4 MiB": (
            document(body="QUFB" * (MAX_BODY_BYTES // 3 + 1)),
            413,
            "body is larger than the 4 MiB",
        ),
        "file far over 4 MiB": (
            document(body="QUFB" * (MAX_BODY_BYTES // 2)),
            413,
            "request is larger than the 4 MiB",
        ),
    }
    dropped = {name: relay.drop(target, sender, raw) for name, (raw, _, _) in cases.items()}
    for name, (_, status, fragment) in cases.items():
        answered, body = await answer_to(dropped[name])
        assert (name, answered) == (name, status)
        assert fragment in body["message"], (name, body)
    async with client_for(relay) as client:
        reply = await client.send(target, {"query": "satellite"})
    assert reply.status_code == 200
    bridge = bridge_of(routers.space)
    assert bridge.running
    assert bridge.last_error is not None


async def test_files_outside_the_contract_are_skipped(
    routers: Published, relay: RelayDouble, datasites: Path, tmp_path: Path
) -> None:
    target = url("space-news", "search")
    good = relay.request_document(target, "eve@example.org", b'{"query": "satellite"}')
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "x.request").write_text(json.dumps(good))
    search = datasites / OWNER / "app_data" / "space-news" / "rpc" / "search"
    search.mkdir(parents=True, exist_ok=True)
    os.symlink(outside, search / "escape@example.org")
    loose = search / "loose.request"
    loose.write_text(json.dumps(good))
    other_app = relay.drop(
        url("not-a-router", "search"), "eve@example.org", json.dumps(good).encode()
    )
    async with client_for(relay) as client:
        assert (await client.send(target, {"query": "satellite"})).status_code == 200
    await bridge_of(routers.space).rescan()
    async with client_for(relay) as client:
        assert (await client.send(target, {"query": "satellite"})).status_code == 200
    assert not (outside / "x.response").exists()
    assert not loose.with_suffix(".response").exists()
    assert not other_app.with_suffix(".response").exists()


async def test_publishing_writes_metadata_and_unpublishing_removes_it(
    routers: Published, relay: RelayDouble, datasites: Path
) -> None:
    metadata = datasites / OWNER / "public" / "routers" / "space-news" / "metadata.json"
    written = json.loads(metadata.read_text())
    assert written["project_name"] == "space-news"
    assert written["author"] == OWNER
    assert {s["type"]: s["enabled"] for s in written["services"]} == {"chat": False, "search": True}
    assert all(s["charge_type"] == "per_request" for s in written["services"])
    unrelated = datasites / OWNER / "public" / "routers" / "someone-elses"
    unrelated.mkdir()
    (unrelated / "metadata.json").write_text("{}")
    await routers.space.client.patch("/api/v1/endpoints/space-news", json={"published": False})
    await wait_until(lambda: not metadata.exists())
    assert (unrelated / "metadata.json").exists()
    async with client_for(relay) as client:
        with pytest.raises(RouterError) as info:
            await client.send(url("space-news", "info"))
    assert info.value.status == 404


async def test_status_through_the_api(routers: Published, relay: RelayDouble) -> None:
    relay.drop(url("space-news", "search"), "eve@example.org", b"{broken")
    await wait_until(lambda: bridge_of(routers.space).last_error is not None)
    response = await routers.space.client.get("/api/v1/relay/status")
    assert response.status_code == 200
    status = response.json()
    assert status["enabled"] is True
    assert status["running"] is True
    assert status["owner"] == OWNER
    assert status["routers"] == ["space-news"]
    assert status["requests_handled"] == 1
    assert "not a SyftBox request" in status["last_error"]
    async with routers.space.anonymous() as anonymous:
        assert (await anonymous.get("/api/v1/relay/status")).status_code == 401
