"""The ``agent`` section of a tenant: what the conversation agent collects, how it answers, and its replies."""

from __future__ import annotations

import re
from datetime import time
from typing import Literal

from pydantic import Field, field_validator, model_validator

from ._base import StrictModel

__all__ = ["AgentConfig", "EmergencyConfig", "OpeningHours", "ReplyTemplates", "SlotSpec", "StaffMember"]

SlotKind = Literal["name", "phone", "email", "service", "datetime", "text"]


class SlotSpec(StrictModel):
    """One piece of information the agent gathers for a lead or an appointment."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_]{0,40}$", description="Key in the event's slots, e.g. 'phone'.")
    kind: SlotKind = Field(description="How it is recognised: name, phone, email, service, datetime or free text.")
    prompt: str = Field(min_length=1, description="The question that asks for it (Hebrew).")
    required: bool = Field(default=True, description="Whether the lead is complete without it.")
    default_from_channel: bool = Field(
        default=False,
        description="phone only: the sender's WhatsApp number fills it unless the person gives another.",
    )


def _default_slots() -> list[SlotSpec]:
    return [
        SlotSpec(name="name", kind="name", prompt="איך קוראים לך?"),
        SlotSpec(name="phone", kind="phone", prompt="לאיזה מספר טלפון נחזור אליך?", default_from_channel=True),
        SlotSpec(name="service", kind="service", prompt="באיזה טיפול או שירות מדובר?"),
        SlotSpec(name="preferred_time", kind="datetime", prompt="מתי נוח לך להגיע? (למשל: מחר ב-10, יום ראשון הבא)"),
    ]


class ReplyTemplates(StrictModel):
    """Fixed replies, in the tenant's language. ``{name}``, ``{service}``, ``{when}`` are filled from slots."""

    greeting: str = Field(default="שלום! כאן {assistant}. איך אפשר לעזור?", description="Answer to a greeting.")
    lead_done: str = Field(
        default="תודה {name}! רשמנו את פנייתך בנושא {service} ({when}). נציג יחזור אליך בהקדם.",
        description="Said when every required slot is filled.",
    )
    handoff: str = Field(
        default="אני מעביר/ה את השיחה לנציג אנושי, שיחזור אליך בהקדם.",
        description="Said once when the conversation is handed to a person.",
    )
    complaint: str = Field(
        default="מצטערים לשמוע. העברנו את הפנייה לצוות ונציג יחזור אליך בהקדם.",
        description="Said when a complaint is handed to a person.",
    )
    out_of_scope: str = Field(
        default="אני יכול/ה לעזור בשאלות על השירותים, המחירים, שעות הפעילות וקביעת תורים.",
        description="Said when the message is outside what the agent does.",
    )
    not_understood: str = Field(
        default="לא בטוח/ה שהבנתי. אפשר לנסח אחרת?", description="Said when the message was not understood."
    )
    extractive_prefix: str = Field(
        default="לפי המסמכים שלנו:", description="Opens a model-free answer that quotes the documents."
    )
    outside_hours: str = Field(
        default="המועד שביקשת ({when}) מחוץ לשעות הפעילות שלנו ({day_hours}). המועד הקרוב שבו אנחנו פתוחים: "
        "{proposal}. מתאים לך? אפשר גם להציע מועד אחר.",
        description="Said when the requested time is outside the opening hours; {when} is the requested time, "
        "{day_hours} that day's hours (or that it is closed), {proposal} the nearest open time.",
    )
    staff_outside_hours: str = Field(
        default="המועד שביקשת ({when}) אינו בשעות הקבלה של {staff} ({schedule}). המועד הקרוב אצל {staff}: "
        "{proposal}. מתאים לך? אפשר גם להציע מועד אחר.",
        description="Said when the requested time is outside the hours of the person asked for (`agent.staff`); "
        "{staff} is the person, {schedule} their days and hours, {when} the requested time, {proposal} their "
        "nearest time.",
    )
    booking_checking: str = Field(
        default="תודה {name}! אני בודקת ביומן את המועדים הפנויים הקרובים ל{service} ({when}) ושולחת לך אותם מיד.",
        description="With `agent.booking`: said when an appointment request is complete and free slots are "
        "looked up (the slots follow in a message of the tenant's rule).",
    )
    booking_confirming: str = Field(
        default="מעולה, אני קובעת לך את התור ב{when}. אישור יגיע אליך מיד.",
        description="With `agent.booking`: said when the patient picked an offered slot; {when} is the slot.",
    )
    booking_cancelling: str = Field(
        default="ביקשת לבטל את התור ב{when}. אני מבטלת אותו ביומן, ואישור יגיע אליך מיד.",
        description="With `agent.booking`: said when the patient cancels the booked appointment.",
    )


_INTERVAL = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-4]):([0-5]\d)$")


class OpeningHours(StrictModel):
    """When appointments can be booked, per day of the Israeli week ("08:00-18:30"; an empty list is closed).

    The tenant's ``workflows.holidays`` are closed days too. Requested times are checked against these:
    a time outside them is not booked, the agent says so and proposes the nearest open time.
    """

    sunday: list[str] = Field(
        default_factory=list,
        description="Opening intervals on Sunday (יום ראשון) such as '08:00-18:30'; empty: closed.",
    )
    monday: list[str] = Field(default_factory=list, description="Opening intervals on Monday (יום שני); empty: closed.")
    tuesday: list[str] = Field(
        default_factory=list, description="Opening intervals on Tuesday (יום שלישי); empty: closed."
    )
    wednesday: list[str] = Field(
        default_factory=list, description="Opening intervals on Wednesday (יום רביעי); empty: closed."
    )
    thursday: list[str] = Field(
        default_factory=list, description="Opening intervals on Thursday (יום חמישי); empty: closed."
    )
    friday: list[str] = Field(
        default_factory=list, description="Opening intervals on Friday (יום שישי); empty: closed."
    )
    saturday: list[str] = Field(
        default_factory=list, description="Opening intervals on Saturday (יום שבת); empty: closed."
    )

    @field_validator("*")
    @classmethod
    def _intervals(cls, value: list[str]) -> list[str]:
        for interval in value:
            m = _INTERVAL.match(interval.replace(" ", "").replace("–", "-"))
            if m is None:
                raise ValueError(f"opening hours must look like '08:00-18:30', got {interval!r}")
            if (int(m.group(1)), int(m.group(2))) >= (int(m.group(3)), int(m.group(4))):
                raise ValueError(f"an interval must end after it starts: {interval!r}")
        return value

    def intervals(self, weekday: int) -> list[tuple[time, time]]:
        """The open intervals of a weekday (Python's numbering: Monday is 0, Sunday is 6)."""
        names = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
        out = []
        for interval in getattr(self, names[weekday]):
            a, b = interval.replace(" ", "").replace("–", "-").split("-")
            end = time(23, 59) if b == "24:00" else time.fromisoformat(b)
            out.append((time.fromisoformat(a), end))
        return sorted(out)

    def configured(self) -> bool:
        """Whether any day has hours (else requested times are not checked)."""
        return any(self.intervals(d) for d in range(7))


class StaffMember(StrictModel):
    """One of the people who receive patients, with the hours they receive (a subset of the opening hours)."""

    name: str = Field(min_length=2, description="The name as the business writes it, e.g. 'ד\"ר אלון גביש'.")
    aliases: list[str] = Field(
        default_factory=list,
        description="Other ways people write it ('ד\"ר גביש', 'אלון', 'הפודיאטור'), recognised after 'אצל', 'עם' "
        "or 'ל' ('אצל ראמי', 'עם הילה', 'לד\"ר גביש').",
    )
    services: list[str] = Field(
        default_factory=list,
        description="Services only this person gives (names from `agent.services`): a booking of one of them is "
        "checked against this person's hours even when the person is not named.",
    )
    hours: OpeningHours = Field(
        default_factory=OpeningHours,
        description="When this person receives, per weekday, as `agent.hours`; empty: the opening hours.",
    )


class EmergencyConfig(StrictModel):
    """What the agent says to an emergency, at any hour, before anything else (reviewed by a person)."""

    instructions: str = Field(
        default="אם מדובר במצב חירום רפואי — קוצר נשימה, דימום שאינו נפסק, חבלה קשה או אובדן הכרה — "
        'התקשרו מיד למד"א בטלפון 101 או פנו לחדר המיון הקרוב. העברנו את פנייתך גם לצוות.',
        min_length=1,
        max_length=1000,
        description="The emergency instructions in the tenant's language: whom to call, where to go. Left out, "
        "the general ones below are given (in English, Arabic or Russian too when the writer uses them), with the "
        "passage of the tenant's documents' emergency guidance that fits the message quoted before them "
        "(sochen.agents.emergency).",
    )
    keywords: list[str] = Field(
        default_factory=list,
        description="Extra words or phrases (Hebrew) that signal an emergency for this business, added to the "
        "built-in ones.",
    )


class AgentConfig(StrictModel):
    """The conversation agent of a tenant."""

    answer_mode: Literal["auto", "generative", "extractive", "extractive_first"] = Field(
        default="auto",
        description="'generative': a model writes grounded answers. 'extractive': no model — answers quote the "
        "documents with their citations (also the fallback of 'auto' when no model is configured or reachable "
        "and the request is not sensitive). 'auto': the model first, the quotes when it could not answer or its "
        "answer did not check out. 'extractive_first': the quotes first; the routed model is asked only when no "
        "clause answers, and its answer is shown only when it checks out (for a small local model, whose "
        "answers are slower and less sure than the rules').",
    )
    understanding: Literal["rules", "model"] = Field(
        default="rules",
        description="'rules': Hebrew keyword rules and deterministic extraction. 'model': a routed model also reads "
        "the intent and slots as schema-constrained JSON with Hebrew label definitions (one retry with the "
        "validation error); rules stay the fast path and the fallback, and a fixed policy decides disagreements "
        "(docs/understanding.md).",
    )
    slots: list[SlotSpec] = Field(
        default_factory=_default_slots,
        description="What a lead must include, asked in this order. Default: name (name), phone (phone, filled "
        "from the WhatsApp sender), service (service), preferred_time (datetime), all required. Writing this "
        "key replaces the whole list. `lead.captured` fires when every required slot is filled; its "
        "`event.slots` holds them by name.",
    )
    services: list[str] = Field(
        default_factory=list,
        description="Names of the services offered, recognised in messages (Hebrew, prefix-tolerant). This is "
        "what fills the `service` slot, so with the default slots it is what lets a lead complete and "
        "`lead.captured` fire; an empty list leaves most leads incomplete.",
    )
    service_aliases: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Other names of a service (English, Arabic, slang), e.g. {ניקוי אבנית: [teeth cleaning, "
        "تنظيف الأسنان]}; keys must be names from `services`.",
    )
    intent_keywords: dict[
        Literal[
            "human_request",
            "complaint",
            "appointment_request",
            "new_lead",
            "price_question",
            "hours_question",
            "service_question",
            "document_question",
            "small_talk",
        ],
        list[str],
    ] = Field(
        default_factory=dict,
        description="Extra words or phrases (Hebrew) that signal an intent for this business, added to the built-in "
        "ones, e.g. {appointment_request: [ייעוץ, פגישת היכרות]}.",
    )
    max_not_understood: int = Field(
        default=2, ge=1, le=10, description="Consecutive turns not understood before handing off to a person."
    )
    templates: ReplyTemplates = Field(
        default_factory=ReplyTemplates,
        description="Fixed replies. One left at its default (and a default slot's prompt) is said in English, Arabic "
        "or Russian to a person who writes in that language (sochen.agents.wording); one the tenant wrote is said "
        "as written.",
    )
    emergency: EmergencyConfig = Field(
        default_factory=EmergencyConfig, description="Emergency instructions, given before anything else."
    )
    hours: OpeningHours = Field(
        default_factory=OpeningHours,
        description="Bookable hours per weekday; empty means requested times are not checked.",
    )
    staff: list[StaffMember] = Field(
        default_factory=list,
        description="The people who receive patients and their own hours: a time asked with one of them (named, "
        "or by a service only they give) outside their hours is not booked; the agent says when they receive "
        "and proposes their nearest time (template `staff_outside_hours`).",
    )
    booking: bool = Field(
        default=False,
        description="Book appointments in a calendar: a complete appointment request emits `booking.requested` "
        "(with the hours and holidays), the patient's pick of an offered slot `booking.confirmed`, a "
        "cancellation `booking.cancelled`. The tenant's rules do the booking (e.g. google_calendar.propose_slots "
        "/ create_event / cancel_event) and send the result with `channel.send_message`; see docs/workflows.md.",
    )

    @model_validator(mode="after")
    def _aliases_name_services(self) -> AgentConfig:
        unknown = sorted(set(self.service_aliases) - set(self.services))
        if unknown:
            raise ValueError(f"service_aliases names services that are not in `services`: {unknown}")
        return self

    @model_validator(mode="after")
    def _staff_services_are_services(self) -> AgentConfig:
        unknown = sorted({s for m in self.staff for s in m.services} - set(self.services))
        if unknown:
            raise ValueError(f"staff[].services names services that are not in `services`: {unknown}")
        return self

    @model_validator(mode="after")
    def _unique_slots(self) -> AgentConfig:
        names = [s.name for s in self.slots]
        if len(names) != len(set(names)):
            raise ValueError(f"slot names must be unique: {names}")
        return self
