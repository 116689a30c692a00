"""The fake monday's column-value checks, one per column type, as developer.monday.com documents them.

Written apart from the connector's ``_columns.py`` on purpose: a mistake in the shapes the connector
builds must meet a check that was not derived from it. Each check returns what monday stores
(the raw JSON string of ``value``) and what it shows (``text``), or raises :class:`ColumnValueRefused`
with monday's reason. Sources: "Changing column values" and the pages of the Text, Long text, Phone,
Email, Status, Date, People and Numbers columns.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import date
from typing import Any

import phonenumbers

__all__ = ["STATUS_DEFAULT_LABELS", "ColumnValueRefused", "check_value"]

STATUS_DEFAULT_LABELS = {"0": "ליד חדש", "1": "בטיפול", "2": "הצעת מחיר נשלחה", "3": "נסגר", "5": "לא רלוונטי"}
"""A Hebrew status column's labels by index, as its ``settings_str`` holds them."""

_PHONE = re.compile(r"^\+?\d{6,15}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$")
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


class ColumnValueRefused(ValueError):
    """monday refused a column value (it answers ``ColumnValueException``)."""


def _keys(value: Mapping[str, Any], allowed: set[str], required: set[str]) -> None:
    unknown = set(value) - allowed
    if unknown:
        raise ColumnValueRefused(f"invalid value - unknown keys {sorted(unknown)}.")
    missing = required - set(value)
    if missing:
        raise ColumnValueRefused(f"invalid value - missing {sorted(missing)}.")


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _phone(value: Any) -> tuple[str, str]:
    if isinstance(value, str):  # the simple form: "+972501234567 IL"
        number, _, country = value.strip().rpartition(" ")
        value = {"phone": number, "countryShortName": country}
    if not isinstance(value, Mapping):
        raise ColumnValueRefused("invalid value - a phone is an object with phone and countryShortName.")
    _keys(value, {"phone", "countryShortName"}, {"phone", "countryShortName"})
    phone, country = value["phone"], value["countryShortName"]
    if not isinstance(phone, str) or not _PHONE.match(phone):
        raise ColumnValueRefused("invalid value - phone must be digits, optionally starting with +.")
    if not isinstance(country, str) or country not in phonenumbers.SUPPORTED_REGIONS:
        raise ColumnValueRefused("invalid value - countryShortName must be an ISO-2 country code.")
    return _dump({"phone": phone, "countryShortName": country}), phone


def _status(value: Any, settings: Mapping[str, Any]) -> tuple[str, str]:
    labels = {str(k): str(v) for k, v in dict(settings.get("labels") or {}).items()}
    if isinstance(value, str):
        value = {"label": value}
    if not isinstance(value, Mapping) or len(value) != 1 or not ({"label"} == set(value) or {"index"} == set(value)):
        raise ColumnValueRefused('invalid value - a status is {"label": ...} or {"index": ...}.')
    possible = "{" + ", ".join(f"{k}: {v}" for k, v in sorted(labels.items(), key=lambda kv: int(kv[0]))) + "}"
    if "label" in value:
        index = next((k for k, v in labels.items() if v == value["label"]), None)
    else:
        index = str(value["index"]) if isinstance(value["index"], int) and str(value["index"]) in labels else None
    if index is None:
        raise ColumnValueRefused(f"This status label doesn't exist, possible statuses are: {possible}.")
    return _dump({"index": int(index)}), labels[index]


def _date(value: Any) -> tuple[str, str]:
    if isinstance(value, str):  # the simple form: "2026-11-23" or "2026-11-23 15:00:00"
        simple_day, _, simple_time = value.strip().partition(" ")
        value = {"date": simple_day, **({"time": simple_time} if simple_time else {})}
    if not isinstance(value, Mapping):
        raise ColumnValueRefused('invalid value - a date is {"date": "YYYY-MM-DD"}.')
    _keys(value, {"date", "time"}, {"date"})
    try:
        day = date.fromisoformat(str(value["date"]))
    except ValueError:
        raise ColumnValueRefused("invalid value - date must be YYYY-MM-DD.") from None
    if len(str(value["date"])) != 10:
        raise ColumnValueRefused("invalid value - date must be YYYY-MM-DD.")
    time = value.get("time")
    if time is not None and (not isinstance(time, str) or not _TIME.match(time)):
        raise ColumnValueRefused("invalid value - time must be HH:MM:SS (UTC).")
    stored: dict[str, str] = {"date": day.isoformat(), **({"time": time} if time else {})}
    return _dump(stored), day.isoformat() + (f" {time[:5]}" if time else "")


def _people(value: Any, users: Mapping[str, Any], teams: Mapping[str, Any]) -> tuple[str, str]:
    if not isinstance(value, Mapping):
        raise ColumnValueRefused('invalid value - people is {"personsAndTeams": [{"id": ..., "kind": ...}]}.')
    _keys(value, {"personsAndTeams"}, {"personsAndTeams"})
    entries = value["personsAndTeams"]
    if not isinstance(entries, list):
        raise ColumnValueRefused("invalid value - personsAndTeams must be a list.")
    names = []
    for entry in entries:
        if not isinstance(entry, Mapping) or set(entry) != {"id", "kind"} or entry["kind"] not in ("person", "team"):
            raise ColumnValueRefused('invalid value - each entry is {"id": <number>, "kind": "person"|"team"}.')
        if not isinstance(entry["id"], int) or isinstance(entry["id"], bool):
            raise ColumnValueRefused("invalid value - ids are numbers.")
        known = users if entry["kind"] == "person" else teams
        if str(entry["id"]) not in known:
            raise ColumnValueRefused(f"invalid value - no {entry['kind']} with id {entry['id']} in this account.")
        found = known[str(entry["id"])]
        names.append(found["name"] if isinstance(found, Mapping) else str(found))
    return _dump({"personsAndTeams": list(entries)}), ", ".join(names)


def _text_object(value: Any, kind: str) -> tuple[str, str]:
    if isinstance(value, str):
        value = {"text": value}
    if not isinstance(value, Mapping):
        raise ColumnValueRefused(f'invalid value - {kind} is {{"text": ...}}.')
    _keys(value, {"text"}, {"text"})
    if not isinstance(value["text"], str):
        raise ColumnValueRefused(f"invalid value - {kind} text must be a string.")
    return _dump({"text": value["text"]}), value["text"]


def _email(value: Any) -> tuple[str, str]:
    if not isinstance(value, Mapping):
        raise ColumnValueRefused('invalid value - an email is {"email": ..., "text": ...}.')
    _keys(value, {"email", "text"}, {"email", "text"})
    if not isinstance(value["email"], str) or not _EMAIL.match(value["email"]):
        raise ColumnValueRefused("invalid value - not an email address.")
    return _dump({"email": value["email"], "text": str(value["text"])}), value["email"]


def check_value(
    column_type: str, settings: Mapping[str, Any], value: Any, users: Mapping[str, Any], teams: Mapping[str, Any]
) -> tuple[str | None, str]:
    """``(raw JSON value, text)`` monday stores for ``value`` in a column of this type, or ColumnValueRefused."""
    if value is None or value == "" or value == {}:
        return None, ""  # clears the column
    if column_type == "text":
        if not isinstance(value, str):
            raise ColumnValueRefused("invalid value - a text column takes a string.")
        return _dump(value), value
    if column_type == "numbers":
        if not isinstance(value, str) or not _NUMBER.match(value):
            raise ColumnValueRefused("invalid value - a numbers column takes a numeric string.")
        return _dump(value), value
    if column_type == "long_text":
        return _text_object(value, "long text")
    if column_type == "phone":
        return _phone(value)
    if column_type == "email":
        return _email(value)
    if column_type == "status":
        return _status(value, settings)
    if column_type == "date":
        return _date(value)
    if column_type == "people":
        return _people(value, users, teams)
    raise ColumnValueRefused(f"this fake does not write {column_type} columns.")
