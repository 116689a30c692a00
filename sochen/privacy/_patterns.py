"""Precompiled regular expressions over normalised text: identifiers, context cues, dates, addresses.

All patterns run on the output of :func:`sochen.privacy._text.normalize_with_offsets` (lower case,
``"`` for gershayim, ``'`` for geresh, ``-`` for maqaf, no niqqud or bidi marks).
"""

from __future__ import annotations

import re

from ._vocabulary import CITIES

__all__ = [
    "ADDRESS_CUE",
    "BANK_ACCOUNT_KEYWORD",
    "BANK_BRANCH_ACCOUNT",
    "BANK_DASHED",
    "CARD",
    "CITY",
    "CITY_RE",
    "COMPANY",
    "CUES",
    "DOB_DATE_AFTER",
    "EMAIL",
    "HEBREW_TOKEN",
    "IBAN",
    "ID_NUMBER",
    "NAME_CUES",
    "PHONE",
    "PO_BOX",
    "PRICE_AFTER",
    "STREET",
    "STREET_NUMBER_CITY",
    "ZIP",
]

H = "\u05d0-\u05ea"
# Left edge of a number: no digit or Latin letter before it, and not the tail of 4.2 / 1,200 / 22/11.
_L = r"(?<![0-9a-z])(?<![0-9][.,/:-])"
# Right edge of a number: no digit or Latin letter after it, and not the head of 4.2 / 1,200.
_R = r"(?![0-9a-z])(?![.,/:-]\d)"
# Hebrew prefix letters may be glued to a cue word (בת"ז, והטלפון, לכתובת).
_CUE_L = rf"(?<![{H}a-z0-9])[ובהלמשכ]{{0,3}}"
_CUE_R = rf"(?![{H}a-z])"

# --- Identifiers ---------------------------------------------------------------------------------

_S = r"[ -]"
_SEP = r"(?:\s?-\s?|\s)"
_SUB7 = (
    rf"(?:\d{{7}}|\d{{3}}{_S}\d{{4}}|\d{{3}}{_S}\d{{2}}{_S}\d{{2}}|\d{{4}}{_S}\d{{3}}"
    rf"|\d{{2}}{_S}\d{{2}}{_S}\d{{3}}|\d{{2}}{_S}\d{{3}}{_S}\d{{2}})"
)
_AREA = r"(?:5\d|7\d|[2-489])"
PHONE = re.compile(
    _L
    + r"(?:"
    # International: +972 / 972 / 00972, optional (0), area code, subscriber number.
    + rf"(?P<intl>(?:\+\s?|00\s?)?972){_SEP}?(?:\(0\)\s?|0)?(?:\(\s?{_AREA}\s?\)|{_AREA}){_SEP}?{_SUB7}"
    # National: 0 + area code (02/03/04/08/09, 05X mobile, 07X VoIP) + 7 digits, any usual grouping.
    + rf"|(?P<nat>\(\s?0{_AREA}\s?\)|0{_AREA}){_SEP}?{_SUB7}"
    # Mobile or VoIP grouped 4+6: 0501-234567.
    + rf"|(?P<nat4>0[57]\d\d){_SEP}?(?:\d{{6}}|\d{{3}}{_S}\d{{3}})"
    + r")"
    + _R
)

ID_NUMBER = re.compile(_L + r"(?:\d{9}|\d{8}-\d|\d{8}|\d{3}[ -]\d{3}[ -]\d{3})" + _R)

CARD = re.compile(_L + r"(?:\d{4}([ -]?)\d{4}\1\d{4}\1\d{4}(?:\1\d{1,3})?|\d{4}[ -]?\d{6}[ -]?\d{4,5}|\d{13,19})" + _R)

IBAN = re.compile(r"(?<![a-z0-9])il\s?\d{2}(?:[ -]?\d){19}(?!\d)")

EMAIL = re.compile(
    r"(?<![a-z0-9._%+])(?<![a-z0-9]-)[a-z0-9][a-z0-9._%+-]*@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?"
    r"(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*\.[a-z]{2,}(?![a-z])"
)

# Bank-branch-account, 12-345-678901 (also with slashes).
BANK_DASHED = re.compile(_L + r"\d{2,3}([-/])\d{3}\1\d{4,13}" + _R)
# בנק 12 סניף 345 חשבון 678901 / סניף 345 ח-ן 678901.
BANK_BRANCH_ACCOUNT = re.compile(
    rf"(?:(?<![{H}])[ובל]?(?:בנק|bank)\s*(?:[{H}\"'\-]+\s*){{0,2}}?\(?\s*(?P<bank>\d{{2,3}})\s*\)?[\s,\-]*)?"
    rf"(?<![{H}])[ובל]?(?:סניף|branch)\s*(?:מס['.]?|מספר)?\s*:?\s*(?P<branch>\d{{3}})[\s,\-]*"
    rf"(?:[ובל]?(?:מספר\s+|מס['.]?\s*)?(?:חשבון|ח-ן|ח\"ן|חש['.]|account|ח\.ן))\s*(?:מס['.]?|מספר)?\s*:?\s*"
    rf"(?P<acct>\d{{4,13}})(?!\d)"
)
# חשבון בנק 123456 / ח-ן 123456 / מספר חשבון 123456 (needs a bank word nearby, see the detector).
BANK_ACCOUNT_KEYWORD = re.compile(
    rf"(?<![{H}])[ובל]?(?P<cue>חשבון\s+(?:ה)?בנק|ח-ן|ח\"ן|מספר\s+(?:ה)?חשבון|מס['.]\s*(?:ה)?חשבון|חשבון)"
    rf"(?:\s+(?:שלי|שלנו))?\s*(?:מס['.]?|מספר)?\s*(?:הוא|:|-)?\s*(?P<acct>\d{{5,13}})(?![0-9])(?![.,/:-]\d)"
)

# --- Context cues --------------------------------------------------------------------------------

_CUE_WORDS: dict[str, str] = {
    "id": (
        r"ת\s?[\"'.]{1,2}\s?ז\.?|תז|תעודת\s+(?:ה)?זהות|מספר\s+(?:ה)?זהות|מס['.]?\s*(?:ה)?זהות|מ\.ז|זהות"
        r"|id|i\.d|teudat\s+zehut|zehut"
    ),
    "phone": (
        r"טלפון|טלפונים|טלפוני|טל['.]?|נייד|ניידת|ניידים|פלאפון|פלא['.]|סלולרי|סלולארי|סלולר|וואטסאפ|ווטסאפ"
        r"|וואצאפ|ווצאפ|ווטסאפ|whatsapp|tel|phone|mobile|cell|פקס|fax|להתקשר|התקשרו|התקשר|תתקשר[וי]?"
        r"|חייג[וי]?|לחייג|ליצור\s+קשר|צרו\s+קשר|לחזור\s+אלי|תחזור\s+אלי|תחזרו\s+אלי|המספר\s+שלי|מספר\s+שלי"
    ),
    "card": (
        r"כרטיס|כרטיסי|אשראי|ויזה|visa|מסטרקארד|מאסטרקארד|מאסטרקרד|mastercard|ישראכרט|isracard"
        r"|אמריקן\s+אקספרס|אמקס|amex|דיינרס|diners|לאומי\s*קארד|כאל|card|credit"
    ),
    "bank": (r"חשבון\s+(?:ה)?בנק|ח-ן|ח\"ן|חש['.]|בנק|סניף|העברה\s+בנקאית|iban|account|bank|branch|הפועלים|דיסקונט"),
    "dob": (
        r"תאריך\s+(?:ה)?לידה|ת\.\s?לידה|נולדתי|נולד|נולדה|נולדו|יליד|ילידת|יום\s+(?:ה)?הולדת|dob|d\.o\.b"
        r"|date\s+of\s+birth|birth\s*date|born"
    ),
    "neg": (
        r"הזמנה|הזמנות|order|invoice|inv|חשבונית|חשבוניות|קבלה|קבלות|אסמכתא|אסמכתה|אסמכתת|ref|reference"
        r"|אישור|מק\"ט|מקט|sku|ברקוד|barcode|משלוח|מעקב|tracking|פוליסה|פוליסת|תיק|ח\.פ\.?|ח\"פ|חברה|ע\.ר"
        r"|עמותה|לקוח|מנוי|עסקה|עסקת|סעיף|קוד|code|סיסמה|סיסמא|pin|רישוי|רכב|לוחית|סידורי|serial|ticket"
        r"|תלוש|שובר|voucher|קופון|coupon|דגם|model|ת\.ד|תור|פנייה|פניה|שטר|צ'ק|שיק|מכרז|היתר|רישיון"
    ),
}
CUES = re.compile("|".join(rf"{_CUE_L}(?P<{name}>{words}){_CUE_R}" for name, words in _CUE_WORDS.items()))

# --- Dates of birth ------------------------------------------------------------------------------

_MONTHS = (
    r"ינואר|פברואר|מרץ|מרס|אפריל|מאי|יוני|יולי|אוגוסט|ספטמבר|אוקטובר|נובמבר|דצמבר"
    r"|january|february|march|april|may|june|july|august|september|october|november|december"
    r"|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)
_HEB_MONTHS = r"תשרי|מרחשוון|חשוון|חשון|כסלו|כסליו|טבת|שבט|אדר(?:\s+[אב]'?)?|ניסן|אייר|סיוון|סיון|תמוז|אב|אלול"
_DATE = (
    r"\d{1,2}\s?[./-]\s?\d{1,2}\s?[./-]\s?(?:\d{4}|\d{2})(?!\d)"
    rf"|\d{{1,2}}(?:\s+|\s*[.-]\s*)(?:ב|ל)?-?(?:{_MONTHS})(?:[,\s]+(?:\d{{4}}|\d{{2}})(?!\d))?"
    rf"|(?:{_MONTHS})\s+\d{{1,2}},?\s+\d{{4}}"
    rf"|(?:ב|ל)?(?:{_MONTHS})\s+\d{{4}}"
    rf"|(?:[א-ל]'|[יכ][\"'][א-ט]|ט[\"'][וז]|[א-ל])\s+ב?(?:{_HEB_MONTHS})(?:\s+(?:ה|ב)?תש[\"']?[{H}][\"']?[{H}]?)?(?![{H}])"
    r"|(?:19|20)\d{2}(?!\d)"
)
# The date that follows a birth cue: up to 30 characters of filler without digits or sentence ends.
DOB_DATE_AFTER = re.compile(rf"[^\d\n!?]{{0,30}}?(?<![0-9])(?P<date>{_DATE})")

# --- Names ---------------------------------------------------------------------------------------

NAME_CUES = re.compile(
    rf"{_CUE_L}(?:"
    # Strong: whatever follows is a name.
    # ('שם שלי' without the article: how a writer whose Hebrew is a second language says 'השם שלי')
    r"(?P<strong>שמי\s+המלא|שמי|השם\s+המלא\s+שלי|ה?שם\s+שלי|קוראים\s+לי|קוראים\s+לו|קוראים\s+לה|שם\s+מלא|שם\s+ה?מטופל(?:ת)?|שם\s+ה?לקוח(?:ה)?"
    r"|שם\s+ה?חולה|שם\s+ה?מבוטח(?:ת)?|שם\s+פרטי|שם\s+משפחה|שם\s+ה?ילד(?:ה)?|שם\s+ה?מטפל(?:ת)?|שם(?=\s*:)"
    # A party or a record label followed by a colon (המשכיר: ..., בעל הכרטיס: ..., פרטי מטופל: ...).
    r"|(?:המשכיר(?:ה)?|השוכר(?:ת)?|המוכר(?:ת)?|הקונה|הלווה|המלווה|הערב(?:ה)?|העובד(?:ת)?|המבקש(?:ת)?|המצהיר(?:ה)?"
    r"|המטופל(?:ת)?|הלקוח(?:ה)?|המבוטח(?:ת)?|בעל(?:ת)?\s+ה(?:כרטיס|חשבון|נכס)|פרטי\s+(?:ה)?(?:מטופל(?:ת)?|לקוח(?:ה)?)"
    r"|איש\s+קשר|אשת\s+קשר)(?=\s*:))"
    # Titles: a surname may follow on its own (ד"ר לוינשטיין).
    r"|(?P<title>מר|גב'|גברת|הגב'|ד\"ר|דר'|דוקטור|עו\"ד|רו\"ח|פרופ'|פרופסור|הרב|לכבוד|החתום\s+מטה|החתומה\s+מטה)"
    # Roles, family and prepositions: a known first name, or any word before a known surname.
    r"|(?P<rel>המטופל|המטופלת|הלקוח|הלקוחה|החולה|בעלי|אשתי|בעלה|אשתו|הבן\s+שלי|הבת\s+שלי|בני|בתי|התובע"
    r"|התובעת|הנתבע|הנתבעת|המבוטח|המבוטחת|ע\"י|על\s+ידי|בשם|בין|לבין)"
    r"|(?P<latin>my\s+name\s+is|this\s+is|i\s+am|i'm|name:|mr\.?|mrs\.?|ms\.?|dr\.?)"
    # Weak: only a known, unambiguous first name.
    r"|(?P<self>אני|כאן|מדבר|מדברת)"
    r"|(?P<weak>זה|זו|זאת|בברכה|תודה|שלום|היי|הי|עם|את|של|אמא\s+שלי|אבא\s+שלי|הגרוש\s+שלי|הגרושה\s+שלי"
    r"|הילד\s+שלי|הילדה\s+שלי|אחי|אחותי|בן\s+הזוג\s+שלי|בת\s+הזוג\s+שלי)"
    rf"){_CUE_R}(?:\s+(?:הוא|היא|is))?\s*[:\-,]?\s*"
)

# --- Addresses -----------------------------------------------------------------------------------

CITY = "|".join(
    r"[\s\-]+".join(re.escape(w) for w in words) for words in sorted(CITIES, key=lambda c: -len(" ".join(c)))
)
CITY_RE = re.compile(rf"(?:{CITY})(?![{H}])")
_HWORD = rf"[{H}][{H}\"'\-]*"
_HOUSE = rf"\d{{1,4}}[{H}]?(?:\s*/\s*\d{{1,4}})?(?:\s*,?\s*(?:דירה|ד['.]|כניסה|קומה)\s*\d{{1,3}})*"
_CITY_TAIL = rf"(?:(?:\s*,\s*|\s+)(?:ב-?)?(?:{CITY})(?![{H}]))?"
# רחוב הרצל 12 / ברח' בן יהודה 5 דירה 3, תל אביב / שד' רוטשילד (the number is optional after a
# strong street word; after דרך it is required because דרך also means "via").
STREET = re.compile(
    rf"(?<![{H}])[ובלמה]?(?P<addr>(?:(?:רחוב|רח['.]|שדרות|שד['.]|סמטת|סמ['.]|כיכר|ככר|שכונת|שכ['.])\s*"
    rf"(?:(?:{_HWORD}\s+){{1,3}}?{_HOUSE}|{_HWORD})"
    rf"|(?:דרך|מעלה)\s+(?:{_HWORD}\s+){{0,2}}?{_HOUSE}){_CITY_TAIL})"
)
# הרצל 12, רמת גן — a street and a number followed by a known city.
STREET_NUMBER_CITY = re.compile(
    rf"(?<![{H}])[ובלמ]?(?P<addr>(?:(?:בן|אבן|הרב|המלך|שדרות|ד\"ר)\s+)?{_HWORD}\s+{_HOUSE}\s*,?\s+(?:{CITY}))(?![{H}])"
)
ADDRESS_CUE = re.compile(
    rf"{_CUE_L}(?:(?P<live>גר|גרה|גרים|גרות|גרתי|גרנו|מתגורר|מתגוררת|מתגוררים)\s+ב-?\s*"
    rf"|(?P<addr>כתובת|כתובתי|הכתובת|כתובת\s+מגורים|כתובת\s+למשלוח|מען|מענו|מענה|address)"
    rf"(?:\s+(?:שלי|שלנו|שלו|שלה|המגורים|הנכס))?(?:\s+(?:היא|הוא|is))?\s*[:\-]?\s*)"
)
# A company: up to four words before a legal suffix ("אורן מערכות רפואיות בע"מ"), or after חברת.
COMPANY = re.compile(
    rf"(?:(?<![{H}])(?:{_HWORD}\s+){{0,3}}{_HWORD}\s*(?:בע\"מ|בעמ|\(?ע\"ר\)?|\(?חל\"צ\)?|ltd\.?|inc\.?)(?![{H}a-z])"
    rf"|(?<![{H}])[ובלמש]?(?:חברת|חב'|קבוצת|רשת)\s+(?:{_HWORD}\s+){{0,2}}{_HWORD})"
)
PO_BOX = re.compile(r"(?<![\u05d0-\u05ea])ת\.?\s?ד\.?\s*:?\s*\d{1,6}(?!\d)|p\.?o\.?\s*box\s*\d{1,6}")
ZIP = re.compile(r"(?<![\u05d0-\u05ea])(?:מיקוד|zip)\s*:?\s*\d{5,7}(?!\d)")

# A price right after a word: ": ₪1,200", " - 350 ש"ח", " 4500 שקלים".
PRICE_AFTER = re.compile(
    r"\s*[:\-]?\s*(?:[₪$€]\s?\d[\d,.]*|\d[\d,.]*\s?(?:₪|ש\"ח|שח|שקל|שקלים|nis|ils)(?![\u05d0-\u05ea]))"
)
HEBREW_TOKEN = re.compile(rf"[{H}]+(?:[\"'][{H}]+)*'?|[a-z][a-z0-9]*|\d+")
