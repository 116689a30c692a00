"""One phone rule (libphonenumber, via sochen.privacy) for connectors and the privacy guard."""

from __future__ import annotations

import pytest

from sochen.connectors import InvalidPhoneNumber, normalize_phone
from sochen.connectors.phone import phone_variants, wa_digits
from sochen.privacy import phone_kind, scan

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("050-123-4567", "+972501234567"),
        ("0501234567", "+972501234567"),
        ("+972 50 123 4567", "+972501234567"),
        ("972501234567", "+972501234567"),
        ("00972501234567", "+972501234567"),
        ("+972 (0)50-123-4567", "+972501234567"),
        ("\u200f050-123-4567\u200e", "+972501234567"),  # bidi marks around a number pasted from Hebrew text
        ("03-5123456", "+97235123456"),
        ("077-1234567", "+972771234567"),
        ("+1 212 555 0100", "+12125550100"),
    ],
)
def test_numbers_people_write_are_normalised(raw: str, e164: str) -> None:
    assert normalize_phone(raw) == e164


@pytest.mark.parametrize(
    "raw",
    [
        "+972 6 123 4567",  # there is no 06 area (passed the hand-written rule)
        "050-123-456",  # an 8-digit mobile (passed the hand-written rule)
        "+972 50 123 456",
        "0501234",
        "12345678",
        "טלפון",
        "",
    ],
)
def test_what_is_not_a_phone_is_refused(raw: str) -> None:
    with pytest.raises(InvalidPhoneNumber):
        normalize_phone(raw)


def test_connector_and_privacy_guard_agree() -> None:
    for raw in ("050-123-4567", "03-5123456", "+972 6 123 4567", "050-123-456"):
        try:
            accepted = bool(normalize_phone(raw))
        except InvalidPhoneNumber:
            accepted = False
        assert accepted == (phone_kind(raw) is not None), raw
    assert [f.type for f in scan("תתקשרו אליי 050-123-4567")] == ["phone"]


def test_variants_are_the_forms_staff_type() -> None:
    assert phone_variants("+972501234567") == [
        "+972501234567",
        "050-123-4567",
        "0501234567",
        "050-1234567",
        "050 123 4567",
        "050 1234567",
        "+972 50-123-4567",
        "+972-50-123-4567",
        "+972 50 123 4567",
        "972501234567",
    ]
    assert len(phone_variants("03-5123456")) == 10 and phone_variants("03-5123456")[3] == "03-5123456"
    assert wa_digits("050-123-4567") == "972501234567"
