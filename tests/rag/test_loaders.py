"""The loader contract, format by format, on small documents built in the test."""

from __future__ import annotations

import io
from dataclasses import FrozenInstanceError
from pathlib import Path

import pytest

import sochen.rag.loaders as loaders
from sochen.rag.loaders import SUPPORTED_SUFFIXES, Block, LoadedDocument, LoadError, load_bytes, load_document

pytestmark = pytest.mark.unit

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "docs"


def test_public_api_is_exactly_the_contract():
    assert set(loaders.__all__) == {
        "SUPPORTED_SUFFIXES",
        "Block",
        "BlockKind",
        "LoadError",
        "LoadedDocument",
        "load_bytes",
        "load_document",
    }
    assert {".pdf", ".docx", ".html", ".htm", ".md", ".txt"} <= SUPPORTED_SUFFIXES
    assert all(s.startswith(".") and s == s.lower() for s in SUPPORTED_SUFFIXES)


def test_values_are_frozen():
    block = Block("paragraph", "שלום")
    assert block.page is None and block.level is None
    with pytest.raises(FrozenInstanceError):
        block.text = "x"  # type: ignore[misc]
    doc = LoadedDocument(title="t", mime="text/plain", blocks=(block,), pages=None, meta={})
    with pytest.raises(FrozenInstanceError):
        doc.title = "x"  # type: ignore[misc]


def test_load_error_has_reason_and_both_languages():
    err = LoadError("encrypted", he="נדרשת סיסמה", en="a password is needed")
    assert err.reason == "encrypted"
    assert "סיסמה" in err.message_he and "password" in err.message_en
    assert str(err) == f"{err.message_he} / {err.message_en}"
    with pytest.raises(ValueError):
        LoadError("bogus")


# ---------------------------------------------------------------------------------------------
# Plain text


def test_text_paragraphs_clauses_headings_and_bullets():
    text = (
        "הסכם שירות\n"
        "\n"
        "הצדדים מסכימים כי השירות יינתן בימים\n"
        "א׳–ה׳ בלבד, כמפורט להלן.\n"
        "4. השירות יינתן ללקוח.\n"
        "4.2 התשלום יבוצע בתחילת החודש.\n"
        "(א) הודעה תימסר בכתב;\n"
        "(1) בדואר רשום;\n"
        "סעיף 7 להלן יחול.\n"
        "פרק ב' - התחייבויות\n"
        "נספח א' - מחירון.\n"
        "- פריט ראשון\n"
        "• פריט שני\n"
    )
    doc = load_bytes(text.encode(), filename="service.txt")
    kinds = [(b.kind, b.text) for b in doc.blocks]
    assert kinds == [
        ("heading", "הסכם שירות"),
        ("paragraph", "הצדדים מסכימים כי השירות יינתן בימים א׳–ה׳ בלבד, כמפורט להלן."),
        ("paragraph", "4. השירות יינתן ללקוח."),
        ("paragraph", "4.2 התשלום יבוצע בתחילת החודש."),
        ("paragraph", "(א) הודעה תימסר בכתב;"),
        ("paragraph", "(1) בדואר רשום;"),
        ("paragraph", "סעיף 7 להלן יחול."),
        ("heading", "פרק ב' - התחייבויות"),
        ("paragraph", "נספח א' - מחירון."),
        ("list_item", "פריט ראשון"),
        ("list_item", "פריט שני"),
    ]
    assert doc.blocks[0].level == 1 and doc.blocks[7].level == 2
    assert doc.title == "הסכם שירות"
    assert doc.mime == "text/plain" and doc.pages is None
    assert doc.meta["encoding"] == "utf-8"


def test_text_reference_at_line_start_continues_the_sentence():
    text = "4.3 באיחור רשאית המרפאה לקבוע תור חדש לפי\nסעיף 1.2 או סעיף 2.2.\n"
    doc = load_bytes(text.encode(), filename="a.txt")
    assert [b.text for b in doc.blocks] == ["4.3 באיחור רשאית המרפאה לקבוע תור חדש לפי סעיף 1.2 או סעיף 2.2."]


def test_text_title_falls_back_to_file_stem():
    doc = load_bytes("שורה ראשונה היא משפט מלא ולא כותרת.\n".encode(), filename="notes.txt")
    assert doc.title == "notes"


# ---------------------------------------------------------------------------------------------
# Markdown


def test_markdown_structure():
    text = (
        '---\ntitle: "מדריך ללקוח"\nlang: he\n---\n'
        "# שעות פעילות\n\n"
        "המרפאה פתוחה **בימים א׳–ה׳**,\nראו [באתר](https://example.org).\n\n"
        "| ימים | שעות |\n| --- | :---: |\n| א׳–ה׳ | 08:00–19:00 |\n| ו׳ | 08:00–13:00 |\n\n"
        "## חגים\n\n- ראש השנה: סגור\n* יום כיפור: סגור\n\n1. פסח\n2) שבועות\n\n"
        "> הערה חשובה\n\n---\n\n"
        "כותרת setext\n============\n\n```\ncode line\n```\n"
    )
    doc = load_bytes(text.encode(), filename="hours.md")
    assert doc.title == "מדריך ללקוח"
    assert [(b.kind, b.text, b.level) for b in doc.blocks] == [
        ("heading", "שעות פעילות", 1),
        ("paragraph", "המרפאה פתוחה בימים א׳–ה׳, ראו באתר.", None),
        ("table", "ימים | שעות\nא׳–ה׳ | 08:00–19:00\nו׳ | 08:00–13:00", None),
        ("heading", "חגים", 2),
        ("list_item", "ראש השנה: סגור", None),
        ("list_item", "יום כיפור: סגור", None),
        ("list_item", "1. פסח", None),
        ("list_item", "2. שבועות", None),
        ("paragraph", "הערה חשובה", None),
        ("heading", "כותרת setext", 1),
        ("paragraph", "code line", None),
    ]
    assert doc.mime == "text/markdown"


# ---------------------------------------------------------------------------------------------
# HTML


def test_html_blocks_in_order_and_noise_ignored():
    html = """<!doctype html><html lang="he" dir="rtl"><head><title>שאלות נפוצות</title>
    <style>p { color: red }</style><script>var x = "<p>not text</p>";</script></head>
    <body><nav><a href="/">דף הבית</a></nav>
    <h1>השירותים שלנו</h1><p>טיפולי שיניים<br>למבוגרים ולילדים.</p>
    <div>טקסט חופשי <b>בתוך</b> div<p>ופסקה בתוכו</p></div>
    <ul><li>סתימות<ul><li>לבנות</li></ul></li><li>כתרים</li></ul>
    <table><tr><th>טיפול</th><th>מחיר</th></tr><tr><td>ניקוי אבנית</td><td>₪320</td></tr></table>
    <h3>האם זה כואב?</h3><p>לא&nbsp;ממש.</p><noscript>הפעילו JavaScript</noscript></body></html>"""
    doc = load_bytes(html.encode(), filename="faq.html")
    assert doc.title == "שאלות נפוצות"
    assert doc.meta["lang"] == "he"
    assert [(b.kind, b.text, b.level) for b in doc.blocks] == [
        ("heading", "השירותים שלנו", 1),
        ("paragraph", "טיפולי שיניים\nלמבוגרים ולילדים.", None),
        ("paragraph", "טקסט חופשי בתוך div", None),
        ("paragraph", "ופסקה בתוכו", None),
        ("list_item", "סתימות", None),
        ("list_item", "לבנות", None),
        ("list_item", "כתרים", None),
        ("table", "טיפול | מחיר\nניקוי אבנית | ₪320", None),
        ("heading", "האם זה כואב?", 3),
        ("paragraph", "לא ממש.", None),
    ]


def test_html_declared_windows_1255_charset():
    html = '<html><head><meta charset="windows-1255"><title>מחירון</title></head><body><p>ניקוי ₪320</p></body>'
    doc = load_bytes(html.encode("windows-1255"), filename="prices.htm")
    assert doc.blocks[0].text == "ניקוי ₪320"
    assert doc.meta["encoding"] == "cp1255"


# ---------------------------------------------------------------------------------------------
# DOCX


def _docx(build) -> bytes:  # type: ignore[no-untyped-def]
    import docx

    document = docx.Document()
    build(document)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_docx_headings_lists_and_tables_in_document_order():
    def build(d):  # type: ignore[no-untyped-def]
        d.core_properties.title = "הסכם לדוגמה"
        d.core_properties.author = 'עו"ד דנה מזרחי'
        d.add_heading("הסכם התקשרות", level=0)
        d.add_paragraph("פתיח להסכם.")
        d.add_heading("1. שכר טרחה", level=1)
        d.add_paragraph("שעה ראשונה", style="List Bullet")
        table = d.add_table(rows=2, cols=2)
        table.cell(0, 0).text, table.cell(0, 1).text = "תפקיד", "תעריף"
        table.cell(1, 0).text, table.cell(1, 1).text = "שותף", "₪1,200\nלשעה"
        d.add_heading("1.1 פירוט", level=2)
        d.add_paragraph("")
        d.add_paragraph("סוף.")

    doc = load_bytes(_docx(build), filename="engagement.docx")
    assert doc.title == "הסכם לדוגמה"
    assert doc.meta["author"] == 'עו"ד דנה מזרחי'
    assert doc.pages is None
    assert [(b.kind, b.text, b.level, b.page) for b in doc.blocks] == [
        ("heading", "הסכם התקשרות", 1, None),
        ("paragraph", "פתיח להסכם.", None, None),
        ("heading", "1. שכר טרחה", 1, None),
        ("list_item", "שעה ראשונה", None, None),
        ("table", "תפקיד | תעריף\nשותף | ₪1,200 לשעה", None, None),
        ("heading", "1.1 פירוט", 2, None),
        ("paragraph", "סוף.", None, None),
    ]


def test_docx_merged_cells_appear_once():
    def build(d):  # type: ignore[no-untyped-def]
        table = d.add_table(rows=2, cols=3)
        merged = table.cell(0, 0).merge(table.cell(0, 2))
        merged.text = "כותרת ממוזגת"
        for i, value in enumerate(["א", "ב", "ג"]):
            table.cell(1, i).text = value

    doc = load_bytes(_docx(build), filename="t.docx")
    assert doc.blocks[0].text == "כותרת ממוזגת\nא | ב | ג"


def test_docx_pages_from_rendered_page_breaks():
    from docx.oxml import OxmlElement

    def build(d):  # type: ignore[no-untyped-def]
        d.add_paragraph("עמוד ראשון.")
        second = d.add_paragraph()
        second.runs  # noqa: B018
        run = second.add_run()
        run._r.append(OxmlElement("w:lastRenderedPageBreak"))
        second.add_run("עמוד שני.")
        d.add_paragraph("עוד בעמוד השני.")

    doc = load_bytes(_docx(build), filename="paged.docx")
    assert [(b.text, b.page) for b in doc.blocks] == [("עמוד ראשון.", 1), ("עמוד שני.", 2), ("עוד בעמוד השני.", 2)]
    assert doc.pages == 2


# ---------------------------------------------------------------------------------------------
# Paths and sniffing


def test_load_document_reads_a_path(tmp_path: Path):
    path = tmp_path / "note.txt"
    path.write_text("שלום עולם, זה משפט.", encoding="utf-8")
    doc = load_document(path)
    assert doc.blocks[0].text == "שלום עולם, זה משפט."
    assert doc.title == "note"


def test_content_beats_the_suffix():
    doc = load_document(FIXTURES / "really_a_pdf.txt")
    assert doc.mime == "application/pdf"
    assert doc.blocks[0].text == "מסמך לדוגמה"


def test_unknown_suffix_with_html_content_is_sniffed():
    doc = load_bytes("<!DOCTYPE html><html><body><h1>כותרת</h1></body></html>".encode(), filename="page")
    assert doc.mime == "text/html" and doc.blocks[0].text == "כותרת"
