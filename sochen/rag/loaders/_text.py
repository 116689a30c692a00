"""Shared text handling for the text and PDF loaders.

Decoding legacy Hebrew encodings, cleaning lines, fixing visual order, and splitting plain lines
into paragraph, heading and list blocks.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable

from sochen.text import fix_visual_order, has_hebrew, is_visual_order

from ._model import Block, LoadError

__all__ = ["clean_line", "decode_text", "fix_visual_lines", "lines_to_blocks", "opens_clause"]

# ---------------------------------------------------------------------------------------------
# Decoding

_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
# Bytes that are Hebrew in both Windows-1255 and ISO-8859-8: the letters א..ת.
_HEB_LETTER_BYTES = range(0xE0, 0xFB)
# Bytes that only Windows-1255 uses for text: typographic punctuation (0x80–0x9F), ₪ (0xA4, ¤ in
# ISO-8859-8), niqqud, ligatures, geresh and gershayim (0xC0–0xD4).
_CP1255_ONLY = set(range(0x80, 0xA0)) | {0xA4} | set(range(0xC0, 0xD5))
_ASCII_LETTER = re.compile(rb"[A-Za-z]")


def _hebrew_single_byte(data: bytes) -> str | None:
    """'windows-1255' or 'iso-8859-8' when the bytes are clearly Hebrew, else None.

    Both put the letters at 0xE0–0xFA. Bytes only Windows-1255 uses settle it; without them, a file
    in visual order is ISO-8859-8 (visual), the Israeli legacy, and a logical one Windows-1255.

    Latin-1 text also uses 0xE0–0xFA (é, à, ô), but inside Latin words; Hebrew letters form runs of
    their own. So most high bytes must be Hebrew letters, and those letters must rarely touch an
    ASCII letter.
    """
    high = [b for b in data if b >= 0x80]
    letters = [i for i, b in enumerate(data) if b in _HEB_LETTER_BYTES]
    if len(letters) < 3 or len(letters) < 0.6 * len(high):
        return None
    touching = sum(1 for i in letters if _ASCII_LETTER.match(data, max(i - 1, 0)) or _ASCII_LETTER.match(data, i + 1))
    if touching > 0.1 * len(letters):
        return None
    try:
        text = data.decode("windows-1255")
    except UnicodeDecodeError:
        return None
    if any(b in _CP1255_ONLY for b in high):
        return "windows-1255"
    if fix_visual_lines(text.splitlines())[1]:
        try:
            data.decode("iso-8859-8")
            return "iso-8859-8"
        except UnicodeDecodeError:  # a byte ISO-8859-8 leaves undefined: only Windows-1255 fits
            pass
    return "windows-1255"


def _looks_binary(text: str) -> bool:
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\n\r\f")
    return "\x00" in text or controls > max(2, len(text) // 100)


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode text bytes as (text, encoding): BOM, UTF-8, Hebrew single-byte, then charset-normalizer.

    Raises ``LoadError('unreadable')`` for binary data or bytes no detector can explain; nothing is
    decoded by a blind guess.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding.replace("-sig", "")
            except UnicodeDecodeError as exc:
                raise LoadError("unreadable", he="קידוד פגום", en=f"bad {encoding} data") from exc
    if b"\x00" in data:
        raise LoadError("unreadable", he="התוכן בינרי ואינו טקסט", en="the content is binary, not text")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    hebrew = _hebrew_single_byte(data)
    if hebrew is not None:
        return data.decode(hebrew), hebrew
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is not None and best.encoding:
        text = str(best)
        if not _looks_binary(text):
            return text, best.encoding
    raise LoadError("unreadable", he="לא זוהה קידוד התווים", en="unknown character encoding")


# ---------------------------------------------------------------------------------------------
# Lines

# Bidi controls that copy-paste and PDFs inject: invisible, and unbalanced embeddings break the
# display of whatever chunk they end up in. Niqqud and geresh are kept.
_BIDI_CONTROLS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
_SPACES = re.compile(r"[ \t\u00a0]{2,}")


def clean_line(line: str) -> tuple[str, int]:
    """A line without bidi controls or repeated spaces, and how many controls were removed."""
    cleaned, removed = _BIDI_CONTROLS.subn("", line)
    return _SPACES.sub(" ", cleaned).strip(), removed


def _verdict(line: str) -> str:
    if is_visual_order(line, min_votes=1):
        return "visual"
    if is_visual_order(line[::-1], min_votes=1):
        return "logical"
    return "undecided" if has_hebrew(line) else "none"


def fix_visual_lines(lines: list[str]) -> tuple[list[str], int]:
    """Fix the visual-order lines of one page or file; returns the lines and how many were fixed.

    Each line is judged on its own (:func:`sochen.text.is_visual_order`). When the visual lines
    clearly dominate the page, the page was produced in visual order, so Hebrew lines too short to
    judge (a heading without final letters) and weakly visual lines are fixed as well.
    """
    verdicts = [_verdict(line) for line in lines]
    visual, logical = verdicts.count("visual"), verdicts.count("logical")
    page_visual = visual >= 2 and visual >= 3 * logical
    out: list[str] = []
    fixed = 0
    for line, verdict in zip(lines, verdicts, strict=True):
        if (page_visual and verdict in ("visual", "undecided")) or is_visual_order(line):
            out.append(fix_visual_order(line))
            fixed += 1
        else:
            out.append(line)
    return out, fixed


# ---------------------------------------------------------------------------------------------
# Blocks from lines

_HEB = "\u05d0-\u05ea"
_CLAUSE = re.compile(
    r"^(?:"
    r"\d{1,3}\.(?:\d{1,3}\.?)*(?=\s|$)"  # 4.  4.2  4.2.1
    rf"|\((?:[{_HEB}]{{1,2}}|\d{{1,2}}|[a-z]{{1,3}})['׳]?\)"  # (א)  (1)  (a)
    rf"|[{_HEB}]['׳]?[.)](?=\s)"  # א.  ב)
    rf"|(?:סעיף|פרק|נספח|חלק|סימן)\s+[\d{_HEB}]"  # סעיף 7, פרק ב', נספח א'
    r")"
)
_CLAUSE_WORD = re.compile(r"^(?:סעיף|פרק|נספח|חלק|סימן)\s")
_BULLET = re.compile(r"^[•●▪◦·\-–*]\s+")
_SENTENCE_END = re.compile(r"[.,;:!?…]['\"׳״)]?$")
_FURNITURE = re.compile(
    r"^(?:-\s*\d{1,4}\s*-|\d{1,4}|(?:עמוד|עמ['׳]|page)\s*\d{1,4}(?:\s*(?:מתוך|/|of)\s*\d{1,4})?"
    r"|\d{1,4}\s*(?:/|מתוך|of)\s*\d{1,4})$",
    re.IGNORECASE,
)


def opens_clause(line: str) -> bool:
    """Whether a line opens a numbered clause (4., 4.2, (א), (1), סעיף 7, פרק ב׳, נספח א׳)."""
    return _CLAUSE.match(line) is not None


def is_page_furniture(line: str) -> bool:
    """Whether a line is a bare page number ('3', '- 3 -', 'עמוד 3 מתוך 5', 'Page 3 of 5')."""
    return _FURNITURE.match(line) is not None


# Words a heading does not end with: the line must go on ("...לקבוע תור חדש לפי").
_DANGLING = frozenset(
    {
        "של", "לפי", "על", "עד", "או", "את", "כי", "אם", "בין", "עם", "לרבות", "כאמור",
        "בהתאם", "וכן", "אשר", "כגון", "מן", "אל", "גם", "לא", "ולא", "אך", "אולם", "כמו",
    }
)  # fmt: skip


def _heading_like(line: str) -> bool:
    words = line.split()
    return (
        0 < len(line) <= 60
        and len(words) <= 8
        and _SENTENCE_END.search(line) is None
        and words[-1] not in _DANGLING
        and not line.endswith(("-", "־"))
        and re.search(rf"[{_HEB}A-Za-z]", line) is not None
        and _BULLET.match(line) is None
    )


def _is_heading(line: str, following: str | None) -> bool:
    """A heading-like line followed by a blank line, a new block, or a much longer line."""
    if not _heading_like(line):
        return False
    if not following:
        return True
    return (
        opens_clause(following)
        or _BULLET.match(following) is not None
        or _heading_like(following)
        or len(line) <= 0.6 * len(following)
    )


def lines_to_blocks(lines: Iterable[str], *, page: int | None = None, first: bool = True) -> list[Block]:
    """Split cleaned lines into blocks.

    A blank line ends a paragraph; a line that opens a numbered clause or a bullet starts a new one
    (except ``סעיף 7``-style openers that continue an unfinished sentence: a wrapped reference).
    A short line without final punctuation, not ending in a word like של or לפי, that does not
    continue an unfinished sentence and is followed by a blank line, a new block or a much longer
    line, is a heading (level 1 when it opens the document, else 2). `first` says whether these
    lines open the document.
    """
    blocks: list[Block] = []
    current: list[str] = []
    kind = "paragraph"

    def flush() -> None:
        nonlocal current, kind
        if current:
            blocks.append(Block("list_item" if kind == "list_item" else "paragraph", " ".join(current), page))
        current, kind = [], "paragraph"

    stripped = [raw.strip() for raw in lines]
    for i, line in enumerate(stripped):
        if not line:
            flush()
            continue
        continues_sentence = bool(current) and _SENTENCE_END.search(current[-1]) is None
        following = stripped[i + 1] if i + 1 < len(stripped) else None
        if not continues_sentence and _is_heading(line, following):
            flush()
            level = 1 if first and not blocks else 2
            blocks.append(Block("heading", line, page, level))
            continue
        # "סעיף 7" at the start of a wrapped line is usually a reference inside the sentence above.
        if opens_clause(line) and not (continues_sentence and _CLAUSE_WORD.match(line)):
            flush()
            current = [line]
        elif _BULLET.match(line):
            flush()
            current, kind = [_BULLET.sub("", line)], "list_item"
        else:
            current.append(line)
    flush()
    return blocks
