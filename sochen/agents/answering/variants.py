"""The column of a price list's row that the question names by its own header's words, or by a weight band.

A row whose columns are variants of one thing that no fixed family covers — an animal ('חתול' / 'כלב'), a weight
band ('כלב עד 10 ק"ג' / 'כלב 10–25 ק"ג' / 'כלב מעל 25 ק"ג'), a kind of visit ('ביקור ראשון' / 'ביקור חוזר בתוך 14
יום') — is narrowed to the one column whose distinguishing words the question uses ('לחתולה שלי' → 'חתול'), then, when
the question gives a weight ('היא שוקלת 18 קילו', '30 kg'), to the column whose band holds it. A cell that is not a
price ('חתול: אין לחתולים') is kept too: it answers the variant asked. Anything short of exactly one column leaves the
row as it is. Foreign questions are read with their Hebrew search terms (:func:`.language.hebrew_terms`).
"""

from __future__ import annotations

import re
from decimal import Decimal

from ...text import normalize, stems, tokenize

__all__ = ["named_variant", "named_variant_in_sentence"]

# Words a header shares with any question and that say no variant: prepositions and counting words.
_FUNCTION = frozenset(
    {"בתוך", "כולל", "לכל", "בלי", "ללא", "מעל", "עד", "של", "עם", "או", "אחד", "אחת", "יום", "ימים", "שעה", "דקות"}
    | {"מחיר", "מחירים", "עלות", "תעריף", "הערות", "הערה", "תיאור", "פירוט"}  # an attribute, not a variant
)
# Suffixes of gender and number: 'חתולה', 'כלבים', 'חתולות' are forms of 'חתול', 'כלב' ('כלבת', rabies, is not).
_INFLECTION = ("", "ה", "ים", "ות")
_KG = r"(?:ק\"ג|ק״ג|קילו(?:גרם)?|kg|kilos?|كيلو|кг)"
_WEIGHT_ASKED = re.compile(rf"(\d+(?:\.\d+)?)\s*{_KG}", re.I)
_HEADER_KG = re.compile(_KG, re.I)
_PRICE = re.compile(r"₪\s?\d|\d\s?(?:₪|ש\"ח)")
# A cell that says the variant is not given ('אין לחתולים', '—', 'לא מבוצע'): it answers the variant asked.
_NOT_GIVEN = re.compile(r"^\s*(?:[—–-]\s*$|אין|לא\s|ללא|not\s|n/a)", re.I)


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[\u05d0-\u05ea]{3,}", normalize(text)) if w not in _FUNCTION}


def _forms(question: str) -> set[str]:
    return {f for t in tokenize(question) for f in (t, *stems(t)) if len(f) > 2}


def _uses(forms: set[str], word: str) -> bool:
    return any(f == word + suffix for f in forms for suffix in _INFLECTION)


def _band_holds(header: str, weight: Decimal) -> bool | None:
    """Whether a header's weight band ('עד 10 ק"ג', '10–25 ק"ג', 'מעל 25 ק"ג') holds the weight; None: no band."""
    if not _HEADER_KG.search(header):
        return None
    numbers = [Decimal(n) for n in re.findall(r"\d+(?:\.\d+)?", header)]
    if len(numbers) == 2:
        return numbers[0] <= weight <= numbers[1]
    if len(numbers) == 1:
        if re.search(r"(?:עד|up to)\s*\d", header):
            return weight <= numbers[0]
        if re.search(r"(?:מעל|יותר\s+מ-?|above|over)\s*\d", header):
            return weight > numbers[0]
    return None


def named_variant(cells: list[str], question: str) -> str | None:
    """The one cell of a row ('כותרת: ערך' after the row's name) the question asks for, or None."""
    named = [(c.split(":", 1)[0].strip(), c) for c in cells[1:] if ":" in c]
    if len(named) < 2 or len(named) != len(cells) - 1:
        return None
    if any(not _PRICE.search(c) and len(c.split(":", 1)[1].split()) > 3 for _, c in named):
        return None  # a description or a note among the cells: its columns are attributes, not variants
    if any(not _PRICE.search(c) and not _NOT_GIVEN.search(c.split(":", 1)[1]) for _, c in named):
        return None  # a date or a count beside a price ('מועד התשלום: 1 בדצמבר 2026 · סכום התשלום: ₪200,000')
    words = {header: _words(header) for header, _ in named}
    common = set.intersection(*words.values())
    # the row's own name is how the question names the row, not a column ('טיפול' of 'טיפול: … · טיפול בודד')
    row_name = _forms(cells[0].split(":", 1)[-1])
    forms = _forms(question)
    candidates = [
        (h, c) for h, c in named if any(_uses(forms, w) and not _uses(row_name, w) for w in words[h] - common)
    ]
    narrowed = bool(candidates)
    if not candidates:
        candidates = named
    weight = _WEIGHT_ASKED.search(question)
    if weight is not None and len(candidates) > 1:
        value = Decimal(weight.group(1))
        held = [(h, c) for h, c in candidates if _band_holds(h, value)]
        if held:
            candidates, narrowed = held, True
    if narrowed and len(candidates) == 1:
        return candidates[0][1]
    return None


# 'שריפה פרטנית: 850 ₪ לחתול ולכלב עד 10 ק"ג, 1,200 ₪ לכלב מעל 10 ק"ג': a sentence that prices by variant.
_JOINED = re.compile(r"(?<![\u05d0-\u05ea])ו?ל")
_PRICED_FOR = re.compile(r"(?P<amount>\d[\d,]*(?:\.\d+)?\s?₪)\s+(?P<who>ו?ל[\u05d0-\u05ea][^,.;:]*)")


def named_variant_in_sentence(text: str, question: str) -> str:
    """`text` with only the amount of the variant asked, where one sentence prices several.

    '850 ₪ לחתול …, 1,200 ₪ לכלב …': the text as it is unless the question names exactly one of them.
    """
    found = list(_PRICED_FOR.finditer(text))
    if len(found) < 2:
        return text
    # each amount as a cell whose header is whom it is for, without the joined 'ל' and 'ו'
    cells = ["", *(f"{_JOINED.sub('', m.group('who'))}: {m.group('amount')}" for m in found)]
    chosen = named_variant(cells, question)
    if chosen is None:
        return text
    keep = found[cells.index(chosen) - 1]
    out = text
    for m in reversed(found):
        if m is keep:
            continue
        # the amount and the separator before it (', ') or after it
        start, end = m.start(), m.end()
        before = out[:start].rstrip()
        out = before[:-1] + out[end:] if before.endswith(",") else out[:start] + out[end:].lstrip(", ")
    return out
