"""The emergency reply: the tenant's instructions, and the documents' own emergency text when it has no others.

An emergency is answered before anything else, at any hour (see :func:`sochen.agents.nodes.plan`). A tenant
that wrote ``agent.emergency.instructions`` has its reviewed text said as it is. A tenant that did not gets
the built-in general instructions (מד"א 101, the nearest emergency room) — and when its documents have
emergency guidance of their own ('פגיעה כימית בעין: לשטוף מיד…', 'אחרי ניתוח: להתקשר לרופא התורן…'), the
passage that fits the message best is quoted first, with its citation: the business's own first aid and
its own on-call number are what the writer needs, and the general text stays beside them. Nothing is made
up: a passage is quoted only when it shares a distinctive word with the message.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from ..config import TenantConfig
from ..config.sections.agent import EmergencyConfig
from ..text import normalize, stems, tokenize
from ..text.spelling import loose_key
from .answering.language import detect, hebrew_terms
from .answering.units import clause_units, relabel

__all__ = ["EmergencyPassage", "emergency_passage", "emergency_reply", "has_own_instructions"]


class _Chunk(Protocol):
    text: str
    title: str
    section: str
    document_id: str
    chunk_id: str
    page: int | None


@dataclass(frozen=True)
class EmergencyPassage:
    """A unit of the documents' emergency guidance, with where it is."""

    text: str
    section: str
    chunk: Any


# Where the documents keep emergency guidance: a title, heading or text that names it.
_EMERGENCY_PLACE = re.compile(r"חירום|מצבי? חירום|דחוף|emergenc|طوارئ")
# A unit that tells what to do: a phone number, מד"א, the emergency room, the doctor on call, an action.
_GUIDANCE = re.compile(
    r"(?<!\d)101(?!\d)|\d{2,3}-?\d{7}|\d{2,3}-\d{3}-\d{4}|מד\"א|מיון|תורן|תורנית"
    r"|(?<![\u05d0-\u05ea])(?:ל|ו?)(?:התקשר|פנות|פנו|הזעיק|שטוף|שטפו|הגיע)[\u05d0-\u05ea]{0,3}(?![\u05d0-\u05ea])"
)
_STOP = frozenset(
    normalize(w)
    for w in """
    אני אתה את הוא היא אנחנו לי לו לה לנו שלי שלו שלה זה זו זאת מה מי איך למה מתי איפה עם על של את כל
    גם רק עוד כבר מאוד נורא ממש עכשיו היום אתמול הערב הלילה מחר אצלכם שלכם לכם יש אין לא כן או אם כי
    עושים לעשות קרה קורה צריך צריכה רוצה יכול יכולה the and you your my me what now have has
    חזק חזקה חזקים חזקות מיד דחוף דחופה מאד ולא אותו אותה אותן אותם שהוא שהיא שהם שזה שאני שלא
    """.split()  # noqa: SIM905 — a word list reads best as a block
)
_LEAD = {
    "he": "מההנחיות שלנו למצבי חירום:",
    "en": "From our emergency instructions (quoted in the original Hebrew):",
    "ar": "من تعليمات الطوارئ لدينا (مقتبس بالعبرية كما ورد في الأصل):",
    "ru": "Из наших инструкций на случай неотложных ситуаций (цитата на иврите, как в оригинале):",
}
_SOURCE = {"he": "מקור", "en": "Source", "ar": "المصدر", "ru": "Источник"}
# The general instructions in the writer's language, before the Hebrew ones (a tenant without its own only).
_GENERAL = {
    "en": "If this is a medical emergency — difficulty breathing, bleeding that does not stop, a serious injury or "
    "loss of consciousness — call Magen David Adom (ambulance) at 101 now or go to the nearest emergency room. "
    "We have also passed your message to our team.",
    "ar": "إذا كانت هذه حالة طبية طارئة — ضيق في التنفس، نزيف لا يتوقف، إصابة خطيرة أو فقدان الوعي — اتصلوا فورًا "
    "بنجمة داود الحمراء (الإسعاف) على الرقم 101 أو توجهوا إلى أقرب غرفة طوارئ. لقد حوّلنا رسالتكم أيضًا إلى فريقنا.",
    "ru": "Если это неотложная медицинская ситуация — трудно дышать, кровотечение не останавливается, серьёзная травма "
    "или потеря сознания — немедленно звоните в Маген Давид Адом (скорая помощь) по номеру 101 или обратитесь в "
    "ближайшее приёмное отделение. Мы также передали ваше сообщение нашей команде.",
}


# Before a tenant's own (Hebrew) instructions, to a writer of another language: act now, and the numbers to call,
# taken from the instructions themselves (nothing added: a veterinary clinic's numbers are not 101's).
_OWN_LEAD = {
    "en": "This is an emergency — do not wait for an appointment. Call now: {numbers}. Our full instructions, in "
    "Hebrew, are below; we have also passed your message to our team.",
    "ar": "هذه حالة طارئة — لا تنتظروا موعدًا. اتصلوا الآن: {numbers}. تعليماتنا الكاملة بالعبرية أدناه، وقد حوّلنا "
    "رسالتكم أيضًا إلى فريقنا.",
    "ru": "Это неотложная ситуация — не ждите записи. Звоните сейчас: {numbers}. Наши полные инструкции на иврите — "
    "ниже; мы также передали ваше сообщение нашей команде.",
}
# A number to call in the instructions: a phone number, or a national emergency or help line (100, 101, 102,
# 1201) — not any short figure (a fee, a year, a temperature).
_NUMBER = re.compile(r"(?<![\d-])(?:0\d{1,2}-?\d{3}-?\d{4}|0\d{1,2}-\d{7}|10[012]|1201|\*\d{4})(?![\d-])")
# What 101 is, in the writer's language, when the instructions name Magen David Adom beside it.
_MDA = {"en": "Magen David Adom, ambulance", "ar": "نجمة داود الحمراء، الإسعاف", "ru": "Маген Давид Адом, скорая"}


def _own_lead(instructions: str, lang: str) -> str:
    """The line said before the tenant's own instructions to a writer of `lang` ('' for Hebrew, or no number)."""
    if lang not in _OWN_LEAD:
        return ""
    numbers = list(dict.fromkeys(m.group() for m in _NUMBER.finditer(instructions)))
    if not numbers:
        return ""
    said = [f"101 ({_MDA[lang]})" if n == "101" and 'מד"א' in normalize(instructions) else n for n in numbers]
    return _OWN_LEAD[lang].format(numbers=", ".join(said))


def has_own_instructions(config: TenantConfig) -> bool:
    """Whether the tenant wrote its own emergency instructions (not the built-in general ones)."""
    default = EmergencyConfig.model_fields["instructions"].default
    return normalize(config.agent.emergency.instructions).split() != normalize(str(default)).split()


# What a writer and the guidance call by different words: 'יוצא הרבה דם' is the 'דימום' the guidance names,
# 'היד נראית עקומה' its 'עיוות', 'לא מרגיש את הרגליים' its 'חוסר תחושה'. Each word counts for its concept too.
_CONCEPTS: dict[str, str] = {
    **dict.fromkeys(("דם", "דימום", "מדמם", "מדממת", "מדממים", "לדמם", "bleeding", "blood"), "bleeding"),
    **dict.fromkeys(("חתך", "נחתך", "נחתכה", "נחתכתי", "חתכתי", "פצע", "פצוע", "פצועה", "cut", "wound"), "wound"),
    **dict.fromkeys(("עקום", "עקומה", "עקומים", "עיוות", "מעוות", "מעוותת", "bent", "deformed"), "deformed"),
    **dict.fromkeys(("נפל", "נפלה", "נפלתי", "נפילה", "החליק", "החליקה", "החלקתי", "fell", "fall"), "fall"),
    **dict.fromkeys(("תחושה", "מרגיש", "מרגישה", "מרגישים", "נימול", "משותק", "משותקת", "numb"), "feeling"),
    **dict.fromkeys(("הכרה", "התעלף", "התעלפה", "התעלפתי", "התעלפות", "fainted"), "conscious"),
    **dict.fromkeys(("הקאות", "מקיא", "מקיאה", "הקיא", "הקיאה", "vomiting"), "vomiting"),
    **dict.fromkeys(("ראש", "בראש", "head"), "head"),
    **dict.fromkeys(("חום", "fever"), "fever"),
}


def _forms(text: str) -> set[str]:
    out: set[str] = set()
    for token in tokenize(text):
        if len(token) < 2 or token in _STOP:
            continue
        for form in (token, *stems(token)):
            if form in _CONCEPTS:
                out.add("#" + _CONCEPTS[form])
            if len(form) >= 3 and form not in _STOP:
                out.add(form)
                key = loose_key(form)
                if len(key) >= 3:
                    out.add("~" + key)
    return out


def emergency_passage(message: str, chunks: Sequence[_Chunk]) -> EmergencyPassage | None:
    """The unit of the documents' emergency guidance that fits `message` best, or None.

    Candidates are the units that tell what to do (a number to call, מד"א, the emergency room, an action)
    in chunks that speak of emergencies. Each word of the message they share counts by how rare it is among
    them, so a word every unit has ('מיד') decides nothing and 'אקונומיקה' or 'ניתוח לייזר' does.
    """
    units: list[EmergencyPassage] = []
    for chunk in chunks:
        where = normalize(f"{chunk.title} {chunk.section}")
        place = bool(_EMERGENCY_PLACE.search(where))
        for unit in clause_units(chunk.text):
            if unit.text.endswith("?") or not _GUIDANCE.search(unit.text):
                continue
            if place or _EMERGENCY_PLACE.search(normalize(unit.context)) or _EMERGENCY_PLACE.search(unit.text):
                units.append(EmergencyPassage(unit.text, relabel(chunk.section, unit.clause), chunk))
    if not units:
        return None
    # An English, Arabic or Russian message meets the Hebrew passage through the Hebrew terms for its words.
    asked = _forms(message if detect(message) == "he" else f"{message} {hebrew_terms(message)}")
    unit_forms = [_forms(u.text) & asked for u in units]
    seen: dict[str, int] = {}
    for forms in unit_forms:
        for f in forms:
            seen[f] = seen.get(f, 0) + 1
    best: EmergencyPassage | None = None
    best_score = 0.0
    for passage, forms in zip(units, unit_forms, strict=True):
        # A word and its loose spelling count once: the word's weight is its rarest form's.
        words: dict[str, float] = {}
        for f in forms:
            base = f if f.startswith("#") else f[1:] if f.startswith("~") else loose_key(f)
            words[base] = max(words.get(base, 0.0), 1.0 / seen[f])
        score = sum(words.values())
        if score > best_score:
            best, best_score = passage, score
    return best


def emergency_reply(message: str, config: TenantConfig, chunks: Sequence[_Chunk]) -> tuple[str, list[dict[str, Any]]]:
    """The reply to an emergency and its citations (see the module docstring)."""
    instructions = config.agent.emergency.instructions
    lang = detect(message)
    if has_own_instructions(config):
        # the owner's reviewed text as it is; a writer of another language first hears, in it, to call now
        lead = _own_lead(instructions, lang)
        return (f"{lead}\n\n{instructions}" if lead else instructions), []
    if lang != "he":
        instructions = f"{_GENERAL[lang]}\n\n{instructions}"
    found = emergency_passage(message, chunks)
    if found is None:
        return instructions, []
    chunk = found.chunk
    where = ", ".join(p for p in (chunk.title, found.section) if p)
    reply = f"{_LEAD[lang]}\n{found.text}\n({_SOURCE[lang]}: {where})\n\n{instructions}"
    citation = {
        "n": 1,
        "document_id": chunk.document_id,
        "title": chunk.title,
        "section": found.section,
        "page": chunk.page,
        "chunk_id": chunk.chunk_id,
        "quote": found.text,
    }
    return reply, [citation]
