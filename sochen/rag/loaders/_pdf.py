"""PDF via pypdf: per-page text, visual-order repair, paragraph breaks from line spacing."""

from __future__ import annotations

import io
import itertools
import re
import statistics
from collections import Counter
from typing import Any

from ...text import normalize
from ._model import Block, LoadedDocument, LoadError
from ._text import clean_line, fix_visual_lines, is_page_furniture, lines_to_blocks

__all__ = ["load_pdf"]

# A gap between baselines this much larger than the page's usual line spacing ends a paragraph.
_PARAGRAPH_GAP = 1.3
_WORD_TITLE_PREFIX = re.compile(r"^(?:Microsoft (?:Word|PowerPoint) - )")
# Values producers write when the author left the field empty.
_PLACEHOLDERS = frozenset({"untitled", "anonymous", "unknown", "user", "admin", "administrator"})


def _open(data: bytes) -> Any:
    from pypdf import PdfReader
    from pypdf.errors import DependencyError

    if b"%%EOF" not in data[-8192:]:
        # A truncated upload: pypdf would recover part of it and index half a contract silently.
        raise LoadError("corrupt", he="הקובץ קטוע (חסר סוף הקובץ)", en="the PDF is truncated (no %%EOF)")
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                opened = reader.decrypt("")
            except DependencyError as exc:
                raise LoadError(
                    "encrypted",
                    he="הצפנת AES דורשת את החבילה cryptography",
                    en="AES encryption needs the 'cryptography' package (pip install pypdf[crypto])",
                ) from exc
            if not opened:
                raise LoadError("encrypted", he="נדרשת סיסמה לפתיחה", en="a password is needed to open it")
        _ = len(reader.pages)
    except LoadError:
        raise
    except Exception as exc:  # pypdf raises many types for broken files; all mean "corrupt"
        raise LoadError("corrupt", en=f"{type(exc).__name__}: {exc}"[:200]) from exc
    return reader


def _page_lines(page: Any) -> list[str]:
    """The page's text lines, with a blank line where the spacing shows a paragraph break."""
    pieces: list[tuple[str, float]] = []

    def visit(text: str, cm: list[float], tm: list[float], _font: object, _size: float) -> None:
        if text:
            pieces.append((text, tm[4] * cm[1] + tm[5] * cm[3] + cm[5]))

    plain = page.extract_text(visitor_text=visit) or ""
    if "".join(text for text, _ in pieces) != plain:
        return plain.splitlines()  # the visitor disagrees with the text: trust the text, skip gaps
    lines: list[tuple[str, float]] = []
    current, current_y = "", None
    for text, y in pieces:
        for part in re.split(r"(\n)", text):
            if part == "\n":
                lines.append((current, current_y if current_y is not None else y))
                current, current_y = "", None
            elif part:
                current_y = y if current_y is None else current_y
                current += part
    if current:
        lines.append((current, current_y if current_y is not None else 0.0))
    gaps = [round(a - b, 1) for (_, a), (_, b) in itertools.pairwise(lines) if a - b > 0.5]
    # The usual line spacing is the smallest gap seen more than once: on pages of one-line
    # paragraphs most gaps are paragraph gaps, so the median would hide them.
    repeated = [gap for gap, n in Counter(gaps).items() if n > 1]
    usual = min(repeated) if repeated else (statistics.median(gaps) if gaps else 0.0)
    out: list[str] = []
    for i, (text, y) in enumerate(lines):
        if i and usual and lines[i - 1][1] - y > _PARAGRAPH_GAP * usual:
            out.append("")
        out.append(text)
    return out


def _running_lines(pages: list[list[str]]) -> set[str]:
    """Header and footer lines repeated on most pages (digits ignored), to be dropped."""
    if len(pages) < 2:
        return set()
    counts: Counter[str] = Counter()
    for lines in pages:
        edge = [line for line in lines if line][:2] + [line for line in lines if line][-2:]
        counts.update({re.sub(r"\d+", "#", line) for line in edge})
    return {key for key, n in counts.items() if n > len(pages) / 2}


def _title(reader: Any, blocks: list[Block], stem: str) -> str:
    try:
        raw = (reader.metadata or {}).get("/Title")
    except Exception:  # broken metadata must not fail the document
        raw = None
    title = _WORD_TITLE_PREFIX.sub("", str(raw or "")).strip()
    if (
        re.search(r"\w", title)
        and title.lower() not in _PLACEHOLDERS
        and not re.search(r"\.(docx?|pdf|odt)$", title, re.IGNORECASE)
    ):
        return title
    heading = next((b.text for b in blocks if b.kind == "heading"), None)
    return heading or stem


def _same_start(title: str, line: str) -> bool:
    """Whether a line is the metadata title or its start (the title may add the business: '… — מרפאה שקמה')."""
    a, b = " ".join(normalize(title).split()), " ".join(normalize(line).split())
    return bool(b) and len(b.split()) >= 2 and (a == b or a.startswith(b + " "))


def _meta(reader: Any) -> dict[str, str]:
    out: dict[str, str] = {}
    try:
        info = reader.metadata or {}
        for key in ("/Author", "/Producer", "/Creator"):
            value = str(info.get(key) or "").strip()
            if value and value.lower() not in _PLACEHOLDERS:
                out[key[1:].lower()] = value
    except Exception:  # metadata is optional
        pass
    return out


def load_pdf(data: bytes, *, stem: str) -> LoadedDocument:
    """Load a PDF (see the package docstring for the errors it raises)."""
    reader = _open(data)
    meta = _meta(reader)
    pages: list[list[str]] = []
    failed = 0
    fixed = removed = 0
    for page in reader.pages:
        try:
            raw_lines = _page_lines(page)
        except Exception:  # one broken page stream: keep the others
            failed += 1
            raw_lines = []
        lines: list[str] = []
        for raw in raw_lines:
            line, n = clean_line(raw)
            removed += n
            lines.append(line)
        lines, n_fixed = fix_visual_lines(lines)
        fixed += n_fixed
        pages.append(lines)
    if failed == len(pages) and pages:
        raise LoadError("corrupt", he="אף עמוד לא נקרא", en="no page could be read")
    running = _running_lines(pages)
    blocks: list[Block] = []
    for number, lines in enumerate(pages, start=1):
        kept = [
            line for line in lines if not (line and (is_page_furniture(line) or re.sub(r"\d+", "#", line) in running))
        ]
        blocks.extend(lines_to_blocks(kept, page=number, first=not blocks))
    if not blocks:
        raise LoadError(
            "empty",
            he="לא נמצא טקסט; ייתכן שזו סריקה (תמונה) שצריך להעביר OCR",
            en="no extractable text; it may be a scanned image that needs OCR",
        )
    title = _title(reader, blocks, stem)
    first = blocks[0]
    if first.kind == "paragraph" and len(first.text) <= 120 and _same_start(title, first.text):
        # The document's own title opens it, however many words it has ('נהלים — ביטולים, מקדמות, תשלומים, …').
        blocks[0] = Block("heading", first.text, first.page, 1)
    if fixed:
        meta["visual_order_fixed"] = "true"
        meta["visual_lines_fixed"] = str(fixed)
    if removed:
        meta["bidi_controls_removed"] = str(removed)
    if failed:
        meta["pages_failed"] = str(failed)
    return LoadedDocument(
        title=title,
        mime="application/pdf",
        blocks=tuple(blocks),
        pages=len(pages),
        meta=meta,
    )
