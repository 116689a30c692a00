import pytest

from sochen.rag.chunking import chunk_blocks, clause_label, estimate_tokens, table_as_records
from sochen.rag.loaders import Block

pytestmark = pytest.mark.unit


def P(text, page=None):
    return Block("paragraph", text, page)


def H(text, level=1, page=None):
    return Block("heading", text, page, level)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("7. דמי שכירות", ("dotted", "7")),
        ("7.2 השוכר ישלם", ("dotted", "7.2")),
        ("(א) המשכיר יתקן", ("item", "(א)")),
        ("(3) כל הודעה", ("item", "(3)")),
        ("סעיף 12 - שונות", ("section", "סעיף 12")),
        ("פרק ב' - התחייבויות", ("section", "פרק ב'")),
        ("נספח א׳ – רשימת ציוד", ("section", "נספח א׳")),
        ('השוכר ישלם 5,000 ש"ח', None),
        ("2026 הייתה שנה טובה", None),
    ],
)
def test_clause_labels(text, expected):
    assert clause_label(text) == expected


def test_section_paths_follow_headings_and_numbered_clauses():
    blocks = [
        H("הסכם שכירות"),
        P("1. הגדרות", 1),
        P('1.1 "המושכר" - הדירה ברחוב הרצל 5.', 1),
        P("7. דמי שכירות", 2),
        P("7.1 התקופה היא 24 חודשים.", 2),
        P('7.2 השוכר ישלם 5,000 ש"ח.', 3),
        P("(א) התשלום יבוצע בהעברה בנקאית.", 3),
        P("8. ביטחונות", 3),
    ]
    chunks = chunk_blocks(blocks, max_tokens=40, overlap_tokens=0)
    by_text = {c.text.split("\n")[0][:8]: c for c in chunks}
    assert any(c.section == "הסכם שכירות › 1" for c in chunks)
    sevens = [c for c in chunks if "7.2" in c.text]
    assert sevens and sevens[0].section.startswith("הסכם שכירות › 7")
    assert sevens[0].page in (2, 3)
    eight = [c for c in chunks if c.text.startswith("8.")]
    assert eight and eight[0].section == "הסכם שכירות › 8"
    assert by_text  # every chunk has text
    # a new top-level clause never shares a chunk with the previous one
    assert not any("7.2" in c.text and "8. ביטחונות" in c.text for c in chunks)


def test_small_document_packs_into_one_chunk_per_section():
    blocks = [H("מחירון"), P('בדיקה 250 ש"ח.'), P('ניקוי 350 ש"ח.'), H("שעות", 2), P("א'-ה' 08:00-19:00.")]
    chunks = chunk_blocks(blocks, max_tokens=300, overlap_tokens=20)
    assert [c.section for c in chunks] == ["מחירון", "מחירון › שעות"]
    assert chunks[0].text.startswith("מחירון\n")


def test_long_paragraph_is_split_within_budget_with_overlap():
    sentence = "השוכר מתחייב לשמור על המושכר במצב תקין ולהחזירו בתום התקופה כפי שקיבל אותו."
    text = " ".join([sentence] * 30)
    chunks = chunk_blocks([P(text)], max_tokens=120, overlap_tokens=40)
    assert len(chunks) > 2
    assert all(c.tokens <= 120 for c in chunks)
    assert chunks[1].text.split(".")[0] in chunks[0].text  # overlap carried over


def test_table_rows_become_records_and_large_tables_repeat_the_header():
    rows = ["טיפול | מחיר"] + [f"טיפול מספר {i} | ₪{i * 100}" for i in range(1, 60)]
    table = Block("table", "\n".join(rows))
    chunks = chunk_blocks([H("מחירון"), table], max_tokens=120, overlap_tokens=10)
    assert len(chunks) > 1
    for c in chunks:
        assert "טיפול | מחיר" in c.text
    assert "טיפול: טיפול מספר 7 · מחיר: ₪700" in "\n".join(c.text for c in chunks)


def test_a_row_with_an_empty_last_cell_is_a_record_all_the_same():
    # The loaders write rows with their trailing empty cells cut: 'חמישי | 08:00–16:00 |'.
    table = "יום | שעות | הערות\nחמישי | 08:00–16:00 |\nשני | 08:00–20:30 | יום ערב"
    assert table_as_records(table).split("\n")[1:] == [
        "יום: חמישי · שעות: 08:00–16:00",
        "יום: שני · שעות: 08:00–20:30 · הערות: יום ערב",
    ]


def test_table_without_header_stays_as_is():
    assert table_as_records("250 | 300\n1 | 2") == "250 | 300\n1 | 2"


def test_token_estimate_is_positive_and_monotonic():
    assert estimate_tokens("") == 0
    assert estimate_tokens("שלום עולם") < estimate_tokens("שלום עולם, מה שלומך היום?")


def test_a_heading_under_a_heading_is_not_a_chunk_of_its_own():
    blocks = [
        H("הסכם שכירות בלתי מוגנת", 1, 1),
        H("שנערך ונחתם ברמת גן ביום 15 בפברואר 2026", 2, 1),
        P("בין: המשכיר לבין השוכרת;", 1),
        H("1. מבוא ופרשנות", 2, 1),
        P("1.1 המבוא להסכם זה מהווה חלק בלתי נפרד ממנו.", 1),
    ]
    chunks = chunk_blocks(blocks, max_tokens=300, overlap_tokens=0)
    # every chunk holds more than headings: the title travels with the first section's text
    assert all(len(c.text.split("\n")) > 1 for c in chunks), [c.text for c in chunks]
    first = chunks[0]
    assert first.text.startswith("הסכם שכירות בלתי מוגנת\nשנערך ונחתם")
    assert "בין: המשכיר" in first.text
    assert first.section == "הסכם שכירות בלתי מוגנת › שנערך ונחתם ברמת גן ביום 15 בפברואר 2026"
    assert chunks[-1].section.endswith("1. מבוא ופרשנות › 1.1")


def test_answer_after_a_chunk_boundary_travels_with_the_sentence_it_answers():
    # The question matches a long sentence (longer than overlap_tokens) at the end of one piece; its answer
    # is the first sentence of the next piece. The next piece must open with that long sentence.
    filler = "המבנה שימש במשך השנים כמחסן, כבית ספר וכמשרדים של המועצה המקומית שפעלה באזור."
    question_side = (
        "בשנת 1998 החליטה העירייה, לאחר דיונים ארוכים עם התושבים ועם משרד הפנים ועם נציגי "
        "הוועדה המחוזית לתכנון ולבנייה, לשמר את המבנה ההיסטורי ולהסב אותו לשימוש ציבורי."
    )
    answer = "המבנה נפתח מחדש כמוזיאון לתולדות העיר בשנת 2003."
    built = "הוא נבנה ב-1920."
    text = " ".join([filler] * 9 + [built, question_side, answer])
    assert estimate_tokens(question_side) > 40
    chunks = chunk_blocks([P(text, 4)], max_tokens=300, overlap_tokens=40)  # the defaults
    assert len(chunks) >= 2
    with_answer = [c for c in chunks if answer in c.text]
    assert with_answer and question_side in with_answer[0].text
    assert all(c.tokens <= 300 for c in chunks)
    assert all(c.page == 4 for c in chunks)  # the citation still names the page of the text


def test_no_overlap_when_overlap_is_zero():
    sentence = "השוכר מתחייב לשמור על המושכר במצב תקין ולהחזירו בתום התקופה כפי שקיבל אותו."
    chunks = chunk_blocks([P(" ".join([sentence] * 12))], max_tokens=120, overlap_tokens=0)
    assert sum(c.text.count(sentence) for c in chunks) == 12
