"""Kinds that failed on a child-development centre nobody tuned for (examples/tenants/tzmicha), one test each.

Each test fails without its fix: the rule is general, the wording and material here are only an example of it
(a hearing institute, a dental clinic, a physiotherapy clinic), never the scenario's own.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sochen.agents.answering.extractive import Quote, _one_column
from sochen.agents.answering.language import named_by_service
from sochen.privacy import assess
from sochen.privacy._business import BusinessTerms

TZ = ZoneInfo("Asia/Jerusalem")
_MONDAY = datetime(2026, 12, 7, 10, 0, tzinfo=TZ)


def _column(row: str, question: str) -> str:
    return _one_column(Quote(text=row, section="", hit=None), question).text  # type: ignore[arg-type]


# -- privacy ----------------------------------------------------------------------------------------------------


def test_without_is_not_the_writer_speaking_of_themself():
    """'בלי' (without) is a word of its own, not 'ב' + 'לי' (me): 'בדיקת שמיעה בלי מכשיר' names the institute's
    own service and no one's health — no more sensitive than the same question without 'בלי'."""
    business = BusinessTerms(["בדיקת שמיעה מלאה — 350 ₪", "אבחון שמיעה לילדים"], services=["בדיקת שמיעה"])
    plain = assess("כמה עולה אבחון שמיעה אצלכם?", business=business)
    assert not plain.sensitive, plain.findings
    without = assess("כמה עולה אבחון שמיעה אצלכם, בלי התאמת מכשיר?", business=business)
    assert not without.sensitive, without.findings
    # the writer's own still counts
    own = assess("אני אחרי אבחון שמיעה ויש לי ירידה בשמיעה, כמה עולה מכשיר?", business=business)
    assert own.sensitive


# -- service names ----------------------------------------------------------------------------------------------


def test_an_alias_with_the_article_on_its_last_word_is_the_alias():
    """Hebrew puts the article on a construct's last word: 'אצל קלינאית התקשורת' is the alias 'קלינאית תקשורת'
    of the service the documents call 'קלינאות תקשורת', as 'אצל רופאת השיניים' is 'רופאת שיניים'."""
    aliases = {"טיפול שיניים": ["רופאת שיניים"], "קלינאות תקשורת": ["קלינאית תקשורת"]}
    assert "טיפול שיניים" in named_by_service("כמה עולה ביקור אצל רופאת השיניים?", aliases)
    assert "קלינאות תקשורת" in named_by_service("מה המחיר לכרטיסייה אצל קלינאית התקשורת?", aliases)
    # the plain form as before
    assert "קלינאות תקשורת" in named_by_service("מה המחיר אצל קלינאית תקשורת?", aliases)


# -- price-list columns -----------------------------------------------------------------------------------------

_GROUP = "קבוצה: קבוצת תנועה לגיל הרך · מפגש בודד: 120 ₪ · מחזור של 10 מפגשים: 1,100 ₪"
_PHYSIO = "טיפול: פיזיותרפיה לגב · טיפול בודד: 300 ₪ · כרטיסייה של 10 טיפולים: 2,700 ₪"
_REPORT = "בדיקה: אבחון שמיעה · עם שיחת הסבר: 400 ₪ · עם דוח כתוב: 600 ₪"


def test_a_cycle_of_meetings_is_the_package_column():
    """'מחזור שלם' asks the column of the whole cycle ('מחזור של 10 מפגשים'), not the single meeting's."""
    assert (
        _column(_GROUP, "כמה עולה מחזור שלם בקבוצת התנועה?")
        == "קבוצה: קבוצת תנועה לגיל הרך · מחזור של 10 מפגשים: 1,100 ₪"
    )
    assert _column(_GROUP, "How much is the full course of the movement group?").endswith("1,100 ₪")


def test_just_once_is_the_single_column():
    """'רק פעם אחת' (and the common 'פעם אחד') asks the single treatment's price, not the card's."""
    assert _column(_PHYSIO, "כמה עולה פיזיותרפיה לגב, רק פעם אחת?").endswith("טיפול בודד: 300 ₪")
    assert _column(_PHYSIO, "כמה זה עולה פיזיותרפיה לגב פעם אחד?").endswith("טיפול בודד: 300 ₪")


def test_a_with_column_is_named_in_another_form_of_its_noun():
    """A column 'עם שיחת X' is asked by 'עם שיחה' (the noun's other form); 'בלי דו"ח' declines the 'עם דוח'
    column however the abbreviation is spelled."""
    assert _column(_REPORT, 'כמה עולה אבחון שמיעה, עם שיחה בסוף בלי דו"ח?').endswith("עם שיחת הסבר: 400 ₪")
    assert _column(_REPORT, 'כמה עולה אבחון שמיעה עם דו"ח כתוב?').endswith("עם דוח כתוב: 600 ₪")
    assert _column(_REPORT, "how much is a hearing assessment with a written report?").endswith("600 ₪")


def test_with_whom_is_not_a_word_of_the_topic():
    """'אצל' (at / with someone) is a preposition like 'אצלכם': 'כרטיסייה אצל קלינאית התקשורת' is the card of the
    speech-therapy row, whose words do not say 'אצל'."""
    from sochen.agents.answering import answer
    from sochen.config import TenantConfig
    from tests.agents._archive_library import FakeLibrary

    chunks = [
        (
            "מחירון — מכון שמע",
            "טיפולים (טיפול בודד / כרטיסייה של 10)",
            "טיפולים (טיפול בודד / כרטיסייה של 10 טיפולים)\nטיפול | טיפול בודד | כרטיסייה של 10 טיפולים\n"
            "טיפול: שיקום שמיעה — אימון שמיעתי · טיפול בודד: 300 ₪ · כרטיסייה של 10 טיפולים: 2,700 ₪\n"
            "טיפול: טיפול בטנטון · טיפול בודד: 350 ₪ · כרטיסייה של 10 טיפולים: 3,100 ₪",
        ),
        ("נהלים — מכון שמע", "1. תורים › 1.1", "1.1 הטיפול נקבע אצל מטפלת מסוימת, בימים שבהם היא מקבלת."),
    ]
    agent = {
        "answer_mode": "extractive",
        "services": ["שיקום שמיעה"],
        "service_aliases": {"שיקום שמיעה": ["מאמנת שמיעה"]},
    }
    config = TenantConfig.model_validate({"slug": "shmak", "name": "מכון שמע", "agent": agent})
    reply = answer(
        "מה המחיר לכרטיסייה של 10 טיפולים אצל מאמנת השמיעה?",
        config=config,
        library=FakeLibrary(chunks).library(),
        now=_MONDAY,
    )
    assert "2,700" in reply.text and "3,100" not in reply.text, reply.text


# -- quotes -----------------------------------------------------------------------------------------------------


def test_a_later_sentence_of_a_staff_item_is_quoted_with_whom_it_is_about():
    """'מדבר עברית, ערבית ואנגלית.' quoted alone does not say who speaks Arabic: a later sentence of an item that
    opens with a name ('סאמר ח'טיב — מרפא בעיסוק. …') is quoted with that name."""
    from sochen.agents.answering.units import clause_units

    units = clause_units(
        "המטפלים\nסאמר ח'טיב — מרפא בעיסוק. מדבר עברית, ערבית ואנגלית. עובד בימים א', ג' וה'.\n"
        "דנה לוי — מרפאה בעיסוק. עובדת בימים ב' ו-ד'."
    )
    texts = [u.text for u in units]
    assert "סאמר ח'טיב — מדבר עברית, ערבית ואנגלית." in texts, texts
    assert "דנה לוי — עובדת בימים ב' ו-ד'." in texts, texts
    assert "סאמר ח'טיב — מרפא בעיסוק." in texts, texts  # the first sentence names him already


# -- emergencies ------------------------------------------------------------------------------------------------


def test_half_a_year_ago_is_history():
    """'לפני חצי שנה' places the owner's sign (a child who choked) in the past like 'לפני שנה': the price question
    after 'היום הוא בסדר' is not an emergency; the same sign now still is."""
    from sochen.agents.extract import is_emergency

    own = ["נחנק", "נחנקה", "פרכוס"]
    past = "לפני חצי שנה הבת שלי נחנקה מענב והיינו במיון. היום היא בסדר. כמה עולה הדרכת הורים?"
    assert is_emergency(past, extra=own) is None
    assert is_emergency("לפני שנה וחצי היה לו פרכוס. מאז הוא בסדר. יש לכם קבוצה לגיל 4?", extra=own) is None
    assert is_emergency("הבת שלי נחנקה עכשיו מענב!", extra=own) is not None


# -- the staff's own days ---------------------------------------------------------------------------------------


def test_a_staff_line_just_under_its_heading_is_read_with_its_own_name():
    """A chunk that opens with the heading 'המטפלות' and then 'מיכל שרעבי — … מקבלת בימים א', ג' ו-ה'.' lists
    מיכל שרעבי (not 'המטפלות מיכל שרעבי'): a message that books with her on a Monday is checked against her days."""
    from sochen.agents.hours import staff_from_documents, staff_named
    from sochen.config.sections.agent import OpeningHours

    hours = OpeningHours(sunday=["08:00-19:00"], monday=["08:00-19:00"], tuesday=["08:00-19:00"])
    text = "המטפלות\nמיכל שרעבי — קלינאית תקשורת. מקבלת בימים א' ו-ג'.\nנטע אברהמי — פיזיותרפיסטית. מקבלת ביום ב'."
    staff = staff_from_documents([text], hours)
    assert sorted(m.name for m in staff) == ["מיכל שרעבי", "נטע אברהמי"]
    michal = staff_named("רוצה לקבוע לבת שלי טיפול אצל מיכל שרעבי ביום שני ב-17:00", staff)
    assert michal is not None and michal.hours.monday == [] and michal.hours.sunday == ["08:00-19:00"]


# -- a writer whose Hebrew is a second language -----------------------------------------------------------------


def test_my_name_without_the_article_is_the_writers_name():
    """'שם שלי מרינה קוזלוב' (for 'השם שלי') introduces the writer as 'השם שלי' does."""
    from sochen.agents.extract import _slots

    slots = _slots("יום שלישי ב-9 בבוקר, שם שלי אולגה פטרנקו", now=_MONDAY, service=None)
    assert slots.get("name") == "אולגה פטרנקו", slots


# -- what is not offered ----------------------------------------------------------------------------------------


def test_does_not_give_in_the_masculine_is_not_offered():
    """'המכון אינו נותן X' (the masculine, as 'המרכז'/'המכון' take) says X is not offered, as 'אינה נותנת' does:
    'כמה עולה X?' is answered by it, not by 'I did not find'."""
    from sochen.agents.answering import answer
    from sochen.config import TenantConfig
    from tests.agents._archive_library import FakeLibrary

    chunks = [
        (
            "מחירון — מכון שמע",
            "בדיקות",
            "בדיקות\nבדיקה | מחיר\nבדיקה: בדיקת שמיעה מלאה · מחיר: 350 ₪\nבדיקה: בדיקת שמיעה לתינוק · מחיר: 280 ₪",
        ),
        (
            "מחירון — מכון שמע",
            "מה אינו ניתן במכון",
            "מה אינו ניתן במכון\nהמכון אינו נותן טיפולי אף-אוזן-גרון למבוגרים (ניתוחים, שטיפת אוזניים); מפנים לרופא.",
        ),
    ]
    config = TenantConfig.model_validate({"slug": "shmak", "name": "מכון שמע", "agent": {"answer_mode": "extractive"}})
    reply = answer("כמה עולה אצלכם שטיפת אוזניים? זה בשבילי", config=config, library=FakeLibrary(chunks).library())
    assert "אינו נותן" in reply.text and "₪" not in reply.text, reply.text


def test_a_school_grade_is_not_a_weekday_of_a_staff_line():
    """'קבוצת כתיבה לקראת כיתה א'' names a grade, not Sunday: the line's days ('מקבלת בימים ב', ד' ו-ו'') are read."""
    from sochen.agents.hours import staff_from_documents
    from sochen.config.sections.agent import OpeningHours

    hours = OpeningHours(
        sunday=["08:00-19:00"], monday=["08:00-19:00"], wednesday=["08:00-19:00"], friday=["08:00-12:00"]
    )
    line = "עדי לוי — מרפאה בעיסוק. גרפומוטוריקה וקבוצת כתיבה לקראת כיתה א'. מקבלת בימים ב', ד' ו-ו'."
    staff = staff_from_documents([line], hours)
    assert [m.name for m in staff] == ["עדי לוי"]
    assert staff[0].hours.sunday == [] and staff[0].hours.friday == ["08:00-12:00"]
