"""How an endpoint talks to its model: the owner's system prompt, then the retrieved sources as
a numbered context message (so an answer can cite "[2]"), then the caller's conversation."""

from __future__ import annotations

from typing import Any

from syft_space.endpoints.query_schemas import QueryRequest
from syft_space.models.chat import ChatMessage, ChatParams

DEFAULT_SYSTEM_PROMPT = (
    "You are a helpful assistant answering questions for the owner of this knowledge base. "
    "When sources are provided, base your answer on them and cite them by their numbers, like "
    "[1]. If the sources do not contain the answer, say so, then answer from general knowledge "
    "if you can."
)


def source_label(number: int, document: dict[str, Any]) -> str:
    metadata = document.get("metadata") or {}
    label = f"[{number}] {metadata.get('title') or metadata.get('file_name') or 'source'}"
    if metadata.get("page_numbers"):
        label += f", page {metadata['page_numbers']}"
    if metadata.get("section"):
        label += f", section {metadata['section']}"
    return label


def context_message(documents: list[dict[str, Any]]) -> ChatMessage:
    blocks = [
        f"{source_label(number, document)}\n{document['content']}"
        for number, document in enumerate(documents, start=1)
    ]
    return ChatMessage(
        role="system",
        content="Sources for the user's question, numbered for citation:\n\n" + "\n\n".join(blocks),
    )


def build_messages(
    system_prompt: str, request: QueryRequest, documents: list[dict[str, Any]] | None
) -> list[ChatMessage]:
    messages = [ChatMessage(role="system", content=system_prompt or DEFAULT_SYSTEM_PROMPT)]
    if documents:
        messages.append(context_message(documents))
    messages.extend(ChatMessage(role=m.role, content=m.content) for m in request.conversation())
    return messages


def chat_params(request: QueryRequest) -> ChatParams:
    return ChatParams(
        temperature=request.temperature,
        max_tokens=request.max_tokens,
        stop_sequences=request.stop_sequences or None,
        presence_penalty=request.presence_penalty,
        frequency_penalty=request.frequency_penalty,
        top_p=request.top_p,
        extras=request.extras,
    )
