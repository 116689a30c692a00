"""Phone numbers by Google's libphonenumber metadata (``phonenumbers``): one rule for the whole of Sochen.

The privacy detector asks :func:`phone_kind` what a phone-shaped run of digits is; the connectors
normalise with :func:`parse_phone` (``sochen.connectors.phone``). A number counts when
libphonenumber calls it *valid* for its country, with one leniency: libphonenumber lists Israeli
mobile and VoIP numbers by allocated sub-block (``050-1…``, ``052-1…``, ``072-6…``, ``076-4…``
are not in its table today), which lags the operators and number portability, so a number of the
05X (mobile) or 07X (VoIP) range with their length (9 digits after 972) counts.
``+972 6 123 4567`` (there is no 06 area) and 8-digit mobiles do not count.
"""

from __future__ import annotations

import re

import phonenumbers
from phonenumbers import PhoneNumberType

__all__ = ["parse_phone", "phone_kind"]

_SEPARATORS = re.compile(r"[\s\-\.\(\)/\u200e\u200f\u202a-\u202e]")
_KINDS = {
    PhoneNumberType.MOBILE: "mobile",
    PhoneNumberType.FIXED_LINE: "landline",
    PhoneNumberType.FIXED_LINE_OR_MOBILE: "landline",
    PhoneNumberType.VOIP: "voip",
    PhoneNumberType.UAN: "voip",
    PhoneNumberType.TOLL_FREE: "voip",
    PhoneNumberType.PREMIUM_RATE: "voip",
    PhoneNumberType.SHARED_COST: "voip",
    PhoneNumberType.PERSONAL_NUMBER: "mobile",
    PhoneNumberType.PAGER: "mobile",
    PhoneNumberType.VOICEMAIL: "voip",
}


def parse_phone(raw: str, default_country: str = "972") -> phonenumbers.PhoneNumber | None:
    """The number ``raw`` stands for, or None when it is not a number of its country.

    National numbers (leading 0) are of ``default_country``; ``00`` and a bare ``972…`` are read as
    international; ``+972 (0)50…`` loses its trunk zero.
    """
    text = _SEPARATORS.sub("", raw or "")
    if text.startswith("00"):
        text = "+" + text[2:]
    elif text.startswith(default_country) and len(text) > len(default_country) + 6:
        text = "+" + text  # 972501234567: the international form without its plus
    if text.startswith("+" + default_country + "0"):
        text = "+" + default_country + text[len(default_country) + 2 :]
    if not re.fullmatch(r"\+?\d{4,17}", text):
        return None
    region = phonenumbers.region_code_for_country_code(int(default_country))
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if phonenumbers.is_valid_number(number) or _israeli_block(number):
        return number
    return None


def phone_kind(raw: str) -> str | None:
    """``mobile``, ``landline`` or ``voip`` for a number that counts (see the module docstring), else None."""
    number = parse_phone(raw)
    if number is None:
        return None
    if _israeli_block(number):
        return "mobile" if str(number.national_number).startswith("5") else "voip"
    return _KINDS.get(phonenumbers.number_type(number), "landline")


def _israeli_block(number: phonenumbers.PhoneNumber) -> bool:
    national = str(number.national_number)
    return number.country_code == 972 and len(national) == 9 and national[0] in "57"
