"""What the review of archive8's computation rules found on the other archives, as general rules.

A question that dates its act by a count of time before an event ('ביטל 45 יום לפני הכנס') takes the row of the
cancellation table whose span holds that count, never another row's percentage; '100%' is a hundred percent, not
'0%'; 'במעמד החתימה' holds the letters of מע"מ but says no VAT; a monthly amount of a period the question does not
name ('בתקופת האופציה … ₪7,072 לחודש') is no rate for the months it counts; a rule's noun may stand before the
words that describe it ('ערבות ביצוע בנקאית אוטונומית בסך 10%'). A fake lexical library, no database, no model.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from sochen.agents.answering import Reply, answer
from sochen.agents.answering.compute import count_in_span, percent, vat_rate
from tests.agents._archive_library import CONFIG, FakeLibrary

pytestmark = pytest.mark.unit

EVENT = 'הסכם הפקת כנס — אירועי פסגה הפקות בע"מ והאיגוד הישראלי למהנדסי מים'
LEASE = "הסכם שכירות — רחוב הנרקיס 4, חולון"
BUILD = 'הסכם קבלנות — גבעות הזית ייזום בע"מ וא.ב. בנייה בע"מ'
SOLAR = "הסכם התקנת מערכת סולארית"

CHUNKS = [
    (EVENT, "3. התמורה › 3.1", "3.1 המזמין ישלם מקדמה של 30% מהמחיר המשוער במעמד החתימה."),
    (
        EVENT,
        "4. ביטול › 4.1",
        "4.1 ביטל המזמין את הכנס, ישלם למפיקה דמי ביטול לפי מועד ההודעה:\n"
        "מועד ההודעה על הביטול | דמי הביטול\n"
        "מועד ההודעה על הביטול: 90 ימים או יותר לפני הכנס · דמי הביטול: 10%\n"
        "מועד ההודעה על הביטול: 30 עד 89 ימים לפני הכנס · דמי הביטול: 40%\n"
        "מועד ההודעה על הביטול: פחות מ-30 ימים לפני הכנס · דמי הביטול: 100%",
    ),
    (LEASE, "6. דמי השכירות › 6.1", "6.1 דמי השכירות יהיו ₪5,200 לחודש."),
    (
        LEASE,
        "6. דמי השכירות › 6.3",
        "6.3 בתקופת האופציה יעלו דמי השכירות ב-5%, ל-₪5,460 לחודש.",
    ),
    (BUILD, "3. שכר החוזה › 3.1", '3.1 שכר החוזה הוא ₪6,200,000, בתוספת מע"מ.'),
    (
        BUILD,
        "5. ערבויות › 5.1",
        "5.1 במעמד חתימת ההסכם ימסור הקבלן למזמין ערבות ביצוע בנקאית אוטונומית בסך 10% משכר החוזה.",
    ),
    (SOLAR, "3. המחיר › 3.1", '3.1 מחיר המערכת הוא ₪142,000 בתוספת מע"מ.'),
    (SOLAR, "3. המחיר › 3.2", "3.2 המחיר ישולם בשלושה שלבים: 30% במעמד החתימה, 50% עם סיום ההתקנה ו-20% בסוף."),
]


def ask(question: str) -> Reply:
    return answer(question, config=CONFIG, library=FakeLibrary(CHUNKS).library())


@pytest.mark.parametrize(
    ("days", "price", "fee"),
    [
        ("45", "₪80,000", "₪32,000"),
        ("100", "₪50,000", "₪5,000"),
        ("20", "₪50,000", "₪50,000"),
        ("10", "₪80,000", "₪80,000"),
    ],
)
def test_the_row_whose_span_holds_the_days(days: str, price: str, fee: str) -> None:
    reply = ask(f"ביטל את הכנס {days} יום לפני מועדו, המחיר המשוער {price} – כמה דמי ביטול?")
    assert fee in reply.text, reply.text
    assert "0% ×" not in reply.text.replace("00% ×", "").replace("10% ×", "").replace("40% ×", "")


def test_spans_of_days() -> None:
    assert count_in_span(Decimal(45), "יום", "30 עד 89 ימים לפני הכנס") is True
    assert count_in_span(Decimal(100), "יום", "30 עד 89 ימים לפני הכנס") is False
    assert count_in_span(Decimal(45), "יום", "בין 60 ל-14 ימים לפני ימי הצילום") is True
    assert count_in_span(Decimal(120), "יום", "90 ימים או יותר לפני הכנס") is True
    assert count_in_span(Decimal(20), "יום", "פחות מ-30 ימים לפני הכנס") is True
    assert count_in_span(Decimal(20), "יום", "דמי ביטול של 5% ממחיר המערכת") is None


def test_a_hundred_percent_and_the_letters_of_vat_in_another_word() -> None:
    assert percent("דמי הביטול: 100%") == [Decimal(100)]
    assert vat_rate("3.2 המחיר ישולם בשלושה שלבים: 30% במעמד החתימה, 50% עם סיום ההתקנה") is None
    assert vat_rate('בתוספת מע"מ בשיעור 18%') == Decimal(18)


def test_a_payment_stage_is_no_vat_rate() -> None:
    reply = ask('כמה ישלמו הלקוחות בסוף, כולל מע"מ?')
    assert "× 1.3" not in reply.text and 'מע"מ 30%' not in reply.text, reply.text


def test_an_option_periods_rent_is_no_rate_for_the_term() -> None:
    reply = ask("כמה דמי שכירות תשלם השוכרת בסך הכול על 12 חודשים?")
    assert "65,520" not in reply.text, reply.text  # 12 × ₪5,460, the option period's rent


def test_a_rules_noun_before_its_description() -> None:
    reply = ask("מה גובה ערבות הביצוע שהקבלן מוסר בחתימה, בשקלים?")
    assert "₪620,000" in reply.text, reply.text


@pytest.mark.parametrize("days", ["100", "10", "45"])
def test_no_row_whose_span_leaves_out_the_days_told_in_another_sentence(days: str) -> None:
    """'המזמין ביטל את הכנס 100 ימים לפני מועדו. המחיר המשוער ₪50,000. כמה דמי ביטול ישלם?': the count is told
    in the first sentence and asked of in the last; a row whose span does not hold it is never quoted."""
    reply = ask(f"המזמין ביטל את הכנס {days} ימים לפני מועדו. המחיר המשוער ₪50,000. כמה דמי ביטול ישלם?")
    spans = {"100": "90 ימים או יותר", "10": "פחות מ-30 ימים", "45": "30 עד 89 ימים"}
    for held, span in spans.items():
        if held != days:
            assert span not in reply.text, reply.text
