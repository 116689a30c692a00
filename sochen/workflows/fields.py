"""What a template may read: the fields of each event type and of each action's result.

``tenant apply`` checks every ``event.<field>`` and ``steps.<id>.<field>`` a rule's templates and
conditions read against these shapes, so a misspelt field (``event.phone``, ``event.slots.servise``,
``steps.lead.person_id``) is an error with a suggestion when the tenant is applied, not an
``UndefinedError`` when the job runs. docs/workflows.md documents the same table (a test keeps the
two in step).
"""

from __future__ import annotations

import difflib
import types
import typing
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from jinja2 import nodes
from pydantic import BaseModel

from ..config.sections.workflows import EVENT_TYPES

__all__ = [
    "COMMON_FIELDS",
    "EVENT_FIELDS",
    "EXTRACTED_SLOTS",
    "Read",
    "Shape",
    "check_path",
    "event_shape",
    "result_shape",
    "template_reads",
]


@dataclass(frozen=True)
class Shape:
    """A value templates read: ``fields`` None means anything below is allowed (free-form data)."""

    fields: Mapping[str, Shape] | None = None
    optional: frozenset[str] = frozenset()
    kind: str = "object"


OPEN = Shape()
LEAF = Shape({}, kind="value")

COMMON_FIELDS: dict[str, str] = {
    "type": "The event type, e.g. 'lead.captured'.",
    "tenant": "The tenant's slug.",
    "conversation_id": "The conversation it came from (null for workflow.<name> events).",
    "key": "The event's idempotency key (64 hex characters).",
    "occurred_at": "When it happened (a timezone-aware datetime).",
}
"""Fields every event has, besides its payload."""

EVENT_FIELDS: dict[str, dict[str, str]] = {
    "lead.captured": {
        "slots": "Every slot collected: the tenant's `agent.slots` by name (required ones always set).",
        "channel": "The channel the conversation is on, e.g. 'whatsapp' or 'chat'.",
    },
    "appointment.requested": {
        "slots": "The same slots as lead.captured (sent with it when a preferred time was given).",
        "preferred_time": "The requested time, ISO 8601 in the tenant's time zone (e.g. 2026-12-07T10:00).",
    },
    "booking.requested": {
        "preferred_time": "The preferred time (ISO 8601 in the tenant's time zone), '' when none was given.",
        "service": "The service, e.g. 'ניקוי אבנית'.",
        "name": "The patient's name ('' when not given).",
        "phone": "The patient's phone.",
        "to": "The contact id messages go to (the conversation's own address on its channel).",
        "channel": "The conversation's channel: `channel.send_message` sends through it.",
        "requested_at": "When the patient asked (ISO 8601 in the tenant's time zone).",
        "timezone": "The tenant's time zone (IANA).",
        "hours": "The tenant's `agent.hours` as {day: ['HH:MM-HH:MM']} (only open days).",
        "holidays": "The tenant's `workflows.holidays` (ISO dates, a list).",
    },
    "booking.confirmed": {
        "booking_key": "The booking's key: one calendar event per key, however often the job runs.",
        "start": "The picked slot's start (RFC 3339 with offset).",
        "end": "The picked slot's end (RFC 3339 with offset).",
        "service": "The service, e.g. 'ניקוי אבנית'.",
        "name": "The patient's name ('' when not given).",
        "phone": "The patient's phone.",
        "to": "The contact id messages go to (the conversation's own address on its channel).",
        "channel": "The conversation's channel: `channel.send_message` sends through it.",
        "requested_at": "When the patient asked (ISO 8601 in the tenant's time zone).",
        "timezone": "The tenant's time zone (IANA).",
        "hours": "The tenant's `agent.hours` as {day: ['HH:MM-HH:MM']} (only open days).",
        "holidays": "The tenant's `workflows.holidays` (ISO dates, a list).",
    },
    "booking.cancelled": {
        "booking_key": "The key the booking was made under.",
        "start": "The booked slot's start (RFC 3339 with offset).",
        "service": "The service that was booked.",
        "to": "The contact id messages go to.",
        "channel": "The conversation's channel.",
    },
    "question.answered": {
        "question_intent": "The intent of the question (price_question, hours_question, ...).",
        "mode": "How it was answered: 'generative' or 'extractive'.",
        "documents": "Titles of the cited documents (a list).",
    },
    "handoff.requested": {
        "reason": "complaint, human_request, not_understood or sensitive_no_local.",
    },
    "conversation.closed": {},
    "reply": {
        "to": "The contact id the reply goes to.",
        "text": "The reply's text.",
        "channel": "The conversation's channel.",
    },
    "workflow.<name>": {
        "source": "The connector the call came through, e.g. 'n8n'.",
        "data": "The `payload` object the automation sent (free-form: not checked).",
    },
}
"""Payload fields of each event type, with what they hold."""

EXTRACTED_SLOTS = ("name", "phone", "email", "service", "preferred_time")
"""Slots the built-in reader fills when it finds them, configured or not."""

NAME_PARTS = ("first_name", "last_name")
"""Set whenever ``name`` is: the name split into first and last (titles dropped; "בן חיים" kept whole)."""

_FREE_FORM = {
    ("workflow.<name>", "data"),
    ("booking.requested", "hours"),
    ("booking.confirmed", "hours"),
    ("booking.requested", "holidays"),
    ("booking.confirmed", "holidays"),
}


def event_shape(event_type: str, slots: Sequence[tuple[str, bool]] | None = None) -> Shape:
    """The fields an event of ``event_type`` carries; ``slots`` are (name, required) pairs.

    Slots not in ``slots`` that the reader fills anyway (:data:`EXTRACTED_SLOTS`) are optional;
    with ``slots`` None the slots are not checked.
    """
    family = "workflow.<name>" if event_type.startswith("workflow.") else event_type
    fields: dict[str, Shape] = dict.fromkeys(COMMON_FIELDS, LEAF)
    for name in EVENT_FIELDS.get(family, {}):
        if (family, name) in _FREE_FORM:
            fields[name] = OPEN
        elif name == "slots":
            fields[name] = _slots_shape(slots)
        else:
            fields[name] = OPEN if name == "documents" else LEAF
    fields["conversation_id"] = LEAF
    return Shape(fields, kind=f"a {event_type} event")


def _slots_shape(slots: Sequence[tuple[str, bool]] | None) -> Shape:
    if slots is None:
        return OPEN
    names = {name: LEAF for name, _ in slots} | dict.fromkeys(EXTRACTED_SLOTS, LEAF)
    required = {name for name, req in slots if req}
    # A full name is always split for CRMs that keep first and last names apart (Zoho's First_Name/Last_Name).
    names |= dict.fromkeys(NAME_PARTS, LEAF)
    if "name" in required:
        required |= set(NAME_PARTS)
    return Shape(names, optional=frozenset(set(names) - required), kind="slots")


def result_shape(annotation: Any) -> Shape | None:
    """What ``steps.<id>`` holds after an action returning ``annotation`` ran (None: unknown)."""
    if annotation is None or annotation is type(None):
        return Shape({}, kind="an empty result")
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return _model_shape(annotation, depth=0)
    origin = typing.get_origin(annotation)
    if origin in (list, tuple, Sequence, set, frozenset):
        return Shape({"items": OPEN}, kind="a list result")
    if annotation in (str, int, float, bool):
        return Shape({"value": LEAF}, kind="a plain result")
    return None


def _model_shape(model: type[BaseModel], depth: int) -> Shape:
    fields: dict[str, Shape] = {}
    for name, info in model.model_fields.items():
        fields[name] = _field_shape(info.annotation, depth + 1)
    return Shape(fields, kind=f"a {model.__name__}")


def _field_shape(annotation: Any, depth: int) -> Shape:
    if depth > 4:
        return OPEN
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _field_shape(inner[0], depth) if len(inner) == 1 else OPEN
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return _model_shape(annotation, depth)
    if annotation in (str, int, float, bool) or origin is typing.Literal:
        return LEAF
    return OPEN


# -- what a template reads ------------------------------------------------------------------------


@dataclass(frozen=True)
class Read:
    """One ``root.a.b`` a template reads; ``defaulted`` when it is guarded (``| default``, ``is defined``)."""

    root: str
    parts: tuple[str, ...]
    defaulted: bool


def template_reads(tree: nodes.Template, roots: frozenset[str] = frozenset({"event", "steps"})) -> list[Read]:
    """Every attribute chain rooted at one of ``roots`` (method calls and dynamic keys cut the chain)."""
    found: list[Read] = []
    for node, parent in _walk(tree, None):
        if not isinstance(node, nodes.Getattr | nodes.Getitem):
            continue
        if isinstance(parent, nodes.Getattr | nodes.Getitem) and parent.node is node:
            continue  # not the end of its chain
        chain: list[nodes.Node] = []
        cur: nodes.Node = node
        while isinstance(cur, nodes.Getattr | nodes.Getitem):
            chain.append(cur)
            cur = cur.node
        if not (isinstance(cur, nodes.Name) and cur.name in roots):
            continue
        parts: list[str] = []
        for link in reversed(chain):
            if isinstance(link, nodes.Getattr):
                parts.append(link.attr)
            elif (
                isinstance(link, nodes.Getitem)
                and isinstance(link.arg, nodes.Const)
                and isinstance(link.arg.value, str | int)
            ):
                parts.append(str(link.arg.value))
            else:
                break
        else:
            if isinstance(parent, nodes.Call) and parent.node is node and parts:
                parts.pop()  # `event.slots.get(...)`: a method, not a field
        defaulted = (isinstance(parent, nodes.Filter) and parent.name == "default" and parent.node is node) or (
            isinstance(parent, nodes.Test) and parent.name in ("defined", "undefined") and parent.node is node
        )
        found.append(Read(cur.name, tuple(parts), defaulted))
    guarded = {(r.root, r.parts) for r in found if r.defaulted}  # `{% if x is defined %}{{ x }}{% endif %}`
    return [Read(r.root, r.parts, True) if (r.root, r.parts) in guarded else r for r in found]


def _walk(node: nodes.Node, parent: nodes.Node | None) -> Iterator[tuple[nodes.Node, nodes.Node | None]]:
    yield node, parent
    for child in node.iter_child_nodes():
        yield from _walk(child, node)


def check_path(shape: Shape, parts: Sequence[str], *, shown: str, defaulted: bool = False) -> str | None:
    """Why reading ``parts`` below ``shape`` fails (None when it may be read); ``shown`` names the root."""
    node = shape
    walked = [shown]
    for part in parts:
        if node.fields is None:
            return None
        if part not in node.fields:
            where = ".".join(walked)
            if node.kind == "value":
                return f"'{where}' is a single value, it has no field '{part}'"
            msg = f"'{where}' ({node.kind}) has no field '{part}'"
            hint = _suggest(node, part, walked)
            if hint:
                msg += f" — did you mean '{hint}'?"
            names = sorted(node.fields)
            msg += f" (fields: {', '.join(names) if names else 'none'})"
            return msg
        if part in node.optional and not defaulted:
            full = ".".join([*walked, part])
            return (
                f"'{full}' may be absent (it is not a required slot), so the job would fail when it is: write "
                f"`{{{{ {full} | default('') }}}}`, or make the slot required in `agent.slots`"
            )
        walked.append(part)
        node = node.fields[part]
    return None


def _suggest(node: Shape, part: str, walked: list[str]) -> str | None:
    assert node.fields is not None
    close = difflib.get_close_matches(part, list(node.fields), n=1, cutoff=0.6)
    if close:
        return ".".join([*walked, close[0]])
    for name, child in node.fields.items():  # `event.phone` → `event.slots.phone`
        if child.fields and part in child.fields:
            return ".".join([*walked, name, part])
    return None


def known_event_types() -> tuple[str, ...]:
    """The event types of :data:`EVENT_FIELDS` in documentation order (with ``workflow.<name>``)."""
    return (*EVENT_TYPES, "workflow.<name>")
