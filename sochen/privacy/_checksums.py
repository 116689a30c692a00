"""Check digits of the identifiers the detector trusts: teudat zehut, Luhn, IBAN mod-97.

Each function takes a string of digits (IBAN: letters and digits, no separators) and returns
whether the check digit holds. They never raise on malformed input; they return False.
"""

from __future__ import annotations

__all__ = ["iban_valid", "israeli_id_valid", "luhn_valid"]


def israeli_id_valid(digits: str) -> bool:
    """Teudat zehut check digit (hebrew.md): 1-9 digits, left-padded to 9.

    Weights 1,2,1,2,... from the left; a product above 9 becomes product - 9; valid iff the sum
    is divisible by 10. All zeros is rejected (a placeholder, not a person).
    """
    if not digits.isascii() or not digits.isdigit() or not 1 <= len(digits) <= 9:
        return False
    padded = digits.zfill(9)
    if padded == "000000000":
        return False
    total = 0
    for i, ch in enumerate(padded):
        product = int(ch) * (1 if i % 2 == 0 else 2)
        total += product - 9 if product > 9 else product
    return total % 10 == 0


def luhn_valid(digits: str) -> bool:
    """Luhn (mod 10) check used by payment cards."""
    if not digits.isascii() or not digits.isdigit() or len(digits) < 2:
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def iban_valid(iban: str) -> bool:
    """ISO 13616 mod-97 check: move the first four characters to the end, letters to 10..35, mod 97 == 1."""
    s = iban.replace(" ", "").replace("-", "").upper()
    if len(s) < 5 or not s.isascii() or not s.isalnum() or not s[:2].isalpha() or not s[2:4].isdigit():
        return False
    rearranged = s[4:] + s[:4]
    number = "".join(str(int(c, 36)) for c in rearranged)
    return int(number) % 97 == 1
