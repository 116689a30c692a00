"""What the embedded llama.cpp provider sends: the schema as a ready grammar with no free whitespace.

No server starts here (unit tests block it); the real model's output is checked in
tests/llm/test_llm_llamacpp.py.
"""

from __future__ import annotations

import json

import pytest
from pydantic import BaseModel, Field

from sochen.config.sections.models import ProviderConfig
from sochen.llm.answer import ANSWER_MAX_CHARS, ModelAnswer
from sochen.llm.providers import build_provider
from sochen.llm.providers.base import Message
from sochen.llm.providers.llamacpp import LlamaCppProvider, json_grammar, xllamacpp_available

pytestmark = [
    pytest.mark.unit,
    pytest.mark.skipif(not xllamacpp_available(), reason="xllamacpp is not installed (pip install 'sochen[llamacpp]')"),
]


class Slot(BaseModel):
    service: str = Field(max_length=40)
    urgent: bool


def provider(**options: object) -> LlamaCppProvider:
    cfg = ProviderConfig(kind="llamacpp", model="m", locality="local", fetched="qwen-1.5b", **options)  # type: ignore[arg-type]
    built = build_provider("local", cfg)
    assert isinstance(built, LlamaCppProvider)
    return built


def test_the_schema_goes_as_a_grammar_not_as_response_format() -> None:
    # With a model's own Jinja template (Qwen), llama.cpp builds response_format's grammar itself, with a
    # `space` rule that lets the model indent; a `grammar` is used as sent on every template path.
    request = provider()._request([Message("user", "שלום")], ModelAnswer)
    assert "response_format" not in request
    grammar = request["extra_body"]["grammar"]
    assert grammar == json_grammar(ModelAnswer)


def test_the_grammar_allows_no_whitespace_between_tokens_and_keeps_the_length_bounds() -> None:
    grammar = json_grammar(ModelAnswer)
    if grammar.startswith("%llguidance"):
        schema = json.loads(grammar.split("%json", 1)[1])
        assert schema["x-guidance"] == {"whitespace_flexible": False, "item_separator": ",", "key_separator": ":"}
        assert schema["properties"]["answer"]["maxLength"] == ANSWER_MAX_CHARS
        assert schema["additionalProperties"] is False
    else:  # a GBNF build: the space rule allows at most one space
        assert 'space ::= " "?' in grammar and "\\n" not in grammar.split("space ::=", 1)[1].split("\n", 1)[0]
    assert '"maxLength":40' in json_grammar(Slot).replace(" ", "") or "{0,40}" in json_grammar(Slot)


def test_max_tokens_and_plain_prose_are_unchanged() -> None:
    request = provider(max_output_tokens=300)._request([Message("user", "שלום")], None)
    assert request["max_tokens"] == 300 and "extra_body" not in request and "response_format" not in request


def test_the_embedded_model_samples_with_a_fixed_seed_unless_told_otherwise() -> None:
    # The same question over the same passages gets the same answer, so an eval run does not change with luck.
    assert provider()._request([Message("user", "שלום")], None)["seed"] == 0
    assert provider(seed=7)._request([Message("user", "שלום")], None)["seed"] == 7
    assert "seed" not in provider(seed=None)._request([Message("user", "שלום")], None)
