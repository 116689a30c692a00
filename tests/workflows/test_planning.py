"""plan_jobs: matching rules, rendered parameters, stable idempotency keys."""

from __future__ import annotations

import datetime as dt

import pytest

from sochen.workflows import Event, event_key, job_key, plan_jobs

from ._support import SIMPLE_RULES, T0, lead_event, workflows

pytestmark = pytest.mark.unit

CHAIN = [
    {
        "name": "lead, then a task on it",
        "on": "lead.captured",
        "when": [{"field": "slots.phone", "exists": True}],
        "do": [
            {"id": "lead", "action": "zoho_crm.upsert_lead", "params": {"last_name": "{{ event.slots.name }}"}},
            {
                "action": "zoho_crm.create_task",
                "params": {
                    "subject": "לחזור ל{{ event.slots.name }}",
                    "related": {"module": "Leads", "id": "{{ steps.lead.id }}"},
                    "due_date": "{{ next_business_day() }}",
                },
            },
        ],
    },
    {"on": "reply", "do": [{"action": "zoho_crm.add_note", "params": {"content": "{{ event.text }}"}}]},
]


def test_event_keys_are_stable_and_distinct():
    a = lead_event(turn=3)
    assert a.key == lead_event(turn=3).key == event_key("clinic", "conv-1", 3, "lead.captured")
    assert a.key != lead_event(turn=4).key
    assert a.key != event_key("clinic", "conv-1", 3, "reply")
    assert a.key != event_key("clinic", "conv-1", 3, "lead.captured", "second")
    with pytest.raises(ValueError, match="unknown event type"):
        Event.create("lead.lost", tenant="clinic", conversation_id="c", turn=1)
    with pytest.raises(ValueError, match="reserved"):
        Event.create("reply", tenant="clinic", conversation_id="c", turn=1, payload={"type": "x"})


def test_plan_renders_params_and_keys_are_stable():
    jobs = plan_jobs(lead_event(), workflows(SIMPLE_RULES), T0)
    (job,) = jobs
    assert job.action == "zoho_crm.upsert_lead"
    assert job.params == {"last_name": "דנה כהן", "phone": "+972501234567"}
    assert job.key == job_key(lead_event().key, 0, 0)
    again = plan_jobs(lead_event(), workflows(SIMPLE_RULES), T0 + dt.timedelta(hours=1))
    assert [j.key for j in again] == [job.key]  # later replanning of the same event: same keys
    other = plan_jobs(lead_event(turn=2), workflows(SIMPLE_RULES), T0)
    assert other[0].key != job.key


def test_only_matching_rules_plan_and_in_order():
    assert plan_jobs(lead_event(phone=""), workflows(CHAIN), T0) == []
    jobs = plan_jobs(lead_event(), workflows(CHAIN, holidays=["2026-11-29"], max_attempts=3), T0)
    assert [j.action for j in jobs] == ["zoho_crm.upsert_lead", "zoho_crm.create_task"]
    lead, task = jobs
    assert lead.step == "lead" and lead.rule == "lead, then a task on it"
    assert task.depends_on == (lead.key,)
    assert task.params["due_date"] == "2026-11-30"  # Thursday → (Sunday is a holiday) Monday
    assert task.params["related"] == {"module": "Leads", "id": None}
    assert task.deferred["templates"] == [[["related", "id"], "{{ steps.lead.id }}"]]
    assert task.deferred["holidays"] == ["2026-11-29"]
    assert {j.max_attempts for j in jobs} == {3}


def test_a_rendering_failure_plans_a_job_with_its_error_and_the_rest_goes_on():
    rules = [
        {"on": "lead.captured", "do": [{"action": "a.b", "params": {"x": "{{ event.slots.email }}"}}]},
        *SIMPLE_RULES,
    ]
    bad, good = plan_jobs(lead_event(), workflows(rules), T0)
    assert bad.error and "params.x" in bad.error and "email" in bad.error
    assert good.error is None


def test_now_must_be_aware():
    with pytest.raises(ValueError, match="timezone-aware"):
        plan_jobs(lead_event(), workflows(SIMPLE_RULES), dt.datetime(2026, 1, 1))


BOOKING_RULE = {
    "name": "offer the calendar's slots where the patient wrote",
    "on": "booking.requested",
    "do": [
        {"id": "slots", "action": "google_calendar.propose_slots", "params": {"service": "{{ event.service }}"}},
        {
            "action": "channel.send_message",
            "params": {"type": "text", "to": "{{ event.to }}", "text": "{{ steps.slots.text }}"},
        },
    ],
}


def booking_event(payload: dict[str, object]) -> Event:
    return Event.create("booking.requested", tenant="clinic", conversation_id="conv-1", turn=1, payload=payload)


@pytest.mark.parametrize("channel", ["whatsapp", "webchat"])
def test_channel_actions_run_on_the_conversations_own_channel(channel: str) -> None:
    event = booking_event({"service": "ניקוי אבנית", "to": "972501234567", "channel": channel})
    slots, send = plan_jobs(event, workflows([BOOKING_RULE]), T0)
    assert slots.action == "google_calendar.propose_slots"
    assert (send.action, send.error, send.depends_on) == (f"{channel}.send_message", None, (slots.key,))
    assert send.params["to"] == "972501234567" and send.deferred["templates"]  # the text waits for the slots


def test_a_channel_action_without_a_channel_is_planned_dead_with_the_reason() -> None:
    event = booking_event({"service": "ניקוי אבנית", "to": "972501234567"})
    _, send = plan_jobs(event, workflows([BOOKING_RULE]), T0)
    assert send.error is not None and "conversation's channel" in send.error
