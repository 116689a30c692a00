"""Building Zoho search criteria safely: ``(Field:equals:value)`` with escaped values."""

from __future__ import annotations

import re

__all__ = ["criteria_any", "criteria_equals", "escape_value"]

_FIELD = re.compile(r"^[A-Za-z][A-Za-z0-9_$]*$")


def escape_value(value: str) -> str:
    r"""Backslash-escape ``\\``, ``(``, ``)`` and ``,`` inside a criteria value (SDK sample, §2.3)."""
    return re.sub(r"([\\(),])", r"\\\1", value)


def criteria_equals(fields: dict[str, str]) -> str:
    """``(A:equals:x)`` or ``((A:equals:x) and (B:equals:y))``; field names must be API names."""
    if not fields:
        raise ValueError("criteria need at least one field")
    if len(fields) > 10:
        raise ValueError("Zoho accepts at most 10 criteria")
    parts = []
    for name, value in fields.items():
        if not _FIELD.match(name):
            raise ValueError(f"not a Zoho field API name: {name!r}")
        parts.append(f"({name}:equals:{escape_value(str(value))})")
    return parts[0] if len(parts) == 1 else "(" + " and ".join(parts) + ")"


def criteria_any(pairs: list[tuple[str, str]]) -> str:
    """``((A:equals:x) or (A:equals:y) or ...)``: any of the field/value pairs (at most 10)."""
    if not pairs:
        raise ValueError("criteria need at least one field")
    if len(pairs) > 10:
        raise ValueError("Zoho accepts at most 10 criteria")
    parts = []
    for name, value in pairs:
        if not _FIELD.match(name):
            raise ValueError(f"not a Zoho field API name: {name!r}")
        parts.append(f"({name}:equals:{escape_value(str(value))})")
    return parts[0] if len(parts) == 1 else "(" + " or ".join(parts) + ")"
