"""Bad files: each yields the right LoadError reason, and never any other exception."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sochen.rag.loaders import LoadedDocument, LoadError, load_bytes, load_document

pytestmark = pytest.mark.unit

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "docs"
EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "tenants"


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("encrypted.pdf", "encrypted"),
        ("truncated.pdf", "corrupt"),
        ("garbage.pdf", "corrupt"),
        ("scanned.pdf", "empty"),
        ("empty.txt", "empty"),
        ("binary.txt", "unreadable"),
        ("unknown.xyz", "unsupported"),
        ("corrupt.docx", "corrupt"),
        ("encrypted.docx", "encrypted"),
    ],
)
def test_bad_fixture_files(name: str, reason: str):
    with pytest.raises(LoadError) as info:
        load_document(FIXTURES / name)
    assert info.value.reason == reason
    assert info.value.message_he and info.value.message_en


def test_scanned_pdf_says_it_may_need_ocr():
    with pytest.raises(LoadError) as info:
        load_document(FIXTURES / "scanned.pdf")
    assert "OCR" in info.value.message_en and "סריקה" in info.value.message_he


def test_pdf_with_empty_user_password_opens():
    doc = load_document(FIXTURES / "owner_password_only.pdf")
    assert [b.text for b in doc.blocks] == ["מסמך לדוגמה", "1. שורה ראשונה של טקסט בעברית.", "2. שורה שנייה, עם ₪100."]


def test_missing_file_and_folder_are_unreadable(tmp_path: Path):
    for path in (tmp_path / "nope.pdf", tmp_path):
        with pytest.raises(LoadError) as info:
            load_document(path)
        assert info.value.reason == "unreadable"


def test_too_large_is_checked_before_reading(tmp_path: Path):
    path = tmp_path / "big.txt"
    path.write_bytes(b"a" * 2_000)
    with pytest.raises(LoadError) as info:
        load_document(path, max_bytes=1_000)
    assert info.value.reason == "too_large"
    with pytest.raises(LoadError) as info:
        load_bytes(b"a" * 2_000, filename="big.txt", max_bytes=1_000)
    assert info.value.reason == "too_large"


def test_docx_zip_bomb_is_too_large(monkeypatch: pytest.MonkeyPatch):
    import sochen.rag.loaders._docx as docx_loader

    data = (EXAMPLES / "lawfirm" / "docs" / "engagement_agreement.docx").read_bytes()
    monkeypatch.setattr(docx_loader, "_MAX_UNPACKED", 10_000)
    with pytest.raises(LoadError) as info:
        load_bytes(data, filename="bomb.docx")
    assert info.value.reason == "too_large"


@pytest.mark.parametrize(
    ("data", "filename", "reason"),
    [
        (b"", "a.pdf", "empty"),
        (b"   \n\n\t\n", "blank.txt", "empty"),
        (b"# \n\n", "blank.md", "empty"),
        (b"<html><body><script>x()</script></body></html>", "a.html", "empty"),
        (b"just text, no pdf header", "a.pdf", "corrupt"),
        (b"plain words", "a.docx", "corrupt"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 50, "scan.txt", "unsupported"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 50, "photo.pdf", "unsupported"),
        (b"{\\rtf1\\ansi hello}", "letter.rtf", "unsupported"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old.doc", "unsupported"),
        (b"plain words", "notes.odt", "unsupported"),
        (b"plain words", "noext", "unsupported"),
        ("\ufeff".encode() + b"\xff\xfe\xfd", "bad-bom.txt", "unreadable"),
    ],
)
def test_bad_bytes(data: bytes, filename: str, reason: str):
    with pytest.raises(LoadError) as info:
        load_bytes(data, filename=filename)
    assert info.value.reason == reason


def test_zip_that_is_not_a_word_document():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
    data = buffer.getvalue()
    for filename, reason in (("sheet.xlsx", "unsupported"), ("sheet.docx", "corrupt")):
        with pytest.raises(LoadError) as info:
            load_bytes(data, filename=filename)
        assert info.value.reason == reason


def test_docx_with_broken_xml_is_corrupt():
    source = (EXAMPLES / "clinic" / "docs" / "price_list.docx").read_bytes()
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(source)) as src, zipfile.ZipFile(buffer, "w") as dst:
        for item in src.infolist():
            body = src.read(item.filename)
            dst.writestr(item, b"<w:document><unclosed>" if item.filename == "word/document.xml" else body)
    with pytest.raises(LoadError) as info:
        load_bytes(buffer.getvalue(), filename="broken.docx")
    assert info.value.reason == "corrupt"


def _mutations() -> list[tuple[str, bytes]]:
    out = []
    for path in sorted(EXAMPLES.glob("*/docs/*.*")) + sorted(FIXTURES.glob("*.*")):
        if path.suffix == ".py" or path.name.startswith("."):
            continue
        data = path.read_bytes()
        out.append((path.name, data[: len(data) // 2]))
        middle = len(data) // 2
        flipped = bytes(b ^ 0x5A for b in data[middle : middle + 64])
        out.append((path.name, data[:middle] + flipped + data[middle + 64 :]))
    return out


@pytest.mark.parametrize(("filename", "data"), _mutations(), ids=lambda v: v if isinstance(v, str) else "")
def test_damaged_files_raise_only_load_error(filename: str, data: bytes):
    try:
        result = load_bytes(data, filename=filename)
    except LoadError as err:
        assert err.reason in {"corrupt", "empty", "unreadable", "unsupported", "encrypted"}
    else:
        assert isinstance(result, LoadedDocument)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.one_of(
        st.binary(max_size=400),
        st.binary(max_size=300).map(lambda b: b"%PDF-1.4\n" + b + b"\n%%EOF"),
        st.binary(max_size=300).map(lambda b: b"PK\x03\x04" + b),
        st.text(max_size=200).map(lambda t: t.encode("utf-8")),
    ),
    suffix=st.sampled_from([".pdf", ".docx", ".html", ".md", ".txt", ".xyz", ""]),
)
def test_arbitrary_bytes_raise_only_load_error(data: bytes, suffix: str):
    try:
        result = load_bytes(data, filename=f"upload{suffix}")
    except LoadError:
        return
    assert isinstance(result, LoadedDocument)
    assert result.blocks
