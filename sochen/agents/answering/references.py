"""Clauses that name what is asked without stating it: the answer is kept elsewhere, or nowhere.

- An annex reference: 'בהוראת קבע לחשבון הבנק של המשכיר שפרטיו בנספח ב'', 'למעט הציוד המפורט בנספח
  א''. The clause says where the detail is kept. When the archive does not hold that annex, quoting the
  clause for 'what are the landlord's bank details?' states nothing the asker asked: the documents do not
  say it.
- A definition: '1.2 "נציגים" - הדירקטורים, העובדים, … רואי החשבון' says who the representatives
  are; what may be done with them is said by the clause that uses the term ('רשאי לגלות מידע סודי
  לנציגיו'). A question whose words only the definition holds is answered by both.
- A percentage's base: 'דמי הצלחה בשיעור של 0.5% משווי העסקה' states the fee as a share of the deal's
  value; it does not state the value. A question about the value alone is not answered by it.

The answerer (:mod:`.extractive`) matches the words found here against the question's, in its own forms.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

__all__ = [
    "annex_named",
    "annex_references",
    "asks_definition",
    "defined_term",
    "holds_annex",
    "percent_bases",
    "uses_term",
]

_H = "\u05d0-\u05ea"
# 'שפרטיו בנספח ב'', 'המפורט בנספח א' להסכם', 'בנוסח נספח ג'', 'כמפורט בנספחים'
_REFERENCE = re.compile(rf"(?:([{_H}\"']+)\s+)?(?<![{_H}])(?:ב|ל|מ|כ)?נספח\s+([{_H}])['׳](?![{_H}])")
_NAMED = re.compile(rf"(?<![{_H}])(?:ו?[בלמהש])?נספח\s+([{_H}])['׳]?(?![{_H}])")
_HEADING = re.compile(rf"^\s*נספח\s+([{_H}])['׳]?(?![{_H}])", re.MULTILINE)
# '0.5% משווי העסקה', '10% מדמי המנוי', '50% ממחיר הטיפול': the words after 'N% מ'
_BASE = re.compile(rf"\d(?:[\d.,]*\d)?\s?%\s*מ-?([{_H}\"']+(?:\s+[{_H}\"'-]+){{0,2}})")


_DEFINITION = re.compile(
    r'^\s*(?:\d{1,3}(?:\.\d{1,3})*\.?\s+|\([^)]{1,3}\)\s*)?["״“”]([^"״“”]{2,40})["״“”]\s*'
    r"(?:[-–—:]|פירושו|פירושה|משמעו|משמעה|means\b)"
)
_TERM_SUFFIX = re.compile(r"(?:ים|ות|ה|י|ת)$")
_DEFINING_Q = re.compile(r"הגדר|נחשב|מוגדר|פירוש|משמעות|מה זה|מה הכוונה|מה נכלל|מי נכלל|\bmean|\bdefin", re.IGNORECASE)


def defined_term(text: str) -> str | None:
    """The term a definition clause defines ('1.2 "נציגים" - …' → 'נציגים'), or None."""
    m = _DEFINITION.match(text)
    return m.group(1).strip() if m else None


def asks_definition(question: str) -> bool:
    """Whether the question asks what a term means ('מה נחשב מידע סודי?', 'מי נכלל בנציגים?')."""
    return bool(_DEFINING_Q.search(question))


def uses_term(term: str, tokens: Iterable[str], stems_of: Callable[[str], Iterable[str]]) -> bool:
    """Whether words (`tokens`, with their prefix-free `stems_of`) use every word of the term in some form.

    'לנציגיו' and 'נציגי' use 'נציגים': a stem starts with the term word less its plural or construct ending.
    """
    heads = [_TERM_SUFFIX.sub("", w) if len(w) > 4 else w for w in term.split()]
    forms = [s for t in tokens for s in (t, *stems_of(t))]
    return all(len(h) >= 3 and any(f.startswith(h) for f in forms) for h in heads)


def annex_references(text: str) -> list[tuple[str, str]]:
    """The annexes a clause refers to: (the word just before the reference, the annex's letter)."""
    return [(m.group(1) or "", m.group(2)) for m in _REFERENCE.finditer(text)]


def annex_named(question: str) -> list[str]:
    """The letters of the annexes a question names ('מה כתוב בנספח ג'' → ['ג'])."""
    return [m.group(1) for m in _NAMED.finditer(question)]


def holds_annex(letter: str, texts: Iterable[str]) -> bool:
    """Whether the archive holds annex `letter` itself: a document, section or line headed 'נספח <letter>'."""
    return any(m.group(1) == letter for t in texts for m in _HEADING.finditer(t))


def percent_bases(text: str) -> list[tuple[str, str]]:
    """What a clause takes a percentage of: (the words after the sign, the base's name).

    '0.5% משווי העסקה' → ('משווי העסקה', 'שווי העסקה').
    """
    return [(m.group(0).split("%", 1)[1].strip(), m.group(1)) for m in _BASE.finditer(text)]
