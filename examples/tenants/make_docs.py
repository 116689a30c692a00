"""Generate the example tenants' Hebrew documents (PDF and DOCX) from their sources.

    .venv/bin/python examples/tenants/make_docs.py [TENANT ...]

Sources are Markdown-like files in ``<tenant>/docs/.source/`` (hidden, so ingestion skips them);
the Markdown, HTML and text documents are written by hand and committed as they are, except the
clinic's privacy policy, which is stored in Windows-1255 from its UTF-8 source here. Outputs are
committed, so nothing here is needed at run time or in CI.

Tools: reportlab (the project's ``dev`` extra) and python-docx; the Culmus Hebrew fonts
(``apt-get install culmus``: Frank Ruehl CLM) with DejaVu Sans (``fonts-dejavu``) as fallback.
No LibreOffice.

Why our own PDF layout: a PDF shows glyphs where it places them, but text extraction reads them in
content-stream order, and pypdf reverses a right-to-left run that arrives in one string. So each
line is laid out with a small subset of the Unicode bidi algorithm (enough for Hebrew with
numbers, Latin and ₪), each right-to-left run is written as one string in visual order (pypdf
turns it back), each left-to-right run as one string, and the spaces and punctuation between runs
glyph by glyph in logical order at their visual places. The page then reads correctly and pypdf
extracts logical-order Hebrew; ``check()`` verifies that against the source for every PDF.
:func:`visual_line` gives the same layout as one visual-order string, which the test fixtures use
to build a PDF stored in visual order.

Source syntax: ``# `` title, ``## `` section heading, ``- `` bullet, ``| a | b |`` table row (the
first row is the header), ``@meta key: value`` document properties; every other non-empty line is
one paragraph.
"""

from __future__ import annotations

import io
import re
import sys
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
FIXED_TIME = datetime(2026, 1, 1, 9, 0, 0)
FONT_DIRS = (Path("/usr/share/fonts/truetype/culmus"), Path("/usr/share/fonts/truetype/dejavu"))
FONTS = {
    "regular": ("FrankRuehlCLM-Medium.ttf", "DejaVuSans.ttf"),
    "bold": ("FrankRuehlCLM-Bold.ttf", "DejaVuSans-Bold.ttf"),
}

# --------------------------------------------------------------------------------------------
# Bidi, the subset we need: strong R (Hebrew), L (Latin), EN (digits) with separators and
# terminators (W4, W5, W7), neutrals resolved by their neighbours (N1, N2), paragraph level 1.


def _bidi_class(ch: str) -> str:
    if "\u0590" <= ch <= "\u05ff" or "\ufb1d" <= ch <= "\ufb4f":
        return "R"
    if ch.isdigit():
        return "EN"
    if ch.isalpha():
        return "L"
    if ch in "+-":
        return "ES"
    if ch in ",.:/":
        return "CS"
    if ch in "₪$%#€£°":
        return "ET"
    return "ON"


def bidi_runs(text: str) -> list[tuple[str, int]]:
    """Logical-order runs of `text` in a right-to-left paragraph, as (text, level 1 or 2)."""
    types = [_bidi_class(ch) for ch in text]
    n = len(types)
    for i in range(1, n - 1):  # W4
        if types[i] in ("ES", "CS") and types[i - 1] == "EN" and types[i + 1] == "EN":
            types[i] = "EN"
    for i in range(n):  # W5: terminators next to a number join it
        if types[i] == "ET":
            j = i
            while j < n and types[j] == "ET":
                j += 1
            if (i > 0 and types[i - 1] == "EN") or (j < n and types[j] == "EN"):
                for k in range(i, j):
                    types[k] = "EN"
    types = ["ON" if t in ("ES", "CS", "ET") else t for t in types]  # W6
    strong = "R"
    for i, t in enumerate(types):  # W7
        if t in ("L", "R"):
            strong = t
        elif t == "EN" and strong == "L":
            types[i] = "L"
    i = 0
    while i < n:  # N1, N2
        if types[i] != "ON":
            i += 1
            continue
        j = i
        while j < n and types[j] == "ON":
            j += 1
        before = "R" if i == 0 or types[i - 1] in ("R", "EN") else "L"
        after = "R" if j == n or types[j] in ("R", "EN") else "L"
        for k in range(i, j):
            types[k] = before if before == after else "R"
        i = j
    levels = [1 if t == "R" else 2 for t in types]
    runs: list[tuple[str, int]] = []
    for ch, level in zip(text, levels, strict=True):
        if runs and runs[-1][1] == level:
            runs[-1] = (runs[-1][0] + ch, level)
        else:
            runs.append((ch, level))
    return runs


def _reverse_clusters(text: str) -> str:
    """`text` reversed letter by letter, each letter keeping its niqqud after it."""
    return "".join(reversed(re.findall(r".[\u0591-\u05c7]*", text, flags=re.DOTALL)))


def visual_line(text: str) -> str:
    """The line as displayed, left to right (what a visual-order file stores)."""
    mirror = str.maketrans("()[]{}<>", ")(][}{><")
    runs = reversed(bidi_runs(text))
    return "".join(_reverse_clusters(t).translate(mirror) if level == 1 else t for t, level in runs)


# pypdf's view of a character: it reverses right-to-left runs and keeps "neutral" ones in place.
def _pypdf_rtl(ch: str) -> bool:
    return "\u0590" <= ch <= "\u08ff" or "\ufb1d" <= ch <= "\ufdff"


def _pypdf_neutral(ch: str) -> bool:
    o = ord(ch)
    return o <= 0x2F or 0x3A <= o <= 0x40 or 0x2000 <= o <= 0x206F or 0x20A0 <= o <= 0x21FF


# --------------------------------------------------------------------------------------------
# PDF


def _font_path(kind: str) -> Path:
    for name in FONTS[kind]:
        for folder in FONT_DIRS:
            if (folder / name).exists():
                return folder / name
    raise SystemExit(f"no font for {kind}: install culmus or fonts-dejavu")


def register_fonts() -> None:
    """Register the regular and bold Hebrew fonts with reportlab as 'he' and 'he-bold'."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    pdfmetrics.registerFont(TTFont("he", str(_font_path("regular"))))
    pdfmetrics.registerFont(TTFont("he-bold", str(_font_path("bold"))))


def draw_rtl_line(canvas: object, text: str, right: float, y: float, font: str, size: float) -> None:
    """Draw one logical-order line, right-aligned at `right`, so it displays and extracts correctly."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    def width(s: str) -> float:
        return stringWidth(s, font, size)

    ops: list[tuple[float, str]] = []  # (x, string) in emission order
    x_right = right
    for run, level in bidi_runs(text):
        run_left = x_right - width(run)
        if level == 1 and re.search(r"[()\[\]{}<>]", run):
            raise ValueError(f"brackets would need mirrored glyphs: {run!r}")
        strong = [i for i, ch in enumerate(run) if not _pypdf_neutral(ch)]
        first, last = (strong[0], strong[-1]) if strong else (len(run), -1)
        for i, ch in enumerate(run):
            if first <= i <= last:
                if i == first:
                    core = run[first : last + 1]
                    if level == 1:
                        if not all(_pypdf_rtl(c) or _pypdf_neutral(c) for c in core):
                            raise ValueError(f"cannot place {core!r} in a right-to-left run")
                        ops.append((x_right - width(run[: last + 1]), core[::-1]))
                    else:
                        if any(_pypdf_rtl(c) for c in core):
                            raise ValueError(f"right-to-left letters inside a left-to-right run: {core!r}")
                        ops.append((run_left + width(run[:first]), core))
                continue
            x = x_right - width(run[: i + 1]) if level == 1 else run_left + width(run[:i])
            ops.append((x, ch))  # a neutral between runs: its own string, in logical order
        x_right = run_left
    for x, s in ops:
        # A text object per string, shown with textOut: drawString would add a T* (a line feed).
        obj = canvas.beginText(x, y)  # type: ignore[attr-defined]
        obj.setFont(font, size)
        obj.textOut(s)
        canvas.drawText(obj)  # type: ignore[attr-defined]


@dataclass
class Doc:
    """A parsed source: properties and (kind, text) items."""

    meta: dict[str, str] = field(default_factory=dict)
    items: list[tuple[str, str]] = field(default_factory=list)


def parse_source(path: Path) -> Doc:
    """Parse a source file (see the module docstring for the syntax)."""
    doc = Doc()
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            continue
        if m := re.match(r"^@meta\s+(\w+):\s*(.*)$", line):
            doc.meta[m.group(1)] = m.group(2)
        elif line.startswith("## "):
            doc.items.append(("h2", line[3:]))
        elif line.startswith("# "):
            doc.items.append(("h1", line[2:]))
        elif line.startswith("- "):
            doc.items.append(("li", line[2:]))
        elif line.startswith("|"):
            doc.items.append(("tr", line))
        else:
            doc.items.append(("p", line))
    return doc


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if current and stringWidth(candidate, font, size) > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    if current:
        lines.append(current)
    return lines


def render_pdf(doc: Doc, out: Path) -> dict[str, int]:
    """Write `doc` as an A4 PDF; returns the page on which each numbered clause starts."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.pdfgen.canvas import Canvas

    page_w, page_h = A4
    margin, top, bottom = 62.0, 70.0, 70.0
    right, usable = page_w - margin, page_w - 2 * margin
    styles = {"h1": ("he-bold", 16.0, 14.0), "h2": ("he-bold", 12.5, 12.0), "p": ("he", 11.0, 9.0)}
    # Lay out first, so the footer can say "page N of M".
    pages: list[list[tuple[str, float, str, float, bool]]] = [[]]
    clause_pages: dict[str, int] = {}
    y = page_h - top
    for kind, text in doc.items:
        font, size, before = styles.get(kind, styles["p"])
        lines = _wrap(f"– {text}" if kind == "li" else text, font, size, usable)
        height = size * 1.5
        y -= before if pages[-1] else 0
        keep = 3 if kind in ("h1", "h2") else min(len(lines), 2)  # a heading keeps two lines with it
        if y - height * keep < bottom:
            pages.append([])
            y = page_h - top
        if m := re.match(r"^(\d{1,2}(?:\.\d{1,2})?)\.?\s", text):
            clause_pages.setdefault(m.group(1), len(pages))
        for line in lines:
            if y - height < bottom:
                pages.append([])
                y = page_h - top
            y -= height
            pages[-1].append((line, y, font, size, kind == "h1"))
    canvas = Canvas(str(out), pagesize=A4, pageCompression=1, invariant=1)
    canvas.setTitle(doc.meta.get("title", ""))
    canvas.setAuthor(doc.meta.get("author", ""))
    canvas.setSubject(doc.meta.get("subject", ""))
    canvas.setCreator("Sochen examples/tenants/make_docs.py")
    header = doc.meta.get("header", "")
    for number, lines in enumerate(pages, start=1):
        if header:
            draw_rtl_line(canvas, header, right, page_h - 40, "he", 8.5)
            canvas.setLineWidth(0.4)
            canvas.line(margin, page_h - 46, right, page_h - 46)
        for line, ly, font, size, centred in lines:
            at = right - (usable - stringWidth(line, font, size)) / 2 if centred else right
            draw_rtl_line(canvas, line, at, ly, font, size)
        footer = f"עמוד {number} מתוך {len(pages)}"
        draw_rtl_line(canvas, footer, page_w / 2 + stringWidth(footer, "he", 9) / 2, 38, "he", 9)
        canvas.showPage()
    canvas.save()
    return clause_pages


def check_pdf(doc: Doc, path: Path) -> None:
    """Fail unless pypdf extracts every paragraph of `doc` from `path` in logical order."""
    from pypdf import PdfReader

    text = " ".join(page.extract_text() for page in PdfReader(path).pages)
    flat = " ".join(text.split())
    for kind, item in doc.items:
        expected = " ".join((f"– {item}" if kind == "li" else item).split())
        if expected not in flat:
            raise SystemExit(f"{path.name}: pypdf does not extract {expected[:60]!r} in logical order")


# --------------------------------------------------------------------------------------------
# DOCX


def _rtl(paragraph: object) -> None:
    from docx.oxml import OxmlElement

    p_pr = paragraph._p.get_or_add_pPr()  # type: ignore[attr-defined]
    p_pr.insert(0, OxmlElement("w:bidi"))
    for run in paragraph.runs:  # type: ignore[attr-defined]
        r_pr = run._r.get_or_add_rPr()
        r_pr.append(OxmlElement("w:rtl"))


def render_docx(doc: Doc, out: Path) -> None:
    """Write `doc` as a right-to-left DOCX with Heading styles, bullets and tables."""
    import docx
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    document = docx.Document()
    normal = document.styles["Normal"]
    normal.font.name = "David"
    normal.font.size = Pt(11)
    r_pr = normal.element.get_or_add_rPr()
    fonts = r_pr.find(qn("w:rFonts"))
    fonts.set(qn("w:cs"), "David")
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "he-IL")
    lang.set(qn("w:bidi"), "he-IL")
    r_pr.append(lang)
    props = document.core_properties
    props.title = doc.meta.get("title", "")
    props.author = doc.meta.get("author", "")
    props.subject = doc.meta.get("subject", "")
    props.language = "he-IL"
    props.created = props.modified = FIXED_TIME
    props.last_modified_by = doc.meta.get("author", "")
    props.revision = 1
    rows: list[list[str]] = []

    def flush_table() -> None:
        if not rows:
            return
        table = document.add_table(rows=len(rows), cols=len(rows[0]))
        table.style = "Table Grid"
        table._tbl.tblPr.append(OxmlElement("w:bidiVisual"))
        table.autofit = False
        longest = [max(len(row[c]) for row in rows) + 4 for c in range(len(rows[0]))]
        for c, column in enumerate(table.columns):  # widths in proportion to the longest cell
            for cell in column.cells:
                cell.width = Cm(16.0 * longest[c] / sum(longest))
        for r, cells in enumerate(rows):
            for c, value in enumerate(cells):
                cell = table.cell(r, c)
                cell.text = value
                for paragraph in cell.paragraphs:
                    _rtl(paragraph)
                    if r == 0:
                        for run in paragraph.runs:
                            run.bold = True
        rows.clear()

    for kind, text in doc.items:
        if kind == "tr":
            rows.append([cell.strip() for cell in text.strip().strip("|").split("|")])
            continue
        flush_table()
        if kind in ("h1", "h2"):
            paragraph = document.add_heading(text, level=0 if kind == "h1" else 1)
        elif kind == "li":
            paragraph = document.add_paragraph(text, style="List Bullet")
        else:
            paragraph = document.add_paragraph(text)
        _rtl(paragraph)
    flush_table()
    buffer = io.BytesIO()
    document.save(buffer)
    # Rewrite the zip with fixed timestamps so that regenerating gives identical bytes.
    with zipfile.ZipFile(buffer) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            info = zipfile.ZipInfo(item.filename, FIXED_TIME.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(info, src.read(item.filename))


# --------------------------------------------------------------------------------------------

PDFS = {
    "archive2": ["franchise_agreement", "shareholders_agreement"],
    "archive3": ["employment_agreement", "security_services"],
    "archive4": ["patent_licence", "consulting_retainer"],
    "archive5": ["publishing_agreement", "joint_venture"],
    "archive6": ["business_sale", "influencer_campaign"],
    "archive7": ["clinic_partnership", "cleaning_services"],
    "archive8": ["freight_forwarding", "sports_sponsorship"],
    "archive9": ["debt_collection", "outdoor_advertising"],
    "archive10": ["kindergarten_registration", "agricultural_lease"],
    "clinic": ["cancellation_policy"],
    "lawfirm": ["nda", "lease"],
    "nitzanim": ["policies"],
    "gavish": ["policies"],
    "shema": ["policies"],
    "nefesh": ["policies"],
    "vet": ["policies"],
    "maabada": ["policies"],
    "regel": ["policies"],
    "ribui": ["policies"],
    "tzmicha": ["policies"],
}
DOCXS = {
    "archive2": ["loan_agreement", "construction_contract"],
    "archive3": ["distribution_agreement", "apartment_sale"],
    "archive4": ["agency_agreement", "settlement_agreement"],
    "archive5": ["supply_agreement", "software_development"],
    "archive6": ["warehouse_services", "conference_production"],
    "archive7": ["catering_services"],
    "archive8": ["event_venue"],
    "archive9": ["aluminium_subcontract", "caregiver_employment"],
    "archive10": ["data_processing", "trademark_assignment"],
    "clinic": ["price_list"],
    "derm": ["price_list"],
    "eyes": ["price_list"],
    "sportmed": ["price_list"],
    "nitzanim": ["price_list"],
    "gavish": ["price_list"],
    "shema": ["price_list"],
    "nefesh": ["price_list"],
    "vet": ["price_list"],
    "maabada": ["price_list"],
    "regel": ["price_list"],
    "ribui": ["price_list"],
    "tzmicha": ["price_list"],
    "lawfirm": ["engagement_agreement"],
}
WINDOWS_1255 = {"clinic": ["privacy_policy"]}


def main(argv: list[str] | None = None) -> None:
    """Regenerate every PDF, DOCX and Windows-1255 file and check the PDFs extract correctly.

    Tenant names given on the command line limit the run to those tenants (the PDFs' bytes depend on
    the fonts installed, so regenerate only what you changed)."""
    only = set(sys.argv[1:] if argv is None else argv)

    def chosen(table: dict[str, list[str]]) -> dict[str, list[str]]:
        return {t: names for t, names in table.items() if not only or t in only}

    register_fonts()
    for tenant, names in chosen(PDFS).items():
        for name in names:
            doc = parse_source(HERE / tenant / "docs" / ".source" / f"{name}.md")
            out = HERE / tenant / "docs" / f"{name}.pdf"
            pages = render_pdf(doc, out)
            check_pdf(doc, out)
            print(f"{out.relative_to(HERE)}: {out.stat().st_size:,} bytes, clause pages {pages}")
    for tenant, names in chosen(DOCXS).items():
        for name in names:
            doc = parse_source(HERE / tenant / "docs" / ".source" / f"{name}.md")
            out = HERE / tenant / "docs" / f"{name}.docx"
            render_docx(doc, out)
            print(f"{out.relative_to(HERE)}: {out.stat().st_size:,} bytes")
    for tenant, names in chosen(WINDOWS_1255).items():
        for name in names:
            source = HERE / tenant / "docs" / ".source" / f"{name}.txt"
            out = HERE / tenant / "docs" / f"{name}.txt"
            out.write_bytes(source.read_text(encoding="utf-8").replace("\n", "\r\n").encode("windows-1255"))
            print(f"{out.relative_to(HERE)}: {out.stat().st_size:,} bytes (windows-1255)")


if __name__ == "__main__":
    sys.exit(main())
