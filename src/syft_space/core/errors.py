"""Domain errors: what services raise instead of HTTP exceptions.

Each error carries the HTTP status it maps to and a sentence a person can act on; one handler in
``syft_space.api.errors`` renders every one of them as ``{"detail": ...}``. Services, the CLI and
the relay bridge share these, so none of them needs FastAPI.

    SyftSpaceError (500)
    ├── BadRequestError (400)
    ├── AuthenticationError (401)
    ├── PaymentRequiredError (402)
    ├── PermissionDeniedError (403)
    ├── NotFoundError (404)
    ├── ConflictError (409)
    ├── PayloadTooLargeError (413)
    ├── UnsupportedMediaTypeError (415)
    ├── InvalidInputError (422, field-level errors)
    ├── RateLimitedError (429, retry_after)
    ├── UpstreamError (502)
    ├── ServiceUnavailableError (503)
    └── UpstreamTimeoutError (504)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar


class SyftSpaceError(Exception):
    status_code: ClassVar[int] = 500

    def __init__(
        self,
        detail: str,
        *,
        headers: Mapping[str, str] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.headers: dict[str, str] = dict(headers or {})
        self.extra: dict[str, Any] = dict(extra or {})
        """Fields rendered beside ``detail`` in the error body."""


class BadRequestError(SyftSpaceError):
    status_code = 400


class AuthenticationError(SyftSpaceError):
    status_code = 401

    def __init__(self, detail: str) -> None:
        super().__init__(detail, headers={"WWW-Authenticate": "Bearer"})


class PaymentRequiredError(SyftSpaceError):
    status_code = 402


class PermissionDeniedError(SyftSpaceError):
    status_code = 403


class NotFoundError(SyftSpaceError):
    status_code = 404


class ConflictError(SyftSpaceError):
    status_code = 409


class PayloadTooLargeError(SyftSpaceError):
    status_code = 413


class UnsupportedMediaTypeError(SyftSpaceError):
    status_code = 415


@dataclass(frozen=True)
class FieldError:
    """One field-level problem, rendered in FastAPI's ``{loc, msg, type}`` shape."""

    loc: tuple[str | int, ...]
    msg: str
    type: str

    def as_dict(self) -> dict[str, Any]:
        return {"loc": list(self.loc), "msg": self.msg, "type": self.type}


class InvalidInputError(SyftSpaceError):
    """Input that parsed but breaks a rule; rendered as a 422 list of field errors."""

    status_code = 422

    def __init__(self, errors: Sequence[FieldError]) -> None:
        super().__init__("; ".join(f"{'.'.join(map(str, e.loc))}: {e.msg}" for e in errors))
        self.errors = list(errors)

    @classmethod
    def single(
        cls, loc: tuple[str | int, ...], msg: str, type_: str = "value_error"
    ) -> InvalidInputError:
        return cls([FieldError(loc=loc, msg=msg, type=type_)])


class RateLimitedError(SyftSpaceError):
    status_code = 429

    def __init__(self, retry_after: int, detail: str | None = None) -> None:
        retry_after = max(1, retry_after)
        super().__init__(
            detail or f"Rate limit exceeded. Retry after {retry_after} seconds.",
            headers={"Retry-After": str(retry_after)},
        )
        self.retry_after = retry_after


class UpstreamError(SyftSpaceError):
    status_code = 502


class ServiceUnavailableError(SyftSpaceError):
    status_code = 503


class UpstreamTimeoutError(SyftSpaceError):
    status_code = 504
