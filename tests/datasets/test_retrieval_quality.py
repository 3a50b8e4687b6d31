"""Retrieval quality with the real embedder: the right document in the top 5 for at least 90% of
questions with hybrid search. Keyword-only and vector-only figures are reported beside it."""

from __future__ import annotations

import pytest

from tests.api.helpers import create_dataset
from tests.conftest import Space
from tests.datasets.corpus import DOCUMENTS, QUESTIONS
from tests.datasets.helpers import search, upload, wait_for_jobs

pytestmark = pytest.mark.anyio


async def hit_rates(space: Space, search_type: str) -> tuple[float, float]:
    """The share of questions whose source document comes first, and within the top 5."""
    first = top5 = 0
    for question, expected in QUESTIONS:
        found = await search(
            space.client,
            "corpus",
            query=question,
            search_type=search_type,
            limit=5,
            similarity_threshold=0,
        )
        names = [d["metadata"]["file_name"] for d in found]
        first += names[:1] == [expected]
        top5 += expected in names
    return first / len(QUESTIONS), top5 / len(QUESTIONS)


async def test_hybrid_search_finds_the_answer_in_the_top_five(
    space: Space, capsys: pytest.CaptureFixture[str]
) -> None:
    await create_dataset(space.client, "corpus")
    names = list(DOCUMENTS)
    for start in range(0, len(names), 15):
        batch = names[start : start + 15]
        await upload(space.client, "corpus", {n: DOCUMENTS[n].encode() for n in batch})
    progress = await wait_for_jobs(space.client, "corpus")
    assert progress["files_done"] == len(DOCUMENTS)

    rates = {kind: await hit_rates(space, kind) for kind in ("hybrid", "vector", "keyword")}
    with capsys.disabled():
        print(
            f"\nretrieval over {len(QUESTIONS)} questions (hit@1 / hit@5): "
            + ", ".join(f"{kind} {one:.0%} / {five:.0%}" for kind, (one, five) in rates.items())
        )
    assert rates["hybrid"][1] >= 0.9
