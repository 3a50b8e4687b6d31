"""Who is asking: verifying SyftHub satellite tokens (shared/design/syfthub-interop.md §3).

A token is checked locally first, with no hub call: RS256 against the issuing hub's JWKS
(cached for an hour, fetched again once when a token names an unknown ``kid``), ``exp`` with a
small leeway, ``iss`` equal to a marketplace of the tenant, and ``aud`` equal to the owner's
username on that hub. Only then is the caller's email found: from an ``email`` claim when the
token carries one, else from the hub's ``/verify``, asked as the audience account. Answers are
cached until the token expires, and ``sub -> email`` for a day, so a short hub outage does not
stop service for callers seen before. Guest tokens map to the hub's guest identity.

Every refusal is a 401 that names the failed check and never repeats the token.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import jwt
from jwt import PyJWK

from syft_space.core.errors import AuthenticationError, ServiceUnavailableError
from syft_space.core.log import get_logger
from syft_space.marketplaces.hub import HubAccount, HubClients, HubUnreachableError

log = get_logger(__name__)

GUEST_EMAIL = "guest@syfthub.org"
LEEWAY_SECONDS = 30
JWKS_TTL_SECONDS = 3600
JWKS_REFETCH_SECONDS = 30
SUBJECT_TTL_SECONDS = 24 * 3600


@dataclass(frozen=True)
class Caller:
    email: str
    via: str
    """'satellite', 'guest', 'owner', or 'relay' (a SyftBox sender's claimed, unproven email)."""
    subject: str | None = None
    marketplace: str | None = None


def _fingerprint(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class SatelliteVerifier:
    def __init__(self, hubs: HubClients, clock: Callable[[], float] = time.time) -> None:
        self.hubs = hubs
        self.clock = clock
        self._keys: dict[str, tuple[float, dict[str, Any]]] = {}
        self._last_refetch: dict[str, float] = {}
        self._verified: dict[str, tuple[float, Caller]] = {}
        self._subjects: dict[tuple[str, str], tuple[float, str]] = {}

    async def verify(self, token: str, accounts: Sequence[HubAccount]) -> Caller:
        cached = self._verified.get(_fingerprint(token))
        if cached is not None and cached[0] > self.clock():
            return cached[1]
        try:
            header = jwt.get_unverified_header(token)
            unverified = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError:
            raise AuthenticationError(
                "The bearer token is not a valid satellite token (malformed JWT)."
            ) from None
        if header.get("alg") != "RS256":
            raise AuthenticationError("The satellite token must be signed with RS256.")
        issuer = unverified.get("iss")
        account = next(
            (a for a in accounts if a.issuer.rstrip("/") == str(issuer).rstrip("/")), None
        )
        if account is None:
            raise AuthenticationError(
                "The token was issued by a hub this Space is not connected to; ask for a token "
                "from one of its marketplaces."
            )
        if account.hub_username is None:
            raise AuthenticationError(
                f"The marketplace '{account.name}' has no owner username yet, so its tokens "
                "cannot be checked; the owner must test the marketplace connection."
            )
        key = await self._key(account, header.get("kid"))
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=["RS256"],
                audience=account.hub_username,
                issuer=account.issuer,
                leeway=LEEWAY_SECONDS,
                options={"require": ["exp", "sub", "aud", "iss"]},
            )
        except jwt.ExpiredSignatureError:
            raise AuthenticationError(
                "The satellite token has expired; get a new one from SyftHub."
            ) from None
        except jwt.InvalidAudienceError:
            raise AuthenticationError(
                "The satellite token was issued for another Space owner, not this one."
            ) from None
        except jwt.InvalidSignatureError:
            raise AuthenticationError("The satellite token's signature does not verify.") from None
        except jwt.PyJWTError as exc:
            raise AuthenticationError(f"The satellite token is not valid ({exc}).") from None
        caller = await self._caller(token, claims, account)
        self._verified[_fingerprint(token)] = (float(claims["exp"]), caller)
        return caller

    async def _key(self, account: HubAccount, kid: object) -> Any:
        keys = await self._jwks(account, force=False)
        if kid not in keys:
            last = self._last_refetch.get(account.url, 0.0)
            if self.clock() - last >= JWKS_REFETCH_SECONDS:
                self._last_refetch[account.url] = self.clock()
                keys = await self._jwks(account, force=True)
        if kid not in keys:
            raise AuthenticationError(
                "The satellite token was signed with a key its hub does not publish."
            )
        return keys[kid]

    async def _jwks(self, account: HubAccount, *, force: bool) -> dict[str, Any]:
        cached = self._keys.get(account.url)
        if cached is not None and not force and self.clock() - cached[0] < JWKS_TTL_SECONDS:
            return cached[1]
        try:
            document = await self.hubs.client(account).jwks()
        except HubUnreachableError:
            if cached is not None:
                return cached[1]
            raise
        keys = {}
        for entry in document.get("keys", []):
            if isinstance(entry, dict) and entry.get("kid"):
                try:
                    keys[entry["kid"]] = PyJWK(entry, algorithm="RS256").key
                except jwt.PyJWTError:
                    log.warning("jwks_key_skipped", kid=entry.get("kid"))
        self._keys[account.url] = (self.clock(), keys)
        return keys

    async def _caller(self, token: str, claims: dict[str, Any], account: HubAccount) -> Caller:
        subject = str(claims["sub"])
        if subject == "guest":
            return Caller(email=GUEST_EMAIL, via="guest", subject=subject, marketplace=account.name)
        if isinstance(claims.get("email"), str):
            return Caller(
                email=claims["email"], via="satellite", subject=subject, marketplace=account.name
            )
        remembered = self._subjects.get((account.url, subject))
        try:
            answer = await self.hubs.client(account).verify(token)
        except ServiceUnavailableError:
            if remembered is not None and remembered[0] > self.clock():
                log.warning("hub_verify_unavailable_using_cache", marketplace=account.name)
                return Caller(
                    email=remembered[1], via="satellite", subject=subject, marketplace=account.name
                )
            raise
        if not answer.get("valid") or not isinstance(answer.get("email"), str):
            reason = answer.get("message") or answer.get("error") or "no reason given"
            raise AuthenticationError(f"SyftHub did not accept the satellite token ({reason}).")
        email = str(answer["email"])
        self._subjects[(account.url, subject)] = (self.clock() + SUBJECT_TTL_SECONDS, email)
        return Caller(email=email, via="satellite", subject=subject, marketplace=account.name)
