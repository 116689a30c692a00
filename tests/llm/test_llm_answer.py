"""Grounded answers with the scripted provider: prompts, verified quotes, not-found and degraded paths."""

from __future__ import annotations

import pytest

from sochen.config.sections.models import ProviderConfig
from sochen.config.sections.persona import PersonaConfig
from sochen.config.settings import Settings
from sochen.llm.answer import ModelAnswer, Passage, build_messages, grounded_answer, quote_occurs
from sochen.llm.providers import ProviderUnavailable
from sochen.llm.providers.scripted import ScriptedProvider, ScriptRule

pytestmark = pytest.mark.unit

PASSAGES = [
    Passage(
        1,
        "המרפאה פתוחה בימים א׳–ה׳ בין השעות 08:00 ל-18:00. ביום ו׳ המרפאה סגורה.",
        "doc1",
        "נוהל שעות",
        "פרק 2 > 2.1",
        3,
        "c1",
    ),
    Passage(
        2,
        'ביטול תור ללא תשלום אפשרי עד 24 שעות לפני מועד התור; ביטול מאוחר יותר יחויב ב-150 ש"ח.',
        "doc2",
        "מדיניות ביטולים",
        "סעיף 4",
        None,
        "c2",
    ),
]
PERSONA = PersonaConfig(
    name="נועה",
    business="מרפאת שיניים ברמת גן",
    tone="friendly",
    not_found_reply="לא מצאתי את זה במסמכים.",
    holding_reply="נציג יחזור אלייך.",
)


def scripted(settings: Settings, reply: object) -> ScriptedProvider:
    cfg = ProviderConfig(kind="scripted", model="double", locality="local")
    return ScriptedProvider("s", cfg, settings=settings, rules=[ScriptRule(".", reply)])  # type: ignore[arg-type]


def test_prompt_is_hebrew_numbered_and_marks_passages_as_data() -> None:
    system, user = build_messages("מתי אתם פתוחים?", PASSAGES, PERSONA)
    assert "נועה" in system.content and "מרפאת שיניים ברמת גן" in system.content
    assert "התעלם" in system.content and "found" in system.content
    assert "[1] נוהל שעות — פרק 2 > 2.1, עמ' 3" in user.content and "[2] מדיניות ביטולים — סעיף 4\n" in user.content
    assert user.content.endswith("שאלה: מתי אתם פתוחים?")


def test_answer_with_verified_citations(settings: Settings) -> None:
    reply = {
        "found": True,
        "answer": "א׳–ה׳ 08:00–18:00, ביום ו׳ סגור.",
        "citations": [
            {"n": 1, "quote": "פתוחה בימים א'-ה' בין השעות 08:00 ל-18:00"},
            {"n": 1, "quote": "ביום ו׳ המרפאה סגורה"},
        ],
    }
    provider = scripted(settings, reply)
    answer = grounded_answer("מתי אתם פתוחים?", PASSAGES, provider, persona=PERSONA)
    assert answer.status == "answered" and answer.grounded
    assert [c.passage.chunk_id for c in answer.citations] == ["c1", "c1"] and answer.unsupported == ()
    assert provider.calls[0].schema is ModelAnswer


def test_unsupported_citations_are_dropped_and_flagged(settings: Settings) -> None:
    reply = {
        "found": True,
        "answer": "ביטול עד 24 שעות לפני ללא תשלום.",
        "citations": [
            {"n": 2, "quote": "ביטול תור ללא תשלום אפשרי עד 24 שעות לפני מועד התור"},
            {"n": 2, "quote": "ביטול בכל עת ללא תשלום"},
            {"n": 7, "quote": "ביטול תור"},
        ],
    }
    answer = grounded_answer("אפשר לבטל?", PASSAGES, scripted(settings, reply), persona=PERSONA)
    assert answer.status == "answered" and len(answer.citations) == 1
    assert [c.n for c in answer.unsupported] == [2, 7]


def test_answer_without_any_verified_quote_is_withheld(settings: Settings) -> None:
    reply = {"found": True, "answer": "אנחנו פתוחים גם בשבת.", "citations": [{"n": 1, "quote": "פתוחים גם בשבת"}]}
    answer = grounded_answer("שבת?", PASSAGES, scripted(settings, reply), persona=PERSONA)
    assert answer.status == "ungrounded" and answer.text == "לא מצאתי את זה במסמכים."
    assert answer.draft == "אנחנו פתוחים גם בשבת." and not answer.grounded


def test_not_found(settings: Settings) -> None:
    reply = {"found": False, "answer": "", "citations": []}
    answer = grounded_answer("יש חניה?", PASSAGES, scripted(settings, reply), persona=PERSONA)
    assert (answer.status, answer.text) == ("not_found", "לא מצאתי את זה במסמכים.")
    provider = scripted(settings, reply)
    assert grounded_answer("יש חניה?", [], provider, persona=PERSONA).status == "not_found"
    assert provider.calls == []  # no passages: no model call


def test_degraded_paths(settings: Settings) -> None:
    answer = grounded_answer("x", PASSAGES, scripted(settings, ProviderUnavailable("down")), persona=PERSONA)
    assert (answer.status, answer.text) == ("degraded", "נציג יחזור אלייך.")
    assert grounded_answer("x", PASSAGES, lambda msgs, schema: None, persona=PERSONA).status == "degraded"


def test_runner_callable(settings: Settings) -> None:
    provider = scripted(settings, {"found": True, "answer": "כן", "citations": [{"n": 2, "quote": '150 ש"ח'}]})
    answer = grounded_answer(
        "כמה עולה ביטול מאוחר?", PASSAGES, lambda msgs, schema: provider.complete(msgs, schema=schema)
    )
    assert answer.status == "answered"


@pytest.mark.parametrize(
    ("quote", "ok"),
    [
        ("בין השעות 08:00 ל-18:00", True),
        ("בֵּין הַשָּׁעוֹת 08:00 ל-18:00", True),  # niqqud
        ("פתוחה בימים ... ביום ו׳ המרפאה סגורה", True),  # ellipsis joins fragments in order
        ("ביום ו׳ המרפאה סגורה … פתוחה בימים", False),  # wrong order
        ("המרפאה פתוחה בשבת", False),
        ("ה", False),  # too short to mean anything
        ("רפאה פתוחה", False),  # not on word boundaries
    ],
)
def test_quote_occurs(quote: str, ok: bool) -> None:
    assert quote_occurs(quote, PASSAGES[0].text) is ok


def test_a_verbatim_quote_under_the_wrong_number_is_cited_from_its_passage(settings: Settings) -> None:
    # Seen with Qwen2.5-Coder-1.5B on a price table: the right row, quoted word for word, cited as [3].
    reply = {
        "found": True,
        "answer": 'ביטול מאוחר יחויב ב-150 ש"ח.',
        "citations": [{"n": 1, "quote": 'ביטול מאוחר יותר יחויב ב-150 ש"ח'}],
    }
    answer = grounded_answer("כמה עולה ביטול מאוחר?", PASSAGES, scripted(settings, reply), persona=PERSONA)
    assert answer.status == "answered" and answer.unsupported == ()
    assert [(c.n, c.passage.chunk_id) for c in answer.citations] == [(2, "c2")]
    short = {"found": True, "answer": "ביטול ב-150", "citations": [{"n": 1, "quote": "יחויב ב-150"}]}
    assert grounded_answer("x", PASSAGES, scripted(settings, short), persona=PERSONA).status == "ungrounded"


def test_the_answer_is_asked_for_in_the_questions_language() -> None:
    system, user = build_messages("How much is a late cancellation?", PASSAGES, PERSONA, language="en")
    assert "באנגלית" in system.content and "בעברית" not in system.content.split("- answer:")[1].split("\n")[0]
    assert user.content.endswith("Write the answer in English. Quote the Hebrew passages exactly as they are.")
    system, user = build_messages("מתי אתם פתוחים?", PASSAGES, PERSONA)
    assert "תשובה קצרה ומדויקת בעברית" in system.content and user.content.endswith("שאלה: מתי אתם פתוחים?")


def test_the_schema_bounds_a_runaway_answer_for_grammar_servers_only() -> None:
    from sochen.llm.answer import ANSWER_MAX_CHARS, MAX_CITATIONS, QUOTE_MAX_CHARS
    from sochen.llm.providers.base import strict_json_schema

    bounded = strict_json_schema(ModelAnswer, lengths=True)
    assert bounded["properties"]["answer"]["maxLength"] == ANSWER_MAX_CHARS
    assert bounded["properties"]["citations"]["maxItems"] == MAX_CITATIONS
    assert bounded["$defs"]["QuotedCitation"]["properties"]["quote"]["maxLength"] == QUOTE_MAX_CHARS
    # OpenAI's strict mode takes no string lengths; the bound is the grammar's, never a validation error.
    assert "maxLength" not in str(strict_json_schema(ModelAnswer))
    long = "א" * (ANSWER_MAX_CHARS + 50)
    assert ModelAnswer.model_validate({"found": True, "answer": long, "citations": []}).answer == long


def test_an_answer_stopped_at_its_cap_is_not_shown(settings: Settings) -> None:
    # A prompt injection made the local model write on: the grammar closed the string at the cap.
    from sochen.llm.answer import ANSWER_MAX_CHARS

    runaway = ("ביטול עד 24 שעות לפני ללא תשלום. " * 40)[:ANSWER_MAX_CHARS]
    reply = {"found": True, "answer": runaway, "citations": [{"n": 2, "quote": "עד 24 שעות לפני מועד התור"}]}
    answer = grounded_answer("אפשר לבטל?", PASSAGES, scripted(settings, reply), persona=PERSONA)
    assert (answer.status, answer.text, answer.rejected) == ("degraded", "נציג יחזור אלייך.", "cut_off")
    assert answer.draft == runaway and not answer.grounded


def test_an_answer_cut_off_at_the_token_cap_is_degraded_not_retried(settings: Settings) -> None:
    from sochen.llm.providers import Truncated

    provider = scripted(settings, Truncated("cut off at the output-token cap"))
    answer = grounded_answer("x", PASSAGES, provider, persona=PERSONA)
    assert (answer.status, answer.rejected) == ("degraded", "cut_off")
    assert Truncated.kind == "truncated" and not Truncated.retryable
    broken = grounded_answer("x", PASSAGES, lambda msgs, schema: _raw('{"found": true, "answer": "בי'), persona=PERSONA)
    assert (broken.status, broken.rejected) == ("degraded", "unparseable")


def _raw(text: str) -> object:
    from sochen.llm.providers.base import Completion, Usage

    return Completion(text, Usage(10, 512), 1.0, "m", "scripted")
