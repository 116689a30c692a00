"""Document loaders for the knowledge base: bytes in, a title and structural blocks out.

This docstring is the contract; the chunker (:mod:`sochen.rag.chunking`) and ingestion
(:mod:`sochen.rag.ingest`) code against it.

Entry points
    :func:`load_document` reads a path; :func:`load_bytes` loads an upload. Both return a
    :class:`LoadedDocument` or raise :class:`LoadError`, and nothing else for a bad file: every
    pypdf, python-docx, zip, XML and decoding error is wrapped.

The type
    is found by content first (``%PDF-`` anywhere in the first KiB, a zip holding
    ``word/document.xml``, an HTML doctype), then by suffix (:data:`SUPPORTED_SUFFIXES`). So a
    ``.txt`` that is really a PDF loads as a PDF; a zero-byte file is ``empty``; an unknown suffix
    whose content is none of the above is ``unsupported``, as are legacy ``.doc``, spreadsheets and
    images (no OCR here).

Blocks
    come in reading order. ``text`` is display text in logical order with the original characters:
    niqqud, geresh and gershayim are kept; only invisible bidi controls (U+200E/F, U+202A–E,
    U+2066–9, U+FEFF) and repeated spaces are removed. Kinds:

    - ``heading`` with ``level`` 1..6: DOCX styles Title/Heading N (and styles based on them, or an
      outline level), HTML h1–h6, Markdown ``#``; in plain text and PDF a short line without final
      punctuation that does not continue a sentence (level 1 if it opens the document, else 2).
    - ``paragraph``: in plain text and PDF, blank lines (in PDF, line spacing) end a paragraph, and
      a line opening a numbered clause (``4.``, ``4.2``, ``(א)``, ``(1)``, ``א.``, ``סעיף 7``,
      ``פרק ב׳``, ``נספח א׳``) starts a new one, so a clause is never glued to the previous one.
    - ``list_item``: DOCX list paragraphs, HTML ``li``, Markdown and text bullets (marker removed;
      Markdown ordered items keep their number, ``3. ...``).
    - ``table``: one block per table, rows joined by newlines, cells by `` | ``.

    ``page`` is 1-based for PDF; for DOCX only where Word recorded rendered page breaks, else None.

Hebrew specifics
    Plain text is decoded as UTF-8 (BOM or not), UTF-16 with a BOM, then Windows-1255 or
    ISO-8859-8 when the bytes are clearly Hebrew, then charset-normalizer; never a blind guess
    (``meta['encoding']``). Lines stored in visual (reversed) order, as in ISO-8859-8 "visual" files
    and PDFs from some Israeli software, are detected per line with
    :func:`sochen.text.is_visual_order` (with the page or file as context for lines too short to
    judge) and fixed with :func:`sochen.text.fix_visual_order`; ``meta['visual_order_fixed']`` is
    ``'true'`` and ``meta['visual_lines_fixed']`` counts them. PDFs also drop bare page numbers and
    running headers/footers repeated on most pages.

Errors
    ``LoadError.reason`` is one of ``encrypted`` (a password is needed; a PDF that opens with an
    empty password loads), ``corrupt`` (damaged or truncated), ``empty`` (no text; for a PDF, maybe
    a scanned image), ``unsupported``, ``too_large`` (over ``max_bytes``, or a zip bomb) and
    ``unreadable`` (an OS error, binary data in a text file, or an unknown encoding), with a Hebrew
    and an English message.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from ._model import Block, BlockKind, LoadedDocument, LoadError

__all__ = [
    "SUPPORTED_SUFFIXES",
    "Block",
    "BlockKind",
    "LoadError",
    "LoadedDocument",
    "load_bytes",
    "load_document",
]

SUPPORTED_SUFFIXES: frozenset[str] = frozenset({".pdf", ".docx", ".html", ".htm", ".md", ".markdown", ".txt", ".text"})
DEFAULT_MAX_BYTES = 50_000_000

_SUFFIX_KIND = {
    ".pdf": "pdf",
    ".docx": "docx",
    ".html": "html",
    ".htm": "html",
    ".md": "markdown",
    ".markdown": "markdown",
    ".txt": "text",
    ".text": "text",
}
_IMAGES = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"II*\x00", b"MM\x00*")
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_OLE_ENCRYPTION = "EncryptionInfo".encode("utf-16-le")


def _unsupported(he: str, en: str) -> LoadError:
    return LoadError("unsupported", he=he, en=en)


def _sniff(data: bytes, suffix: str) -> str:
    """The loader for these bytes: 'pdf', 'docx', 'html', 'markdown' or 'text' (or a LoadError)."""
    head = data[:1024]
    if b"%PDF-" in head:
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
        except Exception as exc:  # a broken zip
            if suffix == ".docx":
                raise LoadError("corrupt", en=f"{type(exc).__name__}: {exc}"[:200]) from exc
            raise _unsupported("ארכיון ZIP פגום", "a damaged zip archive") from exc
        if "word/document.xml" in names:
            return "docx"
        if suffix == ".docx":
            raise LoadError("corrupt", he="חסר בו word/document.xml", en="no word/document.xml inside")
        raise _unsupported("ארכיון שאינו מסמך Word", "a zip archive that is not a Word document")
    if data.startswith(_OLE):
        if _OLE_ENCRYPTION in data:
            raise LoadError("encrypted", he="מסמך Office מוצפן", en="an encrypted Office document")
        raise _unsupported("קובץ Word ישן (.doc); יש לשמור אותו כ-DOCX", "a legacy .doc; save it as DOCX")
    if data.startswith(_IMAGES):
        raise _unsupported("תמונה; זיהוי טקסט (OCR) אינו נתמך", "an image; OCR is not supported")
    if data.startswith(b"{\\rtf"):
        raise _unsupported("קובץ RTF; יש לשמור אותו כ-DOCX", "an RTF file; save it as DOCX")
    kind = _SUFFIX_KIND.get(suffix)
    if kind == "pdf":
        raise LoadError("corrupt", he="אין בו כותרת PDF", en="no PDF header")
    if kind == "docx":
        raise LoadError("corrupt", he="הקובץ אינו ארכיון DOCX", en="not a DOCX (zip) package")
    if kind is not None:
        return kind
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if start.startswith((b"<!doctype html", b"<html")):
        return "html"
    raise _unsupported(f"סיומת לא מוכרת '{suffix or '—'}'", f"unknown file type '{suffix or '(none)'}'")


def load_bytes(data: bytes, *, filename: str, max_bytes: int = DEFAULT_MAX_BYTES) -> LoadedDocument:
    """Load an upload; `filename` gives the suffix hint and the fallback title."""
    name = Path(filename)
    if not data:
        raise LoadError("empty", he="הקובץ ריק (0 בתים)", en="the file is empty (0 bytes)")
    if len(data) > max_bytes:
        raise LoadError("too_large", he=f"יותר מ-{max_bytes:,} בתים", en=f"over {max_bytes:,} bytes")
    kind = _sniff(data, name.suffix.lower())
    stem = name.stem or name.name or "document"
    try:
        return _load(kind, data, stem)
    except LoadError:
        raise
    except Exception as exc:  # the contract: a bad file never escapes as anything but LoadError
        raise LoadError("corrupt", en=f"{type(exc).__name__}: {exc}"[:200]) from exc


def _load(kind: str, data: bytes, stem: str) -> LoadedDocument:
    if kind == "pdf":
        from ._pdf import load_pdf

        return load_pdf(data, stem=stem)
    if kind == "docx":
        from ._docx import load_docx

        return load_docx(data, stem=stem)
    if kind == "html":
        from ._html import load_html

        return load_html(data, stem=stem)
    if kind == "markdown":
        from ._markdown import load_markdown

        return load_markdown(data, stem=stem)
    from ._plain import load_text

    return load_text(data, stem=stem)


def load_document(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> LoadedDocument:
    """Load a file from disk (size is checked before reading)."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise LoadError("unreadable", he="זה אינו קובץ רגיל", en="not a regular file")
        if size > max_bytes:
            raise LoadError("too_large", he=f"יותר מ-{max_bytes:,} בתים", en=f"over {max_bytes:,} bytes")
        data = path.read_bytes()
    except OSError as exc:
        raise LoadError("unreadable", en=f"{type(exc).__name__}: {exc.strerror or exc}") from exc
    return load_bytes(data, filename=path.name, max_bytes=max_bytes)
