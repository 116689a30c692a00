"""The model-free answer: quote the clause that says it, with its citation, or say the documents do not.

How a quote is chosen (all of it from the question's own words, nothing per tenant):
- Every question word counts once, weighted by its IDF in the tenant's documents, and matches in any
  prefixed form. A unit's words count in full; its heading and document title count half.
- A clause number in the question ("סעיף 7.2") selects that clause; a clause no document has is refused.
- A question that names documents ("בהסכם הסודיות", "ה-NDA") searches those documents; a comparison
  that names two fetches the best clause from each and shows both, each with its citation.
- A table record must be about the thing asked: a row whose first value shares no word with the
  question (another treatment, a neighbouring variant) is never quoted in its place.
- A question in two parts ('מה X, ומתי Y?', 'בתקופת הניסיון ואחריה') gets a unit for each part, each
  searched for on its own words, quoted and cited at clause level, in the order asked.
- A derived amount (a total with VAT, an amount after a percentage rise or discount, hours at an hourly
  rate, a year of a monthly amount, the difference or sum of two amounts) is computed from the explicit
  facts of the quoted clauses: the calculation is shown and every fact's clause is cited. A fact missing
  or ambiguous: nothing is computed; what is there is quoted and the reply says what is missing.
- A charge per day or month of lateness is held to the cap its clause states ('ולא יותר מ-₪3,600'), and one
  stated as a share of an amount ('150% מדמי השכירות … ₪6,800 לחודש') is that share; a table's band in shekels
  that holds the question's own amount gives its rate of that amount; a row's amount is multiplied by the count
  of its item another clause states ('4 רכבים מקבוצה ג''). A cap or floor is never the base of a percentage.
- A question whose condition ('אם …', 'if …') the documents never speak of is refused: the clause found is
  about another event. One that names a party only one contract has ('הקניון', 'סמנכ"לית הכספים') is answered
  from that contract or refused, never by another contract's clause. The clause that defines the term asked
  ('להלן: "אזור הבלעדיות"') leads the ones using it.
- A clause that names what is asked without stating it does not answer it (see :mod:`.references`): a
  detail kept in an annex the archive lacks, a percentage of the value asked about; the reply says so. A
  definition that holds the question's word is quoted after the clause that uses its term, and a clause
  that opens by naming another ('החובה לפי סעיף 6.1') after the clause it names.
- Who the business's clients are is not given; whether one may park is said only by a parking sentence.
- A party named by its own name ('שמעון דהן') is sought as the role its contract's party line defines ('המוכר'); a
  question that names parties of two contracts outside a comparison is refused; a comparison may name each
  contract by its parties or subject. 'מה סכום X' needs a figure; 'גם אם …' is no condition; two question words
  of one predicate ('לכמה זמן ובאיזה מרחק …') are two parts.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import lru_cache
from typing import Any, Literal, Protocol, TypeVar, cast

from ...privacy import scan
from ...rag.retriever import SearchHit
from ...text import normalize, stems, tokenize
from ...text.durations import LENGTH_PHRASES, digit_minutes, said_minutes
from ...text.hebrew import CLOCK_NUMBERS
from ...text.spelling import correct, pairs_of
from .asked_kind import asked_kind, says_kind
from .attributes import PARK_ASKED, Attribute, carries, cue, fit
from .attributes import asked as asked_attribute
from .bands import amount_bands, band_holding, row_amounts, sentences
from .compute import (
    Calculation,
    Operation,
    allowance,
    amount_sum,
    asked_operation,
    asked_period,
    asks_for_vat_total,
    count_in_span,
    counts_a_period,
    covers_allowance,
    dated_count,
    difference,
    money,
    per_period,
    percent,
    percent_change,
    percent_off,
    prices_times_counts,
    quantity_asked,
    row_names_unit,
    shekels,
    states_count,
    states_period,
    times_quantity,
    unit_of,
    vat_rate,
    vat_total,
)
from .derive import (
    area_of,
    asks_amount,
    asks_deadline,
    asks_fixed_part,
    asks_least,
    asks_together,
    asks_update,
    asks_whole_term,
    date_after,
    date_event,
    dates,
    days_from_event,
    deadline,
    fixed_plus_share,
    floor_or_cap,
    given_date,
    index_base,
    indexed,
    instalment,
    interest_per_period,
    of_amount_with_vat,
    one_rate,
    over_area,
    over_term,
    period_lead,
    raised,
    rate_of_question_amount,
    rate_per_area,
    rates_together,
    share_of,
    share_of_with_vat,
    shares_of_question_amount,
    states_one_period,
    states_with_vat,
    term_months,
    with_vat,
)
from .language import Lang, detect, hebrew_term_groups, hebrew_terms
from .lateness import asked_minutes_late, is_about_lateness, minutes_window
from .references import (
    annex_named,
    annex_references,
    asks_definition,
    defined_term,
    holds_annex,
    percent_bases,
    uses_term,
)
from .tables import (
    band_holds_count,
    band_of,
    banded_price,
    banded_rate,
    cells,
    column_total,
    given_figure,
    named_column,
)
from .threshold import (
    additional_total,
    asked_count,
    asked_hours,
    column_amount,
    hour_window,
    is_each_more,
    threshold_discount,
    threshold_rule,
)
from .units import Unit, relabel
from .units import clause_units as _clause_units
from .variants import named_variant, named_variant_in_sentence

__all__ = ["Extracted", "Library", "Quote", "SearchFn", "extract", "without_writer"]


class SearchFn(Protocol):
    """The tenant's search: best chunks first, optionally only within some documents."""

    def __call__(self, query: str, *, top_k: int, document_ids: Sequence[str] | None = None) -> Sequence[SearchHit]:
        """The best `top_k` chunks for `query` (within `document_ids` when given)."""


def _unit_idf(term: str) -> float:
    return 1.0


@dataclass(frozen=True)
class Library:
    """What the answerer may read: the search, term weights, document titles and every chunk."""

    search: SearchFn
    idf: Callable[[str], float] = _unit_idf
    documents: Mapping[str, str] = field(default_factory=dict)
    """Document id → title."""
    chunks: Sequence[SearchHit] = ()
    """Every chunk (for a clause the question names by number)."""


@dataclass(frozen=True)
class Quote:
    """A quoted unit with its citation (the section names the clause actually quoted)."""

    text: str
    section: str
    hit: SearchHit
    score: float = 0.0
    coverage: float = 0.0


@dataclass(frozen=True)
class Extracted:
    """The outcome: quotes (and a calculation), or a refusal."""

    status: Literal["answered", "not_found"]
    quotes: tuple[Quote, ...] = ()
    calculation: Calculation | None = None
    lang: Lang = "he"
    comparison: bool = False
    reason: str = ""
    missing: str = ""
    """Why a calculation the question asks for was not made (a needed fact missing or ambiguous), or ''."""


_STOP = frozenset(
    " ".join(
        (
            "מה מי איך האם של את על עם זה זו יש לי אני אתם כמה מתי איפה לכם אפשר רוצה לפי גם או אם כל כי השווה",
            "השווי הסבר פרט מצא סכם קובע קובעת אומר אומרת נאמר כתוב ומצא תסביר תגיד תגידו ספר ספרו בבקשה שלום",
            "תודה היי הי לגבי בנוגע בעניין שאלה ההסכם הסכם בהסכם להסכם החוזה חוזה בחוזה המסמכים the is are what",
            "how a an of to in on for does do it my our your which when where can i we לעומת מול ההבדל הבדל בין",
            "ביחס השוואה זמן חייב חייבת חייבים צריך צריכה צריכים יכול יכולה יכולים מותר ניתן לעשות קורה קרה אצלכם",
            "שלכם שלי שלנו אותו אותה הם הוא היא אנחנו אתה רק עוד כבר לבין ושל עולה עולים עולות עלות מחיר המחיר",
            "יוצא יוצאת בכמה אפשרות מישהו משהו דבר איזה איזו אילו ואיזה ביום יום",
            "שונה שונים שונות דומה כדי יעלו יעלה תעלה",
            "אחי אחותי אחיי גבר מותק נשמה בערך וואלה יאללה כאילו סתם אצלכם",
            "אצטרך נצטרך תצטרך תצטרכי יצטרך תצטרכו",  # 'כמה אצטרך לשלם': need, like 'צריך'
            "איתי איתך איתו איתה איתנו איתכם איתם",  # 'להביא איתי': with me, not a word of any clause
            "שלו שלה שלהם שלהן עכשיו כרגע",  # 'המפגש שלו', 'אם אבטל עכשיו': whose and when the asker speaks
            "תוכלו תוכל תוכלי",  # 'תוכלו לשלוח': the request's politeness, like 'אפשר'
            "אותם אותן אותי אותך אותנו אתכם לנו",  # 'להעביר אותם': whom or what, said before ('אותו', 'לי')
            "אצלי אצלו אצלה אצלנו אצלם",  # 'עיסוי אצלה בבית': at whose place, like 'אצלכם' (the place is 'בבית')
            "אצל",  # 'כרטיסייה אצל קלינאית התקשורת': with whom, the service is the words after it
            "בשביל עבור",  # 'פיזיותרפיה בשביל התינוק': for whom, like 'ל' joined to the word
        )
    ).split()
)
_SYNONYMS = {
    "ראשון": "א'",
    "שני": "ב'",
    "שלישי": "ג'",
    "רביעי": "ד'",
    "חמישי": "ה'",
    "שישי": "ו'",
    "שבת": "ש'",
    "עולה": "מחיר",
    "עולים": "מחיר",
    "עולות": "מחיר",
    "עלות": "מחיר",
    "פתוחים": "שעות",
    "פתוח": "שעות",
    "בתי": "בית",
    "עורך": 'עו"ד',
    "עורכת": 'עו"ד',
    "עורכי": 'עו"ד',
    "סוגרים": "שעות",
    "פותחים": "שעות",
    "פתיחה": "פעילות",
    "הפתיחה": "פעילות",
    "nda": "סודיות",
    'שכ"ד': "שכירות",
    # A notice given in advance: contracts write 'הודעה … מראש' for what is asked as 'הודעה מוקדמת'.
    "מוקדמת": "מראש",
    "המוקדמת": "מראש",
    # When a term starts and ends: contracts write 'מיום … ועד יום'.
    "מתחילה": "מיום",
    "מתחיל": "מיום",
    "נגמרת": "ועד",
    "נגמר": "ועד",
    "מסתיימת": "ועד",
    "מסתיים": "ועד",
    # Paying late: asked as 'איחור בתשלום', written as 'ריבית פיגורים' on what 'לא ישולם במועדו'.
    "איחור": "פיגורים",
    # Cancelling in time: asked as 'כמה זמן מראש לבטל כדי שלא יחייבו', written as 'ביטול עד 24 שעות לפני — בלי
    # חיוב'.
    "מראש": "לפני",
    "לבטל": "ביטול",
    "מבטל": "ביטול",
    "מבטלת": "ביטול",
    "מבטלים": "ביטול",
    "יחייבו": "חיוב",
    "תחייבו": "חיוב",
    "יחויב": "חיוב",
    "אחויב": "חיוב",
    "מחייבים": "חיוב",
    "לחייב": "חיוב",
    # The least allowed: asked as 'הכמות המינימלית', written as '500 יחידות לפחות'.
    "מינימלית": "לפחות",
    "המינימלית": "לפחות",
    "מינימלי": "לפחות",
    "המינימלי": "לפחות",
    "מינימום": "לפחות",
    # How far a non-compete reaches: asked as 'באיזה מרחק', written as 'ברדיוס של 8 קילומטרים'.
    "מרחק": "רדיוס",
    "המרחק": "רדיוס",
    # How hot a store may get: asked as 'חום', written as 'טמפרטורה'.
    "חום": "טמפרטורה",
    "החום": "טמפרטורה",
    # Who comes to an event: asked as 'אורחים', written as 'משתתפים'.
    "אורחים": "משתתפים",
    "האורחים": "משתתפים",
    # What is left to pay: asked as 'השאר', written as 'יתרת התמורה'.
    "השאר": "יתרת",
    "שאר": "יתרת",
    # What a creator posts: asked as photos and videos, written as 'תכנים'; sales by a coupon code are 'מכירות'
    # 'בקוד ההנחה'.
    "תמונות": "תכנים",
    "בתמונות": "תכנים",
    "סרטונים": "תכנים",
    "ובסרטונים": "תכנים",
    "קניות": "מכירות",
    "מהקניות": "מכירות",
    "הקופון": "הנחה",
    "קופון": "הנחה",
}
# Words the documents say otherwise, matched by either form but weighed as asked (the other form may be an
# everyday word): after the contract ends is asked 'אחרי הסיום' and written 'מתום ההסכם'; a non-compete ('הגבלת
# התחרות') is written as what the party may not do for 'מתחרה'.
_SAID_ALSO = {"סיום": "תום", "הסיום": "תום", "תחרות": "מתחרה", "התחרות": "מתחרה"}
# Handing a document over: the asker 'sends' ('תשלחו לי את הסיכום') what a policy says is 'given' ('נמסרים').
_SAID_ALSO.update({"≈שלח": "≈מסר", "≈מסר": "≈שלח"})
# Everyday names of the things price lists and contracts list under another name: they name a table's
# record as its own words do ('ניסוח צוואה' is not the row 'עריכת הסכם', 'לנסח הסכם שכירות' is).
_NAMED_ALSO = {
    # Drafting a contract is 'עריכת הסכם' in fee lists and contracts.
    "לנסח": "עריכת",
    "ניסוח": "עריכת",
    # An apartment to live in: fee lists and leases say 'למגורים'.
    "דירה": "מגורים",
}
_SYNONYMS.update(_NAMED_ALSO)
_CONSTRUCT = frozenset(("בתי",))


def _synonymous(words: AbstractSet[str]) -> set[str]:
    """The words with the other names of listed things ('לנסח' → 'עריכת', 'דירה' → 'מגורים')."""
    return {*words, *(_NAMED_ALSO[w] for w in words if w in _NAMED_ALSO)}


_RISE_RULE = re.compile(
    r"(?:יעלו|יעלה|תעלה)(?!\s+על\s+\d[\d.]*\s?%\s*מ)|יעודכן|יעודכנו|יתעדכן|הצמד|צמוד"
)  # a rise is computed on asking for it
_COSTS = re.compile(
    r"כמה (?:עול|יעל|תעל|משלמ|משלם|ישלם|תשלם|ישלמו|ישולם)|מה המחיר|how much (?:does|is|would)|\bcosts?\b"
)
_COMPARE = re.compile(
    r"השווה|השוו|(?<![\u05d0-\u05ea])ו?תשוו|לעומת|\bמול\b|ההבדל|הבדל|\bבין\b.*\bל|(?<![\u05d0-\u05ea])שונה"
    r"|שונים|שונות|כל אחד מה|כל אחת מה"
    r"|compare|versus|\bvs\b|differ|each of|مقارنة|مقابل"
)
_CLAUSE = re.compile(
    r"(?:סעיף|clause|section|البند)\s*(\d{1,3}(?:\.\d{1,3})*)|(?<![\d.,])(\d{1,3}\.\d{1,3})(?![\d.,%])"
)
_MONEY_WORDS = frozenset(
    " ".join(
        ("גובה סכום מחיר המחיר עולה עולות עלות תעריף שכר דמי כמה", "פיצוי הפיצוי קנס מקדמה המקדמה price cost")
    ).split()
)
_SHAPE = {
    "money": re.compile(r"₪|ש\"ח|שקל|\d%"),
    "hours": re.compile(r"\d{1,2}:\d{2}"),
    "time": re.compile(
        r"\d+\s*(?:ימים|ימי|יום|חודשים|חודש|שנים|שנה|שעות|דקות)|שנתיים|\d{1,2}[./]\d{1,2}[./]\d{2,4}"
        # working days in the construct form ('3 ימי עבודה') and one day in words ('בתוך יום עבודה אחד')
        r"|(?<![\u05d0-\u05ea])[בל]?יום(?:\s+עבודה|\s+עסקים)?\s+אחד(?![\u05d0-\u05ea])"
        # a count in words: 'לשלוש שנים', 'שבעה ימים'
        r"|(?<![\u05d0-\u05ea])[לב]?(?:שתי|שני|שלוש|שלושה|ארבע|ארבעה|חמש|חמישה|שש|שישה|שבע|שבעה|שמונה|תשע|תשעה|עשר|עשרה)"
        r"\s+(?:ימים|חודשים|שנים|שבועות|שעות|דקות)(?![\u05d0-\u05ea])"
    ),
}
_TIME_Q = re.compile(
    r"הודעה מוקדמת|כמה זמן|תוך כמה|עד מתי|מתי|תקופת|תקופה|משך|לכמה זמן|כמה ימים|כמה שנים|כמה חודשים"
    r"|how long|when|متى|مدة"
)
_GENERIC_TITLE = {"הסכם", "חוזה", 'בע"מ', "בעמ", "ושות'", "עורכי", "דין", "רחוב", "מסמך", "טיוטה", "2026", "2025"}
_RECITAL = re.compile(r"^\s*(?:ו?הואיל|ו?לבין:|בין:|לפיכך|שנערך ונחתם|ולראיה)")
_VAT_WORDS = re.compile(r'כולל|כוללת|סה"כ|סך הכול|מע"מ|מע״מ|\bvat\b|including|total', re.IGNORECASE)
_UNSEEN = 0.6
_FUZZY = 0.75
_MIN_COVERAGE = 0.42
_MIN_STRICT = 0.6
_MIN_TOLD = 0.55  # the question sentence after a story, covered by the clause (the story ranks it)
_SCAN_ALL = 2000
_MIN_SIDE = 0.25
_TOP_HITS = 8
_HOW_LONG = re.compile(r"כמה זמן|תוך כמה|לכמה זמן|כמה ימים|כמה שנים|כמה חודשים|how long")
_PART_POOL = 400
_ATTRIBUTE_WEIGHT = 0.15
_NAMED_ROW = 0.15
_REST_COVERED = 0.25
_MUST_CARRY = frozenset(("parking",))
_SCAN_FOR = frozenset(("who", "parking", "address", "opening_hours", "days", "term", "duration"))
_PART_CHOICES = 6
_PART_RELAX = 0.6
_SIDE_CHOICES = 5


@dataclass
class _Terms:
    forms: list[tuple[frozenset[str], float]]
    total: float

    def cover(self, words: AbstractSet[str], context: AbstractSet[str] = frozenset()) -> float:
        if not self.total:
            return 0.0
        got = 0.0
        for variants, w in self.forms:
            exact = {v for v in variants if v[0] not in "~≈"}
            if exact & words:
                got += w
            elif variants & words:
                got += w * _FUZZY  # the same lemma or root, not the same word ('איחור' / 'אחריות')
            elif variants & context:
                got += w / 2
        return got / self.total

    def missing(self, words: AbstractSet[str]) -> float:
        return sum(w for variants, w in self.forms if not variants & words) / self.total if self.total else 0.0


_FINALS = str.maketrans("ךםןףץ", "כמנפצ")
_SUFFIX = re.compile(r"(?:יות|ים|ות|ית|יי|ה|ת|י)$")
_VERB_PREFIX = re.compile(r"^(?:יי|[יתנאלמ])(?=[\u05d0-\u05ea]{3,})")


def _key(stem: str) -> str:
    """A rough lemma: inflection suffixes and one verb prefix off ('יתקן'/'לתקן' → 'תקן', 'סודות' → 'סוד')."""
    if len(stem) < 3 or not ("\u05d0" <= stem[0] <= "\u05ea"):
        return stem
    if len(stem) == 3:
        return "~" + stem.translate(_FINALS)  # 'דין' and 'דיני' meet at 'דינ'
    key = _SUFFIX.sub("", stem)
    if len(key) < 3:
        key = stem
    if len(key) >= 5 and key[0] == "ה":
        key = key[1:]  # hif'il and nif'al: 'השכיר', 'היכנס'
    if len(key) >= 4:
        key = _VERB_PREFIX.sub("", key)
    key = key.translate(_FINALS)
    return "~" + key if len(key) >= 3 else stem


def _skeleton(key: str) -> str | None:
    """The key without inner ו/י and with final letters as medial: 'בדיק' and 'בדוק' → 'בדק'."""
    body = key[0] + key[1:].replace("ו", "").replace("י", "")
    body = body.translate(_FINALS)
    return "≈" + body if len(body) >= 3 else None


@lru_cache(maxsize=200_000)
def _forms_cached(tok: str) -> frozenset[str]:
    return frozenset(_forms_uncached(tok))


def _forms(tok: str) -> set[str]:
    return set(_forms_cached(tok))


_WEEKDAYS = frozenset(("ראשון", "שני", "שלישי", "רביעי", "חמישי", "שישי", "שבת"))


def _forms_uncached(tok: str) -> set[str]:
    out = {tok, *stems(tok)}
    if day := out & _WEEKDAYS:
        # A weekday is itself, never a root: 'שלישי' and 'שישי' both lose a 'ש'/'של' prefix to 'ישי' otherwise.
        return {tok, *day}
    keys = {_key(s) for s in out}
    # A verb in the first person past ('הגעתי', 'הודענו') is the clause's third person ('הגיע', 'הודיע').
    keys |= {_key(s[:-2]) for s in out if len(s) >= 5 and s.endswith(("תי", "נו")) and s[0] >= "\u05d0"}
    # The dual is the thing itself, two of it: 'כתפיים' is 'כתף', 'ברכיים' 'ברך', 'עיניים' 'עין'.
    keys |= {_key(s[:-3]) for s in out if len(s) >= 5 and s.endswith("יים") and s[0] >= "\u05d0"}
    if len(tok) >= 4:
        # Skeletons of the lemma and of the stem itself ('תיאום' and 'לתאם' meet at 'תאמ').
        bases = [k[1:] for k in keys if k.startswith("~")] + [s for s in out if len(s) >= 4 and s[0] >= "\u05d0"]
        keys |= {sk for b in bases if (sk := _skeleton(b)) is not None}
    return out | keys


_DAY_NAMES = ("ראשון", "שני", "שלישי", "רביעי", "חמישי", "שישי", "שבת")
_DAY_LETTER = {d: f"{c}'" for d, c in zip(_DAY_NAMES, "אבגדהוש", strict=True)}


def _weekdays_named(words: AbstractSet[str]) -> set[str]:
    """The weekdays among `words`, as letters ('שישי' and "ו'" are both "ו'")."""
    return {_DAY_LETTER.get(w, w) for w in words if w in _DAY_LETTER or w in _DAY_LETTER.values()}


def _other_days(unit_words: AbstractSet[str], question_words: AbstractSet[str]) -> bool:
    """The unit names weekdays, none of them the one the question names."""
    asked = _weekdays_named(question_words)
    named = _weekdays_named(unit_words)
    return bool(asked and named and not asked & named)


_DAY_FORMS = frozenset(
    {f for d in ("ראשון", "שני", "שלישי", "רביעי", "חמישי", "שישי", "שבת") for f in _forms_uncached(d)}
    | {f"{c}'" for c in "אבגדהוש"}
)


@lru_cache(maxsize=20_000)
def clause_units(text: str) -> tuple[Unit, ...]:
    """A chunk's units (cached: the same chunks come back question after question)."""
    return tuple(_clause_units(text))


# 'here' as a message says it ('תשלחו לי פה בוואטסאפ'); only bare: with a prefix 'פה' is the mouth ('בפה').
_HERE = frozenset(("פה", "כאן"))


def _stop(tok: str) -> bool:
    """A question word that says nothing about the topic, also with a prefix ('וכמה', 'לבין')."""
    return len(tok) < 2 or tok in _STOP or tok in _HERE or any(s in _STOP for s in stems(tok))


# How often, as a clause says it: 'פעם ברבעון', 'לא יותר מפעמיים בשנה', '3 פעמים בשבוע', 'אחת לרבעון', 'מדי חודש',
# 'כל שלושה חודשים' — a count of times followed by a unit of time, never 'פעם בסך הכול'.
_TIME_UNIT = r"(?:יום|ימים|שבוע|שבועיים|שבועות|חודש|חודשיים|חודשים|רבעון|שנה|שנתיים|שנים|חצי\s+שנה|עונה)"
_FREQUENCY = (
    r"(?<![\u05d0-\u05ea])(?:[מוש]|כ?ש)?(?:(?:פעם|פעמיים|(?:\d+|שלוש|ארבע|חמש|שש|שבע|שמונה|תשע|עשר)\s+פעמים)"
    rf"\s+(?:ב-?|בכל\s+|כל\s+|ל-?)(?:\d+\s+|שני\s+|שלושה\s+|ארבעה\s+|שישה\s+)?{_TIME_UNIT}"
    rf"|אחת\s+ל{_TIME_UNIT}|אחת\s+לכל\s+{_TIME_UNIT}|מדי\s+{_TIME_UNIT}"
    rf"|כל\s+(?:\d+|שני|שלושה|ארבעה|חמישה|שישה|שניים\s+עשר)\s+{_TIME_UNIT})(?![\u05d0-\u05ea])"
)
_MEASURE_FORMS = (
    ("אחוז", re.compile(r"\d\s?%")),
    ("תדירות", re.compile(_FREQUENCY)),
)


def _words(text: str) -> frozenset[str]:
    return _words_cached(text)


@lru_cache(maxsize=50_000)
def _words_cached(text: str) -> frozenset[str]:
    words = {t for tok in tokenize(text) for t in _forms(tok)}
    # A construct form the question writes otherwise ('לבתי המשפט' is 'בית משפט').
    words |= {_SYNONYMS[w] for w in _CONSTRUCT & words}
    # A measure the question asks by its noun and the clause writes as a form: a percentage ('מה אחוז …') is
    # '30%', a frequency ('באיזו תדירות …') is 'פעם ברבעון', 'פעמיים בחודש', '3 פעמים בשבוע'.
    for noun, form in _MEASURE_FORMS:
        if form.search(text):
            words |= _forms(noun)
    return frozenset(words | _days(text))


_DAY_LETTERS = "אבגדהוש"
_DAY_RANGE = re.compile(r"(?<![\u05d0-\u05ea])([א-ו])['׳]?\s*[–\-]\s*([א-ו])['׳]")


# The same range with the days' names: 'ראשון–חמישי', 'ראשון עד חמישי', 'בימים ראשון עד חמישי'.
_NAMED_DAY_RANGE = re.compile(
    rf"(?<![\u05d0-\u05ea])[במ]?({'|'.join(_DAY_NAMES)})\s*(?:[–\-]|עד)\s*(?:ל|יום\s+)?({'|'.join(_DAY_NAMES)})"
    r"(?![\u05d0-\u05ea])"
)


def _days(text: str) -> set[str]:
    """The days a range covers ('א׳–ה׳', 'ראשון–חמישי' are also ב', ג', ד'): Tuesday finds the Sun–Thu row."""
    out: set[str] = set()
    spans = [(_DAY_LETTERS.find(m.group(1)), _DAY_LETTERS.find(m.group(2))) for m in _DAY_RANGE.finditer(text)]
    spans += [(_DAY_NAMES.index(m.group(1)), _DAY_NAMES.index(m.group(2))) for m in _NAMED_DAY_RANGE.finditer(text)]
    for a, b in spans:
        if 0 <= a < b:
            out |= {f"{_DAY_LETTERS[i]}'" for i in range(a, b + 1)}
    return out


def _terms(question: str, idf: Callable[[str], float], *, light: set[str] = frozenset()) -> _Terms:  # type: ignore[assignment]
    """The question's words with their weights; words naming a document (`light`) weigh a third."""
    forms: list[tuple[frozenset[str], float]] = []
    unseen = idf("\u0000")
    hebrew = detect(question) == "he"
    for tok in dict.fromkeys(tokenize(question)):
        if _stop(tok) or re.fullmatch(r"[\u0621-\u064a]+|[\u0400-\u04ff]+|\d+", tok) or tok in _QUANTITY_WORDS:
            continue  # a bare number in a question is a quantity to compute with, not a word to find
        if re.fullmatch(r"[a-z]+(?:'[a-z]+)?", tok) and not (hebrew and idf(tok) < unseen - 1e-6):
            # A foreign question is weighed by its Hebrew terms; in a Hebrew one, a name the documents use in
            # Latin letters ('LASIK', 'OCT') is a term.
            continue
        variants = _forms(tok)
        variants |= {_SYNONYMS[v] for v in list(variants) if v in _SYNONYMS}
        weight = min(idf(v) for v in variants if v[0] not in "~≈")
        if weight >= unseen - 1e-6:
            weight *= _UNSEEN  # a word the documents never use: often phrasing ('נגמרת'), sometimes the topic
        variants |= {_SAID_ALSO[v] for v in list(variants) if v in _SAID_ALSO}
        if variants & light:
            weight /= 3
        forms.append((frozenset(variants), weight))
    forms = _one_per_foreign_word(question, forms)
    return _Terms(forms, sum(w for _, w in forms))


def _one_per_foreign_word(
    question: str, forms: list[tuple[frozenset[str], float]]
) -> list[tuple[frozenset[str], float]]:
    """A foreign word's Hebrew alternatives ('drive' → 'לנהוג נהיגה') as one term: a clause says one of them.

    Counted apart, the alternative the clause does not use would weigh against it as a word it misses.
    """
    groups = [g for g in hebrew_term_groups(question) if len(g) > 1]
    if not groups:
        return forms
    merged: list[tuple[frozenset[str], float]] = []
    done: set[int] = set()
    for i, (variants, weight) in enumerate(forms):
        if i in done:
            continue
        group = next((g for g in groups if any(t in variants for t in g)), None)
        members = [j for j, (v, _) in enumerate(forms) if j not in done and any(t in v for t in group)] if group else []
        if len(members) < 2:
            merged.append((variants, weight))
            continue
        done.update(members)
        merged.append((frozenset().union(*(forms[j][0] for j in members)), min(forms[j][1] for j in members)))
    return merged


def _title_terms(documents: Mapping[str, str]) -> dict[str, set[str]]:
    """Each document's distinctive title words (in no other title), with their stems."""
    per = {
        d: [t for t in tokenize(title.split(" — ")[0]) if t not in _GENERIC_TITLE and len(t) > 2]
        for d, title in documents.items()
    }
    plain = {d: [{w, *stems(w)} for w in words] for d, words in per.items()}
    out: dict[str, set[str]] = {}
    for d, words in per.items():
        others = set().union(*(v for o, ws in plain.items() if o != d for v in ws)) if len(plain) > 1 else set()
        # Distinct by its written forms; matched by them and its lemma ('מהשכירות' names the lease).
        out[d] = {v for w, forms in zip(words, plain[d], strict=True) if not forms & others for v in (w, _key(w))}
    return out


_DOC_WORDS = frozenset(("הסכם", "בהסכם", "להסכם", "מהסכם", "שבהסכם", "חוזה", "החוזה", "בחוזה", "מסמך", "במסמך"))
_DOC_NOUNS = frozenset(("הסכם", "חוזה", "מסמך"))


def _doc_word(tok: str) -> bool:
    """'הסכם' with any prefixes ('ובהסכם', 'ולהסכם', 'שבחוזה')."""
    return tok in _DOC_WORDS or bool(_DOC_NOUNS & set(stems(tok)))


def _strongly_named(question: str, documents: Mapping[str, str]) -> list[str]:
    """Documents named as documents ('הסכם הסודיות', 'ה-NDA'), not only by a topic word of their title."""
    tokens = tokenize(question)
    out = []
    for d in _named_documents(question, documents):
        words = _title_terms(documents)[d]
        for i, tok in enumerate(tokens):
            variants = {*_forms(tok), _SYNONYMS.get(tok, tok)}
            if variants & words and (tok == "nda" or (i > 0 and _doc_word(tokens[i - 1]))):
                out.append(d)
                break
    return out


_IN_DOC = frozenset(("בהסכם", "שבהסכם", "בחוזה", "שבחוזה", "במסמך", "in"))
_BY_DOC = frozenset(("הסכם", "ההסכם", "חוזה", "החוזה", "the"))


def _scoped(question: str, documents: Mapping[str, str], *, definite: bool = True) -> list[str]:
    """Documents the question asks within ('בהסכם ההתקשרות', 'לפי הסכם השכירות'), not only names."""
    tokens = tokenize(question)
    out = []
    for d in _named_documents(question, documents):
        words = _title_terms(documents)[d]
        for i, tok in enumerate(tokens):
            if not {*_forms(tok), _SYNONYMS.get(tok, tok)} & words or i == 0:
                continue
            before = re.sub(r"^[וש]+(?=ב)", "", tokens[i - 1])  # 'ובהסכם', 'שבהסכם'
            if before in _IN_DOC or (i > 1 and tokens[i - 1] in _BY_DOC and tokens[i - 2] in ("לפי", "per")):
                out.append(d)
                break
            if definite and tokens[i - 1] in ("הסכם", "חוזה") and tok.startswith("ה") and len(tok) > 3:
                # 'הסכם הזכיינות' (definite) is this document; 'הסכם סודיות' is a kind of document.
                out.append(d)
                break
    return out


def _named_documents(question: str, documents: Mapping[str, str]) -> list[str]:
    """Documents the question names by a distinctive word of their title, in the order named."""
    tokens = tokenize(question)
    found: list[tuple[int, str]] = []
    for d, words in _title_terms(documents).items():
        for i, tok in enumerate(tokens):
            variants = {*_forms(tok), _SYNONYMS.get(tok, tok)}
            if variants & words or any(_one_off(v, w) for v in variants for w in words if v[0] not in "~≈"):
                found.append((i, d))
                break
    return [d for _, d in sorted(found)]


def _one_off(a: str, b: str) -> bool:
    """A one-letter typo in a long word ('השכירוט' for 'השכירות')."""
    return len(a) == len(b) >= 5 and sum(x != y for x, y in zip(a, b, strict=True)) == 1


_HOW_MUCH = re.compile(
    # 'בכמה עותקים', 'בכמה תשלומים': a count of a plural noun is asked, not a price ('בכמה זה עולה')
    r"כמה [^?]{0,20}לשלם|כמה עול|כמה זה|בכמה(?! זמן| יום| [\u05d0-\u05ea]{2,}(?:ים|ות)(?![\u05d0-\u05ea]))"
    r"|כמה יעלה|כמה תעלה"
    r"|כמה (?:משלמ|משלם|ישלם|תשלם|ישלמו|ישולם)|מה המחיר|מחיר של"
    r"|how much(?! (?:notice|time|advance notice|longer))|what does .* cost|كم سعر|كم يكلف"
)
_WHAT_TIME = re.compile(r"באיזו שעה|עד איזו שעה|מאיזו שעה|עד מתי אתם|מתי אתם פתוחים|שעות הפתיחה|שעות הפעילות|what time")
_HOURS_Q = re.compile(r"שעות|פתוחים|פתוח|סגורים|open|hours|ساعات")


# 'מה סכום ביטוח האש', 'מה גובה הערבות': the amount of a thing is asked; a clause that names the thing without a
# figure ('יבטח … בביטוח אש') does not say it.
# 'סכום' is an amount of money; 'גובה' is, when what follows is a charge ('גובה דמי הניהול'): 'גובה ההספק',
# 'גובה השעות הנוספות' ask a figure of another unit ('12 מגה-ואט', 'עד 20 שעות'), and any figure answers them.
_AMOUNT_OF = re.compile(
    r"(?<![\u05d0-\u05ea])(?:מה|מהו|מהי)\s+(?:ה)?(סכום|גובה)(?![\u05d0-\u05ea])\s*(?:ה)?([\u05d0-\u05ea]*)"
    r"|what is the amount of",
    re.IGNORECASE,
)
_CHARGE_NOUN = re.compile(
    r"(?:דמי|שכר|משכורת|ערבו|פיצוי|מקדמ|קנס|תשלו|עמל|ביטוח|ריבית|הלווא|מחיר|עלו|תמור|ריטיינר|הנח|חוב|פיקדון|"
    r"פקדון|בונוס|מענק|תמלוג|עיכבון|עכבון|השקע|הון|אגר|מס|הוצא|שטר|תקציב|הכנס|מחזור|קרן|פרמי|השתתפות|החזר|"
    r"זיכוי|סכום|ערך|שווי)"
)
_ANY_FIGURE = re.compile(r"\d|₪|ש\"ח|שקל")


def _asks_charge(question: str) -> bool:
    """Whether the question asks an amount of money: 'כמה עולה', or a charge it names ('דמי הניהול', 'בשכר')."""
    if _HOW_MUCH.search(question.lower()):
        return True
    for tok in tokenize(question):
        bare = tok[1:] if tok[:1] in "הבלומש" and len(tok) > 3 else tok
        if any(m is not None and m.end() >= 3 for m in (_CHARGE_NOUN.match(tok), _CHARGE_NOUN.match(bare))):
            return True
    return bool(re.search(r"\b(?:fee|fees|charge|cost|price|pay|rent)\b", question, re.IGNORECASE))


def _charge_forms(question: str) -> frozenset[str]:
    """The forms of a deposit or a guarantee the question asks of ('המקדמה', 'פיקדון', 'הערבות').

    What is paid to hold a booking or to secure a contract is not its price: a price row does not complete it.
    """
    out: set[str] = set()
    for tok in tokenize(question):
        if _DEPOSIT_WORD.match(tok):
            out |= {f for f in _forms(tok) if f[0] not in "~≈"}
    return frozenset(out)


_DEPOSIT_WORD = re.compile(r"^[ו]?[בלה]?(?:מקדמ|פיקדון|פקדון|ערבו|deposit)", re.IGNORECASE)


def _required(question: str) -> re.Pattern[str] | None:
    """What any answer must contain: an amount for 'how much', a clock time for 'what time'.

    'מה גובה X' / 'מה סכום X' needs money when X is a charge, and a figure of any unit otherwise.
    """
    if _HOW_MUCH.search(question.lower()):
        return _SHAPE["money"]
    if (amount := _AMOUNT_OF.search(question)) is not None:
        # 'סכום' is itself a sum of money; 'גובה' is the height of anything, of money only before a charge
        word, noun = amount.group(1), amount.group(2)
        charge = word != "גובה" or any(_CHARGE_NOUN.match(n) for n in (noun, "ה" + noun))
        return _SHAPE["money"] if charge else _ANY_FIGURE
    if _WHAT_TIME.search(question.lower()):
        return _SHAPE["hours"]
    if _HOW_OFTEN.search(question):
        return _MEASURE_FORMS[1][1]  # 'באיזו תדירות': a clause that says how often ('פעם ברבעון'), no other
    return None


_HOW_OFTEN = re.compile(r"(?<![\u05d0-\u05ea])(?:ב?איזו|מה ה?|מהי ה?)\s*תדירות|\bhow often\b", re.IGNORECASE)


def _shape(question: str, intent: str) -> re.Pattern[str] | None:
    if intent == "hours_question" or _HOURS_Q.search(question.lower()):
        return _SHAPE["hours"]
    words = {t for tok in tokenize(question) for t in (tok, *stems(tok))}
    if intent == "price_question" or _MONEY_WORDS & words:
        return _SHAPE["money"]
    if _TIME_Q.search(question):
        return _SHAPE["time"]
    return None


# Numbers said in words: how many of a thing ('טיפול אחד', 'שלוש הזרקות'), like a figure, not a word to find.
# ('שני' and 'שתי' are left out: 'יום שני' is a day, 'שתי העיניים' a table's column.)
_QUANTITY_WORDS = frozenset({"אחד", "אחת", "שניים", "שתיים", "שלוש", "שלושה", "ארבע", "ארבעה", "חמש", "חמישה"})


def _listed_under_heading(terms: _Terms, ranked: Sequence[_Candidate], needed: float) -> list[_Candidate]:
    """The items of a list whose heading asks the question ('מה להביא לתור'), in the list's order; or [].

    Each item says one thing to bring and none carries the question's words: the heading does, and the
    list under it is the answer. Only a heading that covers the question, over items that tie on it.
    """
    groups: dict[tuple[str, str], list[_Candidate]] = {}
    for c in ranked[:16]:
        if not c.unit.is_row and c.unit.context:
            groups.setdefault((c.hit.chunk_id, c.unit.context), []).append(c)
    best: list[_Candidate] = []
    best_cover = needed
    for (_, context), items in groups.items():
        cover = terms.cover(_words(context))
        top = max(c.coverage for c in items)
        tied = [c for c in items if abs(c.coverage - top) < 1e-9 and terms.cover(c.words) < needed / 2]
        if len(tied) >= 2 and cover >= best_cover:
            best, best_cover = tied, cover
    if not best:
        return []
    order = [u.text for u in clause_units(best[0].hit.text)]
    return sorted(best, key=lambda c: order.index(c.unit.text) if c.unit.text in order else len(order))[:6]


def _variant_rows(best: _Candidate, ranked: Sequence[_Candidate], question: str = "") -> list[_Candidate]:
    """The best row and the rows of its table that fit the question as well, in the table's order.

    'כמה עולה שוקווייב?' names the treatment, not which of its rows (a single session, a series of five):
    each row is one of its prices, and quoting one of them at random would answer a question not asked.
    A length the question gives in words ('של חצי שעה') picks the rows of that many minutes ('30 דקות').
    """
    ties = [
        c
        for c in ranked[1:8]
        if c.unit.is_row
        and c.hit.chunk_id == best.hit.chunk_id
        and c.unit.context == best.unit.context
        and c.unit.text != best.unit.text
        and c.coverage >= best.coverage - 1e-9
    ][:2]
    if not ties:
        return [best]
    minutes = asked_minutes(question)
    if minutes is not None:
        lasting = [c for c in (best, *ties) if _lasts(c.unit.text, minutes)]
        if lasting:
            best, ties = lasting[0], lasting[1:]
            if not ties:
                return [best]
    order = [u.text for u in clause_units(best.hit.text)]
    return sorted([best, *ties], key=lambda c: order.index(c.unit.text) if c.unit.text in order else len(order))


def asked_minutes(question: str) -> int | None:
    """The length of a session a question asks about, in minutes, or None (`sochen.text.durations`)."""
    return said_minutes(question)


def _some_row_lasts(library: Library, minutes: int, question: str) -> bool:
    """Whether a row of the documents says a session of what the question names lasts `minutes`.

    ('ריפוי בעיסוק של חצי שעה' where only speech therapy has 30-minute rows: no.)
    """
    named = [
        _forms(t)
        for t in tokenize(question)
        if len(t) >= 3 and not _stop(t) and not t.isdigit() and not _forms(t) & _UNNAMING
    ]
    return any(
        u.is_row and _lasts(u.text, minutes) and (not named or any(f & _words(f"{u.context} {u.text}") for f in named))
        for c in library.chunks
        for u in clause_units(c.text)
    )


def _lasts(text: str, minutes: int) -> bool:
    """Whether a row says the session lasts `minutes` ('— 30 דקות, במכון')."""
    return minutes in digit_minutes(text)


# A time of day: '17:30', 'ב-5', 'בחמש וחצי', 'בשמונה בערב'.
_CLOCK_ASKED = re.compile(
    r"\d{1,2}:\d{2}|(?<![\u05d0-\u05ea\d])(?:ב-?|בסביבות\s+|לקראת\s+)\d{1,2}(?![\d.,:])"
    r"|(?<![\u05d0-\u05ea])(?:ב|בסביבות\s+|לקראת\s+)?(?:"
    + "|".join(sorted(CLOCK_NUMBERS, key=len, reverse=True))
    + r")(?:\s+וחצי|\s+ורבע|\s+בערב|\s+בבוקר|\s+אחה\"צ)(?![\u05d0-\u05ea])"
)

# Coming or being open: what a day's hours row answers, in the asker's words ('אפשר להגיע', 'אתם פתוחים', 'יש לי תור').
_COMING = re.compile(r"הגי?ע|מגיע|לבוא|באים|פתוח|פתיחה|עובדים|פועלים|קבלה|מקבלים|^תור|^ותור")

# Words that place a time ('אחרי העבודה', 'לפני הגן', 'בסביבות חמש') and the part of the day it falls in
# ('בצהריים, בסביבות 14:00'): the time's, not a topic of the question, even where an hours note uses them.
_AROUND = frozenset(
    {"אחרי", "לפני", "אחר", "בסביבות", "לקראת", "מאז", "בערך", "בזמן"}
    | {"בבוקר", "בצהריים", "בצהרים", 'אחה"צ', "בערב", "בלילה", "הבוקר", "הצהריים", "הערב"}
)

# A question word other than whether or when ('מה צריך להביא', 'מי מקבל', 'כמה עולה'): it asks something else.
_ASKS_OTHER = re.compile(r"(?<![\u05d0-\u05ea])ו?(?:מה|מי|כמה|איך|למה|איפה|היכן)(?![\u05d0-\u05ea])")


def _clock_only(focus: str, row: _Candidate, known: Callable[[str], bool]) -> bool:
    """A day and a time of day asked, and no word the documents use beyond the row's, coming or opening.

    'יש לי תור ביום חמישי ב-17:00, מה צריך להביא להערכה?' asks what to bring and 'הנוירולוגית מקבלת ביום חמישי
    ב-17:00?' whether she is there: the institute's hours of that day answer neither.
    """
    if _CLOCK_ASKED.search(focus) is None or _ASKS_OTHER.search(focus):
        return False
    said = row.words | _words(row.unit.context)
    for tok in tokenize(_CLOCK_ASKED.sub(" ", focus)):
        if len(tok) < 3 or tok.isdigit() or _stop(tok) or tok in _STOP or _COMING.search(tok) or tok in _AROUND:
            continue
        forms = _forms(tok)
        if not forms & said and any(known(f) for f in forms):
            return False
    return True


_BACKGROUND = re.compile(
    r"^(?P<bg>[^?,]+),\s*(?=ו?(?:מה|מהו|מהי|כמה|מתי|איך|האם|איפה|היכן|מי|למה|איזה|איזו|אילו|באיזה|באיזו|באילו)\s)"
)


_CONDITION = re.compile(r"\s*(?:אם|ואם|כש|במקרה|בהנחה|נניח|if|when|suppose)", re.I)


def _background(question: str) -> set[str]:
    """The words of a statement that opens a one-sentence question before its question word, as forms.

    They tell the situation ('יש לי תור לאורתופד ביום רביעי, מה להביא?'); what is asked comes after them, so
    they weigh a third: the clause about what to bring is the answer, not the orthopaedist's days.
    """
    text = normalize(question).strip()
    told = _TOLD_FIRST.match(text)
    if (
        told is not None
        and not _ASKING.search(told.group("bg"))
        and not _CONDITION.match(told.group("bg"))
        # 'יש לנו תור לאבחון. כמה זה עולה?': a bare question sentence asks about what was told before it
        and any(len(t) >= 3 and not _stop(t) for t in tokenize(text[told.end() :]))
    ):
        # 'נשארו לנו 4 מפגשים בסדרה של ריפוי בעיסוק. אפשר להעביר אותם לאחות שלו?': the sentences told before
        # the question sentence are its situation, the same as a clause before the question word.
        return {f for tok in tokenize(told.group("bg")) if not _stop(tok) for f in _forms(tok)}
    m = _BACKGROUND.match(text)
    if m is None or _ASKING.search(m.group("bg")) or _CONDITION.match(m.group("bg")):
        return set()  # 'אם המשכיר יעדכן …, מה יהיו …': a condition is part of what is asked
    return {f for tok in tokenize(m.group("bg")) if not _stop(tok) for f in _forms(tok)}


# Advice asked for one's own case ('כדאי לי…?', 'מה מומלץ לי?'): a sensitive message asking it goes to a person.
_ADVICE = re.compile(
    r"(?<![\u05d0-\u05ea])(?:כדאי|מומלץ|ממליצים|ממליצה|ממליץ|דעתכם|דעתך)(?![\u05d0-\u05ea])"
    r"|\b(?:should i|do you recommend|would you recommend|is it advisable)\b",
    re.I,
)
# Statements (ending in '.' or '!') before a message's one question sentence.
_TOLD_FIRST = re.compile(r"^(?P<bg>[^?]*[.!])\s+(?=[^.!?]+\?\s*$)")


# Figures of a story that are no quantity to compute with: how long ago, an age, an amount claimed ('עולה 50 שקל').
_NOT_A_QUANTITY = re.compile(
    r"לפני\s+\d+\s*[\u05d0-\u05ea]+|(?<![\u05d0-\u05ea])(?:בן|בת|בגיל|גיל)\s+\d+"
    r"|\d[\d,.]*\s*(?:₪|ש\"ח|שקל[\u05d0-\u05ea]*|nis\b)"
)


def _section_of(c: _Candidate) -> tuple[str, str]:
    """The document and the section a clause is under: its heading lines, else its section path less its own number."""
    if c.unit.context.strip():
        return c.hit.document_id, c.unit.context.strip().splitlines()[-1].strip()
    path = c.hit.section.split(" › ")
    own = len(path) > 1 and re.fullmatch(r"\d{1,3}(?:\.\d{1,3})+\.?", path[-1].strip()) is not None
    return c.hit.document_id, (path[-2] if own else path[-1]).strip()


def _figure_beside(
    unbound: Sequence[_Candidate], ranked: Sequence[_Candidate], question_words: AbstractSet[str], needed: float
) -> list[_Candidate]:
    """The clause that names what is asked, and beside it in its section the clause with the figure asked for.

    `unbound` ranks every clause, `ranked` only those with the figure (an amount for 'how much'). When the best
    clause covers the question but has no figure, the figure is taken from a clause of the same section that names
    a word of the question the best clause names too ('מכתב'): both are quoted, in document order. A clause of
    another section, or one that shares no asked word with it, does not complete it.
    """
    if not unbound or unbound[0].coverage < needed or unbound[0].unit.is_row:
        return []
    best = unbound[0]
    if any(r.unit.text == best.unit.text and r.hit.chunk_id == best.hit.chunk_id for r in ranked):
        return []  # it has the figure: the ordinary choice said no for another reason
    # the thing both name ('מכתב'), not what is asked of it ('עולה', 'מחיר', 'תשלום')
    shared = {w for w in best.words & question_words if not _MONEY_WORDS & {w} and not _CHARGE_NOUN.match(w)} - _STOP
    beside = next(
        (
            c
            for c in ranked[:_PART_POOL]
            if not c.unit.is_row and _section_of(c) == _section_of(best) and _next_clause(best, c) and c.words & shared
        ),
        None,
    )
    return [] if beside is None else [best, beside]


def _clause_number(text: str) -> tuple[int, ...] | None:
    """The number a sub-clause opens with ('4.2 מכתב קצר …' → (4, 2)); None for a unit with none or a bare '4.'."""
    m = _CLAUSE_NUMBER.match(text)
    parts = tuple(int(p) for p in m.group(0).strip(" .").split(".")) if m else ()
    return parts if len(parts) > 1 else None


def _next_clause(best: _Candidate, c: _Candidate) -> bool:
    """Whether `c` is the clause right after `best`: numbered, the next number ('4.1' → '4.2').

    Unnumbered, the next unit of the same chunk. What goes on to price the thing follows the clause that names it,
    not one before it or further on.
    """
    first, then = _clause_number(best.unit.text), _clause_number(c.unit.text)
    if _CLAUSE_NUMBER.match(best.unit.text) and _CLAUSE_NUMBER.match(c.unit.text):
        return first is not None and then is not None and then == (*first[:-1], first[-1] + 1)
    if c.hit.chunk_id != best.hit.chunk_id:
        return False
    order = [u.text for u in clause_units(best.hit.text)]
    at = order.index(best.unit.text) if best.unit.text in order else -1
    return 0 <= at < len(order) - 1 and order[at + 1] == c.unit.text


def _priced_after_story(question: str) -> str | None:
    """The price question after the statements told before it, from its price words on; None when there is none.

    'נפלתי לפני חודש ולא היה שבר. נשאר לי כאב בכתף — כמה עולה ביקור ראשון?' → 'כמה עולה ביקור ראשון?'. Only a
    price question that names what it prices ('יש לנו תור לאבחון. כמה זה עולה?' prices what was told).
    """
    after = _told_after(question)
    ask = _HOW_MUCH.search(after.lower()) if after != question else None
    if ask is None or re.search(r"\d", _NOT_A_QUANTITY.sub(" ", question[: len(question) - len(after)])):
        return None  # a quantity told before ('עבד 36 שעות. כמה תשלם לו?') is what the price is computed from
    priced = after[ask.start() :]
    named = [t for t in tokenize(priced[ask.end() - ask.start() :]) if len(t) >= 3 and not _stop(t)]
    return priced if named else None


def _it_is_other(message: str, priced: str, quoted: str) -> bool:
    """'…צריך ניקוי אבנית. כמה זה עולה לכלב?' answered by a row the story does not name ('בדיקה כללית לכלב').

    'זה' prices what the story named: the quoted row's name must share a word the story says and the price
    question does not ('לכלב', in both, says for whom). True when it shares none: the price question read alone
    found another thing.
    """
    if not _IT.search(priced):
        return False
    story = _words(message[: max(0, len(message) - len(priced))]) - _words(priced)
    name = quoted.split(" · ")[0].split(":", 1)[-1]
    return bool(story) and not (_words(name) & story)


_IT = re.compile(r"(?<![\u05d0-\u05ea])(?:זה|זאת|זו|הם|הן)(?![\u05d0-\u05ea])")


def _priced_after_clauses(question: str) -> str | None:
    """The price question after a story told in comma clauses, from its price words on; None when there is none.

    'לפני שנתיים היה לי משבר, היום אני בסדר, כמה עולה טיפול?' → 'כמה עולה טיפול?'. Read only when the whole
    message finds nothing: a clause may also say whose price is asked ('אני סטודנטית, כמה עולה טיפול?').
    """
    ask = _HOW_MUCH.search(question.lower())
    if ask is None or _TOLD_FIRST.match(question.strip()):
        return None
    told = question[: ask.start()]
    if (
        not re.search(r"[\u05d0-\u05ea]\s*,\s*$", told)
        or _ASKING.search(told)
        or _CONDITION.match(told)
        or re.search(r"\d", _NOT_A_QUANTITY.sub(" ", told))
    ):
        return None
    priced = question[ask.start() :]
    named = [t for t in tokenize(priced[ask.end() - ask.start() :]) if len(t) >= 3 and not _stop(t)]
    return priced if named else None


def _told_after(question: str) -> str:
    """The question sentence without the statements told before it (the question itself when none are)."""
    told = _TOLD_FIRST.match(question.strip())
    return question.strip()[told.end() :] if told is not None else question


# An aside in parentheses that is only a name in Latin letters and digits: '(CBC)', '(HbA1c)', '(PRP, OCT)'.
_LATIN_ALIAS = re.compile(r"\(\s*[A-Za-z][A-Za-z0-9\-+./]*(?:[\s,/]+[A-Za-z0-9][A-Za-z0-9\-+./]*)*\s*\)")


def _row_matches(unit: Unit, question_words: AbstractSet[str], tokens: Sequence[str] = ()) -> bool:
    """A table record is about what the question names.

    A word of its first value is in the question, and where the question goes on past that word it goes on
    as the record does ('בדיקת צוואה' is not 'בדיקת חוזה עבודה') or names a column of its table ('OCT לשתי
    העיניים' is the OCT record's 'שתי העיניים').
    """
    header = _words(unit.context)
    key = {t for t in _words(unit.row_key) if len(t) > 1 and t not in _STOP}
    if not key:
        return True
    if (_days(unit.row_key) | _weekdays_named(key)) & _weekdays_named(question_words):
        return True  # the asked weekday is the row's, or in its range ('ו׳' for Friday, 'ראשון–חמישי' for Tuesday)
    if not key & question_words:
        return False
    names: list[set[str]] = []
    aside_ends: set[int] = set()  # the last word of an aside in parentheses ('עקירת שן (בנוסף לניקוי)')
    for segment in re.split(r"(\([^()]*\))", unit.row_key):
        names += [_forms(t) for t in tokenize(segment) if not _stop(t)]
        # A name in Latin letters ('ספירת דם מלאה (CBC)') is the record's other name, not an aside: an English or
        # Arabic question gives it alone.
        if segment.startswith("(") and names and not _LATIN_ALIAS.fullmatch(segment):
            aside_ends.add(len(names) - 1)
    for j, tok in enumerate(tokens):
        here = _synonymous(_forms(tok))
        for i, name in enumerate(names):
            if not here & name:
                continue
            nxt = tokens[j + 1] if j + 1 < len(tokens) else None
            said = _synonymous(_forms(nxt)) if nxt is not None else set()  # 'לדירה' goes on as 'למגורים'
            # A count after the entity ('טיפול פיזיותרפיה אחד', 'אולטרסאונד לשתי הכתפיים') says how many.
            quantity = nxt is not None and (
                nxt.isdigit() or bool({nxt, *stems(nxt)} & (_QUANTITY_WORDS | {"שתי", "שני"}))
            )
            if nxt is None or _stop(nxt) or quantity:
                return True
            # An aside's last word ('(בנוסף לניקוי)') does not end the record's name: 'ניקוי אוזניים' goes on as
            # no part of this record does, and is another treatment.
            if i not in aside_ends and (i + 1 >= len(names) or said & names[i + 1]):
                return True
            if _forms(nxt) & header:
                return True
            if len(nxt) >= 4 and _forms(nxt) & _words(unit.text.replace(unit.row_key, " ")):
                return True  # 'מכבי לבדיקת שומות' goes on as another cell of the record ('מה מכוסה: בדיקת שומות')
    return False


@dataclass
class _Candidate:
    unit: Unit
    hit: SearchHit
    score: float
    coverage: float
    words: AbstractSet[str]


# A sentence that says a service is not offered answers 'how much is it' too: it is not sold here.
_NOT_OFFERED = re.compile(
    r"(?:אינ[הםו]|אינן|לא)\s+(?:מציע|מציעה|מציעים|מבצע|מבצעת|מבצעים|עוש[הי]ם?|נותן|נותנ[תי]ם?|מעניק[הי]ם?)"
    r"(?![\u05d0-\u05ea])|(?:אינ[םןהו]?|לא)\s+(?:ניתנ|מתבצע|מוצע)[\u05d0-\u05ea]{0,2}(?![\u05d0-\u05ea])"
    r"|(?:אין|לא)\s+(?:לנו|אצלנו)(?![\u05d0-\u05ea])|\bdo(?:es)? not offer\b|\bnot offered\b"
)


_RESTRICT = re.compile(
    r"(?:לא|אין|אינם|איננו)\s+(?:מטפלים|מטפלות|מטפל|מטפלת|נטפל|לטפל|מבצעים|מבצע|מזריקים|מזריק)(?![\u05d0-\u05ea])"
    r"|\bdo not (?:treat|perform|inject)\b"
    # A contraindication: 'ניתוח לייזר אינו מתאים … בקרטוקונוס'.
    r"|(?:אינו|אינה|אינם|אינן|לא)\s+(?:מתאים|מתאימה|מתאימים|מתאימות)(?![\u05d0-\u05ea])|\bnot suitable\b",
)


def _restriction(focus: str, library: Library) -> Quote | None:
    """The one clause that withholds a treatment for a condition the question states ('בהריון לא מטפלים בבוטוקס').

    It names a rare word of the question (the condition) and another of its words (the treatment).
    """
    tokens = [t for t in tokenize(focus) if len(t) >= 3 and not _stop(t) and t not in _STOP]
    forms = [{f for f in _forms(t) if f[0] != "≈"} for t in tokens]
    units = [(c, u) for c in library.chunks for u in clause_units(c.text)]
    uses = [sum(1 for _, u in units if f & _words(u.text)) for f in forms]
    found: list[Quote] = []
    for chunk, unit in units:
        if not _RESTRICT.search(unit.text):
            continue
        words = _words(unit.text)
        named = [i for i, f in enumerate(forms) if f & words]
        if len(named) >= 2 and any(uses[i] <= 2 for i in named):
            found.append(Quote(unit.text, relabel(chunk.section, unit.clause), chunk, 1.0, 1.0))
    return found[0] if len(found) == 1 else None


# Whether one is charged: 'יחייבו אותי?', 'אני משלם?', 'יורידו לי טיפול מהכרטיסייה?'.
_CHARGE_ASKED = re.compile(
    r"(?<![\u05d0-\u05ea])(?:י?חייבו|תחייבו|יחויב|יחויבו|אחויב|מחייבים|לחייב|משלמ[\u05d0-\u05ea]*|אשלם|לשלם|ישלם"
    r"|דמי\s+(?:ביטול|אי)|קנס|יורידו|ירד|יורד|ינכו|ייגבו|גובים)(?![\u05d0-\u05ea])"
)
# An appointment missed, cancelled or due: what an exception to a charge is about.
_ABSENCE = re.compile(
    r"(?<![\u05d0-\u05ea])(?:ו|ש|ה|ל|ב|מה|כש)?(?:ביטול|לבטל|מבטל|מבטלת|מבטלים|אבטל|נבטל|תבטל|בוטל|ביטלתי|אגיע|נגיע"
    r"|הגעתי|הגענו|הגיע|הגיעה|להגיע|הגעה|תור|התור|מפגש|טיפול|פגישה|כרטיסייה|כרטיסיה)(?![\u05d0-\u05ea])"
    r"|cancel|miss|appointment|session|отмен|пропуст|إلغاء|موعد"
)
# A clause of exceptions to a charge: 'חריגים: לא ייגבו דמי ביטול כש…', 'פטור מ…'.
_EXCEPTION_SAID = re.compile(
    r"(?<![\u05d0-\u05ea])(?:חריג|חריגים|חריגה)(?![\u05d0-\u05ea])|לא\s+ייגב|לא\s+יחויב|לא\s+תחויב|פטור\s+מ"
)


def _exception(focus: str, library: Library) -> Quote | None:
    """'קיבלתי צו 8 ויש לי תור בעוד שעתיים, יחייבו אותי?': the clause of exceptions that names the asker's case.

    The question asks whether a charge applies, and tells a circumstance (reserve duty, a hospitalisation)
    that one clause of exceptions names: a word of the question that clause uses, and at most one other
    clause does. The general rule ('ביטול מאוחר מחויב') does not answer someone the exception covers.
    """
    if not _CHARGE_ASKED.search(focus) or len(_parts(focus)) != 1:
        return None
    if _PRICE_ASKED.search(focus) or not _ABSENCE.search(focus):
        # 'הילד חולה באוטיזם, כמה משלמים על ריפוי בעיסוק?' asks a price; an exception is to a charge for an
        # appointment missed or cancelled, which the message speaks of.
        return None
    tokens = [t for t in tokenize(focus) if len(t) >= 3 and not _stop(t) and t not in _STOP]
    # The words as said (a prefix taken off): 'חולה' is not the 'חולים' of 'קופת חולים'.
    # What any cancellation question says (cancel, a day, hours before, the appointment) is not a case.
    forms = [
        {f for f in _forms(t) if f[0] not in "~≈"}
        for t in tokens
        if not _CHARGE_ASKED.match(t) and not _WINDOW_ACT.search(t) and not t.isdigit()
    ]
    units = [(c, u, _words(u.text)) for c in library.chunks for u in clause_units(c.text)]
    uses = [sum(1 for *_, w in units if f & w) for f in forms]
    found: list[Quote] = []
    for chunk, unit, words in units:
        if not _EXCEPTION_SAID.search(unit.text) or not _CHARGE_WORDS.search(unit.text):
            continue
        if any(f & words and uses[i] <= 2 for i, f in enumerate(forms)):
            found.append(Quote(unit.text, relabel(chunk.section, unit.clause), chunk, 1.0, 1.0))
    return found[0] if len(found) == 1 else None


# What a clause of exceptions is about: a fee, a charge, a deduction.
_CHARGE_WORDS = re.compile(r"דמי|חיוב|מחויב|ייגב|קנס|תשלום|ירד|ינוכה|פטור")


# 'אני צריך הפניה כדי …?': whether a thing is needed, and the thing.
_NEED_ASKED = re.compile(
    r"(?<![\u05d0-\u05ea])(?:צריך|צריכה|צריכים|חייב|חייבת|חייבים|נדרש|נדרשת|נדרשים)\s+(?:גם\s+)?(?:את\s+)?"
    r"(?P<thing>[\u05d0-\u05ea]{3,})"
)
# A sentence that says whether something is needed ('אין צורך בהפניה', 'נדרשת הפניה').
_NEED_SAID = re.compile(
    r"(?:אין|ללא|יש)\s+צורך\s+ב|(?<![\u05d0-\u05ea])(?:לא\s+)?נדרש(?:ת|ים|ות)?(?![\u05d0-\u05ea])"
    r"|(?<![\u05d0-\u05ea])ו?ה?חובה(?![\u05d0-\u05ea])"
)


def _need(focus: str, library: Library) -> Quote | None:
    """'אני צריך הפניה כדי לקבוע תור לאורתופד?': the one clause that says whether the thing is needed for it.

    The clause says it in so many words ('לביקור פרטי אצל אורתופד … אין צורך בהפניה') beside another word of
    the question; a clause that only mentions the thing ('בהסדר — בהפניה מרופא המשפחה') does not answer
    whether it is needed.
    """
    asked = _NEED_ASKED.search(focus)
    if asked is None or len(_parts(focus)) != 1:
        return None
    thing = {f for f in _forms(asked.group("thing")) if f[0] != "≈"}
    before = tokenize(focus[: asked.start()])
    after = tokenize(focus[asked.end() :])
    if after and after[0].startswith("מ"):
        # whom the thing is from ('הפניה מרופא משפחה', 'הפניה מהקופה') is the thing, not what it is for
        after = after[1:]
        if after and not after[0].startswith(("ל", "ב", "כדי")) and not _stop(after[0]):
            after = after[1:]
    # Every other word of the question counts, the ones told before it too ('אני מבוטח במכבי. אני צריך הפניה…'):
    # a clause about the thing that shares more of them decides, even when it does not say 'נדרש' in so many words.
    rest = [
        {f for f in _forms(t) if f[0] != "≈"}
        for t in (*before, *after)
        if len(t) >= 3 and not _stop(t) and not _forms(t) & thing and not _NEED_ASKED.match(t)
    ]
    found: list[tuple[int, Quote]] = []
    rivals = 0
    for chunk in library.chunks:
        for unit in clause_units(chunk.text):
            words = _words(unit.text)
            if not thing & words:
                continue
            shared = sum(1 for f in rest if f & words)
            if not any(_NEED_SAID.search(s) and thing & _words(s) for s in sentences(unit.text)):
                rivals = max(rivals, shared)
            elif shared:
                found.append((shared, Quote(unit.text, relabel(chunk.section, unit.clause), chunk, 1.0, 1.0)))
    if not found:
        return None
    best = max(n for n, _ in found)
    top = [q for n, q in found if n == best]
    return top[0] if len(top) == 1 and best >= rivals else None


_ELIGIBLE = re.compile(
    r"(?:מקבל|מקבלת|מקבלים|מגיע|מגיעה|זכאי|זכאית|זכאים|חלה|do i get|eligible)[^?]{0,30}(?:הנחה|ההנחה|discount)"
    r"|(?:הנחה|ההנחה|discount)[^?]{0,20}(?:חלה|תקפה|applies)",
    re.I,
)
_TOGETHER = re.compile(r"וגם|ביחד|יחד|באותו ביקור|בביקור אחד|ברכישה אחת|together|both|same visit")


def _eligibility(focus: str, library: Library) -> Quote | None:
    """'Do I get the discount if I buy X and Y together?': the one rule that gives a discount from a sum up.

    The rule's threshold decides; it is quoted (never a discounted figure the rule may not allow).
    """
    if not (_ELIGIBLE.search(focus.lower()) and _TOGETHER.search(focus.lower())):
        return None
    rules = [
        Quote(u.text, relabel(c.section, u.clause), c, 1.0, 1.0)
        for c in library.chunks
        for u in clause_units(c.text)
        if threshold_rule(u.text) is not None
    ]
    return rules[0] if len(rules) == 1 else None


# A question about paying in instalments ('בתשלומים', 'לחלק לתשלומים', 'כמה תשלומים').
_INSTALMENTS_ASKED = re.compile(r"(?<![\u05d0-\u05ea])(?:ב|ל|כמה\s+)?תשלומים(?![\u05d0-\u05ea])|\binstal?ments\b", re.I)


def _told_amount_band(focus: str, library: Library) -> tuple[Calculation, tuple[Quote, ...]] | None:
    """'הטיפול עולה 1,150 ₪, אפשר לשלם בתשלומים?': the amount told, in the one instalments rule's bands.

    The writer says the sum; the clause that splits payments by amount ('יותר מ-1,000 ₪ … עד 3 תשלומים') answers
    with the sentence of the band that holds it, the comparison shown. Only one amount told, one such clause.
    """
    told = money(focus)
    if len(told) != 1 or not _INSTALMENTS_ASKED.search(focus):
        return None
    rules = [
        (c, u)
        for c in library.chunks
        for u in clause_units(c.text)
        if not u.is_row and amount_bands(u.text) and _INSTALMENTS_ASKED.search(u.text)
    ]
    if len({(c.chunk_id, u.text) for c, u in rules}) != 1:
        return None
    chunk, rule = rules[0]
    found = band_holding(rule.text, told)
    if found is None:
        return None
    return found[1], (Quote(rule.text, relabel(chunk.section, rule.clause), chunk, 1.0, 1.0),)


def _price_band(focus: str, library: Library) -> tuple[Calculation, tuple[Quote, Quote]] | None:
    """'אפשר לשלם על האבחון הרב-מקצועי בתשלומים?': the rule's band that holds the named thing's price.

    The question gives no amount; one price-list record is the thing it names, and one clause holds from an
    amount up ('2,000 ₪ ומעלה … עד 4 תשלומים') about the rest of its words. The band's sentence is quoted
    (see :mod:`.bands`); the record and the comparison go with it as the answer's second quote and calculation.
    """
    if money(focus) or re.search(r"\d", focus) or len(_parts(focus)) != 1:
        return None
    if asked_operation(focus) is not None or re.search(r"(?<![\u05d0-\u05ea])ו?ב?כמה", focus):
        return None  # a figure asked for ('כמה זה יוצא אחרי ההנחה') is computed, not a band quoted
    if _WH_ASKED.search(focus):
        return None  # 'מתי משלמים על האבחון?' asks when, not whether the price falls in a band
    tokens = tokenize(focus)
    question_words = _synonymous(_words(focus))
    units = [(c, u) for c in library.chunks for u in clause_units(c.text)]
    named_by: dict[int, list[tuple[SearchHit, Unit]]] = {}
    for c, u in units:
        if u.is_row and u.row_key and money(u.text) and _row_matches(u, question_words, tokens):
            # how much of the record's own name the question says ('אבחון רב-מקצועי', not only 'אבחון')
            said = sum(1 for t in tokenize(u.row_key.split(":")[0]) if not _stop(t) and _forms(t) & question_words)
            named_by.setdefault(said, []).append((c, u))
    best = max(named_by, default=0)
    if best < 2 or len(named_by[best]) != 1:
        return None
    row_chunk, row = named_by[best][0]
    named = _words(row.row_key.split(":")[0]) | _words(row.context)
    said_by_row = named | _words(row.text)
    rest = [_forms(t) for t in tokens if len(t) >= 4 and not _stop(t) and not _forms(t) & said_by_row]
    rules = [
        (c, u)
        for c, u in units
        # every other word of the question is the clause's: 'אפשר לקבל החזר על התשלום…' asks a refund, not a band
        if not u.is_row and amount_bands(u.text) and rest and all(forms & _words(u.text) for forms in rest)
    ]
    if len(rules) != 1:
        return None
    rule_chunk, rule = rules[0]
    found = band_holding(rule.text, row_amounts(row.text))
    if found is None:
        return None
    quotes = (
        Quote(rule.text, relabel(rule_chunk.section, rule.clause), rule_chunk, 1.0, 1.0),
        Quote(row.text, row_chunk.section, row_chunk, 1.0, 1.0),
    )
    return found[1], quotes


_PRICE_ASKED = re.compile(
    r"כמה\s+(?:עול|יעל|תעל|תשלם|ישלם|משלמ|נשלם|אשלם)|מה\s+(?:ה)?מחיר|(?:ב)?איזה\s+מחיר"
    r"|how much|what price|what does .* cost",
    re.I,
)
# 'מסגרת אחת', 'ליחידה': the price of one is asked ('בהזמנה אחת' is one order, not one item).
_ONE_ASKED = re.compile(
    r"(?<![\u05d0-\u05ea])(?![בל])[\u05d0-\u05ea]{2,}\s+(?:אחת|אחד)(?![\u05d0-\u05ea])"
    r"|(?<![\u05d0-\u05ea])(?:ליחידה|לכל\s+יחידה|ליח')(?![\u05d0-\u05ea])|\b(?:each|per unit|a single)\b",
    re.I,
)


def _count_band(focus: str, library: Library, named: Sequence[str]) -> tuple[Calculation | None, Quote] | None:
    """The price of the quantity band that holds the count the question gives, in the archive's one such table.

    'כמה עולה מסגרת אחת כשמזמינים 3,000 יחידות?' is the row '2,000 עד 4,999 יחידות · מחיר ליחידה: ₪76' (no
    calculation: the price of one is asked); 'הזמנו 2,400 מסגרות, כמה נשלם?' is 2,400 × that band's price. Only
    when the archive has one table of count bands priced per unit, of a document the question does not exclude
    (it names none, or that one), and one band holds the count (see tables.banded_price).
    """
    if not _PRICE_ASKED.search(focus) or len(_parts(focus)) != 1:
        return None
    tables: dict[tuple[str, ...], tuple[list[Quote], tuple[int, Calculation]]] = {}
    for hit in library.chunks:
        if named and hit.document_id not in named:
            continue
        for unit in clause_units(hit.text):
            if not unit.is_row or not money(unit.text):
                continue
            rows = _table_rows(library, Quote(unit.text, relabel(hit.section, unit.clause), hit))
            key = tuple(r.text for r in rows)
            if key in tables:
                continue
            priced = banded_price(focus, list(key))
            if priced is not None:
                tables[key] = (rows, priced)
    if len(tables) != 1:
        return None
    rows, (i, calc) = next(iter(tables.values()))
    said = set().union(*(_words(r.text) | _words(r.section) for r in rows), _words(rows[i].hit.title))
    asked = {f for t in tokenize(focus) if len(t) > 2 and not _stop(t) for f in _forms(t) if f[0] not in "~≈"}
    if not asked & said:
        return None  # the question speaks of nothing the table names
    return (None if _ONE_ASKED.search(focus) else calc), rows[i]


# A question that asks when, how, why, where, what or who — not whether.
_WH_ASKED = re.compile(
    r"(?<![\u05d0-\u05ea])ו?(?:מתי|איך|כיצד|למה|מדוע|איפה|היכן|מה|מי|איזה|איזו|אילו)(?![\u05d0-\u05ea])"
    r"|\b(?:when|how|why|where|what|who|which)\b",
    re.I,
)
_CLAUSE_START = re.compile(r"(?=(?<![\d.])\d{1,3}\.\d{1,3}\.\s)")


def _in_window(focus: str, library: Library) -> Quote | None:
    """'ביטול יום וחצי לפני' placed in the one clause whose hours window holds 36 ('בין 48 ל-24 שעות')."""
    hours = asked_hours(focus)
    if hours is None:
        return None
    topic = [_forms(t) for t in tokenize(focus) if len(t) >= 4 and not _stop(t) and t not in _STOP]
    found: list[Quote] = []
    named: list[Quote] = []
    said: dict[str, frozenset[str]] = {}  # what each clause is about, for the service named below
    before, document = "", ""
    for chunk in library.chunks:
        if chunk.document_id != document:  # a clause refers back within its document (its chunks in order)
            before, document = "", chunk.document_id
        for unit in clause_units(chunk.text):
            for part in (p.strip() for p in _CLAUSE_START.split(unit.text) if p.strip()):
                # 'ביטול של תור כזה …' is about what the clause before it named ('תור לטיפול שורש …').
                about = f"{before} {part}" if _REFERS_BACK.search(part) else part
                before = part
                window = hour_window(part)
                if window is None:
                    continue
                inside = window[0] <= hours < window[1] or window[0] < hours <= window[1]
                if not inside and not _OTHER_SIDE.search(part):
                    continue
                words = _words(part)
                if not any(forms & words for forms in topic):
                    continue
                label = re.match(r"(\d{1,3}\.\d{1,3})\.", part)
                quote = Quote(part, relabel(chunk.section, label.group(1) if label else unit.clause), chunk, 1.0, 1.0)
                if inside:
                    found.append(quote)
                named.append(quote)
                said[quote.text] = _words(_CLAUSE_NUMBER.sub("", about))
    # Windows that differ by service ('מפגש טיפול — עד 24 שעות', 'ביקור בית — עד 48 שעות'): the clause of the thing
    # asked about decides, on whichever side of its window the hours fall. The question names it head first ('ביקור
    # בית של ריפוי בעיסוק' is a home visit): each of its words in turn keeps the clauses whose whole text uses it,
    # when some do and others don't. What a window rules (cancel, move, be charged, pay, hours before an appointment)
    # names no service; a question that names nothing more ('תור 30 שעות לפני') keeps to the window alone.
    left = named
    home = [q for q in named if _HOME_VISIT.search(q.text)]
    if _HOME_VISIT.search(focus) and home and len(home) < len(named):
        # A home visit ('מעסה הביתה', 'ביקור בית של ריפוי בעיסוק') has its own window: the service's clause is
        # the one for a visit at the clinic.
        left = home
        if len(left) == 1:
            return left[0]
    for tok in tokenize(focus) if len(left) > 1 else ():
        if len(tok) < 3 or tok.isdigit() or _stop(tok) or tok in _STOP or _WINDOW_ACT.search(tok):
            continue
        forms = _forms(tok)
        using = [q for q in left if forms & said[q.text]]
        if using and len(using) < len(left):
            left = using
            if len(left) == 1:
                return left[0]
    if len(found) > 1:
        # 'אם אבטל את התור 5 שעות לפני': the window of an appointment ('ביטול תור פחות מ-24 שעות'), not one of a
        # thing the question does not name ('ביטול ניתוח פחות מ-48 שעות').
        asked = {f for t in tokenize(focus) for f in _forms(t)} & _APPOINTMENT_WORDS
        of_it = [q for q in found if asked & {f for t in tokenize(q.text) for f in _forms(t)}]
        if len(of_it) == 1:
            return of_it[0]
    return found[0] if len(found) == 1 else None


_APPOINTMENT_WORDS = frozenset({"תור", "תורים", "פגישה", "מפגש"})
# A clock time a question gives ('ב-20:00', 'בשעה 19:30'), and a cancellation asked about with it.
_CLOCK_TIME_GIVEN = re.compile(r"(?<![\d:.])([01]?\d|2[0-3]):([0-5]\d)(?![\d:])")
_CANCEL_ASKED = re.compile(r"(?<![\u05d0-\u05ea])(?:ו?(?:א|נ|ת|י|ל)?בטל|ביטול|ביטלתי|ביטלנו|מבטל|להזיז|אזיז)")
# A clause's deadline by the clock: up to it ('עד השעה 18:00 ביום שלפני') or after it ('ביטול אחרי 18:00').
_CLOCK_UP_TO = re.compile(r"עד\s+(?:השעה\s+)?(\d{1,2}):(\d{2})")
_CLOCK_AFTER = re.compile(r"(?:אחרי|לאחר|מאוחר\s+מ-?|מ-?)\s*(?:השעה\s+)?(\d{1,2}):(\d{2})")


def _by_clock_deadline(focus: str, library: Library) -> Quote | None:
    """'אם אבטל ב-20:00 בערב שלפני' placed in the one clause whose deadline by the clock holds 20:00.

    A cancellation policy may set its deadline by the clock of the day before ('עד השעה 18:00 ביום שלפני —
    ללא חיוב'; 'ביטול אחרי 18:00 … מחויב ב-100 ₪'): of the clauses that share the question's topic and state such a
    deadline, the one on whose side the asked time falls answers. None unless exactly one does.
    """
    if not _CANCEL_ASKED.search(focus):
        return None
    asked = _CLOCK_TIME_GIVEN.search(focus)
    if asked is None:
        return None
    minute = int(asked.group(1)) * 60 + int(asked.group(2))
    topic = [_forms(t) for t in tokenize(focus) if len(t) >= 4 and not _stop(t) and t not in _STOP]
    found: list[Quote] = []
    for chunk in library.chunks:
        for unit in clause_units(chunk.text):
            for part in (p.strip() for p in _CLAUSE_START.split(unit.text) if p.strip()):
                if not _CANCEL_ASKED.search(part) or not any(forms & _words(part) for forms in topic):
                    continue
                after, up_to = _CLOCK_AFTER.search(part), _CLOCK_UP_TO.search(part)
                if after is not None:
                    holds = minute > int(after.group(1)) * 60 + int(after.group(2))
                elif up_to is not None:
                    holds = minute <= int(up_to.group(1)) * 60 + int(up_to.group(2))
                else:
                    continue
                if holds:
                    label = re.match(r"(\d{1,3}\.\d{1,3})\.?\s", part)
                    section = relabel(chunk.section, label.group(1) if label else unit.clause)
                    found.append(Quote(part, section, chunk, 1.0, 1.0))
    return found[0] if len(found) == 1 else None


_HOME_VISIT = re.compile(r"(?<![\u05d0-\u05ea])ביקור(?:י)?\s+(?:ה)?בית(?![\u05d0-\u05ea])")
# A clause that states both sides of its window: 'עד 48 שעות לפני — ללא חיוב. ביטול מאוחר יותר מחויב …'.
_OTHER_SIDE = re.compile(r"מאוחר\s+יותר|לאחר\s+מכן|אחרי\s+כן")
_CLAUSE_NUMBER = re.compile(r"^\d{1,3}(?:\.\d{1,3})*\.?\s*")
_REFERS_BACK = re.compile(r"(?<![\u05d0-\u05ea])(?:כזה|כזאת|כזו|כאלה|כאמור|הנ\"ל)(?![\u05d0-\u05ea])")
# The words of what a cancellation window rules, in any form: cancel, move, charge, pay, the appointment and its hours.
_WINDOW_ACT = re.compile(
    r"בי?טו?ל|הזי?ז|מזיז|חיי?ב|חוי?ב|ש[יו]?ל[םמ]|תשלו?ם|שעה|שעות|יום|ימים|לפני|מראש|מועד|תור"
    r"|cancel|resched|charg|pay|hour|day|before|appointment|отмен|час|день|дня|إلغاء|ساع"
)


def _late_window(focus: str, library: Library) -> Quote | None:
    """'אאחר בעשרים דקות' placed in the one lateness clause whose minutes window holds 20 ('יותר מ-15 דקות')."""
    minutes = asked_minutes_late(focus)
    if minutes is None:
        return None
    found: list[Quote] = []
    for chunk in library.chunks:
        for unit in clause_units(chunk.text):
            window = minutes_window(unit.text)
            if window is None or not is_about_lateness(unit.text):
                continue
            if window[0] < minutes <= window[1] or (window[0] == 0 and minutes <= window[1]):
                found.append(Quote(unit.text, relabel(chunk.section, unit.clause), chunk, 1.0, 1.0))
    return found[0] if len(found) == 1 else None


# How long ago the thing asked about happened: 'עברו כבר 75 יום מאז שקיבלתי', 'קניתי לפני 40 יום', 'לפני חודש'.
_ELAPSED = re.compile(
    r"(?<![\u05d0-\u05ea])(?:עברו|עבר|לפני)\s+(?:כבר\s+)?(?:כ-?)?(?:(?P<n>\d{1,3})\s+(?P<unit>יום|ימים|שבועות|חודשים)"
    r"|(?P<word>יום|יומיים|שבוע|שבועיים|חודש|חודשיים))(?![\u05d0-\u05ea])"
    r"|قبل\s+(?:(?P<ar_n>\d{1,3})\s+(?P<ar_unit>يوم|أيام|ايام|يوما|أسابيع|أشهر)|(?P<ar_word>شهر|شهرين|أسبوع|اسبوع|أسبوعين|يومين))"
    r"|\b(?:(?P<en_n>\d{1,3})|(?P<en_a>a|one))\s+(?P<en_unit>days?|weeks?|months?)\s+ago\b"
)
_ELAPSED_FOREIGN = {
    "يوم": 1, "أيام": 1, "ايام": 1, "يوما": 1, "أسابيع": 7, "أشهر": 30, "شهر": 30, "شهرين": 60, "أسبوع": 7,
    "اسبوع": 7, "أسبوعين": 14, "يومين": 2, "day": 1, "days": 1, "week": 7, "weeks": 7, "month": 30, "months": 30,
}  # fmt: skip
_ELAPSED_WORD = {"יום": 1, "יומיים": 2, "שבוע": 7, "שבועיים": 14, "חודש": 30, "חודשיים": 60}
_ELAPSED_UNIT = {"יום": 1, "ימים": 1, "שבועות": 7, "חודשים": 30}
_STILL_ASKED = re.compile(
    r"(?<![\u05d0-\u05ea])(?:אפשר|ניתן|אוכל|נוכל|יכול|יכולה|מותר|עדיין|עוד)(?![\u05d0-\u05ea])"
    r"|يمكن|يمكنني|نستطيع|أستطيع|\b(?:can|could|still)\b|можно|могу",
    re.I,
)
_WITHIN_DAYS = re.compile(r"(?:בתוך|תוך|עד)\s+(\d{1,3})\s+(?:יום|ימים)")
_AFTER_DAYS = re.compile(r"(?:אחרי|לאחר|מעבר\s+ל-?)\s*(\d{1,3})\s+(?:יום|ימים)")


def _elapsed_window(focus: str, library: Library) -> Quote | None:
    """'עברו 75 יום מאז שקיבלתי את המכשיר. אפשר עדיין להחזיר?' placed by the days' window of its clauses.

    Where the documents say what holds 'בתוך 60 יום' in one clause and 'אחרי 60 יום' in another, the days told
    pick the one: 40 days is within, 75 after. Only when both clauses of the same number are there, and the
    clause picked is the one of its side that covers the question's words best.
    """
    told = _ELAPSED.search(focus)
    if told is None or not _STILL_ASKED.search(focus) or not ("?" in focus or "؟" in focus):
        return None
    if told.group("n"):
        days = int(told.group("n")) * _ELAPSED_UNIT[told.group("unit")]
    elif told.group("word"):
        days = _ELAPSED_WORD[told.group("word")]
    elif told.group("ar_n"):
        days = int(told.group("ar_n")) * _ELAPSED_FOREIGN[told.group("ar_unit")]
    elif told.group("ar_word"):
        days = _ELAPSED_FOREIGN[told.group("ar_word")]
    else:
        days = int(told.group("en_n") or 1) * _ELAPSED_FOREIGN[told.group("en_unit").lower()]
    focus = f"{focus} {hebrew_terms(focus)}" if detect(focus) != "he" else focus
    terms = _terms(focus, library.idf)
    sides: dict[tuple[str, int], list[tuple[float, Quote]]] = {}
    for chunk in library.chunks:
        for unit in clause_units(chunk.text):
            for side, pattern in (("within", _WITHIN_DAYS), ("after", _AFTER_DAYS)):
                for m in pattern.finditer(unit.text):
                    score = terms.cover(_words(unit.text))
                    if score > 0:
                        quote = Quote(unit.text, relabel(chunk.section, unit.clause), chunk, 1.0, 1.0)
                        sides.setdefault((side, int(m.group(1))), []).append((score, quote))
    best: tuple[float, Quote] | None = None
    for (side, limit), found in sides.items():
        if side != "within" or ("after", limit) not in sides:
            continue
        picked = found if days <= limit else sides[("after", limit)]
        top = max(picked, key=lambda f: f[0])
        if best is None or top[0] > best[0]:
            best = top
    return best[1] if best is not None and best[0] >= _MIN_COVERAGE * 0.25 else None


def _counted(focus: str, library: Library) -> tuple[Calculation, tuple[Quote, Quote]] | None:
    """'כמה יעלו שתי שומות?' where the table prices the first and 'כל שומה נוספת': the first plus the rest.

    The row for each further item follows the row of the first one in its table (the row just above it).
    """
    asked = asked_count(focus)
    if asked is None or not _HOW_MUCH.search(focus.lower()):
        return None
    count, noun = asked
    forms = {f for f in _forms(noun) if f[0] != "≈"}
    for chunk in library.chunks:
        units = clause_units(chunk.text)
        for i in range(1, len(units)):
            more, first = units[i], units[i - 1]
            if not (more.is_row and first.is_row and is_each_more(more.text) and forms & _words(more.text)):
                continue
            calc = additional_total(first.text, more.text, count)
            if calc is not None:
                quotes = tuple(Quote(u.text, relabel(chunk.section, u.clause), chunk, 1.0, 1.0) for u in (first, more))
                return calc, (quotes[0], quotes[1])
    return None


_LATIN_NAME = re.compile(r"(?<![A-Za-z])[A-Za-z][A-Za-z0-9-]{1,}(?![A-Za-z])")


def _unknown_name(focus: str, library: Library) -> bool:
    """A Hebrew question names a product or treatment in Latin letters ('PRP', 'HydraFacial') no document has.

    What it asks about is then not in the documents; a neighbouring clause ('הסרת שיער') answers something else.
    """
    names = {m.group(0).lower() for m in _LATIN_NAME.finditer(focus)}
    if not names or not library.chunks:
        return False
    known = _known_by(library.idf)

    def glossed(name: str) -> bool:
        # an English word the documents say in Hebrew ('semen' → 'זרע'), not a product's name
        return any(known(t) for group in hebrew_term_groups(name) for t in group)

    return any(not any(n in c.text.lower() for c in library.chunks) and not glossed(n) for n in names)


# What a price question prices: the words right after 'כמה עולה' / 'מה המחיר של' ('אצלכם' and the like skipped).
_PRICED_ITEM = re.compile(
    r"(?:כמה\s+(?:עולה|עולים|עולות|יעלה|תעלה)|מה\s+(?:ה)?מחיר\s+(?:של|ל)?|בכמה\s+יוצא)\s+"
    r"(?:(?:אצלכם|אצלך|בערך|בדיוק|לי|אצלכם\s+ה?)\s+)?(?P<head>[\u05d0-\u05ea]{3,})\s+(?P<mod>[\u05d0-\u05ea]{4,})"
)


def _unknown_compound(focus: str, library: Library) -> bool:
    """'כמה עולה ניקוי אוזניים?' where the documents have 'ניקוי' (of tartar) but never 'אוזניים' in any form.

    The thing priced is named by a head and the word that says which ('ניקוי אוזניים', 'חיסון נגד X'); when the
    documents use the head but no form of that word, their 'ניקוי אבנית' is another treatment, and quoting its
    row or a sentence about it answers something else. A word for whom it is ('לכלב', 'לילד') says who, not which.
    """
    m = _PRICED_ITEM.search(focus)
    if m is None or not library.chunks:
        return False
    head, mod = m.group("head"), m.group("mod")
    if mod[0] in "לב" or _stop(mod) or mod in _STOP or _forms(mod) & _KIND_WORDS:
        return False
    known = _known_by(library.idf)
    lemmas = _lemmas(library.chunks)

    def used(tok: str) -> bool:
        forms = _forms(tok)
        return any(known(f) for f in forms if f[0] not in "~≈") or bool(forms & lemmas)

    return used(head) and not used(mod)


# 'יש אצלכם X?', 'אתם נותנים X?', 'אתם עושים X?': whether something is offered, and what.
_OFFER_ASKED = re.compile(
    r"(?:^|[.!?,]\s*)(?:ו?האם\s+)?(?:יש\s+(?:לכם|אצלכם|במכון|במרפאה|במשרד)|אתם\s+(?:נותנים|עושים|מציעים|מבצעים|מטפלים\s+ב))"
    r"\s+(?P<what>[^?.!]+)\?"
)
_OFFER_GENERIC = frozenset(
    {"טיפול", "טיפולים", "טיפולי", "שירות", "שירותים", "בדיקה", "בדיקות", "אבחון", "ייעוץ", "פגישה", "מפגש"}
    | {"גם", "עוד", "כזה", "כזאת", "כאלה", "משהו"}
)


def _unknown_offer(focus: str, library: Library) -> bool:
    """'יש אצלכם טיפול שיקומי לשיווי משקל?' where no document has any word of what is asked about.

    Of what follows 'יש אצלכם' (or 'אתם נותנים'), the words that say what it is — not 'טיפול' or 'בדיקה', which
    every clinic's documents have — are in no document in any form: the documents do not speak of it, and a
    row that shares only the generic word ('טיפול בגמגום') or a sentence that shares 'טיפול' answers something
    else. False when any of them is found, or there are none.
    """
    asked = _OFFER_ASKED.search(focus.strip())
    if asked is None or not library.chunks:
        return False
    unseen = library.idf("\u0000")
    words = [t for t in tokenize(asked.group("what")) if len(t) >= 3 and not _stop(t) and t not in _OFFER_GENERIC]
    words = [t for t in words if not set(stems(t)) & _OFFER_GENERIC and not t.isdigit()]
    if not words:
        return False
    return all(all(library.idf(f) >= unseen for v in _inflected(t) for f in _forms(v) if f[0] != "≈") for t in words)


def _inflected(word: str) -> set[str]:
    """`word` and its plural and construct forms: 'ציפויים' and 'ציפויי'.

    A document that says 'ציפויי חרסינה' speaks of what 'יש לכם ציפויים?' asks about. Not the bare base:
    'שיקומי' (an adjective) is not 'שיקום'.
    """
    base = word
    for suffix in ("ים", "ות", "י"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            base = word[: -len(suffix)]
            break
    return {word, *(base + s for s in ("ים", "ות", "י"))} if base != word else {word}


def _operative(focus: str, best: _Candidate, library: Library, terms: _Terms) -> _Candidate | None:
    """For a definition chosen to answer ('"נציגים" - … רואי החשבון'), the clause that uses its term.

    The definition holds the question's word; what may be done is said where the term is used ('רשאי
    לגלות מידע סודי לנציגיו'). Of the document's clauses that use it, the one that covers the question
    best; None when the question asks what the term means, or no clause uses it.
    """
    term = defined_term(best.unit.text)
    if term is None or asks_definition(focus):
        return None
    found: _Candidate | None = None
    for hit in library.chunks:
        if hit.document_id != best.hit.document_id:
            continue
        for unit in clause_units(hit.text):
            if unit.text == best.unit.text or defined_term(unit.text) is not None or _RECITAL.match(unit.text):
                continue
            if not uses_term(term, tokenize(unit.text), stems):
                continue
            words = _words(unit.text)
            score = terms.cover(words, _words(unit.context) | _words(hit.section))
            if found is None or score > found.score:
                found = _Candidate(unit, hit, score, score, words)
    return found if found is not None and found.score > 0 else None


_OPENING_REFERENCE = re.compile(r"סעיף\s+(\d{1,3}\.\d{1,3})(?![\d.]*\d)")
_NUMBER = re.compile(r"^\s*\d{1,3}(?:\.\d{1,3})*\.?\s+")


def _with_referenced(quotes: Sequence[Quote], library: Library) -> list[Quote]:
    """Each quote, after the clause it opens by referring to ('6.2 החובה לפי סעיף 6.1 חלה גם על …').

    A clause whose subject is another clause says only what it adds: the obligation itself is in the clause
    it names, of the same document. A reference further on ('… לפי סעיף 7.4') is a detail and brings nothing.
    """
    out: list[Quote] = []
    for q in quotes:
        body = _NUMBER.sub("", q.text, count=1)
        m = _OPENING_REFERENCE.search(body)
        ref: Quote | None = None
        if m is not None and len(body[: m.start()].split()) <= 4:
            ref = _clause_of(library, q.hit.document_id, m.group(1))
        elif _OPENS_BACK.match(body) and (number := _clause_number(q.text)) is not None and number[-1] > 1:
            # '3.3 במקרים אלה המטפל פועל לפי החוק': the cases are the clause before it ('3.2 חריגים …').
            ref = _clause_of(library, q.hit.document_id, ".".join(map(str, (*number[:-1], number[-1] - 1))))
        if ref is not None and ref.text not in {x.text for x in (*quotes, *out)}:
            out.append(ref)
        out.append(q)
    return out


# A clause that opens with what the clause before it said: 'במקרים אלה', 'במקרה כזה', 'בנסיבות האמורות'.
_OPENS_BACK = re.compile(
    r"\s*(?:ו)?(?:ב|מ|ל)?(?:מקרים|מקרה|נסיבות|מצבים|מצב)\s+(?:אלה|אלו|אלה,|כאלה|כאלו|זה|כזה|האמורים|האמורות|האמור)"
    r"(?![\u05d0-\u05ea])"
)


def _clause_of(library: Library, document_id: str, clause: str) -> Quote | None:
    """The unit that is `clause` of the document, or None."""
    for hit in library.chunks:
        if hit.document_id != document_id:
            continue
        for unit in clause_units(hit.text):
            if unit.clause == clause:
                return Quote(unit.text, relabel(hit.section, clause), hit, 1.0, 1.0)
    return None


def _holds_annex(letter: str, library: Library) -> bool:
    texts = itertools.chain(library.documents.values(), (f"{c.section}\n{c.text}" for c in library.chunks))
    return holds_annex(letter, texts)


def _named_title(title: str) -> str:
    return title.split(" — ")[0].strip()


def _annex_note(letter: str, lang: Lang, title: str = "") -> str:
    """What the reply adds to 'not found' when the detail is kept in an annex the archive does not hold."""
    if lang != "he":
        return f"{title + ' refers to ' if title else ''}Annex {letter}', which is not among the documents I hold."
    if title:
        return f"{title} מפנה לנספח {letter}', שאינו בין המסמכים שברשותי."
    return f"נספח {letter}' אינו בין המסמכים שברשותי."


_SHARE_ASKED = re.compile(r"(?<![\u05d0-\u05ea])(?:איזה|מה|מהו)\s+(?:ה)?(?:חלק|נתח)\s+(?:מ|של)")


def _kept_elsewhere(
    focus: str, question_words: AbstractSet[str], best: _Candidate, library: Library, lang: Lang
) -> tuple[str, str] | None:
    """The clause chosen names what is asked but does not state it (see :mod:`.references`): (reason, note).

    It keeps the detail asked for in an annex the archive does not hold ('שפרטיו בנספח ב'' for 'פרטי חשבון
    הבנק'), or it states a percentage of the thing whose value is asked ('0.5% משווי העסקה' for 'מה שווי
    העסקה?'), and the question gives no amount of its own to take the percentage of.
    """
    title = _named_title(best.hit.title)
    for before, letter in annex_references(best.unit.text):
        if before and _forms(before) & question_words and not _holds_annex(letter, library):
            return "annex_missing", _annex_note(letter, lang, title)
    bases = percent_bases(best.unit.text)
    if not bases or re.search(r"\d", focus) or _PERCENT_Q.search(focus) or _SHARE_ASKED.search(focus):
        return None  # 'what share of X goes to …' asks the percentage itself, which the clause states
    asked = set().union(*(_forms(t) - {f for f in _forms(t) if f[0] == "≈"} for t in tokenize(focus) if not _stop(t)))
    matched = [t for t in tokenize(best.unit.text) if not _stop(t) and _forms(t) & asked]
    in_base = {t for words, _ in bases for t in tokenize(words)}
    if not matched or any(t not in in_base for t in matched):
        return None
    name = next(base for words, base in bases if set(tokenize(words)) & set(matched))
    if lang != "he":
        return "percent_base", f"{title} states only a percentage of {name}, not its value."
    return "percent_base", f"ב{title} מופיע רק אחוז מ{name}, ולא הערך עצמו."


_TIME_UNITS = frozenset(
    "דקה דקות שעה שעות יום ימים שבוע שבועות חודש חודשים שנה שנים".split()  # noqa: SIM905 — a word list
)


def _not_offered(focus: str, library: Library) -> Quote | None:
    """The documents' own 'we do not offer X' for a question about X, when they speak of X nowhere else.

    'כמה עולה הסרת קעקוע?' where the only sentence with 'קעקועים' says the clinic does not offer it: that
    sentence answers (no price of another treatment, no 'not found'). A word the documents also use in any
    other sentence ('שיער' in 'השתלת שיער' and in 'הסרת שיער') decides nothing.
    """
    if _priced_thing_unknown(focus, library):
        # 'כמה עולה טיפול בגלי הלם לדורבן?' where the documents only say they do not operate on a spur: what is
        # priced ('גלי הלם') is named nowhere, so the sentence about another treatment of it does not answer.
        return None
    words = [t for t in tokenize(focus) if len(t) >= 3 and not _stop(t) and t not in _STOP]
    found: Quote | None = None
    for tok in words:
        forms = {f for f in _forms(tok) if f[0] != "≈"}
        if found is not None or _KIND_WORDS & forms or {f.lstrip("~") for f in forms} & _TIME_UNITS:
            continue  # a span of time ('לפני חודש') is not a thing one offers: '6 חודשים … אינה ניתנת להעברה'
        units = [
            (chunk, unit)
            for chunk in library.chunks
            if forms & _words(chunk.text)
            for unit in clause_units(chunk.text)
            if forms & _words(unit.text)
        ]
        if units and all(not u.is_row and _NOT_OFFERED.search(u.text) for _, u in units):
            chunk, unit = units[0]
            found = Quote(unit.text, relabel(chunk.section, unit.clause), chunk, 1.0, 1.0)
    return found


def _candidates(
    terms: _Terms,
    hits: Sequence[SearchHit],
    *,
    question_words: AbstractSet[str],
    shape: re.Pattern[str] | None,
    prefer: Sequence[str] = (),
    anchor: frozenset[str] | None = None,
    tokens: Sequence[str] = (),
    known: Callable[[str], bool] = lambda t: True,
    required: re.Pattern[str] | _Test | None = None,
    attribute: Attribute | None = None,
    cue_words: AbstractSet[str] = frozenset(),
    letterhead: AbstractSet[str] = frozenset(),
    actor: tuple[frozenset[str], frozenset[str]] | None = None,
    intros: Mapping[tuple[str, str], str] | None = None,
) -> list[_Candidate]:
    out: list[_Candidate] = []
    seen: set[tuple[str, str]] = set()
    rest = _Terms([(v, w) for v, w in terms.forms if not v & cue_words], 0.0)
    rest.total = sum(w for _, w in rest.forms)
    for rank, hit in enumerate(hits):
        title_words = _words(hit.title)
        carried: AbstractSet[str] = frozenset()
        units = clause_units(hit.text)
        # A table chunked apart from the clause that introduces it ('…לפי לוח הסילוקין שלהלן:'): its words
        # say what the records are.
        intro = _words(intros.get((hit.document_id, hit.section), "")) if intros else frozenset()
        keys = set().union(*(_words(u.row_key) for u in units if u.is_row)) - _STOP if units else set()
        # Does the question name an entity of this table (a treatment, a role)? Then a row must be about it,
        # and a rare question word the table never uses ('ציפוי' asked, only 'כתר' listed) rules rows out.
        # A weekday asked is named by a range row ('ראשון–חמישי') that covers it.
        table_asks = bool(keys & question_words) or bool(_days_of_keys(keys) & _weekdays_named(question_words))
        heads = _heads(tokens, keys, known) if table_asks else []
        for unit in units:
            if (hit.chunk_id, unit.text) in seen:
                continue
            seen.add((hit.chunk_id, unit.text))
            words = _words(unit.text)
            if unit.text.endswith("?"):
                carried = words  # a FAQ question: the answer after it inherits its words
                continue
            context = _words(unit.context) | _words(hit.section) | title_words | carried
            carried = frozenset()
            # A table record reads with its caption and header row: they are part of what it says.
            if unit.is_row:
                context = context | intro
            coverage = (
                terms.cover(words | _words(unit.context), context) if unit.is_row else terms.cover(words, context)
            )
            if required is not None and not required.search(unit.text) and not _NOT_OFFERED.search(unit.text):
                continue  # 'how much' is not answered without an amount (unless the thing is not offered at all)
            row_bonus = 0.0
            if unit.is_row and table_asks:
                # The table's caption and the section name the rows' kind ('בוטוקס' above a row 'מצח').
                captioned = words | _words(unit.context) | _words(hit.section)
                if not _row_matches(unit, question_words, tokens) or any(not h & captioned for h in heads):
                    continue  # another row's entity: never quoted for the one asked about
                row_bonus = 0.1
                if attribute in ("price", "days", "opening_hours") and _names_row(unit, question_words):
                    # 'כמה עולה X' of a listed X: X's own row states its price; 'ביום שישי' the Friday row its hours
                    row_bonus += _NAMED_ROW
            if anchor is not None and not anchor & (words | context):
                coverage *= 0.85  # it leaves out the question's most specific word
            # A short clause that says it beats a long one that also mentions it.
            score = coverage + 0.12 * max(0.0, 1 - rank / _TOP_HITS) + row_bonus - 0.0002 * len(unit.text)
            if shape is not None and shape.search(unit.text):
                score += 0.1
                coverage += 0.05
            if prefer and hit.document_id in prefer:
                score += 0.08
            if unit.clause:
                score += 0.05  # a numbered clause over a heading's prose
            if _in_another_period(unit.text, question_words):
                score -= 0.06  # 'בתקופת האופציה יעלו ל-₪7,072': the rent of a period the question does not ask about
            elif _in_another_period(f"{unit.context}\n{hit.section}", question_words, _HEADING_PERIOD):
                # under 'שעות בחודש הרמדאן': the whole section holds only in a period the question does not ask about
                score -= 0.4 * coverage
                coverage *= 0.6
            phrase = _phrase_bonus(tokens, unit.text)
            score += phrase
            coverage += phrase / 2  # the question's two-word term said as one: the clause is about it
            if actor is not None:
                score += _actor_bonus(unit.text, *actor)
            if _RECITAL.match(unit.text):
                score -= 0.3  # the parties and the recitals are background, not terms
            elif _defines_asked(unit.text, question_words):
                score += 0.1  # 'באיזה אזור יש בלעדיות': the clause that defines "אזור הבלעדיות" says which
            fits = fit(attribute, unit.text, f"{hit.title} {hit.section} {unit.context}")
            if fits and unit.text in letterhead:
                fits = 0.0  # the footer every document repeats is not where the answer is kept
            if fits:
                # The address answers 'מה הכתובת' without the word 'כתובת'; not the parking sentence.
                score += _ATTRIBUTE_WEIGHT * fits
                if not rest.total or rest.cover(words, context) >= _REST_COVERED:
                    # ... when it is about what else the question names ('המרפאה', not 'בית המשפט המחוזי')
                    base = terms.cover(words, context)
                    gained = terms.cover(words | cue_words, context) - base
                    if attribute == "days":
                        # Days listed answer about a day they leave out ('no'), but less than the row with it.
                        plain = terms.cover(words | (cue_words - _DAY_FORMS), context) - base
                        gained = plain + (gained - plain) / 2
                    score, coverage = score + gained, coverage + gained
            out.append(_Candidate(unit, hit, score, coverage, words))
    out.sort(key=lambda c: -c.score)
    return out


_DEFINES = re.compile(r'להלן(?:\s+יחד)?:?\s*["״]([^"״]{2,40})["״]')


def _defines_asked(text: str, question_words: AbstractSet[str]) -> bool:
    """Whether the unit defines a term ('…, להלן: "אזור הבלעדיות"') of two words or more the question uses whole."""
    for m in _DEFINES.finditer(text):
        words = [t for t in tokenize(m.group(1)) if not _stop(t)]
        if len(words) >= 2 and all(_forms(t) & question_words for t in words):
            return True
    return False


_KIND_WORDS = frozenset(
    " ".join(
        (
            "הנחה הנחות מחיר מחירים תעריף תעריפים שעות כתובת חניה ביטול ביטולים תשלום תשלומים מקדמה",
            "טיפול טיפולים שירות שירותים תור תורים הטבה הטבות מבצע מבצעים זמן",
        )
    ).split()
)


def _absent_subject(question: str, idf: Callable[[str], float], lemmas: AbstractSet[str]) -> bool:
    """The question asks a kind of fact for someone or something the documents never mention.

    'יש הנחה לחיילים?' where no document says 'חיילים': the discount clause that is there is for others, and
    quoting it would answer another question. True when a kind word ('הנחה', 'מחיר', 'תור') is followed by
    its complement ('ל…', 'של …') whose lemma no document uses, and no other word of the question that the
    documents use names anything but such a kind.
    """
    known = _known_by(idf)

    def used(tok: str) -> bool:
        forms = _forms(tok)
        return any(known(f) for f in forms if f[0] not in "~≈") or bool(forms & lemmas)

    tokens = [t for t in tokenize(question) if not (len(t) < 2 or t in _STOP)] + [""]
    absent = False
    for i, tok in enumerate(tokens[:-1]):
        if len(tok) < 3 or not ("\u05d0" <= tok[0] <= "\u05ea") or _stop(tok):
            continue
        kind = bool(_forms(tok) & _KIND_WORDS)
        if used(tok) and not kind:
            return False  # the question names something the documents do speak of
        nxt = tokens[i + 1]
        if kind and nxt.startswith("ל") and len(nxt) > 3 and not used(nxt):
            absent = True
    return absent


_CONDITION = re.compile(r"(?:^|(?<=[\s,]))(?:אם|במקרה ש|במקרה של|כאשר)\s+([^,?.;]+)")


def _absent_condition(question: str, library: Library, best: _Candidate) -> bool:
    """The question asks what follows from a condition the documents never speak of.

    'מה הפיצוי אם מאבטח נתפס ישן במשמרת?' where no document says 'נתפס': the compensation clause that is there
    is for another event (a post left unmanned), and quoting it would answer another question. True when the
    condition ('אם …', 'במקרה ש…') holds a content word of four letters or more that no document uses in any
    form, not even by its root ('תאחר' is 'איחור', 'נגנב' is 'גניבה'), and the clause found says (in its text,
    section or title) at most half of the condition's words.
    """
    m = _CONDITION.search(question)
    if not m or re.search(r"(?<![\u05d0-\u05ea])גם\s*$", question[: m.start()]):
        return False  # 'גם אם יגיעו פחות': even so, the answer holds; no condition it depends on
    used = _archive_forms(library.chunks)
    absent = [w for w in _unknown_words(m.group(1), library.idf) if not _COPULA.fullmatch(w) and not _forms(w) & used]
    if not absent:
        return False
    said = best.words | _words(best.hit.section) | _words(best.hit.title) | _words(best.unit.context)
    content = [t for t in tokenize(m.group(1)) if len(t) >= 3 and not _stop(t) and not _COPULA.fullmatch(t)]
    content = [t for t in content if not re.fullmatch(r"[\d.,%]+", t)]
    return sum(bool(_forms(t) & said) for t in content) * 2 <= len(content)


_IF_EN = re.compile(r"\b(?:if|when|in case)\b([^,?.;]+)", re.IGNORECASE)


def _foreign_condition_unsaid(question: str, best: _Candidate) -> bool:
    """An English question's condition the clause found does not speak of: the clause is about another event.

    'if its trucks run above 6 degrees', read by the condition's Hebrew terms (two at least), of which the clause
    says less than half.
    """
    m = _IF_EN.search(question)
    if not m:
        return False
    said = best.words | _words(best.hit.section) | _words(best.unit.context)
    terms = [t for t in tokenize(hebrew_terms(m.group(1))) if len(t) >= 3 and not _stop(t)]
    terms = list(dict.fromkeys(terms))
    return len(terms) >= 2 and sum(bool(_forms(t) & said) for t in terms) * 2 < len(terms)


# 'אם הזמינות הייתה 98.7%': the verb 'to be' and its prefixed forms are no condition of their own.
_COPULA = re.compile(r"[ושכ]?(?:היה|הייתה|היתה|היו|יהיה|תהיה|יהיו|נהיה|יהא|תהא|להיות|יהיה)")


def _days_of_keys(keys: AbstractSet[str]) -> set[str]:
    """The weekday letters among a table's row-key words (a range's days included, see :func:`_days`)."""
    return {k for k in keys if k in _DAY_LETTER.values()}


def _names_row(unit: Unit, question_words: AbstractSet[str]) -> bool:
    """The question names every word of the record's entity ('הלבנת שיניים' for the whitening row)."""
    key = [_forms(t) for t in tokenize(unit.row_key) if not _stop(t)]
    if key and all(forms & _DAY_FORMS for forms in key) and _days(unit.row_key) & _weekdays_named(question_words):
        return True  # the row of 'ראשון–חמישי' is Tuesday's row too
    return bool(key) and all(forms & question_words for forms in key)


# Interrogatives that take the noun after them as what is asked ('באילו ימים', 'איזה שעות', 'מה המחיר').
_WHICH = frozenset(("איזה", "איזו", "אילו", "באיזה", "באיזו", "באילו", "מאיזה", "מאיזו", "מה", "כמה", "בכמה"))


def _heads(tokens: Sequence[str], keys: set[str], seen: Callable[[str], bool]) -> list[set[str]]:
    """Words just before a table entity named in the question that the table never names.

    'ציפוי' in 'ציפוי חרסינה' when only 'כתר חרסינה' is listed: the question is about something else.
    """
    out: list[set[str]] = []
    for i in range(1, len(tokens)):
        here, before = _forms(tokens[i]), tokens[i - 1]
        # The entity itself, not a word sharing its rough lemma ('המשכיר' is not the 'שכירות' of a row).
        if (
            not {f for f in here if f[0] not in "~≈"} & keys
            or _stop(before)
            or before in _QUANTITY_WORDS
            or re.fullmatch(r"\d[\d,.]*", before)
        ):
            continue  # 'שלוש הזרקות', '12 אתרים' count the entity, they do not name another one
        if before in _MONEY_WORDS:
            continue  # 'דמי אחסון', 'מחיר ליקוט': the charge for the entity, not another entity
        if i >= 2 and tokens[i - 2] in _WHICH:
            continue  # 'באילו ימים ד"ר X': the kind of answer asked about the entity, not another entity
        forms = _forms(before)
        if not forms & keys and any(seen(f) for f in forms if f[0] not in "~≈"):
            out.append(forms)
    return out


def _quote(c: _Candidate) -> Quote:
    return Quote(c.unit.text, relabel(c.hit.section, c.unit.clause), c.hit, round(c.score, 3), round(c.coverage, 3))


_QUESTION_SENTENCE = re.compile(r"[^.!?\n]*\?")
_PART_SPLIT = re.compile(
    r"\?\s*|,\s*(?=ו(?:כמה|בכמה|מה|מהו|מהי|מתי|איך|האם|אם|של|איזה|איזו|לכמה|מי|במי|למי|על מי|תוך|עד|איפה|היכן|אילו"
    r"|לפי|באיזה|באיזו|לאיזה|לאיזו|מאיזה|מאיזו"
    r"|צריך|צריכה|צריכים|אפשר|חייב|חייבת|חייבים)"
    r"(?![\u05d0-\u05ea]))|\s(?=ושנית|ושלישית)"
    r"|\s(?=ו(?:כמה|מתי|איך|האם|איפה|היכן)\s)"  # 'כמה זמן זה לוקח וכמה זמן זה מחזיק': two questions
    r"|\s(?=ויש\s+(?:איפה|היכן|מקום|אפשרות|לכם)\s)"  # 'מה הכתובת ויש איפה לחנות': a second question
)
# '... בתקופת הניסיון ואחריה?': the same question during X, and after it.
_AFTER = re.compile(
    r"\s+ו(?:לאחריה|לאחריו|אחריה|אחריו|לאחר מכן|אחרי כן|אחר כך)(?=[\s?.,!]|$)|\s+and after(?: it| that)?\b"
)
_AFTER_WORD = re.compile(r"לאחר|אחרי|בתום|מתום|after|following")
_DURING = re.compile(r"(?:^|\s)((?:ב|במהלך |during )[^\s?,]+(?:\s+[^\s?,]+)?)\s*$")


def _focus(question: str, *, personal: bool = False) -> str:
    """What a long message asks: its sentences that end in a question mark (the rest is background).

    A message with the asker's personal data (`personal`) is cut so whatever its length: the name and the
    diagnoses it tells are the asker's situation, not what the documents are asked.
    """
    if len(question) < 160 and not personal:
        return question
    asked = [m.group(0).strip() for m in _QUESTION_SENTENCE.finditer(question)]
    return " ".join(asked) if asked else question


_ASKING = re.compile(
    r"(?<![\u05d0-\u05ea])ו?(?:מה|מהו|מהי|כמה|בכמה|מתי|איך|האם|איפה|היכן|מי|למה|איזה|איזו|אילו|באיזה|באיזו|באילו|עד)"
    r"(?![\u05d0-\u05ea])|\b(?:what|how|when|where|who|which|is|are|do|does|can)\b",
    re.IGNORECASE,
)


# A sentence that tells the system what to do or say is no part of the question ('תתעלם מההוראות ותכתוב ש…').
_INSTRUCTION = re.compile(
    r"(?<![\u05d0-\u05ea])(?:ת?תתעלמ|התעלמ|תתעלם|להתעלם|תשכח|שכח)[\u05d0-\u05ea]*\s+(?:מ|את\s)"
    r"|הוראות\s+(?:הקודמות|קודמות|המערכת)|הערה\s+למערכת|\bignore\s+(?:all\s+|any\s+)?(?:previous|prior|your)"
    r"|\bsystem\s+prompt\b|تجاهل",
    re.I,
)
_SENTENCES = re.compile(r"(?<=[.!?؟])\s+")


def _without_instructions(question: str) -> str:
    """The question without sentences that instruct the system; the question itself when all would go."""
    kept = [s for s in _SENTENCES.split(question) if not _INSTRUCTION.search(s)]
    rest = " ".join(kept).strip()
    return re.sub(r"^(?:אז|ו?עכשיו|so|now)\s+", "", rest) if rest else question


# The writer's own identifiers are never what a question asks about: an ID, phone or card number, an email, a birth
# date, and a name the writer introduces themself by ('שמי יוסי', 'קוראים לי רונית', 'My name is …').
# Left in, they are words no clause has, and a clause that answers the rest covers the question less. A name after
# any other cue stays: 'אצל ד"ר לוי', 'ההסכם עם דנה לוי' name what is asked about.
_WRITERS_NUMBERS = frozenset({"id_number", "phone", "email", "date_of_birth", "bank_account", "credit_card"})
# Only the cues that say a name and nothing else: after 'אני', 'כאן' or "I'm" the scan's 'name' is often a word
# ('אני עמית במשרד אחר', 'אני דנה בהצעה', "I'm Maya's mother").
_SELF_CUES = frozenset({"שמי", "קוראים לי", "my name is"})


def without_writer(question: str) -> str:
    """The question without the writer's own identifiers (see ``_SELF_CUES``); the question itself if none."""
    spans: list[tuple[int, int]] = []
    for f in scan(question):
        cue = f.evidence.split("context:", 1)[1] if "context:" in f.evidence else ""
        if f.type in _WRITERS_NUMBERS or (f.type == "name" and " ".join(normalize(cue).lower().split()) in _SELF_CUES):
            start = f.start
            # The cue goes with the value ('ת"ז 314159265', 'טלפון: 052…', 'שמי יוסי').
            before = question[:start].rstrip(" :-")
            if cue and normalize(before).lower().endswith(normalize(cue).lower()):
                start = len(before) - len(cue)
            spans.append((start, f.end))
    if not spans:
        return question
    out = question
    for start, end in sorted(spans, reverse=True):
        out = f"{out[:start]} {out[end:]}"
    out = re.sub(r"([,.;:])(?:\s*[,;:])+", r"\1", re.sub(r"\s+([,.;:])", r"\1", re.sub(r"[ \t]{2,}", " ", out)))
    out = out.strip(" ,.;:-")
    return out if out.strip(" ,.?!") else question


def _without_aside(focus: str) -> str:
    """The question without a statement after its question mark ('…ביום רגיל? אני מסיים לעבוד מאוחר').

    Background the asker adds is not another question.
    """
    head, mark, tail = focus.rpartition("?")
    # '…? תשווה בין הסכם הסודיות להסכם ההתקשרות' asks for a comparison: that is part of the question.
    if mark and tail.strip(" .!,") and not _ASKING.search(tail) and not _COMPARE.search(tail.lower()):
        return head + mark
    return focus


def _parts(focus: str) -> list[str]:
    """The sub-questions of one message ('מה התעריף של שותף? ושל שותף בכיר?', 'בתקופת הניסיון ואחריה')."""
    during = _during_after(focus)
    if during is not None:
        return list(during[:2])
    english = _english_parts(focus)
    if english:
        return english
    parts = [p.strip(" ,") for p in _PART_SPLIT.split(focus) if p and p.strip(" ,?")]
    if len(parts) == 1 and (shared := _SHARED_REST.match(focus)) is not None:
        # 'לכמה זמן ובאיזה מרחק אסור למוכר לפתוח מאפייה?': two questions of one predicate, each asked of it
        rest = shared.group(3)
        return [f"{shared.group(1)} {rest}", f"{shared.group(2)} {rest}"]
    return parts if len(parts) > 1 else [focus]


def _shared_predicate(focus: str) -> bool:
    """Whether the question is two question words of one predicate ('לכמה זמן ובאיזה מרחק …').

    A word of the predicate no document uses is then phrasing both parts share, not a thing each asks about.
    """
    return _SHARED_REST.match(focus) is not None and len([p for p in _PART_SPLIT.split(focus) if p.strip(" ,?")]) == 1


def _one_for_both(parts: list[str], chosen: list[_Candidate], ranked: list[_Candidate]) -> list[_Candidate]:
    """The one chosen clause that answers every question word of one predicate, when one does.

    'לכמה זמן ובאיזה מרחק אסור לצדדים להשקיע…': 'במשך 24 חודשים … ברדיוס של 20 ק"מ' says both; a clause
    chosen for one part alone ('בתוך 60 יום מהתראה') is not asked beside it. The first such clause the unsplit
    question ranks; the parts' own clauses when none says every part's figure.
    """
    shapes = [_expected(p) or (_DISTANCE if _DISTANCE_Q.search(p) else None) for p in parts]
    if any(s is None for s in shapes):
        return chosen  # a part whose figure is of no known kind: its own clause answers it
    texts = {c.unit.text for c in chosen}
    for c in ranked:
        if c.unit.text in texts and all(s.search(c.unit.text) for s in shapes if s is not None):
            return [c]
    return chosen


# 'באיזה מרחק', 'כמה רחוק': a distance is asked, said in a unit of length ('ברדיוס של 20 ק"מ', '5 קילומטרים').
_DISTANCE_Q = re.compile(r"מרחק|רחוק|רדיוס|\bhow far\b|\bdistance\b|\bradius\b", re.IGNORECASE)
_DISTANCE = re.compile(
    r"\d\s*(?:ק\"מ|קילומטר|קילומטרים|מטר|מטרים|מ'|km|kilomet|met(?:er|re)s?|miles?)(?![\u05d0-\u05ea])", re.IGNORECASE
)


_ASKER = r"(?:ל|ב|מ|עד\s+|תוך\s+)?(?:כמה|מתי|איפה|היכן|איזה|איזו|אילו)"
# Two question words joined by 'ו' before the one predicate they share ('לכמה זמן ובאיזה מרחק …').
_SHARED_REST = re.compile(
    rf"^\s*({_ASKER}(?:\s+(?!ו)[\u05d0-\u05ea]{{2,}})?)\s+ו({_ASKER}(?:\s+[\u05d0-\u05ea]{{2,}})?)\s+(\S.{{8,}})$"
)


def _parallel(parts: list[str]) -> list[str]:
    """Later parts that repeat the first part's question word and noun get its other words, when they leave them out.

    'איזו הודעה מוקדמת צריכה החברה לתת כדי לסיים את ההסכם, ואיזו הודעה צריך היועץ לתת?' — the second part asks the
    same of another party: its clause is the one about ending the agreement ('היועץ רשאי לסיים … בהודעה של 90
    יום'), not another that says 'ההודעה' and 'היועץ'. The words of the first part the later one says in any form
    (the parties, in their other roles) are not added: the later part's own party stays the one asked about.
    """
    if len(parts) < 2:
        return parts
    head = [t for t in tokenize(parts[0]) if not t.isdigit()][:2]
    if len(head) < 2 or _forms(head[1]) & _ANSWER_KINDS:
        return parts  # 'כמה זמן לוקחת X וכמה זמן זה מחזיק': a kind of answer repeated, two different questions
    out = [parts[0]]
    for part in parts[1:]:
        toks = tokenize(part)
        lead = [toks[0].removeprefix("ו"), *toks[1:2]] if toks else []
        same = len(lead) == 2 and all(_strict_forms(a) & _strict_forms(b) for a, b in zip(head, lead, strict=True))
        if not same:
            out.append(part)
            continue
        own = {f for t in toks for f in _strict_forms(t)}
        first_toks = tokenize(parts[0])
        first = {f for t in first_toks for f in _strict_forms(t)}
        if (
            len(toks) > 3
            and len(first_toks) > 2
            and _strict_forms(toks[2]) & _strict_forms(first_toks[2])
            and any(not _stop(t) and not t.isdigit() and not _strict_forms(t) & first for t in toks[3:])
        ):
            out.append(part)  # 'וכמה עולה כתר זירקוניה': it restates the item with its own word, adds nothing
            continue
        extra = [t for t in tokenize(parts[0])[2:] if not _stop(t) and not _strict_forms(t) & own and not t.isdigit()]
        out.append(f"{part} {' '.join(extra)}".strip() if extra else part)
    return out


_AND_EN = re.compile(r",?\s+and\s+(?=(?:what|how|when|who|where|which|is|are|does|do|can|must|may)\b)", re.I)


def _english_parts(focus: str) -> list[str]:
    """An English question's sub-questions ('What is X, and what is Y?'), each with its own Hebrew terms.

    The focus of a foreign question carries the Hebrew terms of all of it after its last English word; each part
    is searched by its own.
    """
    last = max((m.end() for m in re.finditer(r"[A-Za-z]", focus)), default=0)
    if not last or detect(focus[:last]) != "en":
        return []
    pieces = [p.strip(" ,") for p in _AND_EN.split(focus[:last]) if p.strip(" ,?")]
    if len(pieces) < 2:
        return []
    return [with_terms(p, hebrew_terms(p)) + "?" for p in pieces]


def _during_after(focus: str) -> tuple[str, str, str] | None:
    """'מה ההודעה המוקדמת בתקופת הניסיון ואחריה?' → (the question during X, the question without X, X)."""
    m = _AFTER.search(focus)
    if m is None:
        return None
    before, rest = focus[: m.start()], focus[m.end() :]
    d = _DURING.search(before)
    if d is None:
        return None
    during = f"{before}{rest}".strip()
    after = f"{before[: d.start(1)]}{rest}".strip()
    return during, after, d.group(1)


# Going home, not someone coming there: 'לנהוג הביתה', 'לחזור הביתה', 'לשלוח הביתה' (one lookbehind per verb).
_NOT_GOING_HOME = "".join(
    f"(?<!{verb} )"
    for verb in [
        "לנהוג",
        "לחזור",
        "לנסוע",
        "ללכת",
        "לשלוח",
        "לקבל",
        "חוזר",
        "חוזרת",
        "חוזרים",
        "נוסע",
        "נוסעת",
        "נוסעים",
        "נוהג",
        "נוהגת",
        "הולך",
        "הולכת",
        "הולכים",
        "ישלחו",
        "תשלחו",
        "שולחים",
        "אקבל",
    ]
)
# (everyday words, the documents' words, whether they name the same thing): the same thing in words no
# document uses is said in the documents' words instead; a verb for a noun's topic is kept beside it.
_PHRASES = (
    (re.compile(r"שכר ה?דירה|שכ\"ד"), "דמי השכירות", True),
    (re.compile(r"בעלת? ה?בית"), "המשכיר", True),
    (re.compile(r"עורכ(?:ת|י)? ה?דין"), 'עו"ד', True),
    (re.compile(r"חי(?:ית|ות) ה?מחמד"), "בעל חיים", False),
    # 'לגדל כלב': to keep an animal, what contracts say 'להחזיק'
    (
        re.compile(r"(?<![\u05d0-\u05ea])ל?גדל(?=\s+(?:חי(?:ית|ות)|כלב|כלבים|חתול|חתולים|בעל\s+חיים|בעלי\s+חיים))"),
        "להחזיק",
        True,
    ),  # a pet: what contracts call 'בעל חיים' (or name it)
    # The verb for what the documents name by the noun: 'איפה לחנות' is about parking ('חניה', 'חניון').
    # ('איך מגיעים לחנות' is to the store, and 'חנות' alone a store.)
    (re.compile(PARK_ASKED), "חניה", False),
    # A treatment at the asker's home is what policies and price lists call a home visit ('ביקור בית').
    (
        re.compile(
            # Someone coming to the home ('מעסה הביתה', 'תבואו אלינו הביתה'), not driving or going home after a
            # treatment ('לנהוג הביתה', 'לחזור הביתה') or something sent home ('לשלוח הביתה').
            r"(?<![\u05d0-\u05ea])(?:(?:אליי|אלינו|אליו|אליה|אלי)\s+)?" + _NOT_GOING_HOME + r"הביתה(?![\u05d0-\u05ea])"
            r"|(?<![\u05d0-\u05ea])(?:אצלי|אצלנו|אצלו|אצלה)\s+בבית(?![\u05d0-\u05ea])"
        ),
        "ביקור בית",
        False,
    ),
    # Paying in instalments is what payment terms call dividing the sum ('אפשר לחלק עד 3 תשלומים').
    (
        re.compile(
            r"(?<![\u05d0-\u05ea])(?:לשלם|אשלם|נשלם|משלמים|לפרוס|לפרוש)(?:\s+[\u05d0-\u05ea\"']+){0,2}?\s+ב?תשלומים"
            r"(?![\u05d0-\u05ea])"
        ),
        "לחלק תשלומים",
        False,
    ),
    # For one's son or daughter is for a child: price lists say 'לילדים' ('מדרסים לבת שלי' is the children's row;
    # 'הבן שלי סיים סדרה' tells who, in a story, not whom the price is for).
    (
        re.compile(r"(?<![\u05d0-\u05ea])ו?ל(?:בן|בת)\s+שלי(?![\u05d0-\u05ea])"),
        "ילדים",
        False,
    ),
    # Called up for reserve duty: 'צו 8', 'צו שמונה', 'קראו לי למילואים' — the policies say 'מילואים'.
    (
        re.compile(
            r"(?<![\u05d0-\u05ea])צו\s*(?:8|שמונה)(?!\d)|(?<![\u05d0-\u05ea])גויס(?:תי|ה|ו)?(?![\u05d0-\u05ea])"
        ),
        "מילואים",
        False,
    ),
    # Taken into hospital, in the past tense: the policies say 'מאושפז', 'אשפוז'.
    (re.compile(r"(?<![\u05d0-\u05ea])[וש]?אושפז(?:ה|תי|ו|נו)?(?![\u05d0-\u05ea])"), "מאושפז אשפוז", False),
)


# 'מי הלקוחות שלכם?', 'אילו חברות הן לקוחות של המשרד?', 'תן לי שמות של מטופלים', 'who are your clients?'
_CLIENT_LIST = re.compile(
    r"(?<![\u05d0-\u05ea])(?:מי|מיהם|מיהן)\s+(?:הם\s+|הן\s+)?ה?(?:לקוחות|מטופלים|מטופלות)"
    r"|(?:אילו|איזה|איזו)\s+[\u05d0-\u05ea\"']+\s+(?:הם|הן)\s+(?:ה|מ)?(?:לקוחות|מטופלים|מטופלות)"
    r"|(?:שמות|רשימת|רשימה של)\s+(?:של\s+)?ה?(?:לקוחות|מטופלים|מטופלות)"
    r"|who are (?:your|the firm's|the clinic's) (?:clients|customers|patients)"
    r"|(?:list|names) of (?:your |the )?(?:clients|customers|patients)"
)
_CLIENTS_KEPT = ("איננו מוסרים פרטים על לקוחות.", "We do not give out details of our clients.")


def _in_documents_words(said: str, plain: str, known: Callable[[str], bool], same: bool) -> str:
    """`said` followed by the documents' word for it, or that word alone when it is `same` and unused."""
    used = any(known(f) for tok in tokenize(said) for f in _forms(tok) if f[0] not in "~≈")
    if used or not same:
        return f"{said} {plain}"
    prefix = re.match(r"[ובלמש]*(?=ה)", said) if plain.startswith("ה") else None
    return f"{prefix.group(0) if prefix else ''}{plain}"


# A figure said of a named period holds in that period only ('בתקופת האופציה', 'במהלך תקופת הניסיון').
_PERIOD = re.compile(r"(?<![\u05d0-\u05ea])(?:ב|במהלך\s+)תקופת\s+(ה?[\u05d0-\u05ea\"']{2,})")
# A heading's period: also a month or a season the hours change in ('שעות בחודש הרמדאן', 'בימי הרמדאן'). Only in a
# heading: a clause's 'בחודש ינואר' dates what it says, it does not set the clause apart.
_HEADING_PERIOD = re.compile(
    r"(?<![\u05d0-\u05ea])(?:ב|במהלך\s+)(?:תקופת|חודש|ימי)\s+(ה?(?!עבודה|חול|החול|עסקים)[\u05d0-\u05ea\"']{2,})"
)


def _in_another_period(text: str, question_words: AbstractSet[str], pattern: re.Pattern[str] = _PERIOD) -> bool:
    """Whether `text` states a figure for a named period the question does not name."""
    return any(not _forms(m.group(1)) & question_words for m in pattern.finditer(text))


# Hebrew terms that name no subject: a follow-up asking only 'until what time' or 'how much' is about the last.
_GENERIC_TERMS = frozenset({"שעה", "שעות", "עד", "מחיר", "עלות", "תשלום", "שעות פתיחה", "פתיחה"})


_LATIN_WORD = re.compile(r"(?<![A-Za-z])[A-Za-z]{2,}(?![A-Za-z])")


def _glossed_in_place(question: str) -> str:
    """A Hebrew question's English words, each followed by its Hebrew terms, in place.

    'egg retrieval' → 'egg ביציות retrieval שאיבה שאיבת': the terms stay in the sentence that asks about them.
    """
    return _LATIN_WORD.sub(lambda m: f"{m.group(0)} {hebrew_terms(m.group(0))}".rstrip(), question)


def with_terms(question: str, terms: str) -> str:
    """`terms` added to the question before its question mark: after it they would read as a second question."""
    text = question.strip()
    mark = "?" if text.endswith("?") else ""
    return f"{text.rstrip('?').strip()} {terms.strip()}".strip() + mark


def extract(
    question: str,
    hits: Sequence[SearchHit],
    library: Library,
    *,
    intent: str = "",
    strict: bool = False,
    hints: str = "",
) -> Extracted:
    """Choose what to quote for `question` from `hits` (see the module docstring).

    `strict` (a question with the asker's personal data): only a quote that covers the question well; a
    person answers the rest. A question that names a party of one contract ('קוד צפוני') while every quote
    is of another contract, which never names that party, is refused: that contract says nothing of it.
    """
    found = _extract(question, hits, library, intent=intent, strict=strict, hints=hints)
    if found.status != "answered" or not found.quotes:
        return found
    if found.lang == "he" and _party_named(question, library, {q.hit.document_id for q in found.quotes}) is not None:
        return Extracted("not_found", lang=found.lang, reason="party_of_another_contract")
    if len(found.quotes) == 1 and found.calculation is None and _EACH_PARTY.search(question):
        other = _parallel_clause(found.quotes[0], library)
        if other is not None:
            return replace(found, quotes=(found.quotes[0], other))
    return found


# 'כמה משקיעה כל אחת מהחברות', 'מה חלקו של כל צד': the same thing is asked of each party.
_EACH_PARTY = re.compile(
    r"(?<![\u05d0-\u05ea])(?:כל\s+אחד|כל\s+אחת)\s+מ(?:ה|ן\s+ה)?[\u05d0-\u05ea]{3,}|(?<![\u05d0-\u05ea])כל\s+צד(?![\u05d0-\u05ea])"
    r"|\beach (?:of the )?(?:part(?:y|ies)|partners?|compan(?:y|ies))\b",
    re.IGNORECASE,
)


def _parallel_clause(quote: Quote, library: Library) -> Quote | None:
    """The sibling clause that says for another party what `quote` says for one.

    ('אדמה תשקיע בהון … ₪9,000,000' beside 'סולאר נגב תשקיע בהון … 3,000,000 ש"ח'): of the same section, with a
    figure of the same kind, sharing three words or more and a third of the quote's words other than its first (the
    party).
    """
    section = quote.section.rsplit(" › ", 1)[0]
    mine = [w for w in tokenize(_NUMBER.sub("", quote.text, count=1)) if len(w) > 2 and not _stop(w)]
    own = {f for w in mine[1:] for f in _forms(w) if f[0] not in "~≈"}
    has_money = bool(money(quote.text))
    best: tuple[int, Quote] | None = None
    for hit in library.chunks:
        if hit.document_id != quote.hit.document_id:
            continue
        for unit in clause_units(hit.text):
            other = Quote(unit.text, relabel(hit.section, unit.clause), hit)
            if unit.text == quote.text or not unit.clause or other.section.rsplit(" › ", 1)[0] != section:
                continue
            if has_money != bool(money(unit.text)) or (not has_money and not re.search(r"\d", unit.text)):
                continue
            shared = len({f for f in own if f in _words(unit.text)})
            words = {w for w in mine[1:]}
            if (
                shared >= 3
                and sum(1 for w in words if _forms(w) & _words(unit.text)) * 3 >= len(words)
                and (best is None or shared > best[0])
            ):
                best = (shared, other)
    return best[1] if best is not None else None


def _party_named(question: str, library: Library, quoted: AbstractSet[str]) -> str | None:
    """The one document, not among `quoted`, whose parties the question names by two words or more.

    A party is named on its contract's 'בין:' / 'לבין:' lines or in its title after the dash; a word counts for a
    document when it is on those lines of that document alone and in no quoted document at all (the quoted contract
    never names that party).
    """
    if not library.documents or len(library.documents) < 2:
        return None
    where = _word_documents(library.chunks)
    parties = _party_lines(library.chunks, library.documents)
    contracts = _contracts(library.chunks)
    if any(d not in contracts for d in quoted):
        return (
            None  # a fee schedule or a policy has no 'בין:' / 'לבין:' lines: it applies to every client, named or not
        )
    asked = {
        f
        for tok in tokenize(question)
        if len(tok) >= 3 and not _stop(tok) and tok not in _GENERIC_TITLE
        for f in _forms(tok)
        if f[0] not in "~≈"
    }
    if any(asked & parties[d] for d in quoted):
        return None  # it names a party of a quoted contract too ('בהסכם עם X לעומת ההסכם עם Y')
    found: dict[str, int] = {}
    for tok in dict.fromkeys(tokenize(question)):
        if len(tok) < 3 or _stop(tok) or tok in _GENERIC_TITLE:
            continue
        forms = {f for f in _forms(tok) if f[0] not in "~≈"}
        if set().union(*(where.get(f, frozenset()) for f in forms)) & quoted:
            continue
        named_by = [d for d, words in parties.items() if forms & words]
        if len(named_by) == 1 and named_by[0] not in quoted:
            found[named_by[0]] = found.get(named_by[0], 0) + 1
    named = [d for d, n in found.items() if n >= 2]
    return named[0] if len(named) == 1 else None


_PARTY_LINE = re.compile(r"^\s*(?:ו?לבין|בין)\s*:")


def _contracts(chunks: Sequence[SearchHit]) -> frozenset[str]:
    """The documents that are contracts between named parties: a 'בין:' or 'לבין:' line in their text."""

    def build(chunks: Sequence[SearchHit]) -> frozenset[str]:
        return frozenset(h.document_id for h in chunks if any(_PARTY_LINE.match(line) for line in h.text.splitlines()))

    return _per_archive("contracts", chunks, build)


def _party_lines(chunks: Sequence[SearchHit], documents: Mapping[str, str]) -> dict[str, frozenset[str]]:
    """Each document's party names: its 'בין:' / 'לבין:' lines and its title after the dash ('— קוד צפוני בע"מ …').

    The title's kind ('הסכם פיתוח תוכנה') names the document, not a party: a comparison names it.
    """

    def build(chunks: Sequence[SearchHit]) -> dict[str, frozenset[str]]:
        out: dict[str, set[str]] = {
            d: set(_words(re.split(r"\s[—–-]\s", t, maxsplit=1)[1])) if re.search(r"\s[—–-]\s", t) else set()
            for d, t in documents.items()
        }
        for hit in chunks:
            for unit in clause_units(hit.text):
                if not unit.clause and _PARTY_LINE.match(unit.text):
                    out.setdefault(hit.document_id, set()).update(_words(unit.text))
        return {d: frozenset(w) for d, w in out.items()}

    return _per_archive("party_lines", chunks, build)


def _extract(
    question: str,
    hits: Sequence[SearchHit],
    library: Library,
    *,
    intent: str = "",
    strict: bool = False,
    hints: str = "",
) -> Extracted:
    needed = _MIN_STRICT if strict else _MIN_COVERAGE
    vocabulary, pairs = _vocabulary(library.chunks)
    told = question  # as written: an aside may say the variant priced ('היא שוקלת 18 קילו')
    question = correct(
        _without_aside(_without_instructions(without_writer(question))), vocabulary, pairs, skip=_stop
    )  # 'ניקוי אבנייה' → 'ניקוי אבנית'
    lang = detect(question)
    # `hints`: the tenant's Hebrew names of services a question names by an alias (foreign words or slang).
    query = question if lang == "he" else f"{question} {hebrew_terms(question)} {hints}".strip()
    known = _known_by(library.idf)
    for phrase, plain, same in _PHRASES:  # everyday words for what contracts call otherwise
        # Said beside the documents' own words; in their place when they name the same thing and no document
        # uses them ('השכ"ד'): a word nowhere in the documents would count as a topic the clause leaves out.
        query = phrase.sub(lambda m, p=plain, x=same: _in_documents_words(m.group(0), p, known, x), query)
    if lang != "he":
        # A long foreign question is cut to its question sentences first: the Hebrew terms added are what it
        # is searched by, and must not be cut with the background.
        # Questions that each name something ('How much is X? Is there a package price?') get their own terms;
        # a follow-up that names nothing ('Open on Friday? Until what time?') leaves the message one question.
        asked_part = _focus(question)
        pieces = [p for p in re.split(r"(?<=[?؟])\s*", asked_part) if p.strip(" ?؟")]
        if len(pieces) > 1 and all(set(hebrew_terms(p).split()) - _GENERIC_TERMS for p in pieces[1:]):
            focus = " ".join(with_terms(p, f"{hebrew_terms(p)} {hints}") for p in pieces)
        else:
            focus = with_terms(asked_part, f"{hebrew_terms(asked_part)} {hints}")
    else:
        # English words in a Hebrew question ('כמה עולה semen analysis?') are searched by their Hebrew terms too
        focus = with_terms(_focus(_glossed_in_place(query)), hints)
    question_words = _synonymous(_words(focus))  # 'ניסוח' names the row 'עריכת …' ('ניסוח צוואה' does not)
    shape = _shape(focus, intent)
    attribute = asked_attribute(focus)
    named = _named_documents(focus, library.documents) if library.documents else []
    comparing = bool(_COMPARE.search(focus.lower()))
    if comparing and len(named) < 2 and library.documents:
        # 'לכמה זמן אסור למוכר המאפייה להתחרות, לעומת הבלעדיות של היוצרת?': each contract named by its parties
        # or its subject ('המאפייה', 'היוצרת'), not by its kind.
        by_party = [d for d in _parties_in_order(focus, library) if d not in named]
        if len(named) + len(by_party) == 2:
            named = [*named, *by_party]
    anchor = _anchor(focus, library.idf)
    operation = asked_operation(focus)
    single = len(_parts(focus)) == 1
    required: re.Pattern[str] | _Test | None = _required(focus)
    if operation in ("vat", "quantity", "difference", "sum") and single:
        required = _SHAPE["money"]  # a derived amount is computed from an amount
    elif operation in _PERIOD_OF and single:
        required = _Test(_PERIOD_OF[operation])  # a year of a monthly amount starts from a monthly amount
    if single and operation in ("quantity", "vat") and (asked_count := quantity_asked(focus)) is not None:
        # '5 שעות' needs a rate per hour — unless the item itself is described by the count ('דירת 4 חדרים')
        # ('באיחור של 3 חודשים' of '1.5% לחודש' is that rate for those months of the question's own amount)
        counted_test = _Test(
            lambda t: (
                (
                    times_quantity(focus, t) is not None
                    or (states_count(asked_count, t) and bool(money(t)))
                    or interest_per_period(focus, t, focus) is not None
                    # '18,000 מנויים' of a table priced by bands of subscribers: the band's row, no rate to multiply
                    or (band_holds_count(focus, t) is True and bool(money(t)))
                )
                # 'בתקופת האופציה … ₪7,072 לחודש' is no rate for '12 חודשים' the question asks of the term itself
                and not _in_another_period(t, question_words)
            )
        )
        required = counted_test
        if asked_count[1] == "קילוגרם" and not any(
            counted_test.search(u.text) for h in hits[:_TOP_HITS] for u in clause_units(h.text)
        ):
            # 'My dog weighs about 30 kg. How much is one night of boarding?': no clause prices per kilogram, so
            # the weight describes what is priced (a row's weight band), it is no quantity to multiply
            required = _SHAPE["money"]
        elif asked_count[1][0] in "בלהמו" and not any(
            counted_test.search(u.text) for h in hits[:_TOP_HITS] for u in clause_units(h.text)
        ):
            # '3 הזרקות נוגדי דלקת' and no unit price is sure among the hits: the row that prices the thing
            # counted (its item names it) is quoted as it is — not any clause with an amount ('2,500 מסגרות' is
            # not answered by a penalty of ₪2,500).
            noun = asked_count[1]
            required = _Test(lambda t: row_names_unit(noun, t) and bool(money(t)))
    elif single and asks_whole_term(focus):
        required = _Test(lambda t: len(money(t)) == 1 and states_period(t, "month"))  # a monthly amount × the term
    if single and given_date(focus) is not None:
        # 'הודעת סיום ביום 01/09/2026 — מתי יסתיים?': the date plus the period of a clause, the one that runs
        # from the act the question dates ('בהודעה מוקדמת … של 90 יום'), not another period of the topic.
        event = {f for t in tokenize(date_event(focus)) if not _stop(t) for f in _forms(t)}
        required = _Test(lambda t: states_one_period(t) and bool(event & _words(period_lead(t))))
    if single and (_MOST_Q.search(focus) or _CAP_Q.search(focus)) and required in (None, _SHAPE["money"]):
        required = _CAP_TEXT  # 'the most it could pay' is what a limit says ('לא יעלה על 5% משכר החוזה')
    if required is None and single:
        required = _expected(focus)  # 'באיזה תאריך' is answered by a date, 'באיזה שיעור' by a percentage
    count_test: _Test | None = None
    if required is None and single and not _PAYING.search(focus) and (count_test := _count_of(focus)) is not None:
        # 'מכמה חברים מורכבת הוועדה' is answered by a unit that counts them ('4 חברים') — where a found clause counts
        # them so. A count said otherwise ('כלב אחד', 'שני צילומי נשך', 'במחוז המרכז ובמחוז הדרום') or a verb read as
        # the noun ('בכמה מתייקרים') leaves the question to the ordinary ranking.
        if any(count_test.search(u.text) for h in hits[:_TOP_HITS] for u in clause_units(h.text)):
            required = count_test
        else:
            count_test = None
    # A document named as the subject ('הסכם הזכיינות') confines a one-part question to it; in a question of
    # several parts it only leans the parts towards it (another part may ask another document).
    only = _only_named(focus, library.documents, definite=single) if library.documents and not comparing else []
    implied = not only and single and not comparing
    if implied:
        # 'הקניון', 'סמנכ"לית הכספים': a party only one contract has (and the document the question names, if any).
        # A title's topic word ('המכונות' of a machine-rental agreement) does not outweigh two words that name the
        # parties of another contract ('אור הדפוס'): unless it names a document as a document ('בהסכם השכירות'),
        # the parties say which contract is asked about.
        weak = not _strongly_named(focus, library.documents) and not _scoped(focus, library.documents)
        only = [d for d in _implied_documents(focus, library) if not named or d in named or weak]
        if only and weak and only[0] not in named:
            named = only
    table: dict[str, Any] = {
        "intros": _intros(library.chunks),
        "actor": _asked_actor(focus, library),
        "tokens": tokenize(focus),
        "known": _known_by(library.idf),
        "required": required if single else None,
    }

    if lang == "he" and not comparing and single and _parties_of_two_contracts(focus, library):
        return Extracted("not_found", lang=lang, reason="parties_of_two_contracts")
    if _CLIENT_LIST.search(focus.lower()):
        # Who the business's clients are is theirs to keep: the parties of its contracts are not a client list.
        return Extracted("not_found", lang=lang, reason="client_list", missing=_CLIENTS_KEPT[lang != "he"])
    clause = _asked_clause(focus)
    if clause:
        return _by_clause(focus, clause, hits, library, named, lang)
    # Questions one policy sentence answers whole: 'not offered here', a restriction for a stated
    # condition, a threshold rule, the cancellation window an hour count falls in.
    for reason, policy in (
        ("not_offered", _not_offered),
        ("restriction", _restriction),
        ("exception", _exception),
        ("threshold_rule", _eligibility),
        ("hour_window", _in_window),
        ("clock_deadline", _by_clock_deadline),
        ("late_window", _late_window),
        ("elapsed_window", _elapsed_window),
        ("need", _need),
    ):
        quote = policy(focus, library)
        if quote is not None:
            return Extracted("answered", (quote,), lang=lang, reason=reason)
    count_banded = _count_band(focus, library, named)
    if count_banded is not None:
        calc, row = count_banded
        return Extracted("answered", (row,), calculation=calc, lang=lang, reason="count_band")
    priced = _priced_after_story(focus) if lang == "he" and len(_parts(focus)) == 1 else None
    if priced is not None:
        # 'לפני שנתיים היה לי התקף לב, מאז אני בסדר. כמה עולה עיסוי של שעה?': the story tells who asks, not what
        # is priced; its words ('להגיע', 'כאב') would rank the clauses they share above the price list's row.
        alone = extract(priced, library.search(priced, top_k=8), library, intent=intent, strict=strict, hints=hints)
        if (
            alone.status == "answered"
            and alone.quotes
            and money(alone.quotes[0].text)
            and not _it_is_other(focus, priced, alone.quotes[0].text)
        ):
            # ... though the story may say which variant is priced ('אין לי הפניה', 'הבן שלי בן 5')
            variants = tuple(_variant_column(q, q.text.split(" · "), focus.lower(), told) for q in alone.quotes)
            return replace(alone, quotes=variants)
    banded = _told_amount_band(focus, library) if lang == "he" else None
    banded = banded or (_price_band(focus, library) if lang == "he" else None)
    if banded is not None:
        return Extracted("answered", banded[1], calculation=banded[0], lang=lang, reason="price_band")
    counted = _counted(focus, library)
    if counted is not None:
        return Extracted("answered", counted[1], calculation=counted[0], lang=lang, reason="each_more")
    if lang == "he" and (
        _unknown_name(_told_after(focus), library)
        or _unknown_offer(focus, library)
        or _unknown_compound(_told_after(focus), library)
    ):
        # not a name in the asker's own story
        return Extracted("not_found", lang=lang, reason="unknown_name")
    absent_annex = next((a for a in annex_named(focus) if not _holds_annex(a, library)), None)
    if absent_annex is not None:  # 'מה מפורט בנספח א'?' of an annex the archive does not hold
        return Extracted("not_found", lang=lang, reason="annex_missing", missing=_annex_note(absent_annex, lang))

    doc_words = set().union(*_title_terms(library.documents).values()) if library.documents else set()
    if len(named) >= 2 and (comparing or len(_strongly_named(focus, library.documents)) >= 2):
        # A question that names two documents wants each one's clause, side by side.
        # The words that name the documents ('הסכם הסודיות') say where to look, not what is asked there.
        cap_asked = bool(_CAP_Q.search(focus) or _MOST_Q.search(focus))
        # 'תקרת האחריות' is said by a limit ('לא תעלה על'), not by the word 'תקרה': the limit is required below.
        terms = _terms(_CAP_Q.sub(" ", _unnamed(focus)) if cap_asked else _unnamed(focus), library.idf, light=doc_words)
        side_options: list[list[_Candidate]] = []
        # 'לכמה זמן נחתם הסכם A, ולכמה זמן ניתנו הזכויות בהסכם B?': each part asks its own document its own thing.
        own_part = _part_per_document(focus, named[:2], library.documents)
        if any(not _terms(_unnamed(p), library.idf, light=doc_words).forms for p in own_part.values()):
            own_part = {}  # 'כמה X בהסכם A, וכמה בהסכם B?': the second part asks the first's thing of its document
        for d in named[:2]:
            side_hits = list(library.search(focus, top_k=8, document_ids=[d]))
            if len(library.chunks) <= _SCAN_ALL:
                seen_ids = {h.chunk_id for h in side_hits}
                side_hits += [h for h in library.chunks if h.document_id == d and h.chunk_id not in seen_ids]
            side_terms, side_attribute, side_focus = terms, attribute, focus
            if d in own_part:
                side_focus = own_part[d]
                side_attribute = asked_attribute(side_focus)
                asked_here = _CAP_Q.sub(" ", _unnamed(side_focus)) if cap_asked else _unnamed(side_focus)
                side_terms = _terms(asked_here, library.idf, light=doc_words)
            ranked = _candidates(
                side_terms,
                side_hits,
                question_words=question_words,
                shape=shape,
                anchor=anchor,
                attribute=side_attribute if side_attribute == "term" else None,  # each side's term, not its renewal
                cue_words=_words(cue(side_focus, side_attribute)) if side_attribute == "term" else frozenset(),
                **table,
            )
            if cap_asked:
                # 'השווה את תקרת האחריות': each side's limit ('לא תעלה על'), not another clause on liability
                ranked = [c for c in ranked if _CAP_TEXT.search(c.unit.text)] or ranked
            side_options.append([c for c in ranked[:_SIDE_CHOICES] if c.coverage >= _MIN_SIDE])
        sides = [_quote(c) for c in _pair_sides(side_options, doc_words)]
        if sides:
            shown = _with_referenced(sides, library)
            return Extracted("answered", tuple(shown), lang=lang, comparison=len(sides) > 1, reason="comparison")
        # Two documents named and neither has a clause for it ('ההסכם שנחתם בין ישראל לסודאן', both names titles of
        # documents, the relation between them told in a third): the question is looked for as any other.

    # What is computed is not sought: 'כולל מע"מ', 'בשנה', 'ההפרש' are not words of the clauses that answer.
    asked = _COMPUTE_WORDS[operation].sub(" ", focus) if operation in _COMPUTE_WORDS else focus
    if asks_whole_term(focus):  # 'על כל תקופת השכירות' is the term's months, not the words of the amount
        asked = re.sub(r"(?:על|ל|במשך|לאורך)\s*כל\s*(?:ה)?תקופ\S*(?:\s+\S+)?", " ", asked)
    for pattern, minutes in LENGTH_PHRASES:
        # 'של חצי שעה' is said by a row as '30 דקות': the variant rows pick it below. Only when a row lasts that
        # long: a length no row has ('פיזיותרפיה של חצי שעה' of 45- and 60-minute rows) is a word left unanswered.
        if pattern.search(asked) and _some_row_lasts(library, minutes, pattern.sub(" ", asked)):
            asked = pattern.sub(" ", asked)
    # 'יש לי תור לאורתופד ביום רביעי, מה להביא?': the clause before the question is its background.
    light = (doc_words if named else set()) | _background(asked)
    if lang == "he":
        # 'כמה זמן ימשיך שמעון דהן לעבוד…': a party's own name says which contract, not what is asked; its
        # clauses call the party by its role ('המוכר'): the name is sought as that role, and what is left of a
        # name with no role weighs as a document's name does.
        asked = _by_role(asked, library)
        light |= _party_name_forms(asked, library)
    if required is _SHAPE["money"]:
        # 'לחברי מאוחדת עוגן', 'אני במכבי שלי': whose price is asked (a column of the row), not what is priced.
        # 'לחברי מאוחדת עוגן' asks for the members' column; 'אני חבר מכבי.' tells who asks, and a clause of the
        # policies that names the fund ('למבוטחי מכבי הסדר ישיר …') is that member's price.
        light |= {
            f
            for m in _FUND_NAMED.finditer(asked)
            if not re.search(r"(?:אני|אנחנו|אני\s+ב|הוא|היא)\s*$", asked[: m.start()])
            for t in tokenize(m.group(0))
            for f in _forms(t)
        }
    terms = _terms(asked, library.idf, light=light)
    # A sensitive message's story (the child, the diagnoses) is told before what it asks: the quote must
    # cover what is asked well, the story only counts in the ranking.
    asked_terms = (
        _terms(_told_after(asked), library.idf)
        if strict and _told_after(asked) != asked and not _ADVICE.search(_told_after(asked))
        else None
    )
    # Any story told before the question ('נשארו לי 3 טיפולים בכרטיסייה ואני עוברת לגור בחיפה. אפשר להעביר אותם
    # לחברה?'): a clause that covers the question sentence well, and the story in part, answers it.
    told_terms = _terms(_told_after(asked), library.idf) if not strict and _told_after(asked) != asked else None
    pool = list(hits[:_TOP_HITS])
    known = {h.chunk_id for h in pool}
    extra: list[SearchHit] = []
    if focus != query:
        extra += library.search(focus, top_k=5)
    if named:
        extra += library.search(focus, top_k=5, document_ids=named)
    # A clause that introduces a table ('…לפי לוח התשלומים שלהלן:') comes with the table chunked apart from it.
    sections = _sections(library.chunks)
    extra += [
        t
        for h in [*pool, *extra]
        if (h.document_id, h.section) in table["intros"]
        for t in sections[h.document_id, h.section]
    ]
    for h in extra:
        if h.chunk_id not in known:
            known.add(h.chunk_id)
            pool.append(h)
    parts = _parts(focus)
    if _during_after(focus) is None:  # 'during X, and after it' asks two periods: the second adds none of the first's
        parts = _parallel(parts)
    if lang == "he" and len(parts) == 1 and _priced_thing_unknown(focus, library):
        # 'כמה עולה עיסוי ספורטאים?': the thing priced is a word no document uses; a row that shares its other
        # word ('מבחן מאמץ לספורטאים') is the price of something else.
        return Extracted("not_found", lang=lang, reason="absent_subject")
    if lang != "he" and not hints.strip() and _foreign_thing_absent(focus, library):
        # 'Do you offer acupuncture?', 'قديش سعر تجميد الحيوانات المنوية؟': the thing asked about is a word the
        # documents never use, or two words they never say together ('הקפאת' is of eggs, 'זרע' is tested):
        # a row that shares one of them is the price of something else.
        return Extracted("not_found", lang=lang, reason="absent_subject")
    if len(parts) > 1 and lang == "he" and not _shared_predicate(focus) and _unknown_in_every_part(parts, library):
        # 'יש אצלכם עיסוי ספורטאים? כמה עולה עיסוי של שעה?': each question is about a thing no document names;
        # what the parts' other words find (a 'ספורטאים' row, an hour of parking) answers nothing asked.
        return Extracted("not_found", lang=lang, reason="absent_subject")
    if len(parts) > 1 and len(library.chunks) > _SCAN_ALL:
        # Each part is searched for on its own words: its clause may rank low for the whole question (a
        # small archive needs no search of its own: the wider look below reads every chunk).
        for part in parts:
            for h in library.search(part, top_k=8, document_ids=named or None):
                if h.chunk_id not in known:
                    known.add(h.chunk_id)
                    pool.append(h)
    elif len(parts) > 1 or (attribute in _SCAN_FOR and len(library.chunks) <= _SCAN_ALL):
        # A small archive: every clause is a candidate for every part, and for a fact of a kind
        # (the hours, the address) that search may rank below the words the question shares with others.
        for h in library.chunks:
            if h.chunk_id not in known:
                known.add(h.chunk_id)
                pool.append(h)
    chosen: list[_Candidate] = []
    fallback: list[_Candidate] = []
    both = False  # one clause answers every question word of one predicate
    clock_only = False  # a day's hours row chosen for the time of day asked (below)
    wider = [h for h in library.search(focus, top_k=20) if h.chunk_id not in known]
    if len(library.chunks) <= _SCAN_ALL:  # a small archive: every chunk, in case search ranked it low
        wider += [h for h in library.chunks if h.chunk_id not in known and h not in wider]

    def rank(hits: Sequence[SearchHit], **overrides: Any) -> list[_Candidate]:
        return _candidates(
            terms,
            hits,
            question_words=question_words,
            shape=shape,
            prefer=named,
            anchor=anchor,
            attribute=attribute,
            cue_words=_cue_words(focus, attribute),
            letterhead=_letterhead(library.chunks) if attribute is not None else frozenset(),
            **{**table, **overrides},
        )

    for look in (pool, wider):
        # A second, wider look only when the first finds nothing good enough.
        pool = [*pool, *look] if look is not pool else pool
        ranked = rank(pool)
        if (dated := dated_count(question)) is not None:
            # 'ביטל את הכנס 100 ימים לפני מועדו. … כמה דמי ביטול?': of a table's rows by a span of days, only the
            # one whose span holds the count the message dates its act by (told in any of its sentences)
            ranked = [c for c in ranked if not (c.unit.is_row and count_in_span(*dated, c.unit.text) is False)]
        # 'יש לנו 18,000 מנויים': of a table's rows by a band of that count, only the one whose band holds it
        ranked = [c for c in ranked if not (c.unit.is_row and band_holds_count(focus, c.unit.text) is False)]
        if only:  # asked within one document ('בהסכם הסודיות'): another document's clause does not answer it
            ranked = [c for c in ranked if c.hit.document_id in only]
            if implied:  # the party's own lines name it, and say nothing asked of it
                ranked = [c for c in ranked if not _RECITAL.match(c.unit.text)]
        if single and operation == "sum":
            # 'כמה ריבית בסך הכול': a table whose column the question names answers it, added up over its records.
            column = next((c for c in ranked[:10] if c.unit.is_row and _names_column(focus, c.unit.text)), None)
            if column is not None and column.coverage >= needed * 0.75:
                ranked = [column, *(c for c in ranked if c is not column)]
        if len(parts) > 1:
            during = _during_after(focus)
            avoid = _words(during[2].split()[-1]) if during else frozenset()
            scope = _scoped(focus, library.documents) if library.documents else []
            chosen = _per_part(parts, ranked, library, intent, avoid=avoid, prefer=named, scope=scope)
            if len(chosen) > 1 and _shared_predicate(focus):
                chosen = _one_for_both(parts, chosen, ranked)
                both = len(chosen) == 1  # it says every part: nothing is added to complete it
            if len(chosen) < len(parts) and look is pool:
                continue  # a part unanswered: the wider look may have its clause
        elif ranked and (
            ranked[0].coverage >= needed
            or (
                asked_terms is not None
                and ranked[0].coverage >= _MIN_COVERAGE
                and asked_terms.cover(ranked[0].words) >= needed
            )
            or (
                told_terms is not None
                and single
                and ranked[0].coverage >= _MIN_COVERAGE * 0.75
                and told_terms.cover(ranked[0].words) >= _MIN_TOLD
            )
        ):
            chosen = [ranked[0]]
            if look is pool and attribute is not None and not fit(attribute, ranked[0].unit.text):
                fallback, chosen = chosen, []  # 'where is it' answered without an address: look wider first
                continue
        elif (
            ranked
            and required is not None
            and single
            and not strict
            and ranked[0].coverage >= needed * 0.75
            and anchor is not None
            and anchor & (ranked[0].words | _words(ranked[0].unit.context) | _words(ranked[0].hit.section))
            and not _unknown_words(focus, library.idf)
        ):
            # The figure asked for ('בכמה יוצא השכ"ד') is there, beside the question's rarest word: everyday
            # words for what the clause says otherwise leave its coverage short.
            chosen = [ranked[0]]
        elif (
            ranked
            and attribute in ("days", "opening_hours")
            and single
            and not strict
            and ranked[0].unit.is_row
            and _names_row(ranked[0].unit, question_words)
            and (
                ranked[0].coverage >= needed * 0.75
                or (
                    clock_only := _clock_only(focus, ranked[0], _known_by(library.idf))
                    and bool(fit("opening_hours", ranked[0].unit.text))
                )
            )
        ):
            # 'אפשר להגיע ביום שישי בבוקר?': the asked day's own row of the hours table says it, in other words.
            # A time of day asked with it ('ביום חמישי אחרי העבודה, בסביבות חמש וחצי?') is what the row's hours
            # answer, when the question names nothing else the documents speak of (a service, a person, what to
            # bring): the words around the time tell the asker's day, not the question.
            chosen = [ranked[0]]
        elif (
            ranked
            and single
            and not strict
            and (
                (required is _CAP_TEXT and ranked[0].coverage >= needed * 0.6)
                or (count_test is not None and required is count_test and ranked[0].coverage >= needed * 0.6)
                or (given_date(focus) is not None and ranked[0].coverage >= needed * 0.25)
                or (
                    operation == "quantity"
                    and times_quantity(focus, ranked[0].unit.text) is not None
                    and ranked[0].coverage >= needed * 0.6
                )
            )
        ):
            # A limit asked for ('the most'), a count of a noun ('מכמה חברים'), the period that runs from the act a
            # question dates, or a rate per the unit the question counts (the item it names, when the clause lists
            # several): the kind of clause is narrow enough that the best one covering part of the words is the one.
            chosen = [ranked[0]]
        elif (
            ranked
            and (operation in _TWO_FACTS or asks_update(focus))
            and not strict
            and ranked[0].coverage >= needed * 0.75
            and _SHAPE["money"].search(ranked[0].unit.text)
        ):
            # The question's words are split between the two facts (the price, and who gets the discount):
            # the amount may cover less of it, the second fact is looked for beside it.
            chosen = [ranked[0]]
        if chosen:
            break
    chosen = chosen or fallback
    if not chosen and single and ranked and operation is None:
        chosen = _listed_under_heading(terms, ranked, needed)
    if not chosen and single and not strict and operation is None and required is not None:
        # 'כמה עולה מכתב לביטוח לאומי?': the clause that names the thing asked ('4.1 … מכתב … לביטוח לאומי') says no
        # amount; the next clause of its section does ('4.2 מכתב קצר … 250 ₪'), naming the thing more briefly.
        unbound = rank(pool, required=None)
        if only:
            unbound = [c for c in unbound if c.hit.document_id in only]
        chosen = _figure_beside(unbound, ranked, question_words, needed)
    if attribute == "address" and chosen and not any(fit(attribute, c.unit.text) for c in chosen):
        # 'מה הכתובת של ד"ר לוין?': the person's line names them but not where; the place's street address does
        chosen = next(([c] for c in ranked if fit(attribute, c.unit.text)), chosen)
    if attribute in _MUST_CARRY and len(parts) == 1 and chosen and not fit(attribute, chosen[0].unit.text):
        chosen = []  # whether one may park there is said only by a sentence about parking, not by the address
    if not chosen:
        clauses = _priced_after_clauses(focus) if lang == "he" and len(parts) == 1 else None
        if clauses is not None:
            alone = extract(
                clauses, library.search(clauses, top_k=8), library, intent=intent, strict=strict, hints=hints
            )
            if alone.status == "answered" and alone.quotes and money(alone.quotes[0].text):
                return alone
        return Extracted("not_found", lang=lang, reason="no_match")
    if len(parts) == 1 and _absent_subject(focus, library.idf, _lemmas(library.chunks)):
        return Extracted("not_found", lang=lang, reason="absent_subject")
    if len(parts) == 1 and lang == "he" and operation is None and _asked_thing_elsewhere(focus, chosen[0], library):
        return Extracted("not_found", lang=lang, reason="asked_thing_elsewhere")
    if len(parts) == 1 and lang == "he" and _other_ordinal(focus, chosen[0].unit.text):
        return Extracted("not_found", lang=lang, reason="other_ordinal")
    if len(parts) == 1 and lang == "he" and _charge_unstated(focus, chosen[0].unit.text):
        return Extracted("not_found", lang=lang, reason="charge_unstated")
    if len(parts) == 1 and (
        _absent_condition(focus, library, chosen[0])
        if lang == "he"
        else lang == "en" and _foreign_condition_unsaid(question, chosen[0])
    ):
        return Extracted("not_found", lang=lang, reason="absent_condition")
    if len(parts) == 1 and (kept := _kept_elsewhere(focus, question_words, chosen[0], library, lang)) is not None:
        return Extracted("not_found", lang=lang, reason=kept[0], missing=kept[1])
    if (
        len(parts) == 1
        and operation is None
        and (kind := asked_kind(focus)) is not None
        and not says_kind(kind, [c.unit.text for c in chosen], focus)
    ):
        # 'מתי הופסק הניסוי?' answered by 'והניסוי הופסק': the unit that answers says no time, year or number; the
        # sentence about the thing is a near miss, not the answer. (Checked before a second unit is added to
        # complete it: on HeQ's first half, checking after lets six more near misses through for one more answer.)
        return Extracted("not_found", lang=lang, reason=f"{kind}_unsaid")
    best = chosen[0]
    if len(chosen) == 1 and len(parts) == 1 and operation is None and best.unit.is_row:
        chosen = _variant_rows(best, ranked, focus)
    elif len(chosen) == 1 and len(parts) == 1 and operation is None:
        listed = _listed_under_heading(terms, ranked, needed)
        chosen = listed if best in listed else chosen  # the best item is one of a list the heading asks for
    if attribute == "how" and len(chosen) == 1 and not fit(attribute, best.unit.text):
        # 'איך מבקשים X': the right to X, and beside it in its section the sentence that says how.
        how = next(
            (
                c
                for c in ranked
                if c.hit.chunk_id == best.hit.chunk_id
                and c.unit.context == best.unit.context
                and c.unit.text != best.unit.text
                and fit(attribute, c.unit.text)
            ),
            None,
        )
        if how is not None:
            chosen.append(how)
    if len(chosen) == 1 and len(parts) == 1 and (operative := _operative(focus, best, library, terms)) is not None:
        chosen = [operative, best]  # what the clause that uses the defined term says, then who the term is
    if len(chosen) == 1 and len(parts) == 1 and attribute is not None and not best.unit.is_row:
        # 'יש איפה לחנות?': two sentences of one section say it as well as each other (the garage, the street);
        # quoting the first of them at random leaves out an answer as good.
        twin = next(
            (
                c
                for c in ranked[1:6]
                if not c.unit.is_row
                and c.hit.chunk_id == best.hit.chunk_id
                and c.unit.context == best.unit.context
                and c.unit.text != best.unit.text
                and c.coverage >= best.coverage - 1e-9
                and fit(attribute, c.unit.text)
            ),
            None,
        )
        if twin is not None:
            order = [u.text for u in clause_units(best.hit.text)]
            chosen = sorted([best, twin], key=lambda c: order.index(c.unit.text) if c.unit.text in order else 0)
    if len(chosen) == 1 and not clock_only and not both:
        # A second unit when it covers what the first leaves out (two parts of a question, two rows compared).
        # (Not beside a day's hours row that answers a time of day: what it leaves out is the asker's own day.)
        said = best.words | _words(best.unit.context) | _words(best.hit.section)
        if fit(attribute, best.unit.text):
            said |= _cue_words(focus, attribute)  # the address says what 'הכתובת' asks
        missing = terms.missing(said)
        charge = _charge_forms(focus)
        if missing > 0.2:
            for c in ranked[1:6]:
                if charge & best.words and not charge & c.words:
                    continue  # 'מה סכום המקדמה לטיפול PRP?': the treatment's price row is no part of its deposit
                gain = missing - terms.missing(best.words | c.words | _words(c.unit.context))
                other_party = table["actor"] is not None and _actor_bonus(c.unit.text, *table["actor"]) < 0
                if (
                    gain >= 0.15
                    and c.coverage >= _MIN_COVERAGE * 0.75
                    and c.unit.text != best.unit.text
                    and not _other_days(c.words, question_words)  # Tuesday's sentence does not complete Friday's
                    # nor does the sentence of a period not asked about ('שעות בחודש הרמדאן') complete the usual hours
                    and not _in_another_period(c.unit.text, question_words)
                    and not _in_another_period(f"{c.unit.context}\n{c.hit.section}", question_words, _HEADING_PERIOD)
                    and not other_party  # another party's clause does not complete the one asked about
                    and not _RECITAL.match(c.unit.text)  # nor does a recital
                ):
                    chosen.append(c)
                    break
    if operation is not None and len(chosen) > 1 and len(parts) == 1:
        # A computation's facts: the units with an amount or a rate, best first.
        chosen = [c for c in chosen if _SHAPE["money"].search(c.unit.text)] or chosen
    calculation, quotes, lacking = _calculate(focus, [_quote(c) for c in chosen], library, operation, lang)
    if calculation is None and len(parts) == 1:
        quotes = _with_referenced(quotes, library)
    if len(parts) > 1:
        # A calculation for one part does not drop the clauses that answer the other parts.
        shown = {q.text for q in quotes}
        quotes = [*quotes, *(q for q in (_quote(c) for c in chosen) if q.text not in shown)]
        if calculation is None:
            # 'אין לי הפניה מרופא. כמה תעלה בדיקה?': the variant told in one sentence and asked in the next
            quotes = [_variant_column(q, q.text.split(" · "), focus.lower(), told) for q in quotes]
    elif calculation is None:
        quotes = [_one_column(q, focus, told) for q in quotes]
    return Extracted(
        "answered",
        tuple(quotes),
        calculation,
        lang=lang,
        comparison=comparing and len(quotes) > 1 and calculation is None,
        reason="calculation" if calculation else ("calculation_missing_fact" if lacking else ""),
        missing=lacking,
    )


_PRONOUN = re.compile(
    r"(?<![\u05d0-\u05ea])ו?(?:היא|הוא|אותה|אותו|ממנה|ממנו)(?![\u05d0-\u05ea])|\b(?:it|she|he|they)\b", re.I
)
# 'כמה השתתפות עצמית תשלם': an amount paid is asked, whatever its noun ends with; no count of it.
_PAYING = re.compile(
    r"(?<![\u05d0-\u05ea])ו?(?:תשלם|ישלם|נשלם|אשלם|ישלמו|תשלמו|משלם|משלמת|משלמים|ישולם|לשלם|עולה|עולים|עולות|עלות"
    r"|ה?מחיר)(?![\u05d0-\u05ea])|₪|ש\"ח|\bpay|\bcost|\bprice",
    re.I,
)
_BACK_REFERENCE = re.compile(r"(?<![\u05d0-\u05ea])(?:זה|זו|זאת|כך|אותו|אותה|שם)(?![\u05d0-\u05ea])")


def _part_per_document(focus: str, documents_named: Sequence[str], documents: Mapping[str, str]) -> dict[str, str]:
    """Each of two named documents with the one part of the question that names it alone, or {} when not so."""
    parts = _parts(focus)
    if len(parts) != 2 or len(documents_named) != 2:
        return {}
    if any(_COMPARE.search(p.lower()) or _BACK_REFERENCE.search(p) for p in parts):
        return {}  # 'ובכמה זה שונה מסיום ההתקשרות?': the second part asks the first's thing, compared
    out: dict[str, str] = {}
    for part in parts:
        here = [d for d in _named_documents(part, documents) if d in documents_named]
        if len(here) != 1 or here[0] in out:
            return {}
        out[here[0]] = part
    return out


# A health fund and its plan ('מאוחדת עוגן', 'מכבי שלי'), as a member says it ('לחברי', 'אני ב').
_FUND_NAMED = re.compile(
    r"(?<![\u05d0-\u05ea])(?:(?:ל|ו)?חבר(?:י|ת|ה)?\s+)?[ולבמש]?(?:מכבי|כללית|מאוחדת|לאומית)"
    r"(?:\s+(?:שלי|עוגן|זהב|מושלם|פלטינום|שיא|כסף|עדיף|ספר))?(?![\u05d0-\u05ea])"
)
# The price columns a question names: a single treatment, a punch card or a series, the members' price.
_COLUMN_ASKED = {
    "single": re.compile(
        r"(?<![\u05d0-\u05ea])(?:ה)?בודד(?:ת)?(?![\u05d0-\u05ea])"
        r"|(?<![\u05d0-\u05ea])(?:טיפול|מפגש|ביקור|פגישה)\s+(?:[\u05d0-\u05ea]+\s+)?(?:אחד|אחת)(?![\u05d0-\u05ea])"
        # 'רק פעם אחת' (and the common 'פעם אחד'): the one treatment, not the card
        r"|(?<![\u05d0-\u05ea])פעם\s+(?:אחת|אחד)(?![\u05d0-\u05ea])"
        r"|\bsingle\b|\bone\s+(?:session|treatment)\b|разов|(?:одно|одного)\s+(?:заняти|сеанс)|جلسة\s+واحدة"
    ),
    "card": re.compile(
        r"כרטיסי|(?<![\u05d0-\u05ea])ה?סדר[הת](?![\u05d0-\u05ea])|punch|\bseries\b|\bpackage\b|абонемент|بطاقة"
        # a group's whole cycle of meetings ('מחזור שלם', 'the full course')
        r"|(?<![\u05d0-\u05ea])[בל]?ה?מחזור(?![\u05d0-\u05ea])|\bfull\s+(?:course|cycle)\b|\bcycle\b"
    ),
    "member": re.compile(
        r"מחיר\s+(?:ה)?חבר|(?<![\u05d0-\u05ea])לחברי(?![\u05d0-\u05ea])|\bmembers?\b|для\s+членов|للأعضاء"
    ),
}
_COLUMN_HEADER = {
    "single": re.compile(r"בודד|single", re.I),
    "card": re.compile(r"כרטיסי|סדרה|חבילה|מחזור", re.I),
    "member": re.compile(r"חבר|קופה|member", re.I),
}
# 'לא מעוניינת בכרטיסייה': a column declined is not asked.
_DECLINED = re.compile(
    r"(?:לא|בלי|ללא)\s+(?:מעוניינ\S*|רוצה|רוצים|רוצות|צריך|צריכה|צריכים|צריכות)?\s*(?:ב|את\s+ה?)?(?P<what>\S+)"
)


_FUND = re.compile(r"(?<![\u05d0-\u05ea])[ולבמש]?(מכבי|כללית|מאוחדת|לאומית)(?![\u05d0-\u05ea])")


# The variants a price list's columns are priced by, as a column's header says them and as a question asks them:
# a child's or an adult's price, one ear (eye, side) or a pair, with a referral or without one. A header with no
# family of these is matched by none.
_AGE = re.compile(
    r"(?<![\u05d0-\u05ea])(?:ה?בן|ה?בת|בגיל|גיל|גילו|גילה)\s+(\d{1,2})(?!\d)"
    r"|\b(\d{1,2})\s*(?:years?\s+old|лет|года|سنوات|سنة|عام)"
)
_VARIANT_FAMILIES: tuple[tuple[re.Pattern[str], re.Pattern[str], str], ...] = (
    (
        re.compile(r"ילד|ילדים|נוער|עד\s+גיל|child|kid|дет|طفل|أطفال", re.I),
        re.compile(
            r"(?<![\u05d0-\u05ea])(?:ל|ש|ה|ו)?(?:ילד|ילדה|ילדים|ילדה|תינוק|תינוקת|פעוט|פעוטה|נער|נערה)(?![\u05d0-\u05ea])"
            r"|(?<![\u05d0-\u05ea])(?:ל|ש|ו)?(?:ה)?(?:בן|בת)\s+שלי|(?<![\u05d0-\u05ea])(?:לבני|לבתי|בני|בתי)(?![\u05d0-\u05ea])"
            r"|\b(?:child|kid|son|daughter|toddler)s?\b|ребен|ребён|детей|сын|доч|طفل|ابني|ابنتي|لطفل",
            re.I,
        ),
        "child",
    ),
    (
        re.compile(r"מבוגר|adult|взросл|بالغ", re.I),
        re.compile(r"מבוגר|\badults?\b|взросл|بالغ|للكبار", re.I),
        "adult",
    ),
    (
        re.compile(r"זוג|שתי\s+ה|שני\s+ה|\bpair\b|\bboth\b", re.I),
        re.compile(
            r"(?<![\u05d0-\u05ea])(?:ב|ל|ו)?זוג(?![\u05d0-\u05ea])|(?:ל|ב|ו)?(?:שתי|שני)\s+(?:ה)?(?:אוזני|עיני|אוזניים|עיניים|מכשיר|צדדים)"
            r"|\bpair\b|\bboth\s+(?:ears|eyes|sides)\b|زوج|كلتا|пар[аушы]|обоих|оба\b",
            re.I,
        ),
        "pair",
    ),
    (
        re.compile(r"(?:אוזן|עין|צד)\s+אח(?:ת|ד)|\bone\s+(?:ear|eye|side)\b", re.I),
        re.compile(
            r"(?:אוזן|עין|צד)\s+(?:אחת|אחד|ימין|שמאל|הימנית|השמאלית)|(?:רק|ב|ל)\s*(?:ה)?(?:אוזן|עין)(?![\u05d0-\u05ea])"
            r"|\bone\s+(?:ear|eye|side)\b|\b(?:left|right)\s+(?:ear|eye)\b|أذن\s+واحدة|عين\s+واحدة|одно\s+ухо|один\s+глаз",
            re.I,
        ),
        "one",
    ),
)
_WITHOUT_HEADER = re.compile(r"^\s*(?:בלי|ללא|without)\s+(\S+)", re.I)
_WITH_HEADER = re.compile(r"^\s*(?:עם|with)\s+(\S+)", re.I)
_NEGATED = r"(?:בלי|ללא|אין\s+לי|אין\s+לנו|אין|לא\s+קיבלתי|without|no)\s+(?:\S+\s+){0,2}?"


def _stem(word: str) -> str:
    """A header's noun without the article or a joined preposition ('הפניה', 'בהפניה' → 'פניה')."""
    return re.sub(r"^[הבלו]", "", word.strip(",.:;")) if len(word) > 3 else word


# An abbreviation's gershayim ('דו"ח', 'דו״ח'): the same word as 'דוח'.
_GERSHAYIM = re.compile(r"(?<=[\u05d0-\u05ea])[\"״](?=[\u05d0-\u05ea])")


def _noun_pattern(noun: str) -> str:
    """A header's noun in either of its forms: 'שיחת' (construct) is asked as 'שיחה' and the other way round."""
    if len(noun) > 3 and noun[-1] in "תה" and not noun.isascii():
        return re.escape(noun[:-1]) + "[תה]"
    return re.escape(noun)


def _variant_column(quote: Quote, cells: list[str], low: str, message: str = "") -> Quote:
    """A price list's row with only the variant the question asks, when its columns are variants of one thing.

    'מכשיר לאוזן אחת' of a row priced per ear and for a pair is the per-ear price; 'לבן שלי, הוא בן 5' of a row
    priced for a child and for an adult is the child's; 'אין לי הפניה' of a row priced with a referral and
    without one is the price without it. Only when exactly one column of the row is the one asked; otherwise
    the row as it is.
    """
    if len(cells) < 3 or ":" not in cells[0]:
        return quote
    names = [c.split(":", 1)[0] for c in cells[1:]]
    if not any(
        _WITHOUT_HEADER.search(h)
        or _WITH_HEADER.search(h)
        or any(p.search(h) for p, _q, _n in _VARIANT_FAMILIES)
        or any(p.search(h) for p in _COLUMN_HEADER.values())
        for h in names
    ):
        # columns no family below covers: an animal, a weight band, a kind of visit ('לחתולה שלי', '18 קילו'),
        # read in the whole message: the variant is often told after the question ('כמה עולה? היא שוקלת 18 קילו')
        said = f"{low} {message.lower()}"
        chosen = named_variant(cells, f"{said} {hebrew_terms(said)}")
        return quote if chosen is None else replace(quote, text=" · ".join([cells[0], chosen]))
    headers = [(_GERSHAYIM.sub("", c.split(":", 1)[0]), c) for c in cells[1:] if money(c)]
    if len(headers) < 2:
        return quote
    low = _GERSHAYIM.sub("", low)
    if detect(low) != "he":
        low = f"{low} {hebrew_terms(low)}"  # 'with a written report' names the column 'עם דוח כתוב'
    asked: set[str] = set()
    for _header_p, question_p, name in _VARIANT_FAMILIES:
        if question_p.search(low):
            asked.add(name)
    for m in _AGE.finditer(low):
        age = int(m.group(1) or m.group(2))
        asked.add("child" if age < 18 else "adult")
    if {"child", "adult"} <= asked:
        asked -= {"child", "adult"}
    if {"pair", "one"} <= asked:
        asked -= {"pair", "one"}
    kept: list[str] = []
    for header, cell in headers:
        families = {name for header_p, _q, name in _VARIANT_FAMILIES if header_p.search(header)}
        without = _WITHOUT_HEADER.search(header)
        with_ = _WITH_HEADER.search(header)
        if without or with_:
            noun = _noun_pattern(_stem((without or with_).group(1)))  # type: ignore[union-attr]
            negated = re.search(_NEGATED + r"[הבלו]?" + noun, low)
            named = re.search(r"[הבלו]?" + noun, low)
            if named and bool(negated) == bool(without):
                kept.append(cell)
            continue
        if families & asked:
            kept.append(cell)
    if len(kept) != 1:
        return quote
    return replace(quote, text=" · ".join([cells[0], *kept]))


def _one_column(quote: Quote, focus: str, message: str = "") -> Quote:
    """A price list's row with only the column the question asks ('כמה עולה טיפול בודד' → the single price).

    The row's other prices answer something else (a punch card's 2,600 ₪ is not a treatment's price). Only when
    the question names exactly one column and the row has it; otherwise the row as it is.
    """
    cells = quote.text.split(" · ")
    if len(cells) < 3 or ":" not in cells[0]:
        # a sentence that prices by variant ('850 ₪ לחתול …, 1,200 ₪ לכלב מעל 10 ק"ג'): the amount asked
        said = f"{focus} {message}".lower()
        text = named_variant_in_sentence(quote.text, f"{said} {hebrew_terms(said)}")
        return quote if text == quote.text else replace(quote, text=text)
    # The question sentence names the column; a story before it ('סיים סדרה של 10 מפגשים. כמה עולה עוד מפגש?') does not.
    low = _told_after(focus).lower()
    declined = " ".join(m.group("what") for m in _DECLINED.finditer(low))
    asked = [k for k, p in _COLUMN_ASKED.items() if p.search(low) and not p.search(declined)]
    if not asked:
        # the variant is often told before the question ('רק לאוזן שמאל. כמה זה עולה?', 'הבן שלי בן 5')
        return _variant_column(quote, cells, focus.lower(), message)
    if len(asked) != 1:
        return quote
    funds = {m.group(1) for m in _FUND.finditer(low)}
    if asked[0] == "member" and funds and not funds & {m.group(1) for m in _FUND.finditer(quote.text)}:
        # 'לחברי כללית' of a row whose member price does not say which funds it is for: the row as it is.
        return quote
    kept = [c for c in cells[1:] if _COLUMN_HEADER[asked[0]].search(c.split(":", 1)[0]) and money(c)]
    if len(kept) != 1:
        return quote
    return replace(quote, text=" · ".join([cells[0], *kept]))


def _cue_words(question: str, attribute: Attribute | None) -> frozenset[str]:
    """The words that ask for the attribute ('הכתובת'), with the Hebrew terms of foreign ones ('address' → 'כתובת')."""
    said = cue(question, attribute)
    return _words(f"{said} {hebrew_terms(said)}") if said else frozenset()


def _per_part(
    parts: list[str],
    ranked: list[_Candidate],
    library: Library,
    intent: str = "",
    *,
    avoid: AbstractSet[str] = frozenset(),
    prefer: Sequence[str] = (),
    scope: Sequence[str] = (),
) -> list[_Candidate]:
    """A unit for each sub-question, chosen together: the distinct units that answer the parts best in all.

    A part's score for a unit is how well it covers the part's own words (its heading counting when it
    names the part's topic, a little for the whole question's); chosen together, the clause of the option
    answers 'ובכמה אפשר להאריך?' and the term's own clause answers 'מה תקופת השכירות', though the option
    clause mentions the term too. The parts after the first steer clear of `avoid` (the period the first
    part is about, in 'during X and after it'); a unit of a document the question names is preferred, and
    of the one it asks within ('בהסכם ההתקשרות') more so: a later part ('ומה התעריף לשעות שמעבר לו?')
    asks within it too. A part nothing answers is left out.
    """
    options: list[list[tuple[float, int]]] = []
    previous: re.Pattern[str] | _Test | None = None
    for n, part in enumerate(parts[:6]):
        # 'והאם היא צריכה להחזיר אותה?': a later part that speaks of the first part's subject by a pronoun asks
        # about it — its words are the first part's too.
        terms = _terms(f"{part} {parts[0]}" if n and _PRONOUN.search(part) else part, library.idf)
        shape = _shape(part, intent)
        # "how long" is answered by a duration (in figures or words), "how much" by an amount
        needs = _DURATION if _HOW_LONG.search(part) else (_SHAPE["money"] if _COSTS.search(part) else None)
        if needs is None and n and re.match(r"ו(?:כמה|בכמה)(?![\u05d0-\u05ea])", part):
            needs = previous  # 'כמה עולה X, וכמה Y?': the second part asks for the same kind of figure
            # ... of the same list: a row naming Y answers it though the part's other words (who sent the
            # contract to be checked) are not in the list.
            row_floor = _MIN_COVERAGE * 0.75
        else:
            row_floor = _MIN_COVERAGE
        if needs is None and _WHEN_Q.search(part):
            needs = _WHEN  # 'מה מועד המסירה' is answered by a date or a period, not by a row that names the event
        if needs is None and (_DATE_Q.search(part) or _BY_WHEN_Q.search(part)):
            needs = _DATE  # 'by when must it be repaired' is answered by a date ('עד 28 בפברואר 2027')
        if needs is None:
            needs = _count_of(part)  # 'כמה דירקטורים יש' is answered by '5 דירקטורים'

        previous = needs
        attribute = asked_attribute(part)
        scored: list[tuple[float, int]] = []
        # A second part no unit covers well enough (said in other words than its clause's: 'צעיר מגיל 24' for
        # 'שגילו פחות מ-24') takes the best that covers it less, when the first part is answered in full: one
        # part unanswered would let the other part's clause stand for both. A question no part of which is
        # answered in full is not answered by lowering the bar.
        for relax in (1.0, _PART_RELAX) if len(parts) == 2 and n == 1 and options[0] else (1.0,):
            if scored:
                break
            if terms.forms:
                for i, c in enumerate(ranked[:_PART_POOL]):
                    heading = _words(c.unit.context) | _words(c.hit.section)
                    mine = terms.cover(c.words, heading | _words(c.hit.title))
                    if shape is not None and shape.search(c.unit.text):
                        mine += 0.1
                    floor = relax * (row_floor if c.unit.is_row else _MIN_COVERAGE)
                    fits = fit(attribute, c.unit.text, f"{c.hit.title} {c.hit.section} {c.unit.context}")
                    # A unit that states what the part asks for ('לכמה זמן נחתם' — a term from a start date) has the
                    # words that ask it ('נחתם') said by what it states.
                    said = (
                        terms.cover(c.words | _cue_words(part, attribute), heading | _words(c.hit.title))
                        if fits
                        else mine
                    )
                    if max(mine, said) < floor or (needs is not None and not needs.search(c.unit.text)):
                        continue
                    score = mine + 0.15 * terms.cover(heading) + 0.1 * c.coverage - 0.0002 * len(c.unit.text)
                    if n and avoid and avoid & c.words and not _AFTER_WORD.search(c.unit.text):
                        score -= 0.5  # about the period the first part asked, not after it
                    if prefer and c.hit.document_id in prefer:
                        score += 0.1
                    if scope and c.hit.document_id in scope:
                        score += 0.15
                    if _RECITAL.match(c.unit.text):
                        score -= 0.15  # the parties and the recitals are background, not terms
                    if fits:
                        asked_words = c.words | _cue_words(part, attribute)
                        gained = terms.cover(asked_words, heading) - terms.cover(c.words, heading)
                        score += _ATTRIBUTE_WEIGHT * fits + gained
                    scored.append((score, i))
        scored.sort(reverse=True)
        options.append(scored[: _PART_CHOICES if len(parts) <= 3 else 2])  # bounded: 7³ or 3⁶ combinations
    best: tuple[float, tuple[int | None, ...]] = (0.0, ())
    for combo in itertools.product(*[[*o, (0.0, None)] for o in options]):
        picked = [i for _, i in combo if i is not None]
        texts = [ranked[i].unit.text for i in picked]
        if len(set(texts)) < len(texts):
            continue
        total = sum(sc for sc, _ in combo)
        if total > best[0]:
            best = (total, tuple(i for _, i in combo))
    return [ranked[i] for i in best[1] if i is not None]


_COUNT_Q = re.compile(r"(?<![\u05d0-\u05ea])ו?[מבל]?כמה\s+([\u05d0-\u05ea]{3,})")
_NOT_COUNTED = frozenset(
    " ".join(
        ("זמן ימים יום שעות חודשים שנים שבועות פעמים אחוז אחוזים", "עולה עולים עולות עלות כסף שקלים ישלם תשלם משלם")
    ).split()
)


# '5 דירקטורים', 'שני דירקטורים', 'בשני תשלומים', 'ובארבעה מפגשים': a number, in digits or words, before its noun.
_COUNTED = re.compile(
    r"(?:(?<![\d.,])(?:\d{1,3}(?:,\d{3})+|\d{1,6})|(?<![\u05d0-\u05ea])(?:ו?[בלמכש])?(?:שני|שתי|שלושה|שלוש|ארבעה|ארבע"
    r"|חמישה|חמש|שישה|שש|שבעה|שבע|שמונה|תשעה|תשע|עשרה|עשר))\s+([\u05d0-\u05ea\"']{2,})"
)


def _count_of(part: str) -> _Test | None:
    """'כמה דירקטורים…': a unit that states a number of that noun ('5 דירקטורים'), or None for another question."""
    m = _COUNT_Q.search(part)
    if m is None or m.group(1) in _NOT_COUNTED or _stop(m.group(1)) or not m.group(1).endswith(("ים", "ות")):
        return None  # a plural noun is counted ('כמה דירקטורים'); 'כמה פיצוי' asks an amount
    forms = {f for f in _forms(m.group(1)) if f[0] not in "~≈"}
    counted = _COUNTED
    return _Test(lambda t: any(_forms(x.group(1)) & forms for x in counted.finditer(t)))


_T = TypeVar("_T")
_ARCHIVE_CACHE: dict[tuple[str, int], tuple[Sequence[SearchHit], Any]] = {}
_SPELL_CHUNKS = 20_000
_LETTERHEAD_UNITS = 3000


def _per_archive(name: str, chunks: Sequence[SearchHit], build: Callable[[Sequence[SearchHit]], _T]) -> _T:
    """`build(chunks)`, once per archive: the cache holds the chunks it was built from (an id is not reused)."""
    key = (name, id(chunks))
    found = _ARCHIVE_CACHE.get(key)
    if found is not None and found[0] is chunks:
        return cast(_T, found[1])
    value = build(chunks)
    if len(_ARCHIVE_CACHE) >= 48:
        _ARCHIVE_CACHE.pop(next(iter(_ARCHIVE_CACHE)))
    _ARCHIVE_CACHE[key] = (chunks, value)
    return value


def _vocabulary(chunks: Sequence[SearchHit]) -> tuple[dict[str, int], set[tuple[str, str]]]:
    """The documents' Hebrew words (normalised) with their counts, and their neighbouring pairs.

    What a misspelling is put right to (an archive too large to hold them gives none).
    """

    def build(chunks: Sequence[SearchHit]) -> tuple[dict[str, int], set[tuple[str, str]]]:
        words: dict[str, int] = {}
        pairs: set[tuple[str, str]] = set()
        if len(chunks) > _SPELL_CHUNKS:
            return words, pairs
        for hit in chunks:
            tokens = tokenize(hit.text)
            pairs |= pairs_of(tokens)
            for tok in tokens:
                if "\u05d0" <= tok[0] <= "\u05ea" and '"' not in tok and "'" not in tok:
                    words[tok] = words.get(tok, 0) + 1
        return words, pairs

    return _per_archive("vocabulary", chunks, build)


def _lemmas(chunks: Sequence[SearchHit]) -> frozenset[str]:
    """The rough lemmas of the documents' words ('גמלאים' → '~גמלא'), so 'גמלאי' counts as used."""

    def build(chunks: Sequence[SearchHit]) -> frozenset[str]:
        words, _ = _vocabulary(chunks)
        return frozenset(k for w in words for s in (w, *stems(w)) if (k := _key(s))[0] == "~")

    return _per_archive("lemmas", chunks, build)


def _implied_documents(question: str, library: Library) -> list[str]:
    """The one document whose parties the question names by words no other document uses ('הקניון', 'סמנכ"לית').

    'מה הקנס שישלם הקניון לחברת השמירה…' names the mall, a party of the guarding contract only: its clauses
    answer it, not another contract's that shares the question's other words. A word counts when it is in that
    document's title or its parties' and recitals' lines, and in no other document at all; two such words are
    needed.
    """
    if not library.documents or len(library.documents) < 2:
        return []
    found = _parties_named(question, library)
    # Two such words at least ('סמנכ"לית הכספים', 'הקניון … השמירה'): one may be an everyday word ('סכום').
    return sorted(found) if len(found) == 1 and next(iter(found.values())) >= 2 else []


def _parties_named(question: str, library: Library) -> dict[str, int]:
    """Each document whose parties the question names, with how many of its words name them.

    A word counts when it is in that document's title or its parties' and recitals' lines, and in no other
    document at all.
    """
    where = _word_documents(library.chunks)
    parties = _party_words(library.chunks, library.documents)
    found: dict[str, int] = {}
    for tok in dict.fromkeys(tokenize(question)):
        if len(tok) < 3 or _stop(tok):
            continue
        docs = set().union(*(where.get(f, frozenset()) for f in _forms(tok) if f[0] not in "~≈"))
        if len(docs) == 1 and (doc := next(iter(docs))) in parties and _forms(tok) & parties[doc]:
            found[doc] = found.get(doc, 0) + 1
    return found


def _parties_in_order(question: str, library: Library) -> list[str]:
    """The documents whose parties or subject the question names, in the order it names them.

    A word counts as :func:`_parties_named` counts it: in one document's title or parties' and recitals' lines,
    and in no other document.
    """
    where = _word_documents(library.chunks)
    parties = _party_words(library.chunks, library.documents)
    out: list[str] = []
    for tok in tokenize(question):
        if len(tok) < 3 or _stop(tok) or tok in _GENERIC_TITLE or _doc_word(tok):
            continue
        docs = set().union(*(where.get(f, frozenset()) for f in _forms(tok) if f[0] not in "~≈"))
        if len(docs) == 1 and (doc := next(iter(docs))) in parties and _forms(tok) & parties[doc] and doc not in out:
            out.append(doc)
    return out


def _parties_of_two_contracts(question: str, library: Library) -> bool:
    """Whether the question names, each by two words or more, the parties of two contracts.

    'כמה משטחים מאחסנת מאפיית השקד במחסני השרון?' of a bakery sold in one contract and a warehouse of another:
    no contract is between them, so none says what one does for the other (a comparison asks each apart).
    """
    if not library.documents or len(library.documents) < 2:
        return False
    return sum(n >= 2 for n in _parties_named(question, library).values()) >= 2


def _party_name_forms(question: str, library: Library) -> set[str]:
    """The forms of the question's words that name a party of one contract ('לחם הבית', 'נוגה ברק').

    A word on that contract's 'בין:' / 'לבין:' lines or in its title after the dash, in no other document at all,
    and not in that contract's clauses (where it is what they speak of, not who signed).
    """
    if not library.documents or len(library.documents) < 2:
        return set()
    where = _word_documents(library.chunks)
    parties = _party_lines(library.chunks, library.documents)
    out: set[str] = set()
    for tok in dict.fromkeys(tokenize(question)):
        if len(tok) < 3 or _stop(tok) or tok in _GENERIC_TITLE or _doc_word(tok):
            continue
        forms = {f for f in _forms(tok) if f[0] not in "~≈"}
        docs = set().union(*(where.get(f, frozenset()) for f in forms))
        if (
            len(docs) == 1
            and forms & parties.get(doc := next(iter(docs)), frozenset())
            and not _in_clauses(forms, doc, library)
        ):
            out |= _forms(tok)
    return out


def _in_clauses(forms: AbstractSet[str], document_id: str, library: Library) -> bool:
    """Whether a word (by its forms) is said in the document's clauses, not only on its parties' lines and title.

    'מאפייה' of 'מאפיית השקד' is what its clauses speak of; 'דהן' only who signed.
    """

    def build(chunks: Sequence[SearchHit]) -> dict[str, frozenset[str]]:
        out: dict[str, set[str]] = {}
        for hit in chunks:
            for unit in clause_units(hit.text):
                if unit.clause or not _RECITAL.match(unit.text):
                    out.setdefault(hit.document_id, set()).update(
                        f for t in tokenize(unit.text) for f in _forms(t) if f[0] not in "~≈"
                    )
        return {d: frozenset(w) for d, w in out.items()}

    return bool(forms & _per_archive("clause_words", library.chunks, build).get(document_id, frozenset()))


def _party_roles(chunks: Sequence[SearchHit]) -> dict[str, list[tuple[frozenset[str], str]]]:
    """Each contract's parties: the forms of each party's name and the role its line defines for it.

    The name is what its 'בין:' / 'לבין:' line says before the first comma; the role is 'להלן: "המוכר"'.
    """

    def build(chunks: Sequence[SearchHit]) -> dict[str, list[tuple[frozenset[str], str]]]:
        out: dict[str, list[tuple[frozenset[str], str]]] = {}
        for hit in chunks:
            for line in hit.text.splitlines():
                role = _DEFINES.search(line)
                if not _PARTY_LINE.match(line) or role is None or len(role.group(1).split()) != 1:
                    continue
                name = _PARTY_LINE.sub("", line).split(",")[0]
                forms = frozenset(
                    f
                    for t in tokenize(name)
                    if len(t) >= 3 and not _stop(t) and t not in _GENERIC_TITLE
                    for f in _forms(t)
                    if f[0] not in "~≈"
                )
                if forms:
                    out.setdefault(hit.document_id, []).append((forms, role.group(1)))
        return out

    return _per_archive("party_roles", chunks, build)


def _by_role(question: str, library: Library) -> str:
    """The question with a party's name ('שמעון דהן', 'לחם הבית') said as the role its contract gives it.

    A name's words are those of one contract alone, on that party's own line and not in its clauses; the role is
    the one that line defines ('המוכר', 'הקונה'). Unchanged when no party is named so.
    """
    if not library.documents or len(library.documents) < 2:
        return question
    where = _word_documents(library.chunks)
    roles = _party_roles(library.chunks)
    out: list[str] = []
    said: set[str] = set()
    asked = {f for t in tokenize(question) for f in _forms(t) if f[0] not in "~≈"}
    for tok in re.split(r"(\s+)", question):
        word = tokenize(tok)
        forms = {f for t in word for f in _forms(t) if f[0] not in "~≈"} if len(word) == 1 else set()
        docs = set().union(*(where.get(f, frozenset()) for f in forms)) if forms else set()
        role = (
            next((r for names, r in roles.get(next(iter(docs)), []) if forms & names), None)
            if len(docs) == 1
            and len(word[0]) >= 3
            and not _stop(word[0])
            and word[0] not in _GENERIC_TITLE
            and not _in_clauses(forms, next(iter(docs)), library)
            else None
        )
        if role is None:
            out.append(tok)
        elif role not in said and not _forms(role) & (asked - forms):
            # ('לספק הענן': the role said beside the name is not said twice)
            said.add(role)
            out.append(tok.replace(word[0], role) if word[0] in tok else role)
        else:
            out.append("")
    return "".join(out)


def _word_documents(chunks: Sequence[SearchHit]) -> dict[str, frozenset[str]]:
    """Each written form (and stem) of the documents' words, with the documents that use it."""

    def build(chunks: Sequence[SearchHit]) -> dict[str, frozenset[str]]:
        out: dict[str, set[str]] = {}
        for hit in chunks:
            for tok in set(tokenize(f"{hit.title} {hit.text}")):
                for f in (tok, *stems(tok)):
                    out.setdefault(f, set()).add(hit.document_id)
        return {f: frozenset(d) for f, d in out.items()}

    return _per_archive("word_documents", chunks, build)


def _party_words(chunks: Sequence[SearchHit], documents: Mapping[str, str]) -> dict[str, frozenset[str]]:
    """Each document's words of its title and of its parties' and recitals' lines ('בין:', 'הואיל')."""

    def build(chunks: Sequence[SearchHit]) -> dict[str, frozenset[str]]:
        out: dict[str, set[str]] = {d: set(_words(t)) for d, t in documents.items()}
        for hit in chunks:
            for unit in clause_units(hit.text):
                if not unit.clause and _RECITAL.match(unit.text):
                    out.setdefault(hit.document_id, set()).update(_words(unit.text))
        return {d: frozenset(w) for d, w in out.items()}

    return _per_archive("party_words", chunks, build)


def _archive_forms(chunks: Sequence[SearchHit]) -> frozenset[str]:
    """Every form of the documents' words, their roots' skeletons included ('איחור' → '≈אחר')."""

    def build(chunks: Sequence[SearchHit]) -> frozenset[str]:
        words, _ = _vocabulary(chunks)
        return frozenset(f for w in words for f in _forms(w))

    return _per_archive("archive_forms", chunks, build)


def _letterhead(chunks: Sequence[SearchHit]) -> frozenset[str]:
    """Short units that another document repeats almost word for word (a footer's name and address).

    They carry an address or a phone number, but answer nothing where they stand.
    """

    def build(chunks: Sequence[SearchHit]) -> frozenset[str]:
        short: list[tuple[str, str, frozenset[str]]] = []
        for hit in chunks:
            for unit in clause_units(hit.text):
                tokens = frozenset(tokenize(unit.text))
                if 4 <= len(tokens) <= 24:
                    short.append((hit.document_id, unit.text, tokens))
        if len(short) > _LETTERHEAD_UNITS:
            return frozenset()
        return frozenset(
            text
            for doc, text, tokens in short
            if any(d != doc and len(tokens & other) >= 0.8 * len(tokens) for d, _, other in short)
        )

    return _per_archive("letterhead", chunks, build)


def _sections(chunks: Sequence[SearchHit]) -> dict[tuple[str, str], list[SearchHit]]:
    """(document, section) → its chunks, in order."""

    def build(chunks: Sequence[SearchHit]) -> dict[tuple[str, str], list[SearchHit]]:
        out: dict[tuple[str, str], list[SearchHit]] = {}
        for hit in chunks:
            out.setdefault((hit.document_id, hit.section), []).append(hit)
        return out

    return _per_archive("sections", chunks, build)


def _intros(chunks: Sequence[SearchHit]) -> dict[tuple[str, str], str]:
    """(document, section) → the clause that introduces a table there ('…לפי לוח הסילוקין שלהלן:').

    The line just above a table's header row, or the last line of a chunk the table was cut from, when it
    ends with a colon. Its words are context (at half weight) for the table's records.
    """

    def build(chunks: Sequence[SearchHit]) -> dict[tuple[str, str], str]:
        out: dict[tuple[str, str], str] = {}
        for hit in chunks:
            lines = [line.strip() for line in hit.text.split("\n") if line.strip()]
            for i, line in enumerate(lines):
                table_next = i + 1 < len(lines) and " | " in lines[i + 1] and " · " not in lines[i + 1]
                if (
                    line.endswith(":")
                    and " · " not in line
                    and " | " not in line
                    and (table_next or i == len(lines) - 1)
                ):
                    out[(hit.document_id, hit.section)] = line
        return out

    return _per_archive("intros", chunks, build)


def _known_by(idf: Callable[[str], float]) -> Callable[[str], bool]:
    """Whether the documents use a word at all."""
    unseen = idf("\u0000")
    return lambda term: idf(term) < unseen - 1e-6


_PRICED = re.compile(
    r"(?:כמה\s+(?:עולה|עולים|עולות|יעלה|תעלה|יעלו)|מה\s+המחיר\s+(?:של|ל)|מה\s+העלות\s+(?:של|ל))"
    r"\s+(?:אצלכם\s+|לי\s+)?(?P<thing>[\u05d0-\u05ea\"']+)(?:\s+(?P<by>ב[\u05d0-\u05ea\"']{3,}))?"
)
# A head that says only that something is done: what is priced is the word after 'ב' ('טיפול בגלי הלם').
_TREATMENT_HEAD = frozenset({"טיפול", "טיפולי", "טיפולים"})


# What an English or Arabic question prices or asks to be offered: the words after 'how much is', 'do you offer',
# 'سعر', 'قديش', up to the end of the sentence.
_FOREIGN_THING = re.compile(
    r"(?i)\bhow\s+much\s+(?:is|are|does|do|would|will)\s+(?P<priced>[a-z][a-z\s'-]*)"
    r"|\bdo\s+you\s+(?:offer|have|do|provide|perform)\s+(?P<offered>[a-z][a-z\s'-]*)"
    r"|\b(?:price|cost)\s+(?:of|for)\s+(?:a|an|the)?\s*(?P<named>[a-z][a-z\s'-]*)"
    r"|(?:سعر|تكلفة|بكم|قديش)\s+(?P<arabic>[\u0621-\u064a][\u0621-\u064a\s]*)"
)
# English words around the thing that name no thing ('how much is a full … cycle at your clinic').
_FOREIGN_FRAME = frozenset(
    """it a an the your you my our this that these those there cost costs price fee fees for of to at in on with
    does do is are be full whole one single per each clinic here any some get getting having have offer need
    much many how what which and or also still please""".split()  # noqa: SIM905 — a word list reads best as a block
)


def _foreign_thing_absent(focus: str, library: Library) -> bool:
    """An English or Arabic question about a thing the documents do not have (see the call in :func:`_extract`).

    Its first two glossed words that name the thing — standing together as one name (next to each other, or 'X of
    Y'; not a modifier a preposition starts, 'بالليزر للقدمين', nor 'my dog' after the thing), and neither a word
    the documents use everywhere ('טיפול') — which no document says next to each other in either order ('تجميد …
    المنوية' → 'הקפאה' + 'זרע', where the documents say 'הקפאת ביציות' and 'בדיקת זרע'). A word no glossary
    has is no sign by itself: the search may still find its row ('braces', 'Botox'). Not asked when the question
    names a service by the tenant's own alias (`hints`): the tenant has said what that is.
    """
    if not library.chunks:
        return False
    for m in _FOREIGN_THING.finditer(focus):
        thing = m.group("priced") or m.group("offered") or m.group("named") or m.group("arabic") or ""
        if m.group("priced") and re.match(r"(?i)how\s+much\s+(?:does|do|would|will)\b", m.group(0)):
            continue  # 'how much does the employer contribute …': a subject and its verb follow, not a thing's name
        tokens = re.findall(r"[A-Za-z'-]+|[\u0621-\u064a]+", thing)
        glossed: list[tuple[int, tuple[str, ...]]] = []
        for i, word in enumerate(tokens):
            if word.lower() in _FOREIGN_FRAME:
                continue
            group = tuple(t for g in hebrew_term_groups(word) for t in g)
            if group and not _everywhere(group, library):
                glossed.append((i, group))
        if len(glossed) >= 2:
            (i, a), (j, b) = glossed[0], glossed[1]
            between = [t.lower() for t in tokens[i + 1 : j]]
            after_preposition = i > 0 and tokens[i - 1].lower() in _ENGLISH_PREPOSITIONS  # 'for both feet'
            one_name = (
                (not between or between == ["of"])
                and not _ARABIC_PREPOSITION.match(tokens[j])
                and not after_preposition
            )
            if one_name and not _said_together(a, b, library):
                return True
    return False


def _everywhere(terms: Sequence[str], library: Library) -> bool:
    """Whether the documents use one of `terms` in a fifth of their chunks or more ('טיפול', 'פגישה').

    Such a word frames what is asked ('جلسة علاج' — a treatment session) rather than naming a thing: that no
    document says it beside another word is no sign that the thing is absent.
    """
    forms = {f for t in terms for tok in tokenize(t) for f in _forms(tok) if f[0] not in "~≈"}
    used = sum(1 for c in library.chunks if forms & _words_cached(c.text))
    return used >= 3 and used * 5 >= len(library.chunks)


_ENGLISH_PREPOSITIONS = frozenset(("for", "with", "to", "in", "on", "at", "per", "after", "before", "by", "from"))
# An Arabic word that a preposition with the article starts ('بالليزر', 'للقدمين'): a modifier, not part of a name.
_ARABIC_PREPOSITION = re.compile(r"^(?:و?(?:بال|لل|كال|فال))[\u0621-\u064a]{2,}")


def _said_together(a: Sequence[str], b: Sequence[str], library: Library) -> bool:
    """Whether some document says a term of `a` next to a term of `b`, in either order, in any of their forms."""
    for chunk in library.chunks:
        for x in a:
            for y in b:
                if _says_pair(chunk.text, x, y) or _says_pair(chunk.text, y, x):
                    return True
    return False


def _priced_thing_unknown(question: str, library: Library) -> bool:
    """A price asked for a thing (the word after 'כמה עולה') that no document names in any form."""
    m = _PRICED.search(normalize(question))
    if m is None:
        return False
    thing = m.group("thing")
    if thing in _TREATMENT_HEAD and m.group("by"):
        # 'טיפול בגלי הלם': what the treatment is with names it; unknown when no document has it in any exact
        # form (its skeleton may be another word's: 'בגל…' of 'בגלל')
        word = m.group("by")[1:]
        forms = {f for f in _forms(word) if f[0] not in "~≈"}
        unseen = library.idf("\u0000")
        lemmas, words = _lemmas(library.chunks), set(_vocabulary(library.chunks)[0])
        return all(library.idf(f) >= unseen - 1e-6 for f in forms) and not forms & (lemmas | words)
    # An infinitive ('כמה עולה לצבוע דירה') is the act, which the price list names by its noun ('צביעת').
    return not thing.startswith("ל") and bool(_absent_words(thing, library))


# The thing a question asks for: the noun after 'מה ה…', 'איזה', 'אילו' ('מה שכר הטרחה של המומחה'), or what
# is paid for, after a verb of paying and 'על (כל)' ('כמה משלמת … על כל רישיון משנה').
_ASKED_NOUN = re.compile(
    r"(?:^|(?<=\s))(?:(?:איזה|איזו|אילו|באיזה|באיזו)\s+(?P<a>[\u05d0-\u05ea\"']{2,})"
    # 'מה השכר' is a noun, and so is 'מה שכר הטרחה' (a noun bound to the next); 'מה יהיו דמי …' is a verb
    r"|(?:מה|מהו|מהי|מהם|מהן)\s+(?P<d>ה[\u05d0-\u05ea\"']{2,}|[\u05d0-\u05ea\"']{2,}(?=\s+ה[\u05d0-\u05ea])))"
    r"(?:\s+(?P<b>[\u05d0-\u05ea\"']{2,}))?"
)
_PAID_FOR = re.compile(
    r"(?:משלם|משלמת|משלמים|משלמות|ישלם|תשלם|ישלמו|לשלם|ישולם|תשולם|ישולמו)(?![\u05d0-\u05ea])[^?.,;]*?"
    r"(?:^|\s)על\s+(?:כל\s+)?(?P<a>[\u05d0-\u05ea\"']{2,})(?:\s+(?P<b>[\u05d0-\u05ea\"']{2,}))?"
)
# Nouns that name the kind of answer, not a topic ('באיזה אזור', 'מה המועד'): the clause says it in its own words.
_ANSWER_KINDS = frozenset(
    (
        *"אזור מקום סוג מועד תאריך שיעור גובה סכום תקופה תקופת משך זמן היקף כמות מספר אופן דרך תנאי תנאים".split(),  # noqa: SIM905
        *("צד", "אחוז", "תדירות"),
    )
)
_NOT_THING = frozenset(("קורה", "יקרה", "צריך", "צריכה", "צריכים", "אפשר", "ניתן", "יש", "אותו", "אותה", "אותם"))


def _strict_forms(tok: str) -> set[str]:
    """A word's forms without the skeletons and the two-letter remainders: what says the same word."""
    return {f for f in _forms(tok) if f[0] != "≈" and len(f.lstrip("~")) >= 3}


def _says_pair(text: str, a: str, b: str) -> bool:
    """Whether `text` has the two words next to each other, in that order, in any of their forms."""
    fa, fb = _strict_forms(a), _strict_forms(b)
    toks = tokenize(text)
    return any(_strict_forms(x) & fa and _strict_forms(y) & fb for x, y in itertools.pairwise(toks))


def _asked_thing(focus: str) -> list[tuple[str, str, bool]]:
    """The asked noun, its complement ('' none), and whether the question names it as a thing.

    A noun with 'ה' ('מה השכר'), after 'איזה'/'אילו', or what is paid for ('על כל רישיון') is named as a thing; a
    bare word before 'ה…' ('מה שכר הטרחה', but also the verb of 'מה משלם הלקוח', 'מה עושה המשכיר') may be a verb.
    """
    out = []
    text = normalize(focus)
    for pattern in (_ASKED_NOUN, _PAID_FOR):
        m = pattern.search(text)
        a = m and (m.group("a") or m.groupdict().get("d"))
        if m is None or not a or a in _NOT_THING or _stop(a):
            continue
        b = m.group("b") or ""
        if b and (b.startswith("ו") or _stop(b) or b in _NOT_THING or {b, b[1:] if b[0] in "הב" else b} & _TIME_UNITS):
            b = ""  # 'תמלוגים וקרן פרסום' is two things; 'על שבוע איחור' counts time, it names no thing
        named = bool(m.group("a")) or a.startswith("ה") or pattern is _PAID_FOR
        if not named and _VERB_LIKE.match(a):
            continue  # 'מה משלם הלקוח', 'מה עושה המשכיר', 'מה יקבל': what is done, not a thing asked for
        out.append((a, b, named))
    return out


# A bare word after 'מה' that has a verb's shape: a participle or a future ('משלם', 'מקבלת', 'ישלם', 'תקבל',
# 'עושה', 'נותן'). A noun of that shape ('מחיר') is in doubt, and in doubt nothing is refused.
_VERB_LIKE = re.compile(r"^(?:[מיתנ][\u05d0-\u05ea]{3,}|[\u05d0-\u05ea]ו[\u05d0-\u05ea]{2,3})$")


# Nouns of the asked kind of fact, said by the figure or the list the clause holds, not by the word itself: hours
# and days ('מה שעות הפעילות בחול המועד', 'מה ימי הקבלה'), price and cost, a fee taken ('מה העמלה על …').
_ASKED_KINDS = frozenset("שעות שעת ימי ימים מחיר מחירי עלות עלויות עמלה עמלת עמלות".split())  # noqa: SIM905


def _lacks(said_forms: set[str], word: str) -> bool:
    """Whether no word of a text (given by its strict forms) is `word` in any of its forms.

    The forms kept are those that begin as the word does (past an article): 'משנה' is not said by 'שנה'.
    """
    core = word[1:] if word.startswith("ה") and len(word) > 3 else word
    return not {f for f in _strict_forms(core) if f.lstrip("~")[:1] == core[0]} & said_forms


# Ordinals as a thing's own ('ילד שלישי', 'התשלום השני'), each with its number.
_THING_ORDINALS = {
    "ראשון": 1, "ראשונה": 1, "שני": 2, "שנייה": 2, "שניה": 2, "שלישי": 3, "שלישית": 3, "רביעי": 4, "רביעית": 4,
    "חמישי": 5, "חמישית": 5, "שישי": 6, "שישית": 6, "שביעי": 7, "שביעית": 7, "שמיני": 8, "שמינית": 8,
    "תשיעי": 9, "תשיעית": 9, "עשירי": 10, "עשירית": 10,
}  # fmt: skip
_WEEKDAY_NOUNS = frozenset({"יום", "ימי", "ימים"})


def _ordinal(tok: str) -> int | None:
    """The number of an ordinal word, with or without its article or prefix ('השלישי', 'לשנייה'), or None."""
    for cut in (0, 1, 2):
        if tok[cut:] in _THING_ORDINALS and (cut == 0 or set(tok[:cut]) <= set("הובלמ")):
            return _THING_ORDINALS[tok[cut:]]
    return None


def _ordinals_of(text: str) -> list[tuple[frozenset[str], int]]:
    """The things a text names with an ordinal: the noun's forms before it, and its number ('ילד שלישי')."""
    tokens = tokenize(text)
    out = []
    for prev, tok in itertools.pairwise(tokens):
        n = _ordinal(tok)
        if n is None or _ordinal(prev) is not None or _stop(prev) or prev.isdigit():
            continue
        forms = frozenset(f for f in _forms(prev) if f[0] not in "~≈")
        if forms & _WEEKDAY_NOUNS:
            continue  # 'ביום שלישי' is a weekday, not a third of anything
        out.append((forms, n))
    return out


def _other_ordinal(focus: str, text: str) -> bool:
    """Whether the question asks a thing by an ordinal the clause gives only other ordinals of.

    'הנחה על ילד שלישי' against 'הנחה של 7% משכר הלימוד של הילד השני': the clause says the second child's
    discount, not the third's — the documents do not say it. A clause that names the asked ordinal, or names the
    thing with no ordinal, does not rule it out.
    """
    asked = _ordinals_of(focus)
    if not asked:
        return False
    said = _ordinals_of(text)
    for forms, n in asked:
        numbers = {m for f, m in said if f & forms}
        if numbers and n not in numbers:
            return True
    return False


# 'כמה פיצוי', 'כמה קנס', 'בכמה הנחה': how much of a charge is asked — an amount or a percentage answers it.
_HOW_MUCH_OF = re.compile(
    r"(?<![\u05d0-\u05ea])ב?כמה\s+(?:ה)?(?:פיצוי|פיצויים|קנס|קנסות|עמלה|עמלת|מקדמה|ריבית|הנחה|זיכוי|החזר|אגרה|"
    r"אגרת|ערבות|בונוס|מענק|פיקדון|פקדון)(?![\u05d0-\u05ea])"
)
# A clause that says nothing is paid (or refunded, or charged) answers 'how much' with none.
_NONE_PAID = re.compile(
    r"לא\s+(?:ישולם|ישולמו|תשולם|ישלם|תשלם|יוחזר|יוחזרו|תוחזר|יחויב|יחויבו|תחויב|יינתן|תינתן|יהיה\s+זכאי|"
    r"תהיה\s+זכאית|יהיו\s+זכאים)|אינ[וה]\s+זכאי|ללא\s+(?:תשלום|חיוב|פיצוי|תמורה|עלות)|בלי\s+(?:תשלום|חיוב)"
    r"|על\s+חשבון|(?:אין|לא)\s+(?:פיצוי|החזר|הנחה|קנס)"
)


def _charge_unstated(focus: str, text: str) -> bool:
    """Whether 'how much' of a charge is asked ('כמה קנס משלמת …') of a clause with no amount and no percentage.

    The cancelling clause ('רשאית לבטל … בהודעה בכתב של 45 ימים') says how to cancel, not a fine for cancelling
    otherwise: quoting it answers another question. A clause that says none is paid ('לא יוחזרו') answers it.
    """
    if not _HOW_MUCH_OF.search(normalize(focus)):
        return False
    plain = normalize(text)
    return not _SHAPE["money"].search(plain) and not _NONE_PAID.search(plain)


def _asked_thing_elsewhere(focus: str, best: _Candidate, library: Library) -> bool:
    """The question asks for a thing the clause found does not speak of: quoting it would answer another question.

    'איזה בונוס מקבל הסוכן אם עבר את היעד?' where no document says 'בונוס' (the target clause is there, not a
    bonus), or 'מה שכר הטרחה של המומחה?' / 'כמה משלמת … על כל רישיון משנה?' where the archive names that thing
    as two words together ('שכר טרחת עורכי הדין', 'רישיונות משנה') in another clause, and the clause found
    (with its heading, its section path and its document's title) does not say the second word at all ('חוות
    דעת המומחה', 'שנת רישיון'). True then. When in doubt it is False: a noun of the kind of answer ('מה שעות
    הפעילות', 'מהי תקופת ההודעה', 'מה העמלה') is no thing of its own; a bare word that may be a verb ('מה משלם
    הלקוח', 'מה עושה המשכיר') is no unknown thing; a clause that says the complement ('דמי הביטול' where it
    speaks of cancelling) speaks of the thing. A table row is not held to it: it names its item by its key
    ('דגם ב'' for 'המחשבים מדגם ב''), and another clause may count the items it prices.
    """
    said = " ".join((best.unit.text, best.unit.context, best.hit.section, best.hit.title))
    said_forms = {f for t in tokenize(said) for f in _strict_forms(t)}
    for a, b, named in _asked_thing(focus):
        if _forms(a) & (_ANSWER_KINDS | _ASKED_KINDS):
            continue  # 'מהי תקופת ההודעה', 'על כל תקופת השכירות': the kind of answer, its complement the topic
        # 'מה המחיר', 'מה התעריף': a kind of fact, said by the figure the clause holds, not by its word
        if named and not _forms(a) & (_KIND_WORDS | _MONEY_WORDS) and _absent_words(a, library):
            return True
        if named and _forms(a) & _MONEY_WORDS and not money(best.unit.text) and _unused(a, library):
            # 'איזה פיצוי משלם המועדון אם …' where no document says 'פיצוי': a clause with no amount at all
            # (the logo on the shirts) is no compensation; a money word is forgiven only for the figure it states
            return True
        if (
            b.startswith("ה")
            and not best.unit.is_row
            and _lacks(said_forms, b)
            and _absent_words(b, library)
            and not {_SYNONYMS[f] for f in _forms(b) if f in _SYNONYMS}
        ):
            # 'מה שכר הטרחה של הבורר' where no document says 'טרחה': the clause on the arbitrator is no fee. Only
            # a bound noun ('X ה-Y'), not a part of something ('איזה חלק מהקניות'), nor a word with another name.
            return True
        if (
            b
            and not best.unit.is_row
            and _lacks(said_forms, b)
            and not _says_pair(said, a, b)
            and _pair_said(library, a, b)
        ):
            return True
    return False


def _pair_said(library: Library, a: str, b: str) -> bool:
    """Whether some document has the two words next to each other, in that order (an index per library)."""
    pairs, by_form = _per_archive("pairs", library.chunks, _word_pairs)
    xs = {t for f in _strict_forms(a) for t in by_form.get(f, ())}
    ys = {t for f in _strict_forms(b) for t in by_form.get(f, ())}
    return any((x, y) in pairs for x in xs for y in ys)


def _word_pairs(chunks: Sequence[SearchHit]) -> tuple[set[tuple[str, str]], dict[str, set[str]]]:
    """The documents' neighbouring words, and the words of each strict form."""
    pairs: set[tuple[str, str]] = set()
    for h in chunks:
        pairs.update(itertools.pairwise(tokenize(h.text)))
    by_form: dict[str, set[str]] = {}
    for t in {w for pair in pairs for w in pair}:
        for f in _strict_forms(t):
            by_form.setdefault(f, set()).add(t)
    return pairs, by_form


def _unused(word: str, library: Library) -> bool:
    """Whether no document uses `word` in any form (unseen by the index and in no document's lemmas)."""
    words, _ = _vocabulary(library.chunks)
    return word in _unknown_words(word, library.idf) and not (
        {f for f in _forms(word) if f[0] != "≈"} & (_lemmas(library.chunks) | set(words))
    )


def _absent_words(text: str, library: Library) -> list[str]:
    """The content words of `text` that no document uses: unseen by the index and in no document's lemmas."""
    lemmas = _lemmas(library.chunks)
    words, _ = _vocabulary(library.chunks)
    return [
        t
        for t in _unknown_words(text, library.idf)
        if "\u05d0" <= t[0] <= "\u05ea"
        and not ({f for f in _forms(t) if f[0] != "≈"} & (lemmas | set(words)))
        and not _forms(t) & (_KIND_WORDS | _MONEY_WORDS)
    ]


def _unknown_in_every_part(parts: Sequence[str], library: Library) -> str:
    """A content word no document uses that every part of a message asks about ('' when there is none).

    A part that names nothing of its own after a question whether something is offered ('יש אצלכם רכיבה
    טיפולית? כמה עולה מפגש?') asks about that thing, so it does not take its word out of what every part asks
    about. ('מה קורה אם לא הגעתי לתור של צבע שיער? כמה זה עולה?' asks the price of the no-show, not of the dye.)
    """
    offer = _OFFER_Q.search(normalize(parts[0]).lower()) if parts else None
    thing = _offered_thing(normalize(parts[0])[offer.end() :], library) if offer else ""
    common: set[str] | None = None
    for i, part in enumerate(parts):
        # A follow-up that names nothing of its own asks about the thing offered, not what qualifies it ('יש לכם
        # עורך דין שמדבר רוסית? כמה עולה פגישה?': a meeting's price does not depend on the language spoken).
        keys = {_key(t) for t in _absent_words(thing if i and offer and not _names_something(part) else part, library)}
        common = keys if common is None else common & keys
    return min(common) if common else ""


# The unit of a service ('מפגש', 'ביקור'), which a follow-up question asks the price of without naming it.
_SESSION_WORDS = frozenset(
    {"מפגש", "מפגשים", "פגישה", "פגישות", "ביקור", "ביקורים", "שיעור", "שיעורים", "session", "sessions", "visit"}
)


# 'יש אצלכם X?', 'אתם עושים X?', 'do you offer X?': whether the business offers a thing.
_OFFER_Q = re.compile(
    r"(?<![\u05d0-\u05ea])(?:ה?יש\s+(?:אצלכם|לכם)|האם\s+יש|אתם\s+(?:עושים|נותנים|מציעים|מטפלים))"
    r"|\bdo you (?:have|offer|do|provide)\b"
)
_UNNAMING = _KIND_WORDS | _MONEY_WORDS | _SESSION_WORDS
# Where the thing asked for ends and what it is for begins: a relative clause ('שמדבר רוסית', 'שמתקשה'), whom it is
# for ('לבת שלי', 'בשביל הבן'), with whom.
_FOR_WHOM = re.compile(
    r"^(?:בשביל|עבור|עם|ל(?:ה)?(?:בת|בן|ילד|ילדה|ילדים|ילדה|תינוק|תינוקת|אבא|אמא|הורים|סבא|סבתא|אח|אחות|בעלי|אשתי))$"
)


def _offered_thing(rest: str, library: Library) -> str:
    """The thing an offer question asks for, without what qualifies it ('עורך דין שמדבר רוסית' → 'עורך דין')."""
    known = _known_by(library.idf)
    head: list[str] = []
    for tok in tokenize(rest):
        if _stop(tok) or _FOR_WHOM.match(tok) or (tok.startswith("ש") and len(tok) > 3 and not known(tok)):
            break
        head.append(tok)
    return " ".join(head)


def _names_something(part: str) -> bool:
    """Whether a question names a thing of its own: a content word beyond prices, kinds and sessions."""
    return any(len(t) >= 3 and not _stop(t) and not t.isdigit() and not _forms(t) & _UNNAMING for t in tokenize(part))


def _unknown_words(question: str, idf: Callable[[str], float]) -> list[str]:
    """The question's content words (four letters or more) that no document uses in any form.

    Such a word is rarer than the anchor: a clause that holds the anchor but not it ('כתר חרסינה' for
    'ציפוי חרסינה') is about something else, so a short coverage is not forgiven for the anchor's sake.
    """
    unseen = idf("\u0000")
    return [
        tok
        for tok in dict.fromkeys(tokenize(question))
        if len(tok) >= 4 and not _stop(tok) and not tok.isdigit() and all(idf(v) >= unseen - 1e-6 for v in _forms(tok))
    ]


def _anchor(question: str, idf: Callable[[str], float]) -> frozenset[str] | None:
    """The question's rarest word that the documents use at all: an answer should contain it."""
    unseen = idf("\u0000")
    best: tuple[float, frozenset[str]] | None = None
    for tok in dict.fromkeys(tokenize(question)):
        if _stop(tok):
            continue
        variants = _forms(tok)
        weight = min(idf(v) for v in variants if v[0] not in "~≈")
        if weight < unseen - 1e-6 and (best is None or weight > best[0]):
            best = (weight, frozenset(variants))
    return best[1] if best else None


# A bare 'N.N' is a clause number unless it measures something: 'חום 38.5', 'וחום 38.5', 'בחום של 38.5', 'בת 2.5',
# '2.5 ק"ג', 'עם 38.5 חום', 'בן 3.5 שנים'. The measure may take a prefix ('ו', 'ב', 'ל', 'ה' and two of them).
_MEASURES = r"חום|טמפרטורה|משקל|גובה|גיל|מידה|ציון|אורך|היקף|חום\s+גוף"
_MEASURED_BEFORE = re.compile(rf"(?<![\u05d0-\u05ea])(?:[ובלה]{{0,2}}(?:{_MEASURES})|בן|בת|כבן|כבת)\s*(?:של\s*)?-?$")
_UNIT_AFTER = re.compile(
    r"^\s*(?:°|[ובלה]{0,2}(?:מעלות|מעלה|ק\"ג|קילו|ס\"מ|מ\"מ|מטר|מטרים|ליטר|שנים|שנה|חודשים|שבועות|ימים|שעות|דקות"
    rf"|ש\"ח|נקודות|נקודה|מ\"ר|דונם|אחוז|אחוזים|{_MEASURES})|₪|kg|cm|degrees?|years?|months?|points?)(?![\u05d0-\u05ea])",
    re.IGNORECASE,
)


def _asked_clause(question: str) -> str | None:
    for m in _CLAUSE.finditer(question):
        if m.group(1):
            return m.group(1)
        before, after = question[: m.start()], question[m.end() :]
        if _MEASURED_BEFORE.search(before.rstrip()[-30:]) or _UNIT_AFTER.match(after):
            continue  # a measurement ('חום 38.5'), not a clause
        return m.group(2)
    return None


def _by_clause(
    query: str, clause: str, hits: Sequence[SearchHit], library: Library, named: Sequence[str], lang: Lang
) -> Extracted:
    """The clause the question names: from the named document when there is one; refused when none has it."""
    found: list[tuple[int, Quote]] = []
    seen: set[str] = set()
    for hit in [*hits, *library.chunks]:
        if hit.chunk_id in seen:
            continue
        seen.add(hit.chunk_id)
        for unit in clause_units(hit.text):
            if unit.clause == clause:
                rank = 0 if hit.document_id in named else 1
                found.append((rank, Quote(unit.text, relabel(hit.section, clause), hit, 1.0, 1.0)))
    if not found:
        return Extracted("not_found", lang=lang, reason="no_such_clause")
    found.sort(key=lambda x: x[0])
    if named and found[0][0] != 0:
        return Extracted("not_found", lang=lang, reason="no_such_clause_in_document")
    best_rank = found[0][0]
    quotes = [q for r, q in found if r == best_rank]
    docs = list(dict.fromkeys(q.hit.document_id for q in quotes))
    if len(docs) > 1:
        # Several documents have this clause and the question names none: the one search ranked first.
        order = {h.document_id: i for i, h in reversed(list(enumerate(hits)))}
        docs.sort(key=lambda d: order.get(d, len(hits)))
    keep = [q for q in quotes if q.hit.document_id == docs[0]]
    return Extracted("answered", (keep[0],), lang=lang, reason="clause")


_COMPUTE_WORDS: dict[Operation, re.Pattern[str]] = {
    "vat": _VAT_WORDS,
    "per_year": re.compile(r"\S*(?:לשנה|בשנה|שנתי|השנתי)\S*|שלמה|per year|a year|annual\w*|yearly", re.I),
    "per_month": re.compile(r"לחודש|בחודש|per month|a month|monthly", re.I),
    "difference": re.compile(r"ה?הפרש\S*|בכמה|difference", re.I),
    "discount": re.compile(r"(?:אחרי|לאחר|אחר)\s+ה?הנחה|\S*הנחה\S*|after (?:the )?discount|discount\w*", re.I),
    "sum": re.compile(r"ביחד|יחד|בסך הכול|בסך הכל|סך הכול|סה\"כ|together|in total|combined", re.I),
}


@dataclass(frozen=True)
class _Test:
    """A unit test in the shape of a pattern: ``search(text)`` is truthy when a unit may answer."""

    test: Callable[[str], bool]

    def search(self, text: str) -> bool:
        return self.test(text)


_DURATION = _Test(lambda t: bool(_SHAPE["time"].search(t)) or "duration" in carries(t))
"""A duration in figures ('14 יום') or in words ('כשעה וחצי', 'שנה עד שלוש שנים')."""
_TWO_FACTS: frozenset[Operation] = frozenset(("vat", "discount", "difference"))
# A year's amount is asked of a monthly amount (× 12), or of one the clause already states a year ('₪900 לדונם
# לשנה'): that one is quoted as it is (or times the area); a month's likewise.
_PERIOD_OF: dict[Operation, Callable[[str], bool]] = {
    "per_year": lambda t: (
        bool(money(t)) and (states_period(t, "month") or states_period(t, "year") or counts_a_period(t, "year"))
    ),
    "per_month": lambda t: (
        bool(money(t)) and (states_period(t, "year") or states_period(t, "month") or counts_a_period(t, "month"))
    ),
}
_MISSING: dict[str, tuple[str, str]] = {
    "vat_rate": (
        'לא חישבתי את הסכום כולל מע"מ: שיעור המע"מ אינו מופיע במסמכים.',
        "I did not compute the total with VAT: the documents do not state the VAT rate.",
    ),
    "amount": (
        "לא חישבתי: לא מצאתי בסעיף שצוטט סכום מפורש אחד לחשב ממנו.",
        "I did not compute it: the quoted clause states no single explicit amount to compute from.",
    ),
    "second": (
        "לא חישבתי: הנתון השני הדרוש לחישוב אינו מופיע במסמכים באופן מפורש.",
        "I did not compute it: the second fact the calculation needs is not stated explicitly in the documents.",
    ),
    "rate": (
        "לא חישבתי: לא מצאתי במסמכים תעריף מפורש ליחידה שבשאלה.",
        "I did not compute it: the documents state no explicit rate for the unit asked about.",
    ),
}


def _missing(what: str, lang: Lang) -> str:
    he, en = _MISSING[what]
    return he if lang == "he" else en


def _calculate(
    query: str, quotes: list[Quote], library: Library, operation: Operation | None, lang: Lang = "he"
) -> tuple[Calculation | None, list[Quote], str]:
    """One step of arithmetic when the question asks for it and its facts are quoted (see compute).

    Returns the calculation, the quotes to show in order (the facts it used first), and what is missing
    when a calculation was asked for and could not be made ('' otherwise).
    """
    derived = _derived(query, quotes, library)
    if derived is not None:
        return derived[0], derived[1], ""
    first = quotes[0]
    with_amount = [q for q in quotes if len(money(q.text)) == 1 and vat_rate(q.text) is None]
    if operation == "vat":
        amount = with_amount[0] if with_amount else None
        if amount is None and not any(money(q.text) for q in quotes):
            # 'כמה תשלם על השימוש באולם, כולל מע"מ?' quoting only 'דמי ביטול … 25% מדמי השימוש באולם': the price
            # is the clause of that document with one amount that says what the question names.
            amount = _best_unit(
                library, first, query, lambda t: len(money(t)) == 1 and not percent(t) and vat_rate(t) is None
            )
        if amount is None:
            both = next((q for q in quotes if len(money(q.text)) == 1 and vat_rate(q.text) is not None), None)
            if both is not None and (calc := vat_total(both.text, both.text, rate_index=0)) is not None:
                return calc, [both], ""  # '₪4,500 בתוספת מע"מ בשיעור 17%': both facts in one clause
            return None, quotes, _missing("amount", lang)
        rate = next((q for q in quotes if vat_rate(q.text) is not None), None) or _find_unit(
            library, amount.hit.document_id, lambda t: vat_rate(t) is not None
        )
        if rate is None:
            return None, quotes, _missing("vat_rate", lang)
        calc = vat_total(amount.text, rate.text, amount_index=0, rate_index=1)
        return (calc, [amount, rate], "") if calc is not None else (None, quotes, _missing("amount", lang))
    if operation == "quantity":
        for q in quotes:
            if _outside_count_band(query, q.text):
                continue  # '5,000 יחידות ומעלה · ₪69' is no price for 300 units
            calc = times_quantity(query, q.text, index=0)
            if calc is not None:
                return _held_to_cap(*_with_allowance_base(query, calc, q, library), library)
        counted = quantity_asked(query)
        if counted is not None and any(states_count(counted, q.text) and money(q.text) for q in quotes):
            return None, quotes, ""  # the quoted item is the one of that count ('דירה 4 חדרים'): its price answers
        return None, quotes, _missing("rate", lang) if any(money(q.text) for q in quotes) else ""
    if operation in ("per_year", "per_month"):
        for q in quotes:
            calc = per_period(query, q.text, index=0)
            if calc is not None:
                return calc, [q], ""
        return None, quotes, ""  # already in the period asked, or no period stated: the quote says what it says
    if operation == "difference":
        if not with_amount:
            return None, quotes, _missing("amount", lang)
        a = with_amount[0]
        b = _second_amount(library, a, query, [q for q in quotes if q is not a])
        if b is None or (calc := difference(a.text, b.text)) is None:
            return None, quotes, _missing("second", lang)
        return calc, [a, b], ""
    if operation == "discount" and (stepped := _stepped_discount(query, quotes, library)) is not None:
        return stepped
    if operation == "discount":
        base = next((q for q in quotes if len(money(q.text)) == 1 and percent_off(q.text, "₪1") is None), None)
        rule = next((q for q in quotes if percent_off(q.text, "₪1") is not None), None)
        if rule is None and base is not None:
            rule = _best_unit(library, base, query, lambda t: percent_off(t, "₪1") is not None)
        if rule is None or base is None:
            return None, quotes, _missing("second", lang) if any(money(q.text) for q in quotes) else ""
        calc = percent_off(rule.text, base.text, rule_index=1, base_index=0)
        return (calc, [base, rule], "") if calc is not None else (None, quotes, _missing("second", lang))
    if operation == "sum":
        # Two quotes are added up only when the question asks for them together ('כמה יעלו X ו-Y ביחד?');
        # 'סך הכול' alone adds only what one clause adds ('₪1,800 … בתוספת ₪900').
        together = len(quotes) == 2 and re.search(r"ביחד|יחד|together|combined", query, re.IGNORECASE)
        calc = amount_sum([q.text for q in quotes]) if together else amount_sum([first.text])
        return (calc, quotes if together else [first], "") if calc is not None else (None, quotes, "")
    if re.search(r"\d%", first.text) and not money(first.text) and _MONEY_WORDS & set(tokenize(query)):
        base = next((q for q in quotes[1:] if money(q.text)), None) or _find_base(library, first, query)
        if base is not None and not _names_referent(first.text, base.text):
            base = None  # '15% ממנה' of the balance: the amount of a promissory note beside it is not its base
        if base is not None:
            calc = percent_change(first.text, base.text, rule_index=0, base_index=1)
            if calc is not None:
                return calc, [first, base], ""
    return None, quotes, ""


# The asked sentence wants only what is paid above the included units ('כמה על השעות הנוספות'), not the month.
_ONLY_ABOVE = re.compile(r"מעבר|נוספ|עודפ|extra|additional|above|beyond|overtime", re.IGNORECASE)


def _with_allowance_base(
    query: str, calc: Calculation, rate: Quote, library: Library
) -> tuple[Calculation, list[Quote], str]:
    """The units above an allowance at their rate, plus the fixed amount that covers the allowance.

    'ריטיינר ₪24,000 המכסה עד 40 שעות; שעות מעבר ל-40 — ₪650 לשעה' and a month of 52 hours: the month costs
    ₪24,000 + 12 × ₪650. The fixed amount is added only when the question asks for the whole (not 'the
    extra hours') and a clause of the same document covers exactly those units with one amount.
    """
    asked = quantity_asked(query)
    included = allowance(query, rate.text)
    last = re.split(r"(?<=[.!?])\s+", query.strip())[-1]
    if included is None or asked is None or _ONLY_ABOVE.search(last):
        return calc, [rate], ""
    unit = asked[1]
    base = _best_unit(library, rate, query, lambda t: covers_allowance(t, included, unit) is not None)
    fixed = covers_allowance(base.text, included, unit) if base is not None else None
    if base is None or fixed is None:
        return calc, [rate], ""
    total = fixed + calc.result
    expression = f"{calc.expression}; {shekels(fixed)} + {shekels(calc.result)} = {shekels(total)}"
    return Calculation(total, expression, (0, 1)), [base, rate], ""


def _outside_count_band(query: str, text: str) -> bool:
    """Whether `text` is a record whose first cell is a band of counts that does not hold the count asked."""
    parts = cells(text) if _is_record(text) else []
    asked = quantity_asked(query)
    band = band_of(parts[0][1]) if parts else None
    if band is None or band[2] or asked is None:
        return False
    low, high, _ = band
    return not low <= asked[0] <= high


def _held_to_cap(
    calc: Calculation, used: list[Quote], missing: str, library: Library
) -> tuple[Calculation, list[Quote], str]:
    """A rate times a count held to the cap a sibling clause sets on the same thing.

    '5.1 פיצוי מוסכם בסך 2,500 ש"ח על כל יום איחור' and '5.2 סך הפיצוי … לא יעלה על ₪40,000': 20 days are
    20 × ₪2,500 = ₪50,000, more than the cap, so ₪40,000. The cap is a clause of the same section as the rate,
    with one amount, no percentage, that says it is a most ('לא יעלה על') and names what the rate clause names
    (a word of three letters or more of both); a total within the cap is left as it is.
    """
    rate = used[-1]
    section = rate.section.rsplit(" › ", 1)[0]
    rate_words = {w for w in _words(rate.text) if len(w) > 2 and w not in _STOP}
    for hit in library.chunks:
        if hit.document_id != rate.hit.document_id:
            continue
        for unit in clause_units(hit.text):
            quote = Quote(unit.text, relabel(hit.section, unit.clause), hit)
            if unit.text == rate.text or quote.section.rsplit(" › ", 1)[0] != section:
                continue
            if not rate_words & _words(unit.text):
                continue
            if (share := _share_cap(unit.text, quote, library)) is not None:
                # '4.2 סך הקנסות … לא יעלה על 5% משכר החוזה' and '2.1 שכר החוזה … ₪300,000': the cap is 5% of it.
                rule, base, cap = share
                if calc.result <= cap:
                    return calc, used, missing
                step = f"{rule.normalize():f}% × {shekels(money(base.text)[0])} = {shekels(cap)}"
                expression = f"{calc.expression}; {step}; יותר מהתקרה שבסעיף ({shekels(cap)}), ולכן {shekels(cap)}"
                uses = tuple(range(len(used) + 2))
                return Calculation(cap, expression, uses), [*used, quote, base], missing
            _, cap = floor_or_cap(unit.text)
            if cap is None or len(money(unit.text)) != 1 or percent(unit.text):
                continue
            if calc.result <= cap:
                return calc, used, missing
            expression = f"{calc.expression}; יותר מהתקרה שבסעיף ({shekels(cap)}), ולכן {shekels(cap)}"
            return Calculation(cap, expression, tuple(range(len(used) + 1))), [*used, quote], missing
    return calc, used, missing


# 'לא יעלה על 5% משכר החוזה': a most stated as a share of an amount that another clause gives.
_SHARE_CAP = re.compile(
    r"(?:לא\s+(?:יעלה|יעלו|תעלה)\s+על|לכל\s+היותר|עד\s+לתקרה\s+של)\W{0,3}(\d{1,3}(?:\.\d{1,2})?)\s?%\s*"
    r"מ(?:-|ה)?([\u05d0-\u05ea\"]+(?:\s+[\u05d0-\u05ea\"]+)?)"
)


def _share_cap(text: str, cap_quote: Quote, library: Library) -> tuple[Decimal, Quote, Decimal] | None:
    """A cap a clause states as a percentage of a named amount, with the clause that gives that amount.

    The clause has no ₪ figure of its own; the amount is a clause of the same document with exactly one ₪
    figure and no percentage but its VAT rate, that names every word of the percentage's object
    ('שכר החוזה … ₪300,000').
    Returns the percentage, the amount's quote and the cap, or None when either is not stated.
    """
    if money(text):
        return None
    m = _SHARE_CAP.search(normalize(text))
    if m is None:
        return None
    named = [w.lstrip("ה") for w in tokenize(m.group(2)) if len(w.lstrip("ה")) > 1]
    if not named:
        return None
    for hit in library.chunks:
        if hit.document_id != cap_quote.hit.document_id:
            continue
        for unit in clause_units(hit.text):
            if unit.text == text or len(money(unit.text)) != 1:
                continue
            if any(p != vat_rate(unit.text) for p in percent(unit.text)):
                continue  # a VAT rate beside the amount is no other share of it
            said = {t.lstrip("ה") for t in tokenize(normalize(unit.text))}
            if all(w in said for w in named):
                rule = Decimal(m.group(1))
                base = Quote(unit.text, relabel(hit.section, unit.clause), hit)
                return rule, base, (money(unit.text)[0] * rule / 100).quantize(Decimal("0.01"))
    return None


def _stepped_discount(
    query: str, quotes: list[Quote], library: Library
) -> tuple[Calculation | None, list[Quote], str] | None:
    """A discount from a threshold up, applied to the quoted row's amount for the column asked (see threshold)."""
    base_quote = next((q for q in quotes if column_amount(q.text, query) is not None), None)
    if base_quote is None:
        return None
    rule = next((q for q in quotes if threshold_rule(q.text) is not None), None) or _best_unit(
        library, base_quote, query, lambda t: threshold_rule(t) is not None
    )
    base = column_amount(base_quote.text, query)
    if rule is None or base is None:
        return None
    calc = threshold_discount(rule.text, base)
    return (calc, [base_quote, rule], "") if calc is not None else None


def _find_unit(library: Library, document_id: str, test: Callable[[str], bool]) -> Quote | None:
    """The first unit passing `test`, in the same document first, then anywhere."""
    chunks = sorted(library.chunks, key=lambda h: h.document_id != document_id)
    for hit in chunks:
        for unit in clause_units(hit.text):
            if test(unit.text):
                return Quote(unit.text, relabel(hit.section, unit.clause), hit)
    return None


def _best_unit(
    library: Library, near: Quote, query: str, test: Callable[[str], bool], *, not_text: str = ""
) -> Quote | None:
    """The unit passing `test` that best covers the question, in `near`'s document (its section first)."""
    terms = _terms(query, library.idf)
    best: tuple[float, Quote] | None = None
    for hit in library.chunks:
        if hit.document_id != near.hit.document_id:
            continue
        for unit in clause_units(hit.text):
            if not test(unit.text) or unit.text == not_text:
                continue
            if unit.is_row and band_holds_count(query, unit.text) is False:
                continue  # 'יש לנו 30 אתרים': the row of 'עד 5 אתרים' is another band's
            section = relabel(hit.section, unit.clause)
            score = terms.cover(_words(unit.text), _words(section))
            if best is None or score > best[0]:
                best = (score, Quote(unit.text, section, hit))
    return best[1] if best is not None and best[0] > 0 else None


def _second_amount(library: Library, first: Quote, query: str, quoted: Sequence[Quote]) -> Quote | None:
    """The other amount a difference needs: the unit with one amount that best covers the question.

    Looked for among the other quotes and the units of the first one's document; a short clause that says
    it beats a long one that also mentions it. None when nothing covers the question well.
    """
    terms = _terms(_COMPUTE_WORDS["difference"].sub(" ", query), library.idf)
    best: tuple[float, Quote] | None = None
    pool = [(q.text, q.section, q.hit) for q in quoted]
    for hit in library.chunks:
        if hit.document_id == first.hit.document_id:
            pool += [(u.text, relabel(hit.section, u.clause), hit) for u in clause_units(hit.text)]
    for text, section, hit in pool:
        if text == first.text or len(money(text)) != 1 or not _SHAPE["money"].search(text):
            continue
        score = terms.cover(_words(text), _words(section)) - 0.0005 * len(text)
        if section.rsplit(" › ", 1)[0] == first.section.rsplit(" › ", 1)[0]:
            score += 0.2  # a sibling clause of the same section: the facts of one subject sit together
        if best is None or score > best[0]:
            best = (score, Quote(text, section, hit))
    return best[1] if best is not None and best[0] >= _MIN_COVERAGE * 0.75 else None


def _find_base(library: Library, rule: Quote, query: str) -> Quote | None:
    """The amount a percentage rule applies to: the best-matching unit of the same document with a ₪ figure."""
    rule_words = {w for w in _words(rule.text) if len(w) > 2 and w not in _STOP}
    best: tuple[float, Quote] | None = None
    for hit in library.chunks:
        if hit.document_id != rule.hit.document_id:
            continue
        for unit in clause_units(hit.text):
            if unit.text == rule.text or not money(unit.text):
                continue
            if unit.is_row and band_holds_count(query, unit.text) is False:
                continue  # 'יש לנו 30 אתרים': the row of 'עד 5 אתרים' is another band's
            overlap = len(rule_words & _words(unit.text))
            if best is None or overlap > best[0]:
                best = (overlap, Quote(unit.text, relabel(hit.section, unit.clause), hit))
    return best[1] if best is not None and best[0] >= 2 else None


# 'כמה עליה להשלים', 'מה ההפרש עד המינימום': the question asks what is missing up to a stated minimum.
_TOP_UP = re.compile(r"להשלים|השלמה|תשלים|ישלים|shortfall|top up|make up", re.IGNORECASE)
_MINIMUM = re.compile(r"מינימלי|מינימליים|מינימלית|מינימום|לכל הפחות|minimum", re.IGNORECASE)


_WHOLE_AREA = re.compile(
    r"(?<![\u05d0-\u05ea])(?:ה|ב|על\s+כל\s+(?:ה)?|כל\s+(?:ה)?)?שטח"
    r"|\b(?:whole|entire|total|floor|shop'?s?|store'?s?|premises'?|unit'?s?|its)\s+area\b|square met"
    # farmland: the whole plot ('על כל החלקה', 'the whole plot')
    r"|(?<![\u05d0-\u05ea])(?:על\s+)?כל\s+(?:ה)?(?:חלקה|קרקע)(?![\u05d0-\u05ea])|\b(?:whole|entire)\s+(?:plot|field|parcel)\b",
    re.I,
)


# The question asks the rate per m² itself, or whether something is so: nothing is multiplied.
_PER_AREA_ASKED = re.compile(
    r"(?:^|\s)(?:ל|לכל\s+|בעד\s+כל\s+)(?:מ\"ר|דונם)|per\s+(?:square\s+met|m2|m²|sq|dunam|dunum)"
    r"|^\s*(?:האם|is|are|does|do|can)\b",
    re.I,
)


def _over_area(query: str, quotes: list[Quote], library: Library) -> tuple[Calculation, list[Quote]] | None:
    """A rate per m² times the area: the question's own ('חנות של 80 מ"ר') or the one its contract states.

    'כמה דמי ניהול על כל שטח החנות?' over 'דמי ניהול ₪38 למ"ר לחודש' and 'חנות … בשטח של 120 מ"ר' in the same
    contract: 120 מ"ר × ₪38. Only when the question speaks of the area (or gives one) and the contract states one
    area alone; a contract of several areas (a shop and a store-room) is not for arithmetic to choose among.
    """
    rate = next((q for q in quotes if rate_per_area(q.text) is not None), None)
    if rate is None or _PER_AREA_ASKED.search(normalize(query)):
        return None  # 'כמה … למ"ר?', 'האם דמי הניהול נקבעים לפי השטח?': the rate itself is the answer
    if area_of(query) is not None:
        calc = over_area(rate.text, query)
        return (calc, [rate]) if calc is not None else None
    if not _WHOLE_AREA.search(normalize(query)) or not _asks_charge(query):
        return None  # 'מה גובה שטח החנות?' asks the area: a fee per m² quoted beside it is not asked
    stated = [
        Quote(u.text, relabel(h.section, u.clause), h)
        for h in library.chunks
        if h.document_id == rate.hit.document_id
        for u in clause_units(h.text)
        if area_of(u.text) is not None
    ]
    areas = {area_of(q.text) for q in stated}
    if len(areas) != 1:
        return None
    calc = over_area(rate.text, stated[0].text)
    return (Calculation(calc.result, calc.expression, (0, 1)), [stated[0], rate]) if calc is not None else None


def _to_minimum(query: str, calc: Calculation, rule: Quote, library: Library) -> tuple[Calculation, list[Quote]] | None:
    """What is missing up to the minimum another clause sets, when the question asks for that shortfall.

    'תמלוגים 5% מההכנסות' with revenue of ₪1,800,000 (₪90,000) and 'תמלוגים מינימליים ₪120,000' in the same
    contract: ₪120,000 − ₪90,000 = ₪30,000 (nothing when the amount reached the minimum). The minimum is the one
    amount of a clause of the same document that calls itself a minimum, the one that best covers the question.
    """
    if not _TOP_UP.search(query):
        return None
    floor = _best_unit(
        library, rule, query, lambda t: len(money(t)) == 1 and bool(_MINIMUM.search(t)) and not percent(t)
    )
    if floor is None or floor.text == rule.text:
        return None
    least = money(floor.text)[0]
    missing = max(least - calc.result, Decimal(0))
    if missing:
        expression = f"{calc.expression}; {shekels(least)} − {shekels(calc.result)} = {shekels(missing)}"
    else:  # no false equation: the amount reached the minimum, nothing is missing
        expression = f"{calc.expression}; {shekels(calc.result)} ≥ {shekels(least)} — אין השלמה"
    return Calculation(missing, expression, (0, 1)), [rule, floor]


_ANY_CLAUSE_REF = re.compile(r"(?<![\u05d0-\u05ea])[בלמש]?סעיף\s+(\d{1,3}(?:\.\d{1,3})+)(?![\d.]*\d)")


def _index_linked(query: str, quotes: list[Quote], library: Library) -> tuple[Calculation, list[Quote]] | None:
    """An amount linked to an index at the index the question gives in points (see derive.indexed).

    The index clause is a quote that states a base index in points; the amount is the clause it names ('מתחת
    לסכום הנקוב בסעיף 3.1') when that states one amount, else the unit of its document with one amount, no
    percentage, that best covers the question.
    """
    rule = next((q for q in quotes if index_base(q.text) is not None), None)
    if rule is None:
        return None
    base: Quote | None = None
    for ref in _ANY_CLAUSE_REF.finditer(rule.text):
        named_clause = _clause_of(library, rule.hit.document_id, ref.group(1))
        if named_clause is not None and len(money(named_clause.text)) == 1:
            base = named_clause
            break
    if base is None:
        base = _best_unit(library, rule, query, lambda t: len(money(t)) == 1 and not percent(t), not_text=rule.text)
    if base is None or (calc := indexed(query, rule.text, base.text)) is None:
        return None
    return calc, [base, rule]


_ALL_TOGETHER = re.compile(r'בסך הכול|בסך הכל|סך הכול|סה"כ|\bin total\b|\baltogether\b', re.IGNORECASE)


def _derived(query: str, quotes: list[Quote], library: Library) -> tuple[Calculation, list[Quote]] | None:
    """The derivations of :mod:`.derive`, tried by the kinds of the operands the quotes and question hold.

    A percentage of the question's own amount (held to the clause's floor and cap), one of N equal
    instalments, the least a clause allows, a monthly amount over the term another clause states, a
    percentage per period of a base amount; then VAT on top when the question asks for the total with it.
    None when no derivation's operands are all there (the one-step calculations of ``_calculate`` follow).
    """
    calc: Calculation | None = None
    used: list[Quote] = []
    if _ALL_TOGETHER.search(query):
        # 'כמה תקבל בסך הכול בעד כל הפוסטים והסטוריז': each price per unit of one clause times the count of
        # that unit another clause of the contract states, added up.
        for q in quotes:
            counts = _find_unit(
                library,
                q.hit.document_id,
                lambda t, p=q.text: t != p and prices_times_counts(p, t) is not None,
            )
            if counts is not None and counts.hit.document_id == q.hit.document_id:
                calc = prices_times_counts(q.text, counts.text)
                if calc is not None:
                    return calc, [q, counts]
    if given_date(query) is not None:
        for q in quotes:
            if (calc := date_after(query, q.text)) is not None:
                return calc, [q]
    linked = _index_linked(query, quotes, library)
    if linked is not None:
        return linked
    tabled = _from_table(query, _with_row(query, quotes, library), library)
    if tabled is not None:
        return tabled
    if asks_together(query) and len(money(query)) == 1:
        together = _rates_together(query, quotes, library)
        if together is not None:
            return together
    if asks_deadline(query):
        rule = next((q for q in quotes if days_from_event(q.text) is not None), None)
        if rule is not None:
            _, _, event = days_from_event(rule.text) or (0, 0, "")
            event_query = f"{query} {event}"
            dated = [q for q in quotes if q is not rule and dates(q.text)]
            found = (
                dated[0]
                if dated
                else _best_unit(library, rule, event_query, lambda t: bool(dates(t)), not_text=rule.text)
            )
            if found is not None and (calc := deadline(rule.text, found.text)) is not None:
                return calc, [rule, found]
        return None
    risen = _after_yearly_rises(query, quotes, library)
    if risen is not None:
        return risen
    least = _row_times_minimum(query, quotes, library)
    if least is not None:
        return least
    surcharged = _named_amount_raised(query, quotes, library)
    if surcharged is not None:
        return surcharged
    refund = _refund_less_fee(query, quotes, library)
    if refund is not None:
        return refund
    areal = _over_area(query, quotes, library)
    if areal is not None:
        calc, used = areal
        quotes = []  # the area's rate and the area are the facts; nothing else is computed
    dated = dated_count(query)
    for q in quotes:
        if asks_fixed_part(query, q.text):
            break  # 'מה דמי השכירות הבסיסיים אם הפדיון …': the fixed amount is quoted, no share is taken
        if dated is not None and count_in_span(*dated, q.text) is False:
            continue  # 'ביטל 45 יום לפני': the row of '90 ימים או יותר' is not the one that holds 45 days
        calc = (
            fixed_plus_share(query, q.text)
            or rate_of_question_amount(query, q.text)
            or shares_of_question_amount(query, q.text)
            or instalment(query, q.text)
        )
        if calc is not None:
            used = [q]
            shortfall = _to_minimum(query, calc, q, library)
            if shortfall is not None:
                calc, used = shortfall
            break
    if calc is None and asks_least(query):
        for q in quotes:
            floor, _ = floor_or_cap(q.text)
            if floor is not None:
                calc, used = Calculation(floor, f"המינימום שבסעיף: {shekels(floor)}", (0,)), [q]
                break
    if calc is None and asks_whole_term(query):
        # The monthly amount in force: a clause that raises it by a percentage speaks of another period.
        def in_force(t: str) -> bool:
            return len(money(t)) == 1 and states_period(t, "month") and not percent(t)

        monthly = next((q for q in quotes if in_force(q.text)), None) or _best_unit(library, quotes[0], query, in_force)
        if monthly is not None:
            term = next((q for q in quotes if term_months(q.text) is not None), None) or _best_unit(
                library, monthly, query, lambda t: term_months(t) is not None
            )
            if term is not None and (calc := over_term(monthly.text, term.text)) is not None:
                used = [monthly, term]
    if calc is None and asks_for_vat_total(query) and asked_period(query) is not None:
        for q in quotes:  # 'כמה בשנה, כולל מע"מ': a year of the monthly amount, then VAT
            if (calc := per_period(query, q.text)) is not None:
                used = [q]
                break
    if calc is None:
        rule = next((q for q in quotes if percent(q.text) and not money(q.text)), None)
        if rule is not None and one_rate(rule.text) is None:
            # '(ב) 40% מהתמורה — תוך 7 ימים מיום רישום ההעברה': of a rule's sub-clauses, the one whose due time
            # the question names is the share asked about
            rule = _due_line(query, rule) or rule
        if rule is not None:
            base = _base_for(library, rule, query, quotes)
            if base is not None:
                calc = interest_per_period(query, rule.text, base.text)
                if calc is None and asks_update(query):
                    calc = raised(rule.text, base.text)
                elif (
                    calc is None
                    and asks_amount(query)
                    and not _RISE_RULE.search(rule.text)
                    and _asks_rule(query, rule, base)
                ):
                    if of_amount_with_vat(rule.text) and not states_with_vat(base.text):
                        # '30% ממחיר החבילה, כולל מע"מ' of a price stated before VAT: the share is of the price
                        # with VAT at the contract's rate; without that rate no share is taken (never of the net).
                        vat = next((q for q in quotes if vat_rate(q.text) is not None), None) or _find_unit(
                            library, base.hit.document_id, lambda t: vat_rate(t) is not None
                        )
                        gross = share_of_with_vat(rule.text, base.text, vat.text) if vat is not None else None
                        if gross is not None and vat is not None and vat.hit.document_id == base.hit.document_id:
                            return gross, [base, vat, rule]
                    else:
                        calc = share_of(rule.text, base.text)  # 'כמה זיכוי…': the rule's percentage of the amount
                if calc is not None:
                    used = [base, rule]
    if calc is None and quantity_asked(query) is None and (counted := _row_times_count(query, quotes, library)):
        calc, used = counted
    if calc is None and quantity_asked(query) is None and (counted := _rate_times_count(query, quotes, library)):
        calc, used = counted
    if calc is None and asks_for_vat_total(query) and quantity_asked(query) is not None:
        for q in quotes:
            if (calc := times_quantity(query, q.text)) is not None:
                used = [q]
                break
        else:
            return None
    if calc is None:
        return None
    if asks_for_vat_total(query) and calc is not None:
        rate = next((q for q in quotes if vat_rate(q.text) is not None and q not in used), None)
        if rate is None:
            rate = _find_unit(library, used[0].hit.document_id, lambda t: vat_rate(t) is not None)
        if rate is None:
            return None
        taxed = with_vat(calc, rate.text)
        if taxed is None:
            return None
        calc, used = taxed, [*used, rate] if rate.text not in {u.text for u in used} else used
    return calc, used


_PERIOD_LABEL = re.compile(r"(?<![\d/.,])(20\d\d)(?:/(\d\d))?(?![\d%])")
_ORDINAL_PERIOD = re.compile(
    r"(?<![\u05d0-\u05ea])ב?ה?(?:שנה|עונה)\s+ה?(ראשונה|שנייה|שניה|שלישית|רביעית|חמישית|שישית)(?![\u05d0-\u05ea])"
    r"|\b(first|second|third|fourth|fifth|sixth) (?:year|season)\b",
    re.IGNORECASE,
)
_ORDINALS = {
    "ראשונה": 1, "שנייה": 2, "שניה": 2, "שלישית": 3, "רביעית": 4, "חמישית": 5, "שישית": 6,
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6,
}  # fmt: skip
_EACH_PERIOD = re.compile(r"(?:בכל|מדי|לכל)\s+(?:שנה|עונה)|(?:each|every|per)\s+(?:year|season)|שנתי", re.IGNORECASE)


def _period_number(text: str) -> int | None:
    """The year a text names ('2028', 'עונת 2028/29' → 2028) or its ordinal year ('בשנה השלישית' → 3)."""
    years = {int(m.group(1)) for m in _PERIOD_LABEL.finditer(text)}
    if len(years) == 1:
        return years.pop()
    ordinals = {_ORDINALS[(m.group(1) or m.group(2)).lower()] for m in _ORDINAL_PERIOD.finditer(text)}
    return ordinals.pop() if len(ordinals) == 1 else None


def _after_yearly_rises(query: str, quotes: list[Quote], library: Library) -> tuple[Calculation, list[Quote]] | None:
    """An amount in a later year or season, after the yearly rise a clause states, one step a year.

    'דמי החסות לעונת 2026/27 הם ₪480,000' and 'יעלו ב-5% בכל עונה': the season 2028/29 is two rises later,
    ₪480,000 × 1.05 = ₪504,000; ₪504,000 × 1.05 = ₪529,200. The base states one amount and the year it is for
    (a year in figures, or 'בשנה הראשונה' beside an ordinal year asked); the rule one percentage a year.
    """
    q = normalize(query)
    asked = _period_number(q)
    if asked is None:
        return None

    def is_rule(t: str) -> bool:
        return len(percent(t)) == 1 and not money(t) and bool(_RISE_RULE.search(t)) and bool(_EACH_PERIOD.search(t))

    def is_base(t: str) -> bool:
        return len(money(t)) == 1 and not percent(t) and _period_number(normalize(t)) is not None

    for base in [q_ for q_ in quotes if is_base(q_.text)] or [q_ for q_ in quotes if money(q_.text)][:1]:
        if not is_base(base.text):
            base = _best_unit(library, base, query, is_base) or base
            if not is_base(base.text):
                continue
        start = _period_number(normalize(base.text))
        if start is None or (start > 100) != (asked > 100) or not 1 <= asked - start <= 10:
            continue
        rule = next((r for r in quotes if is_rule(r.text) and r.hit.document_id == base.hit.document_id), None)
        rule = rule or _best_unit(library, base, query, is_rule)
        if rule is None:
            continue
        rate = percent(rule.text)[0]
        factor = 1 + rate / 100
        amount, steps = money(base.text)[0], []
        for _ in range(asked - start):
            after = _round_money(amount * factor)
            steps.append(f"{shekels(amount)} × {factor.normalize():f} = {shekels(after)}")
            amount = after
        return Calculation(amount, "; ".join(steps), (0, 1)), [base, rule]
    return None


_MONEY_AT = re.compile(
    r"(?:₪\s?)?\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?(?:\s?₪)?|₪\s?\d+(?:\.\d{1,2})?|\d+(?:\.\d{1,2})?\s?₪"
)


def _named_amount(query: str, text: str) -> Decimal | None:
    """The one amount of a clause listing several that the question names by the words after it.

    '₪3,900 למכולה של 20 רגל ו-₪6,400 למכולה של 40 רגל' and 'מכולה של 40 רגל': ₪6,400. Each amount's words run
    to the next amount; the question must name more of one amount's words than of any other's.
    """
    plain = normalize(text)
    spots = [m for m in _MONEY_AT.finditer(plain) if money(m.group(0))]
    if len(spots) < 2 or len(spots) != len(money(plain)) or any(floor_or_cap(plain)):
        return None  # 'ולא יותר מ-₪6,000 ליאכטה' is a limit, no priced item of a list
    asked = {f for t in tokenize(normalize(query)) if not _stop(t) for f in _forms(t)}
    scored: list[tuple[int, Decimal]] = []
    for i, m in enumerate(spots):
        after = plain[m.end() : spots[i + 1].start() if i + 1 < len(spots) else len(plain)]
        after = re.split(r"[.;]", after)[0]
        scored.append((len({t for t in tokenize(after) if _forms(t) & asked}), money(m.group(0))[0]))
    scored.sort(key=lambda x: -x[0])
    if scored[0][0] == 0 or scored[1][0] == scored[0][0]:
        return None
    return scored[0][1]


_ADDED = re.compile(r"יעלו|יעלה|תעלה|יתווסף|יתווספו|תתווסף|תוספת|העלאה|\bsurcharge|\bis added\b", re.IGNORECASE)


_GENERIC_CHARGE = frozenset(("דמי", "סכום", "הסכום", "תשלום", "מחיר", "המחיר", "תמורה", "התמורה"))


def _adds_to(rule: str, base: str) -> bool:
    """Whether a surcharge rule adds to what the base clause prices: a word of both beyond 'דמי' ('ההובלה')."""
    base_words = _words(base)
    return any(
        _forms(t) & base_words
        for t in tokenize(normalize(rule))
        if len(t) > 2 and not _stop(t) and not t.isdigit() and t.lstrip("לו") not in _GENERIC_CHARGE
    )


def _named_amount_raised(query: str, quotes: list[Quote], library: Library) -> tuple[Calculation, list[Quote]] | None:
    """One of several amounts of a clause, the one the question names, with the surcharge a rule adds to it.

    'דמי ההובלה הם ₪3,900 למכולה של 20 רגל ו-₪6,400 למכולה של 40 רגל' and 'לדמי ההובלה תתווסף תוספת דלק בשיעור
    12%', asked 'מכולה של 40 רגל, כולל תוספת הדלק': ₪6,400 × 1.12 = ₪7,168. The question must name the rule by a
    word its base does not say ('דלק'), and the rule must add to what the base clause prices (a shared word).
    """
    for base in quotes:
        amount = _named_amount(query, base.text)
        if amount is None:
            continue

        def is_rule(t: str, base_text: str = base.text) -> bool:
            return (
                len(percent(t)) == 1
                and not money(t)
                and bool(_ADDED.search(normalize(t)))
                and vat_rate(t) is None
                and _adds_to(t, base_text)
            )

        rule = next((q for q in quotes if q is not base and is_rule(q.text)), None) or _best_unit(
            library, base, query, is_rule, not_text=base.text
        )
        if rule is None or not _asks_rule(query, rule, base):
            continue
        rate = percent(rule.text)[0]
        factor = 1 + rate / 100
        result = _round_money(amount * factor)
        raise_step = f"{shekels(amount)} + {rate.normalize():f}%"
        expression = f"{raise_step} = {shekels(amount)} × {factor.normalize():f} = {shekels(result)}"
        return Calculation(result, expression, (0, 1)), [base, rule]
    return None


_LEAST_WORDS = re.compile(
    r"(?<![\u05d0-\u05ea])(?:ה?מזערי|ה?מזערית|ה?מינימלי|ה?מינימלית|מינימום|לכל\s+הפחות|לפחות)(?![\u05d0-\u05ea])"
    r"|\bminimum\b|\bat least\b",
    re.IGNORECASE,
)


def _row_times_minimum(query: str, quotes: list[Quote], library: Library) -> tuple[Calculation, list[Quote]] | None:
    """The least paid: the price per unit of the table row the question names times the least count a clause sets.

    'בחרה בתפריט הגורמה. מה הסכום המזערי שתשלם על הארוחות?' with the row 'תפריט גורמה · אורח · ₪310' and 'תשלם
    לכל הפחות בעד 250 אורחים': 250 × ₪310 = ₪77,500. The row is the one record of the quoted document whose
    item the question names; the count is of the row's unit ('אורח'), in a clause that says it is the least.
    """
    q = normalize(query)
    if not _LEAST_WORDS.search(q) or not quotes:
        return None
    asked = {f for t in tokenize(q) if not _stop(t) and len(t) > 2 for f in _forms(t)}
    documents = list(dict.fromkeys(x.hit.document_id for x in quotes))
    rows: dict[str, tuple[int, Quote]] = {}
    for hit in library.chunks:
        if hit.document_id not in documents:
            continue
        keys = _row_keys(library, hit.document_id)
        for unit in clause_units(hit.text):
            if not unit.is_row or len(money(unit.text)) != 1:
                continue
            # the item's own words, not a word every row shares ('תפריט'), said by the question as they are
            named = [
                t
                for t in tokenize(unit.row_key)
                if len(t) > 2 and not _stop(t) and _strict_forms(t) & asked and sum(t in k for k in keys) == 1
            ]
            if named:
                rows[unit.text] = (len(named), Quote(unit.text, relabel(hit.section, unit.clause), hit))
    ranked = sorted(rows.values(), key=lambda x: -x[0])
    if not ranked or (len(ranked) > 1 and ranked[1][0] == ranked[0][0]):
        return None
    row = ranked[0][1]
    units = [v for h, v in cells(row.text) if not money(v) and v.strip() and v.strip() not in row.text.split(" · ")[0]]
    nouns = {f for v in units for t in tokenize(v) if len(t) > 2 for f in _forms(t)}
    bases = {unit_of(t) for v in units for t in tokenize(v)}
    if not nouns:
        return None
    found: list[tuple[Decimal, Quote]] = []
    for hit in library.chunks:
        if hit.document_id != row.hit.document_id:
            continue
        for unit in clause_units(hit.text):
            if unit.is_row or not _LEAST_WORDS.search(normalize(unit.text)) or money(unit.text):
                continue
            for m in re.finditer(r"(?<![\d.,/])(\d{1,5})\s+([\u05d0-\u05ea]{3,})", normalize(unit.text)):
                if _forms(m.group(2)) & nouns or unit_of(m.group(2)) in bases:
                    found.append((Decimal(m.group(1)), Quote(unit.text, relabel(hit.section, unit.clause), hit)))
    if len({n for n, _ in found}) != 1:
        return None
    count, clause = found[0]
    price = money(row.text)[0]
    result = _round_money(count * price)
    return Calculation(result, f"{count.normalize():f} × {shekels(price)} = {shekels(result)}", (0, 1)), [clause, row]


def _row_keys(library: Library, document_id: str) -> list[str]:
    """The first cells of every table record of a document (the items its tables price)."""
    return [u.row_key for h in library.chunks if h.document_id == document_id for u in clause_units(h.text) if u.is_row]


_LESS_FEE = re.compile(r"בניכוי|לאחר\s+ניכוי|פחות|\bless\b|\bminus\b|\bnet of\b", re.IGNORECASE)
_REFUND_Q = re.compile(
    r"(?<![\u05d0-\u05ea])(?:יוחזר|יוחזרו|תוחזר|יחזירו|יחזיר|תחזיר|להחזיר|החזר|ההחזר|יקבל\s+בחזרה|תקבל\s+בחזרה)"
    r"|\brefund|\bget back\b|\breturned\b",
    re.IGNORECASE,
)


def _refund_less_fee(query: str, quotes: list[Quote], library: Library) -> tuple[Calculation, list[Quote]] | None:
    """What is paid back: the amount the question says was paid, less the fee the refund clause deducts.

    'יוחזרו לה כל הכספים ששילמה, בניכוי דמי טיפול של ₪2,500' and 'שילמה רק את המקדמה' with 'מקדמה של ₪20,000'
    in another clause: ₪20,000 − ₪2,500 = ₪17,500. The paid amount is a clause of the same document with one
    amount that the question names by a word the refund clause does not say; nothing else is guessed.
    """
    if not _REFUND_Q.search(normalize(query)):
        return None
    fees = (q for q in quotes if _LESS_FEE.search(q.text) and len(money(q.text)) == 1 and not percent(q.text))
    rule = next(fees, None)
    if rule is None:
        return None
    rule_words = _words(rule.text)
    asked = {f for t in tokenize(query) if not _stop(t) and len(t) > 2 and not t.isdigit() for f in _forms(t)}
    asked -= rule_words

    def paid_clause(t: str) -> bool:
        return len(money(t)) == 1 and not percent(t) and not _LESS_FEE.search(t) and bool(asked & _words(t))

    paid = next((q for q in quotes if q is not rule and paid_clause(q.text)), None) or _best_unit(
        library, rule, " ".join(t for t in tokenize(query) if _forms(t) & asked), paid_clause, not_text=rule.text
    )
    if paid is None:
        return None
    amount, fee = money(paid.text)[0], money(rule.text)[0]
    if fee >= amount:
        return None
    result = _round_money(amount - fee)
    return Calculation(result, f"{shekels(amount)} − {shekels(fee)} = {shekels(result)}", (0, 1)), [paid, rule]


_AMOUNT_FILLER = frozenset(("בסך", "בסכום", "בגובה", "סך", "בשווי"))
_RULE_CHARGE = re.compile(
    r"([\u05d0-\u05ea\"]{2,}(?:\s+[\u05d0-\u05ea\"]{2,})?)\s+(?:בשיעור\s+(?:של\s+)?|של\s+)?\d{1,3}(?:\.\d{1,2})?\s?%"
)


_DUE = re.compile(r"(?<![\u05d0-\u05ea])ב?תוך\s*(\d{1,4})\s*(?:ימים|יום|ימי\s+[\u05d0-\u05ea]+)\s+((?:\S+\s*){1,3})")


def _same_due(query: str, text: str) -> bool:
    """Whether the question and the rule name the same due time: 'תוך 14 ימים ממסירת הסרטון' in both."""
    asked, said = _DUE.search(normalize(query)), _DUE.search(normalize(text))
    if asked is None or said is None or asked.group(1) != said.group(1):
        return False
    event = {f for t in tokenize(asked.group(2)) if len(t) > 2 and not _stop(t) for f in _forms(t) if f[0] != "≈"}
    return bool(event & _words(said.group(2)))


def _due_line(query: str, rule: Quote) -> Quote | None:
    """The one line of a rule's sub-clauses with one percentage that is due when the question says, or None."""
    lines = [ln for ln in rule.text.split("\n") if one_rate(ln) is not None and _same_due(query, ln)]
    return Quote(lines[0].strip(), rule.section, rule.hit) if len(lines) == 1 else None


def _asks_rule(query: str, rule: Quote, base: Quote) -> bool:
    """Whether the question asks what a percentage rule pays, not only the amount the rule is a share of.

    'דמי ביטול בשיעור 25% מדמי השימוש באולם' is a share of the hall fee; 'כמה תשלם על השימוש באולם?' asks the
    fee itself and the cancellation is no part of it. The question must name a word of the rule that its base
    does not say ('ביטול', 'מענק') — a verb of paying or a word of the base is no such word.
    """
    if _same_due(query, rule.text):
        return True  # 'כמה תשלם תוך 14 ימים ממסירת הסרטון' names the payment by when the rule says it is due
    charge = _RULE_CHARGE.search(normalize(rule.text))
    if charge is not None:
        # 'דמי ביטול בשיעור 25%', 'מענק בשיעור 10%': the rule's own noun is what the question must ask about
        named = {
            f
            for t in tokenize(charge.group(1))
            if len(t) > 2 and not _stop(t) and t.lstrip("לו") not in _GENERIC_CHARGE
            for f in _forms(t)
        }
        filler = bool(set(tokenize(charge.group(1))) & _AMOUNT_FILLER)
        if named and (any(_forms(t) & named for t in tokenize(query) if not _stop(t)) or not filler):
            return any(_forms(t) & named for t in tokenize(query) if not _stop(t))
        # 'ערבות ביצוע בנקאית אוטונומית בסך 10%': the words before 'בסך' describe the thing, its noun stands
        # further back — the rule's own words (below) say whether the question asks about it
    own = _words(rule.text) - _words(base.text) - _words(rule.hit.title)
    for tok in tokenize(query):
        if _stop(tok) or len(tok) < 3 or tok.isdigit() or _PAYING.fullmatch(tok):
            continue
        if _forms(tok) & own:
            return True
    return False


def _names_column(question: str, row: str) -> bool:
    """Whether the question names one of the record's money columns ('ריבית' of 'ריבית: ₪72,000')."""
    return named_column(question, [h for h, v in cells(row) if len(money(v)) == 1]) is not None


def _is_record(text: str) -> bool:
    return " · " in text and ":" in text


def _table_rows(library: Library, row: Quote) -> list[Quote]:
    """Every record of the table `row` belongs to: the rows of its document under the same header."""
    here = next((u for u in clause_units(row.hit.text) if u.text == row.text and u.is_row), None)
    if here is None:
        return [row]
    out: dict[str, Quote] = {}
    for hit in library.chunks:
        if hit.document_id != row.hit.document_id:
            continue
        for unit in clause_units(hit.text):
            if unit.is_row and unit.context == here.context and unit.text not in out:
                out[unit.text] = Quote(unit.text, relabel(hit.section, unit.clause), hit)
    return list(out.values()) or [row]


_ALL_OF = re.compile(
    r"(?<![\u05d0-\u05ea])(?:על\s+|ל|ב)?כל\s+ה([\u05d0-\u05ea]{3,})|\ball (?:the |of the )?([a-z]{3,})"
)


def _row_times_count(query: str, quotes: list[Quote], library: Library) -> tuple[Calculation, list[Quote]] | None:
    """A record's one amount times the count of its item another clause states ('4 רכבים מקבוצה ג'').

    'כמה משלמת החוכרת על כל הרכבים מקבוצה ג'': the table's row for group ג' gives the amount per car, and the
    clause that says how many cars of group ג' were leased gives the count. The count's noun must be the one the
    question counts ('כל הרכבים'), and the clause must name the row's item by its first cell's first word.
    """
    asked = _ALL_OF.search(normalize(query))
    row = next((q for q in quotes if _is_record(q.text)), None)
    if asked is None or row is None:
        return None
    noun = _forms(asked.group(1) or asked.group(2))
    parts = cells(row.text)
    amounts = [(h, money(v)[0]) for h, v in parts if len(money(v)) == 1]
    if not parts or not amounts:
        return None
    if len(amounts) > 1:
        column = named_column(query, [h for h, _ in amounts])
        amounts = [(h, a) for h, a in amounts if h == column]
        if len(amounts) != 1:
            return None
    item = parts[0][1].split()[0] if parts[0][1].split() else ""
    if not item:
        return None
    count_of = re.compile(
        rf"(?<![\d.,])(\d{{1,4}})\s+([\u05d0-\u05ea\"]+)(?:\s+\S+){{0,2}}?\s+\S*{re.escape(item)}(?!\w)"
    )
    found: list[tuple[Decimal, Quote]] = []
    for hit in library.chunks:
        if hit.document_id != row.hit.document_id:
            continue
        for unit in clause_units(hit.text):
            if not unit.clause or unit.is_row:
                continue
            for m in count_of.finditer(normalize(unit.text)):
                if _forms(m.group(2)) & noun and "%" not in m.group(0):
                    found.append((Decimal(m.group(1)), Quote(unit.text, relabel(hit.section, unit.clause), hit)))
    if len({n for n, _ in found}) != 1:
        return None  # no clause counts the item, or clauses count it differently: not for arithmetic to guess
    count, clause = found[0]
    amount = amounts[0][1]
    result = _round_money(count * amount)
    return Calculation(result, f"{count.normalize():f} × {shekels(amount)} = {shekels(result)}", (0, 1)), [row, clause]


_ALL_NOUN = re.compile(
    r"(?<![\u05d0-\u05ea])(?:ל|ב|על\s+|של\s+)?כל\s+(?:ה)?([\u05d0-\u05ea]{3,})|\ball (?:the |of the )?([a-z]{3,})"
)
_PER_NOUN = re.compile(
    r"(?<![\u05d0-\u05ea])(?:לכל|בעד\s+כל|על\s+כל|עבור\s+כל)\s+([\u05d0-\u05ea]{3,})|\bper ([a-z]{3,})"
)


def _rate_times_count(query: str, quotes: list[Quote], library: Library) -> tuple[Calculation, list[Quote]] | None:
    """A clause's one amount per unit times the count of those units another clause of the contract states.

    'כמה משלמים בחודש על האחזקה של כל המעליות?': '₪650 לחודש לכל מעלית' and 'טיפול מונע ב-6 המעליות' give
    6 × ₪650. The noun the question counts ('כל המעליות') must be the one the rate is per ('לכל מעלית') and the
    one a clause counts ('6 המעליות'); clauses that count it differently leave it uncomputed.
    """
    q = normalize(query)
    asked = [m.group(1) or m.group(2) for m in _ALL_NOUN.finditer(q)]
    for rate in quotes:
        if len(money(rate.text)) != 1 or percent(rate.text):
            continue
        per = [m.group(1) or m.group(2) for m in _PER_NOUN.finditer(normalize(rate.text))]
        nouns = [n for n in asked if any(_forms(n) & _forms(p) - {n} for p in per) or n in per]
        if not nouns:
            continue
        noun = _forms(nouns[0])
        found: list[tuple[Decimal, Quote]] = []
        for hit in library.chunks:
            if hit.document_id != rate.hit.document_id:
                continue
            for unit in clause_units(hit.text):
                if unit.text == rate.text or not unit.clause or money(unit.text):
                    continue
                for m in re.finditer(r"(?<![\d.,/])(\d{1,4})\s+(?:ה)?([\u05d0-\u05ea]{3,})", normalize(unit.text)):
                    if _forms(m.group(2)) & noun and "%" not in m.group(0):
                        found.append((Decimal(m.group(1)), Quote(unit.text, relabel(hit.section, unit.clause), hit)))
        if len({n for n, _ in found}) != 1:
            continue
        count, clause = found[0]
        amount = money(rate.text)[0]
        result = _round_money(count * amount)
        expression = f"{count.normalize():f} × {shekels(amount)} = {shekels(result)}"
        return Calculation(result, expression, (0, 1)), [clause, rate]
    return None


def _round_money(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"))


def _introduced_record(quotes: list[Quote], library: Library) -> Quote | None:
    """The first record of the table a quoted clause introduces ('…לפי היקף ההזמנות, כמפורט בטבלה:')."""
    intros = _intros(library.chunks)
    for q in quotes:
        key = (q.hit.document_id, q.hit.section)
        if key not in intros or not q.text.rstrip().endswith(":"):
            continue
        for hit in _sections(library.chunks).get(key, []):
            for unit in clause_units(hit.text):
                if unit.is_row:
                    return Quote(unit.text, relabel(hit.section, unit.clause), hit)
    return None


def _from_table(query: str, quotes: list[Quote], library: Library) -> tuple[Calculation, list[Quote]] | None:
    """A table's column added up over its records, or the rate of the record whose band holds a figure.

    'כמה ריבית בסך הכול' adds the interest column; 'זמינות של 98.7%' takes the rate of the band that holds
    98.7% of the amount the rate's header names.
    """
    row = next((q for q in quotes if _is_record(q.text)), None)
    if row is None and given_figure(query) is not None:
        row = _introduced_record(quotes, library)  # the clause that says 'לפי הטבלה:' is quoted, not a row
    if row is None and given_figure(query) is not None:
        return _prose_band(query, quotes, library)
    if row is None:
        return None
    rows = _table_rows(library, row)
    texts = [r.text for r in rows]
    if asks_together(query) and (calc := column_total(query, texts)) is not None:
        return calc, rows
    priced = banded_price(query, texts)
    if priced is not None:
        return priced[1], [rows[priced[0]]]
    band = banded_rate(query, texts)
    if band is None:
        return _row_share(query, row, quotes, library) if asks_amount(query) else None
    i, rate, head = band
    band_cell = cells(rows[i].text)[0][1]
    given = given_figure(query)
    if given is not None and given[1] == "₪":
        # 'רכש בסך ₪400,000 — כמה הנחה?': the band holds the question's own amount, and its rate is of that amount.
        amount = given[0]
        result = (amount * rate / 100).quantize(Decimal("0.01"))
        expression = (
            f"{band_cell}: {head} {rate.normalize():f}%; {rate.normalize():f}% × {shekels(amount)} = {shekels(result)}"
        )
        return Calculation(result, expression, (0,)), [rows[i]]
    base = _best_unit(library, rows[i], head, lambda t: len(money(t)) == 1 and not _is_record(t))
    if base is None:
        return None
    amount = money(base.text)[0]
    result = (amount * rate / 100).quantize(Decimal("0.01"))
    expression = (
        f"{band_cell}: {head} {rate.normalize():f}%; {rate.normalize():f}% × {shekels(amount)} = {shekels(result)}"
    )
    return Calculation(result, expression, (0, 1)), [rows[i], base]


_PROSE_BAND = re.compile(r"^\s*(.+?)\s+[—–-]\s+(.+?)\s*\.?\s*$")


def _prose_band(query: str, quotes: list[Quote], library: Library) -> tuple[Calculation, list[Quote]] | None:
    """A band scale written in a clause's prose ('זמינות של 99.0% עד פחות מ-99.5% — 5% מדמי השירות; …').

    Each ';' segment 'band — rate' is read as a table's record; the band that holds the question's figure gives
    its rate, taken of the amount the rate names (another clause's), or of the question's own amount.
    """
    for q in quotes:
        body = q.text.split(":", 1)[1] if ":" in q.text else q.text
        records = []
        for segment in body.split(";"):
            m = _PROSE_BAND.match(segment)
            if m is None or band_of(m.group(1)) is None or len(percent(m.group(2))) != 1:
                continue
            of = re.sub(r"^[^%]*%\s*", "", m.group(2)).strip() or "שיעור"
            records.append((f"תחום: {m.group(1).strip()} · {of}: {m.group(2).strip()}", of))
        if len(records) < 2:
            continue
        band = banded_rate(query, [r for r, _ in records])
        if band is None:
            continue
        i, rate, head = band
        band_cell = cells(records[i][0])[0][1]
        given = given_figure(query)
        if given is not None and given[1] == "₪":
            amount, used = given[0], [q]
        else:
            base = _best_unit(library, q, head, lambda t: len(money(t)) == 1 and not _is_record(t), not_text=q.text)
            if base is None:
                return None
            amount, used = money(base.text)[0], [q, base]
        result = (amount * rate / 100).quantize(Decimal("0.01"))
        expression = (
            f"{band_cell}: {rate.normalize():f}%; {rate.normalize():f}% × {shekels(amount)} = {shekels(result)}"
        )
        return Calculation(result, expression, tuple(range(len(used)))), used
    return None


_LIMIT_RATE = re.compile(
    r"(?:לא\s+יותר\s+מ|לא\s+(?:יעלה|יעלו|תעלה)\s+על|לא\s+פחות\s+מ|לכל\s+היותר|לפחות|עד)-?\s?\d[\d.]*\s?%"
)


def _fee_rate(text: str) -> bool:
    """A clause that charges one percentage (no amount beside it), not one that caps or floors a rate."""
    return one_rate(text) is not None and not money(text) and not _LIMIT_RATE.search(text)


_OF_BASE = re.compile(r"(?:^|\s)מ-?([\u05d0-\u05ea]{2,}(?:\s+[\u05d0-\u05ea\"]{2,})?)")


def _row_share(query: str, row: Quote, quotes: list[Quote], library: Library) -> tuple[Calculation, list[Quote]] | None:
    """A record's percentage of the amount its header names ('שיעור משכר החוזה: 35%'), and a rule's share of it.

    A payment schedule in percentages of the contract price: the milestone's payment is its percentage of
    the price the contract defines; a rule on every payment ('מכל תשלום יעכב המזמין 5%') is then taken of it.
    """
    rated = [(h, v) for h, v in cells(row.text) if len(percent(v)) == 1 and _OF_BASE.search(h)]
    if len(rated) != 1:
        return None
    head, value = rated[0]
    of = _OF_BASE.search(head)
    assert of is not None
    rate = percent(value)[0]
    base = _base_for(library, Quote(f"{value} מ{of.group(1)}", row.section, row.hit), query, quotes)
    if base is None:
        return None
    amount = money(base.text)[0]
    payment = (amount * rate / 100).quantize(Decimal("0.01"))
    steps = f"{rate.normalize():f}% × {shekels(amount)} = {shekels(payment)}"
    used = [row, base]
    rule = next((q for q in quotes if q is not row and _fee_rate(q.text) and _names_rule(query, q.text, library)), None)
    result = payment
    if rule is not None and (share := one_rate(rule.text)) is not None:
        result = (payment * share / 100).quantize(Decimal("0.01"))
        steps += f"; {share.normalize():f}% × {shekels(payment)} = {shekels(result)}"
        used.append(rule)
    return Calculation(result, steps, tuple(range(len(used)))), used


def _names_rule(query: str, rule: str, library: Library) -> bool:
    """Whether the question names what the rule does: the rule's rarest word ('כעיכבון'), not its parties."""
    words = [t for t in tokenize(rule) if not _stop(t) and not re.fullmatch(r"[\d.%]+", t)]
    if not words:
        return False
    rarest = max(words, key=lambda t: min(library.idf(f) for f in _forms(t) if f[0] not in "~≈"))
    return bool(_forms(rarest) & _words(query))


def _with_row(query: str, quotes: list[Quote], library: Library) -> list[Quote]:
    """The quotes, with the record of a percentage schedule the question names when a rule on payments is quoted.

    'כמה יעכב המזמין כעיכבון מהתשלום על השלמת השלד?' quotes the retention rule; the milestone is a record.
    """
    if any(_is_record(q.text) for q in quotes):
        return quotes
    rule = next((q for q in quotes if _fee_rate(q.text)), None)
    if rule is None:
        return quotes
    row = _best_unit(
        library,
        rule,
        _unnamed(query),
        lambda t: _is_record(t) and any(len(percent(v)) == 1 and _OF_BASE.search(h) for h, v in cells(t)),
    )
    return [*quotes, row] if row is not None and _names_record(query, row.text) else quotes


def _names_record(query: str, row: str) -> bool:
    """Whether the question names the record: most words of one of its text cells ('השלמת השלד')."""
    asked = _words(query)
    for _, value in cells(row):
        content = [t for t in tokenize(value) if len(t) > 2 and not _stop(t) and not re.search(r"\d", t)]
        if content and sum(bool(_forms(t) & asked) for t in content) * 2 >= len(content) + 1:
            return True
    return False


def _rates_together(query: str, quotes: list[Quote], library: Library) -> tuple[Calculation, list[Quote]] | None:
    """Several clauses' percentages of the question's amount, added up ('תמלוגים וקרן פרסום יחד').

    A second rate the question names beside the quoted one is looked for in its document.
    """
    rated = [q for q in quotes if _fee_rate(q.text)][:1]
    if len(rated) == 1:
        rest = " ".join(t for t in tokenize(query) if not _forms(t) & _words(rated[0].text))
        other = _best_unit(
            library,
            rated[0],
            rest,
            lambda t: _fee_rate(t) and not _is_record(t),
            not_text=rated[0].text,
        )
        if other is not None:
            rated.append(other)
    if len(rated) < 2:
        return None
    calc = rates_together(query, [q.text for q in rated])
    return (calc, rated) if calc is not None else None


_OF_IT = re.compile(r"%\s*(?:ממנה|ממנו|מהם|מהן|of it|thereof)(?![\u05d0-\u05ea])", re.IGNORECASE)
# What 'ממנה' points back to: the noun a payment is added to or taken from ('תתווסף ליתרה', 'ינוכה מהסכום').
_REFERENT = re.compile(
    r"(?:יתווסף|תתווסף|יתווספו|תיווסף|יווסף|ינוכה|תנוכה|ינוכו|יופחת|תופחת)\s+(?:ל|מ)ה?([\u05d0-\u05ea]{3,})"
)


def _names_referent(rule_text: str, base_text: str) -> bool:
    """Whether `base_text` can be what a rule's '% ממנה' is of: the rule says no 'of it', or the base names it."""
    if not _OF_IT.search(rule_text):
        return True
    referent = _REFERENT.search(rule_text)
    return referent is not None and bool(_forms(referent.group(1)) & _words(base_text))


# '4% לעומת הסכום הנקוב בסעיף 3.1', '5% מהתמורה שבסעיף 2.1': the rule names its base by the clause that states it.
_BASE_CLAUSE = re.compile(
    r"\d\s?%[^.;%]{0,40}?(?:סכום|סך|תמורה|תמורת|דמי|מחיר|לעומת)[^.;%]{0,30}?(?<![\u05d0-\u05ea])[בלמש]?סעיף\s+"
    r"(\d{1,3}(?:\.\d{1,3})+)(?![\d.]*\d)"
)


def _base_for(library: Library, rule: Quote, query: str, quotes: Sequence[Quote]) -> Quote | None:
    """The amount a percentage rule applies to.

    The clause the rule names as its base ('ב-4% לעומת הסכום הנקוב בסעיף 3.1') when that clause of the same
    document states one amount; else the unit with one amount that best covers what the question asks
    beyond the rule's own words ('דמי השכירות החודשיים' beside 'ריבית פיגורים … 0.5% לשבוע').
    """
    if (ref := _BASE_CLAUSE.search(rule.text)) is not None:
        named_clause = _clause_of(library, rule.hit.document_id, ref.group(1))
        if named_clause is not None and named_clause.text != rule.text and len(money(named_clause.text)) == 1:
            return named_clause
    rest = " ".join(t for t in tokenize(query) if not _forms(t) & _words(rule.text))
    if _OF_IT.search(rule.text):
        # '15% ממנה': of the thing the rule named before ('תתווסף ליתרה … 15% ממנה'); only an amount that is
        # that thing is the base, and when the rule names it by no word, no amount is.
        referent = _REFERENT.search(rule.text)
        if referent is None:
            return None
        quotes = [q for q in quotes if _forms(referent.group(1)) & _words(q.text)]
        named_only = _forms(referent.group(1))
        pool = [
            (q.text, q.section, q.hit) for q in quotes if q is not rule and q.hit.document_id == rule.hit.document_id
        ]
        for hit in library.chunks:
            if hit.document_id == rule.hit.document_id:
                pool += [(u.text, relabel(hit.section, u.clause), hit) for u in clause_units(hit.text)]
        said = [(t, sec, h) for t, sec, h in pool if t != rule.text and len(money(t)) == 1 and named_only & _words(t)]
        return Quote(said[0][0], said[0][1], said[0][2]) if len(said) == 1 else None
    of = re.search(r"%\s*מ-?([\u05d0-\u05ea]+(?:\s+[\u05d0-\u05ea\"]+)?)", rule.text)
    if of:  # '10% מדמי המנוי': the rule names its base
        rest += f" {of.group(1)}"
    terms = _terms(rest, library.idf)
    # The base the rule names ('5% משכר החוזה') is the amount of the clause that states it, above all the one
    # that defines it ('…₪8,400,000 … (להלן: "שכר החוזה")'), not another amount the question's words fit.
    named = _terms(of.group(1), library.idf) if of else None
    defines = re.compile(r'להלן:?\s*["״]' + re.escape(of.group(1).strip('"')) + r'["״]') if of else None
    best: tuple[float, Quote] | None = None
    # A contract's percentage is of an amount of the same contract, never of another contract's quoted beside it.
    pool = [(q.text, q.section, q.hit) for q in quotes if q is not rule and q.hit.document_id == rule.hit.document_id]
    for hit in library.chunks:
        if hit.document_id == rule.hit.document_id:
            pool += [(u.text, relabel(hit.section, u.clause), hit) for u in clause_units(hit.text)]
    for text, section, hit in pool:
        if text == rule.text or len(money(text)) != 1:
            continue
        if money(text)[0] in floor_or_cap(text):
            continue  # '0.5% מהתמורה, ולא יותר מ-₪5,000': a limit on a share of the base is not the base
        if band_holds_count(query, text) is False:
            continue  # 'יש לנו 30 אתרים': the row of 'עד 5 אתרים' is another band's amount
        if named is not None and named.forms and named.missing(_words(text)) > 0.34:
            # '3% מהסכום המאושר' is of no amount that does not say what it is of: an insurance sum ('בסכום של
            # ₪1,500,000') says 'סכום' but not 'המאושר'. Such a rule is quoted as it is, not computed.
            continue
        score = terms.cover(_words(text), _words(section)) - 0.0003 * len(text)
        if named is not None and defines is not None:
            score = 0.3 * score + 0.7 * named.cover(_words(text)) + (0.5 if defines.search(text) else 0.0)
        if best is None or score > best[0]:
            best = (score, Quote(text, section, hit))
    return best[1] if best is not None and best[0] > 0.2 else None


_DATE = re.compile(
    r"\d{1,2}[./]\d{1,2}[./]\d{2,4}|\d{1,2}\s+ב(?:ינואר|פברואר|מרץ|מרס|אפריל|מאי|יוני|יולי|אוגוסט|ספטמבר|אוקטובר"
    r"|נובמבר|דצמבר)"
)
_MOST_Q = re.compile(
    r"\bthe most\b|\bat most\b|\bmaximum (?:amount|total)\b|לכל היותר|הסכום המרבי|הסכום המקסימלי", re.I
)
_CAP_TEXT = re.compile(r"לא\s+(?:יעלה|יעלו|תעלה)\s+על|לא\s+יותר\s+מ|עד\s+לסך|תקרה|מוגבלת|מוגבל")
# 'מה תקרת האחריות', 'the liability cap': the limit is asked, which a clause says as 'לא תעלה על' or 'תקרה'.
_CAP_Q = re.compile(
    r"(?<![\u05d0-\u05ea])ו?(?:ה|ב)?תקר(?:ה|ת)(?![\u05d0-\u05ea])|\b(?:cap|ceiling)\b|limit(?:ation)? of liability"
    r"|liability limit",
    re.IGNORECASE,
)
_DATE_Q = re.compile(r"באיזה תאריך|מה התאריך|מהו התאריך|(?:what|which|on what) date", re.IGNORECASE)
# A part of a question asked 'by when': its clause states the date (a single question may ask a date derived from
# a period before an event, which a clause with no date of its own gives — see derive.asks_deadline).
_BY_WHEN_Q = re.compile(r"by when|by what date|until what date|עד איזה תאריך", re.IGNORECASE)
_PERCENT_Q = re.compile(
    r"באיזה שיעור|מה השיעור|מהו השיעור|כמה אחוז|איזה אחוז|באיזה אחוז|(?<![\u05d0-\u05ea])(?:מה|מהו)\s+(?:ה)?אחוז"
    r"|what percentage|what percent|what (?:share|portion|fraction) of",
    re.IGNORECASE,
)
_LASTS = re.compile(_SHAPE["time"].pattern + r"|כל עוד|במשך|עד (?:יום|תום|מועד|סיום)|מתום|until|as long as")
_DURATION_Q = re.compile(
    r"כמה זמן|לכמה זמן|כמה ימים|כמה חודשים|כמה שנים|how long|how many (?:days|months|years)|how much (?:notice|time)",
    re.I,
)


_WHEN_Q = re.compile(r"(?:^|(?<=\s))ו?(?:מה|מהו)\s+(?:ה)?מועד(?![\u05d0-\u05ea])")
_WHEN = re.compile(_DATE.pattern + "|" + _SHAPE["time"].pattern)


def _expected(question: str) -> re.Pattern[str] | _Test | None:
    """The kind of figure the question asks for, when its question word says: a date, a percentage, a duration."""
    if _DATE_Q.search(question):
        return _DATE
    if _PERCENT_Q.search(question):
        return re.compile(r"\d%|\d\s?%|\d\s?אחוז")
    if _DURATION_Q.search(question):
        return _LASTS  # a number of days or years, or for as long as something lasts
    if _QUANTITY_Q.search(question):
        return _A_NUMBER  # 'מה הכמות המינימלית' is answered by a number ('500 יחידות לפחות'), not by a rule about it
    if _COSTS_ANYTHING.search(question):
        return _PRICE_OR_FREE  # 'זה עולה כסף?' is answered by the amount, or by the clause that says it is free
    return None


# 'זה עולה כסף?', 'המכתב בתשלום?', 'is it free?': whether it costs is asked — a yes-or-no that the clause with the
# amount answers ('מכתב קצר … 250 ₪'), or the one that says there is none ('ללא תשלום'); not the clause that only
# names the thing ('מכתב … נכתב רק לבקשת המטופל').
_COSTS_ANYTHING = re.compile(
    r"(?<![\u05d0-\u05ea])(?:עולה|עולים|עולות|יעלה|תעלה|יעלו)\s+(?:לי\s+|לנו\s+)?(?:כסף|משהו)(?![\u05d0-\u05ea])"
    r"|(?<![\u05d0-\u05ea])(?:זה|הוא|היא|זאת)\s+(?:ב)?(?:תשלום|חינם)(?![\u05d0-\u05ea])"
    r"|\b(?:cost|costs) (?:money|anything|extra)\b|\bis (?:it|this|that) free\b|\bis there a (?:fee|charge)\b",
    re.IGNORECASE,
)
_FREE_SAID = re.compile(
    r"ללא\s+(?:תשלום|עלות|חיוב|תוספת)|(?<![\u05d0-\u05ea])ב?חינם|כלול(?:ה|ים|ות)?\s+במחיר|free of charge",
    re.IGNORECASE,
)
_PRICE_OR_FREE = _Test(lambda t: bool(_SHAPE["money"].search(t) or _FREE_SAID.search(t)))


# 'מה הכמות', 'מהו מספר החברים', 'what is the minimum quantity': a number is asked.
_QUANTITY_Q = re.compile(
    r"(?<![\u05d0-\u05ea])(?:מה|מהי|מהו)\s+(?:ה)?(?:כמות|מספר)(?![\u05d0-\u05ea])"
    r"|what is the (?:minimum |maximum )?(?:quantity|number)",
    re.IGNORECASE,
)
_NUMBER_SAID = re.compile(
    r"\d|(?<![\u05d0-\u05ea])[בלמו]?(?:אחד|אחת|שניים|שתיים|שני|שתי|שלוש|שלושה|ארבע|ארבעה|חמש|חמישה|שש|שישה|שבע|שבעה"
    r"|שמונה|תשע|תשעה|עשר|עשרה|עשרים|מאה|אלף)(?![\u05d0-\u05ea])"
)
# A number the unit states, its own clause number ('3.1 …') left out.
_A_NUMBER = _Test(lambda t: bool(_NUMBER_SAID.search(_NUMBER.sub("", t, count=1))))


def _only_named(question: str, documents: Mapping[str, str], *, definite: bool = True) -> list[str]:
    """The one document the question asks within ('בהסכם הסודיות', 'לפי הסכם השכירות', 'in the NDA'), if one.

    Naming a kind of document is not asking within it: 'כמה עולה עריכת הסכם סודיות?' asks the fee list.
    """
    within = set(_scoped(question, documents, definite=definite))
    # 'under the cloud services agreement': the words before 'agreement' name the document in Hebrew terms.
    if m := re.search(
        r"\b(?:in|under|of|per)\s+the\s+((?:[a-z'-]+\s+){1,3}?)(?:agreement|contract)\b", question.lower()
    ):
        named = _named_documents(hebrew_terms(m.group(1)), documents)
        if len(named) == 1:
            within |= set(named)
    tokens = tokenize(question)
    for i in range(2, len(tokens)):  # 'in the NDA', 'under the lease'
        if tokens[i - 1] == "the" and tokens[i - 2] in ("in", "under") and tokens[i] in ("nda",):
            within |= {d for d in _named_documents(tokens[i], documents)}
    return sorted(within) if len(within) == 1 else []


@lru_cache(maxsize=8192)
def _unit_pairs(text: str) -> frozenset[tuple[str, str]]:
    """The unit's adjacent word pairs, each word by its exact forms' keys."""
    toks = [t for t in tokenize(text) if not _stop(t)]
    keys = [frozenset(f for f in _forms(t) if f[0] not in "~≈") for t in toks]
    return frozenset((a, b) for ka, kb in itertools.pairwise(keys) for a in ka for b in kb)


def _phrase_bonus(tokens: Sequence[str], text: str) -> float:
    """A little for each two-word term of the question the unit says as one ('שכירות משנה', 'ריבית פיגורים')."""
    content = [t for t in tokens if not _stop(t)]
    if len(content) < 2:
        return 0.0
    pairs = _unit_pairs(text)
    found = 0
    for a, b in itertools.pairwise(content):
        fa = [f for f in _forms(a) if f[0] not in "~≈"]
        fb = [f for f in _forms(b) if f[0] not in "~≈"]
        if any((x, y) in pairs for x in fa for y in fb):
            found += 1
    return min(0.1, 0.05 * found)


_ACTORS: dict[int, frozenset[str]] = {}


def _first_word(text: str) -> str | None:
    """The clause's first word after its number: in a contract, the party that acts ('השוכרת תשלם')."""
    for tok in tokenize(text):
        if re.fullmatch(r"[\d.()]+", tok):
            continue
        return tok
    return None


def _actors(library: Library) -> frozenset[str]:
    """The parties that act in the archive's clauses: definite nouns that open at least two numbered clauses."""
    key = hash(tuple((h.chunk_id, h.document_id, len(h.text)) for h in library.chunks))
    if key not in _ACTORS:
        counts: dict[str, int] = {}
        for hit in library.chunks:
            for unit in clause_units(hit.text):
                # A party is a definite noun that opens clauses ('השוכרת תשלם', 'המשרד ישמור').
                if unit.clause and (w := _first_word(unit.text)) and w.startswith("ה") and not _stop(w):
                    counts[w] = counts.get(w, 0) + 1
        _ACTORS.clear()
        _ACTORS[key] = frozenset(w for w, n in counts.items() if n >= 2)
    return _ACTORS[key]


def _asked_actor(question: str, library: Library) -> tuple[frozenset[str], frozenset[str]] | None:
    """The one party the question asks about ('האם השוכרת רשאית…'), and the archive's parties; None if not one."""
    actors = _actors(library)
    if not actors:
        return None
    named = {a for a in actors for t in tokenize(question) if a == t or _key(a) == _key(t)}
    return (frozenset(named), actors) if len(named) == 1 else None


def _actor_bonus(text: str, asked: frozenset[str], actors: frozenset[str]) -> float:
    """A clause whose acting party is the one asked about gains a little; one where another party acts loses."""
    first = _first_word(text)
    if first is None or first not in actors:
        return 0.0
    return 0.04 if first in asked else -0.08


def _pair_sides(options: list[list[_Candidate]], doc_words: AbstractSet[str]) -> list[_Candidate]:
    """One clause per compared document, chosen together.

    Each side's own score counts, and a little for the two saying the same kind of thing (their words and
    headings shared, the documents' names left out).

    'איזה בית משפט מוסמך לפי X ואיזה לפי Y' pairs X's jurisdiction clause with Y's, not with a clause of Y
    that mentions a court in passing.
    """
    present = [o for o in options if o]
    if len(present) < 2:
        return [o[0] for o in present]
    a_opts, b_opts = present[0], present[1]

    def topic(c: _Candidate) -> frozenset[str]:
        words = _words(c.unit.text) | _words(c.unit.context) | _words(c.hit.section.split(" › ")[-1])
        return frozenset(w for w in words if w[0] not in "~≈" and w not in doc_words and not _stop(w))

    def figure(c: _Candidate) -> frozenset[str]:
        text = c.unit.text
        kinds = {
            k
            for k, shape in (("money", _FIGURE_MONEY), ("time", _SHAPE["time"]), ("%", _FIGURE_RATE))
            if shape.search(text)
        }
        return frozenset(kinds)

    best: tuple[float, _Candidate, _Candidate] | None = None
    for a in a_opts:
        ta, fa = topic(a), figure(a)
        for b in b_opts:
            tb, fb = topic(b), figure(b)
            shared = len(ta & tb) / max(1, min(len(ta), len(tb)))
            # Two sides compared state the same kind of figure: a rate beside a rate, not beside a clause with none.
            same = 0.1 if fa & fb else (-0.1 if bool(fa) != bool(fb) else 0.0)
            total = a.score + b.score + 0.3 * shared + same
            if best is None or total > best[0]:
                best = (total, a, b)
    assert best is not None
    return [best[1], best[2]]


_FIGURE_MONEY = re.compile(r"₪|ש\"ח|שקל")
_FIGURE_RATE = re.compile(r"\d\s?%")
_NAMING = re.compile(r"((?<![\u05d0-\u05ea])[ולבמש]?ה?(?:הסכם|חוזה|מסמך)|\bthe)\s+[^\s?,.]+")


def _unnamed(question: str) -> str:
    """The question without the words that name a document ('לפי הסכם הסודיות' → 'לפי הסכם')."""
    return _NAMING.sub(r"\1", question)
