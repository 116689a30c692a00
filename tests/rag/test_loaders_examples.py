"""Every example tenant document loads with sensible blocks (examples/tenants/*/docs)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sochen.rag.loaders import SUPPORTED_SUFFIXES, LoadedDocument, load_document

pytestmark = pytest.mark.unit

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "tenants"
CLINIC = EXAMPLES / "clinic" / "docs"
LAWFIRM = EXAMPLES / "lawfirm" / "docs"
HEBREW = re.compile("[\u05d0-\u05ea]")
# Final letters at the start of a word: the mark of reversed (visual-order) Hebrew.
REVERSED_WORD = re.compile(r"(?<![\u05d0-\u05ea])[ךםןףץ][\u05d0-\u05ea]")


def _load(path: Path) -> LoadedDocument:
    return load_document(path)


def _block(doc: LoadedDocument, prefix: str):  # type: ignore[no-untyped-def]
    matches = [b for b in doc.blocks if b.text.startswith(prefix)]
    assert matches, f"no block starts with {prefix!r}"
    return matches[0]


def _all_examples() -> list[Path]:
    return sorted(p for p in EXAMPLES.glob("*/docs/*") if p.is_file() and not p.name.startswith("."))


def test_the_examples_are_the_promised_set():
    names = {p.relative_to(EXAMPLES).as_posix() for p in _all_examples()}
    assert names == {
        "archive2/docs/cloud_services_sla.md",
        "archive2/docs/construction_contract.docx",
        "archive2/docs/franchise_agreement.pdf",
        "archive2/docs/loan_agreement.docx",
        "archive2/docs/shareholders_agreement.pdf",
        "archive3/docs/apartment_sale.docx",
        "archive3/docs/distribution_agreement.docx",
        "archive3/docs/employment_agreement.pdf",
        "archive3/docs/security_services.pdf",
        "archive3/docs/vehicle_leasing.md",
        "archive4/docs/agency_agreement.docx",
        "archive4/docs/consulting_retainer.pdf",
        "archive4/docs/patent_licence.pdf",
        "archive4/docs/retail_lease.md",
        "archive4/docs/settlement_agreement.docx",
        "archive5/docs/joint_venture.pdf",
        "archive5/docs/publishing_agreement.pdf",
        "archive5/docs/residential_lease.md",
        "archive5/docs/software_development.docx",
        "archive5/docs/supply_agreement.docx",
        "archive6/docs/business_sale.pdf",
        "archive6/docs/conference_production.docx",
        "archive6/docs/equipment_rental.md",
        "archive6/docs/influencer_campaign.pdf",
        "archive6/docs/warehouse_services.docx",
        "archive7/docs/catering_services.docx",
        "archive7/docs/cleaning_services.pdf",
        "archive7/docs/clinic_partnership.pdf",
        "archive7/docs/solar_installation.md",
        "archive8/docs/elevator_maintenance.md",
        "archive8/docs/event_venue.docx",
        "archive8/docs/freight_forwarding.pdf",
        "archive8/docs/sports_sponsorship.pdf",
        "archive9/docs/aluminium_subcontract.docx",
        "archive9/docs/caregiver_employment.docx",
        "archive9/docs/debt_collection.pdf",
        "archive9/docs/outdoor_advertising.pdf",
        "archive10/docs/agricultural_lease.pdf",
        "archive10/docs/data_processing.docx",
        "archive10/docs/kindergarten_registration.pdf",
        "archive10/docs/trademark_assignment.docx",
        "archive10/docs/wedding_photography.md",
        "clinic/docs/cancellation_policy.pdf",
        "clinic/docs/opening_hours.md",
        "clinic/docs/price_list.docx",
        "clinic/docs/privacy_policy.txt",
        "clinic/docs/services_faq.html",
        "derm/docs/aftercare_emergency.md",
        "derm/docs/cancellation_policy.md",
        "derm/docs/health_funds.md",
        "derm/docs/hours_and_location.md",
        "derm/docs/price_list.docx",
        "derm/docs/staff_and_services.html",
        "eyes/docs/aftercare_and_emergency.md",
        "eyes/docs/cancellation_policy.md",
        "eyes/docs/health_funds.md",
        "eyes/docs/hours_and_location.md",
        "eyes/docs/price_list.docx",
        "eyes/docs/staff_and_services.html",
        "gavish/docs/health_funds_insurance_emergency.html",
        "gavish/docs/hours_staff_location.md",
        "gavish/docs/policies.pdf",
        "gavish/docs/price_list.docx",
        "lawfirm/docs/engagement_agreement.docx",
        "lawfirm/docs/fee_schedule.md",
        "lawfirm/docs/lease.pdf",
        "lawfirm/docs/nda.pdf",
        "maabada/docs/health_funds_emergency.html",
        "maabada/docs/hours_location.md",
        "maabada/docs/policies.pdf",
        "maabada/docs/price_list.docx",
        "nefesh/docs/health_funds_insurance_emergency.html",
        "nefesh/docs/hours_staff_location.md",
        "nefesh/docs/policies.pdf",
        "nefesh/docs/price_list.docx",
        "nitzanim/docs/health_funds_insurance_emergency.html",
        "nitzanim/docs/hours_and_location.md",
        "nitzanim/docs/policies.pdf",
        "nitzanim/docs/price_list.docx",
        "realestate/docs/buyers_faq.txt",
        "regel/docs/emergencies.html",
        "regel/docs/hours_team_location.md",
        "regel/docs/policies.pdf",
        "regel/docs/price_list.docx",
        "realestate/docs/fees.md",
        "realestate/docs/office_hours.md",
        "realestate/docs/services.md",
        "renovate/docs/price_list.md",
        "ribui/docs/emergencies.html",
        "ribui/docs/hours_staff.md",
        "ribui/docs/policies.pdf",
        "ribui/docs/price_list.docx",
        "tzmicha/docs/hours_team_location.md",
        "tzmicha/docs/policies.pdf",
        "tzmicha/docs/price_list.docx",
        "tzmicha/docs/urgent_signs.html",
        "renovate/docs/service_area_hours.md",
        "renovate/docs/services_faq.html",
        "renovate/docs/warranty_policy.txt",
        "shema/docs/health_funds_insurance_emergency.html",
        "shema/docs/hours_staff_location.md",
        "shema/docs/policies.pdf",
        "shema/docs/price_list.docx",
        "sportmed/docs/hours_and_location.md",
        "sportmed/docs/injuries_and_emergencies.md",
        "sportmed/docs/policies_referrals_insurance.md",
        "sportmed/docs/price_list.docx",
        "vet/docs/emergencies.html",
        "vet/docs/hours_vets_location.md",
        "vet/docs/policies.pdf",
        "vet/docs/price_list.docx",
    }
    for path in _all_examples():
        assert path.suffix in SUPPORTED_SUFFIXES
        assert path.stat().st_size < 300_000, path


@pytest.mark.parametrize("path", _all_examples(), ids=lambda p: f"{p.parent.parent.name}/{p.name}")
def test_every_example_loads_as_logical_hebrew(path: Path):
    doc = _load(path)
    assert HEBREW.search(doc.title), doc.title
    assert len(doc.blocks) >= 8
    assert doc.blocks[0].kind == "heading"
    text = "\n".join(b.text for b in doc.blocks)
    assert len(HEBREW.findall(text)) > 500
    assert not REVERSED_WORD.search(text), REVERSED_WORD.search(text)
    assert "visual_order_fixed" not in doc.meta
    for block in doc.blocks:
        assert block.text == block.text.strip() and block.text
        assert (block.level is not None) == (block.kind == "heading")


@pytest.mark.parametrize("path", [p for p in _all_examples() if p.parent == LAWFIRM], ids=lambda p: p.name)
def test_law_documents_are_400_to_1500_words(path: Path):
    words = sum(len(b.text.split()) for b in _load(path).blocks)
    assert 400 <= words <= 1500, words


# ---------------------------------------------------------------------------------------------
# Clinic


def test_price_list_docx_has_a_priced_whitening_row():
    doc = _load(CLINIC / "price_list.docx")
    assert doc.mime.endswith("wordprocessingml.document")
    tables = [b for b in doc.blocks if b.kind == "table"]
    assert len(tables) == 2
    whitening = next(row for t in tables for row in t.text.splitlines() if row.startswith("הלבנת שיניים |"))
    assert re.search(r"₪\d{1,2},\d{3}", whitening), whitening
    assert tables[0].text.splitlines()[0] == "טיפול | תיאור | מחיר | הערות"
    for service in ("בדיקה תקופתית", "ניקוי אבנית", "סתימה", "טיפול שורש", "כתר", "שתל", "יישור שיניים"):
        assert any(service in t.text for t in tables), service
    assert any(b.kind == "list_item" for b in doc.blocks)


def test_opening_hours_markdown():
    doc = _load(CLINIC / "opening_hours.md")
    table = next(b for b in doc.blocks if b.kind == "table")
    assert "א׳–ה׳ | 08:00–19:00" in table.text
    assert "ו׳ וערבי חג | 08:00–13:00" in table.text
    assert any(b.kind == "heading" and b.text == "חגים ומועדים" for b in doc.blocks)


def test_cancellation_policy_pdf_has_numbered_sections_on_pages():
    doc = _load(CLINIC / "cancellation_policy.pdf")
    assert doc.pages == 2
    assert doc.title == "מדיניות ביטול תורים ואיחורים"
    assert _block(doc, "1.2 ").text == "1.2 תור שבוטל פחות מ-24 שעות לפני מועדו יחויב בדמי ביטול בסך ₪100."
    assert _block(doc, "6.2 ").page == 2
    # The running header and the page numbers are gone.
    assert not any("רחוב הרצל 112, רחובות —" in b.text or b.text.startswith("עמוד ") for b in doc.blocks)


def test_services_faq_html():
    doc = _load(CLINIC / "services_faq.html")
    questions = [b.text for b in doc.blocks if b.kind == "heading" and b.level == 3]
    assert "האם טיפול שורש כואב?" in questions
    assert not any("gtag" in b.text or "דף הבית" in b.text for b in doc.blocks)
    assert any(b.kind == "table" and b.text.startswith("טיפול | לפני | אחרי") for b in doc.blocks)


def test_privacy_policy_is_windows_1255():
    path = CLINIC / "privacy_policy.txt"
    raw = path.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    doc = _load(path)
    assert doc.meta["encoding"] == "windows-1255"
    assert doc.title == "מדיניות פרטיות"
    assert _block(doc, "(ב) מידע רפואי").kind == "paragraph"
    assert "תיקון מס' 13" in "\n".join(b.text for b in doc.blocks)


# ---------------------------------------------------------------------------------------------
# Law firm


def test_lease_pdf_pages_and_clauses():
    doc = _load(LAWFIRM / "lease.pdf")
    assert doc.pages is not None and doc.pages >= 3
    assert doc.title.startswith("הסכם שכירות בלתי מוגנת")
    clause = _block(doc, "7.2 ")
    assert clause.page == 2
    assert clause.text.startswith("7.2 המשכיר יישא בדמי ביטוח המבנה")
    assert _block(doc, "9.1 ").page == 3
    assert "₪20,400" in _block(doc, "9.1 ").text
    assert "₪6,800" in _block(doc, "6.1 ").text
    assert "01/03/2026" in _block(doc, "3.1 ").text
    numbered = [b.text.split()[0] for b in doc.blocks if b.kind == "heading" and b.text[0].isdigit()]
    assert numbered == [f"{n}." for n in range(1, 13)]
    # A reference at the start of a wrapped line stays inside its clause.
    assert _block(doc, "9.2 ").text.endswith("על כתב ערבות בנוסח נספח ג'.")


def test_nda_and_engagement_confidentiality_clauses_differ():
    nda = _load(LAWFIRM / "nda.pdf")
    engagement = _load(LAWFIRM / "engagement_agreement.docx")
    assert "3 שנים" in _block(nda, "5.1 ").text
    assert "5 שנים" in _block(engagement, "8.2 ").text
    assert "באופן עצמאי" in _block(nda, "3.4 ").text
    assert not any("עצמאי" in b.text for b in engagement.blocks)
    assert "14 ימים" in _block(nda, "6.1 ").text and "7 שנים" in _block(engagement, "9.1 ").text
    assert "בחיפה" in _block(nda, "10.2 ").text and "בתל אביב-יפו" in _block(engagement, "12.2 ").text


def test_engagement_agreement_docx_structure():
    doc = _load(LAWFIRM / "engagement_agreement.docx")
    assert doc.blocks[0].text == "הסכם התקשרות ושכר טרחה"
    assert any(b.kind == "heading" and b.text == "8. סודיות" for b in doc.blocks)
    assert _block(doc, "(ב) גילוי הנדרש על פי דין").kind == "paragraph"
    assert "₪1,200" in _block(doc, "3.2 ").text


def test_fee_schedule_markdown_tables():
    doc = _load(LAWFIRM / "fee_schedule.md")
    assert doc.title == "תעריף שכר טרחה 2026 — כהן, מזרחי ושות'"
    tables = [b for b in doc.blocks if b.kind == "table"]
    assert len(tables) == 3
    assert "שותף | ₪1,200" in tables[0].text
