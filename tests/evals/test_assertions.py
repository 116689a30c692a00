"""Each assertion kind passes and fails, with a message naming the turn, what was expected and what came."""

from __future__ import annotations

import pytest

from sochen.evals.assertions import check_end, check_turn, is_refusal
from sochen.evals.records import JobRecord, TurnRecord
from sochen.evals.schema import Expectations

pytestmark = pytest.mark.unit

NOT_FOUND = "לא מצאתי תשובה לכך במסמכים שברשותי. אפשר להעביר את השאלה לנציג."


def turn(**fields) -> TurnRecord:
    base = {
        "n": 2,
        "user": "שאלה",
        "intent": "price_question",
        "reply": "המחיר הוא 1,200 ₪",
        "reply_mode": "extractive",
        "route": {"route": "none"},
        "latency_ms": 120.0,
    }
    return TurnRecord(**{**base, **fields})


def run(expect: dict, record: TurnRecord | None = None, judge=None):
    checks = check_turn(Expectations.model_validate(expect), record or turn(), not_found_reply=NOT_FOUND, judge=judge)
    return [c for c in checks if c.kind != "privacy" or "no_personal_data_to_api" in expect or expect == {}]


def verdicts(expect: dict, record: TurnRecord | None = None, judge=None) -> list[str]:
    return [c.status for c in run(expect, record, judge) if c.kind != "privacy"]


def failure(expect: dict, record: TurnRecord | None = None, judge=None):
    failed = [c for c in run(expect, record, judge) if c.status == "fail"]
    assert len(failed) == 1, failed
    message = failed[0].message
    assert message.startswith("הודעה 2 · ") and "| turn 2 · " in message, message  # Hebrew | English, names the turn
    return failed[0]


def test_intent():
    assert verdicts({"intent": "price_question"}) == ["pass"]
    c = failure({"intent": "appointment_request"})
    assert c.kind == "intent" and "expected appointment_request, got price_question" in c.message
    assert "צפוי appointment_request" in c.message


def test_slots_with_each_matcher():
    record = turn(
        slots={
            "name": "דָּנָה  כהן",
            "phone": "+972501234567",
            "preferred_time": "2026-11-23T17:00+02:00",
            "service": "הלבנת שיניים",
        }
    )
    expect = {
        "slots": {
            "name": "דנה כהן",
            "phone": {"e164": "050-123-4567"},
            "service": {"contains": "הלבנה"},
            "preferred_time": {"matches": r"^2026-11-23T17"},
            "email": {"any": False},
        },
        "slots_not_set": ["email"],
    }
    # niqqud and double spaces do not matter; "הלבנה" is not a substring of "הלבנת" → that one fails
    statuses = {c.expected: c.status for c in run(expect, record) if c.kind == "slots"}
    assert list(statuses.values()).count("fail") == 1
    ok = {
        "slots": {
            "name": "דנה כהן",
            "phone": {"e164": "+972 50-123-4567"},
            "service": {"contains": "הלבנת"},
            "preferred_time": {"matches": "T17:00"},
        },
        "slots_not_set": ["email"],
    }
    assert set(verdicts(ok, record)) == {"pass"}
    c = failure({"slots": {"phone": {"e164": "+972501234568"}}}, record)
    assert "slot phone: expected phone +972501234568, got '+972501234567'" in c.message
    c = failure({"slots": {"email": {"any": True}}}, record)
    assert "got not set" in c.message and "לא הוגדר" in c.message
    c = failure({"slots_not_set": ["name"]}, record)
    assert "slot name should not be set" in c.message


def test_events():
    record = turn(events=[{"type": "lead.captured", "payload": {}}, {"type": "reply", "payload": {}}])
    assert verdicts({"events": ["lead.captured"], "events_not": ["handoff.requested"]}, record) == ["pass", "pass"]
    c = failure({"events": ["appointment.requested"]}, record)
    assert "event appointment.requested expected, emitted ['lead.captured', 'reply']" in c.message
    c = failure({"events_not": ["reply"]}, record)
    assert "must not be emitted" in c.message


def test_jobs_with_params_count_and_paths():
    jobs = [
        JobRecord("1", "zoho_crm.upsert_lead", {"last_name": "דנה כהן", "phone": "+972501234567"}, "succeeded"),
        JobRecord(
            "2",
            "zoho_crm.create_task",
            {"subject": "לחזור לדנה", "related": {"module": "Leads", "id": "7"}},
            "succeeded",
        ),
        JobRecord("3", "whatsapp.send_message", {"to": "972501234567", "text": "תודה"}, "succeeded"),
    ]
    record = turn(jobs=jobs)
    ok = {
        "jobs": [
            {"action": "zoho_crm.upsert_lead", "params": {"phone": {"e164": "0501234567"}}},
            {"action": "zoho_crm.create_task", "params": {"related.module": "Leads"}, "count": 1},
            {"action": "whatsapp.send_message", "params": {"to": {"e164": "+972501234567"}}},
        ],
        "jobs_not": ["n8n.trigger_workflow"],
    }
    assert set(verdicts(ok, record)) == {"pass"}
    c = failure({"jobs": [{"action": "zoho_crm.upsert_lead", "params": {"last_name": "יוסי"}}]}, record)
    assert "job zoho_crm.upsert_lead: expected {last_name: 'יוסי'}" in c.message and "0 matching" in c.message
    c = failure({"jobs": [{"action": "zoho_crm.create_task", "count": 2}]}, record)
    assert "(exactly 2)" in c.message
    c = failure({"jobs": [{"action": "n8n.trigger_workflow"}]}, record)
    assert "zoho_crm.upsert_lead" in c.got  # says what was planned instead
    c = failure({"jobs_not": ["whatsapp.send_message"]}, record)
    assert "job whatsapp.send_message must not be planned" in c.message


def test_reply_contains_not_matches_silent():
    assert set(
        verdicts({"reply": {"contains": ["1,200"], "not_contains": ["₪ 900"], "matches": r"\d,\d{3}", "silent": False}})
    ) == {"pass"}
    assert "reply should contain '900'" in failure({"reply": {"contains": ["900"]}}).message
    assert "reply must not contain '1,200'" in failure({"reply": {"not_contains": ["1,200"]}}).message
    assert "reply should match /^שלום/" in failure({"reply": {"matches": "^שלום"}}).message
    assert "expected no reply" in failure({"reply": {"silent": True}}).message
    silent = turn(reply=None, reply_mode="none")
    assert verdicts({"reply": {"silent": True}}, silent) == ["pass"]
    assert "expected a reply" in failure({"reply": {"silent": False}}, silent).message


def test_cites_document_and_clause():
    record = turn(citations=[{"title": "הסכם שכירות בלתי מוגנת", "section": "פרק ב' > 7. דמי השכירות > 7.2"}])
    assert verdicts({"cites": [{"document": "הסכם שכירות", "clause": "7.2"}]}, record) == ["pass"]
    c = failure({"cites": [{"document": "הסכם שכירות", "clause": "9.1"}]}, record)
    assert "expected a citation of הסכם שכירות §9.1" in c.message
    c = failure({"cites": [{"document": "מחירון"}]}, turn(citations=[]))
    assert "no citations" in c.message and "אין ציטוטים" in c.message


def test_refuses():
    refusal = turn(reply=NOT_FOUND, citations=[])
    assert verdicts({"refuses": True}, refusal) == ["pass"]
    assert verdicts({"refuses": True}, turn(reply="המסמכים לא מכסים את השאלה הזאת")) == ["pass"]
    assert "expected a refusal" in failure({"refuses": True}).message
    assert "expected no refusal" in failure({"refuses": False}, refusal).message
    assert is_refusal(NOT_FOUND, NOT_FOUND) and not is_refusal(None, NOT_FOUND)


def test_route_sensitive_handoff():
    local = turn(
        route={"route": "local", "provider": "local"}, sensitive=True, sensitivity_types=["name"], status="handoff"
    )
    assert verdicts({"route": "local", "sensitive": True, "handoff": True}, local) == ["pass"] * 3
    assert "expected route api, got local" in failure({"route": "api"}, local).message
    assert "expected sensitive=False, got True (['name'])" in failure({"sensitive": False}, local).message
    assert "expected handoff=False, got True" in failure({"handoff": False}, local).message
    assert verdicts({"route": "none"}, turn(route={})) == ["pass"]  # template replies route nowhere


def test_no_personal_data_to_api_from_the_ledger_and_the_wire():
    clean = turn(
        llm=[
            {"locality": "local", "sensitive": True, "cost_usd": 0.0},
            {"locality": "api", "sensitive": False, "cost_usd": 0.001},
        ]
    )
    assert [c.status for c in run({}, clean) if c.kind == "privacy"] == ["pass"]
    leaked = turn(llm=[{"locality": "api", "sensitive": True, "cost_usd": 0.001}])
    c = failure({}, leaked)
    assert c.kind == "privacy" and "1 ledger rows" in c.message
    wire = turn(api_leaks=["FakeOpenAI: name, phone"])
    assert "1 captured requests" in failure({}, wire).message
    assert run({"no_personal_data_to_api": False}, leaked) == []  # switched off: not checked at all


def test_latency_and_cost_ceilings():
    record = turn(latency_ms=900.0, llm=[{"locality": "api", "sensitive": False, "cost_usd": 0.02}])
    assert verdicts({"max_latency_ms": 1000, "max_cost_usd": 0.05}, record) == ["pass", "pass"]
    assert "latency 900 ms, ceiling 500 ms" in failure({"max_latency_ms": 500}, record).message
    assert "cost $0.02000, ceiling $0.01000" in failure({"max_cost_usd": 0.01}, record).message


def test_judge_pass_fail_and_skip_never_silently_pass():
    def judge(criterion, view):
        return {
            "grounded": ("pass", "נתמך בציטוט"),
            "relevant": ("fail", "לא עונה על השאלה"),
            "polite_hebrew": ("skip", "judge model unreachable"),
        }[criterion]

    checks = run({"judge": ["grounded", "relevant", "polite_hebrew"]}, judge=judge)
    judged = {c.message.split("· ")[1].split(":")[0]: c.status for c in checks if c.kind == "judge"}
    assert [c.status for c in checks if c.kind == "judge"] == ["pass", "fail", "skip"], judged
    assert any("relevant: לא עונה על השאלה" in c.message for c in checks if c.status == "fail")
    skipped = [c for c in run({"judge": ["grounded"]}) if c.kind == "judge"]
    assert skipped[0].status == "skip" and "no judge model" in skipped[0].message


def test_end_of_conversation_semantics():
    t1 = turn(
        n=1,
        intent="appointment_request",
        reply="איך קוראים לך?",
        reply_mode="template",
        route={},
        slots={"service": "הלבנת שיניים"},
    )
    t2 = turn(
        n=2,
        intent="provide_details",
        reply="תודה דנה",
        reply_mode="template",
        route={},
        slots={"service": "הלבנת שיניים", "name": "דנה"},
        events=[{"type": "lead.captured"}],
        jobs=[JobRecord("1", "zoho_crm.upsert_lead", {"last_name": "דנה"})],
        latency_ms=300.0,
    )
    exp = Expectations.model_validate(
        {
            "intent": "appointment_request",
            "slots": {"name": "דנה"},
            "events": ["lead.captured"],
            "jobs": [{"action": "zoho_crm.upsert_lead", "count": 1}],
            "reply": {"contains": ["איך קוראים", "תודה"]},
            "route": "none",
            "handoff": False,
            "max_latency_ms": 400,
        }
    )
    checks = check_end(exp, [t1, t2], not_found_reply=NOT_FOUND)
    assert {c.status for c in checks} == {"pass"}, [c.message for c in checks if c.status != "pass"]
    failed = check_end(Expectations(max_latency_ms=200), [t1, t2], not_found_reply=NOT_FOUND)
    bad = [c for c in failed if c.status == "fail"]
    assert bad[0].message.startswith("סוף השיחה · ")
    assert "end of conversation · latency: latency 300 ms" in bad[0].message
    api_then_local = [turn(n=1, route={"route": "api"}), turn(n=2, route={"route": "local"})]
    route = check_end(Expectations(route="api"), api_then_local, not_found_reply=NOT_FOUND)
    assert [c.status for c in route if c.kind == "route"] == ["fail"]


def test_jobs_that_fail_in_the_sandbox_fail_the_turn():
    ok = turn(jobs=[JobRecord("1", "whatsapp.send_message", {"to": "972501234567"}, "succeeded")])
    assert [c for c in run({}, ok) if c.kind == "jobs_ran"] == []
    dead = turn(
        jobs=[
            JobRecord(
                "1",
                "n8n.trigger_workflow",
                {"workflow": "x"},
                "dead",
                "misconfigured: workflow 'x' is not in this tenant's n8n workflows list",
            )
        ]
    )
    c = failure({}, dead)
    assert c.kind == "jobs_ran" and "n8n.trigger_workflow: dead (misconfigured: workflow 'x'" in c.message
    plugin = turn(
        jobs=[
            JobRecord(
                "1",
                "acme.notify",
                {},
                "dead",
                "misconfigured: no sandbox fake for connector 'acme': its jobs are planned",
            )
        ]
    )
    assert [c for c in run({}, plugin) if c.kind == "jobs_ran"] == []
