"""The refusal for an asked thing the clause found does not speak of leaves answerable questions alone (review a4).

A noun of the kind of answer ('מה שעות הפעילות בחול המועד' where 'שעות הפעילות' heads another section, 'מה שעות
העבודה הכלולות בריטיינר'), a verb after 'מה' ('מה משלם הלקוח', 'מה עושה המשכיר'), a fee asked by another word
('מה העמלה … על הצלחת העסקה') and a clause that says the complement ('דמי הביטול' where it speaks of cancelling)
are answered; a thing the archive names as two words in another clause, while the clause found says neither
('שכר הטרחה של המומחה'), and a thing no document names ('איזה בונוס') are still refused.
A fake lexical library, no database, no model.
"""

from __future__ import annotations

import pytest

from sochen.agents.answering import Reply, answer
from sochen.agents.answering.extractive import _asked_thing
from tests.agents._archive_library import CONFIG, FakeLibrary, assert_sourced, clauses

pytestmark = pytest.mark.unit

HOURS = "שעות פעילות ודרכי הגעה — מרפאת השיניים"
CANCEL = "מדיניות ביטול תורים"
ENGAGE = "הסכם התקשרות ושכר טרחה — משרד כהן ושות'"
LEASE = "הסכם שכירות — רחוב הזית 4"
COURT = "כתב תביעה — מערכת המיזוג"

CHUNKS = [
    (HOURS, "שעות הפעילות הרגילות", "שעות הפעילות הרגילות\nימים א׳–ה׳: 08:00–19:00; יום ו׳: 08:00–13:00."),
    (HOURS, "חגים ומועדים", "חגים ומועדים\nבחול המועד סוכות ופסח: 08:30–13:00, טיפולים קצרים בלבד."),
    (CANCEL, "1. תור רגיל › 1.2", "1.2 תור שבוטל פחות מ-24 שעות לפני מועדו יחויב בדמי ביטול בסך ₪100."),
    (CANCEL, "2. השתלות › 2.1", "2.1 ביטול תור להשתלה פחות מ-48 שעות לפני מועדו יחויב בתשלום של ₪250."),
    (
        ENGAGE,
        "3. שכר הטרחה › 3.1",
        '3.1 בעד הייעוץ השוטף ישלם הלקוח ריטיינר חודשי בסך ₪15,000, בתוספת מע"מ, בעד עד 15 שעות ייעוץ בחודש.',
    ),
    (
        ENGAGE,
        "3. שכר הטרחה › 3.2",
        "3.2 שעות עבודה מעבר לריטיינר יחויבו לפי שעה: שותף — ₪1,200 לשעה; מתמחה — ₪400 לשעה.",
    ),
    (ENGAGE, "3. שכר הטרחה › 3.3", "3.3 עם השלמת העסקה ישלם הלקוח דמי הצלחה בשיעור של 0.5% משווי העסקה."),
    (ENGAGE, "4. שכר טרחה › 4.1", "4.1 שכר טרחת עורכי הדין בהליך משפטי ייקבע בהסכם נפרד."),
    (LEASE, "9. בטחונות › 9.4", "9.4 המשכיר ישיב את הערבות לשוכרת תוך 60 יום מתום השכירות."),
    (COURT, "5. חוות דעת › 5.1", "5.1 התובעת תגיש חוות דעת של המומחה מטעם בית המשפט בתוך 30 יום."),
]


def ask(question: str) -> Reply:
    reply = answer(question, config=CONFIG, library=FakeLibrary(CHUNKS).library())
    assert_sourced(reply, question)
    return reply


def test_hours_asked_for_a_holiday_are_answered_though_another_heading_says_the_pair() -> None:
    reply = ask("מה שעות הפעילות בחול המועד?")
    assert reply.status == "answered" and "08:30" in reply.text and clauses(reply)[0] == "חגים ומועדים"


def test_hours_a_retainer_covers_are_answered_though_another_clause_says_working_hours() -> None:
    reply = ask("מה שעות הייעוץ הכלולות בריטיינר?")
    assert reply.status == "answered" and "15 שעות" in reply.text and "3.1" in clauses(reply)


def test_a_cancellation_fee_is_answered_by_the_clause_that_speaks_of_cancelling() -> None:
    reply = ask("מה דמי הביטול אם מבטלים תור להשתלה יום לפני?")
    assert reply.status == "answered" and reply.citations


def test_a_verb_after_ma_is_no_thing_asked() -> None:
    assert _asked_thing("מה משלם הלקוח על כל שעה של מתמחה?")[0][0] != "משלם"
    assert all(a != "עושה" for a, _, _ in _asked_thing("מה עושה המשכיר עם הערבות?"))
    assert _asked_thing("מה שכר הטרחה של המומחה?") == [("שכר", "הטרחה", False)]
    reply = ask("מה משלם הלקוח על כל שעה של מתמחה מעבר לריטיינר?")
    assert reply.status == "answered" and "₪400" in reply.text and "3.2" in clauses(reply)
    reply = ask("מה עושה המשכיר עם הערבות בתום השכירות?")
    assert reply.status == "answered" and "60 יום" in reply.text and clauses(reply) == ["9.4"]


def test_a_fee_asked_by_another_word_is_answered() -> None:
    reply = ask("מה העמלה שהמשרד גובה על הצלחת העסקה?")
    assert reply.status == "answered" and "0.5%" in reply.text and clauses(reply) == ["3.3"]


def test_a_thing_named_in_another_clause_that_the_clause_found_never_says_is_still_refused() -> None:
    reply = ask("מה שכר הטרחה של המומחה מטעם בית המשפט?")
    assert reply.status == "not_found" and not reply.citations


def test_a_thing_no_document_names_is_still_refused() -> None:
    reply = ask("איזה בונוס מקבל השותף אם הושלמה העסקה?")
    assert reply.status == "not_found" and not reply.citations


def test_a_later_part_that_names_its_own_item_takes_nothing_from_the_first() -> None:
    from sochen.agents.answering.extractive import _parallel, _parts

    parts = _parallel(_parts("כמה עולה כתר חרסינה וכמה עולה כתר זירקוניה?"))
    assert len(parts) == 2 and "חרסינה" not in parts[1] and "זירקוניה" in parts[1]
    same = _parallel(_parts("איזו הודעה מוקדמת צריכה החברה לתת כדי לסיים את ההסכם, ואיזו הודעה צריך היועץ לתת?"))
    assert "לסיים" in same[1]  # no item of its own: the first part's words are carried


def test_the_adjacent_pairs_are_indexed_once_per_archive() -> None:
    from sochen.agents.answering.extractive import _pair_said

    library = FakeLibrary(CHUNKS).library()
    assert _pair_said(library, "שכר", "הטרחה")  # 'שכר טרחת עורכי הדין'
    assert not _pair_said(library, "שכר", "המומחה")


def test_english_idioms_are_not_glossed_as_contract_words() -> None:
    from sochen.agents.answering.language import hebrew_terms

    idioms = hebrew_terms("Is interest charged by default on net 30 invoices in the area?")
    assert not {"הפרה", "נטו", "שטח"} & set(idioms.split())
    plain = hebrew_terms("What is the net revenue of the shop's area after a default?")
    assert {"הפרה", "נטו", "שטח"} <= set(plain.split())
