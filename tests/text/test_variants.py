import pytest

from sochen.text import hebrew_sound_key, latin_key, normalize, spelling_key, tokenize

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("full", "defective"),
    [
        ("איזור", "אזור"),
        ("תוכנית", "תכנית"),
        ("אוטומטית", "אוטומטי"),
        ("הנחיתו", "הונחתו"),
        ("עיראקי", "עירק"),
        ("מעניין", "מענין"),
        ("ירושלים", "ירושלם"),
    ],
)
def test_full_and_defective_spelling_share_a_key(full: str, defective: str) -> None:
    assert spelling_key(full) is not None
    assert spelling_key(full) == spelling_key(defective)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("חוזה", "חזית"),  # contract / front
        ("שכירות", "משכורת"),  # rent / salary: a prefix letter is not a vowel letter
        ("שולחן", "שלח"),  # table / sent
        ("ספר", "ספרייה"),  # book / library: only adjective endings are dropped
        ("לקוח", "לקחת"),
    ],
)
def test_different_words_keep_different_keys(one: str, other: str) -> None:
    assert spelling_key(one) != spelling_key(other) or spelling_key(one) is None


def test_defective_spelling_is_ambiguous_so_the_key_is_too() -> None:
    # Unpointed מחר is both "tomorrow" and the defective spelling of מחיר (price): the key cannot tell
    # them apart, which is why the index counts keys far below surface forms (see sochen.rag.lexical).
    assert spelling_key("מחיר") == spelling_key("מחר")


def test_short_words_and_non_hebrew_get_no_spelling_key() -> None:
    assert spelling_key("שיר") is None  # ש + ר: too short to be safe
    assert spelling_key("nvidia") is None
    assert spelling_key('עו"ד') is None


@pytest.mark.parametrize(
    ("hebrew", "latin"),
    [
        ("אנבידיה", "NVIDIA"),
        ("פרוטגו", "Protego"),
        ("טרנדליינס", "Trendlines"),
        ("מיקרוסופט", "Microsoft"),
        ("וויקס", "Wix"),
        ("צ׳ק פוינט", "Check Point"),
        ("אינטל", "Intel"),
    ],
)
def test_a_name_in_hebrew_and_latin_letters_shares_a_sound_key(hebrew: str, latin: str) -> None:
    he = [hebrew_sound_key(t) for t in tokenize(hebrew)]
    en = [latin_key(t) for t in tokenize(latin)]
    assert he == en
    assert all(k is not None for k in he) or "".join(filter(None, he)) == "".join(filter(None, en))


def test_sound_keys_need_three_consonants_and_ignore_other_scripts() -> None:
    assert latin_key("ai") is None
    assert hebrew_sound_key("אבא") is None
    assert latin_key("גוגל") is None and hebrew_sound_key("google") is None
    assert latin_key(normalize("NVIDIA")) == "nbd"
