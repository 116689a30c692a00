"""A model's verified answer is shown only when it answers the question asked, in the question's language.

Found with the local Qwen model (docs/models.md): a soldiers' discount answered from the pensioners'
discount clause (quote and figure verified, question not answered), and an English question answered in
Hebrew. The model here is a stand-in that returns a prepared, verified answer.
"""

from __future__ import annotations

import pytest

from sochen.agents.answering import Reply, answer
from sochen.agents.answering.checks import off_topic, unshown_figures, wrong_language
from sochen.config import TenantConfig
from sochen.llm import Answer, Citation, Passage
from tests.agents._archive_library import FakeLibrary

pytestmark = pytest.mark.unit

PRICES = "מחירון מרפאת השיניים 2026"
HOURS = "שעות פעילות וכתובת"
CANCEL = "מדיניות ביטול תורים"

CHUNKS = [
    (
        PRICES,
        "טיפולים ומחירים",
        "טיפול | מחיר\n"
        "טיפול: בדיקה וצילום · מחיר: ₪180\n"
        "טיפול: ניקוי אבנית · מחיר: ₪350\n"
        "טיפול: הלבנת שיניים · מחיר: ₪1,200\n"
        "טיפול: טיפול שורש · מחיר: ₪1,900",
    ),
    (PRICES, "הנחות", "הנחות\nגמלאים מקבלים הנחה של 10% על כל הטיפולים. מבוטחי ביטוח משלים — 15% הנחה על ניקוי אבנית."),
    (HOURS, "שעות", "שעות פעילות\nימים: א׳–ה׳ · שעות: 08:00–19:00\nימים: ו׳ · שעות: 08:00–13:00\nבשבת המרפאה סגורה."),
    (HOURS, "כתובת וחניה", "כתובת: רחוב ביאליק 12, רמת גן, קומה 2. חניה בתשלום בחניון העירוני ממול."),
    (
        CANCEL,
        "ביטול",
        "ביטול תור עד 24 שעות מראש — ללא חיוב.\nאי-הגעה לתור בלי הודעה — דמי ביטול של ₪100.",
    ),
]

AUTO = TenantConfig.model_validate({"slug": "clinic", "name": "מרפאת חיוך"})
GENERATIVE = TenantConfig.model_validate(
    {"slug": "clinic", "name": "מרפאת חיוך", "agent": {"answer_mode": "generative"}}
)


def _passage(n: int, title: str, section: str) -> Passage:
    for t, s, text in CHUNKS:
        if (t, s) == (title, section):
            return Passage(n, text, f"doc-{t[:8]}", t, s)
    raise KeyError(section)


def model_answer(text: str, *quotes: tuple[str, str]) -> Answer:
    """A verified answer citing (section, quote) pairs of CHUNKS."""
    citations = []
    for i, (section, quote) in enumerate(quotes, start=1):
        title = next(t for t, s, _ in CHUNKS if s == section)
        citations.append(Citation(i, quote, _passage(i, title, section)))
    return Answer("answered", text, tuple(citations))


def ask(question: str, generated: Answer, config: TenantConfig = AUTO) -> Reply:
    library = FakeLibrary(CHUNKS).library()
    return answer(question, config=config, library=library, generate=lambda passages: generated)


def test_a_verified_answer_to_a_subject_the_documents_never_mention_is_refused() -> None:
    # The discount clause is real and '10%' is in it; it is the pensioners' discount, not the soldiers'.
    soldiers = model_answer("כן, יש הנחה של 10% על כל הטיפולים.", ("הנחות", "הנחה של 10% על כל הטיפולים"))
    auto = ask("יש לכם הנחה לחיילים בסדיר?", soldiers)
    assert auto.status != "answered" and "10%" not in auto.text
    assert auto.generated is not None and auto.generated.rejected == "absent_subject"
    assert auto.generated.draft == soldiers.text  # kept for review, not shown
    strict = ask("יש לכם הנחה לחיילים בסדיר?", soldiers, GENERATIVE)
    assert (strict.mode, strict.status, strict.reason) == ("generative", "ungrounded", "absent_subject")
    assert "10%" not in strict.text


def test_an_answer_that_cites_a_passage_about_something_else_is_refused() -> None:
    # '24 שעות' checks out in the cancellation clause; the question is where to park.
    parking = model_answer("אפשר לחנות עד 24 שעות מראש.", ("ביטול", "ביטול תור עד 24 שעות מראש"))
    reply = ask("איפה אפשר להחנות את הרכב כשמגיעים למרפאה?", parking, GENERATIVE)
    assert reply.status == "ungrounded" and reply.generated is not None
    assert reply.generated.rejected in ("off_topic", "attribute_unsaid")  # no word and no sentence of parking


@pytest.mark.parametrize(
    ("question", "text", "quotes"),
    [
        ("כמה עולה ניקוי אבנית?", "ניקוי אבנית עולה ₪350.", [("טיפולים ומחירים", "ניקוי אבנית · מחיר: ₪350")]),
        (
            "ובכמה יוצאת הלבנה לשיניים?",
            "הלבנת שיניים עולה ₪1,200.",
            [("טיפולים ומחירים", "הלבנת שיניים · מחיר: ₪1,200")],
        ),
        ("מתי אתם פתוחים ביום שישי?", "ביום ו׳ 08:00–13:00.", [("שעות", "ימים: ו׳ · שעות: 08:00–13:00")]),
        ("יש הנחה לגמלאים?", "כן, 10% על כל הטיפולים.", [("הנחות", "גמלאים מקבלים הנחה של 10% על כל הטיפולים")]),
        ("כַּמָּה עוֹלֶה טִיפּוּל שׁוֹרֶשׁ?", "טיפול שורש עולה ₪1,900.", [("טיפולים ומחירים", "טיפול שורש · מחיר: ₪1,900")]),
        ("מה קורה אם לא הגעתי לתור ולא הודעתי?", "יש דמי ביטול של ₪100.", [("ביטול", "דמי ביטול של ₪100")]),
        ("איפה החניה?", "בחניון העירוני ממול, בתשלום.", [("כתובת וחניה", "חניה בתשלום בחניון העירוני ממול")]),
        ("מה הכתובת של המרפאה?", "רחוב ביאליק 12, רמת גן.", [("כתובת וחניה", "רחוב ביאליק 12, רמת גן")]),
    ],
)
def test_good_answers_are_shown(question: str, text: str, quotes: list[tuple[str, str]]) -> None:
    reply = ask(question, model_answer(text, *quotes), GENERATIVE)
    assert (reply.mode, reply.status) == ("generative", "answered"), reply.generated
    # The model's words first, then what says it, with its source (docs: answering's module docstring).
    assert reply.text.startswith(f"{text}\n\n") and "(מקור: " in reply.text
    assert all(quote in reply.text for _, quote in quotes)


def test_an_english_question_answered_in_hebrew_gets_english_around_the_verified_quote() -> None:
    hebrew = model_answer("ניקוי אבנית עולה ₪350.", ("טיפולים ומחירים", "ניקוי אבנית · מחיר: ₪350"))
    strict = ask("How much is a dental cleaning (ניקוי אבנית)?", hebrew, GENERATIVE)
    assert strict.status == "answered" and strict.reason == "wrong_language"
    assert strict.text.startswith("According to our documents") and "ניקוי אבנית · מחיר: ₪350" in strict.text
    assert "ניקוי אבנית עולה" not in strict.text and [c.quote for c in strict.citations] == ["ניקוי אבנית · מחיר: ₪350"]
    assert strict.generated is not None and strict.generated.rejected == "wrong_language"
    auto = ask("How much is a dental cleaning (ניקוי אבנית)?", hebrew)
    assert auto.mode == "extractive" and auto.text.startswith("According to our documents") and "₪350" in auto.text


def test_an_english_answer_with_a_hebrew_quote_is_shown() -> None:
    english = model_answer(
        'A dental cleaning costs ₪350 (the price list says "ניקוי אבנית · מחיר: ₪350").',
        ("טיפולים ומחירים", "ניקוי אבנית · מחיר: ₪350"),
    )
    reply = ask("How much is a dental cleaning?", english, GENERATIVE)
    assert (reply.mode, reply.status) == ("generative", "answered")
    # The answer already writes the quote out: only its source follows, in the question's language.
    assert reply.text == f"{english.text}\n\n(Source: {PRICES}, טיפולים ומחירים)"


@pytest.mark.parametrize(
    ("lang", "text", "wrong"),
    [
        ("he", "ניקוי אבנית עולה ₪350.", False),
        ("he", "PRP עולה ₪800 לטיפול.", False),
        ("he", "A cleaning costs 350 shekels.", True),
        ("en", "The cleaning costs ₪350.", False),
        ("en", "ניקוי אבנית עולה ₪350.", True),
        ("en", "It says “ביטול תור עד 24 שעות מראש — ללא חיוב”: free until 24 hours before.", False),
        ("en", "The no-show fee is ₪100 (אי-הגעה לתור בלי הודעה).", False),  # the clause's Hebrew, unquoted
        ("en", "₪350", False),  # a bare figure is in every language
        ("ar", "تنظيف الجير يكلف 350 شيكل.", False),
        ("ar", "ניקוי אבנית עולה ₪350.", True),
        ("he", "ה薪水 של השוכר הוא ₪400 ליום.", True),  # a small model slipped into Chinese mid-word
        ("en", "The fee is ₪400 per day (費用).", True),
        ("he", "קָפֶה ב-Café Noir עולה ₪18.", False),  # niqqud and an accented Latin name are letters of their scripts
        ("he", "הבדיקה דורשת 5 µg של החומר.", False),  # a unit sign from Latin-1
        ("ar", "الرسوم 400 شيكل.", False),
    ],
)
def test_wrong_language(lang: str, text: str, wrong: bool) -> None:
    assert wrong_language(lang, text) is wrong  # type: ignore[arg-type]


def test_an_answer_with_no_citations_to_judge_is_not_called_off_topic() -> None:
    assert off_topic("כמה עולה ניקוי אבנית?", (), FakeLibrary(CHUNKS).library()) == ""


def test_a_figure_the_shown_quotes_do_not_carry_is_not_shown() -> None:
    # ₪1,900 is in the cited chunk (root canal's row), so verification passes; the quote shown is whitening's.
    unshown = model_answer("הלבנת שיניים עולה ₪1,900.", ("טיפולים ומחירים", "טיפול: הלבנת שיניים · מחיר: ₪1,200"))
    assert unshown_figures("כמה עולה הלבנת שיניים?", unshown) == ["1900"]
    reply = ask("כמה עולה הלבנת שיניים?", unshown)
    assert reply.mode == "extractive" and "₪1,200" in reply.text and "1,900" not in reply.text
    assert reply.generated is not None and reply.generated.rejected == "figures_unshown"
    # A figure in the quote, in the question, or the clause number of the quoted section is shown.
    shown = model_answer("הלבנה עולה ₪1,200, ולגמלאים 10% פחות.", ("טיפולים ומחירים", "הלבנת שיניים · מחיר: ₪1,200"))
    assert unshown_figures("כמה עולה הלבנה? יש הנחה של 10% לגמלאים?", shown) == []


@pytest.mark.parametrize(
    ("question", "text", "quote", "shown"),
    [
        ("מה שעות הפעילות של המרפאה?", "24 שעות מראש.", ("ביטול", "ביטול תור עד 24 שעות מראש"), False),
        ("מה שעות הפעילות של המרפאה?", "א׳–ה׳ 08:00–19:00.", ("שעות", "ימים: א׳–ה׳ · שעות: 08:00–19:00"), True),
        ("מה הכתובת של המרפאה?", "רחוב ביאליק 12, רמת גן.", ("כתובת וחניה", "כתובת: רחוב ביאליק 12, רמת גן"), True),
        ("מה הכתובת של המרפאה?", "רמת גן.", ("הנחות", "גמלאים מקבלים הנחה"), False),
    ],
)
def test_a_fact_of_a_fixed_shape_is_answered_only_by_a_quote_of_that_shape(
    question: str, text: str, quote: tuple[str, str], shown: bool
) -> None:
    reply = ask(question, model_answer(text, quote), GENERATIVE)
    assert (reply.mode == "generative" and reply.status == "answered") is shown
    if not shown:
        assert reply.generated is not None and reply.generated.rejected == "attribute_unsaid"
