"""Phone numbers to E.164, Israeli numbers first (``050-123-4567`` → ``+972501234567``).

The rule is Sochen's one phone rule, Google's libphonenumber metadata with a documented leniency
for Israeli mobile blocks (:mod:`sochen.privacy._phones`), so what the privacy guard calls a phone
and what a connector accepts agree.
"""

from __future__ import annotations

import re

import phonenumbers

from ..privacy import parse_phone

__all__ = ["InvalidPhoneNumber", "normalize_phone", "phone_variants", "wa_digits"]


class InvalidPhoneNumber(ValueError):
    """The text is not a phone number we can normalise."""


def _parse(raw: str, default_country: str) -> phonenumbers.PhoneNumber:
    number = parse_phone(raw, default_country)
    if number is None:
        compact = re.sub(r"[\s\-\.\(\)/\u200e\u200f\u202a-\u202e]", "", str(raw or ""))
        national = re.fullmatch(r"\d+", compact) is not None or compact.startswith(f"+{default_country}")
        where = "an Israeli" if default_country == "972" and national else "a"
        raise InvalidPhoneNumber(f"not {where} phone number: {raw!r}")
    return number


def normalize_phone(raw: str, *, default_country: str = "972") -> str:
    """E.164 form of ``raw``. National numbers (leading 0) are taken as Israeli by default.

    Accepts ``050-123-4567``, ``0501234567``, ``+972 50 123 4567``, ``972501234567``,
    ``00972501234567`` and ``+972 (0)50...``; raises :class:`InvalidPhoneNumber` for anything
    that is not a valid number of its country.
    """
    number = _parse(raw, default_country)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_variants(raw: str, *, default_country: str = "972") -> list[str]:
    """The ways people type this number into a CRM, E.164 first (at most 10, for Zoho's criteria limit).

    For ``+972501234567``: ``+972501234567``, ``050-123-4567``, ``0501234567``, ``050-1234567``,
    ``050 123 4567``, ``050 1234567``, ``+972 50-123-4567``, ``+972-50-123-4567``,
    ``+972 50 123 4567``, ``972501234567``: the form Sochen writes, the national forms staff type,
    and the international ones pasted from signatures and WhatsApp.
    """
    number = _parse(raw, default_country)
    fmt = phonenumbers.PhoneNumberFormat
    e164 = phonenumbers.format_number(number, fmt.E164)
    national = phonenumbers.format_number(number, fmt.NATIONAL)
    international = phonenumbers.format_number(number, fmt.INTERNATIONAL)
    digits = re.sub(r"\D", "", national)
    out = [e164, national, digits]
    if number.country_code == 972 and len(digits) in (9, 10):  # area (050, 03), then seven digits
        area, rest = digits[:-7], digits[-7:]
        out += [f"{area}-{rest}", national.replace("-", " "), f"{area} {rest}"]
    out += [international, international.replace(" ", "-"), international.replace("-", " "), e164[1:]]
    return list(dict.fromkeys(out))[:10]


def wa_digits(phone: str) -> str:
    """The digits-only form WhatsApp uses for ``to`` and ``wa_id`` (``+972501234567`` → ``972501234567``)."""
    return normalize_phone(phone)[1:]
