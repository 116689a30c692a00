"""Hebrew text for matching: normalisation, tokens, and prefix-aware stems.

Normalisation is for matching, never for display: it strips niqqud and cantillation, removes bidi
and zero-width controls, unifies geresh/gershayim with the ASCII apostrophe and quote, treats the
maqaf as a hyphen, and folds Latin letters to lower case. Final letters stay distinct.

Tokens keep Hebrew abbreviations whole (``ת"א``, ``עו"ד``, ``בע"מ``) and split everything else on
non-word characters. Hebrew attaches the function words ו ה ב כ ל מ ש (and chains such as ושב,
כש, לכש) to the next word; :func:`stems` returns the candidate stems of a token, each at least
:data:`MIN_STEM` letters long, so an index can store the surface form and its stems and let the
ranking sort it out (``בחוזה`` → ``חוזה``; ``משכורת`` keeps its surface form as well).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = [
    "CLOCK_NUMBERS",
    "HEBREW_LETTER",
    "MIN_STEM",
    "fix_visual_order",
    "has_hebrew",
    "is_visual_order",
    "normalize",
    "stems",
    "tokenize",
]

HEBREW_LETTER = "\u05d0-\u05ea"
CLOCK_NUMBERS: dict[str, int] = {
    "אחת": 1,
    "שתיים": 2,
    "שלוש": 3,
    "ארבע": 4,
    "חמש": 5,
    "שש": 6,
    "שבע": 7,
    "שמונה": 8,
    "תשע": 9,
    "עשר": 10,
    "אחת עשרה": 11,
    "אחת-עשרה": 11,
    "שתים עשרה": 12,
    "שתים-עשרה": 12,
    "שתיים עשרה": 12,
    "שתיים-עשרה": 12,
}
"""One to twelve as hours and hours' counts are said (the feminine numerals), with their spelling variants."""
MIN_STEM = 2

# Niqqud and cantillation (hebrew.md): U+0591–U+05BD, U+05BF, U+05C1–U+05C2, U+05C4–U+05C5, U+05C7.
_MARKS = "".join(chr(c) for c in (*range(0x0591, 0x05BE), 0x05BF, 0x05C1, 0x05C2, 0x05C4, 0x05C5, 0x05C7))
# Bidi controls and zero-width characters injected by copy-paste and PDFs.
_CONTROLS = "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200b\u200c\u200d\ufeff"
_TRANSLATE: dict[int, str | None] = {ord(c): None for c in _MARKS + _CONTROLS}
_TRANSLATE.update(
    {
        0x05F3: "'",  # geresh
        0x05F4: '"',  # gershayim
        0x05BE: "-",  # maqaf
        0x2019: "'",
        0x2018: "'",
        0x201C: '"',
        0x201D: '"',
        0x201E: '"',
        0x2013: "-",
        0x2014: "-",
        0x00A0: " ",
    }
)


def normalize(text: str) -> str:
    """Normalise text for matching (see the module docstring)."""
    text = unicodedata.normalize("NFC", text).translate(_TRANSLATE)
    return text.lower()


# A token: a Hebrew abbreviation with an inner quote (ת"א, עו"ד), a Hebrew word possibly ending in a
# geresh (צ'יפס, ג'), a Latin/digit word (allowing inner dots, commas and dashes in numbers), a number, or an
# Arabic or Russian word.
_TOKEN = re.compile(
    rf"[{HEBREW_LETTER}]+(?:[\"'][{HEBREW_LETTER}]+)+"  # abbreviations and words with inner geresh
    rf"|[{HEBREW_LETTER}]+'?"  # plain Hebrew word, optional trailing geresh
    r"|\d+(?:[.,:/]\d+)*"  # numbers: 1,200 · 4.2 · 08:00 · 22/11/2026
    r"|[a-z0-9_]+(?:[.\-'][a-z0-9_]+)*"  # Latin words
    r"|[\u0621-\u064a]+"  # Arabic words
    r"|[\u0430-\u044f\u0451]+"  # Russian words (lower-cased)
)


def tokenize(text: str) -> list[str]:
    """Normalised tokens of `text`."""
    return _TOKEN.findall(normalize(text))


# ו? (ש|כש|מש|לכש)? (ה|ב|ל|מ|כ)?  — the prefix chain, longest first.
_PREFIX = re.compile(r"^(ו?(?:לכש|כש|מש|ש)?(?:ה|ב|ל|מ|כ)?)")


@lru_cache(maxsize=200_000)
def stems(token: str) -> tuple[str, ...]:
    """Candidate stems of a normalised token (without the surface form itself)."""
    if not token or not ("\u05d0" <= token[0] <= "\u05ea") or '"' in token:
        return ()
    out: list[str] = []
    # Every split point allowed by the prefix grammar, e.g. 'ובבית' -> 'בבית', 'בית'.
    match = _PREFIX.match(token)
    chain = match.group(1) if match else ""
    for cut in range(1, len(chain) + 1):
        if _PREFIX.fullmatch(token[:cut]) and len(token) - cut >= MIN_STEM:
            out.append(token[cut:])
    # Definite article after ב/ל/כ is often elided in writing but sometimes written: 'בהסכם' -> 'הסכם' -> 'סכם'
    # is too aggressive, so we stop at the grammar above.
    return tuple(dict.fromkeys(out))


def has_hebrew(text: str) -> bool:
    """Whether `text` contains a Hebrew letter."""
    return re.search(f"[{HEBREW_LETTER}]", text) is not None


_FINALS = set("ךםןףץ")
_MEDIALS_OF_FINALS = set("כמנפצ")
# Whole Hebrew words of two letters or more; a word touching a quote or geresh is an abbreviation
# (עמ', סמנכ"ל) whose last letter may legitimately be a medial form, so it casts no vote.
_VOTING_WORD = re.compile(rf"(?<![{HEBREW_LETTER}'\"׳״])[{HEBREW_LETTER}]{{2,}}(?![{HEBREW_LETTER}'\"׳״])")
_HEBREW_MARK = re.compile("[\u0591-\u05bd\u05bf\u05c1\u05c2\u05c4\u05c5\u05c7]")


def is_visual_order(line: str, *, min_votes: int = 2) -> bool:
    """Whether a line's Hebrew words appear to be stored reversed (visual order).

    Final letters (ך ם ן ף ץ) belong at the end of a word and their medial forms (כ מ נ פ צ) never
    end one. Reversed words therefore start with a final letter or end with a medial form; logical
    words do the opposite. The line is visual when the reversed votes number at least `min_votes`
    and outnumber the logical votes more than twice. A line without such letters casts no vote, so
    ``is_visual_order(line)`` and ``is_visual_order(line[::-1])`` may both be false (undecided).
    """
    words = _VOTING_WORD.findall(_HEBREW_MARK.sub("", line))
    reversed_votes = sum((w[0] in _FINALS) + (w[-1] in _MEDIALS_OF_FINALS) for w in words)
    logical_votes = sum((w[-1] in _FINALS) + (w[0] in _MEDIALS_OF_FINALS) for w in words)
    return reversed_votes >= min_votes and reversed_votes > 2 * logical_votes


# Left-to-right material inside a visual line: Latin letters and digits, with the separators that
# keep a number or a Latin phrase together (4.2, 08:00, 01/03/2026, 5,000, e-mail, ABC Ltd).
_LTR = "0-9A-Za-z\u00c0-\u024f"
_LTR_TOKEN = re.compile(rf"[₪$€£%#]?[{_LTR}](?:[{_LTR}.,:/\-+_@'&]*[{_LTR}])?[₪$€£%#]?")
_LATIN = re.compile("[A-Za-z\u00c0-\u024f]")
_MIRROR = str.maketrans("()[]{}<>«»", ")(][}{><»«")


def fix_visual_order(line: str) -> str:
    """Reverse a visual-order line back to logical order, keeping numbers and Latin runs readable.

    The line is reversed by grapheme (a letter keeps its niqqud), then every left-to-right run is
    turned back: numbers with their separators and an adjacent currency or percent sign (``₪5,000``,
    ``7.2``, ``08:00``), and Latin phrases with the spaces and numbers that follow them (``ABC Ltd``,
    ``Model X 2000``). Brackets outside those runs are mirrored, as a right-to-left display would.
    """
    clusters: list[str] = []
    for ch in line:
        if clusters and unicodedata.category(ch) == "Mn":
            clusters[-1] += ch
        else:
            clusters.append(ch)
    rev = "".join(reversed(clusters))
    # Tokens separated only by spaces form a chain; its logical order is the reverse of `rev`'s. In
    # logical order a number after Latin text continues the Latin run (``X 2000``), a number after
    # Hebrew does not, and Latin words join each other (``ABC Ltd``): merge those into one run.
    chains: list[list[tuple[int, int]]] = []
    for m in _LTR_TOKEN.finditer(rev):
        if chains and not rev[chains[-1][-1][1] : m.start()].strip(" "):
            chains[-1].append((m.start(), m.end()))
        else:
            chains.append([(m.start(), m.end())])
    runs: list[tuple[int, int]] = []
    for chain in chains:
        after_latin = False
        joined = [False] * len(chain)
        for i in range(len(chain) - 1, -1, -1):  # logical order
            latin = _LATIN.search(rev[chain[i][0] : chain[i][1]]) is not None
            joined[i] = latin or after_latin
            after_latin = joined[i]
        for i, span in enumerate(chain):
            if i and joined[i] and joined[i - 1]:
                runs[-1] = (runs[-1][0], span[1])
            else:
                runs.append(span)
    out: list[str] = []
    pos = 0
    for start, end in runs:
        out.append(rev[pos:start].translate(_MIRROR))
        out.append(rev[start:end][::-1])
        pos = end
    out.append(rev[pos:].translate(_MIRROR))
    return "".join(out)
