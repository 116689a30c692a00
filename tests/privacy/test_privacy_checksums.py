import pytest

from sochen.privacy._checksums import iban_valid, israeli_id_valid, luhn_valid

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("number", ["039337423", "000000018", "123456782", "219472156", "335211686"])
def test_valid_id_vectors_from_hebrew_md(number):
    assert israeli_id_valid(number)


@pytest.mark.parametrize("number", ["123456789", "219772156"])
def test_invalid_id_vectors_from_hebrew_md(number):
    assert not israeli_id_valid(number)


def test_eight_digit_ids_are_left_padded():
    assert israeli_id_valid("39337423")  # 039337423 written without its leading zero
    assert israeli_id_valid("18")


@pytest.mark.parametrize("bad", ["", "000000000", "12345678a", "1234567890", "٣٩٣٣٧٤٢٣"])
def test_id_rejects_malformed_input(bad):
    assert not israeli_id_valid(bad)


def test_id_checksum_accepts_exactly_one_check_digit_in_ten():
    # The widely used broken implementation rejects ~41% of valid IDs; ours accepts every body's one digit.
    for body in ("03933742", "21947215", "12345678", "00000001", "98765432"):
        assert sum(israeli_id_valid(body + str(d)) for d in range(10)) == 1


@pytest.mark.parametrize(
    "number", ["4580458045804580", "4111111111111111", "5555555555554444", "378282246310005", "30569309025904"]
)
def test_luhn_valid_cards(number):
    assert luhn_valid(number)


@pytest.mark.parametrize("number", ["4111111111111112", "1234567812345678", "", "4"])
def test_luhn_invalid(number):
    assert not luhn_valid(number)


@pytest.mark.parametrize(
    "iban",
    ["IL620108000000099999999", "IL62 0108 0000 0009 9999 999", "GB82WEST12345698765432", "il620108000000099999999"],
)
def test_iban_mod97_valid(iban):
    assert iban_valid(iban)


@pytest.mark.parametrize("iban", ["IL630108000000099999999", "IL62010800000009999999X", "IL", "1234"])
def test_iban_mod97_invalid(iban):
    assert not iban_valid(iban)


@pytest.mark.parametrize(
    "iban",
    [
        "IL030108000000099",  # 17 characters: the right remainder is not enough, IL IBANs have 23
        "IL9601080000000",  # 15 characters, mod-97 remainder 1 all the same
    ],
)
def test_iban_of_the_wrong_length_for_its_country_is_refused(iban):
    s = iban.upper()
    assert int("".join(str(int(c, 36)) for c in s[4:] + s[:4])) % 97 == 1  # mod-97 alone would pass it
    assert not iban_valid(iban)


def test_a_short_il_iban_is_not_trusted_by_the_detector():
    from sochen.privacy import scan

    assert not [f for f in scan("IBAN: IL9601080000000") if f.type == "iban" and f.evidence == "mod97"]
