"""Booking in the example clinic, end to end: the real graph, outbox, rules and dispatcher, the Google Calendar
plugin against its fake (through the eval sandbox), WhatsApp against the fake Graph API.

A patient asks for an appointment → three free slots inside the opening hours are sent to her → she picks the
second → one event with her details is in the calendar, and a confirmation is sent → the job run again (a lost
answer, a redelivery) creates no second event. The model never calls a connector: events → rules → jobs.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from sochen.config import get_settings, parse_tenant_yaml
from sochen.db.migrate import upgrade
from sochen.db.models_outbox import DomainEvent, Job
from sochen.db.session import session_scope
from sochen.db.tenants import store_version
from sochen.rag.retriever import Retriever
from sochen.tenancy import resolver_for
from sochen.workflows.conversations import Inbound, handle_message

pytest.importorskip(
    "sochen_google_calendar", reason="the sochen-google-calendar plugin is installed by scripts/setup.sh"
)

pytestmark = pytest.mark.unit

CLINIC = Path(__file__).resolve().parents[2] / "examples" / "tenants" / "clinic" / "tenant.yaml"
TZ = ZoneInfo("Asia/Jerusalem")
# Thursday 25.03.2027, the day before Israel moves to summer time (+02:00 → +03:00 on Friday 26.03).
START = datetime(2027, 3, 25, 10, 0, tzinfo=TZ)
CONTACT = "972501113301"


@pytest.fixture
def clinic(tmp_path: Path) -> Any:
    from sochen.evals.sandbox import Sandbox

    text = CLINIC.read_text(encoding="utf-8")
    config = parse_tenant_yaml(text)
    settings = get_settings()
    upgrade(settings.database_url)
    with session_scope(settings.database_url) as s:
        store_version(
            s,
            slug="clinic",
            name=config.name,
            config=config.model_dump(mode="json"),
            digest=config.digest(),
            source_text=text,
            source_path=None,
        )
    with Sandbox(config, folder=tmp_path / "sandbox") as sandbox:
        yield sandbox
    from sochen.agents.graph import forget_checkpointers

    forget_checkpointers()


class Patient:
    """One patient writing to the clinic on WhatsApp; after each turn the jobs run, as the worker would."""

    def __init__(self, sandbox: Any) -> None:
        self.sandbox = sandbox
        self.settings = sandbox.settings(get_settings())
        self.retriever = Retriever(get_settings())
        self.n = 0

    def say(self, text: str) -> tuple[Any, list[Any]]:
        self.n += 1
        at = START + timedelta(minutes=self.n)
        inbound = Inbound("clinic", "whatsapp", CONTACT, text, f"wamid.booking.{self.n}", at, "Dana", f"+{CONTACT}")
        tenant = resolver_for(get_settings()).live("clinic")
        result = handle_message(self.settings, inbound, retriever=self.retriever, tenant=tenant)
        records = self.sandbox.run_jobs(result.jobs, at)
        assert [(r.action, r.status, r.error) for r in records if r.status != "succeeded"] == []
        return result, records

    def sent(self, records: list[Any]) -> list[str]:
        return [r.params["text"] for r in records if r.action == "whatsapp.send_message"]


def test_a_patient_books_the_second_of_three_slots_once(clinic: Any) -> None:
    patient = Patient(clinic)
    calendar = clinic.fakes["google_calendar"].fake
    # Someone else already has Sunday 09:30–10:00 (summer time): it is never offered.
    calendar.block("2027-03-28T09:30:00+03:00", "2027-03-28T10:00:00+03:00", calendar_id=calendar.calendar_id)

    first, records = patient.say("שמי דנה כהן, אני רוצה לקבוע תור לניקוי אבנית ביום ראשון ב-10")
    assert "בודקת ביומן" in (first.reply or "")
    assert [e["type"] for e in first.outcome["events"]][:3] == [
        "lead.captured",
        "appointment.requested",
        "booking.requested",
    ]
    (offer,) = [t for t in patient.sent(records) if t.startswith("אלה המועדים הפנויים")]
    assert "1. יום ראשון 28.03 בשעה 10:00" in offer
    assert "2. יום ראשון 28.03 בשעה 10:30" in offer
    assert "3. יום ראשון 28.03 בשעה 11:00" in offer and "09:30" not in offer
    assert calendar.live_events() == []  # proposing books nothing

    second, records = patient.say("2")
    assert [e["type"] for e in second.outcome["events"]] == ["booking.confirmed", "reply"]
    (event,) = calendar.live_events()
    assert event["start"] == {"dateTime": "2027-03-28T10:30:00+03:00", "timeZone": "Asia/Jerusalem"}
    assert event["end"]["dateTime"] == "2027-03-28T11:15:00+03:00"  # ניקוי אבנית: 45 minutes
    assert event["summary"] == "ניקוי אבנית — דנה כהן"
    assert f"+{CONTACT}" in event["description"]
    assert any("קבענו לך תור לניקוי אבנית ביום ראשון 28.03 בשעה 10:30" in t for t in patient.sent(records))

    # The booking job again (a redelivered task, an answer lost on the way back): still one event.
    (booking,) = [r for r in records if r.action == "google_calendar.create_event"]
    with session_scope(clinic.database_url) as s:
        job = s.get(Job, booking.id)
        assert job is not None
        job.status = "pending"  # as if its answer was lost and the dispatcher runs it again
    (again,) = clinic.run_jobs([booking.id], START + timedelta(minutes=10))
    assert again.status == "succeeded"
    assert len(calendar.live_events()) == 1
    inserts = calendar.requests_to("/events", "POST")
    assert len(inserts) == 1  # the retry read the event back instead of inserting

    # The offer is spent: "2" again is not a second booking.
    third, _ = patient.say("2")
    assert "booking.confirmed" not in [e["type"] for e in third.outcome["events"]]


def test_a_slot_taken_meanwhile_is_offered_again_and_a_booking_is_cancelled(clinic: Any) -> None:
    patient = Patient(clinic)
    calendar = clinic.fakes["google_calendar"].fake
    patient.say("שמי דנה כהן, אני רוצה לקבוע תור לניקוי אבנית ביום ראשון ב-10")
    # Between the offer and the pick, the 10:00 slot is taken by a phone booking.
    calendar.block("2027-03-28T10:00:00+03:00", "2027-03-28T10:45:00+03:00", calendar_id=calendar.calendar_id)
    _, records = patient.say("הראשון")
    assert calendar.live_events() == []
    (again,) = [t for t in patient.sent(records) if "נתפס בינתיים" in t]
    assert "1. " in again and "10:00" not in again.split("נתפס בינתיים", 1)[1]

    picked, records = patient.say("1")
    assert "booking.confirmed" in [e["type"] for e in picked.outcome["events"]]
    assert len(calendar.live_events()) == 1

    cancelled, records = patient.say("אני רוצה לבטל את התור")
    assert [e["type"] for e in cancelled.outcome["events"]] == ["booking.cancelled", "reply"]
    assert calendar.live_events() == []
    assert any("התור בוטל" in t for t in patient.sent(records))

    # Asked again after the cancellation, the same hour is a new booking (a new key), not the cancelled one.
    again, records = patient.say("אני רוצה לקבוע שוב תור לניקוי אבנית ביום ראשון ב-9")
    assert "lead.captured" not in [e["type"] for e in again.outcome["events"]]  # the same lead, a new booking
    (offer,) = [t for t in patient.sent(records) if t.startswith("אלה המועדים הפנויים")]
    assert "2. יום ראשון 28.03 בשעה 08:30" in offer  # the hour that was booked and cancelled
    patient.say("2")
    (event,) = calendar.live_events()
    assert event["start"]["dateTime"] == "2027-03-28T08:30:00+03:00"
    with session_scope(clinic.database_url) as s:
        types = list(s.scalars(select(DomainEvent.type).order_by(DomainEvent.created_at)))
    assert types.count("booking.requested") == 2 and types.count("booking.cancelled") == 1
    assert types.count("booking.confirmed") == 3 and types.count("lead.captured") == 1
