"""A SyftHub double that follows shared/design/syfthub-interop.md over real HTTP.

It signs satellite tokens with its own RSA key (RS256, ``kid``), serves the JWKS at the root,
logs users in with form-encoded credentials or personal access tokens, and answers ``/verify``
only for the audience account, with HTTP 200 and ``valid: false`` for bad tokens. Counters let
tests assert how often the Space called it.
"""

from __future__ import annotations

import secrets
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

GUEST_EMAIL = "guest@syfthub.org"


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

    def __post_init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.access_tokens: dict[str, str] = {}

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

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/.well-known/jwks.json", self.jwks),
                Route("/api/v1/auth/login", self.login, methods=["POST"]),
                Route("/api/v1/users/me", self.me),
                Route("/api/v1/verify", self.verify, methods=["POST"]),
            ]
        )
