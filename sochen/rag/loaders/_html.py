"""HTML via beautifulsoup4 with the stdlib parser: h1–h6, p, li, tables; script, style and nav ignored."""

from __future__ import annotations

import codecs
import re
from typing import Any

from ._model import Block, BlockKind, LoadedDocument, LoadError
from ._text import clean_line, decode_text

__all__ = ["decode_html", "load_html"]

_SKIP = frozenset({"script", "style", "nav", "noscript", "template", "head", "svg", "iframe", "button", "select"})
_HEADINGS = {f"h{n}": n for n in range(1, 7)}
_CONTAINERS = frozenset(
    {
        "html", "body", "div", "section", "article", "main", "header", "footer", "aside", "blockquote",
        "ul", "ol", "dl", "dt", "dd", "figure", "figcaption", "address", "form", "fieldset", "details",
        "summary", "center", "hgroup", "search", "menu",
    }
)  # fmt: skip
_BLOCKISH = _CONTAINERS | set(_HEADINGS) | {"p", "li", "table", "pre", "tr", "td", "th"}
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.IGNORECASE)


def decode_html(data: bytes) -> tuple[str, str]:
    """Decode HTML by its declared charset when that works, else like plain text."""
    m = _CHARSET.search(data[:4096])
    if m and not data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            encoding = codecs.lookup(m.group(1).decode("ascii")).name
            return data.decode(encoding), encoding
        except (LookupError, UnicodeDecodeError):
            pass
    return decode_text(data)


def _is_text(node: Any) -> bool:
    from bs4 import NavigableString
    from bs4.element import PreformattedString

    return isinstance(node, NavigableString) and not isinstance(node, PreformattedString)


def _raw_text(node: Any, *, skip_lists: bool = False) -> str:
    """Text of a node with <br> as a newline, skipping ignored tags (and nested lists when asked)."""
    parts: list[str] = []
    for child in node.children:
        if _is_text(child):
            parts.append(str(child))
        elif getattr(child, "name", None) == "br":
            parts.append("\n")
        elif getattr(child, "name", None) in _SKIP or (skip_lists and child.name in ("ul", "ol")):
            continue
        elif getattr(child, "name", None) is not None:
            parts.append(_raw_text(child, skip_lists=skip_lists))
    return "".join(parts)


def _clean(raw: str) -> str:
    lines = (clean_line(" ".join(line.split()))[0] for line in raw.split("\n"))
    return "\n".join(line for line in lines if line)


def _table_text(table: Any) -> str:
    rows: list[str] = []
    for tr in table.find_all("tr"):
        if tr.find_parent("table") is not table:
            continue  # a row of a nested table: part of its cell's text
        cells = [_clean(_raw_text(cell)).replace("\n", " ") for cell in tr.find_all(["td", "th"], recursive=False)]
        if any(cells):
            rows.append(" | ".join(cells).rstrip())
    return "\n".join(rows)


class _Walker:
    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.buffer: list[str] = []

    def flush(self) -> None:
        text = _clean("".join(self.buffer))
        self.buffer = []
        if text:
            self.blocks.append(Block("paragraph", text))

    def add(self, kind: BlockKind, text: str, level: int | None = None) -> None:
        self.flush()
        if text:
            self.blocks.append(Block(kind, text, None, level))

    def walk(self, node: Any) -> None:
        for child in node.children:
            name = getattr(child, "name", None)
            if name is None:
                if _is_text(child):
                    self.buffer.append(str(child))
            elif name in _SKIP:
                continue
            elif name == "br":
                self.buffer.append("\n")
            elif name in _HEADINGS:
                self.add("heading", _clean(_raw_text(child)).replace("\n", " "), _HEADINGS[name])
            elif name in ("p", "pre"):
                self.add("paragraph", _clean(_raw_text(child)))
            elif name == "li":
                self.add("list_item", _clean(_raw_text(child, skip_lists=True)))
                for nested in child.find_all(["ul", "ol"], recursive=False):
                    self.walk(nested)
                    self.flush()
            elif name == "table":
                self.add("table", _table_text(child))
            elif name in _CONTAINERS or child.find(_BLOCKISH) is not None:
                self.flush()
                self.walk(child)
                self.flush()
            else:  # inline element
                self.buffer.append(_raw_text(child))


def load_html(data: bytes, *, stem: str) -> LoadedDocument:
    """Load HTML; the title is <title>, else the first heading, else the file name."""
    text, encoding = decode_html(data)
    try:
        from bs4 import BeautifulSoup

        soup = BeautifulSoup(text, "html.parser")
        walker = _Walker()
        walker.walk(soup)
        walker.flush()
        title_tag = soup.find("title")
        title = _clean(title_tag.get_text()) if title_tag is not None else ""
        html_tag = soup.find("html")
        lang = str(html_tag.get("lang") or "") if html_tag is not None else ""
    except RecursionError as exc:
        raise LoadError("corrupt", he="קינון עמוק מדי", en="the HTML is nested too deeply") from exc
    blocks = walker.blocks
    if not blocks:
        raise LoadError("empty", he="אין בדף טקסט", en="the page has no text")
    if not title:
        title = next((b.text for b in blocks if b.kind == "heading"), stem)
    meta = {"encoding": encoding}
    if lang:
        meta["lang"] = lang
    return LoadedDocument(title=title, mime="text/html", blocks=tuple(blocks), pages=None, meta=meta)
