"""The scenario file format: Hebrew conversations with expectations, in YAML (this module is the contract).

A scenario file holds ``scenarios:``, a list of :class:`Scenario`. Each scenario is a conversation
with one contact: optional starting state, then user turns, each with expectations, and
expectations on the whole conversation at the end. ``sochen evals schema`` prints the JSON Schema
for editor validation (VS Code: ``# yaml-language-server: $schema=...`` at the top of the file).

Example::

    scenarios:
      - id: lead-one-message
        title: ליד עם כל הפרטים בהודעה אחת
        category: lead_capture
        turns:
          - user: "שמי דנה כהן, אני רוצה תור להלבנת שיניים מחר ב-5"
            expect:
              intent: appointment_request
              slots: {name: "דנה כהן", phone: {e164: "+972501234567"}}
              events: [lead.captured]
              jobs: [{action: zoho_crm.upsert_lead, params: {phone: "+972501234567"}}]
              reply: {contains_all: ["דנה"], contains_any: ["הלבנה", "הלבנת שיניים"]}
              route: local
              handoff: false

``channel`` (default ``whatsapp``) is the connector the person writes through; ``channel: webchat`` is an
anonymous visitor of the tenant's site (no phone until they write one). The tenant must have it.

``reply.contains`` (= ``contains_all``) needs every string; ``contains_any`` one of them. An action
in ``jobs`` / ``jobs_not`` is ``connector.action``; ``sochen evals validate`` and ``evals run`` check that
it is one an installed connector offers.

Value matchers (in ``slots`` and job ``params``): a plain value must be equal (strings compared after
Hebrew normalisation), ``{e164: "+9725..."}`` compares phone numbers in E.164, ``{contains: "..."}``,
``{matches: "regex"}``, ``{any: true}`` (set, whatever the value; ``{any: false}``: not set).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = [
    "Cites",
    "Expectations",
    "JobExpectation",
    "ReplyExpectation",
    "Scenario",
    "ScenarioFile",
    "StartState",
    "Turn",
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


Matcher = Any
"""A plain value, or one of {e164: ...}, {contains: ...}, {matches: ...}, {any: true}."""


class ReplyExpectation(_Strict):
    """What the agent's reply must (not) say."""

    contains: list[str] = Field(
        default_factory=list,
        description="All of these must appear (after Hebrew normalisation); the same as `contains_all`.",
    )
    contains_all: list[str] = Field(
        default_factory=list, description="All of these must appear (after Hebrew normalisation)."
    )
    contains_any: list[str] = Field(
        default_factory=list,
        description="At least one of these must appear (after Hebrew normalisation): spelling variants, "
        "synonyms, '₪250' or '250 ש\"ח'.",
    )
    not_contains: list[str] = Field(default_factory=list, description="None may appear.")
    matches: str | None = Field(default=None, description="A regular expression the reply must match.")
    silent: bool | None = Field(default=None, description="true: no reply at all (a person has the conversation).")


class Cites(_Strict):
    """A citation the reply must carry."""

    document: str = Field(description="Part of the cited document's title.")
    clause: str | None = Field(default=None, description="Part of the cited section path, e.g. '7.2'.")


class JobExpectation(_Strict):
    """A connector job the turn (or conversation) must plan."""

    action: str = Field(description="connector.action, e.g. zoho_crm.upsert_lead.")
    params: dict[str, Matcher] = Field(default_factory=dict, description="Field matchers on the rendered params.")
    count: int | None = Field(default=None, ge=0, description="Exactly this many such jobs (default: at least one).")


class Expectations(_Strict):
    """Assertions on one turn (or, under ``expect_end``, on the whole conversation)."""

    intent: str | None = Field(default=None, description="The intent the agent read.")
    slots: dict[str, Matcher] = Field(default_factory=dict, description="Slots set, with value matchers.")
    slots_not_set: list[str] = Field(default_factory=list, description="Slots that must still be empty.")
    events: list[str] = Field(default_factory=list, description="Event types emitted.")
    events_not: list[str] = Field(default_factory=list, description="Event types not emitted.")
    jobs: list[JobExpectation] = Field(default_factory=list, description="Connector jobs planned.")
    jobs_not: list[str] = Field(default_factory=list, description="Actions that must not be planned.")
    reply: ReplyExpectation | None = Field(default=None, description="Reply content.")
    cites: list[Cites] = Field(default_factory=list, description="Citations the reply must carry.")
    refuses: bool | None = Field(default=None, description="true: says the documents do not cover the question.")
    route: Literal["local", "api", "none"] | None = Field(default=None, description="Where the model call went.")
    sensitive: bool | None = Field(default=None, description="Whether personal data was found in the message.")
    no_personal_data_to_api: bool = Field(default=True, description="Checked always unless set to false.")
    handoff: bool | None = Field(default=None, description="Whether the conversation is with a person afterwards.")
    max_latency_ms: float | None = Field(default=None, gt=0, description="Ceiling on the turn's latency.")
    max_cost_usd: float | None = Field(default=None, ge=0, description="Ceiling on the turn's model cost.")
    judge: list[Literal["grounded", "relevant", "polite_hebrew"]] = Field(
        default_factory=list, description="Model-judged checks, run on the tenant's judge model (local by default)."
    )


class Turn(_Strict):
    """One message from the person, and what must follow."""

    user: str | None = Field(default=None, description="Text the person sends.")
    button: str | None = Field(default=None, description="Title of a reply button the person taps (WhatsApp).")
    list_reply: str | None = Field(default=None, description="Title of a list row the person picks (WhatsApp).")
    media: Literal["image", "audio", "document", "video"] | None = Field(
        default=None, description="A media message (with `user` as its caption, if any)."
    )
    expect: Expectations = Field(default_factory=Expectations, description="Assertions on this turn.")

    @model_validator(mode="after")
    def _something_sent(self) -> Turn:
        if not (self.user or self.button or self.list_reply or self.media):
            raise ValueError("a turn needs one of: user, button, list_reply, media")
        return self


class StartState(_Strict):
    """Where the scenario starts."""

    now: datetime | None = Field(default=None, description="The clock at the first turn (timezone-aware).")
    crm_records: list[dict[str, Any]] = Field(
        default_factory=list, description="Records present in the sandbox CRM, e.g. {module: Leads, fields: {...}}."
    )
    history: list[str] = Field(default_factory=list, description="Earlier user messages, replayed before the turns.")
    handoff: bool = Field(default=False, description="The conversation starts with a person.")


class Scenario(_Strict):
    """One Hebrew conversation with expectations."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]{1,80}$", description="Unique within the tenant's suite.")
    title: str = Field(min_length=1, description="What the scenario checks (Hebrew).")
    category: str = Field(min_length=1, description="Group for reports, e.g. lead_capture, prices, privacy.")
    tags: list[str] = Field(default_factory=list, description="Free labels.")
    channel: str = Field(
        default="whatsapp",
        pattern=r"^[a-z][a-z0-9_]{1,62}$",
        description="The channel connector the person writes through: `whatsapp` (default) or another of the "
        "tenant's channels, e.g. `webchat`. The tenant must have that connector; its replies are sent (and its "
        "jobs run) through that connector's sandbox.",
    )
    contact: dict[str, str] = Field(
        default_factory=lambda: {"id": "972501234567", "name": "לקוח"},
        description="The sender: WhatsApp id (digits) and profile name. On `webchat` the visitor is anonymous: "
        "`id` is how checks name the visitor (the run opens a fresh `wc_...` visitor), never a phone, and "
        "there is no profile name; a phone the visitor writes becomes the lead's phone.",
    )
    start: StartState = Field(default_factory=StartState, description="Starting state.")
    turns: list[Turn] = Field(min_length=1, description="The conversation.")
    expect_end: Expectations = Field(default_factory=Expectations, description="Assertions on the whole conversation.")


class ScenarioFile(_Strict):
    """A YAML file of scenarios."""

    scenarios: list[Scenario] = Field(min_length=1, description="The scenarios in this file.")

    @model_validator(mode="after")
    def _unique_ids(self) -> ScenarioFile:
        ids = [s.id for s in self.scenarios]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"scenario ids must be unique: {duplicates}")
        return self
