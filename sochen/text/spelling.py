"""Misspelt Hebrew words put right against a vocabulary: the words a tenant's own documents use.

A customer writes ``אבנייה`` for ``אבנית`` or ``הלבנא`` for ``הלבנה``; the documents never use the
misspelt form, so a lexical match misses the one word that names what is asked. :func:`correct`
rewrites such a word as the document word it is closest to, and only when:

- the word (and every stem of it after the prefix letters ו ה ב כ ל מ ש) is not in the vocabulary;
- its stem is at least four letters long (shorter words are too often another real word);
- the vocabulary word is at most two edits away (insert, delete, substitute, swap two neighbours) and
  both share a *loose key* of three letters or more (:func:`loose_key`): the misspellings Hebrew
  writers make are vowel letters (``שינים``), final ה/ת/א (``אבנייה``/``אבנית``) and letters that
  sound alike (ט/ת, ס/ש, כ/ק, א/ה/ע) — a wholly other consonant makes another word (``לחנות`` is not
  ``לפנות``);
- one vocabulary word is the clear best: the fewest edits, then the most frequent; a tie is left alone.

- the corrected word stands next to a word of the question as the two stand together in the documents
  (``ניקוי אבנייה`` → ``ניקוי אבנית``, a phrase of the price list); a word that is merely absent from the
  documents (``מטפלת``, ``מאוחר``) is another word, not a misspelling.

A verb in the first or second person (``הגעתי``, ``ביטלנו``) is never put right: what is misspelt and
matters is the name of a thing, and such verbs are absent from documents only because documents do not
speak in the asker's person. The prefix the customer wrote is kept (``לניקוי אבנייה`` → ``לניקוי
אבנית``). Nothing is corrected in a word the caller says to keep (a stop word, a filler): ``skip`` decides.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable, Mapping
from collections.abc import Set as AbstractSet

from .hebrew import stems

__all__ = ["correct", "edit_distance", "loose_key", "pairs_of"]

_WORD = re.compile(r"[\u05d0-\u05ea]+")
_FINALS = str.maketrans("ךםןףץ", "כמנפצ")
_MIN_STEM = 4
_VERB_ENDINGS = ("תי", "נו", "תם", "תן")  # 'הגעתי', 'ביטלנו': a verb in the asker's person, not a name
_ALIKE = str.maketrans("העטשק", "אאתסכ")


def loose_key(word: str) -> str:
    """The word as it sounds, loosely ('אבנייה', 'אבנית' → 'אבנ'; 'שינים', 'שיניים' → 'שנמ').

    Inner ו/י dropped, final letters as medial ones, letters that sound alike as one (א/ה/ע, ט/ת, ס/ש,
    כ/ק), and a final ה/ת/א dropped.
    """
    if not word:
        return word
    body = (word[0] + "".join(c for c in word[1:] if c not in "וי")).translate(_FINALS).translate(_ALIKE)
    if len(body) > 3 and body[-1] in "את":
        body = body[:-1]
    return body


def edit_distance(a: str, b: str, limit: int = 2) -> int:
    """Optimal-string-alignment distance between `a` and `b`, or ``limit + 1`` when it exceeds `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[-1] if prev[-1] <= limit else limit + 1


def _splits(word: str) -> list[tuple[str, str]]:
    """(prefix, stem) pairs: the word itself and every stem the prefix grammar allows."""
    return [("", word), *((word[: len(word) - len(s)], s) for s in stems(word))]


_BY_KEY: dict[int, tuple[Mapping[str, int], dict[str, list[tuple[str, int]]]]] = {}
_BY_KEY_LOCK = threading.Lock()


def _by_loose_key(vocabulary: Mapping[str, int]) -> dict[str, list[tuple[str, int]]]:
    """The vocabulary's words (of a correctable length) by their loose key, built once per vocabulary object.

    A correction must share the misspelt word's loose key, so only those words are measured: the distance
    to every word of the documents cost ~7 ms a question on a small clinic's vocabulary.
    """
    with _BY_KEY_LOCK:
        held = _BY_KEY.get(id(vocabulary))
        if held is not None and held[0] is vocabulary:
            return held[1]
    index: dict[str, list[tuple[str, int]]] = {}
    for word, count in vocabulary.items():
        if len(word) >= _MIN_STEM:
            index.setdefault(loose_key(word), []).append((word, count))
    with _BY_KEY_LOCK:
        if len(_BY_KEY) >= 32:  # bounded: the vocabularies of the tenants in use
            _BY_KEY.pop(next(iter(_BY_KEY)))
        _BY_KEY[id(vocabulary)] = (vocabulary, index)  # the object is held, so its id is not reused
    return index


def _closest(stem: str, vocabulary: Mapping[str, int]) -> str | None:
    key = loose_key(stem)
    best: list[tuple[int, int, str]] = []
    if len(key) < 3:
        return None
    for word, count in _by_loose_key(vocabulary).get(key, ()):
        if abs(len(word) - len(stem)) > 2:
            continue
        d = edit_distance(stem, word)
        if d <= 2:
            best.append((d, -count, word))
    if not best:
        return None
    best.sort()
    if len(best) > 1 and best[0][:2] == best[1][:2]:
        return None  # two words equally close: not ours to choose
    return best[0][2]


def pairs_of(words: Iterable[str]) -> set[tuple[str, str]]:
    """Neighbouring Hebrew words of a text, each also by its stems: the phrases a correction must make."""
    out: set[tuple[str, str]] = set()
    prev: tuple[str, ...] = ()
    for word in words:
        if not _WORD.fullmatch(word):
            prev = ()
            continue
        forms = (word, *stems(word))
        out.update((p, f) for p in prev for f in forms)
        prev = forms
    return out


def correct(
    text: str,
    vocabulary: Mapping[str, int],
    pairs: AbstractSet[tuple[str, str]],
    *,
    skip: Callable[[str], bool] = lambda w: False,
) -> str:
    """`text` with its misspelt Hebrew words replaced by the vocabulary's words (see the module docstring).

    `vocabulary` maps normalised document words to how often they occur; `pairs` are the documents'
    neighbouring words (:func:`pairs_of`). A word is put right only where the result stands next to a
    neighbour of the question as it does in the documents ('ניקוי אבנייה' → 'ניקוי אבנית'): a correct
    word the documents happen not to use ('מטפלת', 'מאוחר') is left as written.
    """
    words = [m for m in _WORD.finditer(text)]
    fixes: dict[int, str] = {}
    for i, m in enumerate(words):
        word = m.group(0)
        splits = _splits(word)
        if skip(word) or word.endswith(_VERB_ENDINGS) or any(s in vocabulary for _, s in splits):
            continue
        near = [words[j].group(0) for j in (i - 1, i + 1) if 0 <= j < len(words)]
        for prefix, stem in splits:
            if len(stem) < _MIN_STEM:
                continue
            found = _closest(stem, vocabulary)
            if found is None:
                continue
            before = {f for w in near[:1] if i > 0 for f in (w, *stems(w))}
            after = {f for w in near[-1:] if i + 1 < len(words) for f in (w, *stems(w))}
            if any((b, found) in pairs for b in before) or any((found, a) in pairs for a in after):
                fixes[m.start()] = prefix + found
                break
    if not fixes:
        return text
    out, pos = [], 0
    for m in words:
        if m.start() in fixes:
            out += [text[pos : m.start()], fixes[m.start()]]
            pos = m.end()
    return "".join([*out, text[pos:]])
