"""Token-window chunking measured in the embedder's own tokens.

Counting in the embedder's tokens (not characters or words) is what guarantees that no chunk is
silently truncated when it is embedded. Windows of ``size`` tokens overlap by ``overlap``; a
window ends early at a block boundary (a paragraph, a heading's section, a PDF page, a CSV row)
when one falls in its last quarter, so chunks tend to hold whole paragraphs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from syft_space.datasets.parsing import Block, ParsedDocument


class TokenOffsets(Protocol):
    def offsets(self, texts: Sequence[str]) -> list[list[tuple[int, int]]]:
        """For each text, the character span of each of its tokens (no special tokens)."""
        ...


@dataclass(frozen=True)
class ChunkDraft:
    index: int
    text: str
    token_count: int
    page_numbers: tuple[int, ...]
    headings: tuple[str, ...]
    rows: tuple[int, ...]


@dataclass(frozen=True)
class _Token:
    block: int
    start: int
    end: int
    opens_block: bool


def chunk_document(
    document: ParsedDocument, tokenizer: TokenOffsets, *, size: int, overlap: int
) -> list[ChunkDraft]:
    if not 0 <= overlap < size:
        raise ValueError("overlap must be at least 0 and smaller than size")
    blocks = [b for b in document.blocks if b.text.strip()]
    tokens: list[_Token] = []
    for block_index, spans in enumerate(tokenizer.offsets([b.text for b in blocks])):
        for position, (start, end) in enumerate(spans):
            tokens.append(_Token(block_index, start, end, position == 0))
    drafts: list[ChunkDraft] = []
    start = 0
    while start < len(tokens):
        end = min(start + size, len(tokens))
        if end < len(tokens):
            earliest = start + (size * 3) // 4
            for cut in range(end, earliest, -1):
                if tokens[cut].opens_block:
                    end = cut
                    break
        drafts.append(_draft(len(drafts), blocks, tokens[start:end]))
        if end >= len(tokens):
            break
        start = max(end - overlap, start + 1)
    return drafts


def _draft(index: int, blocks: Sequence[Block], window: Sequence[_Token]) -> ChunkDraft:
    pieces: list[str] = []
    covered: list[Block] = []
    first = 0
    while first < len(window):
        block_index = window[first].block
        last = first
        while last + 1 < len(window) and window[last + 1].block == block_index:
            last += 1
        block = blocks[block_index]
        pieces.append(block.text[window[first].start : window[last].end])
        covered.append(block)
        first = last + 1
    return ChunkDraft(
        index=index,
        text="\n\n".join(pieces),
        token_count=len(window),
        page_numbers=tuple(sorted({b.page for b in covered if b.page is not None})),
        headings=covered[0].headings,
        rows=tuple(b.row for b in covered if b.row is not None),
    )
