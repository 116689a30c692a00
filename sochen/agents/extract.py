"""Deterministic understanding of a Hebrew message: intent by rules, and slots (name, phone, email, time).

No model is needed for any of this; the graph uses it always, and a model (when the tenant asks for
one) only refines the intent. Dates and times are read in the tenant's time zone relative to an
injected ``now``: "מחר ב-5" (17:00 — an unqualified small hour is afternoon for a business),
"יום ראשון הבא", "ב-22.11", "בשעה 10:30", "בעוד יומיים", "היום בערב".
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import pairwise

from ..privacy import scan
from ..text import normalize, stems, tokenize
from ..text.hebrew import CLOCK_NUMBERS
from .answering.language import detect, hebrew_terms

__all__ = [
    "INTENTS",
    "WEEKDAYS",
    "Understanding",
    "extract_datetime",
    "find_service",
    "is_emergency",
    "looks_like_name",
    "split_name",
    "understand_text",
]

INTENTS = (
    "emergency",
    "human_request",
    "complaint",
    "appointment_request",
    "new_lead",
    "price_question",
    "hours_question",
    "service_question",
    "document_question",
    "small_talk",
    "provide_details",
    "out_of_scope",
)

_KEYWORDS: dict[str, tuple[str, ...]] = {
    "human_request": ("נציג", "נציגה", "אנושי", "בנאדם", "representative", "human", "agent", "ممثل"),
    "complaint": (
        "תלונה",
        "להתלונן",
        "מתלונן",
        "מתלוננת",
        "מאוכזב",
        "מאוכזבת",
        "גרוע",
        "גרועה",
        "זלזול",
        "חוצפה",
        "שערורייה",
        "מחפיר",
        "complaint",
        "شكوى",
        # Anger said outright is a complaint too, whatever it is about.
        "כועס",
        "כועסת",
        "כועסים",
        "עצבני",
        "עצבנית",
        "זועם",
        "זועמת",
        "נמאס",
        "מקומם",
        "angry",
        "furious",
        "unacceptable",
        "غاضب",
        "غاضبة",
    ),
    "appointment_request": (
        "תור",
        "תורים",
        "לקבוע",
        "לקבע",
        "לתאם",
        "פגישה",
        "פגישת",
        "להזמין",
        "להגיע",
        "לבוא",
        "פנוי",
        "פנויה",
        "appointment",
        "book",
        "موعد",
    ),
    "new_lead": ("מעוניין", "מעוניינת", "מתעניין", "מתעניינת", "הצעת", "interested", "quote"),
    "price_question": ("מחיר", "מחירים", "עולה", "עולים", "עלות", "תעריף", "תעריפים", "כמה", "price", "cost", "سعر"),
    "hours_question": (
        "שעות",
        "פתוחים",
        "פתוח",
        "סגורים",
        "סגור",
        "שישי",
        "שבת",
        "חג",
        "עובד",
        "עובדת",
        "עובדים",
        "מקבל",
        "מקבלת",
        "מקבלים",
        "hours",
        "open",
        "closed",
        "مفتوح",
        "مفتوحة",
        "مفتوحين",
        "مغلق",
        "مغلقة",
        "ساعات",
        "دوام",
    ),
    "document_question": ("סעיף", "הסכם", "חוזה", "נספח", "תקופת", "התחייבות", "ערבות", "שכירות", "סודיות"),
    "small_talk": ("שלום", "היי", "הי", "הלו", "תודה", "נשמע", "hi", "hello", "thanks", "مرحبا"),
}
# A polite hedge before a request ('זה לא הוגן לבקש ממך, אבל…', 'לא נעים לי לבקש'): unfairness said of the writer's
# own asking, not of the business.
_HEDGE = re.compile(
    r"(?:לא\s+(?:הוגן|הוגנת|פייר|נעים)(?:\s+(?:לי|ממני))?\s+(?:לבקש|לשאול|להטריח|להציק))"
    r"|(?i:\bnot\s+fair\s+(?:of\s+me\s+)?to\s+ask\b)"
)
_PHRASES: dict[str, tuple[str, ...]] = {
    "human_request": (
        "לדבר עם",
        "בן אדם",
        "אדם אמיתי",
        "נציג אנושי",
        "real person",
        "תעביר אותי",
        "להעביר אותי",
        "תעבירי אותי",
        "עם המנהל",
        "עם מנהל",
    ),
    "complaint": (
        "לא מרוצה",
        "לא מרוצים",
        "יחס מזלזל",
        "לא בסדר",
        # Unfair treatment said outright ('זה ממש לא הוגן', 'not fair').
        "לא הוגן",
        "לא הוגנת",
        "לא פייר",
        "unfair",
        "not fair",
        "غير عادل",
        # Being ignored: calls or messages nobody answers.
        "אף אחד לא חזר",
        "אף אחד לא חוזר",
        "אף אחד לא עונה",
        "אף אחד לא ענה",
        "אף אחד לא התקשר",
        "לא חזרו אליי",
        "לא חוזרים אליי",
        "nobody called back",
        "no one called back",
        "no one answers",
    ),
    "appointment_request": (
        "קביעת תור",
        "לקבוע תור",
        "להגיע ל",
        "book an appointment",
        "i'd like to book",
        "can i come",
        "can i book",
    ),
    "price_question": ("how much",),
    "new_lead": ("רוצה לעשות", "רוצה להתחיל", "אשמח לשמוע", "תחזרו אליי", "לחזור אליי"),
    "hours_question": ("עד מתי", "מתי אתם", "מתי פתוח", "איזו שעה", "איזה שעה", "באיזו שעה", "באיזה ימים"),
    "small_talk": ("בוקר טוב", "ערב טוב", "לילה טוב", "מה נשמע", "מה שלומך", "good morning"),
}
_QUESTION_WORDS = (
    "מה",
    "מי",
    "מתי",
    "איפה",
    "איך",
    "למה",
    "האם",
    "כמה",
    "איזה",
    "איזו",
    "אילו",
    "what",
    "how",
    "when",
    "что",
    "как",
    "когда",
    "где",
    "сколько",
    "можно",
    "есть",
    # requests for information phrased as imperatives
    "השווה",
    "השווי",
    "הסבר",
    "הסבירי",
    "פרט",
    "פרטי",
    "תאר",
    "מצא",
    "סכם",
    "תסביר",
    "תפרט",
    "compare",
    "explain",
)


# Russian keywords per intent, as the stems their inflected forms begin with.
_RU_KEYWORDS: dict[str, tuple[str, ...]] = {
    "human_request": ("оператор", "сотрудник", "менеджер", "живым"),
    "complaint": ("жалоб", "недовол", "возмут"),
    "appointment_request": ("записат", "запиш", "запис", "приём", "прием"),
    "price_question": ("стоит", "стоимост", "цен", "прайс", "сколько"),
    "hours_question": ("работает", "работаете", "работают", "открыт", "закрыт", "график", "скольки"),
    "small_talk": ("здравствуй", "привет", "спасибо", "добрый", "доброе"),
}
_RU_BOOKING = ("записат", "запиш", "записыв")
_RU_HOW_LONG = re.compile(r"сколько\s+(?:времени|дней|месяцев|лет)|как\s+долго")
# How many hours something lasts or takes, asked in Hebrew, English or Arabic ...
_DURATION_ASKED = re.compile(r"כמה\s+שעות|how\s+many\s+hours|how\s+long|كم\s+ساع[ةه]|كم\s+الساعات")
# ... unless the question is about when the business is open ('כמה שעות אתם פתוחים בשישי?').
_OPENING_ASKED = re.compile(
    r"פתוח|פתוחים|פתוחה|סגור|סגורים|סגורה|עד\s+מתי|באיזו\s+שעה|ראשון|שני|שלישי|רביעי|חמישי|שישי|שבת"
    r"|\bopen|\bclose|sunday|monday|tuesday|wednesday|thursday|friday|saturday|weekend"
    r"|مفتوح|مغلق|دوام|السبت|الجمعة|الأحد|الاثنين|الثلاثاء|الأربعاء|الخميس"
)


def _is_cyrillic(token: str) -> bool:
    return bool(token) and "\u0400" <= token[0] <= "\u04ff"


@dataclass
class Understanding:
    """What rules read from one message."""

    intent: str
    confidence: float
    is_question: bool
    slots: dict[str, str] = field(default_factory=dict)
    signals: list[str] = field(default_factory=list)


_AR_PREFIX = ("وال", "بال", "فال", "لل", "ال", "و", "ب", "ف")
_AR_SUFFIX = ("ها", "هم", "ه", "ي", "ك")


def _terms(text: str) -> set[str]:
    out: set[str] = set()
    for token in tokenize(text):
        out.add(token)
        out.update(stems(token))
        if "\u0621" <= token[0] <= "\u064a":
            # Arabic: the article and a joined conjunction or preposition off ('الوجع' → 'وجع'), and a pronoun
            # ending ('عينه' → 'عين').
            bare = next(
                (token[len(p) :] for p in _AR_PREFIX if token.startswith(p) and len(token) - len(p) >= 3), token
            )
            out.add(bare)
            out.update(bare[: -len(s)] for s in _AR_SUFFIX if bare.endswith(s) and len(bare) - len(s) >= 3)
    return out


def understand_text(
    text: str,
    *,
    now: datetime,
    services: list[str] | None = None,
    extra_keywords: dict[str, list[str]] | None = None,
    emergency_keywords: list[str] | None = None,
    service_aliases: dict[str, list[str]] | None = None,
) -> Understanding:
    """Intent, whether it is a question, and slots, by rules (see the module docstring).

    `extra_keywords` are the tenant's own words per intent (single words match in any prefixed form,
    phrases as written); `emergency_keywords` extend the built-in emergency vocabulary.
    """
    flat = normalize(text)
    terms = _terms(text)
    scores: dict[str, float] = {}
    signals: list[str] = []
    for intent, extra in (extra_keywords or {}).items():
        for word in extra:
            w = normalize(word)
            if (" " in w and w in flat) or (" " not in w and w in terms):
                scores[intent] = scores.get(intent, 0.0) + 2
                signals.append(f"{intent}:tenant:{word}")
    negated = _negated(text)
    for intent, words in _KEYWORDS.items():
        hits = [w for w in words if w in terms and not (intent == "new_lead" and w in negated)]
        if hits:
            scores[intent] = scores.get(intent, 0.0) + len(hits)
            signals.append(f"{intent}:{hits[0]}")
    hedged = _HEDGE.sub(" ", flat)  # 'זה לא הוגן לבקש ממך, אבל…': politeness before a request, no complaint
    for intent, phrases in _PHRASES.items():
        for phrase in phrases:
            if phrase in (hedged if intent == "complaint" else flat):
                scores[intent] = scores.get(intent, 0.0) + 2
                signals.append(f"{intent}:«{phrase}»")
    for intent, ru_stems in _RU_KEYWORDS.items():
        # Russian words change their endings with case and person: matched by the stem they begin with.
        ru_hits = [t for t in terms if _is_cyrillic(t) and t.startswith(ru_stems)]
        if intent == "price_question" and _RU_HOW_LONG.search(flat):
            ru_hits = [t for t in ru_hits if t != "сколько"]  # 'сколько времени действует' asks how long
        if ru_hits:
            scores[intent] = scores.get(intent, 0.0) + len(ru_hits)
            signals.append(f"{intent}:{min(ru_hits)}")
    if (
        scores.get("price_question") == 1
        and "price_question:כמה" in signals
        and _DURATION_ASKED.search(flat)
        and not _OPENING_ASKED.search(flat)
    ):
        # "צריכה לצום לפני השאיבה? כמה שעות": 'כמה' counts the hours, it asks no price
        del scores["price_question"]
        signals.remove("price_question:כמה")
        scores.setdefault("hours_question", 1.0)
    if "hours_question" in scores and _DURATION_ASKED.search(flat) and not _OPENING_ASKED.search(flat):
        # "For how many hours do I need to fast?", "כמה שעות צריך לצום?", "كم ساعة؟": a length of time the documents
        # state, not the opening hours.
        del scores["hours_question"]
        scores["document_question"] = scores.get("document_question", 0.0) + 1
        signals.append("document_question:duration_asked")
    tokens = tokenize(text)
    is_question = (
        "?" in text
        or "؟" in text
        or bool(tokens and tokens[0] in _QUESTION_WORDS)
        # "אחי בכמה יוצא לי שתל": a question word near the start, behind a prefix or an address word
        or any(t in _ASKING or _ASKING & set(stems(t)) for t in tokens[:3])
        or bool(_INFO_REQUEST.search(flat))
    )
    service = find_service(text, services or [], service_aliases)
    slots = _slots(text, now=now, service=service)
    tenant_booking = any(sig.startswith("appointment_request:tenant:") for sig in signals)
    booking = tenant_booking or (_asks_to_book(flat, terms) and not (is_question and _booking_as_purpose(flat)))
    # "יש לי תור לאורתופד ביום רביעי, מה להביא?": a question about an appointment already made.
    booked_already = is_question and not tenant_booking and bool(_HAS_APPOINTMENT.search(flat) or _VISITED.search(flat))
    if booked_already:
        booking = False
    policy = bool(terms & _POLICY_WORDS)
    if (
        "complaint" in scores
        and is_question
        and _RETURN_ASKED.search(flat)
        and not _PERSON_BLAMED.search(flat)
        and "human_request" not in scores
        and not any(sig.startswith("complaint:«אף אחד") or "חוזרים" in sig or "חזרו" in sig for sig in signals)
    ):
        # "קניתי מכשיר לפני 40 יום ואני לא מרוצה ממנו. אפשר להחזיר אותו?": dissatisfaction with a purchase and a
        # question whether it can be returned or exchanged asks the return policy; it is not a complaint to hand off.
        del scores["complaint"]
        scores["document_question"] = scores.get("document_question", 0.0) + 2
        signals.append("document_question:return_asked")
    if "appointment_request" in scores and not booking and (is_question or policy):
        # "כמה עולה ביטול תור?", "מה קורה אם לא הגעתי לתור?": the word תור in a question is not a booking.
        del scores["appointment_request"]
        signals.append("question:not_booking")
        if not scores.keys() & {"price_question", "hours_question", "document_question", "service_question"}:
            scores["service_question"] = scores.get("service_question", 0.0) + 1
    if booking and "preferred_time" in slots and "hours_question" in scores and not policy:
        # "אפשר תור ביום שישי ב-5?": the day names the time asked for, not a question about the hours.
        del scores["hours_question"]
        scores["appointment_request"] = scores.get("appointment_request", 0.0) + 1
    if (
        is_question
        and "preferred_time" in slots
        and (service or "name" in slots or booking)
        and not policy
        and not scores.keys() & {"price_question", "hours_question"}
        and (service or "document_question" not in scores)
        and not booked_already
    ):
        # "שמי הילה, צריכה סתימה. יום ראשון הבא ב-12 מתאים?": asking for a slot is asking to book.
        scores["appointment_request"] = scores.get("appointment_request", 0.0) + 2
        signals.append("appointment_request:time_in_question")
    if (
        not is_question
        and service
        and "preferred_time" in slots
        and not policy
        and not scores.keys()
        & {"appointment_request", "new_lead", "price_question", "hours_question", "complaint", "human_request"}
        and not booked_already
    ):
        # "קוראים לי אורנה, אני צריכה דיקור עם שי ביום חמישי ב-9": a service with the day and hour wanted is a
        # request for that appointment, without the word תור.
        scores["appointment_request"] = scores.get("appointment_request", 0.0) + 2
        signals.append("appointment_request:service_and_time")
    wish = any(sig.startswith("new_lead:«רוצה") for sig in signals) and not any(
        sig.startswith("new_lead:") and not sig.startswith("new_lead:«רוצה") for sig in signals
    )
    if wish and is_question and scores.keys() & {"price_question", "hours_question"} and not booking:
        # "אני רוצה להתחיל טיפול CBT. כמה זה יעלה לי?": the wish says what the price question is about; the
        # question is answered, not left for a lead's questions.
        del scores["new_lead"]
        signals.append("question:wish_is_background")
    elif (
        wish
        and not is_question
        and service
        and "preferred_time" in slots
        and not policy
        and not booked_already
        and not scores.keys() & {"appointment_request", "price_question", "hours_question", "complaint"}
    ):
        # "קוראים לי מרינה, אני רוצה להתחיל טיפול CBT אצל גיל ביום שלישי ב-18:00": to start a service on a day
        # and at an hour is to ask for that appointment.
        del scores["new_lead"]
        scores["appointment_request"] = 2.0
        signals.append("appointment_request:wish_with_time")
    if service and not scores.keys() & {"appointment_request", "new_lead", "price_question", "document_question"}:
        scores["service_question" if is_question else "new_lead"] = scores.get("service_question", 0.0) + 1
    generic = _generic_services(services or [], extra_keywords)
    if service in generic:
        # "פגישת ייעוץ לגבי הסכם סודיות": the subject, not the meeting, is the service.
        specific = find_service(text, [s for s in services or [] if s not in generic])
        if specific:
            service = slots["service"] = specific
    if not service or service in generic:
        # "פגישת ייעוץ בנושא מכתב התראה", "אני צריכה מכתב התראה לשוכר": the topic is what the lead is about.
        topic = _topic(text)
        if topic and (not is_question or "appointment_request" in scores):
            slots["service"] = topic
            if not scores.keys() & {"appointment_request", "new_lead", "price_question", "hours_question"}:
                scores["new_lead"] = scores.get("new_lead", 0.0) + 1
                signals.append("new_lead:topic")
    emergency = is_emergency(text, extra=emergency_keywords)
    if emergency in _EMERGENCY_WORDS_ONLY and (policy or "price_question" in scores):
        emergency = None  # "כמה עולה במקרה חירום?", "גובים דמי ביטול במצב חירום?" ask about a fee or a rule
    if emergency:
        scores["emergency"] = 10.0
        signals.append(f"emergency:{emergency}")
    intent, confidence = _decide(scores, is_question, len(tokens))
    if intent in ("out_of_scope", "small_talk") and slots and not is_question:
        intent, confidence = "provide_details", 0.7  # "קוראים לי דנה", "מחר ב-5": answers to our questions
    return Understanding(intent, confidence, is_question, slots, signals)


_ASKING = frozenset({"כמה", "מתי", "איפה", "האם", "איך", "למה", "מה"})
_NEGATION = frozenset({"לא", "אינני", "איני", "אינו", "אינה", "not", "don't", "no"})


def _negated(text: str) -> set[str]:
    """Words said right after a negation: 'לא מעוניינת בכרטיסייה' declines, it does not show interest."""
    tokens = tokenize(text)
    return {t for before, t in pairwise(tokens) if before in _NEGATION}


# 'תשלח לי את פרטי החשבון', 'תן לי את נוסח הסעיף': a request for information is a question, not small talk.
_INFO_REQUEST = re.compile(
    r"(?:^|[.!?]\s*)ו?(?:תשלח|תשלחי|תשלחו|שלח|שלחי|שלחו|תן|תני|תנו|תמסור|תמסרי|תעביר|תעבירי|תעבירו)\s+לי\s+"
    r"(?:את\s+)?ה?(?:פרטי|פרטים|מספר|רשימ|נוסח|עותק|העתק|סעיף|מידע|כתובת|שמות)"
    r"|^(?:please\s+)?(?:send|give|tell) me (?:the )?(?:details|number|list|text|copy|clause|address|names)\b"
)
_HAS_APPOINTMENT = re.compile(
    r"(?<![\u05d0-\u05ea])(?:יש\s+לי|יש\s+לנו|יש\s+לו|יש\s+לה|קבעתי|קבענו|נקבע\s+לי|קבעו\s+לי)\s+(?:כבר\s+)?תור"
    r"|\b(?:i|we)\s+(?:have|booked|'ve\s+booked)\s+(?:an?\s+)?appointment"
)
# A visit already made ('עשיתי אצלכם בדיקה ביום חמישי. מה יצא?', 'הייתי אצלכם ביום שני'): the day says when it
# was, not a time asked for; a question after it is about that visit, not a booking.
_VISITED = re.compile(
    r"(?<![\u05d0-\u05ea])ו?(?:עשיתי|עשינו|עשה|עשתה|הייתי|היינו|ביקרתי|ביקרנו|עברתי|עברנו|נבדקתי|נבדקנו|טופלתי|טופלנו)"
    r"\s+(?:\S+\s+){0,3}?(?:אצלכם|אצלך|במרפאה|במכון|במעבדה|בקליניקה)(?![\u05d0-\u05ea])"
    r"|\b(?:i|we)\s+(?:was|were|had|did)\s+(?:\S+\s+){0,4}?(?:at\s+your|with\s+you)\b"
)
# A booking needs words that ask for one; "תור" alone also names the appointment a question is about.
_BOOKING_WORDS = frozenset(
    {"לקבוע", "לקבע", "לתאם", "להזמין", "לשריין", "לקבל", "book", "احجز", "أحجز", "حجز", "نحجز", "بحجز"}
)
_BOOKING_PHRASES = (
    "can i come",
    "רוצה תור",
    "רוצה לקבוע",
    "רוצה להגיע",
    "רוצה לבוא",
    "צריך תור",
    "צריכה תור",
    "אשמח לתור",
    "אשמח לקבוע",
    "אפשר תור",
    "אפשר לקבוע",
    "יש תור",
    "יש מצב ל",
    "תור פנוי",
    "קביעת תור",
    "like to book",
)
# Words of a policy question: cancellation, no-show, lateness, refunds.
# Whether something bought can be returned, exchanged or refunded: 'אפשר להחזיר אותו?', 'אוכל לקבל את הכסף?'.
_RETURN_ASKED = re.compile(
    r"(?<![\u05d0-\u05ea])(?:אפשר|ניתן|אוכל|נוכל|יכול|יכולה|מותר|האם)\s+(?:\S+\s+){0,2}?"
    r"(?:להחזיר|להחליף|לקבל\s+(?:את\s+)?(?:ה?כסף|החזר|זיכוי))(?![\u05d0-\u05ea])"
    r"|\b(?:can|could)\s+i\s+(?:return|exchange|get\s+(?:a\s+)?refund)\b|إرجاع|ارجاع|استرداد|استبدال"
    r"|вернуть|возврат|обменять"
)
# Dissatisfaction with a person or with how one was treated ('לא מרוצה מהמטפלת'): a complaint, whatever is asked.
_PERSON_BLAMED = re.compile(
    r"(?:מרוצה|מרוצים|מרוצות|מאוכזב|מאוכזבת)\s+(?:\S+\s+)?מ(?:ה|ה?יחס\s+של\s+)?(?:מטפל|מטפלת|רופא|רופאה|מזכיר|מזכירה"
    r"|צוות|יחס|קבלה|פקיד|פקידה|עובד|עובדת|אחות|עובדים)(?![\u05d0-\u05ea])"
)
_POLICY_WORDS = frozenset(
    {
        "ביטול",
        "לבטל",
        "מבטלים",
        "מבטל",
        "מבטלת",
        # the canceller's own future and past ("אם אבטל את ביקור הבית ב-20:00", "ביטלתי אתמול"): a question about
        # the cancellation rule, whatever clock time it names, is not a request for that time
        "אבטל",
        "נבטל",
        "תבטל",
        "תבטלי",
        "יבטל",
        "ביטלתי",
        "ביטלנו",
        "ביטלת",
        "דמי",
        "קנס",
        "חיוב",
        "לחייב",
        "מחייבים",
        "גובים",
        "איחור",
        "מאחר",
        "מאחרת",
        "איחרתי",
        "הגעתי",
        "הגעה",
        "מדיניות",
        "החזר",
        "הודעתי",
        "להודיע",
    }
)


# A topic after a cue: "בנושא X", "לגבי X", "בעניין X", or a need for a thing ("צריכה מכתב התראה").
_TOPIC = re.compile(
    r"(?:(?<![\u05d0-\u05ea])(?:בנושא|לגבי|בעניין|בקשר\s+ל-?)\s*"
    r"|(?<![\u05d0-\u05ea])(?:צריך|צריכה|צריכים|מבקש|מבקשת)\s+(?!ל|ש|את\b|עורך|עורכת|תור|פגישה|פגישת|עזרה))"
    r"(?P<topic>[\u05d0-\u05ea\"'\-]+(?:\s+[\u05d0-\u05ea\"'\-]+){0,4})"
)
_TOPIC_STOP = frozenset(
    {
        "ביום",
        "יום",
        "מחר",
        "היום",
        "מחרתיים",
        "בשעה",
        "שעה",
        "בבוקר",
        "בערב",
        "אחרי",
        "שמי",
        "קוראים",
        "אפשר",
        "ואני",
        "אני",
        "תודה",
        "כי",
        "אבל",
        "כבר",
        "עם",
        "מול",
        "בעוד",
        "השבוע",
        "בשבוע",
    }
)


def _topic(text: str) -> str | None:
    m = _TOPIC.search(normalize(text))
    if m is None:
        return None
    words: list[str] = []
    for word in m.group("topic").split():
        if word in _TOPIC_STOP or (word.startswith(("ב-", "ו")) and len(words) >= 2):
            break
        words.append(word)
    topic = " ".join(words).strip("-'\" ")
    return topic if len(topic) >= 3 and topic not in _NOT_NAME_WORDS else None


def _generic_services(services: list[str], extra_keywords: dict[str, list[str]] | None) -> set[str]:
    """Services that name the meeting, not its subject ("פגישת ייעוץ"): a topic in the message is more precise."""
    meeting = {normalize(w) for w in (extra_keywords or {}).get("appointment_request", [])}
    return {
        s for s in services if normalize(s) in meeting or normalize(s).split()[0] in ("פגישת", "פגישה", "ייעוץ", "שיחת")
    }


# "צריך מקדמה כדי לקבוע תור?": booking is the purpose a question asks the conditions of, not a request;
# "כשקובעים תור לשאיבה משלמים מקדמה?", "when I book", "لما أحجز موعد": booking is the time the question asks of.
_PURPOSE = re.compile(
    r"(?<![\u05d0-\u05ea])(?:כדי|בשביל|על מנת|לפני ש|before|in order to|to be able to)\s+"
    r"(?:\S+\s+)?(?:לקבוע|לזמן|להזמין|book|booking)"
    r"|(?<![\u05d0-\u05ea])כש(?:אני\s+|את\s+|אתה\s+)?(?:קובעים|קובעת|קובע|אקבע|מזמינים|מזמינה|אזמין)(?![\u05d0-\u05ea])"
    r"|(?i:\b(?:when|once|if)\s+(?:i|you|we)\s+(?:book|make\s+(?:an|the)\s+appointment))"
    r"|(?<![\u0621-\u064a])(?:لما|لمّا|عندما|لمن|وقت\s+ما|لكي|عشان|مشان|حتى)\s+(?:\S+\s+)?(?:أحجز|احجز|نحجز|بحجز|تحجز|تحجزي)"
    r"(?![\u0621-\u064a])"
)


# "עד איזה גיל אפשר לקבוע תור להערכה?", "כמה זמן מראש צריך לקבוע תור?", "איך קובעים תור?": a question about the
# conditions of booking (an age, a notice, the way), not a request for an appointment.
_BOOKING_CONDITION = re.compile(
    r"(?<![\u05d0-\u05ea])(?:ו?(?:עד|מ|מעל|מתחת\s+ל|ב|מאיזה|באיזה|עד\s+איזה)?\s*(?:איזה|איזו|אילו)\s+(?:גיל|גילאים)"
    r"|ו?(?:מ|ב|עד\s+)?גיל\s+(?:כמה|מה)"
    r"|כמה\s+(?:זמן|ימים|שבועות|חודשים|שעות)\s+(?:מראש|לפני)"
    r"|ו?(?:איך|כיצד)\s+(?:אפשר\s+|ניתן\s+|אני\s+)?(?:לקבוע|קובעים|קובעת|קובע|להזמין|מזמינים))"
)


def _booking_as_purpose(flat: str) -> bool:
    return bool(_PURPOSE.search(flat) or _BOOKING_CONDITION.search(flat))


def _asks_to_book(flat: str, terms: set[str]) -> bool:
    return (
        bool(terms & _BOOKING_WORDS)
        or any(p in flat for p in _BOOKING_PHRASES)
        or any(t.startswith(_RU_BOOKING) for t in terms if _is_cyrillic(t))
    )


# -- emergencies --------------------------------------------------------------------------------------------
# Said outright: these need no second word.
_EMERGENCY_PHRASES = (
    "מקרה חירום",
    "מצב חירום",
    "במקרה חירום",
    "חירום רפואי",
    "קוצר נשימה",
    "קשיי נשימה",
    "קושי לנשום",
    "קושי בנשימה",
    "לא מצליח לנשום",
    "לא מצליחה לנשום",
    "לא יכול לנשום",
    "לא יכולה לנשום",
    "איבד הכרה",
    "איבדה הכרה",
    "איבדתי הכרה",
    "אובדן הכרה",
    "התעלף",
    "התעלפה",
    "התעלפתי",
    "דימום שלא נפסק",
    "דימום שאינו נפסק",
    "לא מפסיק לדמם",
    "לא מפסיקה לדמם",
    "לא מפסיק לדמם",
    "כאב בחזה",
    "כאבים בחזה",
    "להתאבד",
    "לפגוע בעצמי",
    "תגובה אלרגית",
    "נפיחות בפנים",
    "נפיחות בצוואר",
    "נפיחות בעין",
    "הפנים נפוחות",
    "הפנים התנפחו",
    "חבלה בפנים",
    "חבלה בפה",
    "מכה בפה",
    "מכה בפנים",
    "מכה בשן",
    "מכה בשיניים",
    "נפל על הפנים",
    "נפלה על הפנים",
    "הרבה דם",
    "קשה לבלוע",
    "קשה לי לבלוע",
    "קושי לבלוע",
    "קושי בבליעה",
    "לא מצליח לבלוע",
    "לא מצליחה לבלוע",
    "can't breathe",
    "cannot breathe",
    "emergency",
    "طوارئ",
)
# The built-in signs said in English or Arabic, as whole words: life at risk now, whatever the clinic. Like the
# Hebrew ones they are never read as history ('chest pain', 'suicidal', 'passed out', 'ألم في الصدر', 'الانتحار').
_FOREIGN_SIGNS = re.compile(
    r"(?<!\w)(?:"
    r"chest\s+pains?|pains?\s+in\s+(?:my|his|her|the)\s+chest|(?:chest\s+pressure|pressure\s+in\s+(?:my|his|her)\s+chest)"
    r"|short(?:ness)?\s+of\s+breath|(?:trouble|difficulty|hard)\s+(?:to\s+)?breath(?:e|ing)"
    r"|suicid(?:e|al)|kill\s+(?:my|him|her)sel(?:f|ves)|end\s+my\s+life|(?:hurt|harm)\s+myself"
    r"|(?:don'?t|do\s+not)\s+want\s+to\s+live|want\s+to\s+die"
    r"|passed\s+out|fainted|lost\s+consciousness|unconscious|not\s+waking\s+up|won'?t\s+wake\s+up"
    r"|(?:can'?t|cannot|won'?t)\s+stop\s+(?:the\s+)?bleeding|bleeding\s+(?:won'?t|doesn'?t|does\s+not)\s+stop"
    r"|severe\s+allergic\s+reaction|(?:face|throat|lips?|tongue)\s+(?:is\s+|are\s+)?swelling(?:\s+up)?"
    r"|swallow(?:ed|s)?\s+(?:\w+\s+){0,4}?(?:button\s+)?batter(?:y|ies)"
    r"|ألم\s+(?:في|ب)\s*(?:ال)?صدر|آلام\s+(?:في|ب)\s*(?:ال)?صدر|ضغط\s+في\s+(?:ال)?صدر"
    r"|ضيق\s+(?:في\s+)?(?:ال)?تنفس|صعوبة\s+(?:في\s+)?(?:ال)?تنفس|لا\s+(?:أستطيع|استطيع|يستطيع|تستطيع)\s+(?:ال)?تنفس"
    r"|(?:ال)?انتحار|أنتحر|انتحر|أقتل\s+نفسي|اقتل\s+نفسي|أؤذي\s+نفسي|إيذاء\s+نفسي|أريد\s+أن\s+أموت|لا\s+أريد\s+أن\s+أعيش"
    r"|(?:فقد|فقدت|فقدان)\s+(?:ال)?وعي|أغمي\s+(?:عليه|عليها|علي|على)|اغمي\s+(?:عليه|عليها|علي|على)"
    r"|نزيف\s+لا\s+يتوقف|رد\s+فعل\s+تحسسي\s+شديد|تورم\s+في\s+(?:ال)?(?:وجه|حلق|شفاه|لسان)"
    r"|(?:بلع|بلعت|ابتلع|ابتلعت)\s+(?:\S+\s+){0,3}?بطارية"
    r")(?!\w)"
)
# Named services or fees that contain an emergency word but ask about a price or a booking, and national
# emergencies (a cancellation rule, not a patient's state).
_NOT_EMERGENCY = ("טיפול חירום", "טיפולי חירום", "תור חירום", "חירום ביטחוני", "חירום לאומי", "שעת חירום")
# Reasons that are only the word "emergency": a question about a fee or a rule that uses it is that question.
_EMERGENCY_WORDS_ONLY = frozenset({"חירום", "מקרה חירום", "מצב חירום", "במקרה חירום", "emergency", "طوارئ"})
_SYMPTOMS = frozenset(
    {
        "כאב",
        "כאבים",
        "כואב",
        "כואבת",
        "כואבים",
        "דימום",
        "מדמם",
        "מדממת",
        "מדממים",
        "דם",
        "נפיחות",
        "נפוח",
        "נפוחה",
        "נפוחים",
        "נפוחות",
        "התנפח",
        "התנפחה",
        "חום",
        "חבלה",
        "מכה",
        "פצע",
        "פצוע",
        "פצועה",
        "מוגלה",
        "pain",
        "bleeding",
        "swelling",
        "swollen",
        "hurts",
        "hurting",
        "painful",
        "ألم",
        "الم",
        "آلام",
        "وجع",
        "أوجاع",
        "نزيف",
        "ينزف",
        "تنزف",
        "تورم",
        "انتفاخ",
        "منتفخ",
        "منتفخة",
    }
)
# Signs of an infection, told in Hebrew, English or everyday Arabic ('رجلي حمرا ومنفوخة ... وعندي حرارة 39'): with a
# high fever ('_HIGH_FEVER') an emergency only where the owner's own phrases name a fever and such a sign (see
# `_owner_fears_infection`); alone, or with 'חזק', never ('אדמומיות חזקה אחרי הטיפול').
_INFECTION_SIGNS = frozenset(
    {
        "אדמומיות",
        "זיהום",
        "מזוהם",
        "redness",
        "infection",
        "infected",
        "pus",
        "منفوخ",
        "منفوخة",
        "احمرار",
        "محمر",
        "محمرة",
        "التهاب",
        "ملتهب",
        "ملتهبة",
        "قيح",
    }
)
_SEVERE = frozenset(
    {
        "חזק",
        "חזקה",
        "חזקים",
        "חזקות",
        "נורא",
        "מאוד",
        "נוראי",
        "נוראית",
        "נוראיים",
        "בלתי",
        "נסבל",
        "מטורף",
        "מטורפים",
        "תופת",
        "דחוף",
        "דחופה",
        "צורח",
        "צורחת",
        "צורחים",
        "צועק",
        "צועקת",
        "נפסק",
        "מפסיק",
        "מפסיקה",
        "עובר",
        "גבוה",
        "severe",
        "urgent",
        "unbearable",
        "terrible",
        "badly",
        "extreme",
        "heavy",
        "heavily",
        "شديد",
        "شديدة",
        "قوي",
        "قوية",
        "جدا",
        "جداً",
        "كثير",
        "كتير",
        "يتوقف",
        "بيوقف",
        "بوقف",
        "لايطاق",
        "عاجل",
    }
)
_TOOTH = frozenset({"שן", "השן", "שיניים", "השיניים", "שיניי", "tooth"})
# English pain words that are as often said of a price or a feeling ('It hurts badly when I pay so much'): a
# symptom only with a part of the body or a word of care in the message.
_FIGURATIVE_PAIN = frozenset({"hurts", "hurting", "painful"})
_BODY_OR_CARE = frozenset(
    {
        "eye",
        "eyes",
        "tooth",
        "teeth",
        "gum",
        "gums",
        "jaw",
        "mouth",
        "lip",
        "lips",
        "tongue",
        "face",
        "head",
        "ear",
        "ears",
        "nose",
        "throat",
        "neck",
        "back",
        "chest",
        "stomach",
        "belly",
        "arm",
        "arms",
        "hand",
        "hands",
        "leg",
        "legs",
        "knee",
        "knees",
        "foot",
        "feet",
        "skin",
        "wound",
        "scar",
        "stitches",
        "surgery",
        "operation",
        "injection",
        "procedure",
        "treatment",
        "laser",
        "filling",
        "implant",
        "extraction",
        "crown",
        "lens",
        "lenses",
        "burn",
        "blister",
        "swelling",
        "swollen",
        "bleeding",
        "fever",
        "medication",
        "pill",
        "pills",
    }
)
_BROKEN = frozenset({"נשברה", "נשבר", "שבורה", "שבור", "נסדקה", "נעקרה", "broke", "broken", "knocked"})


# How long ago a sentence places what it tells: a month or more ('לפני שלוש שנים הייתה לי ירידה פתאומית בשמיעה').
_LONG_AGO = re.compile(
    r"(?<![\u05d0-\u05ea\w])(?:לפני\s+(?:כ-?|בערך\s+)?(?:חצי\s+שנה|שנה\s+וחצי|שנה|שנתיים|חודש|חודשיים|(?:\d+|שלוש|שלושה|ארבע|ארבעה|חמש|חמישה"
    r"|שש|שישה|כמה|הרבה)\s+(?:שנים|חודשים))|בעבר|בשנה\s+שעברה|ב(?:קיץ|חורף|סתיו|אביב)\s+(?:שעבר|הקודם)"
    r"|last\s+(?:year|summer|winter)|בילדותי|כשהייתי\s+(?:ילד|ילדה|צעיר|צעירה)"
    r"|\d+\s+(?:years?|months?)\s+ago|in\s+the\s+past|(?:\d+\s+)?(?:год|года|лет|месяц\w*)\s+назад"
    r"|قبل\s+(?:سنة|سنتين|شهر|شهرين|\d+\s+(?:سنوات|أشهر)))(?![\u05d0-\u05ea\w])"
)
_SENTENCE_END = re.compile(r"[.!?\n]")
# Anything in the sentence that says it is happening now or again keeps it current ('לפני שנה ..., ועכשיו זה חזר').
_CURRENT = re.compile(
    r"(?<![\u05d0-\u05ea])(?:ו?(?:עכשיו|כעת|עתה|שוב|מאתמול|מהבוקר|היום|הלילה|כרגע|פתאום)|ברגע\s+זה|(?:ו|ש)?(?:חזר|חזרה|חזרו)"
    r"|(?:ו|ש)?(?:מתחיל|מתחילה|התחיל|התחילה|התחילו))(?![\u05d0-\u05ea])"
    r"|(?i:\b(?:now|today|tonight|again|just|started)\b)|сейчас|сегодня|снова|опять|الآن|اليوم|مرة أخرى|من جديد"
)


# Now said to tell that all is well now ('היום הוא בריא לגמרי', 'מאז אני בסדר'): not a word of an emergency now.
_FINE_NOW = re.compile(
    r"(?<![\u05d0-\u05ea])ו?(?:היום|עכשיו|כעת|כיום|מאז)\s+(?:(?:הוא|היא|אני|הם|זה|הכול|הכל)\s+)?(?:כבר\s+)?"
    r"(?:בריא|בריאה|בריאים|בסדר|תקין|תקינה|מרגיש\s+טוב|מרגישה\s+טוב)(?![\u05d0-\u05ea])"
    r"|(?i:\b(?:(?:is|are|am)\s+)?(?:fine|well|healthy)\s+now\b)"
)


def _long_ago(flat: str, at: int) -> bool:
    """The sentence of `flat` around position `at` tells of a month or more ago, and nothing in the message of now.

    'לפני שלוש שנים הייתה לי ירידה פתאומית בשמיעה וטופלתי. עכשיו אני רוצה מכשיר — כמה עולה?' tells history; a
    question about today follows. A word of now or again anywhere in the sentence ('עכשיו', 'שוב', 'חזר', 'מאתמול')
    keeps it now. Only the owner's own phrases are read so (see :func:`is_emergency`).
    """
    start = max((m.end() for m in _SENTENCE_END.finditer(flat, 0, at)), default=0)
    end = _SENTENCE_END.search(flat, at)
    sentence = flat[start : end.start() if end else len(flat)]
    if not _LONG_AGO.search(sentence):
        return False
    # 'היום הוא בריא לגמרי', 'היום היא בסדר': a word of now that says all is well now closes the story
    return not _CURRENT.search(_FINE_NOW.sub(" ", sentence))


_NEGATIONS = frozenset({"לא", "אין", "בלי", "ללא", "not", "no", "never"})
# Words of an owner's phrase that a translation of the writer's words never gives ('יש לי חום', 'הוא לא נושם' keeps
# its 'לא'): who has it, and 'there is'.
_PHRASE_SMALL_WORDS = frozenset({"יש", "לי", "לו", "לה", "לנו", "לך", "אני", "הוא", "היא", "הם", "הן", "אנחנו"})


_CLAUSE_BREAK = re.compile(r"[,;:–—]$|^[–—-]$")
# Words that begin with 'ש' and are no clause of their own: 'של', time and count words ('לפני שעה', 'שתי').
_NOT_SUBORDINATE = frozenset(
    [
        "של",
        "שלי",
        "שלו",
        "שלה",
        "שלנו",
        "שלכם",
        "שלהם",
        "שלהן",
        "שעה",
        "שעות",
        "שעתיים",
        "שבוע",
        "שבועות",
        "שבועיים",
        "שנה",
        "שנים",
        "שנתיים",
        "שניות",
        "שנייה",
        "שתי",
        "שני",
        "שלוש",
        "שלושה",
        "שש",
        "שישה",
        "שבע",
        "שבעה",
        "שמונה",
        "שוב",
        "שלם",
        "שלמה",
    ]
)


def _subordinate(token: str) -> bool:
    """A word that opens a clause of its own with 'ש' ('שמתי', 'שבעצם', 'שהקצה'): what follows tells another thing."""
    return token.startswith("ש") and len(token) >= 4 and token not in _NOT_SUBORDINATE


def _gapped(phrase: str, flat: str, *, gap: int = 2) -> int | None:
    """Where the words of `phrase` (two or more) stand in one sentence of `flat`, or None.

    In order, each within `gap` words of the one before; a gap of more than two words holds no comma and no
    clause opened with 'ש' ('לא רוצה לבזבז כסף, אני רוצה לחיות' is not 'לא רוצה לחיות'; 'רואה שהקצה של השומה
    בגב מטושטש' is not 'רואה מטושטש'). Only the first word may carry a joined letter
    ('ופתאום'): a later word joined with ו begins another clause ('לא ישן טוב ונושם מהפה' is not 'לא נושם'). A
    negation binds to the very next word, so no gap follows it ('לא אוכלת כמעט ונושמת' is not 'לא נושמת').
    """
    words = phrase.split()
    if len(words) < 2:
        return None
    for sentence in re.finditer(r"[^.!?\n]+", flat):
        tokens = [(m.group(), m.start() + sentence.start()) for m in re.finditer(r"\S+", sentence.group())]
        bare = [t.strip(",;:\"'()") for t, _ in tokens]

        def same(token: str, word: str) -> bool:
            return token == word or (len(token) == len(word) + 1 and token[0] in "ובלהמשכ" and token[1:] == word)

        for i, token in enumerate(bare):
            if not same(token, words[0]):
                continue
            j, ok = i, True
            for before, word in itertools.pairwise(words):
                reach = 2 if before in _NEGATIONS else 2 + gap
                nxt = next((k for k in range(j + 1, min(j + reach, len(bare))) if bare[k] == word), None)
                if (
                    nxt is not None
                    and nxt - j > 3
                    and any(_CLAUSE_BREAK.search(tokens[k][0]) or _subordinate(bare[k]) for k in range(j + 1, nxt))
                ):
                    nxt = None  # a long gap holds no comma or new clause ('לא רוצה לבזבז כסף, אני רוצה לחיות')
                if nxt is None:
                    ok = False
                    break
                j = nxt
            if ok:
                return tokens[i][1]
    return None


def is_emergency(text: str, *, extra: list[str] | None = None) -> str | None:
    """Why `text` describes an emergency (the phrase or the words), or None.

    An emergency is said outright ("קוצר נשימה", "דימום שלא נפסק"), or a symptom with a word of
    severity or urgency ("כאב חזק", "נפיחות ... דחוף"), or a broken or knocked-out tooth; the
    tenant's own phrases count too. Named services ("טיפול חירום") are not emergencies by themselves.
    """
    flat = normalize(text)
    for name in _NOT_EMERGENCY:
        flat = flat.replace(name, " ")
    own = [normalize(w) for w in extra or ()]
    foreign = _FOREIGN_SIGNS.search(flat)
    if foreign:
        return foreign.group(0)  # the built-in signs said in English or Arabic ('chest pain', 'ألم في الصدر')
    for phrase in _EMERGENCY_PHRASES:
        # The built-in signs ('איבד הכרה', 'קוצר נשימה') are never read as history: a miss costs more than a false one.
        if phrase in flat:
            return phrase
    for phrase in own:
        # The owner's phrases name a condition ('ירידה פתאומית בשמיעה') that a patient may tell as history.
        if phrase and phrase in flat and not _long_ago(flat, flat.index(phrase)):
            return phrase
    for phrase in own:
        # the owner's phrase with a few words between its words ('פתאום אני כמעט לא שומע', 'בלע עכשיו סוללה',
        # 'אכל עכשיו חצי חפיסה של שוקולד': the verb, then how much of what)
        at = _gapped(phrase, flat, gap=4)
        if at is not None and not _long_ago(flat, at):
            return phrase
    if own and detect(text) != "he":
        # the owner's Hebrew phrase said in English, Arabic or Russian ('أكل سم فئران' is 'רעל עכברים'); the
        # glossary gives content words only, so the phrase's own small words ('יש לי חום') are not looked for
        said = normalize(hebrew_terms(text))
        for phrase in own:
            core = " ".join(w for w in phrase.split() if w not in _PHRASE_SMALL_WORDS)
            if core and (core in said or _gapped(core, said) is not None) and not _long_ago(flat, 0):
                return phrase
    terms = _terms(flat)
    if "חירום" in terms:
        return "חירום"
    symptom, severe = terms & _SYMPTOMS, terms & _SEVERE
    if not terms & (_BODY_OR_CARE | _EYE | _TOOTH):
        symptom -= _FIGURATIVE_PAIN
    if symptom and severe:
        return f"{min(symptom)}+{min(severe)}"
    if terms & _TOOTH and terms & _BROKEN:
        return "broken_tooth"
    eye = _eye_emergency(flat, terms)
    if eye:
        return eye
    injury = _serious_injury(flat, terms)
    if injury:
        return injury
    hit = _VEHICLE_HIT.search(flat)
    if hit and not _long_ago(flat, hit.start()):
        return "hit_by_vehicle"
    child = _child_emergency(flat)
    if child:
        return child
    if _CONTROL_LOST.search(flat) and (
        _NOW.search(flat)
        or _SUDDEN_LOSS.search(flat)
        or not (_HISTORY_OR_HABIT.search(flat) or _CARE_QUESTION.search(flat) or _LONG_STANDING.search(flat))
    ):
        return "lost_control"
    fever = _HIGH_FEVER.search(flat)
    if symptom - {"חום"} and fever:
        return f"{min(symptom - {'חום'})}+high_fever"
    if fever and _owner_fears_infection(own) and (signs := terms & _INFECTION_SIGNS) and not _long_ago(flat, 0):
        # signs of an infection with a high fever, in any language, where the owner's own phrases name both (a
        # diabetic foot clinic): not built in for every clinic — a sore throat with a fever is no emergency
        return f"{min(signs)}+high_fever"
    return _urgent_pair(flat)


def _owner_fears_infection(own: list[str]) -> bool:
    """Whether the owner's emergency phrases name a fever ('חום 38') and a sign of infection ('מוגלה', 'אדמומיות')."""
    words = {t for phrase in own for t in _terms(phrase)}
    return "חום" in words and bool(words & _INFECTION_SIGNS)


# A child's emergencies in a parent's words: breathing stopped, choking, turning blue, a seizure, not responding.
# Each is matched as whole words (a Hebrew word may carry ו/ש/כש before it): 'פרכוסים' is a diagnosis, not 'יש לו
# פרכוס'; 'נחנקתי מצחוק' is an idiom, not 'נחנק'.
def _signs(*phrases: str) -> re.Pattern[str]:
    alternatives = "|".join(
        (r"(?:ו|ש|כש|וכש)?" if re.match(r"[\u05d0-\u05ea]", p) else "") + re.escape(p) for p in phrases
    )
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")


# Breathing stopped is an emergency however it is said — but not breathing *through the mouth or nose*.
_BREATHING_STOPPED = re.compile(
    _signs(
        "הפסיק לנשום",
        "הפסיקה לנשום",
        "לא נושם",
        "לא נושמת",
        "not breathing",
        "stopped breathing",
        "لا يتنفس",
        "لا تتنفس",
        "не дышит",
        "перестал дышать",
        "перестала дышать",
    ).pattern
    + r"(?!\s+(?:טוב\s+|היטב\s+)?(?:דרך|מה?אף|מה?פה|באף|בפה|through|через|من\s+(?:الأنف|الانف|الفم)))"
)
# Signs that are an emergency when they happen now: not a history ('היו לו פרכוסים בעבר'), a habit ('נחנק הרבה
# בזמן אכילה') or a question about a therapy for them ('Is this toy a choking hazard?').
_ACUTE_SIGNS = _signs(
    "נחנק",
    "נחנקה",
    "נחנקת",
    "משתנק",
    "משתנקת",
    "מכחיל",
    "מכחילה",
    "הכחיל",
    "הכחילה",
    "מפרכס",
    "מפרכסת",
    "יש לו פרכוס",
    "יש לה פרכוס",
    "choking",
    "turning blue",
    "having a seizure",
    "يختنق",
    "تختنق",
    "התמוטט",
    "התמוטטה",
    "מתמוטט",
    "מתמוטטת",
    "collapsed",
    "collapsing",
    "انهار",
    "انهارت",
    "نوبة تشنج",
    "задыхается",
    "подавился",
    "подавилась",
    "посинел",
    "посинела",
    "судороги",
)
_BLUE_OR_ROLLING = re.compile(
    r"(?:השפתיים|שפתיים|השפתים|שפתים)\s+(?:שלו\s+|שלה\s+)?(?:כחולות|כחלחלות|מכחילות)"
    r"|(?:העיניים|עיניים)\s+(?:שלו\s+|שלה\s+)?(?:מתגלגלות|מתהפכות)"
    # 'נתקע לו משהו בגרון', 'נתקעה לה סוכריה בגרון': choking with the object named
    r"|(?<![\u05d0-\u05ea])(?:נתקע|נתקעה|תקוע|תקועה)\s+(?:\S+\s+){0,3}?בגרון"
)
# Signs that alone say little — trembling, not responding (a child who 'כמעט לא מגיב כשמדברים איתו' is a question
# for a developmental assessment; 'השוכר לא מגיב כבר חודש' is a tenant who does not answer) — and are an emergency
# with a word of now or of the body in trouble: 'נפל ולא מגיב', 'לא מגיבה למגע', 'לא מגיב כבר כמה דקות!!'.
_UNRESPONSIVE = re.compile(
    r"(?<![\u05d0-\u05ea])ו?(?:לא|אינו|אינה)\s+(?:מגיב|מגיבה|מתעורר|מתעוררת)(?![\u05d0-\u05ea])"
    r"(?!\s*(?:ב|ל)?(?:טלפון|טלפונים|וואטסאפ|ווטסאפ|מייל|מיילים|הודעות|הודעה|צ'אט|מכתב|מכתבים))"
    r"|(?<![\u05d0-\u05ea])(?:רועד|רועדת)\s+(?:כולו|כולה|בכל\s+הגוף)"
    r"|(?<!\w)(?:unresponsive|لا\s+يستجيب|لا\s+تستجيب|не\s+реагирует|не\s+приходит\s+в\s+себя)(?!\w)"
)
_NOW = re.compile(
    r"!!|(?<!\w)(?:עכשיו|כרגע|ברגע\s+זה|הצילו|דחוף|דקה|דקות|now|help|urgent|minutes?"
    r"|сейчас|срочно|помогите|минут\w*|الآن|الان|هلا|هلأ|بسرعة|ساعدوني|دقائق|دقيقة)(?!\w)"
)
_BODY_IN_TROUBLE = re.compile(
    r"(?<!\w)(?:ו|ש)?(?:נפל|נפלה|שוכב|שוכבת|הרצפה|רצפה|התעלף|התעלפה|למגע|מנער|מנערת|מנערים|נושם|נושמת|נשימה"
    r"|fell|collapsed|lying|floor|breathing|упал|упала|лежит|дышит|وقع|وقعت|ملقى|يتنفس|تتنفس)(?!\w)"
)
_HISTORY_OR_HABIT = re.compile(
    r"(?<!\w)(?:בעבר|היו\s+לו|היו\s+לה|היה\s+לו|היה\s+לה|מגיל|לפני\s+(?:שנה|שנתיים|חודש|חודשיים|כמה\s+חודשים)"
    r"|בשנה\s+שעברה|לפעמים|הרבה|תמיד|כל\s+פעם|בדרך\s+כלל|מדי\s+פעם|in\s+the\s+past|sometimes|often|usually"
    r"|hazard|в\s+прошлом|были|был|раньше|иногда|часто|كان\s+عنده|كانت\s+عنده|قبل\s+سنة|احيانا|أحيانا|دائما)(?!\w)"
)
# A question about a therapy, an assessment, a price or an appointment for the sign, not a call for help.
_CARE_QUESTION = re.compile(
    r"(?<!\w)(?:ו|ה|ל|ב)?(?:תור|הערכה|אבחון|טיפול|טיפולים|מחיר|עולה|עולים|לקבוע|therapy|assessment|appointment"
    r"|price|cost|оценк\w*|записаться|стоит|терапи\w*|تقييم|موعد|علاج|سعر)(?!\w)"
)


def _child_emergency(flat: str) -> str | None:
    """A child's emergency said as happening now (see the patterns above), or None."""
    stopped = _BREATHING_STOPPED.search(flat)
    if stopped:
        return stopped.group(0)
    now = bool(_NOW.search(flat))
    acute = _ACUTE_SIGNS.search(flat) or _BLUE_OR_ROLLING.search(flat)
    if acute and (now or not (_HISTORY_OR_HABIT.search(flat) or _CARE_QUESTION.search(flat))):
        return acute.group(0)
    weak = _UNRESPONSIVE.search(flat)
    if weak and (now or _BODY_IN_TROUBLE.search(flat)) and not _HISTORY_OR_HABIT.search(flat):
        return weak.group(0)
    return None


# The eye: a harmful substance in it, or sight lost all at once. First aid (rinsing) and the eye emergency
# room cannot wait for an appointment.
_EYE = frozenset({"עין", "עיניים", "העין", "העיניים", "עיני", "eye", "eyes", "عين", "العين", "عيني", "عيوني"})
_HARMFUL = frozenset(
    {
        "אקונומיקה",
        "כימיקל",
        "כימיקלים",
        "חומצה",
        "סיד",
        "מלט",
        "אמוניה",
        "אצטון",
        "כלור",
        "bleach",
        "chemical",
        "chemicals",
        "acid",
        "cement",
        "كلور",
        "كيماوية",
        "كيميائية",
        "كيماويات",
    }
)
_HARMFUL_PHRASES = ("חומר ניקוי", "חומרי ניקוי", "חומר כימי", "נוזל ניקוי", "cleaning product")
# Sight lost: said outright, or 'לא רואה' about an eye with a word of suddenness anywhere in the message, or with a
# word of degree next to the verb and no object after it: 'כמעט לא רואה', 'לא רואה כלום', 'לא רואה בכלל בעין ימין'
# — but 'לא רואה בכלל תורים פנויים באתר לעיניים' cannot see free slots, not sight.
_SIGHT_GONE = ("ירידה פתאומית בראייה", "אובדן ראייה", "איבדתי את הראייה", "הבזקי אור", "lost my sight", "lost vision")
_NOT_SEEING = ("לא רואה", "לא רואים", "can't see", "cannot see", "can not see", "لا أرى", "لا ارى", "ما بشوف")
_NOT_SEEING_DEGREE = ("barely see", "hardly see")  # the degree is in the phrase
_SUDDEN = frozenset({"פתאום", "פתאומי", "פתאומית", "לפתע", "suddenly", "sudden", "فجأة"})
_DEGREE = frozenset(
    {"כלום", "בכלל", "כמעט", "שום", "anything", "barely", "hardly", "at", "شي", "شيء", "اشي", "ابدا", "أبدا"}
)
# What may follow the verb when it is about sight, not an object: the eye, a side, nothing, how well, since when.
_SIGHT_AFTER = _EYE | frozenset(
    {
        "ימין",
        "שמאל",
        "ימנית",
        "שמאלית",
        "כלום",
        "שום",
        "בכלל",
        "כמעט",
        "טוב",
        "ברור",
        "יותר",
        "כבר",
        "עכשיו",
        "מאז",
        "פתאום",
        "היטב",
        "ממנה",
        "ממנו",
        "מהן",
        "מהם",
        "בה",
        "בו",
        "הבוקר",
        "מהבוקר",
        "אתמול",
        "מאתמול",
        "היום",
        "ניתוח",
        "אחרי",
        "עם",
        "חצי",
        "חלק",
        "כתם",
        "כתמים",
        "צל",
        "מטושטש",
        "half",
        "part",
        "spots",
        "blurry",
        "anything",
        "out",
        "from",
        "with",
        "in",
        "since",
        "clearly",
        "properly",
        "well",
        "now",
        "anymore",
        "all",
        "left",
        "right",
        "شي",
        "شيء",
        "اشي",
        "ابدا",
        "أبدا",
        "منها",
        "في",
    }
)
_CLAUSE_END = re.compile(r"[,.!?;:\n]")


def _sight_lost(flat: str, terms: set[str]) -> bool:
    for phrase in _NOT_SEEING + _NOT_SEEING_DEGREE:
        for m in re.finditer(re.escape(phrase), flat):
            before = tokenize(_CLAUSE_END.split(flat[: m.start()])[-1])[-1:]
            after = tokenize(_CLAUSE_END.split(flat[m.end() :], maxsplit=1)[0])
            if after and after[0] in _DEGREE:  # 'לא רואה כלום (בעין)', 'לא רואה בכלל (בעין ימין)'
                after = after[1:]
            elif not (terms & _SUDDEN or phrase in _NOT_SEEING_DEGREE or (before and before[0] in _DEGREE)):
                continue
            if not after or _terms(after[0]) & _SIGHT_AFTER:  # no object: 'כמעט לא רואה ממנה', not '… תורים'
                return True
    return False


def _eye_emergency(flat: str, terms: set[str]) -> str | None:
    if terms & _EYE and (terms & _HARMFUL or any(p in flat for p in _HARMFUL_PHRASES)):
        return "eye+harmful"
    for phrase in _SIGHT_GONE:
        if phrase in flat:
            return phrase
    if terms & _EYE and _sight_lost(flat, terms):
        return "eye+sight_lost"
    return None


# An injury that cannot wait for an appointment, told in the writer's words: a limb that looks deformed or a
# bone showing after a fall or a blow ('נפל מהאופניים והיד נראית עקומה'), or a limb that cannot be moved or
# felt after one ('נפל במדרגות ולא מצליח להזיז את הרגליים') — first aid and מד"א, not a booking. Without the
# fall or a sudden onset, 'לא מצליח להזיז את הכתף' is the chronic complaint a clinic books for.
_TRAUMA = frozenset(
    {
        "נפל",
        "נפלה",
        "נפלתי",
        "נפלו",
        "נפלנו",
        "נפילה",
        "החליק",
        "החליקה",
        "החלקתי",
        "נחבל",
        "נחבלה",
        "נחבלתי",
        "חבלה",
        "מכה",
        "התנגש",
        "התנגשה",
        "התנגשתי",
        "תאונה",
        "תאונת",
        "נדרס",
        "נדרסה",
        "fell",
        "fall",
        "fallen",
        "crash",
        "accident",
        "وقع",
        "وقعت",
        "سقط",
        "سقطت",
        "حادث",
        "упал",
        "упала",
        "упали",
        "травма",
        "авария",
    }
)
_DEFORMED = frozenset(
    {
        "עקום",
        "עקומה",
        "עקומים",
        "עקומות",
        "מעוות",
        "מעוותת",
        "מעוותים",
        "עיוות",
        "bent",
        "deformed",
        "crooked",
        "معوج",
        "معوجة",
        "مشوه",
        "مشوهة",
        "искривлена",
        "искривлен",
        "кривая",
    }
)
_DEFORMED_PHRASES = (
    "לא במקום",
    "יצא ממקומו",
    "יצאה ממקומה",
    "עצם בולטת",
    "עצם יוצאת",
    "העצם בולטת",
    "העצם יוצאת",
    "רואים את העצם",
    "out of place",
    "bone sticking out",
    "bone is sticking out",
    "торчит кость",
)
# A limb that will not move or has no feeling: the verb after a word of failure, or said outright.
_NO_FUNCTION = re.compile(
    r"(?<![\u05d0-\u05ea])ו?(?:לא|אינו|אינה|בקושי)\s+(?:מצליח|מצליחה|יכול|יכולה|מסוגל|מסוגלת)\s+(?:כבר\s+)?ל(?:הזיז|זוז|דרוך|לכת|עמוד|הרים)"
    r"|(?<![\u05d0-\u05ea])ו?(?:לא|אינו|אינה)\s+(?:מזיז|מזיזה|זז|זזה|זזות|זזים|מרגיש|מרגישה|מרגישים)(?!\s+(?:טוב|בנוח|שיפור|הבדל|כל\s+כך))"
    r"|חוסר\s+תחושה|אין\s+(?:לו\s+|לה\s+|לי\s+)?תחושה|נימול|משותק|משותקת"
    r"|can'?t\s+(?:move|feel)|cannot\s+(?:move|feel)|unable\s+to\s+(?:move|feel)|numb\b|paraly[sz]ed"
    r"|لا\s+(?:يستطيع|تستطيع|أستطيع|استطيع)\s+(?:تحريك|أن\s+يحرك|أن\s+تحرك)|ما\s+(?:بقدر|بيقدر|بتقدر)\s+(?:يحرك|تحرك|احرك)|تنميل"
    r"|не\s+(?:может|могу|чувствует|чувствую)|онемел"
)
# Lost control of the bladder or the bowel, or no feeling where one sits: a nerve emergency (with back pain,
# the emergency room at once), said in the writer's words ('לא הצלחתי להתאפק עם השתן', 'לא מרגישה את הישבן').
_CONTROL_LOST = re.compile(
    r"(?<![\u05d0-\u05ea])ו?(?:לא|בלי)\s+(?:מצליח|מצליחה|הצלחתי|הצליח|הצליחה|יכול|יכולה|יכולתי|שולט|שולטת)\s+"
    r"(?:ל)?(?:התאפק|להתאפק|לשלוט|לעצור|להחזיק)\s+(?:עם|על|ב)\s*ה?(?:שתן|יציאות|צואה|סוגרים)"
    r"|(?<![\u05d0-\u05ea])ו?(?:לא|אינו|אינה)\s+(?:שולט|שולטת|שולטים)\s+(?:על|ב)\s*ה?(?:שתן|יציאות|צואה|סוגרים)"
    r"|(?:איבד|איבדה|איבדתי|אובדן|איבוד)\s+(?:ה)?שליטה\s+(?:על|ב)\s*ה?(?:שתן|יציאות|צואה|סוגרים)"
    r"|(?<![\u05d0-\u05ea])ו?(?:לא|אינו|אינה)\s+(?:מרגיש|מרגישה|מרגישים)\s+(?:את\s+)?ה?(?:ישבן|מפשעה|אגן)"
    r"|(?:נימול|חוסר\s+תחושה|רדום|רדומה)\s+(?:ב|באזור\s+ה?)(?:ישבן|מפשעה|אגן)"
    r"|(?:lost|loss\s+of|can'?t\s+control\s+(?:my\s+)?)\s*(?:my\s+)?(?:bladder|bowel)\s*(?:control)?"
)
# Control lost all at once, or with the back or a fall: the nerve emergency. Bedwetting, a child not yet dry at the
# kindergarten, or incontinence for years are questions for a therapy, not a call for the emergency room.
_SUDDEN_LOSS = re.compile(
    r"(?<!\w)(?:פתאום|פתאומי|פתאומית|לפתע|בגב|הגב|גב\s+תחתון|כאבי\s+גב|כאב\s+גב|נפלתי|נפל|נפלה|אחרי\s+ה?נפילה"
    r"|sudden|suddenly|back\s+pain|fell|внезапно|спина|فجأة|ظهر)(?!\w)"
)
_LONG_STANDING = re.compile(
    r"(?<!\w)(?:עדיין|כבר\s+(?:שנים|שנה|חודשים)|שנים|בלילה|בלילות|בגן|במיטה|at\s+night|for\s+years|still|bedwetting"
    r"|годами|ночью|بالليل|سنين)(?!\w)"
)
_HIGH_FEVER = re.compile(
    r"(?:חום|fever|temperature|حرارة|температура)\D{0,12}(?<![\d.,])(?:3[89]|4[0-2])(?:[.,]\d)?(?![\d])"
    r"|(?<![\d.,])(?:3[89]|4[0-2])(?:[.,]\d)?\s*(?:מעלות|°|degrees)"
)


# Hit by a vehicle, a person or an animal, in either word order ('מכונית פגעה עכשיו בכלב', 'נדרס', 'hit by a car').
_VEHICLE_HIT = re.compile(
    r"(?<![\u05d0-\u05ea])ה?(?:מכונית|רכב|אוטו|משאית|אופנוע|אוטובוס|קטנוע)\s+(?:\S+\s+){0,2}?(?:פגע|פגעה|דרס|דרסה)(?![\u05d0-\u05ea])"
    r"|(?<![\u05d0-\u05ea])(?:ו|ש)?(?:פגע|פגעה)\s+(?:בו|בה|בי)\s+(?:ה)?(?:מכונית|רכב|אוטו|משאית|אופנוע)"
    r"|(?<![\u05d0-\u05ea])(?:ו|ש)?(?:נדרס|נדרסה|נדרסתי|דרסו|נפגע\s+מ(?:ה)?(?:רכב|מכונית)|נפגעה\s+מ(?:ה)?(?:רכב|מכונית))(?![\u05d0-\u05ea])"
    r"|(?i:\bhit\s+by\s+a\s+(?:car|truck|vehicle)\b|\brun\s+over\b)|صدمته\s+سيارة|صدمتها\s+سيارة|دهسته|دهستها"
)


def _serious_injury(flat: str, terms: set[str]) -> str | None:
    trauma = bool(terms & _TRAUMA) or bool(terms & _SUDDEN)
    if (terms & _DEFORMED or any(p in flat for p in _DEFORMED_PHRASES)) and (trauma or terms & _SYMPTOMS):
        return "injury+deformed"
    if trauma and _NO_FUNCTION.search(flat):
        return "injury+no_function"
    return None


# Urgency said in the writer's own words rather than a fixed phrase: a vital function together with a word
# of difficulty or failure ('קשה לי לנשום', 'הלשון מתנפחת', 'I can hardly breathe', 'صعوبة في التنفس').
_VITAL = frozenset(
    {
        "לנשום",
        "נושם",
        "נושמת",
        "נשימה",
        "הנשימה",
        "נשימות",
        "לבלוע",
        "בליעה",
        "נחנק",
        "נחנקת",
        "נחנקים",
        "breathe",
        "breathing",
        "breath",
        "swallow",
        "swallowing",
        "choking",
        "التنفس",
        "تنفس",
        "أتنفس",
        "اتنفس",
        "البلع",
        "أبلع",
    }
)
_DIFFICULT = frozenset(
    {
        "קשה",
        "קשיי",
        "קושי",
        "מתקשה",
        "מתקשים",
        "מצליח",
        "מצליחה",
        "יכול",
        "יכולה",
        "נעצר",
        "נעצרת",
        "כבד",
        "hard",
        "difficult",
        "difficulty",
        "hardly",
        "can't",
        "cannot",
        "struggling",
        "trouble",
        "صعوبة",
        "بصعوبة",
        "صعب",
        "ضيق",
        "أستطيع",
        "استطيع",
    }
)
_AIRWAY = frozenset(
    {
        "גרון",
        "הגרון",
        "לשון",
        "הלשון",
        "שפתיים",
        "השפתיים",
        "צוואר",
        "הצוואר",
        "פנים",
        "הפנים",
        "עיניים",
        "throat",
        "tongue",
        "lips",
        "face",
        "الحلق",
        "اللسان",
        "الشفاه",
        "الوجه",
    }
)
_CLOSING = frozenset(
    {
        "נסגר",
        "נסגרת",
        "נסגרים",
        "נסגרות",
        "מתנפח",
        "מתנפחת",
        "מתנפחים",
        "מתנפחות",
        "התנפח",
        "התנפחה",
        "התנפחו",
        "נפוח",
        "נפוחה",
        "נפוחים",
        "נפוחות",
        "נפיחות",
        "swelling",
        "swollen",
        "closing",
        "tight",
        "تورم",
        "منتفخ",
        "منتفخة",
        "يغلق",
    }
)


# A question about the treatment or what to expect after it, not a report of a state.
_ASKS_ABOUT = frozenset(
    {"מחיר", "עולה", "כמה", "האם", "צפוי", "צפויה", "רגיל", "רגילה", "נורמלי", "expected", "normal", "price"}
)


def _urgent_pair(flat: str) -> str | None:
    """A vital function said to fail, or the airway said to swell or close: the two words close together.

    'קשה לי לנשום' is urgent; 'בקושי יש לי זמן לנשום' (no time to breathe) is an idiom, not a symptom.
    """
    tokens = tokenize(flat)
    forms = [{t, *stems(t)} for t in tokens]
    asks = set().union(*forms) & _ASKS_ABOUT if forms else set()
    for i, here in enumerate(forms):
        for first, second in ((_VITAL, _DIFFICULT), (_AIRWAY, _CLOSING)):
            if not here & first or (first is _AIRWAY and asks):
                continue
            window = forms[max(0, i - 3) : i + 4]
            if any(w & {"זמן", "time", "وقت"} for w in window):
                continue
            near = set().union(*window) & second
            if near:
                return f"{min(here & first)}+{min(near)}"
    return None


# An emergency outranks everything; then a person asking for a person, or complaining; a request to book
# outranks a question.
_PRIORITY = (
    "emergency",
    "human_request",
    "complaint",
    "appointment_request",
    "new_lead",
    "price_question",
    "hours_question",
    "document_question",
    "service_question",
    "small_talk",
)


def _decide(scores: dict[str, float], is_question: bool, n_tokens: int) -> tuple[str, float]:
    if not scores:
        return ("document_question", 0.4) if is_question else ("out_of_scope", 0.3)
    if set(scores) == {"small_talk"} and n_tokens > 6:
        # A long message that merely opens with "שלום" is about something else.
        return ("document_question", 0.4) if is_question else ("out_of_scope", 0.3)
    if "small_talk" in scores and len(scores) > 1:
        del scores["small_talk"]
    if scores.keys() & {"price_question", "hours_question"} and "appointment_request" in scores and is_question:
        scores.pop("appointment_request")  # "כמה עולה תור?", "עד איזו שעה אפשר להגיע?" ask, they do not book
    best = next(i for i in _PRIORITY if i in scores)
    return best, min(0.95, 0.6 + 0.1 * scores[best])


def find_service(text: str, services: list[str], aliases: dict[str, list[str]] | None = None) -> str | None:
    """The tenant's service a message names, in any prefixed, inflected or spelling-variant form.

    Every word of the service matches a word of the message ("להלבנת שינים" → "הלבנת שיניים"), or its
    distinctive first word does ("להלבנה" → "הלבנת שיניים", "לניקוי" → "ניקוי אבנית") when no other
    service shares it. Forms are compared without matres lectionis, construct ת / absolute ה and plural
    endings; the longest matching service wins. `aliases` are the tenant's other names for a service
    (English, Arabic, slang), matched as whole words, behind Hebrew one-letter prefixes too.
    """
    flat = normalize(text)
    for service, names in sorted((aliases or {}).items(), key=lambda kv: -max((len(n) for n in kv[1]), default=0)):
        for alias in sorted(names, key=len, reverse=True):
            # Behind Hebrew one-letter prefixes too: 'לאורתופד', 'ל-PRP', 'והפיזיו'.
            if re.search(rf"(?<![\w])(?:[והבלמשכ]{{1,3}}-?)?{_alias_pattern(normalize(alias))}(?![\w])", flat):
                return service
    forms: set[str] = set()
    for token in tokenize(text):
        for form in (token, *stems(token)):
            forms.add(form)
            forms.add("=" + _loose(form, vowels=False))
            if len(_loose(form)) >= 3:
                forms.add("~" + _loose(form))
    heads: dict[str, int] = {}
    for service in services:
        words = normalize(service).split()
        if len(words) > 1:
            heads[_loose(words[0])] = heads.get(_loose(words[0]), 0) + 1

    def has(word: str) -> bool:
        return word in forms or (len(_loose(word)) >= 3 and "~" + _loose(word) in forms)

    for service in sorted(services, key=len, reverse=True):
        words = normalize(service).split()
        if words and all(has(w) for w in words):
            return service
    for service in sorted(services, key=len, reverse=True):
        words = normalize(service).split()
        head = words[0] if words else ""
        # The first word alone, spelled as the service spells it (only ה/ת and plural endings may differ).
        if (
            len(words) > 1
            and heads.get(_loose(head)) == 1
            and head not in _GENERIC_HEADS
            and (head in forms or "=" + _loose(head, vowels=False) in forms)
        ):
            return service
    return None


def _alias_pattern(alias: str) -> str:
    """A regular expression for an alias: as written, or in Russian with any case ending ('ортопед' → 'ортопеду')."""
    if not re.search(r"[\u0400-\u04ff]", alias):
        return re.escape(alias)
    words = re.findall(r"[\u0400-\u04ff]+|[^\u0400-\u04ff\s]+", alias)
    parts = [
        re.escape(w[:-1] if len(w) > 5 else w) + r"[\u0400-\u04ff]{0,3}"
        if re.match(r"[\u0400-\u04ff]", w)
        else re.escape(w)
        for w in words
    ]
    return r"[\s-]*".join(parts)


# First words too general to name a service alone ("טיפול שורש" is not meant by "טיפול").
_GENERIC_HEADS = frozenset(
    {"טיפול", "טיפולי", "בדיקה", "בדיקת", "ייעוץ", "פגישת", "פגישה", "שירות", "צילום", "ניתוח", "ניתוחי"}
)


def _loose(word: str, *, vowels: bool = True) -> str:
    """A spelling-tolerant key: no final ה/ת, no plural ending, and (`vowels`) no ו/י after the first letter."""
    if not word or word.isascii():
        return word
    if len(word) > 4 and word.endswith(("ים", "ות")):
        word = word[:-2]
    if vowels:
        word = word[0] + "".join(c for c in word[1:] if c not in "וי")
    if len(word) > 2 and word[-1] in "הת":
        word = word[:-1]
    return word.translate(_FINALS)


_FINALS = str.maketrans("ךםןףץ", "כמנפצ")

# Words that are never a person's name in an answer to "what is your name?".
_NOT_NAME_WORDS = frozenset(
    """
    מחר מחרתיים היום הערב הבוקר בבוקר בערב בצהריים אחה"צ אחרי לפני עדיף עדיפה אפשר בשעה שעה יום ביום
    שבוע בשבוע הבא הבאה ראשון שלישי רביעי חמישי שישי שבת ב' ג' ד' ה' ו' עכשיו כל זמן מתי
    לא כן אוקיי בסדר תודה רבה טוב מעולה נהדר סבבה אני את אתה הוא היא אנחנו רוצה רוצים צריך צריכה מה איך למה
    זה זו של עם על או גם רק עוד כבר בערך הכי נוח נוחה מתאים מתאימה פנוי פנויה תור תורים טיפול בדיקה
    שלום היי הי בוקר ערב לילה ok yes no thanks tomorrow today morning evening
    """.split()  # noqa: SIM905 — a word list reads best as a block
)
_TITLES = frozenset(
    {'ד"ר', "דר'", "דוקטור", "גב'", "גברת", "מר", 'עו"ד', "פרופ'", "פרופסור", "הרב", "dr", "mr", "mrs", "ms"}
)


def looks_like_name(value: str, *, services: list[str] | None = None) -> bool:
    """Whether a bare reply could be a person's name (an answer to "what is your name?").

    One to four name-like words, none a time or a common word, no digits, no service: "מחר אחרי 5"
    and "בערב עדיף" are not names.
    """
    words = value.split()
    if not 1 <= len(words) <= 4:
        return False
    if not all(re.fullmatch(r"[\u05d0-\u05ea'\"-]+|[A-Za-z'.-]+", w) for w in words):
        return False
    keys = [normalize(w).strip(".") for w in words]
    if any(k in _NOT_NAME_WORDS for k in keys):
        return False
    if all(k in _TITLES for k in keys):
        return False
    if extract_datetime(value, now=datetime(2000, 1, 3)) is not None:
        return False
    return not (services and find_service(value, services))


def split_name(name: str) -> tuple[str, str]:
    """(first name, last name) of a full name; titles are dropped; one word is a last name (CRMs need one).

    "דנה כהן" → ("דנה", "כהן"); "רינה בן חיים" → ("רינה", "בן חיים"); 'ד"ר יעל ברק' → ("יעל", "ברק");
    "כהן" → ("", "כהן").
    """
    words = [w for w in name.split() if normalize(w).strip(".") not in _TITLES]
    if not words:
        return "", name.strip()
    if len(words) == 1:
        return "", words[0]
    return words[0], " ".join(words[1:])


_NEXT_WORD = re.compile(r"\s+([\u05d0-\u05ea][\u05d0-\u05ea'\"-]{1,14})\s*(?=[,.;!]|$)")


def _full_name(text: str, value: str, end: int) -> str:
    """A one-word name found, followed by one more name-like word that closes the clause: the full name.

    "אני נועה ברק, אפשר לקבוע…": the surname is the word after the first name before the comma.
    """
    if len(value.split()) != 1:
        return value
    m = _NEXT_WORD.match(text, end)
    if m is None or normalize(m.group(1)) in _NOT_NAME_WORDS or not looks_like_name(m.group(1)):
        return value
    return f"{value} {m.group(1)}"


# Cues before a name that is someone else's, not the writer's: a professional's title ('ד"ר רים חדאד מקבלת?' asks
# about the business's doctor) and a preposition ('הביטוח של הראל', 'תור עם דנה').
_OTHERS_NAME_CUES = frozenset(
    {'ד"ר', "דר'", "דוקטור", "פרופ'", "פרופסור", 'עו"ד', 'רו"ח', "הרב", "dr", "dr.", "של", "עם", "את", "אצל"}
)


def _writers_name(finding: object) -> bool:
    """Whether a name the privacy scan found is the writer's (or their patient's), not a third party's."""
    evidence = str(getattr(finding, "evidence", "") or "")
    return not (evidence.startswith("context:") and normalize(evidence[8:]) in _OTHERS_NAME_CUES)


def _slots(text: str, *, now: datetime, service: str | None) -> dict[str, str]:
    slots: dict[str, str] = {}
    for finding in scan(text):
        value = text[finding.start : finding.end].strip()
        if finding.type == "phone" and "phone" not in slots:
            slots["phone"] = value
        elif finding.type == "email" and "email" not in slots:
            slots["email"] = value
        elif finding.type == "name" and finding.score >= 0.7 and "name" not in slots and _writers_name(finding):
            slots["name"] = _full_name(text, value, finding.end)
    if "name" not in slots and (foreign := _foreign_name(text)):
        slots["name"] = foreign
    if service:
        slots["service"] = service
    when = extract_datetime(text, now=now)
    if when is not None:
        slots["preferred_time"] = when.isoformat(timespec="minutes")
    return slots


# A name after an Arabic or Russian cue ('اسمي سامي خوري', 'Меня зовут Ольга Смирнова'): one or two words of
# the same script, the second not a word that goes on with the sentence.
_FOREIGN_NAME = re.compile(
    r"(?<![\u0621-\u064a])(?:اسمي|إسمي)\s+(?P<ar>[\u0621-\u064a]{2,}(?:\s+[\u0621-\u064a]{2,})?)"
    r"|(?i:меня\s+зовут|мо[её]\s+имя)\s*[:\-—]?\s*(?P<ru>[А-ЯЁ][а-яё]+(?:\s+[А-ЯЁ][а-яё]+)?)"
)
_FOREIGN_NAME_STOP = frozenset({"من", "في", "و", "بدي", "اريد", "أريد", "يوم", "الساعة", "عندي", "وبدي"})


def _foreign_name(text: str) -> str | None:
    m = _FOREIGN_NAME.search(text)
    if m is None:
        return None
    words = (m.group("ar") or m.group("ru")).split()
    if len(words) > 1 and words[1] in _FOREIGN_NAME_STOP:
        words = words[:1]
    return " ".join(words) if words[0] not in _FOREIGN_NAME_STOP else None


# A weekday's name or letter → its number as datetime.weekday() (Monday 0); also read by agents.hours.
WEEKDAYS = {
    "ראשון": 6,
    "שני": 0,
    "שלישי": 1,
    "רביעי": 2,
    "חמישי": 3,
    "שישי": 4,
    "שבת": 5,
    "א'": 6,
    "ב'": 0,
    "ג'": 1,
    "ד'": 2,
    "ה'": 3,
    "ו'": 4,
}
_DAY_WORD = re.compile(r"(?:ביום|יום|ב)\s*(ראשון|שני|שלישי|רביעי|חמישי|שישי|שבת|[אבגדהו]')(\s+הבא)?")
_DATE = re.compile(r"(?<!\d)(\d{1,2})[./](\d{1,2})(?:[./](\d{2,4}))?(?![\d:])")
_CLOCK = re.compile(r"(?<![\d.])(\d{1,2}):(\d{2})(?!\d)")
_HOUR = re.compile(
    r"(?:ב-?|בשעה\s*|שעה\s*|אחרי\s+)(\d{1,2})(?!\d|[.:/]\d)"
    r"(?!\s*(?:שנים|שנה|חודשים|חודש|שבועות|ימים|יום|דקות|שעות|אחוז|%|ש\"ח|₪|שקל))"
    r"(?:\s*(בבוקר|בצהריים|אחה\"צ|אחר הצהריים|אחרי הצהריים|בערב|בלילה))?"
)
_HOUR_WORDS = CLOCK_NUMBERS
_HOUR_IN_WORDS = re.compile(
    r"(?:^|\s)(?:ב|בשעה\s)("
    + "|".join(sorted(_HOUR_WORDS, key=len, reverse=True))
    + r")(?:\s+(וחצי|ורבע))?(?=\s|$|[,.!?])"
)
_IN_DAYS = re.compile(r"בעוד\s+(יום|יומיים|שבוע|שבועיים|(\d+)\s+ימים)")


def extract_datetime(text: str, *, now: datetime) -> datetime | None:
    """The date and time a message asks for, in `now`'s time zone; None when it names neither."""
    flat = normalize(text)
    words = set(tokenize(text))
    day: date | None = None
    if words & {"מחרתיים", "послезавтра"} or "day after tomorrow" in flat or "بعد بكرة" in flat:
        day = now.date() + timedelta(days=2)
    elif words & {"מחר", "ומחר", "tomorrow", "завтра", "بكرة", "بكره", "غدا", "غدًا", "غداً"}:
        day = now.date() + timedelta(days=1)
    elif words & {"היום", "הערב", "והיום", "today", "tonight", "сегодня", "اليوم"}:
        day = now.date()
    if (m := _EN_DAY.search(flat)) is not None:
        day = now.date() + timedelta(days=(_ENWEEKDAYS[m.group(1)] - now.weekday()) % 7 or 7)
    weekday = _foreign_weekday(words)
    if weekday is not None:
        day = now.date() + timedelta(days=(weekday - now.weekday()) % 7 or 7)
    if (m := _IN_DAYS.search(flat)) is not None:
        unit = m.group(1)
        days = {"יום": 1, "יומיים": 2, "שבוע": 7, "שבועיים": 14}.get(unit) or int(m.group(2) or 0)
        day = now.date() + timedelta(days=days)
    if (m := _DAY_WORD.search(flat)) is not None:
        target = WEEKDAYS[m.group(1)]
        # The coming such day ("יום ראשון הבא" said on a Wednesday is in four days); on that very day, next week's.
        day = now.date() + timedelta(days=(target - now.weekday()) % 7 or 7)
    m = next((d for d in _DATE.finditer(flat) if d.group(3) or _date_cue(flat, d.start())), None)
    if m is not None:
        d, mo, y = int(m.group(1)), int(m.group(2)), m.group(3)
        year = now.year if y is None else (2000 + int(y) if len(y) == 2 else int(y))
        try:
            candidate = date(year, mo, d)
            if y is None and candidate < now.date():
                candidate = date(year + 1, mo, d)
            day = candidate
        except ValueError:
            pass
    at = _time_of_day(flat)
    if day is None and at is None:
        return None
    if day is None:
        day = now.date() if at is not None and at > now.time() else now.date() + timedelta(days=1)
    return datetime.combine(day, at or time(9, 0), tzinfo=now.tzinfo)


def _date_cue(flat: str, start: int) -> bool:
    """A day.month without a year is a date only after a cue ('ב-22.11', 'עד 3/1'), not in 'סעיף 4.2'."""
    before = flat[max(0, start - 8) : start]
    return re.search(r"(?:^|\s)(?:ב|ל|עד|מ|ביום|תאריך|החל מ)-?\s?$", before) is not None


_ENWEEKDAYS = {"monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6}
_EN_DAY = re.compile(r"\b(?:on |next |this )?(" + "|".join(_ENWEEKDAYS) + r")\b")
_EN_HOUR = re.compile(r"\b(?:at |around )?(\d{1,2})(?::(\d{2}))?\s?(am|pm|a\.m\.|p\.m\.)(?![a-z])")
# "tomorrow at 11", "around 4" (no am/pm): business hours decide, as for "ב-11".
_EN_AT = re.compile(
    r"\b(?:at|around|by)\s+(\d{1,2})(?![\d.:/])(?!\s*(?:%|percent|days?|weeks?|months?|years?|nis|shekels?|₪))"
    r"(?:\s+(in the morning|in the afternoon|in the evening|at night|o'?clock))?"
)


# Weekdays in Russian (any case: 'во вторник', 'в среду') and Arabic ('يوم الخميس'); Monday is 0.
_RUWEEKDAYS = {"понедельник": 0, "вторник": 1, "сред": 2, "четверг": 3, "пятниц": 4, "суббот": 5, "воскресень": 6}
_ARWEEKDAYS = {
    "الاثنين": 0,
    "الإثنين": 0,
    "الثلاثاء": 1,
    "الأربعاء": 2,
    "الاربعاء": 2,
    "الخميس": 3,
    "الجمعة": 4,
    "الجمعه": 4,
    "السبت": 5,
    "الأحد": 6,
    "الاحد": 6,
}


def _foreign_weekday(words: set[str]) -> int | None:
    for word in words:
        if word in _ARWEEKDAYS:
            return _ARWEEKDAYS[word]
        if word and "\u0400" <= word[0] <= "\u04ff":
            for stem, day in _RUWEEKDAYS.items():
                if word.startswith(stem):
                    return day
    return None


# "в 10 утра", "в 6 вечера", "в 10 часов" (Russian); "الساعة 10 الصبح", "الساعة 5 مساء" (Arabic).
_RU_HOUR = re.compile(
    r"(?<![\w])в\s+(\d{1,2})(?::(\d{2}))?(?![\d:])(?!\s*(?:мин|дн|лет|год|недел|месяц|%|₪|шекел))"
    r"\s*(утра|утром|дня|вечера|вечером|ночи|час\w*)?"
)
_AR_HOUR = re.compile(
    r"(?:الساعة|الساعه|ساعة)\s*(\d{1,2})(?::(\d{2}))?(?![\d:])"
    r"\s*(الصبح|صباحا|صباحًا|صباحاً|الصباح|ص|الظهر|بعد الظهر|العصر|مساء|مساءً|مساءا|المسا|المساء|م)?"
)
_MORNING = frozenset({"утра", "утром", "الصبح", "صباحا", "صباحًا", "صباحاً", "الصباح", "ص"})


def _foreign_hour(flat: str) -> time | None:
    for pattern in (_RU_HOUR, _AR_HOUR):
        m = pattern.search(flat)
        if m is None:
            continue
        hour, minute, part = int(m.group(1)), int(m.group(2) or 0), m.group(3) or ""
        if not (hour < 24 and minute < 60):
            continue
        if part in _MORNING:
            return time(hour % 12, minute)
        if part and not part.startswith("час") and hour < 12:
            return time(hour + 12, minute)  # дня, вечера, مساء, بعد الظهر
        # No part of day: business hours decide — 1..7 is afternoon, 8..12 morning/noon.
        return time(hour + 12 if 0 < hour <= 7 else hour, minute)
    return None


def _time_of_day(flat: str) -> time | None:
    if (m := _EN_HOUR.search(flat)) is not None:  # "at 10am", "3:30 pm"
        hour, minute, part = int(m.group(1)), int(m.group(2) or 0), m.group(3)
        if 0 < hour <= 12 and minute < 60:
            return time(hour % 12 + (12 if part.startswith("p") else 0), minute)
    if (at := _foreign_hour(flat)) is not None:
        return at
    if (m := _CLOCK.search(flat)) is not None:
        hour, minute = int(m.group(1)), int(m.group(2))
        return time(hour, minute) if hour < 24 and minute < 60 else None
    if (m := _EN_AT.search(flat)) is not None:  # "tomorrow at 11", "at 4 in the afternoon"
        hour, part = int(m.group(1)), m.group(2) or ""
        if 0 < hour <= 12:
            if part == "in the morning":
                return time(hour % 12, 0)
            if part in ("in the afternoon", "in the evening", "at night"):
                return time(hour % 12 + 12, 0)
            return time(hour + 12 if hour <= 7 else hour, 0)
    if (m := _HOUR_IN_WORDS.search(flat)) is not None:
        hour = _HOUR_WORDS[m.group(1)]
        minute = {"וחצי": 30, "ורבע": 15}.get(m.group(2) or "", 0)
        afternoon = hour <= 7 or any(p in flat for p in ('אחה"צ', "הצהריים", "בערב"))
        return time(hour + 12 if afternoon and hour < 12 else hour, minute)
    for m in _HOUR.finditer(flat):
        hour, part = int(m.group(1)), m.group(2)
        if not 0 < hour <= 12 and not (part is None and 12 < hour < 24):
            continue
        if part in ("בבוקר",):
            return time(hour % 12, 0)
        if part in ("בצהריים", 'אחה"צ', "אחר הצהריים", "בערב", "בלילה"):
            return time(hour % 12 + 12, 0)
        # No part of day: business hours decide — 1..7 is afternoon, 8..12 morning/noon.
        return time(hour + 12 if hour <= 7 else hour, 0)
    words = set(tokenize(flat))
    if "בבוקר" in words:
        return time(9, 0)
    if 'אחה"צ' in words or ("הצהריים" in words and words & {"אחר", "אחרי"}):
        return time(15, 0)
    if words & {"בערב", "הערב"}:
        return time(18, 0)
    if "בצהריים" in words:
        return time(12, 0)
    return None
