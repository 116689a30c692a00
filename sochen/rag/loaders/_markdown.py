"""Markdown without a dependency: ATX and setext headings, lists, pipe tables, fences, paragraphs."""

from __future__ import annotations

import re

from ._model import Block, BlockKind, LoadedDocument, LoadError
from ._text import clean_line, decode_text

__all__ = ["load_markdown"]

_ATX = re.compile(r"^ {0,3}(#{1,6})\s+(.*?)(?:\s+#+)?\s*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)\s*$")
_BULLET = re.compile(r"^\s*[-*+]\s+(.*)$")
_ORDERED = re.compile(r"^\s*(\d{1,3})[.)]\s+(.*)$")
_FENCE = re.compile(r"^ {0,3}(```|~~~)")
_RULE = re.compile(r"^ {0,3}(?:(?:\*\s*){3,}|(?:-\s*){3,}|(?:_\s*){3,})$")
_TABLE_SEP = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?\s*$")
_QUOTE = re.compile(r"^\s*>\s?")
_FRONT_TITLE = re.compile(r"^title\s*:\s*(?:\"(.*)\"|'(.*)'|(.*?))\s*$", re.IGNORECASE)

_INLINE = (
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), r"\1"),  # images -> alt text
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),  # links -> their text
    (re.compile(r"<br\s*/?>", re.IGNORECASE), " "),
    (re.compile(r"(\*\*|__)(.+?)\1"), r"\2"),
    (re.compile(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])"), r"\1"),
    (re.compile(r"`([^`]*)`"), r"\1"),
    (re.compile(r"\\([\\`*_{}\[\]()#+\-.!|])"), r"\1"),
)


def _inline(text: str) -> str:
    for pattern, repl in _INLINE:
        text = pattern.sub(repl, text)
    return clean_line(text)[0]


def _cells(line: str) -> list[str]:
    line = line.strip()
    line = line[1:] if line.startswith("|") else line
    line = line[:-1] if line.endswith("|") and not line.endswith("\\|") else line
    return [_inline(cell) for cell in re.split(r"(?<!\\)\|", line)]


def _front_matter(lines: list[str]) -> tuple[str, int]:
    """The front-matter title and the index of the first body line."""
    if not lines or lines[0].strip() != "---":
        return "", 0
    for i in range(1, min(len(lines), 60)):
        if lines[i].strip() in ("---", "..."):
            for line in lines[1:i]:
                if m := _FRONT_TITLE.match(line):
                    return next(g for g in m.groups() if g is not None), i + 1
            return "", i + 1
    return "", 0


def _parse(lines: list[str]) -> list[Block]:
    blocks: list[Block] = []
    para: list[str] = []
    kind: BlockKind = "paragraph"

    def flush() -> None:
        nonlocal para, kind
        text = " ".join(_inline(p) for p in para).strip()
        if text:
            blocks.append(Block(kind, text))
        para, kind = [], "paragraph"

    i = 0
    while i < len(lines):
        line = lines[i]
        if _FENCE.match(line):
            flush()
            fence = _FENCE.match(line).group(1)  # type: ignore[union-attr]
            body: list[str] = []
            i += 1
            while i < len(lines) and not lines[i].lstrip().startswith(fence):
                body.append(lines[i])
                i += 1
            code = "\n".join(clean_line(b)[0] for b in body).strip()
            if code:
                blocks.append(Block("paragraph", code))
        elif not line.strip():
            flush()
        elif m := _ATX.match(line):
            flush()
            if text := _inline(m.group(2)):
                blocks.append(Block("heading", text, None, len(m.group(1))))
        elif para and kind == "paragraph" and len(para) == 1 and _SETEXT.match(line):
            text = _inline(para[0])
            para = []
            blocks.append(Block("heading", text, None, 1 if line.strip()[0] == "=" else 2))
        elif _RULE.match(line):
            flush()
        elif "|" in line and i + 1 < len(lines) and _TABLE_SEP.match(lines[i + 1]):
            flush()
            rows = [_cells(line)]
            i += 2
            while i < len(lines) and "|" in lines[i] and lines[i].strip():
                rows.append(_cells(lines[i]))
                i += 1
            blocks.append(Block("table", "\n".join(" | ".join(r).rstrip() for r in rows if any(r))))
            continue
        elif m := _BULLET.match(line):
            flush()
            para, kind = [m.group(1)], "list_item"
        elif m := _ORDERED.match(line):
            flush()
            para, kind = [f"{m.group(1)}. {m.group(2)}"], "list_item"
        else:
            para.append(_QUOTE.sub("", line))
        i += 1
    flush()
    return blocks


def load_markdown(data: bytes, *, stem: str) -> LoadedDocument:
    """Load Markdown; the title is the front-matter title, else the first heading, else the file name."""
    text, encoding = decode_text(data)
    lines = text.splitlines()
    title, start = _front_matter(lines)
    blocks = _parse(lines[start:])
    if not blocks:
        raise LoadError("empty", he="המסמך ריק", en="the document has no text")
    title = title or next((b.text for b in blocks if b.kind == "heading"), stem)
    return LoadedDocument(
        title=title, mime="text/markdown", blocks=tuple(blocks), pages=None, meta={"encoding": encoding}
    )
