"""The answering component on a small Hebrew archive, through a fake library (no database, no model)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import pytest

from sochen.agents.answering import Library, Reply, answer
from sochen.agents.answering.compute import money, percent_change, times_quantity, vat_total
from sochen.agents.answering.units import clause_units, relabel
from sochen.config import TenantConfig
from sochen.llm import Answer, Citation, Passage
from sochen.llm.answer import unverified_facts
from sochen.rag.retriever import SearchHit
from sochen.text import stems, tokenize
from tests.agents._archive_library import clauses, figures

pytestmark = pytest.mark.unit

EMPLOYMENT = "הסכם העסקה — נטע ברק"
LEASE = "הסכם שכירות — רחוב הנביאים 14, חיפה"
SERVICES = 'הסכם שירותי ייעוץ — מגדלור מערכות בע"מ'
PRICES = "מחירון שירותים 2026"

CHUNKS = [
    (
        EMPLOYMENT,
        "7. תפקיד ותקופת ניסיון › 7.1",
        "7. תפקיד ותקופת ניסיון\n"
        "7.1 העובדת תועסק בתפקיד מנהלת פרויקטים ותדווח למנהל התפעול.\n"
        "7.2 היקף המשרה הוא משרה מלאה, 42 שעות בשבוע.\n"
        "7.3 מקום העבודה הוא משרדי החברה בפתח תקווה.\n"
        "7.4 שלושת החודשים הראשונים להעסקה הם תקופת ניסיון, שבמהלכה כל צד רשאי לסיים את ההעסקה בהודעה של 7 ימים.",
    ),
    (EMPLOYMENT, "9. סיום העסקה › 9.1", "9. סיום העסקה\n9.1 כל צד רשאי לסיים את ההעסקה בהודעה מוקדמת בכתב של 30 יום."),
    (
        EMPLOYMENT,
        "10. שכר › 10.1",
        "10. שכר\n10.1 השכר החודשי הוא ₪18,500 ברוטו.\n10.2 השכר יעודכן ב-3% בתום כל שנת עבודה.",
    ),
    (LEASE, "5. דמי שכירות › 5.1", "5. דמי שכירות\n5.1 דמי השכירות החודשיים הם ₪5,200."),
    (
        LEASE,
        "5. דמי שכירות › 5.2",
        "5.2 בתקופת האופציה יעלו דמי השכירות ב-5%.",
    ),
    (LEASE, "11. סיום › 11.1", "11. סיום\n11.1 השוכר רשאי לסיים את השכירות בהודעה מוקדמת בכתב של 60 יום."),
    (LEASE, "12. שונות › 12.3", "12. שונות\n12.3 לבתי המשפט בחיפה תהיה סמכות השיפוט הייחודית."),
    (SERVICES, "6. סיום ההתקשרות › 6.2", "6. סיום ההתקשרות\n6.2 כל צד רשאי לסיים את ההסכם בהודעה מוקדמת של 45 יום."),
    (SERVICES, "14. שיפוט › 14.1", "14. שיפוט\n14.1 לבתי המשפט בתל אביב-יפו תהיה סמכות השיפוט הייחודית."),
    (
        PRICES,
        "שירותים › תעריפים",
        "תעריפים\nשירות | מחיר\n"
        "שירות: בדיקת חוזה עבודה · מחיר: ₪900\n"
        "שירות: עריכת הסכם שכירות · מחיר: ₪2,400\n"
        "שירות: ייעוץ שעתי · מחיר: ₪650 לשעה\n"
        'כל המחירים אינם כוללים מע"מ בשיעור 18%.',
    ),
    (
        PRICES,
        "שעות פעילות",
        "שעות פעילות\nימים | שעות\nימים: א׳–ה׳ · שעות: 08:30–17:30\nימים: ו׳ · שעות: 08:30–12:00",
    ),
]


def _hit(i: int, title: str, section: str, text: str) -> SearchHit:
    return SearchHit(text, 0.0, f"doc-{title[:8]}", f"{title}.md", title, section, None, f"c{i}")


HITS = [_hit(i, *c) for i, c in enumerate(CHUNKS)]


def _forms(text: str) -> set[str]:
    return {f for t in tokenize(text) for f in (t, *stems(t))}


class FakeLibrary:
    """A tiny lexical search over HITS that checks what it is asked."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, int, tuple[str, ...] | None]] = []
        df: dict[str, int] = {}
        for h in HITS:
            for f in _forms(h.text):
                df[f] = df.get(f, 0) + 1
        self.df = df

    def idf(self, term: str) -> float:
        return math.log(1 + (len(HITS) - self.df.get(term, 0) + 0.5) / (self.df.get(term, 0) + 0.5))

    def search(self, query: str, *, top_k: int, document_ids: Sequence[str] | None = None) -> list[SearchHit]:
        assert query.strip() and 1 <= top_k <= 50
        known = {h.document_id for h in HITS}
        assert document_ids is None or set(document_ids) <= known, document_ids
        self.calls.append((query, top_k, tuple(document_ids) if document_ids is not None else None))
        q = _forms(query)
        pool = [h for h in HITS if document_ids is None or h.document_id in document_ids]
        scored = sorted(pool, key=lambda h: -sum(self.idf(f) for f in q & _forms(h.text)))
        return scored[:top_k]

    def library(self) -> Library:
        return Library(
            search=self.search,
            idf=self.idf,
            documents={h.document_id: h.title for h in HITS},
            chunks=tuple(HITS),
        )


CONFIG = TenantConfig.model_validate({"slug": "archive", "name": "משרד לדוגמה", "agent": {"answer_mode": "extractive"}})


def ask(question: str, **kw) -> Reply:
    fake = FakeLibrary()
    return answer(question, config=kw.pop("config", CONFIG), library=fake.library(), **kw)


def assert_no_invented_figures(reply: Reply) -> None:
    """Every figure of the reply is in a cited passage, or is a computed result shown with its calculation."""
    cited = set().union(
        *(figures(c.passage.text) | figures(c.passage.section) | figures(c.passage.title) for c in reply.citations)
    )
    computed = figures(reply.calculation or "")
    assert figures(reply.text) <= cited | computed, figures(reply.text) - cited - computed


def test_the_sub_clause_that_answers_is_quoted_and_cited_not_the_chunks_first():
    reply = ask("כמה זמן נמשכת תקופת הניסיון בהסכם ההעסקה?")
    assert reply.mode == "extractive" and reply.status == "answered"
    (cite,) = reply.citations
    assert cite.quote.startswith("7.4 ")
    assert cite.passage.section == "7. תפקיד ותקופת ניסיון › 7.4"
    assert "7.1" not in reply.text and "(מקור: " in reply.text and "› 7.4" in reply.text
    assert_no_invented_figures(reply)


def test_a_heading_line_is_never_a_quote():
    units = clause_units(CHUNKS[0][2])
    assert [u.clause for u in units] == ["7.1", "7.2", "7.3", "7.4"]
    assert all(u.context == "7. תפקיד ותקופת ניסיון" for u in units)
    assert relabel("7. תפקיד ותקופת ניסיון › 7.1", "7.4") == "7. תפקיד ותקופת ניסיון › 7.4"
    assert relabel("פרק ב' › 7 › 7.1 › (א)", "7.3") == "פרק ב' › 7 › 7.3"


def test_a_comparison_fetches_each_named_document_and_cites_both():
    fake = FakeLibrary()
    reply = answer(
        "מה תקופת ההודעה המוקדמת לסיום בהסכם השכירות לעומת הסכם הייעוץ?", config=CONFIG, library=fake.library()
    )
    assert reply.status == "answered"
    titles = [c.passage.title for c in reply.citations]
    assert titles == [LEASE, SERVICES]
    assert "60 יום" in reply.text and "45 יום" in reply.text
    assert [c.passage.section.split(" › ")[-1] for c in reply.citations] == ["11.1", "6.2"]
    # each side came from a search within its own document
    ids = {h.title: h.document_id for h in HITS}
    assert {call[2] for call in fake.calls if call[2]} >= {(ids[LEASE],), (ids[SERVICES],)}
    assert_no_invented_figures(reply)


def test_two_documents_named_without_a_comparison_word_still_get_both_sides():
    reply = ask("לאיזה בית משפט סמכות השיפוט לפי הסכם השכירות, ולאיזה לפי הסכם הייעוץ?")
    assert "בחיפה" in reply.text and "בתל אביב" in reply.text
    assert {c.passage.title for c in reply.citations} == {LEASE, SERVICES}


def test_a_total_with_vat_is_computed_from_two_quoted_facts_and_shows_the_calculation():
    reply = ask('כמה עולה בדיקת חוזה עבודה כולל מע"מ?')
    assert reply.status == "answered"
    assert reply.calculation is not None and "₪1,062" in reply.calculation and "18%" in reply.calculation
    quotes = [c.quote for c in reply.citations]
    assert any("₪900" in q for q in quotes) and any("18%" in q for q in quotes)
    assert "₪1,062" in reply.text
    assert_no_invented_figures(reply)


def test_a_rent_after_a_percentage_rise_cites_the_rule_and_the_base():
    reply = ask("כמה יהיו דמי השכירות בתקופת האופציה?")
    assert reply.calculation is not None and "₪5,460" in reply.calculation
    quotes = " ".join(c.quote for c in reply.citations)
    assert "5%" in quotes and "₪5,200" in quotes
    assert_no_invented_figures(reply)


def test_hours_at_an_hourly_rate():
    reply = ask("כמה יעלו 3 שעות של ייעוץ שעתי?")
    assert reply.calculation == "3 × ₪650 = ₪1,950"
    assert_no_invented_figures(reply)


def test_a_price_row_must_be_about_the_service_asked():
    assert ask("כמה עולה עריכת הסכם שכירות?").citations[0].quote.startswith("שירות: עריכת הסכם שכירות")
    # a service the price list does not have: no neighbouring row instead
    refused = ask("כמה עולה ניסוח צוואה?")
    assert refused.status == "not_found" and not refused.citations
    assert "לנציג" in refused.text
    near_miss = ask("כמה עולה בדיקת צוואה?")
    assert near_miss.status == "not_found", near_miss.text


def test_what_the_archive_does_not_say_is_refused():
    for question in ("מה שעות הקבלה של בית המשפט המחוזי?", "האם מותר להחזיק חתול בדירה?", "מה קובע סעיף 31.4?"):
        reply = ask(question)
        assert reply.status == "not_found" and reply.citations == (), (question, reply.text)


def test_a_day_inside_a_range_finds_its_row():
    reply = ask("באיזו שעה אתם סוגרים ביום שלישי?")
    assert reply.citations and "א׳–ה׳" in reply.citations[0].quote and "17:30" in reply.text


@pytest.mark.parametrize(
    ("question", "lang_words", "expected"),
    [
        ("What is the monthly rent under the lease?", "According to our documents", "₪5,200"),
        ("ما هي مدة الإشعار لإنهاء عقد الإيجار؟", "وفقًا لمستنداتنا", "60 יום"),
    ],
)
def test_english_and_arabic_questions_get_their_language_around_the_hebrew_clause(question, lang_words, expected):
    reply = ask(question)
    assert reply.status == "answered", reply.text
    assert reply.text.startswith(lang_words) and expected in reply.text
    assert "לפי המסמכים שלנו" not in reply.text


def test_english_refusal_is_in_english():
    reply = ask("Do you offer free parking for clients?")
    assert reply.status == "not_found" and reply.text.startswith("I could not find")


class ScriptedModel:
    """Stands in for the routed model: returns a prepared grounded answer and records the passages."""

    def __init__(self, answer: Answer) -> None:
        self.answer = answer
        self.passages: list[Passage] = []

    def __call__(self, passages: list[Passage]) -> Answer:
        assert passages and all(p.n == i for i, p in enumerate(passages, start=1))
        self.passages = passages
        return self.answer


AUTO = TenantConfig.model_validate({"slug": "archive", "name": "משרד לדוגמה"})
GENERATIVE = TenantConfig.model_validate(
    {"slug": "archive", "name": "משרד לדוגמה", "agent": {"answer_mode": "generative"}}
)


def test_a_generative_answer_says_so():
    hit = HITS[3]
    passage = Passage(1, hit.text, hit.document_id, hit.title, hit.section)
    model = ScriptedModel(Answer("answered", "דמי השכירות הם ₪5,200 לחודש.", (Citation(1, "₪5,200", passage),)))
    reply = ask("מה דמי השכירות?", config=AUTO, generate=model)
    assert reply.mode == "generative" and reply.text.startswith("דמי השכירות") and model.passages


def test_without_a_model_auto_quotes_and_generative_hands_over():
    degraded = ScriptedModel(Answer("degraded", "קיבלנו את פנייתך"))
    auto = ask("מה דמי השכירות החודשיים?", config=AUTO, generate=degraded)
    assert auto.mode == "extractive" and "₪5,200" in auto.text
    strict = ask("מה דמי השכירות החודשיים?", config=GENERATIVE, generate=degraded)
    assert strict.mode == "none" and strict.handoff and strict.status == "degraded"


def test_a_withheld_model_answer_falls_back_to_quotes_in_auto():
    withheld = ScriptedModel(Answer("ungrounded", "לא מצאתי", draft="דמי השכירות הם ₪9,999"))
    reply = ask("מה דמי השכירות החודשיים?", config=AUTO, generate=withheld)
    assert reply.mode == "extractive" and "9,999" not in reply.text and "₪5,200" in reply.text


def test_a_sensitive_question_the_documents_do_not_answer_goes_to_a_person():
    reply = ask("אני בהריון, האם מותר לי לעבוד מהבית?", sensitive=True)
    assert reply.handoff and reply.mode == "none" and reply.status == "degraded"


def test_figures_of_a_model_answer_must_be_in_the_cited_passages():
    p = Passage(1, "5.1 דמי השכירות החודשיים הם ₪5,200.", "d", "הסכם", "5. דמי שכירות › 5.1")
    assert unverified_facts('דמי השכירות הם 5,200 ש"ח לפי סעיף 5.1', [p]) == []
    assert unverified_facts("דמי השכירות הם ₪5,400 לפי סעיף 5.3", [p]) == ["5.3", "5400"]


def test_arithmetic_reads_israeli_amounts():
    assert money('₪1,200 לשעה, או 950 ש"ח, ו-₪12.50') == [1200.0, 950.0, 12.5]
    assert vat_total("שירות: בדיקה · מחיר: ₪900", 'המחירים אינם כוללים מע"מ בשיעור 18%.').expression.endswith("₪1,062")
    assert percent_change("יעלו ב-4%", "₪6,800").result == pytest.approx(7072)
    assert percent_change("הנחה של 4%", "₪6,800") is None  # not a rise: nothing computed
    assert times_quantity("כמה עולות 10 שעות?", "שותף: ₪1,200 לשעה").result == 12000
    assert times_quantity("כמה עולות 10 שעות?", "ריטיינר: ₪8,000 לחודש") is None


def test_the_askers_own_id_is_not_part_of_the_question_and_a_sensitive_question_needs_a_clear_answer():
    clear = ask('ת"ז 039337423, מה דמי השכירות החודשיים?', sensitive=True)
    assert clear.status == "answered" and "₪5,200" in clear.text and "039337423" not in clear.text
    vague = ask('ת"ז 039337423, כמה נשאר לי לשלם על החוזה?', sensitive=True)
    assert vague.handoff and not vague.citations


EXTRACTIVE_FIRST = TenantConfig.model_validate(
    {"slug": "archive", "name": "משרד לדוגמה", "agent": {"answer_mode": "extractive_first"}}
)


def _lease_answer(text: str, quote: str) -> Answer:
    hit = next(h for h in HITS if h.section.startswith("12."))
    return Answer(
        "answered", text, (Citation(1, quote, Passage(1, hit.text, hit.document_id, hit.title, hit.section)),)
    )


def test_extractive_first_asks_no_model_when_a_clause_answers():
    model = ScriptedModel(_lease_answer("₪9,999", "₪9,999"))
    reply = ask("מה דמי השכירות החודשיים?", config=EXTRACTIVE_FIRST, generate=model)
    assert reply.mode == "extractive" and "₪5,200" in reply.text
    assert model.passages == [] and reply.generated is None  # the model was never called


def test_extractive_first_asks_the_model_where_no_clause_answers_and_shows_a_checked_answer():
    question = "בתי המשפט של איזו עיר מוסמכים בענייני השכירות?"
    assert ask(question).status == "not_found"  # the rules alone find no clause for this wording
    model = ScriptedModel(_lease_answer("בבתי המשפט בחיפה.", "לבתי המשפט בחיפה תהיה סמכות השיפוט הייחודית"))
    reply = ask(question, config=EXTRACTIVE_FIRST, generate=model)
    assert model.passages and reply.mode == "generative" and reply.status == "answered"
    assert "חיפה" in reply.text and reply.citations[0].passage.section.startswith("12.")


def test_extractive_first_keeps_the_not_found_reply_when_the_models_answer_does_not_check_out():
    question = "בתי המשפט של איזו עיר מוסמכים בענייני השכירות?"
    unverified = ScriptedModel(Answer("ungrounded", "לא מצאתי", draft="בתל אביב, סעיף 19.4"))
    reply = ask(question, config=EXTRACTIVE_FIRST, generate=unverified)
    assert unverified.passages and reply.mode == "extractive" and reply.status == "not_found"
    assert "19.4" not in reply.text and reply.generated is not None and reply.generated.status == "ungrounded"
    # Answered, but by a clause off the question: withheld, and the reply is still the rules' own.
    off = ScriptedModel(_lease_answer("השכר החודשי הוא ₪18,500.", "לבתי המשפט בחיפה"))
    reply = ask("מה שם הכלב של העובדת?", config=EXTRACTIVE_FIRST, generate=off)
    assert reply.status == "not_found" and "18,500" not in reply.text


def test_extractive_first_does_not_ask_the_model_about_what_no_document_names():
    model = ScriptedModel(_lease_answer("₪5,200", "₪5,200"))
    reply = ask("כמה עולה שיעור פסנתר?", config=EXTRACTIVE_FIRST, generate=model)
    assert reply.status == "not_found" and model.passages == []


def test_extractive_first_leaves_the_rules_findings_and_hand_offs_standing():
    model = ScriptedModel(_lease_answer("₪5,200", "₪5,200"))
    # The rules found where the archive would say it and read that it does not: that finding stands.
    found_missing = ask("כמה עולה הנספח של הסכם השכירות?", config=EXTRACTIVE_FIRST, generate=model)
    assert found_missing.status == "not_found" and found_missing.reason == "absent_subject" and model.passages == []
    # A sensitive question the rules give to a person goes to the person, not to the model.
    held = ask("אני בהריון, האם מותר לי לעבוד מהבית?", config=EXTRACTIVE_FIRST, generate=model, sensitive=True)
    assert held.handoff and held.status == "degraded" and model.passages == []


def _employment_answer(text: str, *quotes: str) -> Answer:
    hit = next(h for h in HITS if h.section.startswith("7."))
    passage = Passage(1, hit.text, hit.document_id, hit.title, hit.section)
    return Answer("answered", text, tuple(Citation(n, q, passage) for n, q in enumerate(quotes, start=1)))


def test_a_model_answer_is_shown_with_the_whole_clause_it_quotes_cited_at_clause_level():
    # A bare 'כן' and a few words of the clause: the reader gets the clause that says it, cited as 7.4 (the chunk's
    # section names its first clause, 7.1).
    model = ScriptedModel(_employment_answer("כן, 7 ימים.", "בהודעה של 7 ימים"))
    reply = ask("אפשר לפטר את נטע בתקופת הניסיון בהודעה קצרה?", config=GENERATIVE, generate=model)
    assert (reply.mode, reply.status) == ("generative", "answered")
    clause = "7.4 שלושת החודשים הראשונים להעסקה הם תקופת ניסיון, שבמהלכה כל צד רשאי לסיים את ההעסקה בהודעה של 7 ימים."
    assert reply.text == f"כן, 7 ימים.\n\n{clause}\n(מקור: {EMPLOYMENT}, 7. תפקיד ותקופת ניסיון › 7.4)"
    assert clauses(reply) == ["7.4"] and reply.citations[0].quote == clause
    assert_no_invented_figures(reply)


def test_a_model_quote_over_two_clauses_shows_both_and_a_clause_written_out_gets_only_its_source():
    both = "7.2 היקף המשרה הוא משרה מלאה, 42 שעות בשבוע.\n7.3 מקום העבודה הוא משרדי החברה בפתח תקווה."
    model = ScriptedModel(_employment_answer("משרה מלאה, 42 שעות, בפתח תקווה.", both))
    reply = ask("מה היקף המשרה של נטע ואיפה היא עובדת?", config=GENERATIVE, generate=model)
    assert clauses(reply) == ["7.2", "7.3"]
    assert "\n7.2 היקף המשרה" in reply.text and "\n7.3 מקום העבודה" in reply.text
    written = "7.2 היקף המשרה הוא משרה מלאה, 42 שעות בשבוע."
    model = ScriptedModel(_employment_answer(f"לפי החוזה: {written}", "42 שעות בשבוע"))
    reply = ask("מה היקף המשרה של נטע?", config=GENERATIVE, generate=model)
    assert reply.text == f"לפי החוזה: {written}\n\n(מקור: {EMPLOYMENT}, 7. תפקיד ותקופת ניסיון › 7.2)"


def test_extractive_first_shows_the_models_answer_with_its_clause():
    question = "בתי המשפט של איזו עיר מוסמכים בענייני השכירות?"
    model = ScriptedModel(_lease_answer("בחיפה.", "בחיפה"))
    reply = ask(question, config=EXTRACTIVE_FIRST, generate=model)
    assert reply.mode == "generative" and reply.text.startswith("בחיפה.\n\n12.3 לבתי המשפט בחיפה")
    assert clauses(reply) == ["12.3"]


def test_a_model_quote_that_two_clauses_say_shows_both_and_a_commoner_one_stays_the_quote():
    text = (
        "9. סיום\n9.1 העובד רשאי לסיים את ההעסקה בהודעה של 30 יום.\n9.2 החברה רשאית לסיים את ההעסקה בהודעה של 30 יום."
        "\n9.3 ההודעה תימסר בכתב, בהודעה של 30 יום לכל הפחות."
    )
    passage = Passage(1, text, "doc-e", EMPLOYMENT, "9. סיום › 9.1")
    two = Answer("answered", "30 יום.", (Citation(1, "רשאי לסיים את ההעסקה בהודעה של 30 יום", passage),))
    reply = ask("כמה זמן הודעה מוקדמת?", config=GENERATIVE, generate=ScriptedModel(two))
    assert clauses(reply) == ["9.1"]  # 'רשאי' is 9.1's alone ('רשאית' is 9.2's)
    both = Answer("answered", "30 יום.", (Citation(1, "לסיים את ההעסקה בהודעה של 30 יום", passage),))
    reply = ask("כמה זמן הודעה מוקדמת?", config=GENERATIVE, generate=ScriptedModel(both))
    assert clauses(reply) == ["9.1", "9.2"]
    common = Answer("answered", "30 יום.", (Citation(1, "בהודעה של 30 יום", passage),))
    reply = ask("כמה זמן הודעה מוקדמת?", config=GENERATIVE, generate=ScriptedModel(common))
    assert clauses(reply) == ["9.1"] and reply.citations[0].quote == "בהודעה של 30 יום"


def test_a_model_quote_is_placed_in_its_clause_as_verification_reads_it():
    # Verification accepts fragments joined by an ellipsis and ignores punctuation; so does finding the clause.
    model = ScriptedModel(
        _employment_answer("7 ימים.", "שלושת החודשים הראשונים … כל צד רשאי לסיים את ההעסקה בהודעה של 7 ימים")
    )
    reply = ask("אפשר לפטר את נטע בתקופת הניסיון בהודעה קצרה?", config=GENERATIVE, generate=model)
    assert clauses(reply) == ["7.4"] and reply.citations[0].quote.startswith("7.4 שלושת החודשים")
