"""Kinds of question the seventh example archive showed (issue 16, archive7), on a small Hebrew archive of its own.

A measure asked by its noun that the clause writes as a form: a percentage ('מה אחוז …') is written with the
percent sign ('30%'), a frequency ('באיזו תדירות …') as 'פעם ב…', 'פעמיים ב…' or 'N פעמים ב…'. A clause without
such a form is not made to answer it. A fake lexical library, no database, no model; every figure of a reply is
in the question or a cited passage. A thing asked as two bound words ('מה שכר הטרחה של …') whose second word
no document says is refused: the clause that speaks of the rest ('רואה החשבון') answers another question.
"""

from __future__ import annotations

import pytest

from sochen.agents.answering import Reply, answer
from sochen.agents.answering.language import hebrew_terms
from tests.agents._archive_library import CONFIG, FakeLibrary, assert_sourced, clauses

pytestmark = pytest.mark.unit

FIRM = "הסכם מייסדים — גל אורן ומאיה שטרן, סטודיו לעיצוב"
GARDEN = 'הסכם אחזקת גינה — ירוק עד גינון בע"מ וועד הבית רחוב האלה 5'

CHUNKS = [
    (
        FIRM,
        "הסכם מייסדים",
        'בין: גל אורן, ת"ז 012345674, להלן: "המייסד הראשון";\nלבין: מאיה שטרן, ת"ז 023456781, להלן: "המייסדת השנייה";',
    ),
    (FIRM, "1. המניות › 1.1", "1. המניות\n1.1 המייסד הראשון יחזיק 70% ממניות הסטודיו, והמייסדת השנייה 30%."),
    (FIRM, "1. המניות › 1.2", "1.2 מניות הסטודיו לא יועברו לאחר בלי הסכמת שני המייסדים בכתב."),
    (FIRM, "2. הדיווח › 2.1", "2. הדיווח\n2.1 המייסדים יעבירו זה לזה דוח הכנסות והוצאות מדי פעם ברבעון."),
    (FIRM, "2. הדיווח › 2.2", "2.2 ספרי הסטודיו ינוהלו בידי רואה חשבון שיבחרו המייסדים יחד."),
    (FIRM, "3. החנות › 3.1", "3. החנות\n3.1 מהמכירות בחנות הסטודיו תקבל המייסדת השנייה עמלה של 10%."),
    (GARDEN, "1. העבודות › 1.1", "1. העבודות\n1.1 הגנן יכסח את הדשא פעמיים בחודש בקיץ ופעם בחודש בחורף."),
    (GARDEN, "1. העבודות › 1.2", "1.2 הגנן יגזום את העצים ויפנה את הגזם על חשבונו."),
    (GARDEN, "2. התמורה › 2.1", "2. התמורה\n2.1 ועד הבית ישלם לגנן ₪1,400 לחודש."),
]


def ask(question: str) -> Reply:
    reply = answer(question, config=CONFIG, library=FakeLibrary(CHUNKS).library())
    assert_sourced(reply, question)
    return reply


# --- a percentage asked by the word 'אחוז', written with the percent sign ---


def test_a_percentage_asked_by_its_noun_is_the_clause_with_the_percent_sign() -> None:
    reply = ask("מה אחוז המניות של מאיה שטרן בסטודיו?")
    assert reply.status == "answered" and clauses(reply) == ["1.1"], reply.text
    assert "30%" in reply.text


# --- a frequency asked by the word 'תדירות', written as 'פעם ב…' / 'פעמיים ב…' ---


def test_a_frequency_asked_by_its_noun_is_the_clause_that_says_how_often() -> None:
    reply = ask("כשהמייסדים מעבירים ביניהם דוחות הכנסות, באיזו תדירות זה נעשה?")
    assert reply.status == "answered" and clauses(reply) == ["2.1"], reply.text
    assert "ברבעון" in reply.text


def test_how_often_the_lawn_is_mown_is_the_clause_with_twice_a_month() -> None:
    reply = ask("באיזו תדירות מכסחים את הדשא בבניין?")
    assert reply.status == "answered" and clauses(reply) == ["1.1"], reply.text


def test_a_frequency_no_clause_states_is_still_refused() -> None:
    reply = ask("באיזו תדירות מחליפים את רואה החשבון של הסטודיו?")
    assert reply.status == "not_found" and not reply.citations, reply.text


# --- a thing asked in two bound words whose second no document says: the clause on the first is another answer ---


def test_a_fee_of_a_kind_no_document_names_is_refused() -> None:
    reply = ask("מה שכר הטרחה של רואה החשבון של הסטודיו?")
    assert reply.status == "not_found" and not reply.citations, reply.text


def test_a_thing_whose_bound_words_the_clause_says_is_still_answered() -> None:
    reply = ask("מה דוח ההכנסות שמעבירים המייסדים זה לזה?")
    assert reply.status == "answered" and clauses(reply) == ["2.1"], reply.text


# --- the English words of a catering and a cleaning contract are searched by their Hebrew terms ---


def test_english_catering_and_cleaning_words_have_hebrew_terms() -> None:
    terms = hebrew_terms("What is the price of a vegan meal, and who does the cleaning of the lobby?").split()
    assert {"טבעונית", "ארוחה", "ניקיון"} <= set(terms)


def test_a_part_of_a_thing_the_archive_names_otherwise_is_still_answered() -> None:
    reply = ask("איזה חלק מהקניות בחנות הסטודיו מקבלת המייסדת השנייה?")
    assert reply.status == "answered" and clauses(reply) == ["3.1"], reply.text


# --- how often, as clauses write it with a prefix or another form; a one-time fee is no frequency ---

LICENSE = 'הסכם רישיון — אור תוכנה בע"מ ודפנה מערכות בע"מ'
LEASE = "הסכם שכירות — משפחת לוי ונועה כהן"
FREQUENCY_CHUNKS = [
    (LICENSE, "3. התמורה › 3.1", "3. התמורה\n3.1 דמי רישיון חד-פעמיים בסך ₪250,000 ישולמו במעמד החתימה."),
    (LICENSE, "3. התמורה › 3.4", "3.4 התמלוגים ישולמו אחת לרבעון, בתוך 30 יום מתום הרבעון."),
    (LEASE, "7. החשבונות › 7.3", "7.3 השוכרת תציג אישורים על תשלום החשבונות לפי דרישה, ולא יותר מפעם ברבעון."),
    (LEASE, "7. החשבונות › 7.4", "7.4 השוכרת תשלם את חשבונות החשמל והמים במועדם."),
]


def ask_frequency(question: str) -> Reply:
    reply = answer(question, config=CONFIG, library=FakeLibrary(FREQUENCY_CHUNKS).library())
    assert_sourced(reply, question)
    return reply


def test_a_frequency_with_a_prefix_letter_is_a_frequency() -> None:
    reply = ask_frequency("באיזו תדירות השוכרת צריכה להציג אישורים על תשלום החשבונות?")
    assert reply.status == "answered" and clauses(reply) == ["7.3"], reply.text


def test_once_a_quarter_said_as_one_per_quarter_is_a_frequency_and_a_one_time_fee_is_not() -> None:
    reply = ask_frequency("באיזו תדירות משולמים התמלוגים בהסכם הרישיון?")
    assert reply.status == "answered" and clauses(reply) == ["3.4"], reply.text
    assert "250,000" not in reply.text
