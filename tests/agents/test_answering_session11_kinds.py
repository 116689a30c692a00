"""Kinds found on the tuning archives in the eleventh build, as general rules.

A question that names a contract's parties by words only that contract uses ('אור הדפוס') asks about that contract,
even when one of its words is a topic word of another contract's title ('מכונות' of a machine-rental agreement)
that the named contract's own clauses use too. An English or Arabic question about a service the tenant names by its
own alias ('grooming') is answered, and a modifier a preposition starts ('لليلة') is not part of the thing's name.
A fake lexical library, no database, no model.
"""

from __future__ import annotations

import pytest

from sochen.agents.answering import Reply, answer
from sochen.config import TenantConfig
from tests.agents._archive_library import CONFIG, FakeLibrary, assert_sourced

pytestmark = pytest.mark.unit

SALE = "הסכם מכר עסק — בית דפוס הגפן, עפולה"
RENT = 'הסכם השכרת מכונות — מכונות צפון בע"מ ומרכז הגליל לבנייה בע"מ'
CARE = "הסכם שירותי ניקיון — זוהר ניקיון ומגדלי העמק"

CHUNKS = [
    (
        SALE,
        "",
        'הסכם מכר עסק שנערך ונחתם בעפולה ביום 3 במרץ 2026\nבין: מר אליהו גפני, ת"ז 000000018, מרחוב הגפן 12, עפולה, '
        'להלן: "המוכר";\nלבין: אור הדפוס בע"מ, ח.פ. 516000001, מרחוב התבור 5, עפולה, להלן: "הקונה";',
    ),
    (
        SALE,
        "2. התמורה › 2.1",
        "2. התמורה\n2.1 התמורה הכוללת בעד העסק היא ₪900,000, מתוכה ₪600,000 בעד המוניטין ו-₪300,000 בעד המכונות.",
    ),
    (SALE, "2. התמורה › 2.2", '2.2 לתמורה בעד המכונות יתווסף מע"מ בשיעור 18%.'),
    (SALE, "3. המסירה › 3.1", "3.1 המוכר ימסור לקונה את בית הדפוס ואת המכונות ביום 1 במאי 2026."),
    (
        RENT,
        "",
        'הסכם השכרת מכונות\nבין: מכונות צפון בע"מ, להלן: "המשכירה";\nלבין: מרכז הגליל לבנייה בע"מ, להלן: "השוכרת";',
    ),
    (RENT, "2. דמי השכירות › 2.1", '2.1 בעד כל מכונה תשלם השוכרת ₪4,500 לחודש ו-₪700 לכל יום עבודה, בתוספת מע"מ.'),
    (RENT, "2. דמי השכירות › 2.2", "2.2 דמי השכירות ישולמו בתוך 30 ימים מקבלת החשבונית."),
    (CARE, "", 'הסכם שירותי ניקיון\nבין: זוהר ניקיון בע"מ, להלן: "הקבלן";\nלבין: מגדלי העמק, להלן: "המזמין";'),
    (CARE, "2. התמורה › 2.1", '2.1 המזמין ישלם לקבלן ₪6,000 לחודש, בתוספת מע"מ.'),
]


def ask(question: str) -> Reply:
    return answer(question, config=CONFIG, library=FakeLibrary(CHUNKS).library())


def test_parties_named_beat_another_title_s_topic_word() -> None:
    question = 'כמה תשלם אור הדפוס בעד המכונות של בית הדפוס, כולל מע"מ?'
    reply = ask(question)
    assert all(c.passage.title == SALE for c in reply.citations), [c.passage.title for c in reply.citations]
    assert "4,500" not in reply.text and "700" not in reply.text
    assert_sourced(reply, question)


# -- a foreign question about a service the tenant names by an alias, or with a modifier after it ------------------

KENNEL = "מחירון — פנסיון וטיפוח כלבים 'זנב'"
KENNEL_CHUNKS = [
    (
        KENNEL,
        "שירותים",
        "שירותים\nשירות | כלב קטן | כלב גדול\nשירות: לינה בפנסיון, ללילה · כלב קטן: 110 ₪ · כלב גדול: 145 ₪\n"
        "שירות: תספורת מלאה · כלב קטן: 180 ₪ · כלב גדול: 260 ₪",
    ),
]
KENNEL_CONFIG = TenantConfig.model_validate(
    {
        "slug": "zanav",
        "name": "זנב",
        "agent": {
            "answer_mode": "extractive",
            "services": ["לינה בפנסיון", "תספורת מלאה"],
            "service_aliases": {"לינה בפנסיון": ["kennel", "overnight stay", "مبيت"], "תספורת מלאה": ["grooming"]},
        },
    }
)


def kennel(question: str) -> Reply:
    return answer(question, config=KENNEL_CONFIG, library=FakeLibrary(KENNEL_CHUNKS).library())


@pytest.mark.parametrize(
    ("question", "price"),
    [
        ("Hi, how much does grooming cost for my big dog?", "260"),  # 'grooming' is the tenant's own alias
        ("How much is a kennel night for a large dog?", "145"),
        ("كم سعر مبيت الكلب الكبير في الفندق لليلة؟", "145"),  # 'لليلة': a modifier after a preposition
    ],
)
def test_a_foreign_question_about_a_service_the_tenant_names_is_answered(question: str, price: str) -> None:
    reply = kennel(question)
    assert reply.status == "answered" and price in reply.text, reply.text


def test_a_modifier_after_a_preposition_is_no_part_of_the_things_name() -> None:
    """'for both feet' says which variant, 'my dog' whose: neither names a thing the documents must say together."""
    from sochen.agents.answering.extractive import _foreign_thing_absent

    library = FakeLibrary(
        [(KENNEL, "מדרסים", "מדרסים\nמדרסים בהתאמה אישית, זוג · 750 ₪\nבדיקת כף רגל · 300 ₪"), *KENNEL_CHUNKS]
    ).library()
    assert not _foreign_thing_absent("How much are insoles for both feet?", library)
    assert not _foreign_thing_absent("How much does it cost to microchip my dog?", library)


def test_a_shop_is_no_parking() -> None:
    """'לחנות' is to park only before where ('לחנות בחניון', 'לחנות ליד'); 'ישמש לחנות אופנה' is a shop."""
    from sochen.agents.answering.attributes import fit

    assert not fit("parking", "1.2 המושכר ישמש לחנות אופנת נשים בלבד; שינוי מטרת השכירות טעון הסכמה.")
    assert not fit("parking", "המושכר ישמש לחנות בגדים ונעליים")
    assert fit("parking", "אפשר לחנות בחניון הציבורי שמול הבניין")
    assert fit("parking", "ניתן לחנות ליד המרפאה בחינם")
