"""Structured logs: JSON when stderr is not a terminal, readable lines when it is.

Every record passes through ``scrub_secrets`` last before rendering, so an owner key, a bearer
token or a field named like a credential never reaches the output, whichever code logged it.
The request id and tenant are bound per request with contextvars and appear on every line.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import MutableMapping
from typing import Any

import structlog

_SECRET_KEY_NAMES = re.compile(
    r"(authorization|token|api[_-]?key|password|secret|credential)", re.IGNORECASE
)
_SECRET_VALUES = re.compile(
    r"(syft_sk_[A-Za-z0-9_\-]+|syft_pat_[A-Za-z0-9_\-]+|Bearer\s+[A-Za-z0-9._~+/=\-]+"
    r"|eyJ[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]*)"
)
MASK = "********"


def scrub_text(text: str) -> str:
    return _SECRET_VALUES.sub(MASK, text)


def _scrub(value: Any) -> Any:
    if isinstance(value, str):
        return scrub_text(value)
    if isinstance(value, dict):
        return {
            k: (MASK if v and _SECRET_KEY_NAMES.search(str(k)) else _scrub(v))
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [_scrub(v) for v in value]
    return value


def scrub_secrets(
    _logger: Any, _method: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    for key in list(event_dict):
        value = event_dict[key]
        if (
            key not in ("event", "level", "timestamp", "logger")
            and value
            and (_SECRET_KEY_NAMES.search(key))
        ):
            event_dict[key] = MASK
        else:
            event_dict[key] = _scrub(value)
    return event_dict


def configure_logging(level: str = "info", fmt: str = "auto") -> None:
    use_json = fmt == "json" or (fmt == "auto" and not sys.stderr.isatty())
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.format_exc_info,
        scrub_secrets,
    ]
    renderer: Any = (
        structlog.processors.JSONRenderer()
        if use_json
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=False,
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=shared,
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
        )
    )
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers = []
        logging.getLogger(name).propagate = True
    # Requests are logged once, by our own middleware, with the request id.
    logging.getLogger("uvicorn.access").disabled = True


def get_logger(name: str) -> Any:
    return structlog.stdlib.get_logger(name)
