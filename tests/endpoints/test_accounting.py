"""Paying for queries: prepaid credits, transaction tokens, refunds, and the ledger."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.api.helpers import create_endpoint
from tests.endpoints.conftest import Published
from tests.models.doubles import ProviderDouble, json_reply

pytestmark = pytest.mark.anyio
ISSUER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
ISSUER_PEM = (
    ISSUER_KEY.public_key()
    .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    .decode()
)


def transaction_token(
    sender: str, amount: float, token_id: str, *, kid: str | None = None, **extra: Any
) -> str:
    claims = {
        "senderEmail": sender,
        "amount": amount,
        "jti": token_id,
        "exp": int(time.time()) + 300,
        **extra,
    }
    headers = {"kid": kid} if kid else None
    return jwt.encode(claims, ISSUER_KEY, algorithm="RS256", headers=headers)


async def grant(published: Published, email: str, amount: float) -> Any:
    response = await published.space.client.post(
        "/api/v1/credits", json={"email": email, "amount": amount}
    )
    assert response.status_code == 200, response.text
    return response.json()


async def balance(published: Published, email: str) -> float:
    balances = (await published.space.client.get(f"/api/v1/credits?email={email}")).json()
    return float(balances[0]["balance"]) if balances else 0.0


async def test_credits_pay_for_queries_and_the_rest_is_given_back(published: Published) -> None:
    await published.add_policy(
        "accounting", {"price_per_request": 0.01, "price_per_document": 0.001}
    )
    await grant(published, "bob@example.org", 0.05)
    response = await published.query(
        published.token_for("bob"),
        {"messages": "satellite crash", "limit": 5, "similarity_threshold": 0},
    )
    assert response.status_code == 200, response.text
    result = response.json()
    documents = len(result["references"]["documents"])
    expected = round(0.01 + 0.001 * documents, 6)
    assert result["cost"] == pytest.approx(expected)
    (entry,) = result["policy_metadata"]["entries"]
    assert (entry["status"], entry["currency"]) == ("charged", "USD")
    assert entry["amount"] == pytest.approx(expected)
    assert await balance(published, "bob@example.org") == pytest.approx(0.05 - expected)

    ledger = (await published.space.client.get("/api/v1/ledger?email=bob@example.org")).json()
    kinds = sorted((e["kind"], round(e["amount"], 6)) for e in ledger["items"])
    assert kinds == sorted(
        [
            ("grant", 0.05),
            ("reserve", 0.015),
            ("charge", expected),
            ("refund", round(0.015 - expected, 6)),
        ]
    )
    summary = (await published.space.client.get("/api/v1/analytics/summary")).json()
    assert summary["total_cost"] == pytest.approx(expected)


async def test_without_enough_credit_the_answer_is_402(published: Published) -> None:
    await published.add_policy("accounting", {"price_per_request": 0.5})
    await grant(published, "carol@example.org", 0.1)
    response = await published.query(published.token_for("carol"))
    assert response.status_code == 402
    assert "does not cover this query" in response.json()["detail"]
    challenge = response.headers["www-authenticate"]
    assert challenge.startswith("Payment ")
    assert 'amount="0.500000"' in challenge
    assert 'currency="USD"' in challenge
    assert response.json()["policy_metadata"]["outcome"] == "payment_required"
    assert await balance(published, "carol@example.org") == pytest.approx(0.1)


async def test_free_accounting_is_marked_free(published: Published) -> None:
    await published.add_policy("accounting", {})
    response = await published.query(published.token_for("bob"))
    assert response.status_code == 200
    assert response.json()["policy_metadata"]["entries"][0]["status"] == "free"
    assert response.json()["cost"] == 0


@pytest.fixture
def provider() -> Iterator[ProviderDouble]:
    double = ProviderDouble().start()
    yield double
    double.stop()


async def test_a_model_failure_after_the_reservation_refunds_it(
    published: Published, provider: ProviderDouble
) -> None:
    client = published.space.client
    await client.post(
        "/api/v1/models/",
        json={
            "name": "gpt",
            "mtype": "openai",
            "configuration": {"base_url": provider.base_url, "api_key": "k", "model": "m"},
        },
    )
    await create_endpoint(client, "paid-chat", dataset=None, model="gpt", response_type="summary")
    await client.patch("/api/v1/endpoints/paid-chat", json={"published": True})
    await client.post(
        "/api/v1/policies/",
        json={
            "name": "price",
            "policy_type": "accounting",
            "endpoint": "paid-chat",
            "configuration": {"price_per_1k_tokens": 0.002},
        },
    )
    await grant(published, "bob@example.org", 1.0)
    provider.reply(json_reply({"error": {"message": "The model is unavailable."}}, status=404))
    response = await published.query(
        published.token_for("bob"), {"messages": "hi"}, slug="paid-chat"
    )
    assert response.status_code == 502
    assert await balance(published, "bob@example.org") == pytest.approx(1.0)
    ledger = (await client.get("/api/v1/ledger?email=bob@example.org")).json()["items"]
    reserved = next(e["amount"] for e in ledger if e["kind"] == "reserve")
    refunded = next(e["amount"] for e in ledger if e["kind"] == "refund")
    assert reserved == refunded > 0
    assert not [e for e in ledger if e["kind"] == "charge"]


async def test_transaction_tokens_pay_once(published: Published) -> None:
    await published.add_policy(
        "accounting",
        {
            "price_per_request": 0.02,
            "require_transaction_token": True,
            "transaction_token_public_key": ISSUER_PEM,
        },
    )
    bob = published.token_for("bob")

    missing = await published.query(bob)
    assert missing.status_code == 402
    assert "transaction token only" in missing.json()["detail"]
    assert 'methods="transaction_token"' in missing.headers["www-authenticate"]

    paid = transaction_token("bob@example.org", 0.05, "tx-1")
    first = await published.query(bob, {"messages": "satellite", "transaction_token": paid})
    assert first.status_code == 200, first.text
    assert first.json()["cost"] == pytest.approx(0.02)

    replay = await published.query(bob, {"messages": "satellite", "transaction_token": paid})
    assert replay.status_code == 402
    assert "already used" in replay.json()["detail"]

    theirs = transaction_token("carol@example.org", 0.05, "tx-2")
    stolen = await published.query(bob, {"messages": "satellite", "transaction_token": theirs})
    assert stolen.status_code == 402
    assert "issued to someone else" in stolen.json()["detail"]

    small = transaction_token("bob@example.org", 0.001, "tx-3")
    short = await published.query(bob, {"messages": "satellite", "transaction_token": small})
    assert short.status_code == 402
    assert "covers" in short.json()["detail"]

    forged_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = jwt.encode(
        {
            "senderEmail": "bob@example.org",
            "amount": 1,
            "jti": "tx-4",
            "exp": int(time.time()) + 60,
        },
        forged_key,
        algorithm="RS256",
    )
    bad = await published.query(bob, {"messages": "satellite", "transaction_token": forged})
    assert bad.status_code == 402
    assert "not valid" in bad.json()["detail"]


async def test_grants_are_validated(published: Published) -> None:
    client = published.space.client
    for body in (
        {"email": "nobody", "amount": 1},
        {"email": "a@b.c", "amount": 1, "currency": "dollars"},
    ):
        assert (await client.post("/api/v1/credits", json=body)).status_code == 422


async def test_transaction_tokens_can_be_checked_against_a_jwks(published: Published) -> None:
    from jwt.algorithms import RSAAlgorithm
    from starlette.applications import Starlette
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    from tests.doubles.server import serving

    public = RSAAlgorithm.to_jwk(ISSUER_KEY.public_key(), as_dict=True)
    public.update({"kid": "pay-1", "alg": "RS256"})

    async def jwks(request: Any) -> JSONResponse:
        return JSONResponse({"keys": [public]})

    app = Starlette(routes=[Route("/.well-known/jwks.json", jwks)])
    with serving(app) as url:
        await published.add_policy(
            "accounting",
            {
                "price_per_request": 0.03,
                "transaction_token_issuer": "https://pay.example",
                "transaction_token_jwks_url": f"{url}/.well-known/jwks.json",
            },
        )
        token = transaction_token(
            "bob@example.org", 0.1, "jwks-1", kid="pay-1", iss="https://pay.example"
        )
        paid = await published.query(
            published.token_for("bob"), {"messages": "satellite", "transaction_token": token}
        )
        assert paid.status_code == 200, paid.text
        assert paid.json()["cost"] == pytest.approx(0.03)
        wrong_issuer = transaction_token(
            "bob@example.org", 0.1, "jwks-2", kid="pay-1", iss="https://elsewhere.example"
        )
        refused = await published.query(
            published.token_for("bob"), {"messages": "satellite", "transaction_token": wrong_issuer}
        )
        assert refused.status_code == 402


async def test_policies_combine_in_order(published: Published) -> None:
    """Access first, then the rate limit, then payment: a refused caller is never counted or
    charged, and a rate-limited one is not charged."""
    await published.add_policy("access", {"deny": ["carol@example.org"]})
    await published.add_policy("rate_limit", {"limits": [{"rate": "1/m"}]})
    await published.add_policy("accounting", {"price_per_request": 0.01})
    await grant(published, "bob@example.org", 1.0)
    await grant(published, "carol@example.org", 1.0)

    denied = await published.query(published.token_for("carol"))
    assert denied.status_code == 403
    assert [e["policy_type"] for e in denied.json()["policy_metadata"]["entries"]] == ["access"]
    assert await balance(published, "carol@example.org") == pytest.approx(1.0)

    first = await published.query(published.token_for("bob"))
    assert first.status_code == 200
    statuses = [(e["policy_type"], e["status"]) for e in first.json()["policy_metadata"]["entries"]]
    assert statuses == [("access", "allowed"), ("rate_limit", "allowed"), ("accounting", "charged")]
    limited = await published.query(published.token_for("bob"))
    assert limited.status_code == 429
    assert await balance(published, "bob@example.org") == pytest.approx(0.99)
