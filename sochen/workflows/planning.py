"""Planning: an event and the tenant's rules in, the connector jobs to store out. Pure: no I/O.

An action written ``channel.<action>`` (``channel.send_message``) runs on the connector of the
conversation the event came from (its ``channel`` field): a rule that answers a booking with the
calendar's offer sends it where the patient wrote, WhatsApp or any other channel.

Each job's idempotency key is a hash of the event's key, the rule's index and the action's index,
so planning the same event again yields the same keys, and the outbox stores each job once.
A parameter that cannot be rendered for this event does not stop the others: its job is planned
with ``error`` set, stored as dead, and shown to a person (nothing is dropped silently).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..config.sections.workflows import Rule, WorkflowsConfig
from .calendar import BusinessCalendar
from .events import Event
from .rules import rule_matches
from .templating import ParamTemplateError, build_context, render_params, step_references

__all__ = ["CHANNEL_PREFIX", "PlannedJob", "job_key", "plan_jobs"]

CHANNEL_PREFIX = "channel."
"""Actions of the conversation's own channel: ``channel.send_message`` becomes ``whatsapp.send_message`` …"""

DEFAULT_MAX_ATTEMPTS = 8


def job_key(event_key: str, rule_index: int, action_index: int) -> str:
    """The idempotency key of the job planned from one action of one rule for one event."""
    return hashlib.sha256(f"{event_key}\x1f{rule_index}\x1f{action_index}".encode()).hexdigest()


@dataclass(frozen=True)
class PlannedJob:
    """A connector action to store in the outbox (see :func:`plan_jobs`)."""

    action: str
    params: dict[str, Any]
    key: str
    rule: str
    rule_index: int
    action_index: int
    planned_at: datetime
    step: str | None = None
    deferred: dict[str, Any] = field(default_factory=dict)
    """Templates that read ``steps``, rendered just before running (see Job.deferred)."""
    depends_on: tuple[str, ...] = ()
    """Keys of the jobs (earlier steps) whose results this one uses; it waits for them."""
    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    error: str | None = None
    """Why the parameters could not be rendered; the job is stored dead."""


def plan_jobs(
    event: Event,
    rules: WorkflowsConfig | Sequence[Rule],
    now: datetime,
    *,
    timezone: str = "Asia/Jerusalem",
) -> list[PlannedJob]:
    """The jobs the matching rules plan for ``event``, in rule order then action order.

    ``rules`` is the tenant's ``workflows`` section (its holidays and max_attempts apply) or a plain
    list of rules. ``now`` (timezone-aware) is what templates see as ``now``; ``timezone`` is the
    tenant's, for ``today`` and business days.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    if isinstance(rules, WorkflowsConfig):
        rule_list, holidays, max_attempts = rules.rules, list(rules.holidays), rules.max_attempts
    else:
        rule_list, holidays, max_attempts = list(rules), [], DEFAULT_MAX_ATTEMPTS
    view = event.view()
    context = build_context(view, now=now, calendar=BusinessCalendar(holidays), timezone=timezone)
    planned: list[PlannedJob] = []
    for r, rule in enumerate(rule_list):
        if not rule_matches(rule, event.type, view):
            continue
        label = rule.name or f"rules[{r}]"
        step_keys: dict[str, str] = {}
        for a, call in enumerate(rule.do):
            key = job_key(event.key, r, a)
            action, unresolved = _resolve_channel(call.action, view)
            common: dict[str, Any] = {
                "action": action,
                "key": key,
                "rule": label,
                "rule_index": r,
                "action_index": a,
                "planned_at": now,
                "step": call.id,
                "max_attempts": max_attempts,
            }
            try:
                if unresolved:
                    raise ParamTemplateError("", unresolved)
                params, templates = render_params(call.params, context, skip_steps=True)
                depends = _dependencies(templates, step_keys)
            except ParamTemplateError as exc:
                planned.append(PlannedJob(params={}, error=str(exc), **common))
            else:
                deferred: dict[str, Any] = {}
                if templates:
                    deferred = {
                        "templates": templates,
                        "now": now.isoformat(),
                        "timezone": timezone,
                        "holidays": [d.isoformat() for d in holidays],
                    }
                planned.append(PlannedJob(params=params, deferred=deferred, depends_on=depends, **common))
            if call.id is not None:
                step_keys[call.id] = key
    return planned


def _resolve_channel(action: str, view: dict[str, Any]) -> tuple[str, str | None]:
    """``channel.X`` → ``<the event's channel>.X``; the second value says why it cannot be resolved."""
    if not action.startswith(CHANNEL_PREFIX):
        return action, None
    channel = view.get("channel")
    if not isinstance(channel, str) or not channel:
        return action, f"`{action}` needs the conversation's channel, and a {view.get('type')} event has none"
    return f"{channel}.{action.removeprefix(CHANNEL_PREFIX)}", None


def _dependencies(templates: list[list[Any]], step_keys: dict[str, str]) -> tuple[str, ...]:
    keys: list[str] = []
    for parts, source in templates:
        where = ".".join(str(p) for p in parts)
        try:
            refs = step_references(source)
        except ValueError as exc:
            raise ParamTemplateError(where, str(exc)) from None
        for ref in sorted(refs):
            if ref not in step_keys:
                raise ParamTemplateError(where, f"refers to step '{ref}', which is not an earlier step of this rule")
            if step_keys[ref] not in keys:
                keys.append(step_keys[ref])
    return tuple(keys)
