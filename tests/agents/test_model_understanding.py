"""Understanding with a model: schema-constrained JSON with Hebrew label definitions, rules as the fast
path and the fallback, and the documented policy when they disagree (docs/understanding.md)."""

from __future__ import annotations

import pytest

from sochen.agents.nodes import INTENT_LABELS_HE, Deps, _ModelReading, understand
from sochen.config import get_settings, parse_tenant_yaml
from sochen.llm.providers.scripted import ScriptedProvider, ScriptRule
from sochen.tenancy import ResolvedTenant

pytestmark = pytest.mark.unit
NOW = "2026-11-22T10:00:00+02:00"  # a Sunday morning

TENANT = """slug: clinic
name: מרפאה
agent:
  understanding: model
  services: [ניקוי אבנית, הלבנת שיניים, טיפול שורש]
models:
  providers:
    local: {kind: scripted, model: double, locality: local}
  policy: {mode: local_only, local: [local]}
"""
API_ONLY = TENANT.replace("locality: local}", "locality: api}").replace(
    "{mode: local_only, local: [local]}", "{mode: api_only, api: [local]}"
)


def read(text: str, reply, *, tenant: str = TENANT, state: dict | None = None):
    config = parse_tenant_yaml(tenant)
    provider = ScriptedProvider("local", config.models.providers["local"], rules=[ScriptRule(".*", reply)])
    tenant = ResolvedTenant("t1", "clinic", 1, "v1", config.digest(), 0, config, live=True)
    deps = Deps(settings=get_settings(), tenant=tenant, retriever=None, providers={"local": provider})  # type: ignore[arg-type]
    update = understand({"message_id": "m1", "now": NOW, "text": text, **(state or {})}, deps)
    return update, provider


def test_the_model_reads_what_the_rules_missed_with_hebrew_label_definitions():
    reply = {"intent": "appointment_request", "confidence": 0.9, "service": "הלבנת שיניים", "time_phrase": "מחר בבוקר"}
    update, provider = read("בא לי להלבין את השיניים מחר בבוקר, מסתדר?", reply)
    assert update["intent"] == "appointment_request"
    assert update["slots"]["service"] == "הלבנת שיניים"
    assert update["slots"]["preferred_time"].startswith("2026-11-23T09:00")
    [call] = provider.calls
    assert call.schema is _ModelReading
    system = call.messages[0].content
    assert INTENT_LABELS_HE["price_question"] in system and "הלבנת שיניים" in system


def test_what_the_model_invents_is_dropped():
    reply = {
        "intent": "appointment_request",
        "confidence": 0.9,
        "name": "דנה כהן",  # not in the message
        "service": "השתלת שיער",  # not the tenant's
        "time_phrase": "ביום שלישי",  # not in the message
    }
    update, _ = read("אפשר לבוא אליכם?", reply)
    assert not {"name", "service", "preferred_time"} & set(update["slots"])


def test_the_rules_values_win_over_the_model():
    reply = {"intent": "appointment_request", "confidence": 0.9, "service": "טיפול שורש", "time_phrase": "מחר ב-5"}
    update, _ = read("אני רוצה תור לניקוי אבנית מחר ב-5", reply)
    assert update["slots"]["service"] == "ניקוי אבנית"
    assert update["slots"]["preferred_time"].startswith("2026-11-23T17:00")


def test_sure_rules_are_not_overruled_and_explicit_requests_stand():
    update, _ = read("אני רוצה לדבר עם נציג אנושי", {"intent": "price_question", "confidence": 0.99})
    assert update["intent"] == "human_request"


def test_an_emergency_read_by_the_model_is_an_emergency():
    update, _ = read("השן שלי ממש לא בסדר מאז אתמול בלילה", {"intent": "emergency", "confidence": 0.7})
    assert update["intent"] == "emergency"


def test_an_unsure_model_does_not_overrule_the_rules():
    update, _ = read("בננה סגולה", {"intent": "price_question", "confidence": 0.3})
    assert update["intent"] == "out_of_scope"


def test_output_that_breaks_the_schema_leaves_the_rules_reading():
    update, provider = read("כמה עולה הלבנת שיניים?", "זה לא JSON")
    assert provider.calls and update["intent"] == "price_question"
    wrong_label, _ = read("כמה עולה הלבנת שיניים?", {"intent": "booking", "confidence": 0.9})
    assert wrong_label["intent"] == "price_question"


def test_a_sensitive_message_never_goes_to_an_api_model_and_the_rules_answer():
    update, provider = read(
        'קוראים לי דנה כהן, ת"ז 039337423, אני רוצה תור',
        {"intent": "price_question", "confidence": 1.0},
        tenant=API_ONLY,
    )
    assert provider.calls == []
    assert update["intent"] == "appointment_request"
