"""An endpoint as a hub lists it: the publish body of the interop notes, checked against the
hub's limits before any call, so a refusal is explained here rather than by the hub."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from syft_space.core.configurable import ConfigCodec, StoredConfig
from syft_space.core.registry import TypeRegistry
from syft_space.endpoints.schemas import ResponseType
from syft_space.endpoints.tables import Endpoint
from syft_space.policies.tables import Policy
from syft_space.policies.types import PolicyType

HUB_TYPES = {
    ResponseType.RAW: "data_source",
    ResponseType.SUMMARY: "model",
    ResponseType.BOTH: "model_data_source",
}
HUB_DESCRIPTION_LIMIT = 500
HUB_README_LIMIT = 50_000
HUB_TAG_LIMIT = 10
# Words SyftHub keeps for its own pages and routes.
RESERVED_SLUGS = frozenset(
    {
        "api", "auth", "docs", "health", "admin", "login", "logout", "register", "signup",
        "settings", "static", "assets", "users", "user", "endpoints", "endpoint", "search",
        "token", "tokens", "verify", "explore", "dashboard", "about", "help", "www", "root",
        "system", "public", "private", "new", "edit", "delete", "chat", "organizations",
    }
)  # fmt: skip


def hub_description(endpoint: Endpoint) -> str:
    """The hub's short description: the summary, or the description when it is short."""
    return (endpoint.summary or endpoint.description).strip()


def listing_problems(endpoint: Endpoint) -> list[str]:
    """Why the hub would refuse this endpoint, as sentences; empty when it would not."""
    problems = []
    if endpoint.slug in RESERVED_SLUGS:
        problems.append(
            f"SyftHub reserves the slug '{endpoint.slug}' for its own pages; choose another slug."
        )
    short = hub_description(endpoint)
    if not short:
        problems.append(
            "The endpoint has no description: add a summary (up to 500 characters) saying what "
            "it answers, so people can find it."
        )
    elif len(short) > HUB_DESCRIPTION_LIMIT:
        problems.append(
            f"The description is {len(short)} characters and SyftHub shows at most "
            f"{HUB_DESCRIPTION_LIMIT} as the summary: add a summary of up to "
            f"{HUB_DESCRIPTION_LIMIT} characters."
        )
    if len(endpoint.description) > HUB_README_LIMIT:
        problems.append(
            f"The description is longer than SyftHub's {HUB_README_LIMIT} characters; shorten it."
        )
    if len(endpoint.tags) > HUB_TAG_LIMIT:
        problems.append(f"SyftHub takes at most {HUB_TAG_LIMIT} tags; remove some.")
    return problems


async def policy_terms(
    session: AsyncSession,
    endpoint_id: Any,
    registry: TypeRegistry[PolicyType],
    codec: ConfigCodec,
) -> list[dict[str, Any]]:
    rows = await session.scalars(
        select(Policy).where(Policy.endpoint_id == endpoint_id).order_by(Policy.name)
    )
    terms = []
    for row in rows:
        plugin = registry.get(row.policy_type)
        config = codec.load(plugin.config_model, StoredConfig(row.configuration, row.secrets))
        public = plugin.public_terms(config)
        terms.append(
            {
                "type": row.policy_type,
                "version": "1.0",
                "enabled": True,
                "description": public.description,
                "config": public.config,
            }
        )
    return terms


def build_listing(
    endpoint: Endpoint, policies: list[dict[str, Any]], revision: int
) -> dict[str, Any]:
    return {
        "name": endpoint.name,
        "slug": endpoint.slug,
        "description": hub_description(endpoint),
        "type": HUB_TYPES[ResponseType(endpoint.response_type)],
        "visibility": "public",
        "version": f"1.0.{revision}",
        "readme": endpoint.description or endpoint.summary,
        "tags": list(endpoint.tags),
        "policies": policies,
        # No url: the hub builds it from the owner's domain, which the heartbeat reports.
        "connect": [
            {
                "type": "https",
                "enabled": True,
                "description": "Query over HTTPS with a satellite token from this hub.",
                "config": {},
            }
        ],
    }


def listing_digest(listing: dict[str, Any]) -> str:
    """Identifies the listing's content, apart from its version, to tell a real change."""
    content = {key: value for key, value in listing.items() if key != "version"}
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()
