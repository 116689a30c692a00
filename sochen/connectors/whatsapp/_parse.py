"""Webhook deliveries → normalised events (protocols.md §1.3-1.5).

One POST carries ``entry[] × changes[] × (messages[] | statuses[])``; every level is iterated.
Errors are collected from all three places they appear: ``value.errors``, ``messages[].errors``
and ``statuses[].errors``. Ids and timestamps stay strings. Unknown keys are kept, never fatal.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from ..errors import ConnectorError, ErrorKind
from ..types import (
    REJECTED_ITEM,
    Contact,
    DeliveryStatus,
    InboundEvent,
    InboundMessage,
    MediaRef,
    ProviderIssue,
    ProviderNotice,
    ReplyContext,
    Selection,
)

__all__ = ["parse_delivery"]

_MEDIA = ("image", "video", "audio", "document", "sticker")


def parse_delivery(body: bytes, *, connector: str) -> list[InboundEvent]:
    """All events in one webhook body; raises ConnectorError(invalid_request) if it is not a delivery."""
    try:
        payload = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise ConnectorError(ErrorKind.INVALID_REQUEST, "webhook body is not UTF-8 JSON") from None
    if not isinstance(payload, dict) or payload.get("object") != "whatsapp_business_account":
        raise ConnectorError(ErrorKind.INVALID_REQUEST, "webhook body is not a whatsapp_business_account delivery")
    events: list[InboundEvent] = []
    for entry in _list(payload.get("entry")):
        entry_id = _str(entry.get("id"))
        for change in _list(entry.get("changes")):
            field = _str(change.get("field"))
            events.extend(_change(connector, entry_id, field, _dict(change.get("value"))))
    return events


def _change(connector: str, entry_id: str, field: str, value: dict[str, Any]) -> list[InboundEvent]:
    value_errors = _issues(value.get("errors"), "value")
    metadata = _dict(value.get("metadata"))
    where = {
        "entry_id": entry_id,
        "phone_number_id": _str(metadata.get("phone_number_id")),
        "display_phone_number": _str(metadata.get("display_phone_number")),
    }
    if field != "messages":
        return [_notice(connector, field, value, value_errors, where)]
    profiles = {_str(c.get("wa_id")): c for c in _list(value.get("contacts"))}
    out: list[InboundEvent] = []
    for message in _items(value.get("messages")):
        out.append(
            _one(connector, "message", message, where, lambda m: _message(connector, m, profiles, value_errors, where))
        )
    for status in _items(value.get("statuses")):
        out.append(_one(connector, "status", status, where, lambda s: _status(connector, s, value_errors, where)))
    if not out and value_errors:
        out.append(_notice(connector, field, value, value_errors, where))
    return out


def _one(
    connector: str,
    kind: str,
    item: Any,
    where: dict[str, str],
    build: Callable[[dict[str, Any]], InboundEvent],
) -> InboundEvent:
    """One item of a batch; an item that cannot be read becomes a ``rejected`` notice, never the batch's failure.

    The reason names what was wrong, not Python's exception text (it is shown to callers and people).
    """
    if isinstance(item, dict):
        try:
            return build(item)
        except (AttributeError, TypeError, ValueError, KeyError) as exc:  # pydantic's ValidationError is a ValueError
            reason = f"the {kind} item has a field of the wrong shape ({type(exc).__name__})"
    else:
        reason = f"the {kind} item is a JSON {type(item).__name__}, not an object"
    canonical = json.dumps(item, sort_keys=True, ensure_ascii=False, default=str).encode("utf-8")
    return ProviderNotice(
        event_id=f"rejected:{where['entry_id']}:{hashlib.sha256(canonical).hexdigest()[:32]}",
        connector=connector,
        field=REJECTED_ITEM,
        errors=[ProviderIssue(code="unreadable_item", title="unreadable item", message=reason, where=kind)],
        provider_details={**where, "item": item},
    )


def _notice(
    connector: str, field: str, value: dict[str, Any], errors: list[ProviderIssue], where: dict[str, str]
) -> ProviderNotice:
    canonical = json.dumps(value, sort_keys=True, ensure_ascii=False).encode("utf-8")
    digest = hashlib.sha256(canonical).hexdigest()[:32]
    return ProviderNotice(
        event_id=f"{field or 'unknown'}:{where['entry_id']}:{digest}",
        connector=connector,
        field=field,
        errors=errors,
        provider_details={**where, "value": value},
    )


def _message(
    connector: str,
    m: dict[str, Any],
    profiles: dict[str, dict[str, Any]],
    value_errors: list[ProviderIssue],
    where: dict[str, str],
) -> InboundMessage:
    sender = _str(m.get("from"))
    profile = profiles.get(sender, {})
    contact = Contact(
        id=sender,
        phone=f"+{sender}" if sender.isdigit() else None,
        name=(profile.get("profile") or {}).get("name") if isinstance(profile.get("profile"), dict) else None,
        provider_details={
            k: v
            for k, v in {
                "user_id": profile.get("user_id") or m.get("from_user_id"),
                "parent_user_id": profile.get("parent_user_id"),
                "username": (profile.get("profile") or {}).get("username"),
            }.items()
            if v
        },
    )
    kind = _str(m.get("type")) or "unknown"
    text: str | None = None
    media: list[MediaRef] = []
    selection: Selection | None = None
    details: dict[str, Any] = {**where}
    if kind == "text":
        text = (m.get("text") or {}).get("body")
    elif kind in _MEDIA and isinstance(m.get(kind), dict):
        item = m[kind]
        media_kind = "voice" if kind == "audio" and item.get("voice") else kind
        text = item.get("caption")
        media.append(
            MediaRef(
                kind=media_kind,
                media_id=_str(item.get("id")),
                mime_type=item.get("mime_type"),
                sha256=item.get("sha256"),
                caption=item.get("caption"),
                filename=item.get("filename"),
                provider_details={k: v for k, v in item.items() if k in ("url", "animated", "voice")},
            )
        )
    elif kind == "interactive":
        interactive = m.get("interactive") or {}
        reply_type = interactive.get("type")
        if reply_type in ("button_reply", "list_reply"):
            reply = interactive.get(reply_type) or {}
            selection = Selection(
                id=_str(reply.get("id")),
                title=_str(reply.get("title")),
                description=reply.get("description"),
                source="button" if reply_type == "button_reply" else "list",
            )
            text = selection.title
        elif interactive:
            details["interactive"] = interactive
    elif kind == "button":
        button = m.get("button") or {}
        selection = Selection(id=_str(button.get("payload")), title=_str(button.get("text")), source="template_button")
        text = selection.title
    elif kind == "reaction":
        reaction = m.get("reaction") or {}
        text = reaction.get("emoji") or None
        details["reaction"] = {
            "message_id": _str(reaction.get("message_id")),
            "removed": not reaction.get("emoji"),
        }
    elif kind == "order":
        order = m.get("order") or {}
        text = order.get("text") or None
        details["order"] = order
    elif kind in ("location", "contacts", "unsupported", "system", "request_welcome"):
        if kind in m:
            details[kind] = m[kind]
    elif kind in m:
        details[kind] = m[kind]
    if "referral" in m:
        details["referral"] = m["referral"]
    context = m.get("context") if isinstance(m.get("context"), dict) else None
    reply_to = None
    if context:
        reply_to = ReplyContext(
            message_id=context.get("id"),
            from_id=context.get("from"),
            forwarded=bool(context.get("forwarded")),
            frequently_forwarded=bool(context.get("frequently_forwarded")),
        )
        if "referred_product" in context:
            details["referred_product"] = context["referred_product"]
    message_id = _str(m.get("id"))
    return InboundMessage(
        event_id=message_id,
        connector=connector,
        message_id=message_id,
        timestamp=_str(m.get("timestamp")),
        contact=contact,
        kind=kind,
        text=text,
        media=media,
        reply_to=reply_to,
        selection=selection,
        errors=_issues(m.get("errors"), "message") + value_errors,
        provider_details=details,
    )


_STATUS_KNOWN = {"id", "status", "timestamp", "recipient_id", "errors"}


def _status(
    connector: str, s: dict[str, Any], value_errors: list[ProviderIssue], where: dict[str, str]
) -> DeliveryStatus:
    message_id = _str(s.get("id"))
    status = _str(s.get("status"))
    return DeliveryStatus(
        event_id=f"{message_id}:{status}",
        connector=connector,
        message_id=message_id,
        status=status,
        timestamp=_str(s.get("timestamp")),
        recipient_id=_str(s.get("recipient_id")),
        errors=_issues(s.get("errors"), "status") + value_errors,
        provider_details={**where, **{k: v for k, v in s.items() if k not in _STATUS_KNOWN}},
    )


def _issues(raw: Any, where: str) -> list[ProviderIssue]:
    out = []
    for e in _list(raw):
        data = _dict(e.get("error_data"))
        out.append(
            ProviderIssue(
                code=_str(e.get("code")),
                title=_str(e.get("title")),
                message=_str(e.get("message")),
                details=_str(data.get("details")),
                where=where,
            )
        )
    return out


def _items(raw: Any) -> list[Any]:
    return list(raw) if isinstance(raw, list) else []


def _list(raw: Any) -> list[dict[str, Any]]:
    return [x for x in raw if isinstance(x, dict)] if isinstance(raw, list) else []


def _dict(raw: Any) -> dict[str, Any]:
    return raw if isinstance(raw, dict) else {}


def _str(raw: Any) -> str:
    return "" if raw is None else str(raw)
