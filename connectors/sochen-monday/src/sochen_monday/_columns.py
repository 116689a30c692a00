"""Plain values from a workflow rule → the JSON shape each monday column type documents.

developer.monday.com, "Changing column values" and each column type's page:

| type | JSON shape sent in ``column_values`` |
|---|---|
| ``text``, ``numbers`` | a string: ``"דנה כהן"``, ``"1200"`` |
| ``long_text`` | ``{"text": "..."}`` |
| ``phone`` | ``{"phone": "+972501234567", "countryShortName": "IL"}`` |
| ``email`` | ``{"email": "dana@example.co.il", "text": "dana@example.co.il"}`` |
| ``status`` | ``{"label": "ליד חדש"}`` or ``{"index": 1}`` |
| ``date`` | ``{"date": "2026-11-23"}`` or, with a time (UTC), ``{"date": "2026-11-23", "time": "15:00:00"}`` |
| ``people`` | ``{"personsAndTeams": [{"id": 41234567, "kind": "person"}]}`` |

A value that is already a mapping is sent as it is (monday checks it); anything that cannot become the
column's shape is ``invalid_request`` naming the column, before any call.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
from sochen.connectors import ConnectorError, ErrorKind
from sochen.connectors.http import phone_e164

__all__ = ["column_value", "display_text"]


def _bad(column_id: str, column_type: str, why: str) -> ConnectorError:
    return ConnectorError(
        ErrorKind.INVALID_REQUEST,
        f"column '{column_id}' ({column_type}): {why}",
        details={"column_id": column_id, "column_type": column_type},
    )


def _phone(column_id: str, value: Any) -> dict[str, str]:
    try:
        e164 = phone_e164(str(value))
    except ConnectorError:
        raise _bad(column_id, "phone", "not a phone number") from None
    region = phonenumbers.region_code_for_number(phonenumbers.parse(e164))
    if not region or region == "ZZ":
        raise _bad(column_id, "phone", "no country for this number")
    return {"phone": e164, "countryShortName": region}


def _date(column_id: str, value: Any, time_zone: str) -> dict[str, str]:
    text = str(value).strip()
    try:
        if len(text) == 10:
            return {"date": date.fromisoformat(text).isoformat()}
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise _bad(column_id, "date", "not an ISO date (YYYY-MM-DD) or date-time") from None
    if moment.tzinfo is None:  # "2026-12-07T10:00" as workflow events give it: the tenant's local time
        try:
            moment = moment.replace(tzinfo=ZoneInfo(time_zone))
        except (ZoneInfoNotFoundError, ValueError):
            raise _bad(column_id, "date", f"unknown time zone {time_zone!r}") from None
    utc = moment.astimezone(UTC)
    return {"date": utc.date().isoformat(), "time": utc.strftime("%H:%M:%S")}


def _people(column_id: str, value: Any) -> dict[str, list[dict[str, Any]]]:
    ids = value if isinstance(value, list) else [value]
    entries = []
    for raw in ids:
        text = str(raw).strip()
        if not text.isdigit():
            raise _bad(column_id, "people", "people are monday user ids (digits)")
        entries.append({"id": int(text), "kind": "person"})
    if not entries:
        raise _bad(column_id, "people", "no person given")
    return {"personsAndTeams": entries}


def column_value(column_id: str, column_type: str, value: Any, *, time_zone: str = "Asia/Jerusalem") -> Any:
    """The JSON-ready value monday documents for ``column_type`` (a mapping passes through)."""
    if isinstance(value, Mapping):
        return dict(value)
    if value is None:
        raise _bad(column_id, column_type, "no value")
    if column_type == "phone":
        return _phone(column_id, value)
    if column_type == "status":
        if isinstance(value, int) and not isinstance(value, bool):
            return {"index": value}
        return {"label": str(value)}
    if column_type == "date":
        return _date(column_id, value, time_zone)
    if column_type == "people":
        return _people(column_id, value)
    if column_type == "long_text":
        return {"text": str(value)}
    if column_type == "email":
        return {"email": str(value).strip(), "text": str(value).strip()}
    if column_type in ("text", "numbers", "name"):
        return str(value)
    raise _bad(column_id, column_type, "this column type is not supported by sochen-monday; pass monday's JSON shape")


def display_text(column_type: str, value: Any) -> str:
    """The text monday shows for a value we sent (what ``items_page_by_column_values`` compares)."""
    if isinstance(value, str):
        return value
    if column_type == "phone":
        return str(value.get("phone", ""))
    if column_type in ("long_text", "email"):
        return str(value.get("text") or value.get("email") or "")
    if column_type == "status":
        return str(value.get("label", ""))
    return json.dumps(value, ensure_ascii=False)
