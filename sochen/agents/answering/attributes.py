"""What a question asks *about* an entity, and whether a sentence carries it.

"מה הכתובת של המרפאה?" and "איפה חונים ליד המרפאה?" share their topic word; the first is answered by
the sentence with the street address, the second by the parking sentence, though the parking sentence
names a street and number too. An *attribute* is the kind of fact asked for; each has the question's
cues and the shape of a sentence that states it:

- ``policy`` — a cancellation, no-show or lateness rule or fee ("מה קורה אם לא הגעתי", "דמי ביטול"): a
  sentence about cancelling, not arriving or being late (a price-list row is not a policy).
- ``who`` — who does something ("מי מטפלת ב…"): a sentence naming a person by title (ד"ר, גב').
- ``how`` — how to ask for or submit something ("איך אני מבקשת להסיר…"): a sentence that says how (in
  writing, to whom); quoted beside the right or rule it is about, from the same section.
- ``parking`` — where to park: a sentence about parking.
- ``address`` — where the place is: a sentence with a street and number.
- ``opening_hours`` — when the place is open: a sentence with a time range (08:00–13:00) or "סגור".
- ``days`` — on which days ("ביום שני", "באילו ימים"): a sentence naming weekdays.
- ``term`` — an agreement's term ("מה תקופת ההסכם", "לכמה זמן נחתם"): a duration from a start date
  ("36 חודשים, החל ביום 01/03/2026"), not a renewal or a notice period.
- ``duration`` — how long something takes: a sentence stating a duration, in figures or words.
- ``price`` — how much: a sentence with an amount.

:func:`asked` gives the question's attribute (the first of the list above that it cues), :func:`carries`
the attributes a sentence states. The answerer prefers a sentence that carries the asked attribute, and,
among those, one that does not also carry a competing one (the parking sentence for an address).
"""

from __future__ import annotations

import re
from typing import Literal

__all__ = ["Attribute", "asked", "carries", "cue", "fit"]

Attribute = Literal["policy", "who", "how", "parking", "address", "opening_hours", "days", "term", "duration", "price"]

_H = "\u05d0-\u05ea"
_DAY_WORDS = r"ראשון|שני|שלישי|רביעי|חמישי|שישי|שבת"
# 'to park' asked where or whether: 'איפה לחנות', 'יש איפה לחנות', 'אפשר לחנות ליד', 'מקום לחנות'.
PARK_ASKED = rf"(?<![{_H}])(?:איפה|אפשר|ניתן|מקום|מותר|אפשרות|כדאי)\s+(?:[{_H}]+\s+)?ו?לחנות(?![{_H}])"
_QUESTION: dict[Attribute, re.Pattern[str]] = {
    "policy": re.compile(
        rf"לא (?:הגעתי|הגעת|אגיע|הגיע|מגיע|מגיעה|באתי|אבוא)|אי[- ]?הגעה|(?<![{_H}])(?:ל|ו|ש)?(?:ביטול|לבטל|מבטל|מבטלת)"
        rf"(?![{_H}])|איחור|מאחר|מאחרת|אאחר|no[- ]show|cancel\w*|late\b|إلغاء|تأخير"
    ),
    "who": re.compile(
        rf"(?:^|[\s,])(?:ו)?מי (?:מטפל|עושה|עושים|הרופא|מקבל|אחראי|ה?אחראית|מבצע)|\bwho\b|مين|(?<![{_H}\w])من "
    ),
    "how": re.compile(
        rf"(?<![{_H}])ו?(?:איך|כיצד) (?:אני |אפשר |ניתן |את |אתה )?(?:מבקש|לבקש|מגיש|להגיש|פונ|לפנות|עושים|מסיר|להסיר)"
        r"|how (?:do|can) i (?:ask|request|apply|submit)"
    ),
    # 'לחנות' is 'to park' only where one asks where or whether ('איפה לחנות', 'אפשר לחנות ליד'): after
    # 'מגיעים' or 'הולכים' it is 'to the store', and 'החנות' is the store.
    "parking": re.compile(rf"חני(?:י)?ה|חניון|(?<![{_H}])להחנות|{PARK_ASKED}|חונים|parking|\bpark\b|موقف|اصطفاف"),
    "address": re.compile(
        rf"כתובת|(?<![{_H}])(?:איפה|היכן) (?:אתם|נמצא|נמצאת|נמצאים|זה|המרפאה)|מיקום|address|where are|عنوان|وين|أين"
    ),
    "opening_hours": re.compile(
        r"פתוח|סגור|שעות ה?(?:פעילות|פתיחה|קבלה)|(?:עד|מאיזו|באיזו) (?:איזו )?שעה[^?]*(?:להגיע|לבוא|מקבל|פתוח|עובד)"
        r"|\bopen\b|hours|ساعات|مفتوح"
    ),
    "days": re.compile(
        rf"(?:(?:עובד|עובדת|עובדים|מקבל|מקבלת|מקבלים)\s+)?(?<![{_H}])(?:ב|ו|וב)?(?:יום|ימי|ימים) (?:{_DAY_WORDS}|רגיל)"
        r"|באילו ימים|באיזה יום|which days?"
    ),
    "term": re.compile(
        rf"(?<![{_H}])(?:ו?ב?)?(?:תקופת|משך) (?:ה)?(?:הסכם|חוזה)(?![{_H}])|לכמה זמן נחתם"
        r"|term of the (?:[a-z]+ ){0,3}(?:agreement|contract)"
        r"|how long (?:is|does) the (?:[a-z]+ ){0,3}(?:agreement|contract)"
    ),
    "duration": re.compile(r"כמה זמן|כמה דקות|כמה שעות|משך|how long|كم من الوقت|مدة"),
    "price": re.compile(r"כמה (?:עול|זה עול|יעל|תעל|משלמ)|בכמה|מחיר|עלות|how much|cost|price|سعر|كم يكلف"),
}
_SENTENCE: dict[Attribute, re.Pattern[str]] = {
    "policy": re.compile(r"ביטול|לבטל|יבוטל|אי-הגעה|אי הגעה|לא הגיע|איחור|יאחר|יחויב"),
    "who": re.compile(r"ד\"ר|דר'|גב'|פרופ'|ד״ר"),
    "how": re.compile(r"יש להגיש|יש לפנות|יש לשלוח|ניתן לפנות|אפשר לפנות|ניתן להגיש|אפשר להגיש|בכתב|באמצעות טופס"),
    # 'לחנות' is to park only before where or what ('לחנות בחניון', 'לחנות ליד', 'לחנות את הרכב'): 'ישמש לחנות
    # אופנה' is a shop
    "parking": re.compile(
        r"חני(?:י)?ה|חניון|חונים|(?<![\u05d0-\u05ea])לחנות"
        r"(?=\s+(?:את|ליד|מול|על|חינם|בחינם|בסמוך|ב(?:חני|רחוב|מגרש|אזור|סביבה|קרבת|כחול|שטח|מקום))|\s*[.,?]|$)"
    ),
    # 'רחוב הרצל 12', and a boulevard, a road or an alley with its number ('שדרות מנחם בגין 37', 'דרך השלום 5')
    "address": re.compile(rf"(?:רחוב|רח'|ברח'|ב?שדרות|ב?שד'|ב?דרך|ב?סמטת)\s*[{_H}\"' ]{{2,24}}\s\d{{1,4}}(?!\d|:)"),
    "opening_hours": re.compile(r"\d{1,2}:\d{2}\s*[–\-]\s*\d{1,2}:\d{2}|(?<![\u05d0-\u05ea])סגור(?![\u05d0-\u05ea])"),
    # 'ביום שלישי', "א'–ה'", and an hours table's record 'יום: שישי · שעות: …'.
    "days": re.compile(rf"(?<![{_H}])[אבגדהו][׳'](?![{_H}])|(?<![{_H}])(?:יום|ימי|בימי|ביום|ימים):? (?:{_DAY_WORDS})"),
    # 'למשך 24 חודשים מיום …', 'לשלוש שנים, מיום …' (the count in words), 'מיום … ועד …'
    "term": re.compile(
        rf"(?:\d+|(?<![{_H}])[לב]?(?:שתי|שלוש|ארבע|חמש|שש|שבע|שמונה|תשע|עשר))\s*(?:חודשים|שנים|שנה)[^.;\n]{{0,30}}?"
        r"(?:מיום|החל ביום|החל מיום|מתאריך)|(?:מיום|החל ביום)[^.;\n]{0,30}?ועד"
    ),
    "duration": re.compile(
        r"\d+\s*(?:דקות|דקה|שעות|שעה|ימים|יום|שבועות|חודשים|שנים)|שעה וחצי|חצי שעה|כשעה|שעתיים|רבע שעה"
        r"|(?:שתי|שני|שלוש|שלושה|ארבע|ארבעה|חמש|חמישה|שש|שישה|עשר|עשרה)\s+(?:דקות|שעות|ימים|שבועות|חודשים|שנים)"
        r"|נמשך|נמשכת|מחזיק|מחזיקה|נשמר|נשמרת"
    ),
    "price": re.compile(r"₪|ש\"ח|שקל"),
}
# A sentence about the agreement's own term names it, or its term or validity ('ההסכם בתוקף', 'תקופת השכירות').
_TERM_SUBJECT = re.compile(r"הסכם|חוזה|תקופ|תוקף|\bterm\b|agreement|contract", re.I)
# Headings (document title, section, table caption) under which such facts are kept.
_TOPIC: dict[Attribute, re.Pattern[str]] = {
    "policy": re.compile(r"ביטול|מדיניות|אי-הגעה|איחור"),
    "who": re.compile(r"צוות|רופא|שירותים"),
    "how": re.compile(r"זכויות|פניות|בקשות|בירורים"),
    "parking": re.compile(r"חני(?:י)?ה|הגעה"),
    "address": re.compile(r"הגעה|מיקום|כתובת|איך מגיעים"),
    "opening_hours": re.compile(r"שעות|פעילות|פתיחה"),
    "days": re.compile(r"שעות|פעילות|ימים"),
    "term": re.compile(r"תקופ|תוקף|term"),
    "duration": re.compile(r"שירותים|שאלות|טיפולים"),
    "price": re.compile(r"מחיר|מחירון|תעריף"),
}
# Attributes that a sentence may state beside the one asked and thereby answer something else.
_RIVALS: dict[Attribute, tuple[Attribute, ...]] = {
    "address": ("parking",),
    "parking": (),
    "policy": (),
    "who": (),
    "how": (),
    "opening_hours": ("policy",),
    "days": ("policy",),
    "term": (),
    "duration": ("policy",),
    "price": ("policy",),
}


def asked(question: str) -> Attribute | None:
    """The attribute the question asks for, or None when it cues none (module docstring)."""
    q = question.lower()
    for attribute, cue in _QUESTION.items():
        if cue.search(q):
            return attribute
    return None


def cue(question: str, attribute: Attribute | None) -> str:
    """The words of the question that ask for the attribute ('הכתובת', 'כמה זמן'), '' when none."""
    if attribute is None:
        return ""
    m = _QUESTION[attribute].search(question.lower())
    return m.group(0) if m else ""


def carries(text: str) -> set[Attribute]:
    """The attributes a sentence states."""
    return {a for a, shape in _SENTENCE.items() if shape.search(text)}


def fit(attribute: Attribute | None, text: str, heading: str = "") -> float:
    """How well a sentence fits the asked attribute: 1 when it carries it alone, 0 with a rival or without it.

    A sentence under a heading where such facts are kept (`heading`: its title, section and caption) fits
    half a point better.
    """
    if attribute is None:
        return 0.0
    has = carries(text)
    if attribute not in has:
        return 0.0
    topical = 0.5 if heading and _TOPIC[attribute].search(heading) else 0.0
    own = max(0.0, 1.0 - len(has & set(_RIVALS[attribute])))
    if attribute == "term" and not _TERM_SUBJECT.search(text):
        return 0.0  # '18 חודשים מיום האספקה' is a period of something else (a warranty), not the agreement's term
    return own + topical
