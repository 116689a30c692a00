"""The privacy guard: find Israeli and general personal data, decide sensitivity, redact, keep logs clean.

This docstring is the contract; the rest of the package implements it.

Entity types (``Finding.type``, all listed in :data:`PII_TYPES`)
------------------------------------------------------------------
``id_number``
    Teudat zehut: 9 digits (8-digit older numbers are left-padded; ``12345678-2`` also counts).
    A valid check digit alone is evidence (``checksum``, score 0.7); an ID cue (``ת"ז``, ``ת.ז``,
    ``תעודת זהות``, ``מספר זהות``) makes it strong (0.99), and with a cue even a failing checksum is
    reported (a mistyped ID is still someone's ID, 0.75). A 9-digit number that fails the checksum
    and has no cue is nothing.
``phone``
    Israeli numbers in every written form: mobile ``05X``, landlines ``02/03/04/08/09``, VoIP ``07X``,
    ``+972`` / ``972`` / ``00972`` with or without ``(0)``, dashes, spaces, parentheses or none.
    Shape decides, not Google's metadata, so unassigned ranges (``050-1xxxxxx``) still count.
``email``
    Addresses of the usual ``local@domain.tld`` shape.
``credit_card``
    13-19 digits, grouped or not, passing Luhn with a card-network first digit; a card cue (``כרטיס``,
    ``אשראי``, ``ויזה``…) also admits a mistyped number and Isracard's 8-9-digit domestic cards.
``iban``
    ``IL`` + 2 check digits + 19 digits (spaces or dashes allowed); mod-97 valid scores 0.99, an
    IL-shaped string failing mod-97 still counts at 0.75.
``bank_account``
    Bank-branch-account ``12-345-678901``, ``בנק 12 סניף 345 חשבון 678901``, or an account number after
    ``חשבון בנק`` / ``ח-ן`` (or ``חשבון`` with a bank word nearby).
``date_of_birth``
    A date after a birth cue (``תאריך לידה``, ``נולדתי ב``, ``יליד``, ``יום הולדת``): numeric, Hebrew or
    English month names, Hebrew calendar dates, or a bare year after ``נולד``/``יליד``.
``health``
    A Hebrew vocabulary (see ``_vocabulary.py``) of diagnoses, symptoms, medications, treatments
    (dental included), tests, pregnancy and fertility, and mental health, matched on prefix-free stems
    (ו/ה/ב/ל/מ/ש/כ and their chains) and two- or three-word phrases. The span excludes the prefix.
``name``
    A person's name after a cue: strong (``שמי``, ``קוראים לי``, ``שם מלא:``), a title or role (``מר``,
    ``גב'``, ``ד"ר``, ``עו"ד``, ``המטופלת``, ``לכבוד``), or a weak cue (``אני``, ``זה``, ``בברכה``…) followed
    by a first name from the lexicon; a lexicon first name with no cue scores 0.55 (0.75 with a known
    surname). Names that are everyday words (חיים, שלום, טל) need a strong cue or title.
``address``
    A street (``רחוב``/``רח'``/``שד'``/``דרך`` + name + number, with flat and city), ``street number, city``
    for known cities, the clause after ``כתובת:`` or ``גר ב``, ``ת.ד.``, ``מיקוד``.

Each :class:`Finding` has ``type``, ``start``, ``end`` (a half-open span into the ORIGINAL text, even
when the text carries niqqud or bidi marks), ``score`` in 0..1, and ``evidence``: how it was found,
e.g. ``checksum``, ``context:ת"ז``, ``checksum+context:ת"ז``, ``luhn``, ``mod97``, ``shape:mobile``,
``vocabulary``, ``lexicon``. Evidence never contains the value, so neither does the repr.

Hard negatives that must not fire: order, invoice and reference numbers (a cue such as ``הזמנה`` or
``חשבונית`` suppresses a number), prices and amounts (``₪1,200``, ``1,200 ש"ח``), dates without a birth
cue, times, clause numbers (``4.2``), and 9-digit numbers that fail the checksum without a cue.

Overlaps: every detector proposes candidates; where spans overlap the higher score wins, then the
more specific type (iban > email > credit_card > id_number > phone > bank_account > date_of_birth >
address > name > health), then the longer span. So ``039337423`` after ``ת"ז`` is an ID (checksum and
cue) while after ``טלפון`` it is a phone; with no cue a valid checksum makes it an ID (0.7) and a
failing one a landline (0.6). Candidates under 0.5 are dropped.

Sensitivity (:func:`assess`, used by the model router)
-------------------------------------------------------
A text is sensitive when it contains any structured identifier (id_number, phone, email,
credit_card, iban, bank_account), a date of birth, health information, an address, or a name with
context (a cue, or a first name with a surname: score >= 0.7). A lone first name from the lexicon is
reported by :func:`scan` but does not by itself make a text sensitive.

Whose data (``assess(text, business=...)``)
-------------------------------------------
Sensitivity is about the person writing. With the business's own terms (:class:`BusinessTerms`,
built from the tenant's documents, name and services), a name or an address that the business's
texts contain (its doctor, its street) is the business's and does not count, unless the writer
introduces it as their own (``שמי``, ``קוראים לי``, ``אני``, ``גר ב``); a health word that names a
service or facility of the business (``ניקוי אבנית``, ``צילום פנורמי``, ``כיסא גלגלים``) does not
count unless a person's condition is in the text. Wanting a service ("אני רוצה תור לניקוי אבנית")
is not a condition. Company names (``... בע"מ``, ``חברת ...``) are never a person's name, and the
words in them are not health data. :attr:`Assessment.counted` holds the types that made the text
sensitive; :attr:`Assessment.types` every type found.

Redaction and logs
------------------
:func:`redact` swaps each finding for a Hebrew placeholder (``[ת"ז]``, ``[טלפון]``, ``[דוא"ל]``,
``[כרטיס אשראי]``, ``[חשבון בנק]`` for IBANs and accounts, ``[תאריך לידה]``, ``[מידע רפואי]``, ``[שם]``,
``[כתובת]``), numbered when a type repeats with another value (``[טלפון 2]``);
:meth:`Redaction.restore` puts the originals back, in this process only. :class:`RedactingFilter`
redacts log records; :func:`install_log_redaction` attaches it to the root logger's handlers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..text import normalize
from ._business import BusinessTerms
from ._detector import Finding, detect
from ._logging import RedactingFilter, install_log_redaction
from ._phones import parse_phone, phone_kind
from ._redaction import Redaction, redact

__all__ = [
    "PII_TYPES",
    "Assessment",
    "BusinessTerms",
    "Finding",
    "RedactingFilter",
    "Redaction",
    "assess",
    "install_log_redaction",
    "parse_phone",
    "phone_kind",
    "redact",
    "scan",
]

PII_TYPES: tuple[str, ...] = (
    "id_number",
    "phone",
    "email",
    "credit_card",
    "iban",
    "bank_account",
    "date_of_birth",
    "health",
    "name",
    "address",
)
_NAME_WITH_CONTEXT = 0.7


@dataclass(frozen=True, slots=True)
class Assessment:
    """Whether a text is sensitive (see the module docstring), which types it holds, and the findings."""

    sensitive: bool
    types: frozenset[str]
    findings: tuple[Finding, ...]
    counted: frozenset[str] = frozenset()


def scan(text: str) -> list[Finding]:
    """Personal data in `text`, sorted by start; offsets point into `text` as given."""
    return detect(text)


# A clinic's services, named as things one buys or books ("מה המחיר של הלבנת שיניים?"), are not a
# health detail about anyone until the message ties them to a person ("יש לי כאב אחרי טיפול שורש").
_SERVICES = frozenset(
    normalize(s)
    for s in (
        "הלבנת שיניים",
        "הלבנה",
        "ניקוי אבנית",
        "אבנית",
        "סתימה",
        "סתימות",
        "טיפול שורש",
        "טיפולי שורש",
        "כתר",
        "כתרים",
        "שתל",
        "שתלים",
        "השתלה",
        "השתלת שיניים",
        "יישור שיניים",
        "יישור",
        "גשר",
        "צילום שיניים",
        "צילום",
        "בדיקה תקופתית",
        "בדיקת שיניים",
        "עקירה",
        "ציפוי",
        "ציפויים",
        "שיננית",
        "פלורייד",
    )
)
# 'בלי' (without) and 'כלי' (a tool) are words of their own, not 'ב'/'כ' + 'לי': 'אבחון בלי דו"ח' says nothing of
# the writer.
_NOT_ME = r"(?!(?:בלי|כלי)(?![\w]))"
_PERSONAL_CUE = re.compile(
    r"(?<![\w])"
    + _NOT_ME
    + r"[ובלמשכה]?(אני|לי|שלי|אותי|עליי|ממני|בני|בתי|אשתי|בעלי|ילדי|ילדיי|הבן שלי|הבת שלי|אמא שלי|אבא שלי|"
    r"כואב|כואבת|כואבים|כאב|כאבים|סובל|סובלת|אובחנתי|אובחן|אובחנה|עברתי|"
    r"המטופל|המטופלת|הריון|בהריון|רגיש|רגישה|נפוח|נפוחה|דימום|מדמם|מדממת)(?![\w])"
)


# Wanting, booking or pricing something is not a condition: "אני רוצה תור לניקוי אבנית", "בכמה יוצא לי
# שתל" say nothing about anyone's health.
_WANTING = re.compile(
    r"(?<![\w])(?:(?:אני\s+)?(?:רוצה|רוצים|צריך|צריכה|צריכים|מעוניין|מעוניינת|מתעניין|מתעניינת|אשמח|רציתי|מבקש|מבקשת)"
    r"(?:\s+(?:לקבוע|לתאם|להזמין|לעשות|לבוא|להגיע|לשאול|לברר))?(?:\s+(?:לי|תור|פגישה))*"
    r"|(?:יוצא|יוצאת|יצא|עולה|יעלה|יעלו|עולים|תעלה)\s+לי"
    # Managing an appointment or a payment says nothing about anyone's health either: "אני מבטלת את התור
    # לפיזיותרפיה", "אני מקבלת החזר על הטיפול", and a health fund's plan is a membership ("יש לי מכבי שלי").
    r"|(?:אני\s+)?(?:מבטל|מבטלת|לבטל|ביטלתי|לדחות|להזיז|לשנות|מאחר|מאחרת|אאחר)\s+(?:את\s+)?(?:ה)?תור(?:\s+שלי)?"
    r"|(?:אני\s+)?(?:מקבל|מקבלת|אקבל|לקבל|מגיע\s+לי)\s+החזר|(?:תחייבו|יחייבו|תחייב|יחייב|מחייבים|לחייב)\s+אותי"
    r"|(?:יש\s+לי\s+|אני\s+ב|אני\s+מבוטח(?:ת)?\s+ב)?(?:מכבי|כללית|מאוחדת|לאומית)(?:\s+(?:שלי|זהב|מושלם|פלטינום|שיא|עדיף|כסף))?)(?![\w])"
)
# How a name may be found and still be the business's: a title (ד"ר, מר, גב'), a preposition, or no cue.
# Any other cue introduces the writer or someone of theirs ("שמי", "אני", "הבת שלי", "בעלי").
_BUSINESS_NAME_CUES = frozenset(
    {
        'ד"ר',
        "דר'",
        "דוקטור",
        "מר",
        "גב'",
        "גברת",
        "הגב'",
        'עו"ד',
        'רו"ח',
        "פרופ'",
        "פרופסור",
        "הרב",
        "עם",
        "של",
        "את",
        "בין",
        "לבין",
        'ע"י',
        "על ידי",
        "dr",
        "dr.",
        "mr",
        "mr.",
        "mrs",
        "mrs.",
        "ms",
        "ms.",
    }
)
# Address cues that give the writer's own address.
_OWN_ADDRESS_CUES = frozenset({"גר", "גרה", "גרים", "גרות", "גרתי", "גרנו", "מתגורר", "מתגוררת", "מתגוררים", "כתובתי"})


def _own(f: Finding) -> bool:
    """Whether the writer introduced this finding as theirs ("שמי ...", "הבת שלי ...", "אני גר ב...")."""
    if "context:" not in f.evidence:
        return False
    cue = " ".join(normalize(f.evidence.split("context:", 1)[1]).split())
    if f.type == "name":
        return cue not in _BUSINESS_NAME_CUES
    return cue in _OWN_ADDRESS_CUES


def _business_owned(f: Finding, text: str, personal: bool, business: BusinessTerms | None) -> bool:
    """A finding that is the business's, not the writer's (see "Whose data" in the module docstring)."""
    value = normalize(text[f.start : f.end])
    if f.type == "health":
        if personal:
            return False
        return value in _SERVICES or (business is not None and (value in business.services or business.covers(value)))
    if f.type in ("name", "address") and business is not None:
        if f.type == "name" and len(value.split()) > 2:
            # A name's span may run on into the next word ('סאמר חורי עושה'): the name is its first two.
            return not _own(f) and (business.covers(value) or business.covers(" ".join(value.split()[:2])))
        return not _own(f) and business.covers(value)
    return False


def _counts(f: Finding) -> bool:
    return f.type != "name" or f.score >= _NAME_WITH_CONTEXT


# An animal of the writer's ('לכלבה שלי', 'החתול שלנו', 'my dog', 'كلبي'): its illness is not the writer's health.
_PET = re.compile(
    r"(?<![\w])[ובלמשכה]{0,2}(?:כלב|כלבה|כלבים|כלבלב|כלבלבה|גור|גורה|גורים|חתול|חתולה|חתולים|חתלתול|חתלתולה|ארנב"
    r"|ארנבת|תוכי|אוגר|שרקן|חמוס|בעל\s+החיים|חיית\s+המחמד)(?:\s+(?:שלי|שלנו))?(?![\w])"
    r"|(?i:\bmy\s+(?:dog|cat|puppy|kitten|pet|rabbit|parrot)\b)|(?<![\w])(?:كلبي|كلبتي|قطتي|قطي)(?![\w])"
)
# The writer's own: a first-person word left after the animal is taken out ('אני בהריון', 'יש לי', 'אותי').
_FIRST_PERSON = re.compile(r"(?<![\w])" + _NOT_ME + r"[ובלמשכה]?(?:אני|לי|שלי|אותי|עליי|ממני|הריון|בהריון)(?![\w])")


def assess(text: str, *, business: BusinessTerms | None = None) -> Assessment:
    """Decide whether `text` is sensitive for model routing (rules in the module docstring).

    `business`: the tenant's own terms; findings that are the business's do not count. Health words about the
    writer's animal ('לכלבה שלי יש סוכרת והיא מקבלת אינסולין') are the animal's, not the writer's, unless the
    message also speaks of the writer in the first person.
    """
    findings = tuple(detect(text))
    flat = _WANTING.sub(" ", normalize(text))
    personal = _PERSONAL_CUE.search(flat) is not None
    if personal and _PET.search(flat):
        personal = _FIRST_PERSON.search(_PET.sub(" ", flat)) is not None
    pet_only = not personal and _PET.search(flat) is not None
    counted = frozenset(
        f.type
        for f in findings
        if _counts(f) and not _business_owned(f, text, personal, business) and not (pet_only and f.type == "health")
    )
    return Assessment(
        sensitive=bool(counted),
        types=frozenset(f.type for f in findings),
        findings=findings,
        counted=counted,
    )
