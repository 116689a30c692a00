"""DOCX via python-docx: headings by style, paragraphs, list paragraphs and tables in document order."""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any

from ._model import Block, LoadedDocument, LoadError
from ._text import clean_line

__all__ = ["load_docx"]

# Unpacked size beyond which a DOCX is treated as a zip bomb.
_MAX_UNPACKED = 500_000_000
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_HEADING_STYLE = re.compile(r"^heading\s*(\d)$", re.IGNORECASE)


def _open(data: bytes) -> Any:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > _MAX_UNPACKED:
                raise LoadError("too_large", he="התוכן הפרוס גדול מדי", en="unpacked content too large")
        import docx

        return docx.Document(io.BytesIO(data))
    except LoadError:
        raise
    except Exception as exc:  # zipfile, lxml and python-docx errors all mean a broken file
        raise LoadError("corrupt", en=f"{type(exc).__name__}: {exc}"[:200]) from exc


def _heading_level(paragraph: Any) -> int | None:
    style = paragraph.style
    for _ in range(5):  # custom styles based on a heading style count as that heading
        if style is None:
            break
        name = (style.name or "").strip()
        if name.lower() == "title":
            return 1
        if name.lower() == "subtitle":
            return 2
        m = _HEADING_STYLE.match(name)
        if m:
            return min(max(int(m.group(1)), 1), 6)
        style = style.base_style
    outline = paragraph._p.find(f"{_W}pPr/{_W}outlineLvl")
    if outline is not None:
        value = outline.get(f"{_W}val", "")
        if value.isdigit() and int(value) < 6:
            return int(value) + 1
    return None


def _is_list(paragraph: Any) -> bool:
    if paragraph._p.find(f"{_W}pPr/{_W}numPr") is not None:
        return True
    name = (paragraph.style.name or "") if paragraph.style is not None else ""
    return name.lower().startswith("list")


def _page_breaks(element: Any) -> tuple[int, int]:
    """Rendered page breaks before the element's first text, and after it."""
    before = after = 0
    seen_text = False
    for node in element.iter(f"{_W}lastRenderedPageBreak", f"{_W}t"):
        if node.tag == f"{_W}t":
            seen_text = seen_text or bool(node.text)
        elif seen_text:
            after += 1
        else:
            before += 1
    return before, after


def _table_text(table: Any) -> str:
    rows: list[str] = []
    for row in table.rows:
        cells: list[str] = []
        previous = None
        for cell in row.cells:
            if cell._tc is previous:  # a merged cell is listed once per grid column it spans
                continue
            previous = cell._tc
            cells.append(clean_line(cell.text.replace("\n", " "))[0])
        if any(cells):
            rows.append(" | ".join(cells).rstrip())
    return "\n".join(rows)


def load_docx(data: bytes, *, stem: str) -> LoadedDocument:
    """Load a DOCX; pages are known only where Word recorded rendered page breaks."""
    document = _open(data)
    try:
        body = document.element.body
        paged = next(body.iter(f"{_W}lastRenderedPageBreak"), None) is not None
        page = 1
        blocks: list[Block] = []
        for item in document.iter_inner_content():
            before, after = _page_breaks(item._element)
            page += before
            where = page if paged else None
            if item._element.tag == f"{_W}tbl":
                text = _table_text(item)
                if text:
                    blocks.append(Block("table", text, where))
            else:
                text = clean_line(item.text)[0]
                if text:
                    level = _heading_level(item)
                    if level is not None:
                        blocks.append(Block("heading", text, where, level))
                    elif _is_list(item):
                        blocks.append(Block("list_item", text, where))
                    else:
                        blocks.append(Block("paragraph", text, where))
            page += after
        props = document.core_properties
        title = (props.title or "").strip()
        author = (props.author or "").strip()
    except LoadError:
        raise
    except Exception as exc:  # malformed XML inside an otherwise valid package
        raise LoadError("corrupt", en=f"{type(exc).__name__}: {exc}"[:200]) from exc
    if not blocks:
        raise LoadError("empty", he="המסמך ריק", en="the document has no text")
    if not title:
        title = next((b.text for b in blocks if b.kind == "heading"), stem)
    meta = {"author": author} if author else {}
    return LoadedDocument(
        title=title,
        mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        blocks=tuple(blocks),
        pages=page if paged else None,
        meta=meta,
    )
