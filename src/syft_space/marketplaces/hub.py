"""A client for one SyftHub, acting as the Space owner's account on it.

It logs in with a personal access token (used as is) or with username and password (form login,
token kept and renewed by logging in again on a 401), and turns every failure into a domain
error with a sentence: unreachable or timing out (503), answering something that is not JSON or
refusing the credentials (502). Clients are long-lived, one per marketplace configuration, and
share one connection pool.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import httpx

from syft_space.core.errors import ServiceUnavailableError, UpstreamError
from syft_space.marketplaces.schemas import HubCredentials

API = "/api/v1"


class HubError(UpstreamError):
    """The hub answered, but not as it should."""


class HubUnreachableError(ServiceUnavailableError):
    """The hub could not be reached or did not answer in time."""


@dataclass(frozen=True)
class HubAccount:
    """What a request needs to know of one marketplace row, secrets decrypted."""

    marketplace_id: uuid.UUID
    name: str
    url: str
    issuer: str
    hub_username: str | None
    credentials: HubCredentials
    version: str
    """Changes whenever the row changes, so a stale client is replaced."""


class HubAuthError(HubError):
    """The hub refused the account's credentials."""


class HubBusyError(HubUnreachableError):
    """The hub asked us to slow down (429)."""

    def __init__(self, detail: str, retry_after: float | None) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


def readable(response: httpx.Response) -> str:
    if "html" in response.headers.get("content-type", ""):
        return "an HTML page, not the hub's API: check the marketplace URL"
    try:
        body = response.json()
    except ValueError:
        return response.text.strip()[:200] or "(empty body)"
    if isinstance(body, dict) and isinstance(body.get("detail"), list):
        # FastAPI validation errors: name each refused field.
        return "; ".join(
            f"{'.'.join(str(p) for p in item.get('loc', [])[1:])}: {item.get('msg')}"
            for item in body["detail"]
            if isinstance(item, dict)
        )
    if isinstance(body, dict):
        for key in ("detail", "message", "error"):
            if isinstance(body.get(key), str):
                return str(body[key])
    return str(body)[:200]


class HubClient:
    def __init__(self, http: httpx.AsyncClient, account: HubAccount) -> None:
        self.http = http
        self.account = account
        self._token: str | None = None

    async def _send(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        try:
            return await self.http.request(method, url, **kwargs)
        except httpx.TimeoutException:
            raise HubUnreachableError(
                f"SyftHub at {self.account.url} did not answer in time; try again shortly."
            ) from None
        except httpx.TransportError as exc:
            raise HubUnreachableError(
                f"SyftHub at {self.account.url} cannot be reached ({exc.__class__.__name__})."
            ) from None

    @staticmethod
    def _json(response: httpx.Response, what: str) -> Any:
        try:
            return response.json()
        except ValueError:
            raise HubError(
                f"SyftHub answered {what} with something that is not JSON: {readable(response)}."
            ) from None

    async def _login(self) -> str:
        credentials = self.account.credentials
        if credentials.access_token is not None:
            return credentials.access_token.get_secret_value()
        if credentials.username is None or credentials.password is None:
            raise HubAuthError(
                f"No credentials for marketplace '{self.account.name}': add a personal access "
                "token, or a username and password."
            )
        response = await self._send(
            "POST",
            f"{self.account.url}{API}/auth/login",
            data={
                "username": credentials.username,
                "password": credentials.password.get_secret_value(),
            },
        )
        if response.status_code >= 500:
            raise self.refused(response, "logging in")
        if response.status_code != 200:
            raise HubAuthError(
                f"SyftHub at {self.account.url} refused the login ({response.status_code}: "
                f"{readable(response)})."
            )
        token = self._json(response, "the login").get("access_token")
        if not isinstance(token, str):
            raise HubError("SyftHub's login answer carried no access token.")
        return token

    async def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """An authenticated call; a login token is renewed once on 401."""
        for attempt in range(2):
            if self._token is None:
                self._token = await self._login()
            response = await self._send(
                method,
                f"{self.account.url}{API}{path}",
                headers={"Authorization": f"Bearer {self._token}"},
                **kwargs,
            )
            if response.status_code != 401 or attempt == 1:
                return response
            self._token = None
        raise AssertionError("unreachable")  # pragma: no cover

    def refused(self, response: httpx.Response, what: str) -> HubError | HubUnreachableError:
        """The error for an unexpected answer: the hub's trouble (5xx, 429) is transient and
        retried; anything else is a refusal a person has to look at."""
        reason = f"{response.status_code}: {readable(response)}"
        if response.status_code == 429:
            retry_after = response.headers.get("retry-after", "")
            return HubBusyError(
                f"SyftHub at {self.account.url} asked to slow down while {what}.",
                float(retry_after) if retry_after.replace(".", "", 1).isdigit() else None,
            )
        if response.status_code >= 500:
            return HubUnreachableError(
                f"SyftHub at {self.account.url} failed while {what} ({reason}); it is retried."
            )
        if response.status_code in (401, 403):
            return HubAuthError(
                f"SyftHub refused the account's credentials while {what} ({reason}): check the "
                "marketplace's token or password."
            )
        return HubError(f"SyftHub refused {what} ({reason}).")

    async def create_endpoint(self, listing: dict[str, Any]) -> httpx.Response:
        """The raw answer: a 400 may mean the slug is taken, which the caller tells apart."""
        response = await self.request("POST", "/endpoints", json=listing)
        if response.status_code >= 500 or response.status_code == 429:
            raise self.refused(response, f"publishing '{listing['slug']}'")
        self._json(response, "the publish")
        return response

    async def update_endpoint(self, slug: str, listing: dict[str, Any]) -> bool:
        """False when the hub has no such listing (to create instead)."""
        response = await self.request("PATCH", f"/endpoints/slug/{slug}", json=listing)
        if response.status_code == 404:
            return False
        if response.status_code != 200:
            raise self.refused(response, f"updating '{slug}'")
        self._json(response, "the update")
        return True

    async def delete_endpoint(self, slug: str) -> bool:
        """False when there was nothing to delete."""
        response = await self.request("DELETE", f"/endpoints/slug/{slug}")
        if response.status_code == 404:
            return False
        if response.status_code not in (200, 204):
            raise self.refused(response, f"unpublishing '{slug}'")
        return True

    async def endpoint_exists(self, slug: str) -> bool:
        response = await self.request("GET", f"/endpoints/{slug}/exists")
        if response.status_code != 200:
            raise self.refused(response, f"checking whether '{slug}' is taken")
        body = self._json(response, "the slug check")
        if not isinstance(body, bool):
            raise HubError("SyftHub answered the slug check with something other than true/false.")
        return body

    async def sync_endpoints(self, listings: list[dict[str, Any]]) -> None:
        response = await self.request("POST", "/endpoints/sync", json={"endpoints": listings})
        if response.status_code != 200:
            raise self.refused(response, "syncing the endpoint list")
        self._json(response, "the sync")

    async def report_health(
        self, entries: list[dict[str, Any]], ttl_seconds: int, url: str | None
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"endpoints": entries, "ttl_seconds": ttl_seconds}
        if url is not None:
            body["url"] = url
        response = await self.request("POST", "/endpoints/health", json=body)
        if response.status_code != 200:
            raise self.refused(response, "reporting endpoint health")
        answer: dict[str, Any] = self._json(response, "the health report")
        return answer

    async def me(self) -> dict[str, Any]:
        response = await self.request("GET", "/users/me")
        if response.status_code != 200:
            raise self.refused(response, "reading the account")
        body: dict[str, Any] = self._json(response, "the account lookup")
        return body

    async def verify(self, token: str) -> dict[str, Any]:
        response = await self.request("POST", "/verify", json={"token": token})
        if response.status_code >= 500:
            raise HubUnreachableError(
                f"SyftHub at {self.account.url} could not verify the token "
                f"({response.status_code}); try again shortly."
            )
        if response.status_code != 200:
            raise HubError(
                f"SyftHub refused to verify tokens for this Space ({response.status_code}: "
                f"{readable(response)}); check the marketplace credentials."
            )
        body: dict[str, Any] = self._json(response, "the token check")
        return body

    async def jwks(self) -> dict[str, Any]:
        response = await self._send("GET", f"{self.account.url}/.well-known/jwks.json")
        if response.status_code != 200:
            raise HubUnreachableError(
                f"SyftHub at {self.account.url} did not serve its signing keys "
                f"({response.status_code})."
            )
        body: dict[str, Any] = self._json(response, "the signing keys")
        return body


class HubClients:
    """One client per marketplace configuration, sharing one connection pool."""

    def __init__(self, timeout_seconds: float) -> None:
        self.http = httpx.AsyncClient(timeout=timeout_seconds)
        self._clients: dict[uuid.UUID, HubClient] = {}

    def client(self, account: HubAccount) -> HubClient:
        existing = self._clients.get(account.marketplace_id)
        if existing is None or existing.account.version != account.version:
            existing = HubClient(self.http, account)
            self._clients[account.marketplace_id] = existing
        return existing

    async def close(self) -> None:
        await self.http.aclose()
