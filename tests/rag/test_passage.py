"""The passage around a hit (Retriever.passage, rag9): an answer cut off by a chunk boundary is in the neighbour.

The passage is the hit's chunk and its neighbours in the same document and section, in document order, the
sentences two neighbours share through the chunk overlap once, and every piece cited with its own section.
"""

from __future__ import annotations

from pathlib import Path

from sochen.rag.ingest import ingest_paths
from sochen.rag.retriever import join_overlapping

# One long section cut into several chunks (a small budget), then another section, then another document.
RULES = """# תקנון המרפאה

## ביטול תורים

"""
SENTENCES = [
    "מטופל שקבע תור מתבקש להגיע עשר דקות לפני המועד כדי להסדיר את התשלום ואת ההתחייבות של הקופה.",
    "המזכירות שולחת תזכורת בהודעה יומיים לפני התור, ומבקשת מהמטופל לאשר את הגעתו או לבטל את התור.",
    "ביטול תור אפשרי בטלפון, בהודעה או באתר המרפאה, בכל שעה, וכל ביטול נרשם בתיק המטופל עם שעת הביטול.",
    "מי שמבטל פחות מעשרים וארבע שעות לפני התור או לא מגיע כלל יחויב בדמי ביטול של מאה וחמישים שקלים.",
    "דמי הביטול לא ייגבו כאשר הביטול נובע ממחלה מתועדת או ממצב חירום, בהצגת אישור רפואי למזכירות.",
    "מטופל שלא הגיע לשלושה תורים ברציפות יתבקש לשלם מראש לפני שייקבע לו תור נוסף במרפאה.",
]
HOURS = "\n\n## שעות פתיחה\n\nהמרפאה פתוחה בימים א׳–ה׳ בין שמונה בבוקר לשבע בערב.\n"
OTHER = "# מחירון\n\nבדיקה ראשונה: מאתיים שקלים. ביקורת: מאה שקלים.\n"


def _docs(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "rules.md").write_text(RULES + " ".join(SENTENCES) + HOURS, encoding="utf-8")
    (folder / "prices.md").write_text(OTHER, encoding="utf-8")
    return folder


def test_the_passage_around_a_hit_holds_the_neighbouring_chunk_with_its_citation(make_tenant, retriever, tmp_path):
    make_tenant("clinic", "knowledge:\n  chunking: {max_tokens: 60, overlap_tokens: 20}\n")
    ingest_paths(retriever, "clinic", [_docs(tmp_path)])
    ctx = retriever.tenant("clinic")
    catalog = retriever.catalog(ctx)
    section = [c for c in catalog.chunks if c.section.endswith("ביטול תורים")]
    assert len(section) >= 3  # the section was cut into several chunks
    # The hit: the chunk that opens with the reminder sentence; the fee comes only after a boundary.
    hits = retriever.search("clinic", "מתי נשלחת תזכורת לפני התור?", top_k=10)
    hit = next(h for h in hits if h.text.startswith(SENTENCES[1][:20]) or SENTENCES[1] in h.text)
    passage = retriever.passage("clinic", hit, around=1)
    ids = [p.chunk_id for p in passage.pieces]
    assert hit.chunk_id in ids and len(ids) >= 2
    assert passage.pieces[ids.index(hit.chunk_id)] == hit  # the hit keeps its score and ranks
    # Every piece is a chunk of the same document and section, cited as such, in document order.
    assert {p.document_id for p in passage.pieces} == {hit.document_id}
    assert {p.section for p in passage.pieces} == {hit.section}
    ordinals = [catalog.chunks[catalog.index_of[i]].ordinal for i in ids]
    assert ordinals == sorted(ordinals) and ordinals == list(range(ordinals[0], ordinals[0] + len(ordinals)))
    # It holds what the hit's chunk does not: a sentence cut off by the boundary.
    assert any(s[:40] in passage.text and s[:40] not in hit.text for s in SENTENCES)
    # The overlap is read once; the next section and the other document are not in it.
    for sentence in SENTENCES:
        assert passage.text.count(sentence[:40]) <= 1
    assert "שעות פתיחה" not in passage.text and "שבע בערב" not in passage.text
    assert "מחירון" not in passage.text


def test_a_chunk_whose_neighbours_are_another_section_or_none_is_its_own_passage(make_tenant, retriever, tmp_path):
    make_tenant("clinic", "knowledge:\n  chunking: {max_tokens: 60, overlap_tokens: 20}\n")
    ingest_paths(retriever, "clinic", [_docs(tmp_path)])
    hits = retriever.search("clinic", "מה שעות הפתיחה של המרפאה?", top_k=10)
    hit = next(h for h in hits if "שבע בערב" in h.text)
    passage = retriever.passage("clinic", hit, around=1)
    assert [p.chunk_id for p in passage.pieces] == [hit.chunk_id] and passage.text == hit.text
    price = next(h for h in retriever.search("clinic", "כמה עולה ביקורת?", top_k=10) if "ביקורת" in h.text)
    assert retriever.passage("clinic", price, around=2).pieces == [price]


def test_join_overlapping_reads_a_shared_sentence_once():
    first = "הראשון אומר דבר. השני ממשיך אותו."
    second = "השני ממשיך אותו. השלישי מסיים."
    assert join_overlapping([first, second]) == "הראשון אומר דבר. השני ממשיך אותו.\nהשלישי מסיים."
    assert join_overlapping(["אחד.", "שניים."]) == "אחד.\nשניים."


def _ingested(make_tenant, retriever, tmp_path, extra: str = ""):
    make_tenant("clinic", "knowledge:\n  chunking: {max_tokens: 60, overlap_tokens: 20}\n" + extra)
    ingest_paths(retriever, "clinic", [_docs(tmp_path)])
    return retriever.tenant("clinic")


def test_the_answerers_read_the_first_hits_with_their_neighbours_each_cited_as_itself(make_tenant, retriever, tmp_path):
    ctx = _ingested(make_tenant, retriever, tmp_path)
    catalog = retriever.catalog(ctx)
    hits = retriever.search(ctx, "מתי נשלחת תזכורת לפני התור?", top_k=3)
    first = hits[0]
    assert first.section.endswith("ביטול תורים")  # a section cut into several chunks
    read = retriever.with_neighbours(ctx, hits, first=1)
    around = [c.chunk_id for c in catalog.around(first.chunk_id, 1) if c.chunk_id != first.chunk_id]
    added = [i for i in around if i not in {h.chunk_id for h in hits}]
    assert around and [h.chunk_id for h in read] == [first.chunk_id, *added, *(h.chunk_id for h in hits[1:])]
    for hit in read[1 : 1 + len(added)]:
        # A neighbour: its own text, section and page for its citation; no score or ranks of its own.
        chunk = catalog.chunks[catalog.index_of[hit.chunk_id]]
        assert (hit.text, hit.section, hit.page, hit.document_id) == (
            chunk.text,
            chunk.section,
            chunk.page,
            first.document_id,
        )
        assert hit.section == first.section and hit.score == 0.0 and hit.dense_rank is hit.lexical_rank is None
    assert read[0] == first and read[1 + len(added) :] == hits[1:]  # the hits keep their order, scores and ranks
    # Nothing is read twice; no neighbours for 0, the tenant's default (2) for None.
    assert len({h.chunk_id for h in retriever.with_neighbours(ctx, hits, first=3)}) == len(
        retriever.with_neighbours(ctx, hits, first=3)
    )
    assert retriever.with_neighbours(ctx, hits, first=0) == hits
    assert retriever.with_neighbours(ctx, hits) == retriever.with_neighbours(ctx, hits, first=2)
    assert retriever.with_neighbours(ctx, []) == []


def test_ask_and_the_agent_give_the_model_the_neighbour_that_holds_the_cut_off_answer(make_tenant, retriever, tmp_path):
    from sochen.agents.answering import Library, answer
    from sochen.agents.ask import library_for
    from sochen.agents.nodes import Deps, retrieve
    from sochen.config import get_settings
    from sochen.llm.answer import Answer

    ctx = _ingested(make_tenant, retriever, tmp_path)
    question = "מתי נשלחת תזכורת לפני התור?"
    hits = retriever.search(ctx, question, top_k=2)
    read = retriever.with_neighbours(ctx, hits)
    # What the hits do not hold and a neighbour does: a sentence of the section cut off by a chunk boundary.
    shown = " ".join(h.text for h in hits)
    assert any(s[:40] not in shown and any(s[:40] in h.text for h in read) for s in SENTENCES)
    # The ask path (`sochen ask`, /v1/ask) and the agent's retrieve node read the same list.
    library = library_for(retriever, ctx)
    assert library.search(question, top_k=2) == read
    # A compared configuration's own setting wins over the tenant's (`ask(config=...)` passes it).
    assert library_for(retriever, ctx, neighbours=0).search(question, top_k=2) == hits
    state = {"text": question}
    assert retrieve(state, Deps(get_settings(), ctx, retriever, top_k=2))["hits"] == [h.as_dict() for h in read]
    # The model is given each neighbour as a numbered passage cited with its own section.
    given: list = []

    def model(passages):
        given.extend(passages)
        return Answer("not_found", "")

    answer(question, config=ctx.config, library=library, hits=read, generate=model)
    assert {p.chunk_id for p in given} == {h.chunk_id for h in read}
    assert all(p.section == h.section for p, h in zip(given, read, strict=True))
    assert isinstance(library, Library)


def test_a_tenant_that_sets_no_neighbours_reads_its_hits_alone(make_tenant, retriever, tmp_path):
    from sochen.agents.ask import library_for

    ctx = _ingested(make_tenant, retriever, tmp_path, "  retrieval: {neighbours: 0}\n")
    question = "מתי נשלחת תזכורת לפני התור?"
    assert library_for(retriever, ctx).search(question, top_k=2) == retriever.search(ctx, question, top_k=2)
