"""The ``workflows`` section of a tenant: rules that turn the agent's domain events into connector jobs.

A rule names an event type (``on``), optional declarative conditions on the event's fields
(``when``: every condition must hold) and the connector actions to run (``do``). String parameters
may be templates rendered from the event in a sandbox (see :mod:`sochen.workflows.templating`)::

    workflows:
      holidays: [2026-09-21, 2026-09-22]
      rules:
        - name: new lead to the CRM
          on: lead.captured
          when:
            - {field: slots.phone, exists: true}
          do:
            - id: lead
              action: zoho_crm.upsert_lead
              params: {last_name: "{{ event.slots.name }}", phone: "{{ event.slots.phone | e164 }}"}
            - action: zoho_crm.create_task
              params:
                subject: "לחזור ל{{ event.slots.name }}"
                related: {module: Leads, id: "{{ steps.lead.id }}"}
                due_date: "{{ next_business_day() }}"

Checking actions and parameters against the installed connectors needs the registry, so it is not
done here: :func:`sochen.workflows.validate_rules` does it at ``tenant apply`` time.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from typing import Any, Literal

from pydantic import ConfigDict, Field, field_validator, model_validator

from ._base import StrictModel

__all__ = ["EVENT_TYPES", "ActionCall", "Condition", "EventType", "Rule", "WorkflowsConfig"]

EventType = Literal[
    "lead.captured",
    "appointment.requested",
    "booking.requested",
    "booking.confirmed",
    "booking.cancelled",
    "question.answered",
    "handoff.requested",
    "conversation.closed",
    "reply",
]
EVENT_TYPES: tuple[str, ...] = EventType.__args__  # type: ignore[attr-defined]
"""The domain events the agent produces and rules may react to."""

WORKFLOW_EVENT = r"workflow\.[A-Za-z0-9_][A-Za-z0-9_.-]{0,60}"
"""Events an automation sends to Sochen (``workflow.<its event name>``)."""

_PATH = r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)*$"
_OPERATORS = ("equals", "in_", "exists", "matches")


class Condition(StrictModel):
    """One test on a field of the event; write exactly one of equals / in / exists / matches."""

    model_config = ConfigDict(serialize_by_alias=True)

    field: str = Field(
        pattern=_PATH,
        description="Dotted path into the event, e.g. 'slots.service', 'channel', 'reason' or 'type' "
        "(a leading 'event.' is allowed and ignored); docs/workflows.md lists each event's fields, and "
        "`tenant apply` refuses a field the rule's event does not carry.",
    )
    equals: Any = Field(default=None, description="The field equals this value (not null: use `exists: false`).")
    in_: list[Any] | None = Field(default=None, alias="in", description="The field equals one of these values.")
    exists: bool | None = Field(
        default=None, description="true: the field is present and not empty; false: it is absent or empty."
    )
    matches: str | None = Field(
        default=None, max_length=500, description="The field, as text, matches this regular expression (re.search)."
    )

    @field_validator("field")
    @classmethod
    def _strip_event(cls, value: str) -> str:
        return value[len("event.") :] if value.startswith("event.") else value

    @field_validator("matches")
    @classmethod
    def _compiles(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"not a valid regular expression: {exc}") from None
        return value

    @model_validator(mode="after")
    def _one_operator(self) -> Condition:
        given = [op for op in _OPERATORS if getattr(self, op) is not None]
        if len(given) != 1:
            names = ", ".join(o.rstrip("_") for o in given) or "none"
            raise ValueError(f"write exactly one of equals / in / exists / matches (got {names})")
        return self


class ActionCall(StrictModel):
    """One connector action a rule runs."""

    action: str = Field(
        pattern=r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$",
        description="'connector.action', e.g. 'zoho_crm.upsert_lead' (see `sochen connectors list`).",
    )
    id: str | None = Field(
        default=None,
        pattern=r"^[a-z][a-z0-9_]{0,62}$",
        description="Name of this step, so later steps of the rule can use its result as `steps.<id>` "
        "(they then wait until it has succeeded).",
    )
    params: dict[str, Any] = Field(
        default_factory=dict,
        description="Parameters of the action; strings may be templates such as '{{ event.slots.phone }}'.",
    )


class Rule(StrictModel):
    """When an event of type ``on`` matches ``when``, plan the actions of ``do``."""

    name: str | None = Field(default=None, max_length=200, description="A label for people and job listings.")
    on: str = Field(
        description=f"The event type: one of {', '.join(EVENT_TYPES)}, or `workflow.<name>` for an event an "
        "automation (n8n) sent to Sochen's inbound webhook with that `event` name (see docs/workflows.md)."
    )
    when: list[Condition] = Field(default_factory=list, description="Conditions that must all hold.")
    do: list[ActionCall] = Field(min_length=1, max_length=20, description="Actions to run, in order.")

    @model_validator(mode="before")
    @classmethod
    def _yaml_on(cls, data: Any) -> Any:
        # YAML 1.1 (PyYAML) reads the bare key `on` as the boolean True.
        if isinstance(data, dict) and True in data and "on" not in data:
            data = {("on" if k is True else k): v for k, v in data.items()}
        return data

    @field_validator("on")
    @classmethod
    def _known_event(cls, value: str) -> str:
        if value in EVENT_TYPES or re.fullmatch(WORKFLOW_EVENT, value):
            return value
        close = difflib.get_close_matches(value, EVENT_TYPES, n=1)
        tip = f" — did you mean '{close[0]}'?" if close else ""
        raise ValueError(
            f"unknown event '{value}'{tip} (events: {', '.join(EVENT_TYPES)}, "
            "or workflow.<name> for an automation's call)"
        )

    @model_validator(mode="after")
    def _reply_not_resent(self) -> Rule:
        if self.on == "reply":
            for call in self.do:
                if call.action.endswith(".send_message"):
                    raise ValueError(
                        f"`{call.action}` on `reply`: the agent's replies are sent through the conversation's "
                        "own channel by Sochen itself; remove this rule (it would send every reply twice). "
                        "Rules are for business actions (a CRM record, a task, an automation)."
                    )
        return self

    @model_validator(mode="after")
    def _step_ids_unique(self) -> Rule:
        seen: set[str] = set()
        for call in self.do:
            if call.id is not None:
                if call.id in seen:
                    raise ValueError(f"step id '{call.id}' is used twice in one rule")
                seen.add(call.id)
        return self


class WorkflowsConfig(StrictModel):
    """The tenant's workflow rules and business calendar."""

    rules: list[Rule] = Field(default_factory=list, description="Rules, evaluated in order for every event.")
    holidays: list[dt.date] = Field(
        default_factory=list,
        description="Dates (YYYY-MM-DD) that are not business days, e.g. Israeli holidays; "
        "Friday and Saturday never are.",
    )
    max_attempts: int = Field(
        default=8, ge=1, le=100, description="Attempts per job before it is parked as dead for a person to look at."
    )
