import pytest

from sochen.text import fix_visual_order, has_hebrew, is_visual_order, normalize, stems, tokenize

pytestmark = pytest.mark.unit


def test_normalize_strips_niqqud_cantillation_and_controls():
    assert normalize("שָׁלוֹם\u200f עוֹלָם\u200b") == "שלום עולם"
    assert normalize("בְּרֵאשִׁ֖ית") == "בראשית"


def test_normalize_unifies_geresh_gershayim_and_maqaf():
    assert normalize("עו״ד ג׳ בית־ספר") == "עו\"ד ג' בית-ספר"


def test_final_letters_stay_distinct():
    assert normalize("ם") != normalize("מ")
    assert tokenize("שלום")[0].endswith("ם")


def test_tokenize_keeps_abbreviations_and_numbers_whole():
    tokens = tokenize('עו"ד כהן מת״א שילם ₪1,200 לפי סעיף 4.2 ב-22/11/2026 ב-08:00, Hello World')
    for expected in ['עו"ד', 'מת"א', "1,200", "4.2", "22/11/2026", "08:00", "hello", "world"]:
        assert expected in tokens


@pytest.mark.parametrize(
    ("token", "stem"),
    [("והחוזה", "חוזה"), ("בחוזה", "חוזה"), ("לחוזה", "חוזה"), ("שבחוזה", "חוזה"), ("וכשהמשכיר", "משכיר")],
)
def test_prefix_stems(token, stem):
    assert stem in stems(token)


def test_stems_respect_minimum_length_and_latin():
    assert all(len(s) >= 2 for s in stems("בית"))
    assert stems("hello") == ()
    assert stems('עו"ד') == ()


def test_has_hebrew():
    assert has_hebrew("abc ש")
    assert not has_hebrew("abc 123")


def test_visual_order_detected_and_fixed():
    logical = "התשלום ישולם לפי סעיף 7 של החוזה עד יום 15 בחודש"
    # As visual-order PDFs store it: Hebrew reversed, digit runs left to right.
    visual = "שדוחב 15 םוי דע הזוחה לש 7 ףיעס יפל םלושי םולשתה"
    assert is_visual_order(visual)
    assert not is_visual_order(logical)
    assert fix_visual_order(visual) == logical
