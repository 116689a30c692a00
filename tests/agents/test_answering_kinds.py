"""Model-free answers on a salon nobody tuned for: kinds of question the extractive answerer must get right.

A misspelt or slang-wrapped treatment, the attribute asked (address, parking, who, hours, days, a
policy fee rather than a price row), an aside after the question, and 'now' on a given weekday. The
archive is a small hair salon's, through a fake lexical library (no database, no model).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from sochen.agents import nodes
from sochen.agents.answering import Library, Reply, answer
from sochen.agents.answering.attributes import asked, carries, fit
from sochen.agents.answering.days import dated
from sochen.config import TenantConfig, parse_tenant_yaml
from sochen.rag.retriever import SearchHit
from sochen.text import stems, tokenize

pytestmark = pytest.mark.unit

PRICES = "מחירון 2026 — סלון שירן"
HOURS = "שעות פתיחה והגעה — סלון שירן"
POLICY = "מדיניות ביטולים — סלון שירן"
TEAM = "הצוות שלנו — סלון שירן"

CHUNKS = [
    (
        PRICES,
        "טיפולים",
        "טיפולים\nטיפול | תיאור | מחיר\n"
        "טיפול: תספורת גברים · תיאור: כולל חפיפה · מחיר: ₪90\n"
        "טיפול: צבע שיער · תיאור: צבע שורשים או מלא · מחיר: ₪280\n"
        "טיפול: החלקה קרטין · תיאור: כשלוש שעות, מחזיקה כארבעה חודשים · מחיר: ₪650\n"
        "טיפול: פן · תיאור: פן חלק או גלי · מחיר: ₪120",
    ),
    (PRICES, "", "סלון שירן, רחוב הגפן 8, כרמיאל."),
    (
        HOURS,
        "",
        "סלון שירן פועל ברחוב הגפן 8, כרמיאל, בקומת הקרקע של מרכז הגפן.",
    ),
    (
        HOURS,
        "שעות פתיחה",
        "שעות פתיחה\nימים | שעות\nימים: א׳–ה׳ · שעות: 09:00–20:00\nימים: ו׳ · שעות: 08:00–14:00\n"
        "הצובעת מקבלת בימים ב׳ וד׳.",
    ),
    (
        HOURS,
        "הגעה וחניה › 1",
        "הגעה וחניה\n1. חניה חינם בחניון מרכז הגפן ברחוב הגפן 12, כ-30 מטר מהסלון.",
    ),
    (HOURS, "הגעה וחניה › 2", "2. קווי אוטובוס 5 ו-7 עוצרים ליד המרכז."),
    (
        POLICY,
        "2. אי-הגעה › 2.1",
        "2. אי-הגעה\n2.1 לקוח שלא הגיע לתור ולא הודיע על כך יחויב בדמי אי-הגעה בסך ₪100, "
        "ובסך ₪250 לתור של החלקה או צבע.",
    ),
    (
        POLICY,
        "3. הזכויות שלכם",
        "3. הזכויות שלכם\nלקבל העתק של החשבוניות שלכם.\nלבקש למחוק את פרטיכם מרשימת התפוצה.\n"
        "בקשה יש להגיש בכתב לבעלת הסלון, ונשיב לה בתוך 14 יום.",
    ),
    (
        POLICY,
        "4. תשלום › 4.1",
        "4. תשלום\n4.1 בעת קביעת תור להחלקה משולמת מקדמה בסך ₪150 מראש.\n4.2 סטודנטים זכאים ל-10% הנחה על תספורת.",
    ),
    (
        TEAM,
        "שאלות נפוצות",
        "כמה זמן נמשכת החלקה?\nהחלקה נמשכת כשלוש שעות, והתוצאה נשמרת כארבעה חודשים.",
    ),
    (
        TEAM,
        "",
        "החלקות וצבע שיער אצל גב' שירן אלון, הבעלים. תספורות גברים אצל מר דני אזולאי.",
    ),
    (PRICES, "", "סלון שירן, רחוב הגפן 8, כרמיאל. טלפון 04-9990000."),
]


def _hit(i: int, title: str, section: str, text: str) -> SearchHit:
    return SearchHit(text, 0.0, f"doc-{title[:6]}", f"{title}.md", title, section, None, f"c{i}")


HITS = [_hit(i, *c) for i, c in enumerate(CHUNKS)]


def _forms(text: str) -> set[str]:
    return {f for t in tokenize(text) for f in (t, *stems(t))}


class FakeLibrary:
    """A tiny lexical search over HITS."""

    def __init__(self) -> None:
        df: dict[str, int] = {}
        for h in HITS:
            for f in _forms(h.text):
                df[f] = df.get(f, 0) + 1
        self.df = df

    def idf(self, term: str) -> float:
        return math.log(1 + (len(HITS) - self.df.get(term, 0) + 0.5) / (self.df.get(term, 0) + 0.5))

    def search(self, query: str, *, top_k: int, document_ids: Sequence[str] | None = None) -> list[SearchHit]:
        q = _forms(query)
        pool = [h for h in HITS if document_ids is None or h.document_id in document_ids]
        return sorted(pool, key=lambda h: -sum(self.idf(f) for f in q & _forms(h.text)))[:top_k]

    def library(self) -> Library:
        return Library(
            search=self.search, idf=self.idf, documents={h.document_id: h.title for h in HITS}, chunks=tuple(HITS)
        )


CONFIG = TenantConfig.model_validate({"slug": "salon", "name": "סלון שירן", "agent": {"answer_mode": "extractive"}})
FRIDAY_NOON = datetime(2026, 11, 27, 12, 0, tzinfo=ZoneInfo("Asia/Jerusalem"))


def ask(question: str, **kw) -> Reply:
    return answer(question, config=CONFIG, library=FakeLibrary().library(), **kw)


def quoted(reply: Reply) -> str:
    assert reply.status == "answered", reply
    return " ".join(c.quote for c in reply.citations)


def test_a_misspelt_treatment_is_answered_with_its_own_row():
    reply = ask("כמה עולה החלקה קרטיין?")
    assert "₪650" in quoted(reply) and "₪280" not in reply.text


def test_slang_around_a_price_question_does_not_hide_the_treatment():
    reply = ask("אחי בכמה יוצא לי צבע שיער בערך")
    assert "₪280" in quoted(reply)


def test_the_address_question_gets_the_address_not_the_parking_or_a_footer():
    reply = ask("מה הכתובת של הסלון?")
    assert "הגפן 8" in quoted(reply)
    assert all(c.passage.title == HOURS for c in reply.citations)
    assert "חניה" not in reply.text


def test_the_parking_question_gets_the_parking_sentence():
    reply = ask("איפה אפשר לחנות ליד הסלון?")
    assert "הגפן 12" in quoted(reply) and "אוטובוס" not in reply.text


@pytest.mark.parametrize(
    ("question", "parking"),
    [
        ("כמה משלמת החנות על דמי שיווק?", False),  # 'החנות' is the store
        ("מה שעות הפתיחה של החנות?", False),
        ("איפה אפשר להחנות את הרכב?", True),  # 'להחנות': to park
        ("יש איפה לחנות?", True),
        ("איך מגיעים לחנות?", False),  # to the store
        ("יש חנות ליד?", False),
    ],
)
def test_the_store_is_not_a_question_about_parking(question: str, parking: bool):
    assert (asked(question) == "parking") is parking


def test_who_does_a_treatment_is_answered_by_the_sentence_naming_a_person():
    reply = ask("מי עושה אצלכם החלקות?")
    assert "שירן אלון" in quoted(reply)


def test_a_policy_fee_beats_the_price_row_of_the_treatment_named():
    reply = ask("מה קורה אם לא הגעתי לתור של צבע שיער ולא הודעתי? כמה זה עולה?")
    assert "₪250" in quoted(reply) and reply.citations[0].passage.title == POLICY


def test_an_aside_after_the_question_is_not_another_question():
    reply = ask("עד איזו שעה אפשר להגיע ביום שלישי? אני יוצא מהעבודה מאוחר")
    assert "20:00" in quoted(reply) and len(reply.citations) == 1


def test_which_days_a_staff_member_works_is_answered_from_the_days_sentence():
    reply = ask("הצובעת עובדת ביום שלישי?")
    assert "ב׳ וד׳" in quoted(reply)


def test_open_now_on_a_friday_is_answered_by_the_friday_row():
    reply = ask("אתם פתוחים עכשיו?", now=FRIDAY_NOON)
    assert "14:00" in quoted(reply) and "20:00" not in reply.text


def test_dated_names_the_weekday_only_for_questions_about_the_hours():
    assert dated("אתם פתוחים מחר?", FRIDAY_NOON) == "אתם פתוחים מחר (ביום שבת)?"
    assert dated("אתם פתוחים היום עד מאוחר?", FRIDAY_NOON) == "אתם פתוחים היום (ביום שישי) עד מאוחר?"
    assert dated("כמה עולה פן היום?", FRIDAY_NOON) == "כמה עולה פן היום?"
    assert dated("אתם פתוחים עכשיו?", None) == "אתם פתוחים עכשיו?"


def test_attributes_of_questions_and_sentences():
    assert asked("מה הכתובת שלכם?") == "address"
    assert asked("איפה חונים?") == "parking"
    assert asked("מה קורה אם לא הגעתי לתור?") == "policy"
    assert asked("מי מטפל בילדים?") == "who"
    assert asked("כמה עולה פן?") == "price"
    assert asked("מה דמי השכירות?") is None  # a rent is not a cancellation fee
    assert carries("חניה חינם ברחוב הגפן 12") == {"parking", "address"}
    assert fit("address", "חניה חינם ברחוב הגפן 12") == 0.0  # the parking sentence does not answer 'where'
    assert fit("address", "הסלון ברחוב הגפן 8, כרמיאל.", "שעות פתיחה והגעה") == 1.5


def test_the_conversation_searches_a_foreign_question_with_hebrew_terms():
    queries: list[str] = []

    class Retriever:
        def search(self, tenant: object, query: str, *, top_k: int) -> list[SearchHit]:
            queries.append(query)
            return []

        def with_neighbours(self, tenant: object, hits: list[SearchHit], *, first: int) -> list[SearchHit]:
            return hits

    config = parse_tenant_yaml("slug: shiny\nname: מספרה\n")
    deps = SimpleNamespace(retriever=Retriever(), tenant=object(), top_k=5, config=config)
    nodes.retrieve({"text": "كم سعر تبييض الأسنان؟"}, deps)  # type: ignore[arg-type]
    assert queries and "הלבנת" in queries[0] and "שיניים" in queries[0]


def test_two_questions_joined_without_a_comma_are_each_answered():
    reply = ask("כמה זמן לוקחת החלקה וכמה זמן זה מחזיק?")
    assert "כשלוש שעות" in quoted(reply)


def test_a_price_and_what_to_pay_ahead_are_answered_by_the_row_and_the_payment_rule():
    reply = ask("כמה עולה החלקה קרטין, וצריך לשלם משהו מראש?")
    assert "₪650" in quoted(reply) and "₪150" in quoted(reply)


def test_how_to_ask_for_a_right_quotes_the_right_and_how_to_ask():
    reply = ask("איך אני מבקשת למחוק את הפרטים שלי מרשימת התפוצה?")
    text = quoted(reply)
    assert "למחוק את פרטיכם" in text and "בכתב" in text and "14 יום" in text


def test_a_discount_for_someone_the_documents_never_mention_is_refused():
    reply = ask("יש לכם הנחה לחיילים משוחררים?")
    assert reply.status == "not_found" and reply.citations == ()
    assert "10%" in quoted(ask("יש לכם הנחה לסטודנטים?"))  # the ones it names are answered


def test_a_slang_questions_hints_stay_inside_the_question():
    """The tenant's names for a slang word go before the question mark: after it they read as a second question."""
    from sochen.agents.answering.extractive import _parts, with_terms

    focus = with_terms("כמה עולה בדיקת עיניים?", "בדיקת ראייה")
    assert focus == "כמה עולה בדיקת עיניים בדיקת ראייה?"
    assert len(_parts(focus)) == 1
    assert with_terms("מה המחיר", "") == "מה המחיר"


def test_a_figure_of_a_period_the_question_does_not_name_loses_the_tie():
    """'בתקופת האופציה יעלו ל-₪7,072' is the option period's rent: not the answer to what the rent is."""
    from sochen.agents.answering.extractive import _in_another_period, _words

    option = "6.3 דמי השכירות אינם צמודים למדד בתקופת השכירות. בתקופת האופציה יעלו דמי השכירות ב-4%, ל-₪7,072 לחודש."
    assert _in_another_period(option, _words("כמה דמי השכירות בדירה?"))
    assert not _in_another_period(option, _words("כמה יהיו דמי השכירות בתקופת האופציה?"))
    assert not _in_another_period("6.1 דמי השכירות החודשיים יהיו ₪6,800.", _words("כמה דמי השכירות?"))
    guarantee = "2 להבטחת התחייבויותיו בתקופת הבדק ימסור הקבלן ערבות בדק בסך 2% משכר החוזה."
    assert not _in_another_period(guarantee, _words("מה גובה ערבות הבדק?"))
