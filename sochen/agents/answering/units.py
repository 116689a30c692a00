"""Quotable units of a retrieved chunk: whole clauses (with their items), table records, sentences.

A chunk may hold several sub-clauses (7.1 … 7.4) under a heading line. The answer quotes the unit
that answers, and its citation names that unit's own clause ("7. תקופת ניסיון › 7.4"), not the
chunk's first one. Heading lines are never units: their words are context for the units under them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Unit", "clause_units", "relabel"]

# "7.4 ..." (dotted, at least one dot), "(ב) ...", "סעיף 7 ..." open a clause.
_DOTTED = re.compile(r"^\s*(\d{1,3}(?:\.\d{1,3})+)\.?\s+\S")
_TOP = re.compile(r"^\s*(\d{1,3})[.)]\s+(\S.*)$")
_ITEM = re.compile(r"^\s*\(([\u05d0-\u05ea]{1,2}|\d{1,3})\)\s*\S")
_SECTION_WORD = re.compile(r"^\s*סעיף\s+(\d{1,3}(?:\.\d{1,3})*)\s")
_LABEL_PART = re.compile(r"^(?:\d{1,3}(?:\.\d{1,3})*|\([^)]{1,4}\)|סעיף\s+\S+)$")
_SENTENCE = re.compile(r"(?<=[.!?;])\s+")
# A numbered sub-clause that starts after the previous one's sentence end, on the same line: Markdown joins
# the lines of a paragraph ('1.1. … בלי מקדמה. 1.2. ניתוח …'), and each is its own clause all the same.
_INNER_CLAUSE = re.compile(r"(?<=[.!?;])\s+(?=\d{1,3}(?:\.\d{1,3})+\.\s)")
_MAX_UNIT_CHARS = 480
_CLOSING = re.compile(r"^(?:ולראיה|ולראייה|in witness whereof)|\.{5,}", re.IGNORECASE)


@dataclass(frozen=True)
class Unit:
    """One quotable unit: its text, the clause it is (or ''), and the heading lines above it."""

    text: str
    clause: str = ""
    context: str = ""
    is_row: bool = False
    row_key: str = ""
    """A table record's first value (the entity the row is about: a treatment, a role)."""


def _is_heading(line: str) -> bool:
    """A title line: short, no sentence end, no figures beyond its own number."""
    m = _TOP.match(line)
    body = m.group(2) if m else line
    if len(body.split()) > 6 or re.search(r"[.;!?:]\s*$", body) or re.search(r"\d|₪|%", body):
        return False
    return not (" · " in line or " | " in line)


def _is_caption(units: list[Unit], line: str) -> bool:
    """The line just above a table's header row is its caption ('בוטוקס (לפי אזור)') when it is short prose.

    It was taken as a unit of its own; it names what every record under it is about, so it is context.
    """
    if not units or units[-1].text != line or units[-1].is_row or units[-1].clause:
        return False
    return len(line.split()) <= 12 and not re.search(r"[.;!?:]\s*$", line) and "₪" not in line


def _row_key(line: str) -> str:
    first = line.split(" · ")[0].split(" | ")[0]
    return first.split(":", 1)[1].strip() if ":" in first else first.strip()


def _lines(text: str) -> list[str]:
    """The text's lines, a line of several numbered sub-clauses split before each (see _INNER_CLAUSE)."""
    out: list[str] = []
    for raw in text.split("\n"):
        line = raw.strip()
        out.extend(_INNER_CLAUSE.split(line) if _DOTTED.match(line) else [line])
    return out


def clause_units(text: str) -> list[Unit]:
    """The units of a chunk's text, in order (see the module docstring)."""
    units: list[Unit] = []
    context: list[str] = []
    current: list[str] = []
    clause = ""

    def close() -> None:
        nonlocal current
        if not current:
            return
        body = "\n".join(current).strip()
        ctx = " ".join(context)
        if len(body) <= _MAX_UNIT_CHARS:
            units.append(Unit(body, clause, ctx))
        else:
            # A long clause: its sentences, each still labelled with the clause they belong to.
            units.extend(Unit(s.strip(), clause, ctx) for s in _SENTENCE.split(body) if s.strip())
        current = []

    in_table = False
    previous = last = ""
    for line in _lines(text):
        if not line:
            continue
        previous, last = last, line
        if " · " in line or (" | " in line and (in_table or ":" in line)):
            close()
            units.append(Unit(line, clause, " ".join(context), True, _row_key(line)))
            in_table = True
            continue
        if " | " in line:  # a table's header row: context for the records under it
            close()
            if not in_table and _is_caption(units, previous):
                units.pop()  # the line just above the header is the table's caption, not a quote
                context = [previous]
            context.append(line)
            in_table = True
            continue
        in_table = False
        m = _DOTTED.match(line) or _SECTION_WORD.match(line)
        if m:
            close()
            clause = m.group(1)
            current = [line]
            continue
        if _ITEM.match(line) and current:
            current.append(line)  # (א), (ב) … stay with the clause they belong to
            continue
        if _is_heading(line) and not line.endswith("?"):
            close()
            top = _TOP.match(line)
            if top:
                clause = ""
            context = [*context[-1:], line] if context and not top else [line]
            continue
        top = _TOP.match(line)
        if top:  # "1. ריטיינר בסיסי: ₪8,000 לחודש" — a numbered item with content
            close()
            clause = top.group(1)
            current = [line]
            continue
        if _CLOSING.match(line):  # 'ולראיה באו הצדדים על החתום' and the signature lines end the last clause
            close()
            clause = ""
        if current and clause and not line.endswith("?"):
            current.append(line)  # a clause continued on the next line
            continue
        close()
        clause_here = clause if current else ""
        sentences = [s.strip() for s in _SENTENCE.split(line) if s.strip()]
        # 'סאמר ח'טיב — מרפא בעיסוק. … עובד בימים א', ג' וה'.': an item that opens with whom or what it is about
        # goes on about it without naming it again; that name is the later sentences' context.
        label = _LABEL.match(sentences[0]) if len(sentences) > 1 else None
        for i, sentence in enumerate(sentences):
            # The role said after the dash ('ראמי עבוד — פודיאטור: …') is who the later sentences are about too.
            ctx = [*context, label.group(1), *filter(None, [label.group(2)])] if label and i else context
            # Quoted alone, 'מדברת עברית, ערבית ואנגלית.' does not say who: the quote names whom it is about.
            said = f"{label.group(1)} — {sentence}" if label and i else sentence
            units.append(Unit(said, clause_here, " ".join(ctx)))
    close()
    return units


# The subject an item opens with, before a dash: a name or a title of a few words ('ד"ר אורית בן-נון —').
_LABEL = re.compile(
    r"^\s*(?:[-*•]\s*)?([^\s—–.:;,]+(?:\s+[^\s—–.:;,]+){0,3})\s+[—–]\s+(?:([^\s—–.:;,()]+(?:\s+[^\s—–.:;,()]+){0,2})(?=[:,.]))?"
)


def relabel(section: str, clause: str) -> str:
    """The chunk's section path with its trailing clause numbers replaced by `clause` (the one quoted)."""
    if not clause:
        return section
    parts = [p for p in section.split(" › ") if p]
    if parts and parts[-1] == clause:
        return section
    while parts and _LABEL_PART.match(parts[-1]) and not clause.startswith(parts[-1] + "."):
        parts.pop()  # the chunk's own clause numbers go; the ancestors of the quoted clause stay
    return " › ".join([*parts, clause])
