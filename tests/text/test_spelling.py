"""Misspelt Hebrew words put right against a tenant's own vocabulary (sochen.text.spelling)."""

from __future__ import annotations

import pytest

from sochen.text import tokenize
from sochen.text.spelling import correct, edit_distance, loose_key, pairs_of

pytestmark = pytest.mark.unit

DOCUMENT = "מחירון: החלקה קרטין ₪650, צבע שיער ₪280, תספורת גברים ₪90. לקוח שלא הגיע לתור יחויב. חניה בחניון הקניון."
VOCABULARY = {w: 1 for w in tokenize(DOCUMENT)}
PAIRS = pairs_of(tokenize(DOCUMENT))


def fix(text: str) -> str:
    return correct(text, VOCABULARY, PAIRS)


def test_a_misspelt_name_next_to_its_neighbour_is_put_right_and_keeps_its_prefix():
    assert fix("כמה עולה החלקה קרטיין?") == "כמה עולה החלקה קרטין?"
    assert fix("רציתי לשאול על קרטיין") == "רציתי לשאול על קרטיין"  # no such phrase: left alone
    assert fix("תור לתספורת גבריים") == "תור לתספורת גברים"


def test_real_words_the_documents_do_not_use_are_left_as_written():
    # 'לחנות' (to park) is one letter from nothing the documents say in that phrase; 'מטפלת' is a word.
    assert fix("איפה אפשר לחנות ליד הקניון?") == "איפה אפשר לחנות ליד הקניון?"
    assert fix("מי מטפלת בצבע שיער?") == "מי מטפלת בצבע שיער?"


def test_a_verb_in_the_askers_person_is_never_corrected():
    assert fix("מה קורה אם לא הגעתי לתור?") == "מה קורה אם לא הגעתי לתור?"


def test_a_word_the_caller_keeps_is_not_touched():
    assert correct("החלקה קרטיין", VOCABULARY, PAIRS, skip=lambda w: w == "קרטיין") == "החלקה קרטיין"


def test_loose_key_joins_vowel_letters_final_letters_and_letters_that_sound_alike():
    assert loose_key("אבנייה") == loose_key("אבנית")
    assert loose_key("שינים") == loose_key("שיניים")
    assert loose_key("קרטיין") == loose_key("קרטין")
    assert loose_key("לחנות") != loose_key("לפנות")


def test_edit_distance_counts_a_swap_as_one_and_stops_past_the_limit():
    assert edit_distance("קרטין", "קרטין") == 0
    assert edit_distance("קרטין", "קרטיין") == 1
    assert edit_distance("קרטין", "רקטין") == 1
    assert edit_distance("קרטין", "תספורת") == 3
