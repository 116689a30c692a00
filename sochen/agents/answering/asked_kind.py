"""What kind of answer a question asks for, and whether a quote can be that answer.

A question that asks *when*, *in what year*, *how long* or *how many* is answered only by a text that says a
time, a year or a number. The clause or sentence that speaks of the thing asked about without saying it
('הרוחות פרקו את המתקן, והניסוי הופסק' for 'מתי הופסק הניסוי?'; 'הגיעו עם ערפאת מתוניס' for 'מתי הגיע ערפאת?')
is the near miss a reader would not take for an answer, and the answerer refuses it as it refuses a clause
about another thing. Niqqud, gershayim and dashes are folded first, as everywhere (``sochen.text.normalize``).

The kinds are read from the question sentence only: its asking word among its first words ('מתי …?',
'ובאיזו שנה …', 'ותוך כמה ימים …'), not a word of the story told before it ('נפלתי לפני כמה ימים. מה
עושים?') or a quantity said in passing ('יש לי כמה שאלות'). What counts as saying the kind is broad on purpose
(a time is a digit, a month, a weekday, a part of the day, a period's noun, a time-relative phrase such as
'במהלך' or 'עם סיום'); the check refuses only a quote that has none of it beyond the question's own words and
its clause numbers ('2.1', 'כאמור בסעיף 4.2'), and never one that points to where its figures are ('כמפורט
בטבלה', 'בנספח א'').

Measured on HeQ's validation questions (``bench/heq_answers.py``, ``bench/results/heq_answers_session17_*.json``),
split by paragraph: tuned on the first half only (779 questions), where it took the answers right from 440 to 464
(unanswerable questions refused 47 → 73, right answers 393 → 391); on the held-out second half (722), run once,
from 396 to 403 (refused 69 → 80, right answers 327 → 323; the stated answers right 57.4% → 58.3%).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Literal

from ...text import normalize, stems

__all__ = ["AskedKind", "asked_kind", "says_kind"]

AskedKind = Literal["when", "year", "count", "duration"]

_H = r"(?<![\u05d0-\u05ea])"
_E = r"(?![\u05d0-\u05ea])"
_LEAD = r"(?:ו|ו?אז|אבל|ו?תגיד(?:ו|י)?|ו?תגידי|רגע|שאלה|בקיצור|ו?בעצם)"
# The asking word after up to two lead words ('ואז מתי', 'אבל תוך כמה').
_START = rf"^\W*(?:{_LEAD}\W+){{0,2}}"
_YEAR_Q = re.compile(
    _START + rf"(?:ו?[במ]איז(?:ו|ה)\s+(?:שנה|שנת|עשור|מאה)){_E}"
    r"|^\W*(?:in\s+)?(?:what|which)\s+(?:year|decade|century)\b",
    re.IGNORECASE,
)
_WHEN_Q = re.compile(
    _START + rf"(?:ו?(?:מתי|עד\s+מתי|ממתי|מאז\s+מתי)){_E}|^\W*(?:and\s+)?(?:since\s+|until\s+)?when\b|^\W*متى",
    re.IGNORECASE,
)
# 'כמה זמן', 'לכמה זמן', 'how long', 'how often': a length of time or a frequency ('שבוע', 'פעם בחודש', 'חצי שנה')
_DURATION_Q = re.compile(
    _START + rf"(?:ו?(?:כמה|לכמה|תוך\s+כמה|אחרי\s+כמה|עד\s+כמה)\s+(?:זמן|פעמים)|ו?באיזו\s+תדירות){_E}"
    r"|^\W*(?:and\s+)?(?:for\s+)?how\s+(?:long|often)\b",
    re.IGNORECASE,
)
_COUNT_Q = re.compile(
    _START + rf"(?:ו?(?:כמה|בכמה|לכמה|מכמה|תוך\s+כמה|אחרי\s+כמה|עד\s+כמה|על\s+כמה|עם\s+כמה|פי\s+כמה)){_E}"
    r"|^\W*(?:and\s+)?how\s+(?:many|much)\b|^\W*(?:ب)?كم\b",
    re.IGNORECASE,
)

_MONTHS = (
    "ינואר|פברואר|מרץ|מרס|אפריל|מאי|יוני|יולי|אוגוסט|ספטמבר|אוקטובר|נובמבר|דצמבר"
    "|תשרי|חשוון|חשון|כסלו|טבת|שבט|אדר|ניסן|אייר|סיוון|סיון|תמוז|אלול"
)
_PERIODS = (
    "שנה|שנת|שנות|שנים|המאה|מאה|מאות|עשור|עשורים|חודש|חודשים|שבוע|שבועות|יום|ימים|ימי|יממה|שעה|שעות|דקה|דקות"
    "|בוקר|צהריים|צהרים|ערב|לילה|קיץ|חורף|אביב|סתיו|תקופת|תקופה|עידן|ימינו|היום|אתמול|מחר|כיום|עכשיו|מיד|מיידי|מראש"
    "|ראשון|שני|שלישי|רביעי|חמישי|שישי|שבת|חג|חגים|ערב|מועד|מועדי|תום|סוף|סיום|תחילת|ראשית|עונת|עונה"
    "|יומיים|שבועיים|חודשיים|שנתיים|שעתיים|רבע|חצי"
)
_RELATIVE = "במהלך|בעת|בזמן|בשעת|בימי|בתקופת|לאחר|אחרי|לפני|מאז|עם סיום|עם תום|בעקבות|כאשר|כשה"
_TIME = re.compile(
    rf"\d|{_H}[ובלהמש]{{0,2}}(?:{_MONTHS}|{_PERIODS}){_E}|{_H}ו?(?:{_RELATIVE})"
    r"|\b(?:january|february|march|april|may|june|july|august|september|october|november|december|year|month|week"
    r"|day|hour|minute|morning|evening|night|before|after|during|until)\b",
    re.IGNORECASE,
)
_YEAR = re.compile(rf"(?<!\d)\d{{2,4}}(?!\d)|{_H}[ובלהמש]{{0,2}}(?:שנת|שנות|המאה|מאה|עשור|תש\"?[א-ת]|תשע\"?[א-ת]){_E}")
_NUMBER_WORDS = (
    "אחד|אחת|שניים|שתיים|שני|שתי|שלוש|שלושה|ארבע|ארבעה|חמש|חמישה|שש|שישה|שבע|שבעה|שמונה|תשע|תשעה|עשר|עשרה"
    "|עשרים|שלושים|ארבעים|חמישים|שישים|שבעים|שמונים|תשעים|מאה|מאות|אלף|אלפי|אלפים|אלפיים|מיליון|מיליוני|מיליארד"
    "|עשרות|רבבות|מחצית|חצי|רבע|שליש|יומיים|שבועיים|חודשיים|שנתיים|שעתיים|פעם|פעמיים|כפליים|זוג|כל|רוב|מספר|הרבה|מעט"
    "|ללא|חינם|אין"
)
_NUMBER = re.compile(
    rf"\d|{_H}[ובלהמש]{{0,2}}(?:{_NUMBER_WORDS}){_E}"
    r"|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|twelve|twenty|hundred|thousand|million|half|free|no)\b",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"(?<=[?!.\n؟])\s+|\n")


def _question_sentence(question: str) -> str:
    """The sentence that asks: the last one with a question mark, else the last one."""
    pieces = [p.strip() for p in _SENTENCE_END.split(question.strip()) if p.strip()]
    if not pieces:
        return ""
    asking = [p for p in pieces if p.endswith(("?", "؟"))]
    return (asking or pieces)[-1]


def asked_kind(question: str) -> AskedKind | None:
    """The kind of answer `question` asks for ('year', 'when', 'duration', 'count'), or None for any other one."""
    sentence = _question_sentence(normalize(question))  # niqqud, gershayim and dashes folded: 'מָתַי' is 'מתי'
    if _YEAR_Q.search(sentence):
        return "year"
    if _WHEN_Q.search(sentence):
        return "when"
    if _DURATION_Q.search(sentence):
        return "duration"
    if _COUNT_Q.search(sentence):
        return "count"
    return None


# A clause's own number ('2.1 החזר …', '(3) …', '4. …'; not a row's first cell, '45 דקות') and a reference to another
# ('כאמור בסעיף 4.2') say no time or count.
_NUMBERING = re.compile(
    r"^\s*(?:\(\d{1,3}\)|\d{1,3}\)|\d{1,3}(?:\.\d{1,3})+\.?|\d{1,3}\.)(?=\s)"
    rf"|{_H}ו?[בלמה]?(?:סעיף|סעיפים|ס['׳]|פרק|נספח|עמ['׳]|עמוד)\s*"
    r"(?:קטן\s*)?\(?\d{1,3}(?:\.\d{1,3})*(?:\([א-ת0-9]\))?\)?"
    r"|\b(?:clause|section|article)\s+\d{1,3}(?:\.\d{1,3})*",
    re.IGNORECASE | re.MULTILINE,
)


_WORD = re.compile(r"[\u05d0-\u05ea\"'׳״]+|[A-Za-z]+|\d+(?:[.,:/]\d+)*")


def _forms(word: str) -> set[str]:
    """The word and its stems without a prefix ('בשנה' → 'שנה'), of three letters or more."""
    word = word.lower()
    return {f for f in (word, *stems(word)) if len(f) >= 3 or f.isdigit()}


def _beyond(text: str, asked: set[str]) -> str:
    """`text` without its clause numbers and without the words the question says (`asked`: their forms).

    'כמה זמן נמשכת תקופת הניסיון?' is not answered by 'תקופת הניסיון נקבעת בהסכם': its 'תקופת' is the question's.
    """
    text = _NUMBERING.sub(" ", normalize(text))
    return _WORD.sub(lambda m: " " if _forms(m.group(0)) & asked else m.group(0), text)


# A text that gives its figures elsewhere ('לפי היקף ההזמנות, כמפורט בטבלה:', 'כמפורט בנספח א'') may be answered by
# what it points to (the table's rows, the annex): it is not a near miss.
_POINTS_ELSEWHERE = re.compile(
    rf"{_H}(?:כמפורט|כמופיע|כמתואר|כדלקמן|להלן|ו?ב?טבל(?:ה|ת|אות)|ו?ב?נספח|ו?ב?תוספת){_E}"
    r"|\b(?:as follows|set out in|the following table|in the table|in annex|in schedule)\b|:\s*$",
    re.IGNORECASE,
)


def says_kind(kind: AskedKind, texts: Iterable[str], question: str = "") -> bool:
    """Whether any of `texts` says an answer of `kind` (a year, a time, a number) beyond what `question` says.

    A clause's own number and a reference to another clause are not counted, nor a word of the question. A text
    that points to where its figures are ('כמפורט בטבלה') may say it there, and counts as saying it.
    """
    patterns = {"year": (_YEAR,), "when": (_TIME,), "count": (_NUMBER,), "duration": (_TIME, _NUMBER)}[kind]
    asked = set().union(*(_forms(w) for w in _WORD.findall(normalize(question))))
    return any(
        _POINTS_ELSEWHERE.search(text) or any(p.search(_beyond(text, asked)) for p in patterns) for text in texts
    )
