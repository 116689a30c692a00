"""Phone numbers to E.164, Israeli numbers first (``050-123-4567`` → ``+972501234567``)."""

from __future__ import annotations

import re

__all__ = ["InvalidPhoneNumber", "normalize_phone", "wa_digits"]

_SEPARATORS = re.compile(r"[\s\-\.\(\)/\u200e\u200f\u202a-\u202e]")


class InvalidPhoneNumber(ValueError):
    """The text is not a phone number we can normalise."""


def normalize_phone(raw: str, *, default_country: str = "972") -> str:
    """E.164 form of ``raw``. National numbers (leading 0) are taken as Israeli by default.

    Accepts ``050-123-4567``, ``0501234567``, ``+972 50 123 4567``, ``972501234567``,
    ``00972501234567`` and ``+972 (0)50...``; raises :class:`InvalidPhoneNumber` otherwise.
    """
    text = _SEPARATORS.sub("", raw or "")
    if text.startswith("+"):
        digits = text[1:]
    elif text.startswith("00"):
        digits = text[2:]
    elif text.startswith("0"):
        digits = default_country + text[1:]
    else:
        digits = text
    if not digits.isdigit():
        raise InvalidPhoneNumber(f"not a phone number: {raw!r}")
    if digits.startswith("9720"):  # "+972 (0)50 ..." written with the trunk zero
        digits = "972" + digits[4:]
    if digits.startswith("972"):
        national = digits[3:]
        # Israeli numbers: 8 digits for land lines (2,3,4,8,9 + 7 digits), 9 for mobiles (5x) and 7x.
        if not (len(national) in (8, 9) and national[0] in "23456789"):
            raise InvalidPhoneNumber(f"not an Israeli phone number: {raw!r}")
    elif not 8 <= len(digits) <= 15:
        raise InvalidPhoneNumber(f"not a phone number: {raw!r}")
    return "+" + digits


def wa_digits(phone: str) -> str:
    """The digits-only form WhatsApp uses for ``to`` and ``wa_id`` (``+972501234567`` → ``972501234567``)."""
    return normalize_phone(phone)[1:]
