"""Words: health vocabulary, names and addresses, found on normalised tokens and their prefix-free stems."""

from __future__ import annotations

import re
from functools import lru_cache

from sochen.text import stems

from . import _patterns as P
from ._context import Cand, Context
from ._text import Normalized
from ._vocabulary import (
    FIRST_NAMES,
    FIRST_NAMES_AMBIGUOUS,
    HEALTH_NOT_AFTER,
    HEALTH_NOT_BEFORE,
    HEALTH_PHRASES,
    HEALTH_SURFACE_ONLY,
    HEALTH_WORDS,
    NAME_AS_WORD_BEFORE,
    NAMES_NEVER_AFTER_I,
    NAMES_ONLY_AFTER_A_CUE,
    NOT_NAMES,
    SURNAMES,
)

__all__ = ["Token", "addresses", "health", "names"]

Token = tuple[str, int, int]


@lru_cache(maxsize=65536)
def _forms(token: str) -> tuple[tuple[str, int], ...]:
    """The token and its prefix-free stems, each with the length of the prefix removed."""
    out = [(token, 0)]
    out.extend((s, len(token) - len(s)) for s in stems(token))
    # The article after a preposition (מהסוכרת → הסוכרת → סוכרת) is outside the stem grammar.
    out.extend((f[1:], p + 1) for f, p in list(out) if p and len(f) > 3 and f[0] == "ה")
    return tuple(dict.fromkeys(out))


def _form_set(token: str) -> set[str]:
    return {f for f, _ in _forms(token)}


_PHRASE_INDEX: dict[str, list[tuple[str, ...]]] = {}
for _phrase in sorted(HEALTH_PHRASES, key=len, reverse=True):
    _PHRASE_INDEX.setdefault(_phrase[0], []).append(_phrase[1:])


def _health_word(tok: str) -> tuple[str, int] | None:
    for form, plen in _forms(tok):
        if form in HEALTH_WORDS:
            if form in HEALTH_SURFACE_ONLY and tok[:plen].endswith("מ"):
                continue
            return form, plen
    return None


def _adjacent(text: str, end: int, start: int) -> bool:
    return all(c in " -" for c in text[end:start]) and start - end <= 2


def _priced(text: str, end: int) -> bool:
    """Whether a price follows at once (a price list names treatments, not a person's health)."""
    m = P.PRICE_AFTER.match(text, end)
    return m is not None


def health(text: str, tokens: list[Token], out: list[Cand]) -> None:
    i = 0
    n = len(tokens)
    while i < n:
        tok, s, e = tokens[i]
        matched = False
        for form, plen in _forms(tok):
            for rest in _PHRASE_INDEX.get(form, ()):
                j = i
                ok = i + len(rest) < n
                for w in rest if ok else ():
                    following = tokens[j + 1]
                    if not _adjacent(text, tokens[j][2], following[1]) or w not in _form_set(following[0]):
                        ok = False
                        break
                    j += 1
                if ok:
                    if not _priced(text, tokens[j][2]):
                        out.append(Cand("health", s + plen, tokens[j][2], 0.9, "vocabulary"))
                    i, matched = j, True
                    break
            if matched:
                break
        if not matched:
            hit = _health_word(tok)
            if hit is not None:
                form, plen = hit
                nxt = _form_set(tokens[i + 1][0]) if i + 1 < n else set()
                prev = _form_set(tokens[i - 1][0]) if i > 0 else set()
                if (
                    not (nxt & HEALTH_NOT_AFTER.get(form, frozenset()))
                    and not (prev & HEALTH_NOT_BEFORE.get(form, frozenset()))
                    and not _priced(text, e)
                ):
                    out.append(Cand("health", s + plen, e, 0.85, "vocabulary"))
        i += 1


def _name_form(tok: str, *, strict: bool) -> tuple[str, int] | None:
    """A first name in the token (possibly behind a prefix); ambiguous names only when not strict."""
    for form, plen in _forms(tok):
        if form in FIRST_NAMES and (not strict or form not in FIRST_NAMES_AMBIGUOUS):
            return form, plen
    return None


def _surname_ok(tok: str, *, loose: bool) -> bool:
    if tok in SURNAMES:
        return True
    if not loose or tok in NOT_NAMES or tok in HEALTH_WORDS or len(tok) < 2 or not tok[0].isalpha():
        return False
    return tok[0] not in "וש" and not tok.endswith(("תי", "נו")) and not tok.isascii()


# Particles that open a two-word surname: "בן חיים", "בר און", "אבו חצירא".
_SURNAME_PARTICLES = frozenset({"בן", "בר", "בת", "אבו", "אבן", "אל", "דה", "די", "ואן", "פון"})


def _extend_name(text: str, tokens: list[Token], i: int, *, loose: bool, to_comma: bool = False) -> int:
    """Index of the last token of the name that starts at token `i` (one or two more tokens).

    `to_comma` (after a strong cue such as שמי): a word that closes the clause ("שמי יפעת שמש, ...")
    belongs to the name even when it is also an everyday word.
    """
    j = i
    while j + 1 < len(tokens) and j - i < 2:
        nxt = tokens[j + 1]
        if not all(c in " -" for c in text[tokens[j][2] : nxt[1]]) or nxt[0] in _NAME_STOPS:
            break
        after = tokens[j + 2] if j + 2 < len(tokens) else None
        if (
            nxt[0] in _SURNAME_PARTICLES
            and after is not None
            and j - i < 1
            and all(c in " -" for c in text[nxt[2] : after[1]])
            and (_surname_ok(after[0], loose=True) or after[0] in SURNAMES)
        ):
            return j + 2
        if not _surname_ok(nxt[0], loose=loose):
            closes = text[nxt[2] : nxt[2] + 1] in ("", ",", ".", "!", "\n")
            if not (to_comma and closes and _plain_word(nxt[0])):
                break
        j += 1
    return j


# Words that end a name: "בין שמעון כהן לבין ...", "ד"ר שירה כץ מקבלת ...".
_NAME_STOPS = frozenset(
    {"בין", "לבין", "ובין", "עם", "של", "את", "מול", "מקבל", "מקבלת", "עובד", "עובדת", "היא", "הוא"}
)


def _plain_word(tok: str) -> bool:
    return len(tok) >= 2 and tok[0].isalpha() and not tok.isascii() and tok[0] != "ו" and tok not in HEALTH_WORDS


def _latin_name(norm: Normalized, tokens: list[Token], k: int) -> int | None:
    """Last token of a capitalised Latin name starting at token `k` (My name is Dana Cohen)."""
    end_k = None
    for j in range(k, min(k + 3, len(tokens))):
        tok, s, _ = tokens[j]
        if not tok.isalpha() or not tok.isascii() or not norm.original[norm.span(s, s + 1)[0]].isupper():
            break
        if j > k and not all(c == " " for c in norm.text[tokens[j - 1][2] : s]):
            break
        end_k = j
    return end_k


# A preposition just before a party's label: the label may be a word of a sentence ('עם המשכיר: קודם על…').
_IN_SENTENCE = re.compile(r"(?<![\u05d0-\u05ea])(?:עם|של|את|על|מול|אל|לגבי|בעניין|עבור|נגד|מצד|אצל)\s+$")


def _names_a_party(text: str, tokens: list[Token], k: int) -> bool:
    """Whether token `k`, after a label inside a sentence, opens a name rather than the rest of the sentence.

    'עם השוכר: גל שמעוני', 'של המטופלת: שקד ברקוביץ' name a party; 'עם המשכיר: קודם על…' goes on talking.
    A known first name (no prefix) is a name; otherwise two adjacent words that could both be name parts.
    """
    tok = tokens[k][0]
    if tok in NOT_NAMES or tok in HEALTH_WORDS:
        return False
    hit = _name_form(tok, strict=False)
    if hit is not None and hit[1] == 0:
        return True
    if k + 1 >= len(tokens) or tok[0] in "הו" or not _surname_ok(tok, loose=True):
        return False
    nxt, s, _ = tokens[k + 1]
    return _adjacent(text, tokens[k][2], s) and (nxt in SURNAMES or _surname_ok(nxt, loose=True))


def _word_here(tokens: list[Token], k: int, form: str) -> bool:
    """A first name that the next word makes an everyday word: 'דוד שמש' (a water heater), 'דוד שלי' (an uncle)."""
    return k + 1 < len(tokens) and tokens[k + 1][0] in NAME_AS_WORD_BEFORE.get(form, frozenset())


def names(norm: Normalized, tokens: list[Token], ctx: Context, out: list[Cand]) -> None:
    text = norm.text
    by_start = {s: k for k, (_, s, _) in enumerate(tokens)}
    used: set[int] = set()
    for m in P.NAME_CUES.finditer(text):
        k = by_start.get(m.end())
        if k is None:
            continue
        tok, s, _ = tokens[k]
        kind = m.lastgroup or ""
        cue = m.group(kind).strip()
        in_sentence = kind == "strong" and ":" in m.group(0) and _IN_SENTENCE.search(text[: m.start()])
        if in_sentence and not _names_a_party(text, tokens, k):
            continue  # 'חילוקי דעות עם המשכיר: קודם על…' — a colon inside a sentence, not a record's label
        if kind == "latin":
            latin_end = _latin_name(norm, tokens, k)
            if latin_end is not None:
                out.append(Cand("name", s, tokens[latin_end][2], 0.8, f"context:{cue}"))
                used.update(range(k, latin_end + 1))
            continue
        if kind in ("weak", "self"):
            # "אני קרן" is a name even though קרן is also a word; "אני בן 40" is not.
            hit = _name_form(tok, strict=kind == "weak")
            surname_next = (
                k + 1 < len(tokens) and tokens[k + 1][0] in SURNAMES and _adjacent(text, tokens[k][2], tokens[k + 1][1])
            )
            if hit is None and kind == "weak" and surname_next:
                hit = _name_form(tok, strict=False)  # 'עם דוד לוי', 'של חיים כהן': a known surname settles it
            if hit is None and kind == "self" and surname_next and _plain_word(tok) and tok not in NOT_NAMES:
                hit = (tok, 0)  # 'אני יוני כץ': a first name the lexicon lacks, before a known surname
            if hit is None or hit[1] or (kind == "self" and hit[0] in NAMES_NEVER_AFTER_I and not surname_next):
                continue
            if _word_here(tokens, k, hit[0]):
                continue  # 'של דוד השמש' is a water heater, 'עם דוד שלי' an uncle
            loose = False
        else:
            hit = _name_form(tok, strict=False)
            if hit is not None and hit[1]:  # a prefix glued to the name after a cue: not a name
                hit = None
            nxt = tokens[k + 1][0] if k + 1 < len(tokens) else ""
            if kind == "rel" and hit is None and nxt not in SURNAMES:
                continue
            bad = tok in NOT_NAMES or tok in HEALTH_WORDS or tok.isdigit() or tok.isascii() or len(tok) < 2
            if hit is None and (bad or tok[0] in "הו"):
                continue
            # After a title a bare surname is common (ד"ר לוינשטיין): extend only with known surnames.
            loose = kind == "strong" or hit is not None
        end_k = _extend_name(text, tokens, k, loose=loose, to_comma=kind == "strong")
        score = 0.75 if kind in ("weak", "self") else 0.85
        out.append(Cand("name", s, tokens[end_k][2], score, f"context:{cue}"))
        used.update(range(k, end_k + 1))
    # A name right before an ID or a phone cue: "ישראל ישראלי, ת"ז 123456782", "נתן גולדברג, טלפון 052-...".
    by_end = {e: k for k, (_, _, e) in enumerate(tokens)}
    for cue in ctx.cues:
        if cue.kind not in ("id", "phone"):
            continue
        gap = len(text[: cue.start]) - len(text[: cue.start].rstrip(" ,"))
        k = by_end.get(cue.start - gap)
        if k is None or k in used or not 0 < gap <= 3:
            continue
        last, first_k = tokens[k][0], k
        known = last in SURNAMES or _name_form(last, strict=False) is not None
        if not _surname_ok(last, loose=True) and not known:
            continue
        if k > 0 and k - 1 not in used and _adjacent(text, tokens[k - 1][2], tokens[k][1]):
            before = tokens[k - 1][0]
            if before in SURNAMES or (_name_form(before, strict=False) or ("", 1))[1] == 0:
                first_k, known = k - 1, True
        if first_k == k and last in _GREETINGS:
            continue  # 'שלום, ת"ז …' greets; 'יוסי שלום, ת"ז …' is a name
        if known:
            out.append(Cand("name", tokens[first_k][1], tokens[k][2], 0.8, f"context:{cue.text}"))
            used.update(range(first_k, k + 1))
    # A first name from the lexicon without a cue: weaker, and never an everyday word (see the lexicon).
    for k, (tok, s, _e) in enumerate(tokens):
        if k in used:
            continue
        hit = _name_form(tok, strict=True)
        if hit is None or tok[: hit[1]] not in ("", "ו"):
            continue  # לשאול, מינון, שלישי are not names
        surname_next = k + 1 < len(tokens) and tokens[k + 1][0] in SURNAMES
        if hit[0] in NAMES_ONLY_AFTER_A_CUE and not surname_next:
            continue  # 'יבוא איתי' (with me); 'איתי לוי ביקש' is a name
        if _word_here(tokens, k, hit[0]):
            continue  # 'דוד שמש' is a water heater, 'דוד שלי' an uncle
        end_k = _extend_name(text, tokens, k, loose=False)
        score = 0.75 if end_k > k else 0.55
        out.append(Cand("name", s + hit[1], tokens[end_k][2], score, "lexicon"))


# A greeting alone before an ID or phone cue opens the message; it is not the writer's name though 'שלום' is a surname.
_GREETINGS = frozenset({"שלום", "היי", "הי", "אהלן", "הלו", "ערב", "בוקר", "צהריים", "תודה"})


def _trim_address(text: str, start: int, end: int) -> int:
    """End of an address clause: the last digit or known city in it, else its first three words."""
    clause = text[start:end]
    last = max((m.end() for m in P.STREET_NUMBER_CITY.finditer(clause)), default=0)
    for m in P.HEBREW_TOKEN.finditer(clause):
        if m.group(0).isdigit():
            last = max(last, m.end())
    city = [m.end() for m in P.CITY_RE.finditer(clause)]
    if city:
        last = max(last, city[-1])
    if last:
        return start + last
    words = list(P.HEBREW_TOKEN.finditer(clause))[:3]
    return start + words[-1].end() if words else start


def addresses(text: str, out: list[Cand]) -> None:
    for m in P.STREET.finditer(text):
        out.append(Cand("address", m.start("addr"), m.end("addr"), 0.9, "context:street"))
    for m in P.STREET_NUMBER_CITY.finditer(text):
        out.append(Cand("address", m.start("addr"), m.end("addr"), 0.88, "city"))
    for m in P.PO_BOX.finditer(text):
        out.append(Cand("address", m.start(), m.end(), 0.8, "context:ת.ד"))
    for m in P.ZIP.finditer(text):
        out.append(Cand("address", m.start(), m.end(), 0.8, "context:מיקוד"))
    for m in P.ADDRESS_CUE.finditer(text):
        start = m.end()
        clause_end = start
        while clause_end < len(text) and clause_end - start < 60 and text[clause_end] not in ".;!?\n":
            clause_end += 1
        if m.group("live"):
            if text.startswith(("מרחק", "קרבת"), start):
                continue  # 'גר במרחק 8 ק"מ מהמרפאה': how far, not where
            # גר ב...: a street, a city, or the next one or two words.
            city = P.CITY_RE.match(text, start, clause_end)
            end = _trim_address(text, start, min(clause_end, start + 35))
            if city and end <= city.end():
                end = city.end()
            cue = m.group("live")
        else:
            following = text[start : start + 12]
            if following.startswith(("מייל", 'דוא"ל', "אימייל", "email", "אתר", "המייל", "ה-")):
                continue
            # "מה הכתובת של המרפאה?", "מה הכתובת שלכם?": asking for the business's address, not giving one.
            if following.startswith(("שלכם", "שלך", "של ", "המדויקת")) or (
                text[clause_end : clause_end + 1] == "?" and not any(c.isdigit() for c in text[start:clause_end])
            ):
                continue
            end = _trim_address(text, start, clause_end)
            cue = m.group("addr")
        if end > start:
            out.append(Cand("address", start, end, 0.9, f"context:{cue}"))
