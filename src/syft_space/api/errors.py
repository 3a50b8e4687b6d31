"""The one place where errors become HTTP responses.

Every error body is ``{"detail": ...}``: a sentence for most errors, and FastAPI's list of
``{loc, msg, type}`` for validation errors (spec 001). A body that is not JSON at all is a 400,
not a 422, because there is no field to point at. Unexpected exceptions are answered by the
request middleware (``syft_space.api.middleware``), which knows the request id.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException

from syft_space.core.errors import InvalidInputError, SyftSpaceError
from syft_space.core.log import get_logger

log = get_logger(__name__)


def error_response(
    status_code: int, detail: Any, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=status_code, headers=headers)


def _clean_validation_errors(errors: Any) -> list[dict[str, Any]]:
    cleaned = []
    for error in errors:
        item = {
            "loc": list(error.get("loc", ())),
            "msg": error.get("msg", ""),
            "type": error["type"],
        }
        ctx = error.get("ctx")
        if ctx:
            item["ctx"] = {
                k: v if isinstance(v, str | int | float) else str(v) for k, v in ctx.items()
            }
        cleaned.append(item)
    return cleaned


async def _domain_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, SyftSpaceError)
    if isinstance(exc, InvalidInputError):
        return error_response(422, [e.as_dict() for e in exc.errors], exc.headers)
    if exc.status_code >= 500:
        log.error("domain_error", status=exc.status_code, detail=exc.detail)
    return JSONResponse(
        {"detail": exc.detail, **exc.extra}, status_code=exc.status_code, headers=exc.headers
    )


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    for error in errors:
        if error.get("type") == "json_invalid":
            reason = (error.get("ctx") or {}).get("error", "malformed JSON")
            return error_response(400, f"The request body is not valid JSON ({reason}).")
    return error_response(422, _clean_validation_errors(errors))


async def _integrity_error(_request: Request, exc: Exception) -> JSONResponse:
    # Services check names and slugs first; this catches the race where two requests pass
    # that check together and the database's unique constraint decides.
    log.info("integrity_conflict", error=str(getattr(exc, "orig", exc)))
    return error_response(
        409,
        "The change conflicts with an existing resource (a name or slug already in use). "
        "Reload and try again.",
    )


async def http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    detail: Any = exc.detail
    if exc.status_code == 404 and detail == "Not Found":
        detail = f"No route matches {request.method} {request.url.path}. See /docs for the API."
    elif exc.status_code == 405:
        detail = f"{request.method} is not allowed on {request.url.path}. See /docs for the API."
    return error_response(exc.status_code, detail, dict(exc.headers or {}))


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(SyftSpaceError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(IntegrityError, _integrity_error)
