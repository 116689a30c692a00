"""How hard a request is, on a 0–1 scale, from cheap signals (no model call).

Hybrid tenants send requests scoring at or above ``policy.complexity_threshold`` (default 0.5) to
an API model and the rest to a local one. The score is the strongest *task* signal — the declared
task type, or Hebrew and English verbs that ask for analysis, comparison, drafting, reasoning or
finding contradictions (``השווה``, ``נתח``, ``נסח``, ``נמק``, ``מצא סתירות`` …) — plus a little for
each further such signal, the request's length, the number of questions or enumerated parts, and
the size of the retrieved context. Words with two meanings are matched in their unambiguous
forms only: the noun ``ניתוח`` (surgery, at a clinic) and ``כתוב`` (written) alone do not count.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..text import normalize

__all__ = ["TASK_WEIGHTS", "Complexity", "estimate_complexity"]

TASK_WEIGHTS: dict[str, float] = {
    "extract": 0.05,
    "classify": 0.05,
    "lookup": 0.1,
    "answer": 0.15,
    "summarise": 0.35,
    "summarize": 0.35,
    "explain": 0.35,
    "analyse": 0.7,
    "analyze": 0.7,
    "compare": 0.7,
    "draft": 0.7,
    "reason": 0.7,
}
"""Weights of declared task types; unknown types weigh nothing."""

_HE = "א-ת"


def _forms(*words: str) -> str:
    """A pattern for whole Hebrew words, allowing a leading ו (and)."""
    return rf"(?<![{_HE}])ו?(?:{'|'.join(words)})(?![{_HE}])"


# (signal name, weight, pattern on normalised text)
_SIGNALS: list[tuple[str, float, re.Pattern[str]]] = [
    (name, weight, re.compile(pattern, re.IGNORECASE))
    for name, weight, pattern in [
        (
            "compare",
            0.6,
            _forms(
                "השווה",
                "השוה",
                "תשוה",
                "השוו",
                "השווי",
                "תשווה",
                "תשוו",
                "תשווי",
                "להשוות",
                "נשווה",
                "השוואה",
                "השוואת",
                "ההשוואה",
            ),
        ),
        ("compare", 0.45, _forms("ההבדל", "ההבדלים", "לעומת")),
        ("analyse", 0.6, _forms("נתח", "נתחי", "נתחו", "תנתח", "תנתחי", "לנתח", "ננתח")),
        (
            "draft",
            0.6,
            _forms("נסח", "נסחי", "נסחו", "תנסח", "תנסחי", "תנסחו", "לנסח", "ננסח", "ניסוח", "טיוטה", "טיוטת"),
        ),
        (
            "draft",
            0.5,
            rf"{_forms('כתוב', 'כתבי', 'כתבו', 'תכתוב', 'תכתבי', 'לכתוב')}\s+(?:לי\s+|לנו\s+)?"
            r"(?:מכתב|הודעה|תשובה|מייל|סיכום|חוות|הסכם|תגובה|פנייה|בקשה|כתב|נוסח|פסקה|פוסט|תקנון|מדיניות|"
            r"נוהל|תוכנית|תכנית|מאמר|הצעה|מודעה|תסריט|סעיף|רשימה|מצגת|דוח|דו\"ח)",
        ),
        (
            "prepare",
            0.5,
            _forms("הכן", "הכיני", "תכין", "תכיני", "להכין", "בנה", "בני", "תבנה", "תבני", "לבנות", "צור", "תיצור")
            + r"\s+(?:לי\s+|לנו\s+)?(?:את\s+)?ה?(?:רשימה|רשימת|תוכנית|תכנית|מסמך|טיוטה|טיוטת|מצגת|סיכום|שאלות|דוח|"
            r"אסטרטגיה|תקציב|הצעה|מודל|תבנית|לוח|מתווה)",
        ),
        ("choose", 0.45, r"(?:איזה|איזו|איזהו|איזוהי)\s+(?:\S+\s+){0,5}?(?:עדיף|עדיפה|עדיפים|מתאים|מתאימה|מתאימים)"),
        ("strategy", 0.45, _forms("אסטרטגיה", "אסטרטגיית", "האסטרטגיה", "אסטרטגי", "אסטרטגית")),
        (
            "justify",
            0.6,
            _forms("נמק", "נמקי", "נמקו", "תנמק", "תנמקי", "לנמק", "נימוק", "נימוקים", "בנימוק"),
        ),
        ("contradictions", 0.6, _forms("סתירה", "סתירות", "הסתירות", "סותר", "סותרת", "סותרים", "סותרות")),
        ("opinion", 0.6, r"חוות\s+דעת|חוו\"ד"),
        ("pros_cons", 0.6, r"יתרונות\s+ו?ה?חסרונות"),
        (
            "evaluate",
            0.5,
            _forms("הערך", "העריכי", "תעריך", "תעריכי", "להעריך", "הערכת", "בחן", "בחני", "תבחן", "לבחון"),
        ),
        ("implications", 0.5, _forms("השלכות", "ההשלכות", "השלכה", "ישפיע", "משפיע", "ההשפעה", "השפעה")),
        ("risks", 0.5, _forms("סיכונים", "הסיכונים", "חשיפה", "החשיפה")),
        ("recommend", 0.45, _forms("המלץ", "המליצי", "תמליץ", "תמליצי", "להמליץ", "המלצה", "המלצתך")),
        ("summarise", 0.35, _forms("סכם", "סכמי", "סכמו", "תסכם", "תסכמי", "לסכם")),
        ("explain", 0.3, _forms("הסבר", "הסבירי", "תסביר", "תסבירי", "להסביר")),
        ("why", 0.15, _forms("למה", "מדוע")),
        (
            "analyse",
            0.6,
            r"\b(?:analy[sz]e|analysis|compare|comparison|draft|justify|contradict\w*|evaluate|"
            r"assess|pros and cons|implications|risks?)\b",
        ),
        ("recommend", 0.45, r"\brecommend\w*\b"),
        ("summarise", 0.35, r"\bsummari[sz]e\b"),
        ("explain", 0.3, r"\b(?:explain|why)\b"),
    ]
]
_ENUMERATED = re.compile(r"(?m)^\s*(?:\d+[.)]|[-•*])\s+\S")


@dataclass(frozen=True)
class Complexity:
    """A complexity score in [0, 1] and the signals behind it (for the ledger and debugging)."""

    score: float
    signals: tuple[str, ...]


def estimate_complexity(text: str, *, task: str | None = None, context_tokens: int = 0) -> Complexity:
    """Score `text` (see the module docstring)."""
    norm = normalize(text)
    found: dict[str, float] = {}
    for name, weight, pattern in _SIGNALS:
        if weight > found.get(name, 0.0) and pattern.search(norm):
            found[name] = weight
    signals = sorted(found, key=lambda n: -found[n])
    base = found[signals[0]] if signals else 0.0
    base += 0.1 * sum(1 for n in signals[1:] if found[n] >= 0.3)
    if task is not None:
        weight = TASK_WEIGHTS.get(task.lower(), 0.0)
        if weight > base:
            base = weight
        signals.insert(0, f"task:{task.lower()}")
    words = len(norm.split())
    length = min(0.25, max(0, words - 30) / 200)
    parts = max(norm.count("?"), len(_ENUMERATED.findall(norm)))
    many = min(0.2, 0.1 * max(0, parts - 1))
    context = 0.3 if context_tokens > 8000 else 0.2 if context_tokens > 4000 else 0.1 if context_tokens > 1500 else 0.0
    if length:
        signals.append(f"length:{words}w")
    if many:
        signals.append(f"parts:{parts}")
    if context:
        signals.append(f"context:{context_tokens}t")
    score = round(min(1.0, min(base, 0.8) + length + many + context), 3)
    return Complexity(score, tuple(signals))
