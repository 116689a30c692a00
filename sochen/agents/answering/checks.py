"""Checks of a model's verified answer that need the question and the tenant's documents.

:func:`sochen.llm.grounded_answer` verifies what an answer says: its quotes occur in the passages it
cites, and so do its figures. It cannot tell whether that answers what was asked. 'יש הנחה לחיילים?'
answered from the pensioners' discount clause quotes and figures correctly and answers another
question; an English question answered in Hebrew is verified and unreadable to the asker. Before the
answerer shows a model's answer, :func:`rejected` runs two checks:

Relevance
    The question's words, normalised as the model-free answerer normalises them (niqqud, prefixes,
    rough lemmas, spelling corrected against the documents' own words), must be the documents'. The
    answer is off the question when the question asks a kind of fact ('הנחה', 'מחיר', 'תור') for
    someone or something no document mentions (``absent_subject``), names a product in Latin letters
    no document has (``unknown_name``), or when the passages it cites carry too little of the question's
    weighted words (``off_topic``: below :data:`MIN_COVER`, the words weighted by how rare they are in
    the documents). The first two are the model-free answerer's own refusal rules, so a model answer
    is refused exactly where a quote would be. Questions in English or Arabic are not checked for
    relevance (their words are not the Hebrew documents' words).
Language
    The answer must be written in the question's language (``wrong_language``): mostly Hebrew letters
    for a Hebrew question; for an English or Arabic one, at least a quarter of its letters in that
    script once quoted spans are set aside (such an answer rightly carries the clauses' Hebrew). A letter
    of any script but Hebrew, Latin, Arabic and Cyrillic ('ה薪水 של השוכר', a small model slipping into
    Chinese) makes the answer wrong in every language: no question or document here is written in one.

Shown figures
    Verification finds every figure of the answer somewhere in the passages it cites; a passage is a whole
    chunk, and the reader sees only the quotes. Each figure of the answer (a price, a time, a count, a clause
    number) must also be in a quote it shows, in the quoted clause's section or title, or in the question
    (``figures_unshown``): '₪1,900' cited to a clause whose quote says nothing of it has no source the reader
    can see.

The fact asked for
    A question that asks for a fact of a fixed shape — the opening hours (a time range or "סגור"), the days
    (weekdays), an address (a street and number), parking (a sentence about parking) — is answered only by
    a quote of that shape (``attribute_unsaid``, the model-free answerer's :mod:`.attributes`): '15 שעות
    בחודש' from a retainer clause does not say when the office is open.

A rejected answer is handled like one that failed verification: in ``auto`` mode the model-free answer
(quotes with the fixed wording of the question's language) replaces it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ...llm import Answer, Citation, Passage
from ...llm.answer import unverified_facts
from ...text.spelling import correct
from .attributes import asked as asked_attribute
from .attributes import carries, cue, fit
from .extractive import (
    Library,
    _absent_subject,
    _focus,
    _lemmas,
    _parts,
    _stop,
    _terms,
    _unknown_name,
    _vocabulary,
    _without_aside,
    _without_instructions,
    _words,
    with_terms,
    without_writer,
)
from .language import Lang, detect

__all__ = ["MIN_COVER", "coverage", "off_topic", "rejected", "unshown_figures", "wrong_language"]

_SHAPED = frozenset(("opening_hours", "days", "address", "parking"))
"""Attributes whose answer has a shape a quote can be checked for (module docstring)."""

MIN_COVER = 0.2
"""Least share of the question's weighted words the cited passages must carry (title and section included)."""

_HE = re.compile(r"[\u05d0-\u05ea]")
_AR = re.compile(r"[\u0621-\u064a]")
_LATIN = re.compile(r"[A-Za-z]")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
# A letter of none of the four scripts (nor Latin-1's and Latin's accented letters, µ, º): CJK, Thai, Devanagari, Greek
# and the rest.
_STRAY_LETTER = re.compile(r"[^\W\d_A-Za-z\u00aa-\u024f\u0590-\u05ff\u0600-\u06ff\u0750-\u077f\u0400-\u04ff]")
_QUOTED = re.compile(r"“[^”]*”|„[^“”]*[“”]|«[^»]*»|\"[^\"]*\"|'[^']{3,}'|״[^״]*״")


def rejected(question: str, answer: Answer, library: Library, lang: Lang | None = None, hints: str = "") -> str:
    """Why `answer` (verified) must not be shown for `question`: 'wrong_language', a relevance reason, or ''.

    `hints`: the tenant's names of services the question names by an alias (slang), read as part of it.
    """
    lang = lang or detect(question)
    if wrong_language(lang, answer.text):
        return "wrong_language"
    if unshown_figures(question, answer):
        return "figures_unshown"
    shape = asked_attribute(question)
    if shape in _SHAPED and answer.citations and not any(shape in carries(c.quote) for c in answer.citations):
        return "attribute_unsaid"
    return off_topic(question, answer.citations, library, hints) if lang == "he" else ""


def unshown_figures(question: str, answer: Answer) -> list[str]:
    """Figures of `answer` that neither a quote it shows (with its clause's section and title) nor the question has."""
    shown = [
        Passage(
            c.n, f"{c.quote}\n{c.passage.title}\n{question}", c.passage.document_id, c.passage.title, c.passage.section
        )
        for c in answer.citations
    ]
    return unverified_facts(answer.text, shown) if shown else []


def wrong_language(lang: Lang, text: str) -> bool:
    """Whether `text` is not written in `lang` (module docstring).

    A Hebrew answer must be mostly Hebrew letters. An English or Arabic answer carries the Hebrew of the
    clauses it cites, quoted or not: it needs a quarter of its letters (quotes aside) in its own script.
    """
    if _STRAY_LETTER.search(text):
        return True
    if lang != "he":
        text = _QUOTED.sub(" ", text)
    counts = {
        "he": len(_HE.findall(text)),
        "en": len(_LATIN.findall(text)),
        "ar": len(_AR.findall(text)),
        "ru": len(_CYRILLIC.findall(text)),
    }
    total = sum(counts.values())
    if not total:
        return False  # a bare figure ('₪350') is in every language
    if lang == "he":
        return max(counts, key=lambda k: counts[k]) != "he"
    return counts[lang] < total / 4


def off_topic(question: str, citations: Sequence[Citation], library: Library, hints: str = "") -> str:
    """Why the cited passages do not answer the Hebrew `question` (module docstring), or ''."""
    focus = _asked(question, library, hints)
    if library.chunks and _unknown_name(focus, library):
        return "unknown_name"
    if library.chunks and len(_parts(focus)) == 1 and _absent_subject(focus, library.idf, _lemmas(library.chunks)):
        return "absent_subject"
    if citations and coverage(question, citations, library, hints, focus=focus) < MIN_COVER:
        return "off_topic"
    return ""


def coverage(
    question: str, citations: Sequence[Citation], library: Library, hints: str = "", *, focus: str | None = None
) -> float:
    """The share of the question's weighted words that the cited passages carry (1.0 when it has none).

    A passage that states the kind of fact asked for (a street and number for 'הכתובת', a parking sentence
    for 'איפה לחנות') also carries the question's words that ask for it, as the model-free answerer counts.
    """
    focus = _asked(question, library, hints) if focus is None else focus  # what off_topic read already
    terms = _terms(focus, library.idf)
    if not terms.total:
        return 1.0
    attribute = asked_attribute(focus)
    said: frozenset[str] = frozenset()
    for c in citations:
        said |= _words(c.passage.text) | _words(c.passage.title) | _words(c.passage.section)
        if attribute is not None and fit(attribute, c.passage.text):
            said |= _words(cue(focus, attribute))
    return terms.cover(said)


def _asked(question: str, library: Library, hints: str = "") -> str:
    """What the question asks, as the model-free answerer reads it (instructions, asides and own numbers out)."""
    vocabulary, pairs = _vocabulary(library.chunks)
    asked = correct(_without_aside(_without_instructions(without_writer(question))), vocabulary, pairs, skip=_stop)
    return with_terms(_focus(asked), hints)
