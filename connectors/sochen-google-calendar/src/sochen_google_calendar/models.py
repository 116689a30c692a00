"""The parameters and results of the calendar's actions (typed: the dispatcher stores them as JSON)."""

from __future__ import annotations

import datetime as dt
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, Field, field_validator

from sochen.connectors.http import ActionParams

from .slots import parse_hours

__all__ = ["BookingRequest", "BookingResult", "CancelRequest", "CancelResult", "OfferedSlot", "SlotOffer", "SlotsQuery"]


class _Scheduling(ActionParams):
    """What every scheduling action needs: the business's hours, the service's length, where to look."""

    service: str = Field(default="", max_length=200, description="The service booked, e.g. 'ניקוי אבנית'.")
    duration_minutes: int | None = Field(
        default=None, ge=5, le=600, description="Length of the appointment; default: `durations[service]`."
    )
    durations: dict[str, int] = Field(
        default_factory=dict, description="Minutes per service, e.g. {'ניקוי אבנית': 45, 'שתל': 90}."
    )
    default_minutes: int = Field(default=30, ge=5, le=600, description="Minutes of a service not in `durations`.")
    hours: dict[str, list[str]] = Field(
        description="When appointments may start, per day: the tenant's `agent.hours` "
        "({'sunday': ['08:00-18:30'], ...}); a day not listed is closed."
    )
    holidays: list[dt.date] = Field(default_factory=list, description="Closed days (the tenant's holidays).")
    timezone: str = Field(default="Asia/Jerusalem", description="The business's IANA time zone.")
    count: int = Field(default=3, ge=1, le=10, description="How many slots to propose.")
    step_minutes: int = Field(default=30, ge=5, le=240, description="The grid of start times, from each opening.")
    min_notice_minutes: int = Field(default=60, ge=0, le=10080, description="No slot starts sooner than this.")
    horizon_days: int = Field(default=14, ge=1, le=90, description="How far ahead to look.")
    requested_at: dt.datetime | None = Field(
        default=None,
        description="When the patient asked (the message's time): slots start after it (else after the clock's now).",
    )

    @field_validator("hours")
    @classmethod
    def _valid_hours(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        parse_hours(value)
        return value

    @field_validator("timezone")
    @classmethod
    def _valid_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone '{value}' (an IANA name such as Asia/Jerusalem)") from None
        return value

    def minutes(self) -> int:
        """The appointment's length in minutes."""
        if self.duration_minutes is not None:
            return self.duration_minutes
        return self.durations.get(self.service, self.default_minutes)


class SlotsQuery(_Scheduling):
    """Find the nearest free slots (``propose_slots``)."""

    preferred_time: str | None = Field(
        default=None, description="The patient's preferred time (ISO 8601; without an offset: the business's zone)."
    )


class BookingRequest(_Scheduling):
    """Book one slot (``create_event``); when it was taken meanwhile, propose again."""

    booking_key: str = Field(
        min_length=8, max_length=200, description="The booking's stable key: one event per key, however often run."
    )
    start: str = Field(description="The slot's start (ISO 8601; without an offset: the business's zone).")
    name: str = Field(default="", max_length=200, description="The patient's name (the event's title).")
    phone: str = Field(default="", max_length=40, description="The patient's phone (the event's description).")
    notes: str = Field(default="", max_length=2000, description="More for the event's description.")


class CancelRequest(ActionParams):
    """Cancel the booking made under ``booking_key`` (``cancel_event``)."""

    booking_key: str = Field(min_length=8, max_length=200, description="The key the booking was made under.")


class OfferedSlot(BaseModel):
    """One slot offered to the patient."""

    number: int = Field(description="1, 2, 3 … as the patient sees it.")
    start: str = Field(description="RFC 3339 with the offset of the business's zone.")
    end: str = Field(description="RFC 3339 with the offset of the business's zone.")
    label: str = Field(description="Hebrew: 'יום שלישי 10.03 בשעה 10:00'.")


class SlotOffer(BaseModel):
    """The nearest free slots, and the Hebrew message that offers them."""

    service: str = Field(description="The service the slots are for.")
    duration_minutes: int = Field(description="Length of each slot.")
    offer: list[OfferedSlot] = Field(description="The slots, in time order (empty: nothing free).")
    text: str = Field(description="The message to the patient (Hebrew), the slots numbered.")


class BookingResult(BaseModel):
    """A booked slot, or a new offer when the slot was taken meanwhile."""

    status: Literal["booked", "taken"] = Field(description="booked, or taken (then `offer` has new slots).")
    booking_key: str = Field(description="The booking's key.")
    event_id: str = Field(description="The calendar event's id (derived from the key).")
    service: str = Field(description="The service booked.")
    start: str = Field(description="The slot asked for (RFC 3339).")
    end: str = Field(description="Its end (RFC 3339).")
    offer: list[OfferedSlot] = Field(description="New slots when taken; empty when booked.")
    text: str = Field(description="The message to the patient (Hebrew): the confirmation or the new offer.")


class CancelResult(BaseModel):
    """What cancelling did."""

    status: Literal["cancelled", "already_cancelled"] = Field(description="cancelled now, or it already was.")
    booking_key: str = Field(description="The booking's key.")
    event_id: str = Field(description="The calendar event's id.")
    offer: list[OfferedSlot] = Field(default_factory=list, description="Always empty: nothing is offered any more.")
    text: str = Field(description="The message to the patient (Hebrew).")
