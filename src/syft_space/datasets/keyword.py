"""Keyword (BM25-style) search over chunk text, in whichever database the Space uses.

SQLite: an FTS5 index kept in step with the ``chunks`` table by triggers, ranked by ``bm25()``.
PostgreSQL: a GIN index on ``to_tsvector('english', text)``, ranked by ``ts_rank_cd``.

A question is turned into an OR of its words, so a chunk need not contain every word of a
natural-language question to be found; ranking rewards the ones that contain more, and rarer,
words. Raw ranks are squashed into 0..1 as ``r / (1 + r)`` so they read like the other scores.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Uuid, bindparam, text
from sqlalchemy.ext.asyncio import AsyncSession

_WORD = re.compile(r"\w+", re.UNICODE)
MAX_TERMS = 32


@dataclass(frozen=True)
class KeywordHit:
    chunk_id: int
    score: float


def query_terms(query: str) -> list[str]:
    seen: dict[str, None] = {}
    for word in _WORD.findall(query.lower()):
        if len(word) > 1 or word.isdigit():
            seen.setdefault(word, None)
    return list(seen)[:MAX_TERMS]


def squash(rank: float) -> float:
    magnitude = abs(rank)
    return magnitude / (1.0 + magnitude)


async def keyword_search(
    session: AsyncSession,
    dataset_id: uuid.UUID,
    query: str,
    k: int,
    *,
    restrict_to: Sequence[uuid.UUID] | None = None,
) -> list[KeywordHit]:
    """Best ``k`` chunks of the dataset for the question's words, optionally only within the
    given documents."""
    terms = query_terms(query)
    if not terms or (restrict_to is not None and not restrict_to):
        return []
    restriction = "" if restrict_to is None else " AND c.document_id IN :documents"
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    if dialect == "sqlite":
        match = " OR ".join(f'"{term}"' for term in terms)
        # Only fixed SQL fragments are interpolated; every value is a bound parameter.
        sql = (
            "SELECT c.id, bm25(chunks_fts) AS rank FROM chunks_fts "  # noqa: S608
            "JOIN chunks c ON c.id = chunks_fts.rowid "
            f"WHERE chunks_fts MATCH :match AND c.dataset_id = :dataset{restriction} "
            "ORDER BY rank LIMIT :k"
        )
    else:
        match = " | ".join(terms)
        sql = (
            "SELECT c.id, ts_rank_cd(to_tsvector('english', c.text), q) * 10 AS rank "  # noqa: S608
            "FROM chunks c, to_tsquery('english', :match) q "
            f"WHERE to_tsvector('english', c.text) @@ q AND c.dataset_id = :dataset{restriction} "
            "ORDER BY rank DESC LIMIT :k"
        )
    binds = [bindparam("dataset", type_=Uuid())]
    params: dict[str, object] = {"dataset": dataset_id, "match": match, "k": k}
    if restrict_to is not None:
        binds.append(bindparam("documents", expanding=True, type_=Uuid()))
        params["documents"] = list(restrict_to)
    rows = await session.execute(text(sql).bindparams(*binds), params)
    return [KeywordHit(int(chunk_id), squash(float(rank))) for chunk_id, rank in rows]
