"""Replies leave through the conversation's own channel, by construction (see :mod:`sochen.connectors.channel`).

:func:`reply_job` plans the ``{channel}.send_message`` job for a ``reply`` event of the agent, and
:func:`person_reply` records a person's reply from the inbox the same way: stored in the outbox in the
caller's transaction, run by the dispatcher, retried, dead-lettered and tracked to delivery like any
job. No tenant rule is involved: rules are for business actions (a CRM record, an automation).
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Any

from ..connectors.channel import is_channel
from ..connectors.errors import ConnectorRegistryError
from .events import Event
from .planning import DEFAULT_MAX_ATTEMPTS, PlannedJob, job_key

__all__ = ["CHANNEL_RULE", "is_channel_name", "reply_job"]

CHANNEL_RULE = "ערוץ השיחה | the conversation's channel"
"""What job listings show as the 'rule' of a reply job."""


@lru_cache(maxsize=64)
def is_channel_name(name: str) -> bool:
    """Whether an installed connector called ``name`` is a channel (cached: entry points are read once)."""
    from ..connectors.registry import load_connector

    try:
        return is_channel(load_connector(name).cls)
    except (ConnectorRegistryError, LookupError):
        return False


def reply_job(
    event: Event,
    *,
    channel: str,
    configured: bool,
    now: datetime,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
) -> PlannedJob | None:
    """The job that sends a ``reply`` event's text through ``channel``; None when there is none to use.

    ``configured`` says whether the tenant configured that connector (a conversation on a channel the
    tenant has no credentials for, like ``sochen chat``'s own, sends nothing).
    """
    if event.type != "reply" or not configured or not is_channel_name(channel):
        return None
    payload: dict[str, Any] = event.payload
    to, text = str(payload.get("to") or ""), str(payload.get("text") or "")
    if not to or not text:
        return None
    params: dict[str, Any] = {"type": "text", "to": to, "text": text}
    if payload.get("reply_to"):
        params["reply_to"] = str(payload["reply_to"])
    return PlannedJob(
        action=f"{channel}.send_message",
        params=params,
        key=job_key(event.key, -1, 0),
        rule=CHANNEL_RULE,
        rule_index=-1,
        action_index=0,
        planned_at=now,
        max_attempts=max_attempts,
    )
