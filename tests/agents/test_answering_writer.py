"""The writer's own identifiers are never what a question asks about.

'שמי דנה כהן, טלפון 052-6458123. כמה זמן חלה חובת הסודיות?' asks what 'כמה זמן חלה חובת הסודיות?' asks: the name the
writer introduces themself by and their phone number are words no clause has. Left in, they lowered the share of the
question a clause covers, and a sensitive question (sensitive only because of them) had to be covered strictly, so
a question the archive answers was held for a person or called not found. An ID number is different: it is given
to ask about one's own record, and keeps the strict rule.
"""

from __future__ import annotations

import pytest

from sochen.agents.answering import answer
from sochen.agents.answering.extractive import without_writer
from sochen.privacy import assess
from tests.agents._archive_library import CONFIG, FakeLibrary, clauses

CHUNKS = [
    ("הסכם סודיות", "5. תקופת הסודיות", "5.1 חובת הסודיות לפי הסכם זה תחול במשך 3 שנים מיום מסירת המידע."),
    ("הסכם סודיות", "6. חריגים", "6.1 מידע שהיה בידי הצד המקבל לפני מסירתו אינו מידע סודי."),
    ("הסכם התקשרות", "8. סודיות", "8.2 חובת הסודיות תחול במשך 5 שנים מתום ההתקשרות."),
    ("הסכם התקשרות", "4. שכר טרחה", '4.1 שכר הטרחה הוא 450 ₪ לשעת עבודה, בתוספת מע"מ.'),
]


def _ask(question: str, *, sensitive: bool):
    return answer(question, config=CONFIG, library=FakeLibrary(CHUNKS).library(), sensitive=sensitive)


@pytest.mark.parametrize(
    ("question", "left"),
    [
        ('קוראים לי רונית, טלפון 0521234567, ת"ז 314159265. מה שעות הפתיחה?', "מה שעות הפתיחה?"),
        ("My name is Dana Levi, how much is whitening?", "how much is whitening?"),
        ('שמי יוסי כהן, אפשר תור אצל ד"ר מיכל אברהם?', 'אפשר תור אצל ד"ר מיכל אברהם?'),
        # Someone else's name is what is asked about: it stays.
        ('מתי ד"ר לוי עובד?', 'מתי ד"ר לוי עובד?'),
        ("מה ההסכם עם דנה לוי אומר על סודיות?", "מה ההסכם עם דנה לוי אומר על סודיות?"),
        ("אני אבא של יואב כהן בן 6, מה המחיר?", "אני אבא של יואב כהן בן 6, מה המחיר?"),
        # After 'אני' or "I'm" the scan's name is often a word or someone else's ('עמית' is a colleague): kept.
        ("אני עמית במשרד אחר, האם אתם מקבלים הפניות?", "אני עמית במשרד אחר, האם אתם מקבלים הפניות?"),
        ("אני דנה בהצעה שלכם, מה שכר הטרחה?", "אני דנה בהצעה שלכם, מה שכר הטרחה?"),
        ("I'm Maya's mother, how much is an assessment?", "I'm Maya's mother, how much is an assessment?"),
    ],
)
def test_the_writers_identifiers_leave_the_question(question, left):
    assert without_writer(question) == left


def test_a_question_sensitive_only_for_who_asks_is_answered_like_any_other():
    question = "שמי דנה כהן, טלפון 052-6458123. כמה שנים חלה חובת הסודיות לפי הסכם הסודיות?"
    plain = _ask("כמה שנים חלה חובת הסודיות לפי הסכם הסודיות?", sensitive=False)
    reply = _ask(question, sensitive=True)
    assert plain.status == "answered" and clauses(plain) == ["5.1"]
    assert reply.status == "answered" and not reply.handoff and clauses(reply) == ["5.1"]
    assert "3 שנים" in reply.text and "6458123" not in reply.text


def test_what_the_writer_tells_beyond_who_they_are_still_asks_for_a_strict_quote():
    # Health details told with the question keep the strict rule: a quote must cover what is asked well, and a
    # person takes the rest.
    reply = _ask("שמי דנה כהן, אני בהריון ויש לי סוכרת. מה ההסכם אומר על חופשת מחלה?", sensitive=True)
    assert reply.handoff and reply.reason == "sensitive_no_local"


def test_an_id_number_asks_about_ones_own_record_and_keeps_the_strict_rule():
    # Given with an ID number, 'how much do I still owe' is about the writer's own account, which no clause holds;
    # a clause on fees in general covers the question loosely and is not quoted.
    reply = _ask('ת"ז 314159265, כמה שכר טרחה נשאר לי לשלם?', sensitive=True)
    assert reply.handoff and reply.status == "degraded"


def test_the_writers_identifiers_are_no_search_terms():
    library = FakeLibrary(CHUNKS)
    answer(
        "אני רוצה לבטל, קוראים לי דנה כהן, ת.ז. 123456782, כמה זמן חלה חובת הסודיות?",
        config=CONFIG,
        library=library.library(),
        sensitive=True,
    )
    assert library.calls and not any("דנה" in q or "123456782" in q for q in library.calls), library.calls


def test_without_a_conversation_a_question_a_looser_reading_answers_is_still_held():
    # An ID keeps the strict rule; the fee clause would answer a looser reading, so the documents may hold it:
    # not 'not found', the holding reply. A question nothing in the documents answers is 'not found'.
    library = FakeLibrary(CHUNKS).library()
    held = answer(
        'ת"ז 314159265, כמה שכר טרחה נשאר לי לשלם?',
        config=CONFIG,
        library=library,
        sensitive=True,
        hold_sensitive=False,
    )
    assert held.handoff and held.status == "degraded"
    none = answer(
        "שמי דנה כהן, אני בהריון ויש לי סוכרת. מה ההסכם אומר על חופשת מחלה?",
        config=CONFIG,
        library=library,
        sensitive=True,
        hold_sensitive=False,
    )
    assert not none.handoff and none.status == "not_found"


@pytest.mark.parametrize(
    "text", ["אני רועי, נקעתי את הקרסול במשחק, לשים קרח?", "יש לי חום מאתמול", "my name is Tom and my son has a fever"]
)
def test_an_injury_or_a_fever_told_with_a_name_keeps_the_message_sensitive_beyond_the_name(text):
    assert "health" in assess(text).types
    assert assess(without_writer(text)).sensitive
