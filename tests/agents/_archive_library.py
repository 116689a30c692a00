"""A small Hebrew archive for the answering tests: a lexical fake of the library, no embedder, no model."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from sochen.agents.answering import Library, Reply
from sochen.config import TenantConfig
from sochen.rag.retriever import SearchHit
from sochen.text import stems, tokenize

CONFIG = TenantConfig.model_validate({"slug": "archive", "name": "משרד לדוגמה", "agent": {"answer_mode": "extractive"}})


def _forms(text: str) -> set[str]:
    return {f for t in tokenize(text) for f in (t, *stems(t))}


class FakeLibrary:
    """A lexical search over the given chunks that checks what it is asked."""

    def __init__(self, chunks: Sequence[tuple[str, str, str]]) -> None:
        self.hits = [
            SearchHit(text, 0.0, f"doc-{title[:8]}", f"{title}.md", title, section, None, f"c{i}")
            for i, (title, section, text) in enumerate(chunks)
        ]
        self.calls: list[str] = []
        self.df: dict[str, int] = {}
        for h in self.hits:
            for f in _forms(h.text):
                self.df[f] = self.df.get(f, 0) + 1

    def idf(self, term: str) -> float:
        n = self.df.get(term, 0)
        return math.log(1 + (len(self.hits) - n + 0.5) / (n + 0.5))

    def search(self, query: str, *, top_k: int, document_ids: Sequence[str] | None = None) -> list[SearchHit]:
        assert query.strip() and 1 <= top_k <= 50
        assert document_ids is None or set(document_ids) <= {h.document_id for h in self.hits}, document_ids
        self.calls.append(query)
        q = _forms(query)
        pool = [h for h in self.hits if document_ids is None or h.document_id in document_ids]
        return sorted(pool, key=lambda h: -sum(self.idf(f) for f in q & _forms(h.text)))[:top_k]

    def library(self) -> Library:
        return Library(
            search=self.search,
            idf=self.idf,
            documents={h.document_id: h.title for h in self.hits},
            chunks=tuple(self.hits),
        )


def clauses(reply: Reply) -> list[str]:
    """The clause numbers the reply cites ('4. זמינות ותמיכה › 4.3' → '4.3')."""
    return [c.passage.section.split(" › ")[-1] for c in reply.citations]


def figures(text: str) -> set[str]:
    """The numbers in a text, without thousands separators."""
    return {f.replace(",", "") for f in re.findall(r"\d[\d,.]*\d|\d", text)}


def assert_sourced(reply: Reply, question: str) -> None:
    """Every figure of the reply is in the question, a cited passage or the calculation it shows."""
    cited = set().union(
        *(figures(c.passage.text) | figures(c.passage.section) | figures(c.passage.title) for c in reply.citations)
    )
    allowed = cited | figures(question) | figures(reply.calculation or "")
    assert figures(reply.text) <= allowed, figures(reply.text) - allowed


def answer_from(chunks: Sequence[tuple[str, str, str]], question: str) -> Reply:
    """The extractive reply to `question` from a fake library of `chunks`, every figure of it sourced."""
    from sochen.agents.answering import answer

    reply = answer(question, config=CONFIG, library=FakeLibrary(chunks).library())
    assert_sourced(reply, question)
    return reply
