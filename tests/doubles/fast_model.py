"""An OpenAI-compatible chat double that answers at once, for benchmarks of the pipeline."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

ANSWER = {
    "id": "fast-1",
    "model": "fast",
    "choices": [
        {
            "index": 0,
            "finish_reason": "stop",
            "message": {"role": "assistant", "content": "A short answer [1]."},
        }
    ],
    "usage": {"prompt_tokens": 200, "completion_tokens": 6},
}


async def completions(request: Request) -> JSONResponse:
    await request.body()
    return JSONResponse(ANSWER)


def fast_model_app() -> Starlette:
    return Starlette(routes=[Route("/chat/completions", completions, methods=["POST"])])
