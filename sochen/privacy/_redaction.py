"""Reversible redaction: typed Hebrew placeholders in, originals back out, inside this process only."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import NoReturn

from ._detector import Finding, detect

__all__ = ["PLACEHOLDERS", "Redaction", "redact"]

PLACEHOLDERS: Mapping[str, str] = {
    "id_number": 'ת"ז',
    "phone": "טלפון",
    "email": 'דוא"ל',
    "credit_card": "כרטיס אשראי",
    "iban": "חשבון בנק",
    "bank_account": "חשבון בנק",
    "date_of_birth": "תאריך לידה",
    "health": "מידע רפואי",
    "name": "שם",
    "address": "כתובת",
}
_LABELS = sorted(set(PLACEHOLDERS.values()), key=len, reverse=True)


def _label_pattern(label: str) -> str:
    # A model may echo ״ (gershayim) for " and add spaces inside the brackets; both still restore.
    return re.escape(label).replace('"', '["\u05f4]').replace(r"\ ", r"\s+")


_PLACEHOLDER = re.compile(
    r"\[\s*(?P<label>" + "|".join(_label_pattern(lb) for lb in _LABELS) + r")(?:\s+(?P<n>\d+))?\s*\]"
)


def _key(label: str, n: int) -> str:
    return f"[{label}]" if n == 1 else f"[{label} {n}]"


@dataclass(frozen=True)
class Redaction:
    """Text with personal data replaced by typed placeholders (``[טלפון]``, ``[טלפון 2]``, ``[ת"ז]``).

    ``restore(other)`` puts the originals back into any text that carries the same placeholders
    (a model's answer, for example). The originals live only in this object: its repr leaves them
    out and it refuses to be pickled, so it cannot travel to a log, a queue or another process.
    """

    text: str
    findings: tuple[Finding, ...]
    _originals: Mapping[str, str] = field(repr=False, compare=False)

    @property
    def placeholders(self) -> tuple[str, ...]:
        """The placeholders used, in order of first appearance."""
        return tuple(self._originals)

    def restore(self, other_text: str) -> str:
        """`other_text` with each known placeholder replaced by the original it stands for."""
        if not self._originals:
            return other_text

        def put_back(m: re.Match[str]) -> str:
            label = m.group("label").replace("\u05f4", '"')
            label = " ".join(label.split())
            key = _key(label, int(m.group("n") or 1))
            return self._originals.get(key, m.group(0))

        return _PLACEHOLDER.sub(put_back, other_text)

    def __reduce__(self) -> NoReturn:
        raise TypeError("Redaction holds the original personal data and stays inside this process")


def redact(text: str, *, types: Iterable[str] | None = None) -> Redaction:
    """Replace the personal data found by :func:`sochen.privacy.scan` with typed placeholders.

    A value that repeats gets the same placeholder; a second, different value of the same kind is
    numbered (``[טלפון 2]``). `types` limits the redaction to some entity types.
    """
    wanted = None if types is None else frozenset(types)
    findings = tuple(f for f in detect(text) if wanted is None or f.type in wanted)
    originals: dict[str, str] = {}
    by_value: dict[tuple[str, str], str] = {}
    counts: dict[str, int] = {}
    parts: list[str] = []
    pos = 0
    for f in findings:
        label = PLACEHOLDERS[f.type]
        value = text[f.start : f.end]
        placeholder = by_value.get((label, value))
        if placeholder is None:
            counts[label] = counts.get(label, 0) + 1
            placeholder = _key(label, counts[label])
            by_value[(label, value)] = placeholder
            originals[placeholder] = value
        parts.append(text[pos : f.start])
        parts.append(placeholder)
        pos = f.end
    parts.append(text[pos:])
    return Redaction("".join(parts), findings, originals)
