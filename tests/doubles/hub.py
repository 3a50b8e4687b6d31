"""A SyftHub double that follows shared/design/syfthub-interop.md over real HTTP.

It signs satellite tokens with its own RSA key (RS256, ``kid``), serves the JWKS at the root,
logs users in with form-encoded credentials or personal access tokens, and answers ``/verify``
only for the audience account, with HTTP 200 and ``valid: false`` for bad tokens. It keeps each
account's endpoint listings as the real hub does: create (400 on a taken slug), patch and delete
by slug, exists, sync (replaces the whole set), and health reports. Bodies are validated like the
hub's (unknown keys in policies or connections are refused with 422). Counters and the request
log let tests assert how the Space called it; ``down``, ``slow_seconds``, ``html`` and
``busy_health`` make it misbehave.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import secrets
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any, Literal

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from tests.doubles.server import serving

GUEST_EMAIL = "guest@syfthub.org"
RESERVED = {"api", "auth", "docs", "health", "admin"}
SLUG = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?$")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class HubPolicy(Strict):
    type: str
    version: str
    enabled: bool
    description: str
    config: dict[str, Any]


class HubConnection(Strict):
    type: str
    enabled: bool
    description: str
    config: dict[str, Any]


class HubListing(Strict):
    name: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    slug: Annotated[str, StringConstraints(min_length=3, max_length=63)]
    description: Annotated[str, StringConstraints(max_length=500)] = ""
    type: Literal["data_source", "model", "model_data_source"]
    visibility: Literal["public", "private", "internal"] = "public"
    version: Annotated[str, StringConstraints(pattern=r"^\d+\.\d+\.\d+$")] = "0.1.0"
    readme: Annotated[str, StringConstraints(max_length=50_000)] = ""
    tags: list[str] = Field(default_factory=list, max_length=10)
    policies: list[HubPolicy] = Field(default_factory=list)
    connect: list[HubConnection] = Field(default_factory=list)


class HubListingPatch(Strict):
    name: Annotated[str, StringConstraints(min_length=1, max_length=100)] | None = None
    slug: str | None = None
    description: Annotated[str, StringConstraints(max_length=500)] | None = None
    type: Literal["data_source", "model", "model_data_source"] | None = None
    visibility: Literal["public", "private", "internal"] | None = None
    version: str | None = None
    readme: Annotated[str, StringConstraints(max_length=50_000)] | None = None
    tags: list[str] | None = Field(default=None, max_length=10)
    policies: list[HubPolicy] | None = None
    connect: list[HubConnection] | None = None


class HubSync(Strict):
    endpoints: list[HubListing] = Field(max_length=100)


class HealthEntry(Strict):
    slug: str
    status: Literal["healthy", "unhealthy"]
    checked_at: datetime


class HealthReport(Strict):
    endpoints: list[HealthEntry]
    ttl_seconds: int = Field(ge=1)
    url: Annotated[str, StringConstraints(pattern=r"^https?://")] | None = None


def invalid(error: ValidationError) -> JSONResponse:
    detail = [
        {"loc": ["body", *item["loc"]], "msg": item["msg"], "type": item["type"]}
        for item in error.errors()
    ]
    return JSONResponse({"detail": detail}, status_code=422)


@dataclass
class HubUser:
    id: int
    username: str
    email: str
    password: str
    pat: str


@dataclass
class HubDouble:
    base_url: str = ""
    kid: str = "hub-key-1"
    users: dict[str, HubUser] = field(default_factory=dict)
    calls: dict[str, int] = field(default_factory=dict)
    down: bool = False
    """When set, every route but the JWKS answers 503, as a hub in trouble would."""
    slow_seconds: float = 0.0
    """Delay before every answer, to make the Space's client time out."""
    html: bool = False
    """Answer every API route with a web page, as a wrong URL (the hub's site) would."""
    busy_health: int = 0
    """Answer this many health reports with 429 and Retry-After."""
    retry_after: int = 1

    def __post_init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.access_tokens: dict[str, str] = {}
        self.listings: dict[str, dict[str, dict[str, Any]]] = {}
        """Username -> slug -> listing."""
        self.domains: dict[str, str] = {}
        self.health: dict[str, dict[str, str]] = {}
        """Username -> slug -> last reported status."""
        self.log: list[tuple[float, str, str, Any]] = []
        """(monotonic time, method, path, JSON body) of every endpoint-management call."""

    @property
    def issuer(self) -> str:
        return self.base_url

    def add_user(self, username: str, email: str) -> HubUser:
        user = HubUser(
            id=len(self.users) + 1,
            username=username,
            email=email,
            password=f"pw-{username}",
            pat=f"syft_pat_{secrets.token_hex(8)}",
        )
        self.users[username] = user
        return user

    def expire_tokens(self) -> None:
        """Forget every login token, as when they reach their 30 minutes."""
        self.access_tokens.clear()

    def bodies(self, method: str, path: str) -> list[Any]:
        return [body for _, m, p, body in self.log if (m, p) == (method, path)]

    def rotate_key(self, kid: str) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = kid

    def satellite_token(
        self,
        caller: HubUser | None,
        audience: str,
        *,
        ttl: int = 60,
        extra: dict[str, Any] | None = None,
        key: Any = None,
        issuer: str | None = None,
    ) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "sub": str(caller.id) if caller else "guest",
            "iss": issuer or self.issuer,
            "aud": audience,
            "iat": now,
            "exp": now + ttl,
            "role": "user" if caller else "guest",
        }
        claims.update(extra or {})
        return jwt.encode(claims, key or self.key, algorithm="RS256", headers={"kid": self.kid})

    def _count(self, name: str) -> None:
        self.calls[name] = self.calls.get(name, 0) + 1

    def _caller(self, request: Request) -> HubUser | None:
        header = request.headers.get("authorization", "")
        token = header.removeprefix("Bearer ").strip()
        for user in self.users.values():
            if token == user.pat:
                return user
        username = self.access_tokens.get(token)
        return self.users.get(username) if username else None

    async def jwks(self, request: Request) -> Response:
        self._count("jwks")
        public = RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
        public.update({"kid": self.kid, "alg": "RS256", "use": "sig"})
        return JSONResponse({"keys": [public]})

    async def login(self, request: Request) -> Response:
        self._count("login")
        if self.down:
            return JSONResponse({"detail": "Service unavailable"}, status_code=503)
        form = await request.form()
        user = next(
            (
                u
                for u in self.users.values()
                if form.get("username") in (u.username, u.email)
                and form.get("password") == u.password
            ),
            None,
        )
        if user is None:
            return JSONResponse({"detail": "Incorrect username or password"}, status_code=401)
        token = uuid.uuid4().hex
        self.access_tokens[token] = user.username
        return JSONResponse(
            {
                "user": {"id": user.id, "username": user.username, "email": user.email},
                "access_token": token,
                "refresh_token": uuid.uuid4().hex,
                "token_type": "bearer",
            }
        )

    async def me(self, request: Request) -> Response:
        self._count("me")
        if self.html:
            return HTMLResponse("<html><body>SyftHub</body></html>")
        if self.down:
            return JSONResponse({"detail": "Service unavailable"}, status_code=503)
        user = self._caller(request)
        if user is None:
            return JSONResponse({"detail": "Not authenticated"}, status_code=401)
        return JSONResponse({"id": user.id, "username": user.username, "email": user.email})

    async def verify(self, request: Request) -> Response:
        self._count("verify")
        if self.down:
            return JSONResponse({"detail": "Service unavailable"}, status_code=503)
        audience = self._caller(request)
        if audience is None:
            return JSONResponse({"detail": "Not authenticated"}, status_code=401)
        token = (await request.json()).get("token", "")
        try:
            claims = jwt.decode(
                token,
                self.key.public_key(),
                algorithms=["RS256"],
                audience=audience.username,
                issuer=self.issuer,
            )
        except jwt.PyJWTError as exc:
            return JSONResponse({"valid": False, "error": "invalid_token", "message": str(exc)})
        if claims["sub"] == "guest":
            email, username = GUEST_EMAIL, "guest"
        else:
            user = next(u for u in self.users.values() if str(u.id) == claims["sub"])
            email, username = user.email, user.username
        return JSONResponse(
            {
                "valid": True,
                "sub": claims["sub"],
                "email": email,
                "username": username,
                "role": claims["role"],
                "aud": claims["aud"],
                "exp": claims["exp"],
                "iat": claims["iat"],
            }
        )

    async def _managing(self, request: Request, name: str) -> tuple[HubUser | Response, Any]:
        """The common start of every listing route: count, log, misbehave, authenticate."""
        self._count(name)
        body = await request.json() if request.method in ("POST", "PATCH") else None
        self.log.append((time.monotonic(), request.method, request.url.path, body))
        if self.slow_seconds:
            await asyncio.sleep(self.slow_seconds)
        if self.html:
            return HTMLResponse("<html><body>SyftHub</body></html>"), body
        if self.down:
            return JSONResponse({"detail": "Service unavailable"}, status_code=503), body
        user = self._caller(request)
        if user is None:
            return JSONResponse({"detail": "Not authenticated"}, status_code=401), body
        return user, body

    @staticmethod
    def _slug_problem(slug: str) -> str | None:
        if not SLUG.match(slug) or "--" in slug:
            return "Slug must be lowercase letters, digits and single hyphens"
        if slug in RESERVED:
            return f"Slug '{slug}' is reserved"
        return None

    async def create_endpoint(self, request: Request) -> Response:
        user, body = await self._managing(request, "create")
        if isinstance(user, Response):
            return user
        try:
            listing = HubListing.model_validate(body)
        except ValidationError as exc:
            return invalid(exc)
        problem = self._slug_problem(listing.slug)
        if problem:
            return JSONResponse({"detail": problem}, status_code=422)
        mine = self.listings.setdefault(user.username, {})
        if listing.slug in mine:
            return JSONResponse(
                {"detail": f"Endpoint with slug '{listing.slug}' already exists"}, status_code=400
            )
        mine[listing.slug] = listing.model_dump()
        return JSONResponse({"id": len(mine), **mine[listing.slug]}, status_code=201)

    async def update_endpoint(self, request: Request) -> Response:
        user, body = await self._managing(request, "update")
        if isinstance(user, Response):
            return user
        slug = request.path_params["slug"]
        mine = self.listings.setdefault(user.username, {})
        if slug not in mine:
            return JSONResponse({"detail": "Endpoint not found"}, status_code=404)
        try:
            patch = HubListingPatch.model_validate(body)
        except ValidationError as exc:
            return invalid(exc)
        mine[slug].update(patch.model_dump(exclude_unset=True))
        return JSONResponse(mine[slug])

    async def delete_endpoint(self, request: Request) -> Response:
        user, _ = await self._managing(request, "delete")
        if isinstance(user, Response):
            return user
        if self.listings.get(user.username, {}).pop(request.path_params["slug"], None) is None:
            return JSONResponse({"detail": "Endpoint not found"}, status_code=404)
        return Response(status_code=204)

    async def endpoint_exists(self, request: Request) -> Response:
        user, _ = await self._managing(request, "exists")
        if isinstance(user, Response):
            return user
        return JSONResponse(request.path_params["slug"] in self.listings.get(user.username, {}))

    async def sync_endpoints(self, request: Request) -> Response:
        user, body = await self._managing(request, "sync")
        if isinstance(user, Response):
            return user
        try:
            sync = HubSync.model_validate(body)
        except ValidationError as exc:
            return invalid(exc)
        self.listings[user.username] = {item.slug: item.model_dump() for item in sync.endpoints}
        return JSONResponse({"synced": len(sync.endpoints), "deleted": 0, "created": 0})

    async def report_health(self, request: Request) -> Response:
        user, body = await self._managing(request, "health")
        if isinstance(user, Response):
            return user
        if self.busy_health > 0:
            self.busy_health -= 1
            return JSONResponse(
                {"detail": "Too many requests"},
                status_code=429,
                headers={"Retry-After": str(self.retry_after)},
            )
        try:
            report = HealthReport.model_validate(body)
        except ValidationError as exc:
            return invalid(exc)
        if report.url:
            self.domains[user.username] = report.url
        mine = self.listings.get(user.username, {})
        known = {e.slug: e.status for e in report.endpoints if e.slug in mine}
        self.health.setdefault(user.username, {}).update(known)
        return JSONResponse({"updated": len(known), "ignored": len(report.endpoints) - len(known)})

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/.well-known/jwks.json", self.jwks),
                Route("/api/v1/auth/login", self.login, methods=["POST"]),
                Route("/api/v1/users/me", self.me),
                Route("/api/v1/verify", self.verify, methods=["POST"]),
                Route("/api/v1/endpoints", self.create_endpoint, methods=["POST"]),
                Route("/api/v1/endpoints/sync", self.sync_endpoints, methods=["POST"]),
                Route("/api/v1/endpoints/health", self.report_health, methods=["POST"]),
                Route("/api/v1/endpoints/{slug}/exists", self.endpoint_exists),
                Route(
                    "/api/v1/endpoints/slug/{slug}",
                    self.update_endpoint,
                    methods=["PATCH"],
                ),
                Route(
                    "/api/v1/endpoints/slug/{slug}",
                    self.delete_endpoint,
                    methods=["DELETE"],
                ),
            ]
        )


@contextlib.contextmanager
def running_hub() -> Iterator[HubDouble]:
    """A hub double served over HTTP, with the accounts alice (the Space's owner), bob and
    carol."""
    double = HubDouble()
    double.add_user("alice", "alice@example.org")
    double.add_user("bob", "bob@example.org")
    double.add_user("carol", "carol@example.org")
    with serving(double.app()) as url:
        double.base_url = url
        yield double
