"""Value matchers for slots and job parameters (the vocabulary is in :mod:`sochen.evals.schema`).

A plain value must be equal — strings after Hebrew normalisation (niqqud, quote marks, bidi marks,
spacing and case do not matter), numbers as numbers, mappings and lists recursively. The forms
``{e164: ...}``, ``{contains: ...}``, ``{matches: ...}`` and ``{any: true}`` are special.
"""

from __future__ import annotations

import json
import re
from typing import Any

from ..connectors.phone import InvalidPhoneNumber, normalize_phone
from ..text import normalize

__all__ = ["describe", "lookup", "match_value", "norm_text"]

_SPECIAL = ("e164", "contains", "matches", "any")
_MISSING = object()


def norm_text(text: str) -> str:
    """Text as compared: Hebrew-normalised, with whitespace collapsed."""
    return re.sub(r"\s+", " ", normalize(text)).strip()


def _is_special(expected: Any) -> bool:
    return isinstance(expected, dict) and len(expected) == 1 and next(iter(expected)) in _SPECIAL


def describe(expected: Any) -> str:
    """Short text for a matcher, used in failure messages."""
    if _is_special(expected):
        key, value = next(iter(expected.items()))
        return {
            "e164": f"phone {value}",
            "contains": f"contains {value!r}",
            "matches": f"matches /{value}/",
            "any": "any value",
        }[key]
    return json.dumps(expected, ensure_ascii=False) if not isinstance(expected, str) else repr(expected)


def _phone(value: Any) -> str | None:
    try:
        return normalize_phone(str(value))
    except InvalidPhoneNumber:
        return None


def match_value(expected: Any, actual: Any) -> bool:
    """Whether ``actual`` satisfies the matcher ``expected`` (``actual`` missing is never a match)."""
    if actual is _MISSING:
        return False
    if _is_special(expected):
        key, value = next(iter(expected.items()))
        if key == "any":
            return bool(value) == (actual not in (None, "", [], {}))
        if actual is None:
            return False
        if key == "e164":
            got, want = _phone(actual), _phone(value)
            return got is not None and got == want
        text = actual if isinstance(actual, str) else json.dumps(actual, ensure_ascii=False)
        if key == "contains":
            return norm_text(str(value)) in norm_text(text)
        return re.search(str(value), text) is not None or re.search(str(value), norm_text(text)) is not None
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(match_value(v, actual.get(k, _MISSING)) for k, v in expected.items())
    if isinstance(expected, list):
        return (
            isinstance(actual, list)
            and len(actual) == len(expected)
            and all(match_value(e, a) for e, a in zip(expected, actual, strict=True))
        )
    if isinstance(expected, bool) or isinstance(actual, bool):
        return expected is actual or (isinstance(actual, str) and actual.lower() == str(expected).lower())
    if isinstance(expected, int | float) and not isinstance(expected, bool):
        try:
            return float(actual) == float(expected)
        except (TypeError, ValueError):
            return False
    if expected is None:
        return actual is None
    return norm_text(str(expected)) == norm_text(str(actual))


def lookup(data: Any, dotted: str) -> Any:
    """``data[a][b]`` for ``"a.b"``; a sentinel (never matching) when absent."""
    node = data
    for part in dotted.split("."):
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return _MISSING
    return node


def is_missing(value: Any) -> bool:
    """Whether :func:`lookup` found nothing."""
    return value is _MISSING
