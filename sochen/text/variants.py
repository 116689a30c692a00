"""Keys that join spellings of one word: Hebrew full/defective spelling, and Hebrew vs Latin letters.

Both are for matching only, and both are deliberately coarse: an index stores them as extra terms
next to the surface form and its stems, at a lower weight, and lets IDF sort out keys that many
words share. Neither key is ever shown to anyone.

:func:`spelling_key` — Hebrew writes vowels with the letters ו and י (and in loanwords א) in "full"
spelling and leaves them out in "defective" spelling (``איזור``/``אזור``, ``תוכנית``/``תכנית``);
verb patterns move the same letters (``הנחיתו``/``הונחתו``); adjectives add ``י``/``ית``
(``עירק``/``עיראקי``, ``אוטומטי``/``אוטומטית``). The key keeps the first letter, drops one
adjective ending (``ית``, ``י``, ``יים``, ``יות``), then drops every later ו, י and א, maps final
letters to their medial forms and collapses doubled letters. Keys of fewer than three letters are
not made: they would join too many unrelated words.

:func:`latin_key` and :func:`hebrew_sound_key` — a name written in Hebrew letters (``אנבידיה``,
``פרוטגו``, ``טרנדליינס``) and in Latin letters (``NVIDIA``, ``Protego``, ``Trendlines``) share
their consonants. Both functions write a word as a string of consonant classes (b/v/w · g/j ·
d · z · k/q/ח/כ/ק · t/ט/ת · l · m · n · s/ש/ס/צ · p/f · r) and drop vowels, vowel letters, h/ה
and א/ע. A key needs at least three consonants. The index links the two scripts only across
each other (a Hebrew query word looks for Latin document words and the other way round), so
two Hebrew words never match each other through this key.
"""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = ["MIN_KEY", "hebrew_sound_key", "latin_key", "spelling_key"]

MIN_KEY = 3

_HEBREW_WORD = re.compile(r"[\u05d0-\u05ea]+")
_FINAL_TO_MEDIAL = str.maketrans("ךםןףץ", "כמנפצ")
_ADJECTIVE_ENDINGS = ("יים", "יות", "ית", "י")
_VOWEL_LETTERS = set("ויא")


@lru_cache(maxsize=200_000)
def spelling_key(word: str) -> str | None:
    """The key shared by full and defective spellings of a Hebrew word, or None (see the module docstring)."""
    if not _HEBREW_WORD.fullmatch(word) or len(word) < MIN_KEY:
        return None
    word = word.translate(_FINAL_TO_MEDIAL)
    for ending in _ADJECTIVE_ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= MIN_KEY:
            word = word[: -len(ending)]
            break
    letters = [word[0]]
    for ch in word[1:]:
        if ch in _VOWEL_LETTERS or ch == letters[-1]:
            continue
        letters.append(ch)
    key = "".join(letters)
    return key if len(key) >= MIN_KEY else None


# Hebrew letter → consonant class ('' = a vowel letter or silent). Digraphs are handled first.
_HEBREW_CLASS = {
    "א": "",
    "ב": "b",
    "ג": "g",
    "ד": "d",
    "ה": "",
    "ו": "",
    "ז": "z",
    "ח": "k",
    "ט": "t",
    "י": "",
    "כ": "k",
    "ך": "k",
    "ל": "l",
    "מ": "m",
    "ם": "m",
    "נ": "n",
    "ן": "n",
    "ס": "s",
    "ע": "",
    "פ": "p",
    "ף": "p",
    "צ": "s",
    "ץ": "s",
    "ק": "k",
    "ר": "r",
    "ש": "s",
    "ת": "t",
}
_HEBREW_DIGRAPHS = {"וו": "b", "צ'": "k", "ץ'": "k", "ג'": "g", "ז'": "z", "ת'": "t"}
_LATIN_DIGRAPHS = {"sh": "s", "ch": "k", "kh": "k", "ck": "k", "ph": "p", "th": "t", "ts": "s", "tz": "s"}
_LATIN_CLASS = {
    "b": "b",
    "v": "b",
    "w": "b",
    "g": "g",
    "j": "g",
    "d": "d",
    "z": "z",
    "k": "k",
    "q": "k",
    "x": "ks",
    "t": "t",
    "l": "l",
    "m": "m",
    "n": "n",
    "s": "s",
    "p": "p",
    "f": "p",
    "r": "r",
}


def _collapse(classes: list[str]) -> str | None:
    out: list[str] = []
    for c in "".join(classes):
        if not out or out[-1] != c:
            out.append(c)
    key = "".join(out)
    return key if len(key) >= MIN_KEY else None


@lru_cache(maxsize=200_000)
def hebrew_sound_key(word: str) -> str | None:
    """Consonant classes of a Hebrew word (a name in Hebrew letters), or None (see the module docstring)."""
    if not re.fullmatch(r"[\u05d0-\u05ea']+", word) or '"' in word:
        return None
    classes: list[str] = []
    i = 0
    while i < len(word):
        pair = word[i : i + 2]
        if pair in _HEBREW_DIGRAPHS:
            classes.append(_HEBREW_DIGRAPHS[pair])
            i += 2
            continue
        classes.append(_HEBREW_CLASS.get(word[i], ""))
        i += 1
    return _collapse(classes)


@lru_cache(maxsize=200_000)
def latin_key(word: str) -> str | None:
    """Consonant classes of a lower-case Latin word, or None (see the module docstring)."""
    if not re.fullmatch(r"[a-z]+", word):
        return None
    classes: list[str] = []
    i = 0
    while i < len(word):
        pair = word[i : i + 2]
        if pair in _LATIN_DIGRAPHS:
            classes.append(_LATIN_DIGRAPHS[pair])
            i += 2
            continue
        ch = word[i]
        if ch == "c":
            classes.append("s" if word[i + 1 : i + 2] in ("e", "i", "y") else "k")
        else:
            classes.append(_LATIN_CLASS.get(ch, ""))
        i += 1
    return _collapse(classes)
