"""An OpenAI-compatible embeddings API double: deterministic bag-of-words vectors.

Vectors hash each lower-cased word into one of ``dimension`` buckets, so texts that share words
are close: enough for search to find the right document, with no model at all.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

API_KEY = "sk-embed-good"


@dataclass
class EmbeddingsDouble:
    dimension: int = 64
    fail_next: list[int] = field(default_factory=list)
    """Statuses to answer with, one per request, before behaving normally."""
    requests: list[dict[str, Any]] = field(default_factory=list)

    def vector(self, text: str) -> list[float]:
        buckets = [0.0] * self.dimension
        for word in re.findall(r"\w+", text.lower()):
            digest = hashlib.sha256(word.encode()).digest()
            buckets[int.from_bytes(digest[:4], "big") % self.dimension] += 1.0
        return buckets

    async def embeddings(self, request: Request) -> Response:
        body = await request.json()
        self.requests.append({"headers": dict(request.headers), "body": body})
        if self.fail_next:
            status = self.fail_next.pop(0)
            return JSONResponse(
                {"error": {"message": f"Simulated failure {status}."}},
                status_code=status,
                headers={"Retry-After": "0"} if status == 429 else None,
            )
        if request.headers.get("authorization") != f"Bearer {API_KEY}":
            return JSONResponse(
                {"error": {"message": "Incorrect API key provided."}}, status_code=401
            )
        data = [
            {"object": "embedding", "index": i, "embedding": self.vector(text)}
            for i, text in enumerate(body["input"])
        ]
        return JSONResponse({"object": "list", "data": data, "model": body["model"]})

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/v1/embeddings", self.embeddings, methods=["POST"])])
