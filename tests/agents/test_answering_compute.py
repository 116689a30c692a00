"""Answers from two facts and two-clause answers, on small Hebrew archives (a fake library, no model).

The arithmetic reads Israeli amounts in their written variants and computes with Decimal; an answer
shows its calculation and cites every fact's clause, and one whose fact is missing computes nothing and
says what is missing. A question in two parts cites the sub-clause that answers each part.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import pytest

from sochen.agents.answering import Reply, answer
from sochen.agents.answering.compute import (
    amount_sum,
    asked_operation,
    difference,
    money,
    per_period,
    percent_change,
    percent_off,
    quantity_asked,
    times_quantity,
    vat_rate,
    vat_total,
)
from tests.agents._archive_library import CONFIG, FakeLibrary, clauses, figures

pytestmark = pytest.mark.unit

LEASE = "הסכם שכירות — רחוב הזית 5, באר שבע"
EMPLOYMENT = "הסכם העסקה — מיכל אורן"
PRICES = "מחירון שירותים 2026"

LEASE_CHUNKS = [
    (LEASE, "3. תקופת השכירות › 3.1", "3. תקופת השכירות\n3.1 תקופת השכירות היא 24 חודשים, מיום 01/04/2026."),
    (
        LEASE,
        "3. תקופת השכירות › 3.2",
        "3.2 לשוכר ניתנת אופציה להאריך את תקופת השכירות ב-12 חודשים נוספים, בהודעה בכתב 60 יום מראש.",
    ),
    (LEASE, "6. דמי השכירות › 6.1", '6. דמי השכירות\n6.1 דמי השכירות החודשיים הם 4,500 ש"ח, בתוספת מע"מ כדין.'),
    (LEASE, "6. דמי השכירות › 6.2", "6.2 דמי השכירות ישולמו ב-1 בכל חודש בהוראת קבע."),
    (LEASE, "6. דמי השכירות › 6.3", "6.3 בתקופת האופציה יעלו דמי השכירות ב-4%, ל-₪4,680 לחודש."),
    (LEASE, "9. ערבות › 9.1", "9. ערבות\n9.1 השוכר ימסור ערבות בנקאית בסך ₪13,500 עד תום השכירות."),
]
EMPLOYMENT_CHUNKS = [
    (
        EMPLOYMENT,
        "7. תקופת ניסיון › 7.1",
        "7. תקופת ניסיון\n"
        "7.1 העובדת תועסק בתפקיד רכזת גיוס.\n"
        "7.2 שלושת החודשים הראשונים להעסקה הם תקופת ניסיון.\n"
        "7.3 בתקופת הניסיון רשאי כל צד לסיים את ההעסקה בהודעה מוקדמת של 7 ימים.",
    ),
    (
        EMPLOYMENT,
        "9. סיום העסקה › 9.1",
        "9. סיום העסקה\n9.1 לאחר תקופת הניסיון רשאי כל צד לסיים את ההעסקה בהודעה מוקדמת בכתב של 30 יום.",
    ),
    (EMPLOYMENT, "10. שכר › 10.1", "10. שכר\n10.1 השכר החודשי הוא ₪14,200 ברוטו."),
]
PRICE_CHUNKS = [
    (
        PRICES,
        "תעריפים",
        "תעריפים\nשירות | מחיר\nשירות: עריכת צוואה · מחיר: ₪3,200\n"
        'כל המחירים אינם כוללים מע"מ (18%).\nעמותות רשומות זכאיות להנחה של 15% על כל מחיר.',
    ),
]


def ask(question: str, *chunks: Sequence[tuple[str, str, str]]) -> Reply:
    fake = FakeLibrary([c for group in chunks for c in group])
    return answer(question, config=CONFIG, library=fake.library())


def assert_no_invented_figures(reply: Reply) -> None:
    """Every figure of the reply is in a cited passage, or is a computed result shown with its calculation."""
    cited = set().union(
        *(figures(c.passage.text) | figures(c.passage.section) | figures(c.passage.title) for c in reply.citations)
    )
    computed = figures(reply.calculation or "")
    assert figures(reply.text) <= cited | computed, figures(reply.text) - cited - computed


# --- reading amounts ---


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("₪4,500", [Decimal(4500)]),
        ("4,500 ₪", [Decimal(4500)]),
        ('4500 ש"ח', [Decimal(4500)]),
        ("4,500 ש״ח", [Decimal(4500)]),  # gershayim
        ("4,500 שקלים חדשים", [Decimal(4500)]),
        ("NIS 4,500", [Decimal(4500)]),
        ("4,500 NIS", [Decimal(4500)]),
        ("דְּמֵי הַשְּׂכִירוּת: 1,234,567.50 ש״ח לְחֹדֶשׁ", [Decimal("1234567.50")]),  # niqqud, millions, agorot
        ("\u200f₪\u200e12,000", [Decimal(12000)]),  # bidi marks from a PDF
        ("₪7,500–₪12,000 לפי מספר המייסדים", []),  # a range is not one amount
        ("7 ימים ו-30 יום", []),
    ],
)
def test_amounts_are_read_in_their_written_variants(text: str, expected: list[Decimal]) -> None:
    assert money(text) == expected


def test_vat_rate_is_read_only_beside_the_word_vat():
    assert vat_rate('אינם כוללים מע"מ (18%)') == Decimal(18)
    assert vat_rate("בתוספת מע״מ בשיעור 17%") == Decimal(17)
    assert vat_rate('בתוספת מע"מ כדין') is None
    assert vat_rate("הנחה של 15%") is None


# --- one step of arithmetic ---


def test_a_total_with_vat_shows_the_calculation_exactly():
    calc = vat_total("שכר הטרחה: 4,500 ₪", 'מע"מ בשיעור 17%')
    assert calc is not None and calc.result == Decimal("5265.00")
    assert calc.expression == '₪4,500 + מע"מ 17% = ₪4,500 × 1.17 = ₪5,265'
    # Decimal, rounded half up to agorot: 1,234.56 × 1.17 = 1,444.4352
    assert vat_total("₪1,234.56", 'מע"מ 17%').expression.endswith("₪1,444.44")  # type: ignore[union-attr]
    # two amounts: which one is taxed is not for arithmetic to guess
    assert vat_total("₪1,800, ובנוסח דו-לשוני ₪2,700", 'מע"מ 18%') is None


def test_a_percentage_rise_and_a_discount():
    assert percent_change("בתקופת האופציה יעלו דמי השכירות ב-5%", 'דמי השכירות הם 5,200 ש"ח').result == Decimal(
        "5460.00"
    )
    off = percent_off("עמותות רשומות זכאיות להנחה של 15% על כל מחיר", "מחיר: ₪3,200")
    assert off is not None and off.result == Decimal("2720.00") and "− 15%" in off.expression
    assert percent_off("המחירים אינם כוללים מע״מ", "₪3,200") is None


def test_a_year_of_a_monthly_amount_and_a_month_of_a_yearly_one():
    year = per_period("כמה דמי שכירות משלמים בשנה?", "דמי השכירות החודשיים הם ₪4,500")
    assert year is not None and year.result == Decimal(54000) and "× 12 חודשים" in year.expression
    month = per_period("כמה זה יוצא לחודש?", "ריטיינר שנתי בסך ₪60,000")
    assert month is not None and month.result == Decimal(5000)
    # already monthly: nothing to convert
    assert per_period("כמה משלמים לחודש?", "דמי השכירות החודשיים הם ₪4,500") is None


def test_difference_sum_and_hours_from_a_clause_listing_several_rates():
    diff = difference("בתקופת האופציה: ₪4,680 לחודש", "דמי השכירות: ₪4,500")
    assert diff is not None and diff.expression == "₪4,680 − ₪4,500 = ₪180"
    assert amount_sum(["עריכת הסכם סודיות: ₪1,800, נוסח דו-לשוני בתוספת ₪900"]).result == Decimal(2700)  # type: ignore[union-attr]
    rates = "שותף — ₪1,200 לשעה; עורך דין — ₪850 לשעה; מתמחה — ₪400 לשעה"
    assert times_quantity("כמה יעלו 10 שעות של מתמחה?", rates).expression == "10 × ₪400 = ₪4,000"  # type: ignore[union-attr]
    assert times_quantity("כמה יעלו 10 שעות?", rates) is None  # which rate: not said, so not guessed
    # The list's lead-in ('שעות עבודה … יחויבו לפי התעריפים השעתיים:') is not the item: the intern's rate, not the first
    clause = "3.2 שעות עבודה מעבר ל-15 שעות בחודש יחויבו לפי התעריפים השעתיים: " + rates
    assert times_quantity("כמה יעלו 4 שעות עבודה של מתמחה?", clause).expression == "4 × ₪400 = ₪1,600"  # type: ignore[union-attr]
    assert times_quantity("כמה יעלו 4 שעות עבודה?", clause) is None
    # A counted noun other than time, matched by its root ('ישיבות' / 'לכל ישיבה')
    session = "שלב: גישור, לכל ישיבה · שכר טרחה: ₪3,000"
    assert times_quantity("כמה יעלו 3 ישיבות גישור?", session).expression == "3 × ₪3,000 = ₪9,000"  # type: ignore[union-attr]
    assert times_quantity("כמה יעלו 3 פגישות?", session) is None
    assert quantity_asked("כמה ימים לפי סעיף 7 לחוק?") is None and quantity_asked("כמה עולה ב-12 בינואר?") is None
    assert times_quantity("כמה עולים 5 ימי איחור?", "על כל יום איחור ישלם השוכר ₪300").result == Decimal(1500)  # type: ignore[union-attr]
    assert times_quantity("כמה עולים 5 ימי איחור?", "איחור בתשלום: ריבית של ₪300") is None  # not per day
    assert times_quantity("כמה ישלם על 5 ימים?", "על כל יום איחור ישלם השוכר ₪300").result == Decimal(1500)  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("question", "operation"),
    [
        ('כמה יעלה כולל מע"מ?', "vat"),
        ("מה גובה המקדמה כולל מע״מ?", "vat"),
        ('האם המחיר כולל מע"מ?', None),
        ("כמה דמי שכירות משלמים בשנה?", "per_year"),
        ("מה ההפרש בין דמי השכירות באופציה לדמי השכירות היום?", "difference"),
        ("כמה יעלו 3 שעות ייעוץ?", "quantity"),
        ("כמה תשלם עמותה אחרי ההנחה?", "discount"),
        ("מה תקופת השכירות?", None),
        ("How much is the retainer a year?", "per_year"),
    ],
)
def test_the_derived_amount_a_question_asks_for(question: str, operation: str | None) -> None:
    assert asked_operation(question) == operation


# --- through the answerer ---


def test_vat_total_cites_the_amount_and_the_rate_from_another_document():
    reply = ask('כמה עולה עריכת צוואה כולל מע"מ?', PRICE_CHUNKS, LEASE_CHUNKS)
    assert reply.status == "answered" and reply.calculation == '₪3,200 + מע"מ 18% = ₪3,200 × 1.18 = ₪3,776'
    assert "₪3,776" in reply.text and "חישוב:" in reply.text
    quotes = [c.quote for c in reply.citations]
    assert any("₪3,200" in q for q in quotes) and any("18%" in q for q in quotes)
    assert_no_invented_figures(reply)


def test_a_missing_vat_rate_computes_nothing_and_says_what_is_missing():
    reply = ask('כמה דמי השכירות החודשיים כולל מע"מ?', LEASE_CHUNKS)
    assert reply.status == "answered" and reply.calculation is None
    assert clauses(reply)[0] == "6.1" and 'ש"ח' in reply.citations[0].quote
    assert 'שיעור המע"מ אינו מופיע במסמכים' in reply.text
    assert "חישוב" not in reply.text
    assert_no_invented_figures(reply)  # no total, no rate guessed


def test_the_rent_difference_in_the_option_cites_both_clauses():
    reply = ask("מה ההפרש בין דמי השכירות בתקופת האופציה לדמי השכירות החודשיים?", LEASE_CHUNKS)
    assert reply.calculation == "₪4,680 − ₪4,500 = ₪180"
    assert sorted(clauses(reply)) == ["6.1", "6.3"]  # not the guarantee's ₪13,500
    assert_no_invented_figures(reply)


def test_a_year_of_rent():
    reply = ask("כמה דמי שכירות ישלם השוכר בשנה?", LEASE_CHUNKS)
    assert reply.calculation == "₪4,500 לחודש × 12 חודשים = ₪54,000 לשנה"
    assert clauses(reply) == ["6.1"]


def test_a_discounted_price_cites_the_price_and_the_discount():
    reply = ask("כמה תשלם עמותה רשומה על עריכת צוואה אחרי ההנחה?", PRICE_CHUNKS, LEASE_CHUNKS, EMPLOYMENT_CHUNKS)
    assert reply.calculation == "₪3,200 − 15% = ₪3,200 × 0.85 = ₪2,720"
    quotes = [c.quote for c in reply.citations]
    assert any("₪3,200" in q for q in quotes) and any("15%" in q for q in quotes)
    assert_no_invented_figures(reply)


# --- two clauses ---


def test_a_two_part_question_cites_each_answering_sub_clause_in_the_order_asked():
    reply = ask("מה תקופת השכירות, ובכמה אפשר להאריך אותה באופציה?", LEASE_CHUNKS, EMPLOYMENT_CHUNKS)
    assert reply.status == "answered"
    assert clauses(reply) == ["3.1", "3.2"]
    assert "24 חודשים" in reply.text and "12 חודשים" in reply.text
    assert_no_invented_figures(reply)


def test_during_the_probation_and_after_it_cites_both_clauses_at_clause_level():
    reply = ask("מה ההודעה המוקדמת לסיום ההעסקה בתקופת הניסיון ואחריה?", EMPLOYMENT_CHUNKS, LEASE_CHUNKS)
    assert clauses(reply) == ["7.3", "9.1"]  # 7.3 of the probation chunk, not its first sub-clause 7.1
    assert "7 ימים" in reply.text and "30 יום" in reply.text
    assert "7.1 העובדת" not in reply.text
    assert_no_invented_figures(reply)


def test_a_how_long_part_is_answered_by_a_duration():
    reply = ask("כמה זמן תקופת השכירות, ואיך משלמים את דמי השכירות?", LEASE_CHUNKS)
    assert clauses(reply) == ["3.1", "6.2"]


def test_ambiguous_facts_are_not_computed_with():
    # a count of months is not a monthly amount, two years are not yearly
    assert per_period("כמה זה לשנה?", "ערבות בנקאית בסך ₪20,400, השווה לדמי שכירות של 3 חודשים") is None
    assert per_period("כמה זה לחודש?", "מענק חד-פעמי של ₪24,000 לאחר שנתיים") is None
    # a floor beside a percentage is not the price
    assert vat_total("דמי הצלחה בשיעור של 0.5% משווי העסקה, ולא פחות מ-₪40,000", 'מע"מ (18%)') is None
    # the amount and the rate in one clause
    one = "שכר הטרחה הוא 4,500 ₪ בתוספת מע״מ בשיעור 17%"
    assert vat_total(one, one).expression == '₪4,500 + מע"מ 17% = ₪4,500 × 1.17 = ₪5,265'  # type: ignore[union-attr]


def test_a_range_is_quoted_and_the_reply_says_no_single_amount_was_computed():
    prices = [(PRICES, "תעריפים", "תעריפים\nשירות | מחיר\nשירות: הסכם מייסדים · מחיר: ₪7,500–₪12,000\n")]
    reply = ask('כמה עולה הסכם מייסדים כולל מע"מ?', prices, PRICE_CHUNKS, LEASE_CHUNKS)
    assert reply.status == "answered" and reply.calculation is None
    assert "₪7,500" in reply.citations[0].quote
    assert "לא חישבתי" in reply.text
    assert_no_invented_figures(reply)


def test_in_a_large_archive_each_part_is_searched_for_on_its_own_words(monkeypatch: pytest.MonkeyPatch) -> None:
    from sochen.agents.answering import extractive

    monkeypatch.setattr(extractive, "_SCAN_ALL", 0)  # as if the archive were too large to read every chunk
    fake = FakeLibrary([*LEASE_CHUNKS, *EMPLOYMENT_CHUNKS])
    reply = answer("מה תקופת השכירות, ובכמה אפשר להאריך אותה באופציה?", config=CONFIG, library=fake.library())
    assert clauses(reply) == ["3.1", "3.2"]
    assert {"מה תקופת השכירות", "ובכמה אפשר להאריך אותה באופציה"} <= set(fake.calls)


def test_a_sum_adds_what_one_clause_adds_and_two_amounts_only_when_asked_together():
    nda = [
        (
            PRICES,
            "תעריפים",
            "תעריפים\nשירות | מחיר\nשירות: עריכת הסכם סודיות · מחיר: ₪1,800 · כולל: נוסח דו-לשוני בתוספת ₪900",
        )
    ]
    reply = ask("כמה עולה עריכת הסכם סודיות בנוסח דו-לשוני, בסך הכול?", nda, LEASE_CHUNKS)
    assert reply.calculation == "₪1,800 + ₪900 = ₪2,700"
    assert_no_invented_figures(reply)
    assert amount_sum(["₪1,800", "₪900"]).expression == "₪1,800 + ₪900 = ₪2,700"  # type: ignore[union-attr]
    assert amount_sum(["₪1,800 או ₪900"]) is None  # two amounts, nothing says they add up


def test_a_count_that_describes_the_item_is_not_a_quantity_to_multiply() -> None:
    from sochen.agents.answering.compute import quantity_asked, states_count

    rooms = quantity_asked("כמה עולה לצבוע דירת 4 חדרים?")
    assert rooms is not None
    assert states_count(rooms, "צביעת דירה 4 חדרים (קירות ותקרות) | דירה | ₪6,500")
    assert not states_count(rooms, "צביעת חדר | חדר | ₪1,800")  # a rate per room: 4 × the rate is computed
    hours = quantity_asked("כמה דמי ביטול אם מבטלים פחות מ-24 שעות לפני?")
    assert hours is not None
    assert states_count(hours, "תור שבוטל פחות מ-24 שעות לפני מועדו יחויב בדמי ביטול בסך ₪100.")
    assert not states_count(hours, "ביטול פחות מ-48 שעות לפני מועדו יחויב בדמי ביטול בסך ₪250.")


def test_a_word_no_document_uses_is_rarer_than_the_anchor() -> None:
    from sochen.agents.answering.extractive import _unknown_words

    used = {"כתר", "חרסינה", "עולה", "שן", "לשן"}

    def idf(term: str) -> float:
        return 1.0 if term.lstrip("~≈") in used else 9.0  # 9.0: a term no document has

    assert _unknown_words("כמה עולה ציפוי חרסינה לשן?", idf) == ["ציפוי"]
    assert _unknown_words("כמה עולה כתר חרסינה?", idf) == []
