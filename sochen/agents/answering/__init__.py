"""The answering component: one answerer behind `sochen ask`, ``POST /v1/{tenant}/ask`` and the agent.

The contract of :func:`answer`:
- It takes what it needs as arguments — the tenant's configuration, a :class:`Library` (the tenant's
  search, term weights, document titles and chunks) and, where a model may answer, a ``generate``
  function — and looks nothing up by itself.
- Modes follow ``agent.answer_mode``: ``generative`` (a routed model returns ``{found, answer,
  citations}``; quotes and every figure of the answer — prices, times, counts, clause numbers — must
  occur in the cited passages, else the answer is withheld), ``extractive`` (no model: the clause
  that answers is quoted with its citation; see :mod:`.extractive`), or ``auto`` (generative, and
  extractive when no model could answer or its answer did not check out).
- The result says which mode answered (:attr:`Reply.mode`) and never states a figure whose source is
  not shown. A sensitive question no local model may answer is quoted from the documents when they
  answer it, else handed to a person (the holding reply, ``handoff``).
- English, Arabic and Russian questions get the reply's fixed wording in their language around the Hebrew quote.
- A model's verified answer is shown only when it answers the question asked, in the question's language
  (:mod:`.checks`); otherwise it is treated as withheld (``rejected`` says why): ``auto`` falls back to
  the quotes, ``generative`` shows the model's verified quotes with the fixed wording of the question's
  language when the language was wrong, and the not-found reply when the answer was off the question.
- ``extractive_first`` turns ``auto`` round: the model-free answerer first, and the model only where it found no
  clause at all (not where it found the clause and read there that the documents do not say it, nor where the
  question names something no document names, nor for a sensitive question it gives to a person). The model's
  answer is shown when it checks out as above; otherwise the reply is the model-free one. A small local model
  is slower and less sure than the rules where the rules answer, and its use is where they do not
  (docs/models.md measures both orders).
- A model's answer that is shown is followed by the clauses its quotes come from, each with its source, as the
  model-free answer shows them (:func:`with_clauses`): the reader sees what says it ('לא' alone is no answer a
  lawyer can use), cited at clause level (a quote from 7.4 cites 7.4, not the chunk's first clause 7.1).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Literal

from ...config import TenantConfig
from ...llm import Answer, Citation, Passage
from ...llm.answer import quote_occurs
from ...privacy import assess
from ...rag.retriever import SearchHit
from .checks import rejected
from .days import dated, holiday_asked
from .extractive import Extracted, Library, Quote, SearchFn, clause_units, extract, without_writer
from .language import (
    Lang,
    alias_terms,
    calculation_steps,
    detect,
    hebrew_alias_terms,
    named_by_service,
    search_query,
    without_aliases,
    wording,
)
from .units import relabel

__all__ = ["Library", "Reply", "SearchFn", "answer", "passages_of", "present"]

Generate = Callable[[list[Passage]], Answer]
"""Runs the routed model over numbered passages and returns the grounded answer (``degraded`` when none could)."""


@dataclass(frozen=True)
class Reply:
    """What the answerer decided, ready for any entry point."""

    mode: Literal["generative", "extractive", "none"]
    status: Literal["answered", "not_found", "ungrounded", "degraded"]
    text: str
    citations: tuple[Citation, ...] = ()
    handoff: bool = False
    calculation: str | None = None
    reason: str = ""
    generated: Answer | None = None
    """The model's answer when one was asked for (also when it was withheld)."""

    @property
    def refused(self) -> bool:
        """Whether the reply says the documents do not answer (or hands the question on)."""
        return self.status != "answered"


_CONTACT_ONLY = frozenset({"name", "phone", "email"})

# Why the model-free answerer did not answer, when it found no clause at all: the one case `extractive_first` asks
# the model. Every other reason is a finding of the rules (the clause says no amount, only a percentage, points to
# an annex the archive lacks, is about another ordinal; no document names the subject; a client list is not
# given), and it stands.
_FOUND_NOTHING = frozenset({"no_match", "comparison_no_match"})


def passages_of(hits: Sequence[SearchHit]) -> list[Passage]:
    """Numbered passages for the model, one per hit."""
    return [
        Passage(i, h.text, h.document_id, h.title, h.section, h.page, h.chunk_id) for i, h in enumerate(hits, start=1)
    ]


def answer(
    question: str,
    *,
    config: TenantConfig,
    library: Library,
    hits: Sequence[SearchHit] | None = None,
    generate: Generate | None = None,
    sensitive: bool = False,
    intent: str = "",
    top_k: int = 8,
    now: datetime | None = None,
    hold_sensitive: bool = True,
) -> Reply:
    """Answer `question` from the tenant's documents in the modes the tenant allows (module docstring).

    `now` (the message's time) names the weekday of 'עכשיו', 'היום', 'מחר' in a question about the hours.
    `hold_sensitive`: a sensitive question the documents do not answer gets the holding reply and goes to a
    person (a conversation, or a model that should have answered and could not); false where the model-free
    answer was all there was to try and no person can come back to the asker (`sochen ask`, ``/v1/ask``):
    the reply then says the documents do not answer it, which is the truth.
    """
    if hits is None:
        hits = list(library.search(search_query(without_writer(question), config.agent.service_aliases), top_k=top_k))
    setting = config.agent.answer_mode
    persona = config.persona
    lang = detect(question)
    not_found = wording(lang, prefix="", source="", not_found=persona.not_found_reply).not_found
    generated: Answer | None = None
    if not hits:
        if sensitive and hold_sensitive:
            return Reply("none", "degraded", persona.holding_reply, handoff=True, reason="sensitive_no_local")
        return Reply("none", "not_found", not_found, reason="no_passages")
    aliases = config.agent.service_aliases
    hints = alias_terms(question, aliases) if lang != "he" else hebrew_alias_terms(question, aliases)
    if generate is not None and setting in ("auto", "generative"):
        generated = generate(passages_of(hits))
        verified = generated.citations
        generated, why = _checked(generated, question, library, lang, hints, not_found)
        if generated.status == "answered":
            return _shown(generated, lang)
        if why and setting == "generative":
            if why == "wrong_language" and verified:
                # The quotes are verified; only the model's own words were in the wrong language.
                text, citations = present(Extracted("answered", _quotes(verified), lang=lang), config)
                return Reply("generative", "answered", text, citations, reason=why, generated=generated)
            return Reply("generative", "ungrounded", not_found, reason=why, generated=generated)
        if generated.status == "not_found":
            return Reply("generative", "not_found", not_found, reason="model_not_found", generated=generated)
        if setting == "generative":
            if generated.status == "ungrounded":
                return Reply("generative", "ungrounded", not_found, reason="unverified", generated=generated)
            return Reply(
                "none", "degraded", persona.holding_reply, handoff=True, reason="no_model", generated=generated
            )
    elif setting == "generative":
        return Reply("none", "degraded", persona.holding_reply, handoff=True, reason="no_model")
    holiday = holiday_asked(question, now, config.workflows.holidays)
    if holiday is not None:
        # The weekly hours do not hold on a holiday the tenant lists: that day it is closed.
        return Reply("extractive", "answered", _closed_text(holiday, lang), reason="holiday")
    # A Hebrew question asked by a service's slang ('פיזיו') is read with the name the documents use.
    # A foreign one is read without the words of the service's alias: their Hebrew name is in `hints`.
    asked = named_by_service(question, aliases) if lang == "he" else without_aliases(question, aliases)
    # Strict (only a quote that covers the question well) for what the writer told of themself beyond how to reach
    # them: a name, a phone number or an email given with a question changes nothing of what it asks. An ID number
    # does: it is given to ask about one's own record ('ת"ז …, כמה נשאר לי לשלם?'), which no document holds.
    strict = sensitive and (not assess(question).counted <= _CONTACT_ONLY or assess(without_writer(question)).sensitive)
    extracted = extract(dated(asked, now), hits, library, intent=intent, strict=strict, hints=hints)
    if (
        extracted.status != "answered"
        and setting == "extractive_first"
        and generate is not None
        and extracted.reason in _FOUND_NOTHING
        and not (sensitive and hold_sensitive)
    ):
        generated, _ = _checked(generate(passages_of(hits)), question, library, lang, hints, not_found)
        if generated.status == "answered":
            return _shown(generated, lang)
    if extracted.status != "answered":
        # What is asked about is named in no document at all ('unknown_name'): no reading of them holds it, and a
        # person would find nothing there either — the not-found reply says so and offers a person.
        if (
            sensitive
            and extracted.reason != "unknown_name"
            and (
                hold_sensitive
                or (
                    strict
                    and extract(dated(asked, now), hits, library, intent=intent, hints=hints).status == "answered"
                )
            )
        ):
            # Sensitive, no model may answer, and the documents do not answer it surely enough: a person takes it.
            # (Without a conversation, only when a looser reading would have quoted a clause: the documents may
            # hold it. When not even that finds one, they do not, and the reply says so.)
            return Reply("none", "degraded", persona.holding_reply, handoff=True, reason="sensitive_no_local")
        # Where the documents point elsewhere for it (an annex they do not hold), the reply says so.
        text = f"{not_found}\n{extracted.missing}" if extracted.missing else not_found
        return Reply("extractive", "not_found", text, reason=extracted.reason, generated=generated)
    text, citations = present(extracted, config)
    calc = extracted.calculation.expression if extracted.calculation else None
    return Reply(
        "extractive", "answered", text, citations, calculation=calc, reason=extracted.reason, generated=generated
    )


def _checked(
    generated: Answer, question: str, library: Library, lang: Lang, hints: str, not_found: str
) -> tuple[Answer, str]:
    """The model's answer as it may be shown, and why it may not ('' when it may, or was no answer).

    An answer that may be shown comes back cited by the whole clauses its quotes lie in (:func:`clause_citations`):
    that is what the reader sees, so that is what :func:`.checks.rejected` judges. One it refuses comes back
    withheld: ``ungrounded``, the not-found text, no citations, its own text kept as ``draft`` and the reason as
    ``rejected``.
    """
    if generated.status != "answered":
        return generated, ""
    clauses = replace(generated, citations=clause_citations(generated))
    why = rejected(question, clauses, library, lang, hints)
    if not why:
        return clauses, ""
    return replace(
        generated, status="ungrounded", text=not_found, citations=(), draft=generated.text, rejected=why
    ), why


def _clauses_quoted(citation: Citation) -> list[Quote]:
    """The clauses of the cited passage that `citation`'s quote lies in, each labelled with its own clause number.

    Where a quote lies is read as verification reads it (:func:`sochen.llm.answer.quote_occurs`: normalised, an
    ellipsis between fragments). A quote inside one clause gives that clause (inside two, both: the reader sees each
    clause that says it; inside more, a fragment too common to tell, the quote alone); a quote that runs over several
    gives each of them; a quote that matches no clause of the passage (a table's cells, a heading) stays the quote,
    under the passage's section.
    """
    whole = _quotes([citation])[0]
    units = [u for u in clause_units(citation.passage.text) if not u.is_row]
    inside = [u for u in units if quote_occurs(citation.quote, u.text)]
    if len(inside) > 2:
        return [whole]
    spanned = inside or [u for u in units if len(u.text) >= 12 and quote_occurs(u.text, citation.quote)]
    if not spanned:
        return [whole]
    return [Quote(u.text, relabel(citation.passage.section, u.clause), whole.hit) for u in spanned]


def clause_citations(generated: Answer) -> tuple[Citation, ...]:
    """The clauses a model answer's quotes lie in, as citations numbered in order (each clause once)."""
    quotes: dict[tuple[str, str, str], Quote] = {}
    for citation in generated.citations:
        for q in _clauses_quoted(citation):
            quotes.setdefault((q.text, q.section, q.hit.document_id), q)  # each clause once, where it is first quoted
    return tuple(Citation(n, q.text, _passage(n, q)) for n, q in enumerate(quotes.values(), start=1))


def _shown(generated: Answer, lang: Lang) -> Reply:
    """The reply for a model answer :func:`_checked` let through: its words, then the clauses it cites."""
    shown = with_clauses(generated, lang)
    return Reply("generative", "answered", shown.text, shown.citations, generated=generated)


def with_clauses(checked: Answer, lang: Lang) -> Answer:
    """A shown model answer followed by the clauses it cites, each with its source (module docstring).

    `checked` comes from :func:`_checked`, cited by whole clauses. A clause the answer already writes out gets only
    its source line. An answer without citations is returned as it is.
    """
    if not checked.citations:
        return checked
    source = wording(lang, prefix="", source="מקור", not_found="").source
    blocks = []
    for c in checked.citations:
        line = f"({source}: {_where(c.passage.title, c.passage.section, c.passage.page)})"
        blocks.append(line if quote_occurs(c.quote, checked.text) else f"{c.quote}\n{line}")
    return replace(checked, text=checked.text.rstrip() + "\n\n" + "\n\n".join(blocks))


def _closed_text(day: date, lang: str) -> str:
    when = f"{day.day}.{day.month}.{day.year}"
    if lang == "en":
        return f"We are closed on {when} (a holiday)."
    if lang == "ar":
        return f"نحن مغلقون يوم {when} (عطلة)."
    if lang == "ru":
        return f"{when} мы закрыты (праздник)."
    return f"ב-{when} אנחנו סגורים (חג)."


def present(extracted: Extracted, config: TenantConfig) -> tuple[str, tuple[Citation, ...]]:
    """The reply text (quotes, their sources, the calculation) and the citations, in the question's language."""
    t = config.agent.templates
    words = wording(extracted.lang, prefix=t.extractive_prefix, source="מקור", not_found="")
    citations: list[Citation] = []
    blocks: list[str] = []
    for n, q in enumerate(extracted.quotes, start=1):
        citations.append(Citation(n, q.text, _passage(n, q)))
        where = _where(q.hit.title, q.section, q.hit.page)
        lead = f"{_short_title(q.hit.title)}: " if extracted.comparison else ""
        blocks.append(f"{lead}{q.text}\n({words.source}: {where})")
    head = words.prefix if not extracted.comparison else f"{words.prefix}\n{words.compare}"
    text = f"{head}\n" + "\n\n".join(blocks)
    if extracted.calculation is not None:
        text += f"\n\n{words.calculation}: {calculation_steps(extracted.calculation.expression, extracted.lang)}"
    elif extracted.missing:
        text += f"\n\n{extracted.missing}"
    return text, tuple(citations)


def _quotes(citations: Sequence[Citation]) -> tuple[Quote, ...]:
    """The model's verified citations as quotes to present."""
    return tuple(
        Quote(
            c.quote,
            c.passage.section,
            SearchHit(
                c.passage.text,
                0.0,
                c.passage.document_id,
                "",
                c.passage.title,
                c.passage.section,
                c.passage.page,
                c.passage.chunk_id,
            ),
        )
        for c in citations
    )


def _passage(n: int, q: Quote) -> Passage:
    h = q.hit
    return Passage(n, h.text, h.document_id, h.title, q.section, h.page, h.chunk_id)


def _where(title: str, section: str, page: int | None) -> str:
    return ", ".join(p for p in (title, section, f"עמ' {page}" if page else "") if p)


def _short_title(title: str) -> str:
    return title.split(" — ")[0].strip()
