"""Check digits of the identifiers the detector trusts: teudat zehut, Luhn, IBAN (``python-stdnum``).

Each function takes a string of digits (IBAN: letters and digits, spaces allowed) and returns
whether the identifier is valid. The algorithms are python-stdnum's (``stdnum.il.idnr``,
``stdnum.luhn``, ``stdnum.iban``); the IBAN check includes each country's registered length and
BBAN format, so a 15-character ``IL`` IBAN with a good mod-97 remainder is refused. They never
raise on malformed input; they return False.
"""

from __future__ import annotations

from stdnum import iban as _iban
from stdnum import luhn as _luhn
from stdnum.exceptions import ValidationError
from stdnum.il import idnr as _idnr

__all__ = ["iban_valid", "israeli_id_valid", "luhn_valid"]


def israeli_id_valid(digits: str) -> bool:
    """Teudat zehut check digit (hebrew.md): 1-9 ASCII digits, left-padded to 9; all zeros is not a person."""
    if not digits.isascii() or not digits.isdigit() or not 1 <= len(digits) <= 9:
        return False
    padded = digits.zfill(9)
    if padded == "000000000":
        return False
    try:
        _idnr.validate(padded)
    except ValidationError:
        return False
    return True


def luhn_valid(digits: str) -> bool:
    """Luhn (mod 10) check used by payment cards."""
    if not digits.isascii() or not digits.isdigit() or len(digits) < 2:
        return False
    return bool(_luhn.is_valid(digits))


def iban_valid(iban: str) -> bool:
    """ISO 13616: the country's length and BBAN format, and the mod-97 check digits."""
    s = iban.replace(" ", "").replace("-", "")
    if len(s) < 5 or not s.isascii() or not s.isalnum():
        return False
    try:
        _iban.validate(s)
    except ValidationError:
        return False
    return True
