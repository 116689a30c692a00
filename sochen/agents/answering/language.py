"""The question's language, the reply's fixed wording in it, and Hebrew search terms for foreign words.

The documents are Hebrew; a question may be English, Arabic or Russian. Retrieval finds the Hebrew passage
(the embedder is multilingual, and the words below add Hebrew terms for the lexical side); the
answer quotes the Hebrew clause and says everything else in the question's language.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from ...text import stems, tokenize
from ...text.spelling import loose_key

__all__ = [
    "Lang",
    "Wording",
    "alias_terms",
    "calculation_steps",
    "detect",
    "hebrew_alias_terms",
    "hebrew_term_groups",
    "hebrew_terms",
    "named_by_service",
    "search_query",
    "without_aliases",
    "wording",
]

Lang = Literal["he", "en", "ar", "ru"]

_HE = re.compile(r"[\u05d0-\u05ea]")
_AR = re.compile(r"[\u0621-\u064a]")
_LATIN = re.compile(r"[A-Za-z]")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")


def detect(text: str) -> Lang:
    """'he' unless the question is mostly Latin, Arabic or Cyrillic (Russian) letters."""
    he, ar, la = len(_HE.findall(text)), len(_AR.findall(text)), len(_LATIN.findall(text))
    ru = len(_CYRILLIC.findall(text))
    if ru > he and ru >= la and ru >= ar:
        return "ru"
    if ar > he and ar >= la:
        return "ar"
    if la > he * 2 and la > ar:
        return "en"
    return "he"


@dataclass(frozen=True)
class Wording:
    """Fixed reply text in one language (Hebrew comes from the tenant's own templates)."""

    prefix: str
    source: str
    not_found: str
    calculation: str
    compare: str


_WORDING: dict[str, Wording] = {
    "en": Wording(
        prefix="According to our documents (quoted in the original Hebrew):",
        source="Source",
        not_found="I could not find this in our documents. I can pass your question to a person on our team.",
        calculation="Calculation",
        compare="Side by side:",
    ),
    "ar": Wording(
        prefix="وفقًا لمستنداتنا (مقتبس بالعبرية كما ورد في الأصل):",
        source="المصدر",
        not_found="لم أجد إجابة على ذلك في مستنداتنا. يمكنني تحويل سؤالك إلى أحد أفراد فريقنا.",
        calculation="الحساب",
        compare="مقارنة بين المستندين:",
    ),
    "ru": Wording(
        prefix="Согласно нашим документам (цитата на иврите, как в оригинале):",
        source="Источник",
        not_found="Я не нашла ответа на это в наших документах. Могу передать ваш вопрос сотруднику нашей команды.",
        calculation="Расчёт",
        compare="Сравнение:",
    ),
}


def wording(lang: Lang, *, prefix: str, source: str, not_found: str) -> Wording:
    """The reply's fixed text: the tenant's Hebrew templates, or the built-in English/Arabic/Russian ones."""
    if lang == "he":
        return Wording(prefix=prefix, source=source, not_found=not_found, calculation="חישוב", compare="זה מול זה:")
    return _WORDING[lang]


# The fixed Hebrew words of a calculation's steps (compute, derive), in the question's language.
_STEP_WORDS: dict[str, tuple[tuple[str, str], ...]] = {
    "en": (
        ("יותר מהתקרה שבסעיף", "more than the clause's cap"),
        ("פחות מהמינימום שבסעיף", "less than the clause's minimum"),
        ("המינימום שבסעיף", "the clause's minimum"),
        (", ולכן ", ", so "),
        ("אין השלמה", "nothing to make up"),
        ('מע"מ', "VAT"),
    ),
}


def calculation_steps(expression: str, lang: Lang) -> str:
    """A calculation's steps with their fixed words in the question's language (the figures stay as they are)."""
    for he, other in _STEP_WORDS.get(lang, ()):
        expression = expression.replace(he, other)
    return expression


# Common words of contracts, fee lists and clinic documents, English and Arabic → Hebrew search terms.
_GLOSSARY: dict[str, str] = {
    # English
    "rent": "דמי השכירות",
    "rental": "שכירות",
    "lease": "שכירות",
    "tenant": "השוכרת שוכר",
    # the parties and terms of litigation, licences, agencies and retail leases, by their Hebrew contract words
    "plaintiff": "התובעת התובע",
    "claimant": "התובעת התובע",
    "defendant": "הנתבעת הנתבע",
    "settlement": "פשרה",
    "instalment": "תשלום",
    "installment": "תשלום",
    "licensee": "בעלת הרישיון בעל הרישיון",
    # event venues, freight forwarding, sports sponsorship and elevator maintenance contracts
    "hall": "האולם",
    "guest": "אורח אורחים",
    "guests": "אורחים",
    "forwarder": "המשלחת",
    "container": "מכולה",
    "containers": "מכולות",
    "customs": "מכס",
    "kg": "קילוגרם",
    "kilogram": "קילוגרם",
    "kilograms": "קילוגרם",
    "gross": "ברוטו",
    "lost": "אובדן אבדו",
    "sponsor": "נותנת החסות",
    "sponsorship": "חסות",
    "season": "עונה",
    "elevator": "מעלית",
    "elevators": "מעליות",
    "lift": "מעלית",
    # data processing, photography, kindergartens, trademark assignments and farmland leases
    "processor": "המעבד",
    "processors": "המעבד מעבדי",
    "data": "המידע",
    "server": "שרתים",
    "servers": "שרתים",
    "delete": "ימחק מחיקה",
    "deleted": "ימחק מחיקה",
    "deletion": "מחיקה",
    "database": "מאגר",
    "subscribers": "מנויים",
    "serious": "חמור",
    "photographer": "הצלם",
    "photographers": "צלמים",
    "wedding": "חתונה",
    "album": "אלבום",
    "gallery": "גלריה",
    "photos": "תמונות",
    "photo": "תמונה",
    "video": "וידאו סרטון",
    "shoot": "צילום",
    "shooting": "צילום",
    "filming": "צילום",
    "silver": "כסף",
    "gold": "זהב",
    "platinum": "פלטינה",
    "extra": "נוספת",
    "kindergarten": "הגן",
    "preschool": "הגן",
    "toddlers": "פעוטות",
    "group": "קבוצה",
    "tuition": "שכר הלימוד",
    "sibling": "אח אחות",
    "siblings": "אחים",
    "trademark": "סימן מסחר",
    "trademarks": "סימני מסחר",
    "assignor": "הממחה",
    "assignee": "הנמחה",
    "stock": "מלאי",
    "inventory": "מלאי",
    "plot": "חלקה",
    "dunam": "דונם",
    "farmland": "קרקע חקלאית",
    "quota": "מכסה",
    "pesticide": "הדברה",
    "pesticides": "הדברה",
    "travel": "נסיעות",
    "expenses": "הוצאות",
    "technician": "טכנאי",
    "fault": "תקלה",
    # warehousing, equipment rental, sale of a business, event production and influencer marketing contracts
    "warehouse": "מחסן אחסנה",
    "warehousing": "אחסנה",
    "storage": "אחסון אחסנה",
    "pallet": "משטח",
    "equipment": "ציוד",
    "machine": "כלי",
    "crane": "מנוף",
    "forklift": "מלגזה",
    "operator": "מפעיל",
    "weekly": "לשבוע",
    "daily": "ליום",
    "goodwill": "מוניטין",
    "bakery": "מאפייה",
    "conference": "כנס",
    "participant": "משתתף משתתפים",
    "venue": "מקום אולם",
    "influencer": "יוצרת תוכן שיווקי",
    "creator": "היוצרת היוצר",
    "post": "פוסט",
    "story": "סטורי",
    "stories": "סטוריז",
    "campaign": "קמפיין",
    "publish": "פרסום לפרסם",
    "published": "פרסום פורסם",
    "approve": "אישור לאשר",
    "approved": "מאושר אישור",
    "approval": "אישור",
    "respond": "תשיב להשיב",
    "reply": "תשיב להשיב",
    "radius": "רדיוס",
    # supply, software development, publishing and joint-venture contracts
    "venture": "מיזם",
    "joint": "משותף",
    "capital": "הון",
    "profit": "הרווח רווחים",
    "partnership": "שותפות",
    "steering": "ועדת היגוי",
    "publisher": "ההוצאה",
    "copies": "עותקים",
    "print": "הדפסה תודפס",
    "order": "הזמנה",
    "acceptance": "קבלה בדיקה",
    "book": "הספר",
    "manuscript": "כתב היד",
    "unit": "יחידה",
    "licensor": "המעניקה המעניק",
    "revenue": "הכנסות",
    "revenues": "הכנסות",
    "net": "נטו",
    "conditioning": "מיזוג",
    "turnover": "פדיון מחזור",
    "agent": "הסוכן",
    "sales": "מכירות",
    "default": "הפרה",
    "acceleration": "פירעון מיידי",
    "management": "ניהול",
    "area": "שטח",
    "landlord": "המשכיר",
    "monthly": "חודשי החודשיים",
    "month": "חודש",
    "months": "חודשים",
    "year": "שנה",
    "years": "שנים",
    "period": "תקופת",
    "long": "משך תקופת",
    "last": "במשך",
    "obligation": "חובת",
    "start": "מיום",
    "starts": "מיום",
    "term": "תקופת",
    "duration": "תקופת",
    "nda": "סודיות",
    "confidentiality": "סודיות",
    "confidential": "סודי",
    "secret": "סוד",
    "notice": "הודעה מראש מוקדמת",
    "terminate": "לסיים סיום",
    "termination": "סיום",
    "end": "סיום",
    "guarantee": "ערבות",
    "deposit": "ערבות פיקדון",
    "interest": "ריבית",
    "late": "איחור",
    "jurisdiction": "סמכות השיפוט",
    "court": "בית משפט",
    "law": "דין",
    "fee": "שכר טרחה",
    "fees": "שכר טרחה",
    "price": "מחיר",
    "cost": "מחיר עלות",
    "costs": "מחיר עלות",
    "much": "מחיר",
    "consultation": "ייעוץ",
    "consult": "ייעוץ",
    "meeting": "פגישת",
    "first": "ראשונה",
    "hourly": "לשעה",
    "hour": "שעה",
    "hours": "שעות",
    "partner": "שותף",
    "lawyer": "עורך דין",
    "retainer": "ריטיינר",
    "vat": 'מע"מ',
    "discount": "הנחה",
    "option": "אופציה",
    "extend": "להאריך",
    "extension": "הארכת",
    "sublet": "שכירות משנה",
    "pets": "כלב חתול",
    "pet": "כלב חתול",
    # a body part a price list's columns are per ('רגל אחת · שתי רגליים'), and 'both' of a pair
    "foot": "רגל",
    "feet": "רגליים",
    "both": "שתי",
    "قدم": "רגל",
    "قدمين": "רגליים",
    "القدمين": "רגליים",
    "اثنتين": "שתי",
    "الاثنتين": "שתי",
    "اثنين": "שתי",
    "كلتا": "שתי",
    "dog": "כלב",
    "puppy": "כלב",
    "cat": "חתול",
    "kitten": "חתול",
    "كلب": "כלב",
    "كلبي": "כלב",
    "كلبة": "כלב",
    "قطة": "חתול",
    "قط": "חתול",
    "قطتي": "חתול",
    "poison": "רעל",
    "poisoned": "רעל",
    "سم": "רעל",
    "فئران": "עכברים",
    "فأر": "עכברים",
    "rat": "עכברים",
    "repair": "תיקון יתקן",
    "repairs": "תיקונים",
    "insurance": "ביטוח",
    "damages": "פיצוי",
    "compensation": "פיצוי",
    "penalty": "פיצוי מוסכם",
    "liability": "אחריות",
    "open": "שעות פתיחה",
    "opening": "שעות פתיחה",
    "sunday": "ראשון",
    "monday": "שני",
    "tuesday": "שלישי",
    "wednesday": "רביעי",
    "thursday": "חמישי",
    "friday": "שישי",
    "saturday": "שבת",
    "cancel": "ביטול",
    "cancellation": "ביטול",
    "appointment": "תור",
    "parking": "חניה",
    "cleaning": "ניקוי ניקיון",
    # Catering and building services contracts: meals by kind, the cleaning of a building.
    "meal": "ארוחה מנה",
    "vegan": "טבעונית טבעוני",
    "vegetarian": "צמחונית צמחוני",
    "lunch": "ארוחת צהריים",
    "whitening": "הלבנת",
    "teeth": "שיניים",
    "tooth": "שן",
    "crown": "כתר",
    "implant": "שתל",
    "payments": "תשלומים",
    "instalments": "תשלומים",
    "installments": "תשלומים",
    "emergency": "חירום",
    "package": "סדרה חבילה",
    "series": "סדרה",
    "session": "טיפול",
    # A child-development centre's assessments and their written report.
    "speech": "דיבור",
    "assessment": "אבחון",
    "evaluation": "אבחון הערכה",
    "report": "דוח",
    # The languages a business lists its staff speaking, and the verb: 'a therapist who speaks Russian'.
    "hebrew": "עברית",
    "arabic": "ערבית",
    "russian": "רוסית",
    "english": "אנגלית",
    "french": "צרפתית",
    "amharic": "אמהרית",
    "spanish": "ספרדית",
    "speak": "מדבר מדברת",
    "speaks": "מדבר מדברת",
    "speaking": "מדבר מדברת",
    "عبرية": "עברית",
    "عبري": "עברית",
    "عربية": "ערבית",
    "عربي": "ערבית",
    "روسية": "רוסית",
    "روسي": "רוסית",
    "انجليزية": "אנגלית",
    "إنجليزية": "אנגלית",
    "انجليزي": "אנגלית",
    "إنجليزي": "אנגלית",
    "انكليزي": "אנגלית",
    "فرنسية": "צרפתית",
    "فرنسي": "צרפתית",
    "أمهرية": "אמהרית",
    "يتكلم": "מדבר מדברת",
    "تتكلم": "מדבר מדברת",
    "يتحدث": "מדבר מדברת",
    "تتحدث": "מדבר מדברת",
    "يحكي": "מדבר מדברת",
    "تحكي": "מדבר מדברת",
    "بيحكي": "מדבר מדברת",
    "بتحكي": "מדבר מדברת",
    "online": "אונליין",
    "treatment": "טיפול",
    "underarms": "בית שחי",
    "underarm": "בית שחי",
    "armpits": "בית שחי",
    "forehead": "מצח",
    "lips": "שפתיים",
    "legs": "רגליים",
    "arms": "ידיים",
    "face": "פנים",
    "back": "גב",
    "skin": "עור",
    "until": "עד שעה",
    "address": "כתובת",
    "salary": "שכר",
    "probation": "תקופת ניסיון",
    "intern": "מתמחה",
    "pay": "לשלם ישלם",
    "paid": "ישולמו שולם",
    "payment": "תשלום",
    "pays": "ישלם",
    "owe": "לשלם",
    "governing": "דין",
    "laws": "דין",
    "courts": "בתי המשפט",
    "dispute": "מחלוקת",
    "disputes": "מחלוקת",
    "arbitration": "בוררות",
    "mediation": "גישור",
    "arbitrator": "בורר",
    "warranty": "אחריות",
    "indemnify": "לשפות שיפוי",
    "indemnity": "שיפוי",
    "cap": "תקרה",
    "limit": "תקרה לא יעלה",
    "limited": "מוגבלת",
    "maximum": "מרבי לא יעלה",
    "minimum": "לא פחות",
    "least": "לא פחות",
    "renewal": "חידוש",
    "renew": "חידוש",
    "renewed": "יתחדש",
    "automatically": "אוטומטית",
    "expire": "תום",
    "expires": "תום",
    "expiry": "תום",
    "commence": "מיום",
    "begins": "מיום",
    "begin": "מיום",
    "ends": "ועד תום",
    "exclusive": "בלעדי",
    "exclusivity": "בלעדיות",
    "compete": "תחרות",
    "competition": "תחרות",
    "assign": "להעביר",
    "assignment": "העברת",
    "transfer": "להעביר",
    "subcontract": "קבלן משנה",
    "audit": "ביקורת",
    "inspection": "ביקורת",
    "cure": "לתקן",
    "remedy": "לתקן",
    "breaches": "הפרה",
    "delivery": "אספקה",
    "deliver": "יספק",
    "supplier": "הספק",
    "supply": "אספקה",
    "goods": "סחורה",
    "buyer": "הקונה",
    "seller": "המוכר",
    "customer": "הלקוח",
    "provider": "הספק",
    "contractor": "הקבלן",
    "employee": "העובד",
    "employer": "המעסיק",
    "vacation": "חופשה",
    "sick": "מחלה",
    "recuperation": "הבראה",
    "convalescence": "הבראה",
    "training": "השתלמות הכשרה",
    "overtime": "שעות נוספות",
    "severance": "פיצויי פיטורים",
    "pension": "פנסיה",
    "wage": "שכר",
    "wages": "שכר",
    "bonus": "מענק",
    "days": "ימים",
    "day": "יום",
    "weeks": "שבועות",
    "week": "שבוע",
    "rate": "תעריף שיעור",
    "rates": "תעריפים",
    "percentage": "שיעור",
    "percent": "שיעור",
    "index": "מדד",
    "indexed": "צמוד מדד",
    "linked": "צמוד",
    "cpi": "מדד",
    "invoice": "חשבונית חשבון",
    "invoices": "חשבוניות",
    "utilities": "חשבונות",
    "electricity": "חשמל",
    "water": "מים",
    "tax": "מס",
    "taxes": "מסים",
    "municipal": "ארנונה",
    "arnona": "ארנונה",
    "maintenance": "אחזקה",
    "intellectual": "קניין רוחני",
    "property": "קניין",
    "license": "רישיון",
    "licence": "רישיון",
    "ownership": "בעלות",
    "software": "תוכנה",
    "support": "תמיכה",
    "availability": "זמינות",
    "uptime": "זמינות",
    "response": "תגובה",
    "credit": "זיכוי תזכה",
    "credits": "זיכוי",
    "refund": "החזר",
    "refunds": "החזר",
    "subscription": "מנוי",
    "consultant": "יועץ",
    "advisor": "יועץ",
    "services": "שירותים",
    "service": "שירות",
    "guarantor": "ערב",
    "guarantors": "ערבים",
    "bank": "בנקאית",
    "security": "ביטחונות ערבות",
    "signed": "נחתם",
    "signing": "חתימת",
    "date": "תאריך",
    "effective": "תוקף",
    "valid": "תוקף",
    "purpose": "מטרת",
    "use": "שימוש",
    "permitted": "רשאי",
    "allowed": "רשאי מותר",
    "may": "רשאי",
    "return": "להחזיר",
    "destroy": "להשמיד",
    "information": "מידע",
    "disclosure": "גילוי",
    "damage": "נזק",
    "fine": "קנס",
    "liquidated": "פיצוי מוסכם",
    "evict": "פינוי",
    "eviction": "פינוי",
    "vacate": "לפנות פינוי",
    "keys": "מפתחות",
    "increase": "יעלו העלאה",
    "raise": "העלאה",
    "total": "סך",
    "interns": "מתמחה",
    "associate": "עורך דין",
    "engagement": "התקשרות",
    "responsible": "אחראית אחראי",
    "handling": "טיפול",
    "matters": "ענייני",
    "client": "הלקוח",
    "agreed": "מוסכם",
    "early": "לפני תום",
    "leave": "לסיים",
    "success": "הצלחה",
    "advance": "מקדמה",
    "receiving": "המקבל",
    "disclose": "לגלות",
    "breach": "הפרה",
    "copy": "העתק",
    # A clinic's patients: visits, the eye, health funds, first aid.
    "doctor": "רופא",
    "doctors": "רופאים",
    "visit": "ביקור",
    "exam": "בדיקת",
    "examination": "בדיקת",
    "checkup": "בדיקת",
    "children": "ילדים",
    "child": "ילדים",
    "kids": "ילדים",
    "kid": "ילדים",
    "eye": "עין עיניים",
    "eyes": "עיניים",
    "vision": "ראייה",
    "sight": "ראייה",
    "glasses": "משקפיים",
    "lenses": "עדשות",
    "surgery": "ניתוח",
    "laser": "לייזר",
    "arrangement": "הסדר",
    "arrangements": "הסדר",
    "copay": "השתתפות עצמית",
    "co-pay": "השתתפות עצמית",
    "referral": "הפניה",
    "maccabi": "מכבי",
    "clalit": "כללית",
    "meuhedet": "מאוחדת",
    "leumit": "לאומית",
    "hmo": "קופת חולים",
    "miss": "הגיע הגעה",
    "missed": "הגיע הגעה",
    "bleach": "אקונומיקה",
    "chemical": "כימית",
    "burn": "כוויה",
    "burns": "כוויה",
    "pain": "כאב",
    "hurts": "כאב",
    # A laboratory's patients: fasting, blood and urine tests, results, referrals.
    "fast": "צום לצום",
    "fasting": "צום לצום",
    "result": "תוצאות",
    "results": "תוצאות",
    "blood": "דם",
    "urine": "שתן",
    "cholesterol": "שומנים כולסטרול",
    "lipid": "שומנים",
    "sugar": "סוכר",
    "glucose": "סוכר גלוקוז",
    "vitamin": "ויטמין",
    "pregnancy": "הריון",
    "receipt": "קבלה",
    "collect": "לאסוף לקבל",
    "sample": "דגימה",
    # A fertility and women's health clinic's patients: eggs, their retrieval and freezing, embryos, tests,
    # procedures, after-care (bleeding, fever, the belly), paying by cheque, driving after anaesthesia. Terms
    # joined by '|' are alternatives (a clause says one of them: 'לנהוג|נהיגה'); by a space, a phrase.
    "egg": "ביצית|ביציות",
    "eggs": "ביציות",
    "retrieval": "שאיבה|שאיבת",
    "freezing": "הקפאה|הקפאת",
    "freeze": "הקפאה|הקפאת",
    "frozen": "הקפאה|הקפאת",
    "embryo": "עובר|עוברים",
    "embryos": "עוברים",
    "fertility": "פוריות",
    "ivf": "הפריה חוץ גופית",
    "insemination": "הזרעה",
    "iui": "הזרעה",
    "semen": "זרע",
    "sperm": "זרע",
    "pap": "פאפ",
    "smear": "משטח",
    "ultrasound": "אולטרסאונד",
    "hysteroscopy": "היסטרוסקופיה",
    "iud": "התקן תוך רחמי",
    "cycle": "מחזור",
    "pregnant": "הריון",
    "bleeding": "דימום",
    "bleed": "דימום",
    "fever": "חום",
    "abdominal": "בטן",
    "belly": "בטן",
    "stomach": "בטן",
    "anaesthesia": "הרדמה",
    "anesthesia": "הרדמה",
    "sedation": "הרדמה",
    "cheque": "צ'קים",
    "cheques": "צ'קים",
    "drive": "לנהוג|נהיגה",
    "driving": "לנהוג|נהיגה",
    "yearly": "שנתי|שנה",
    "nutrition": "תזונה",
    "dietitian": "דיאטנית|תזונה",
    "nutritionist": "דיאטנית|תזונה",
    "analysis": "בדיקה|בדיקת",
    # Arabic
    "بويضة": "ביצית|ביציות",
    "بويضات": "ביציות",
    "سحب": "שאיבה|שאיבת",
    "تجميد": "הקפאה|הקפאת",
    "أجنة": "עוברים",
    "اجنة": "עוברים",
    "خصوبة": "פוריות",
    "الخصوبة": "פוריות",
    "منوي": "זרע",
    "منوية": "זרע",
    "تلقيح": "הזרעה",
    "شيك": "צ'קים",
    "شيكات": "צ'קים",
    "تقسيط": "תשלומים",
    "أقساط": "תשלומים",
    "نزيف": "דימום",
    "حرارة": "חום",
    "سخونة": "חום",
    "بطن": "בטן",
    "ممرضة": "אחות",
    "تخدير": "הרדמה",
    "بنج": "הרדמה",
    "سياقة": "לנהוג|נהיגה",
    "سواقة": "לנהוג|נהיגה",
    "أسوق": "לנהוג|נהיגה",
    "تخزين": "אחסון",
    "طبيب": "רופא",
    "الطبيب": "רופא",
    "فحص": "בדיקת",
    "الفحص": "בדיקת",
    "أطفال": "ילדים",
    "اطفال": "ילדים",
    "الأطفال": "ילדים",
    "عين": "עין עיניים",
    "عيون": "עיניים",
    "عيني": "עין",
    "النظر": "ראייה",
    "نظر": "ראייה",
    "نظارات": "משקפיים",
    "عدسات": "עדשות",
    "عملية": "ניתוח",
    "ليزر": "לייזר",
    "غرامة": "חיוב קנס",
    "أحضر": "הגיע הגעה",
    "احضر": "הגיע הגעה",
    "حضور": "הגעה",
    "تأخر": "איחור",
    "تأخرت": "איחור",
    "عربون": "מקדמה",
    "دفعة": "מקדמה",
    "مكابي": "מכבי",
    "كلاليت": "כללית",
    "مئوحيدت": "מאוחדת",
    "لئوميت": "לאומית",
    "كلور": "אקונומיקה",
    # Loans, franchises, service levels, shareholders and construction
    "loan": "הלוואה",
    "borrower": "הלווה",
    "lender": "המלווה",
    "repayment": "פירעון",
    "prepayment": "פירעון מוקדם",
    "repay": "לפרוע פירעון",
    "principal": "קרן",
    "collateral": "בטוחות שעבוד",
    "lien": "שעבוד",
    "pledge": "שעבוד",
    "personal": "אישית",
    "controlling": "השליטה",
    "shareholder": "בעל מניות",
    "shareholders": "בעלי המניות",
    "shares": "מניות",
    "dividend": "דיבידנד",
    "dividends": "דיבידנד",
    "director": "דירקטור",
    "directors": "דירקטורים",
    "board": "דירקטוריון",
    "quorum": "מניין",
    "majority": "רוב",
    "franchise": "זיכיון זכיינות",
    "franchisee": "הזכיין",
    "franchisor": "מעניקת הזיכיון",
    "royalties": "תמלוגים",
    "royalty": "תמלוגים",
    "advertising": "פרסום",
    "marketing": "פרסום",
    "branch": "הסניף",
    "cloud": "ענן",
    "construction": "קבלנות בנייה",
    "contract": "הסכם",
    "agreement": "הסכם",
    "delay": "איחור",
    "delays": "איחור",
    "overdue": "פיגורים איחור",
    "arrears": "פיגורים",
    "milestone": "אבן דרך",
    "milestones": "אבני הדרך",
    "retention": "עיכבון",
    "performance": "ביצוע",
    "most": "מרבי",
    "commission": "עמלה",
    "renovation": "שיפוץ",
    "membership": "מנוי",
    "subscriber": "המנוי",
    # Employment, distribution, an apartment's sale, fleet leasing, guarding services
    "fund": "קרן",
    "study": "השתלמות",
    "provident": "גמל",
    "contribute": "תפריש הפרשה",
    "contributes": "תפריש הפרשה",
    "contribution": "הפרשה",
    "contributions": "הפרשות",
    "entitled": "זכאי זכאית",
    "annual": "שנתי",
    "company": "החברה",
    "resign": "התפטרות",
    "resigns": "התפטרות",
    "resignation": "התפטרות",
    "dismissal": "פיטורים",
    "competitor": "מתחרה",
    "competitors": "מתחרים",
    "distributor": "המפיץ",
    "distribution": "הפצה",
    "territory": "אזור",
    "region": "אזור",
    "target": "יעד",
    "targets": "יעדי",
    "purchase": "רכישה",
    "purchases": "רכישות",
    "truck": "משאית",
    "trucks": "משאיות",
    "refrigerated": "קירור",
    "refrigeration": "קירור",
    "temperature": "טמפרטורה",
    "degrees": "מעלות",
    "apartment": "דירה",
    "flat": "דירה",
    "buyers": "הקונים",
    "purchaser": "הקונה",
    "purchasers": "הקונים",
    "defect": "ליקוי",
    "defects": "ליקויים",
    "handover": "מסירה",
    "possession": "החזקה",
    "registration": "רישום",
    "notify": "הודעה",
    "notifies": "הודעה",
    "notified": "הודעה",
    "car": "רכב",
    "cars": "רכבים",
    "vehicle": "רכב",
    "vehicles": "רכבים",
    "fleet": "צי רכב",
    "leased": "חכירה",
    "leasing": "ליסינג",
    "mileage": 'קילומטרים ק"מ',
    "kilometre": "קילומטר",
    "kilometres": "קילומטרים",
    "kilometer": "קילומטר",
    "kilometers": "קילומטרים",
    "deductible": "השתתפות עצמית",
    "theft": "גניבה",
    "stolen": "גניבה",
    "accident": "אירוע נזק",
    "driver": "נהג",
    "guard": "מאבטח",
    "guards": "מאבטחים",
    "armed": "חמוש",
    "shift": "משמרת",
    "shifts": "משמרות",
    "mall": "קניון",
    # Arabic
    "الإيجار": "שכירות",
    "الايجار": "שכירות",
    "إيجار": "שכירות",
    "ايجار": "שכירות",
    "مدة": "תקופת",
    "فترة": "תקופת",
    "عقد": "הסכם",
    "العقد": "הסכם",
    "السرية": "סודיות",
    "سرية": "סודיות",
    "السعر": "מחיר",
    "سعر": "מחיר",
    "كم": "מחיר",
    "تكلفة": "מחיר עלות",
    "ساعات": "שעות",
    "الساعات": "שעות",
    "شهر": "חודש",
    "شهرا": "חודשים",
    "أشهر": "חודשים",
    "سنوات": "שנים",
    "طفل": "ילד",
    "جلسة": "פגישה",
    "بالغ": "מבוגר",
    "إرجاع": "להחזיר החזרה",
    "ارجاع": "להחזיר החזרה",
    "إرجاعها": "להחזיר החזרה",
    "إرجاعه": "להחזיר החזרה",
    "ارجاعها": "להחזיר החזרה",
    "ارجاعه": "להחזיר החזרה",
    "استرداد": "החזר",
    "استبدال": "להחליף",
    "سنة": "שנה",
    "استشارة": "ייעוץ",
    "الاستشارة": "ייעוץ",
    "إشعار": "הודעה",
    "إنهاء": "סיום לסיים",
    "انهاء": "סיום לסיים",
    "كفالة": "ערבות",
    "الكفالة": "ערבות",
    "فائدة": "ריבית",
    "تأخير": "איחור",
    "المحكمة": "בית משפט",
    "الأحد": "ראשון",
    "الجمعة": "שישי",
    "الخميس": "חמישי",
    "الاثنين": "שני",
    "الثلاثاء": "שלישי",
    "الأربعاء": "רביעי",
    "مفتوحة": "שעות פתיחה",
    "مفتوح": "שעות פתיחה",
    "ساعة": "שעה",
    "عنوان": "כתובת",
    "العنوان": "כתובת",
    "السبت": "שבת",
    "موعد": "תור",
    "إلغاء": "ביטול",
    "الإلغاء": "ביטול",
    "الغاء": "ביטול",
    "إلغاؤها": "ביטול",
    "إلغاؤه": "ביטול",
    "إلغائها": "ביטול",
    "إلغائه": "ביטול",
    "رسوم": "חיוב דמי",
    "قبل": "לפני",
    "زيارة": "ביקור",
    "الزيارة": "ביקור",
    "بيتية": "בית",
    "البيتية": "בית",
    "منزلية": "בית",
    "المنزلية": "בית",
    "المنزل": "בית",
    "تنظيف": "ניקוי",
    "تبييض": "הלבנת",
    "الأسنان": "שיניים",
    "أسنان": "שיניים",
    "موقف": "חניה",
    "طوارئ": "חירום",
    "صوم": "צום לצום",
    "صيام": "צום לצום",
    "أصوم": "צום לצום",
    "اصوم": "צום לצום",
    "نصوم": "צום לצום",
    "يصوم": "צום לצום",
    "صائم": "צום",
    "صائمة": "צום",
    "نتائج": "תוצאות",
    "نتيجة": "תוצאות",
    "دم": "דם",
    "بول": "שתן",
    "سكر": "סוכר",
    "كوليسترول": "שומנים כולסטרול",
    "فيتامين": "ויטמין",
    "حمل": "הריון",
    "تحويل": "הפניה",
    "تحويلة": "הפניה",
    "رمضان": "רמדאן",
    "الكامل": "מלאה",
    "كامل": "מלאה",
    "وصل": "קבלה",
    "دفعات": "תשלומים",
}
# Russian words by their stem: the endings of a case or a verb's person vary ('вторник', 'во вторник',
# 'работаете', 'работает'), so a word is matched by the longest stem here it begins with.
_RU_STEMS: dict[str, str] = {
    "сколько": "מחיר",
    "стои": "מחיר עלות",
    "стоимост": "מחיר עלות",
    "цен": "מחיר",
    "прайс": "מחיר",
    "оплат": "תשלום",
    "плат": "תשלום",
    "час": "שעות",
    "работа": "שעות פתיחה",
    "открыт": "שעות פתיחה",
    "закрыт": "סגור",
    "график": "שעות",
    "понедельник": "שני",
    "вторник": "שלישי",
    "сред": "רביעי",
    "четверг": "חמישי",
    "пятниц": "שישי",
    "суббот": "שבת",
    "воскресень": "ראשון",
    "праздник": "חג",
    "канун": "ערב חג",
    "запис": "תור",
    "приём": "תור",
    "прием": "תור",
    "отмен": "ביטול",
    "опозда": "איחור",
    "штраф": "חיוב קנס",
    "врач": "רופא",
    "доктор": "רופא",
    "курс": "סדרה",
    "пакет": "סדרה חבילה",
    "абонемент": "כרטיסייה",
    "действ": "בתוקף",  # "действует": is valid
    "срок": "תוקף",
    "сеанс": "טיפול",
    "процедур": "טיפול",
    "лечени": "טיפול",
    "терапи": "טיפול",
    "дет": "ילדים",
    "ребён": "ילדים",
    "ребен": "ילדים",
    "страхов": "ביטוח",
    "касс": "קופת חולים",
    "маккаби": "מכבי",
    "клалит": "כללית",
    "меухедет": "מאוחדת",
    "леумит": "לאומית",
    "направлени": "הפניה",
    "адрес": "כתובת",
    "парков": "חניה",
    "скидк": "הנחה",
    "предоплат": "מקדמה",
    "аванс": "מקדמה",
    "возврат": "החזר",
    "срочн": "דחוף",
    "боль": "כאב",
    "кровотечени": "דימום",
    "травм": "פציעה",
    "скор": 'מד"א',
    # The languages a business lists its staff speaking ('по-русски', 'английский'), the verb to speak, a visit at
    # home ('на дому'), online sessions, a session ('занятие', 'занятия'; not 'занят', busy).
    "иврит": "עברית",
    "араб": "ערבית",
    "русск": "רוסית",
    "англ": "אנגלית",
    "франц": "צרפתית",
    "амхар": "אמהרית",
    "испан": "ספרדית",
    "говор": "מדבר מדברת",
    "разговарива": "מדבר מדברת",
    "дому": "ביקור בית",
    "онлайн": "אונליין",
    "заняти": "מפגש",
}
_WORD = re.compile(r"[A-Za-z]+|[\u0621-\u064a]+|[\u0400-\u04ff]+")


def _russian_term(word: str) -> str | None:
    """The Hebrew term of a Russian word, by the longest stem of :data:`_RU_STEMS` it begins with."""
    best = max((k for k in _RU_STEMS if word.startswith(k)), key=len, default=None)
    return _RU_STEMS[best] if best is not None else None


# English phrases whose word is not the glossary's sense: 'by default' (no breach), 'net 30' (a payment term, not
# net revenue), 'in the area' (nearby, not a floor area).
# Words that are not what is asked: 'by default', 'net 30', and an age ('عمره 6 سنوات', '6 years old' are not a
# period of years).
_NOT_GLOSSED = re.compile(
    r"\bby\s+default\b|\bnet\s+\d+\b|\bin\s+(?:the|your|this)\s+area\b|\b\d+\s+years?\s+old\b"
    r"|(?:عمره|عمرها|بعمر|عمر)\s+\d+\s+(?:سنوات|سنة|عام|أعوام)",
    re.I,
)
# 'كم ساعة', 'كم يوم': how many of a unit — a count or a length of time, not a price ('كم' alone asks a price).
_AR_HOW_MANY = re.compile(
    r"(?<![\u0621-\u064a])كم(?=\s+(?:ال)?(?:ساعة|ساعه|ساعات|يوم|أيام|ايام|دقيقة|دقائق|أسبوع|اسبوع|أسابيع|شهر|أشهر|سنة|سنوات|مرة|مرات)(?![\u0621-\u064a]))"
)


_RU_HOW_LONG = re.compile(r"сколько\s+(?:времени|дней|месяцев|лет)|как\s+долго", re.I)


def hebrew_terms(text: str) -> str:
    """Hebrew search terms for the English, Arabic and Russian words of `text` ('' when there are none)."""
    return " ".join(dict.fromkeys(t.replace("|", " ") for t in _glossed(text)))


def hebrew_term_groups(text: str) -> list[tuple[str, ...]]:
    """The Hebrew alternatives of each English, Arabic or Russian word of `text`, one group per word.

    A word may have alternative Hebrew terms, joined by '|' in the glossary ('drive' → 'לנהוג|נהיגה'): a Hebrew
    clause says one of them, so a question's coverage counts each group once. Terms joined by a space are a
    phrase ('notice' → 'הודעה מראש מוקדמת'): each is its own group.
    """
    groups: list[tuple[str, ...]] = []
    for term in dict.fromkeys(_glossed(text)):
        if "|" in term:
            groups.append(tuple(t for alt in term.split("|") for t in tokenize(alt)))
        else:
            groups += [(t,) for t in tokenize(term)]
    return groups


# English phrases whose words glossed one by one say another thing: a 'security breach' is an information-security
# incident ('אירוע אבטחה'), not a breach of a loan's collateral ('security' → 'ביטחונות ערבות').
_PHRASE_GLOSSARY = (
    (
        re.compile(r"\b(?:(?:data|security|information)\s+(?:breach|incident)|cyber\s*attack|hack)(?:es|s)?\b", re.I),
        "אירוע אבטחה",
    ),
)


def _glossed(text: str) -> list[str]:
    """The glossary's Hebrew terms for each foreign word of `text`, in order (see :func:`hebrew_terms`)."""
    terms = []
    for phrase, hebrew in _PHRASE_GLOSSARY:
        if phrase.search(text):
            terms.append(hebrew)
            text = phrase.sub(" ", text)
    text = _RU_HOW_LONG.sub(" срок ", text)  # 'сколько времени' asks how long, not how much
    text = _AR_HOW_MANY.sub(" ", text)  # 'كم ساعة' asks how many hours, not how much
    for word in (m.lower() for m in _WORD.findall(_NOT_GLOSSED.sub(" ", text))):
        if "\u0400" <= word[0] <= "\u04ff":
            term = _russian_term(word)
            if term:
                terms.append(term)
            continue
        forms = (word, *(word.removeprefix(p) for p in ("وال", "بال", "لل", "ال", "و", "ل", "ب") if word.startswith(p)))
        if word.isascii() and len(word) > 4 and word.endswith("s"):
            forms = (*forms, word[:-1])  # 'fridays', 'visits': the singular is in the glossary
        for form in forms:
            if form in _GLOSSARY:
                terms.append(_GLOSSARY[form])
                break
    return terms


def search_query(question: str, aliases: Mapping[str, Sequence[str]] | None = None) -> str:
    """The question as searched: foreign questions get Hebrew terms for their words added.

    `aliases` (the tenant's ``service_aliases``) add the tenant's own Hebrew name of a service the question
    names in English or Arabic ('laser hair removal' → 'הסרת שיער בלייזר').
    """
    # A Hebrew question with English words in it ('כמה עולה semen analysis?') gets their Hebrew terms too.
    extra = (
        f"{hebrew_terms(question)} {alias_terms(question, aliases)}"
        if detect(question) != "he"
        else hebrew_terms(question)
    )
    return f"{question} {extra}".strip()


_LETTER = r"A-Za-z\u0621-\u064a\u0400-\u04ff"


def without_aliases(text: str, aliases: Mapping[str, Sequence[str]] | None) -> str:
    """`text` without the foreign aliases of services it names ('طبيب الأقدام' of 'בדיקה פודיאטרית').

    The alias stands for the tenant's Hebrew name (:func:`alias_terms` adds it); its words glossed one by one
    ('طبيب' → 'רופא') would name something else. Only an alias of two words or more (one word is glossed as
    itself); `text` itself when nothing would be left of it.
    """
    cut = text
    for names in (aliases or {}).values():
        for alias in names:
            words = _WORD.findall(alias.lower())
            if len(words) < 2 or _HE.search(alias):
                continue
            if _CYRILLIC.search(alias):
                parts = [re.escape(w[:-1] if len(w) > 5 else w) + r"[\u0400-\u04ff]{0,3}" for w in words]
            elif _ARABIC_LETTER.search(alias):
                parts = [_AR_PREFIX + re.escape(_AR_ARTICLE.sub("", w)) for w in words]
            else:
                parts = [re.escape(w) for w in words]
            pattern = f"(?<![{_LETTER}])" + f"[^{_LETTER}]+".join(parts) + f"(?![{_LETTER}])"
            cut = re.sub(pattern, " ", cut, flags=re.IGNORECASE)
    return text if len(_WORD.findall(cut)) < 2 else cut


def alias_terms(text: str, aliases: Mapping[str, Sequence[str]] | None) -> str:
    """The tenant's Hebrew service names whose English, Arabic or Russian alias occurs in `text` ('' when none).

    A Russian alias matches a word that begins with it ('ортопед' in 'к ортопеду'), as its case endings vary; an
    Arabic one a word that adds the article or a particle before it ('التقييم التطوري' for 'تقييم تطوري').
    """
    if not aliases:
        return ""
    low = f" {' '.join(_WORD.findall(text.lower()))} "
    found = []
    for name, names in aliases.items():
        for alias in names:
            words = _WORD.findall(alias.lower())
            if not words or _HE.search(alias):
                continue
            if _CYRILLIC.search(alias):
                pattern = r"\s".join(re.escape(w[:-1] if len(w) > 5 else w) + r"[\u0400-\u04ff]{0,3}" for w in words)
                if re.search(rf"\s{pattern}\s", low):
                    found.append(name)
                    break
            elif _ARABIC_LETTER.search(alias):
                # 'تقييم تطوري' in 'موعد التقييم التطوري': each word may take the article and a particle before it.
                pattern = r"\s".join(_AR_PREFIX + re.escape(_AR_ARTICLE.sub("", w)) for w in words)
                if re.search(rf"\s{pattern}\s", low):
                    found.append(name)
                    break
            elif f" {' '.join(words)} " in low:
                found.append(name)
                break
    return " ".join(dict.fromkeys(found))


_ARABIC_LETTER = re.compile(r"[\u0621-\u064a]")
_AR_ARTICLE = re.compile(r"^(?:ال|لل)(?=[\u0621-\u064a]{2,})")
_AR_PREFIX = r"(?:[وف])?(?:[بلك])?(?:ال|ل)?"


def hebrew_alias_terms(text: str, aliases: Mapping[str, Sequence[str]] | None) -> str:
    """The tenant's service names whose Hebrew alias a Hebrew question uses, in any prefixed form ('' when none).

    'מקדמה כדי לקבוע תור לפילר' names 'חומצה היאלורונית' by its slang: the clause that answers uses the name.
    """
    return " ".join(_hebrew_alias_names(text, aliases))


def _hebrew_alias_names(text: str, aliases: Mapping[str, Sequence[str]] | None) -> list[str]:
    """The service names whose Hebrew alias `text` uses (see :func:`hebrew_alias_terms`)."""
    if not aliases:
        return []
    tokens = tokenize(text)
    forms = [{t, *stems(t)} for t in tokens]
    said = set().union(*forms) if forms else set()
    found = []
    for name, names in aliases.items():
        if all(w in said for w in tokenize(name)):
            continue  # the question already says the name
        name_keys = {loose_key(f) for w in tokenize(name) for f in (w, *stems(w))}
        for alias in names:
            words = tokenize(alias)
            if not words or not _HE.search(alias):
                continue
            if _spells_name(words, name, name_keys):
                continue  # a spelling or a part of the name ('בוטקס', 'לייזר'): the question's words find it
            if _WHEN_WHO_WHERE.search(text) and any(loose_key(f) in name_keys for w in words for f in (w, *stems(w))):
                continue  # see named_by_service
            # An alias that shares a word with the name and differs in another ('מרפאה בעיסוק' for 'ריפוי בעיסוק')
            # is still an alias: the shared word alone would find the rows that name someone else by it.
            if any(
                words[0] in forms[i] and _same_words(tokens[i + 1 : i + len(words)], words[1:])
                for i in range(len(tokens) - len(words) + 1)
            ):
                pattern = rf"(?<![\u05d0-\u05ea])[והבלמשכ]{{0,3}}-?{_alias_pattern(alias)}(?![\u05d0-\u05ea])"
                m = re.search(pattern, text)
                if m is not None and _part_of_other(text, m, name, aliases):
                    continue  # 'בדיקת עיניים לילדים' names its own service, not the one of 'בדיקת עיניים'
                found.append(name)
                break
    return list(dict.fromkeys(found))


def named_by_service(text: str, aliases: Mapping[str, Sequence[str]] | None) -> str:
    """`text` with each Hebrew alias it uses replaced by its service's name ('מה המחיר של פיזיו' → '… של פיזיותרפיה').

    The documents name the service; a slang word left in the question is a word no clause carries, and it
    would count against the clause that answers. Aliases that spell the name or a part of it are left as they are;
    one that shares a word with it and differs in another ('מרפאה בעיסוק' for 'ריפוי בעיסוק') is replaced.
    """
    if not aliases:
        return text
    for name in _hebrew_alias_names(text, aliases):
        name_keys = {loose_key(f) for w in tokenize(name) for f in (w, *stems(w))}
        for alias in sorted(aliases[name], key=len, reverse=True):
            words = tokenize(alias)
            if not words or not _HE.search(alias):
                continue
            if _spells_name(words, name, name_keys):
                continue
            if _WHEN_WHO_WHERE.search(text) and any(loose_key(f) in name_keys for w in words for f in (w, *stems(w))):
                continue  # 'מתי יש רופאת ילדים?': a title or a place asked of itself, which its own lines answer
            pattern = rf"(?<![\u05d0-\u05ea])([והבלמשכ]{{0,3}}-?){_alias_pattern(alias)}(?![\u05d0-\u05ea])"
            text = _replace_alias(text, pattern, name, aliases)
    return text


def _spells_name(words: Sequence[str], name: str, name_keys: set[str]) -> bool:
    """Whether an alias's `words` spell the service's `name` or a part of it ('בוטקס', 'לייזר').

    Not an alias of as many words that says another word of the same letters: 'קלינאית תקשורת' (the therapist)
    is not 'קלינאות תקשורת' (the profession) to the documents' words, though a loose spelling makes them one.
    """
    if not all(any(loose_key(f) in name_keys for f in (w, *stems(w))) for w in words):
        return False
    named = tokenize(name)
    if len(words) > 1 and len(words) == len(named):
        return all(w == n or n in stems(w) or w in stems(n) for w, n in zip(words, named, strict=True))
    return True


def _same_words(said: Sequence[str], words: Sequence[str]) -> bool:
    """Whether `said` are an alias's words after its first, each as it is or with the article.

    'קלינאית התקשורת' is 'קלינאית תקשורת': Hebrew puts the article on a construct's last word, and on its adjectives.
    """
    return len(said) == len(words) and all(s == w or s == f"ה{w}" for s, w in zip(said, words, strict=True))


def _alias_pattern(alias: str) -> str:
    """A Hebrew alias as a pattern whose words after the first may take the article (see :func:`_same_words`)."""
    first, *rest = alias.split()
    return re.escape(first) + "".join(rf"\s+ה?{re.escape(w)}" for w in rest)


def _replace_alias(text: str, pattern: str, name: str, aliases: Mapping[str, Sequence[str]]) -> str:
    """`text` with each match of an alias's `pattern` replaced by `name`, unless it names another service."""

    def named(m: re.Match[str]) -> str:
        return m.group(0) if _part_of_other(text, m, name, aliases) else m.group(1) + name

    return re.sub(pattern, named, text)


# A question of when, who or where: asked of a person ('רופאת ילדים') or a place ('מעבדת ריצה') an alias names by a
# title of its own, whose lines in the documents say it in their words (a price or a booking is the service's).
_WHEN_WHO_WHERE = re.compile(
    r"(?<![\u05d0-\u05ea])(?:ו?(?:מתי|מי|איפה|היכן|באיזה\s+(?:יום|ימים|שעה|שעות)|באילו\s+(?:ימים|שעות)|עד\s+מתי))"
    r"(?![\u05d0-\u05ea])"
)


def _part_of_other(text: str, match: re.Match[str], name: str, aliases: Mapping[str, Sequence[str]]) -> bool:
    """Whether an alias of `name` at `match` is part of, or the head of, what names another service.

    'בדיקת עיניים לילדים' holds the alias 'בדיקת עיניים' of another service, and is a service's own name: the
    longest name said is the one meant. 'שיפוץ קומפלט של מטבח' is a kitchen: an alias followed by another service's
    name or alias ('של מטבח', 'למטבח') says which thing it is, and is not the first service's.
    """
    start, end = match.start(), match.end()
    for other, names in aliases.items():
        for said in (other, *names):
            if not _HE.search(said) or (other == name and said in aliases[name]):
                continue
            pattern = rf"(?<![\u05d0-\u05ea])[והבלמשכ]{{0,3}}-?{re.escape(said)}(?![\u05d0-\u05ea])"
            for m in re.finditer(pattern, text):
                if m.start() < end and start < m.end() and m.end() - m.start() > end - start:
                    return True  # a longer name that overlaps it
                if other != name and re.fullmatch(r"\s+(?:של\s+)?", text[end : m.start()]):
                    return True  # followed by another service: 'X של מטבח'
    return False
