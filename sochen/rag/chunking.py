"""Structure-aware chunking: headings, numbered clauses, paragraphs and tables, within a token budget.

Input is the loader's blocks (:mod:`sochen.rag.loaders`); output is a list of :class:`ChunkDraft`,
each with the section path and page a citation needs ("הסכם שכירות, סעיף 7 › 7.2, עמוד 3").

Rules, in order:
1. A heading starts a new chunk and sets the section path at its level; headings in a row (a title,
   then its first section's heading) open one chunk together, so a heading is never a chunk alone.
2. A block that opens a numbered clause (``7.``, ``7.2``, ``(א)``, ``(1)``, ``סעיף 7``, ``פרק ב׳``,
   ``נספח א׳``) extends the path: dotted numbers nest by depth, lettered and bracketed items nest
   under the clause they follow. A new top-level clause starts a new chunk.
3. Blocks of one section are packed together up to ``max_tokens``; a block larger than the budget
   is cut at sentence ends, and the next piece starts with the last whole sentences of the one
   before (up to ``overlap_tokens``, and always at least the last sentence when it is no longer
   than a quarter of the budget): a question that matches the end of a piece finds its answer
   at the start of the next one, in the same chunk. A large table is cut by rows with its header
   row repeated.

Token counts are estimates of the embedding model's sub-word tokens (about 1.7 per Hebrew word
for multilingual E5), so no tokenizer has to be loaded to chunk.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from .loaders import Block

__all__ = ["ChunkDraft", "chunk_blocks", "clause_label", "estimate_tokens", "sentences", "table_as_records"]

_WORDISH = re.compile(r"\w+|[^\w\s]")
_TOKENS_PER_WORD = 1.7
_HEB = "\u05d0-\u05ea"

# Clause openers. Each returns (kind, label); kind orders nesting: 'chapter' > 'clause' > 'item'.
_DOTTED = re.compile(r"^\s*(\d{1,3}(?:\.\d{1,3}){0,4})[.)]?\s+\S")
_SECTION_WORD = re.compile(rf"^\s*(סעיף|פרק|נספח|חלק)\s+([0-9{_HEB}]{{1,4}}['\"׳״]?(?:\.\d+)*)")
_BRACKETED = re.compile(rf"^\s*\(([{_HEB}]{{1,2}}|\d{{1,3}})\)\s*\S")
_SENTENCE_END = re.compile(r"(?<=[.!?;:])\s+")
_SENTENCE_STOP = re.compile(r"(?<=[.!?;])\s+")


def estimate_tokens(text: str) -> int:
    """Estimated sub-word tokens of `text` for a multilingual embedding model."""
    return math.ceil(len(_WORDISH.findall(text)) * _TOKENS_PER_WORD)


def sentences(text: str) -> list[str]:
    """The sentences of a chunk, for sentence vectors.

    Cut after ``. ! ? ;`` and at line ends (a table row, a list item and a heading each stand
    alone), whitespace collapsed, empty pieces dropped.

    Unlike the cut of an over-long block, a colon does not end a sentence here: it opens what
    follows it ("טיפול: הלבנת שיניים · מחיר: ₪1,200"), and the two halves mean little apart.
    """
    out: list[str] = []
    for line in text.split("\n"):
        out.extend(" ".join(s.split()) for s in _SENTENCE_STOP.split(line) if s.strip())
    return out


def clause_label(text: str) -> tuple[str, str] | None:
    """The clause a block opens, as (kind, label), or None. Kinds: 'section', 'dotted', 'item'."""
    m = _SECTION_WORD.match(text)
    if m:
        return "section", f"{m.group(1)} {m.group(2)}"
    m = _DOTTED.match(text)
    if m:
        return "dotted", m.group(1)
    m = _BRACKETED.match(text)
    if m:
        return "item", f"({m.group(1)})"
    return None


@dataclass
class ChunkDraft:
    """A chunk before it is stored: text, citation path, page, and estimated tokens."""

    text: str
    section: str
    page: int | None
    tokens: int


@dataclass
class _Path:
    headings: list[tuple[int, str]] = field(default_factory=list)
    section: str | None = None  # 'סעיף 7' / 'פרק ב'
    dotted: list[str] = field(default_factory=list)  # ['7', '7.2']
    item: str | None = None  # '(א)'

    def render(self) -> str:
        parts = [h for _, h in self.headings]
        if self.section:
            parts.append(self.section)
        parts.extend(self.dotted)
        if self.item:
            parts.append(self.item)
        return " › ".join(parts)

    def top_key(self) -> tuple[str, ...]:
        """What identifies the top-level unit: headings plus the outermost clause."""
        top = self.section or (self.dotted[0] if self.dotted else "")
        return (*[h for _, h in self.headings], top)

    def on_heading(self, level: int, text: str) -> None:
        self.headings = [(lv, t) for lv, t in self.headings if lv < level]
        self.headings.append((level, _short(text)))
        self.section, self.dotted, self.item = None, [], None

    def on_clause(self, kind: str, label: str) -> None:
        if kind == "section":
            self.section, self.dotted, self.item = label, [], None
        elif kind == "dotted":
            depth = label.count(".") + 1
            # '7.2' under '7': keep ancestors that prefix it; a fresh top-level number resets.
            self.dotted = [d for d in self.dotted if label.startswith(d + ".") and d.count(".") + 1 < depth]
            self.dotted.append(label)
            self.item = None
        else:
            self.item = label


def _short(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def chunk_blocks(blocks: list[Block] | tuple[Block, ...], *, max_tokens: int, overlap_tokens: int) -> list[ChunkDraft]:
    """Cut blocks into chunks (see the module docstring for the rules)."""
    out: list[ChunkDraft] = []
    path = _Path()
    pending: list[tuple[str, int | None]] = []
    pending_tokens = 0
    pending_section = ""
    pending_top: tuple[str, ...] = ()
    heading_only = False  # the pending chunk holds just a heading, waiting for its first paragraph

    def flush() -> None:
        nonlocal pending, pending_tokens, heading_only
        heading_only = False
        if pending:
            text = "\n".join(t for t, _ in pending).strip()
            if text:
                page = next((p for _, p in pending if p is not None), None)
                out.append(ChunkDraft(text, pending_section, page, estimate_tokens(text)))
        pending, pending_tokens = [], 0

    for block in blocks:
        text = block.text.strip()
        if not text:
            continue
        if block.kind == "table":
            text = table_as_records(text)
        if block.kind == "heading":
            # A heading right under another heading (a title, then its first section) joins it: a heading
            # is never a chunk of its own.
            carried = pending[:] if heading_only else []
            if not heading_only:
                flush()
            pending, pending_tokens, heading_only = [], 0, False
            path.on_heading(block.level or 1, text)
            # The heading itself opens the next chunk so the chunk reads (and embeds) with its title.
            pending_section, pending_top = path.render(), path.top_key()
            pending = [*carried, (text, block.page)]
            pending_tokens = sum(estimate_tokens(t) for t, _ in pending)
            heading_only = True
            continue
        opened = clause_label(text) if block.kind in ("paragraph", "list_item") else None
        if opened:
            path.on_clause(*opened)
        top = path.top_key()
        tokens = estimate_tokens(text)
        starts_new_unit = opened is not None and top != pending_top and not heading_only
        overflows = pending_tokens + tokens > max_tokens and not (tokens > max_tokens and heading_only)
        if pending and (starts_new_unit or overflows):
            flush()
        if not pending or heading_only:
            pending_section, pending_top = path.render(), top
        heading_only = False
        if tokens > max_tokens:
            pieces = (
                _split_table(text, max_tokens)
                if block.kind == "table"
                else _split_text(text, max_tokens, overlap_tokens)
            )
            head = pending[:]  # e.g. a heading waiting for its first paragraph
            pending = []
            for i, piece in enumerate(pieces):
                pending = [*head, (piece, block.page)] if i == 0 else [(piece, block.page)]
                pending_tokens = estimate_tokens(piece)
                flush()
            pending_section, pending_top = path.render(), top
            continue
        pending.append((text, block.page))
        pending_tokens += tokens
    flush()
    return out


def _split_text(text: str, max_tokens: int, overlap_tokens: int) -> list[str]:
    sentences = [s for s in _SENTENCE_END.split(text) if s.strip()]
    pieces: list[str] = []
    current: list[str] = []
    size = 0
    for sentence in sentences:
        for part in _hard_wrap(sentence, max_tokens):
            t = estimate_tokens(part)
            if current and size + t > max_tokens:
                pieces.append(" ".join(current))
                current, size = _tail(current, overlap_tokens, max_tokens)
                if size + t > max_tokens:  # no room for the carried sentences next to this one
                    current, size = [], 0
            current.append(part)
            size += t
    if current:
        pieces.append(" ".join(current))
    return pieces


def _tail(sentences: list[str], overlap_tokens: int, max_tokens: int) -> tuple[list[str], int]:
    """The last whole sentences of a piece, to repeat at the start of the next (module docstring, rule 3).

    Up to `overlap_tokens`; the last sentence is carried even when it alone is longer, as long as it
    fits in a quarter of `max_tokens` (a token-counted overlap would otherwise carry nothing after a
    long sentence, and a half sentence would not read as one). No overlap when `overlap_tokens` is 0.
    """
    kept: list[str] = []
    size = 0
    if overlap_tokens <= 0:
        return kept, size
    for sentence in reversed(sentences[1:]):  # never the whole piece again
        t = estimate_tokens(sentence)
        if size + t > overlap_tokens and (kept or t > max_tokens // 4):
            break
        kept.insert(0, sentence)
        size += t
    return kept, size


def _hard_wrap(sentence: str, max_tokens: int) -> list[str]:
    if estimate_tokens(sentence) <= max_tokens:
        return [sentence]
    words = sentence.split()
    per_piece = max(1, int(max_tokens / _TOKENS_PER_WORD) - 1)
    return [" ".join(words[i : i + per_piece]) for i in range(0, len(words), per_piece)]


def table_as_records(text: str) -> str:
    """Render table rows as records that carry their column names: 'טיפול: הלבנת שיניים · מחיר: ₪1,200'.

    A row cut out of its table still says what each value is, for the reader and for search alike.
    The header row stays first; tables without a header-like first row are left as they are.
    """
    # A row whose last cell is empty ends in ' |' ('חמישי | 08:00–16:00 |'): it has as many cells as the header.
    rows = [[cell.strip() for cell in f"{row} ".split(" | ")] for row in text.split("\n") if row.strip()]
    if len(rows) < 2:
        return text
    header = rows[0]
    if len(header) < 2 or any(not cell or re.fullmatch(r"[\d\s.,:₪%/-]+", cell) for cell in header):
        return text
    out = [" | ".join(header)]
    for row in rows[1:]:
        if len(row) != len(header):
            out.append(" | ".join(row))
            continue
        out.append(" · ".join(f"{h}: {c}" for h, c in zip(header, row, strict=True) if c))
    return "\n".join(out)


def _split_table(text: str, max_tokens: int) -> list[str]:
    rows = text.split("\n")
    header, body = rows[0], rows[1:]
    pieces: list[str] = []
    current = [header]
    size = estimate_tokens(header)
    for row in body:
        t = estimate_tokens(row)
        if len(current) > 1 and size + t > max_tokens:
            pieces.append("\n".join(current))
            current, size = [header], estimate_tokens(header)
        current.append(row)
        size += t
    if len(current) > 1 or not pieces:
        pieces.append("\n".join(current))
    return pieces
