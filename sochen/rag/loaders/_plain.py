"""Plain text (.txt): UTF-8 with or without BOM, UTF-16 with BOM, Windows-1255, ISO-8859-8 (visual)."""

from __future__ import annotations

from ._model import LoadedDocument, LoadError
from ._text import clean_line, decode_text, fix_visual_lines, lines_to_blocks

__all__ = ["load_text"]


def load_text(data: bytes, *, stem: str) -> LoadedDocument:
    """Load plain text; the encoding found is recorded in ``meta['encoding']``."""
    text, encoding = decode_text(data)
    meta = {"encoding": encoding}
    lines: list[str] = []
    removed = 0
    for raw in text.splitlines():
        line, n = clean_line(raw)
        lines.append(line)
        removed += n
    lines, fixed = fix_visual_lines(lines)
    if fixed:
        meta["visual_order_fixed"] = "true"
        meta["visual_lines_fixed"] = str(fixed)
    if removed:
        meta["bidi_controls_removed"] = str(removed)
    blocks = lines_to_blocks(lines)
    if not blocks:
        raise LoadError("empty", he="הקובץ ריק", en="the file is blank")
    title = blocks[0].text if blocks[0].kind == "heading" else stem
    return LoadedDocument(title=title, mime="text/plain", blocks=tuple(blocks), pages=None, meta=meta)
