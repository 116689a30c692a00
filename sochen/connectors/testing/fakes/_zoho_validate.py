"""What a real Zoho CRM v8 refuses, checked by the fake itself against field metadata.

The rules come from the v8 OpenAPI documents of zoho/crm-oas (``record.json``, ``notes.json``,
``common.json``; kept as ``tests/fixtures/zoho/*.openapi.json``): the body wrappers,
``InvalidTypeDetails``, ``MaxLengthDetails``, ``SupportedValueDetails``, ``BodyErrorDetails``,
``ParamDetails``; and the field metadata of ``GET settings/fields``
(``data_type``, ``length``, ``system_mandatory``, ``unique``, ``pick_list_values``). Each check
returns Zoho's error item (``{"code","details","message","status":"error"}``) or ``None``; none of
them raises on any JSON a client can send.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from importlib import resources
from typing import Any

__all__ = [
    "BODY_KEYS",
    "TRIGGERS",
    "check_body",
    "check_item",
    "check_page",
    "default_fields",
    "error_item",
    "unique_fields",
]

TRIGGERS = frozenset({"workflow", "approval", "blueprint"})
"""Values Zoho accepts in ``trigger`` (an empty list runs none; leaving it out runs all)."""

BODY_KEYS = {
    "record": {
        "data",
        "trigger",
        "process",
        "duplicate_check_fields",
        "wf_trigger",
        "lar_id",
        "apply_feature_execution",
        "skip_feature_execution",
    },
    "Notes": {"data"},  # notes.json Body_Wrapper: data only
}
_EMAIL = re.compile(
    r"^[A-Za-z0-9._%+'\-]+@[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}$"
)
_PHONE = re.compile(r"^[+0-9()\-. /]{1,30}$")
_WEBSITE = re.compile(r"^(https?://)?[^\s/$.?#].[^\s]*$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:[+-]\d{2}:\d{2}|Z)$")
_ID = re.compile(r"^\d{1,19}$")
_PER_PAGE_MAX = 200
_DISCRETE_LIMIT = 2000


def default_fields() -> dict[str, dict[str, dict[str, Any]]]:
    """Field metadata of the default organisation, per module, by API name (a fresh copy)."""
    text = resources.files(__package__).joinpath("zoho_fields.json").read_text(encoding="utf-8")
    modules = json.loads(text)["modules"]
    return {m: {f["api_name"]: f for f in body["fields"]} for m, body in modules.items()}


def unique_fields(fields: dict[str, dict[str, Any]]) -> set[str]:
    """API names of the fields Zoho accepts in ``duplicate_check_fields`` (marked unique)."""
    return {name for name, meta in fields.items() if meta.get("unique")}


def error_item(code: str, message: str, details: dict[str, Any]) -> dict[str, Any]:
    """Zoho's error shape, for one item or a whole request."""
    return {"code": code, "details": details, "message": message, "status": "error"}


def _invalid(api_name: str, path: str, **extra: Any) -> dict[str, Any]:
    return error_item("INVALID_DATA", "invalid data", {**extra, "api_name": api_name, "json_path": path})


def _missing(api_name: str, path: str) -> dict[str, Any]:
    return error_item("MANDATORY_NOT_FOUND", "required field not found", {"api_name": api_name, "json_path": path})


def check_body(
    body: Any, *, kind: str, fields: dict[str, dict[str, Any]], upsert: bool
) -> tuple[dict[str, Any] | None, int]:
    """The whole-request error for a write body (and its HTTP status), or ``(None, 0)``."""
    if not isinstance(body, dict):
        return error_item("INVALID_DATA", "body", {"expected_data_type": "jsonobject", "api_name": "body"}), 400
    for key in body:
        if key not in BODY_KEYS[kind]:
            return error_item("INVALID_DATA", "invalid data", {"api_name": key, "json_path": f"$.{key}"}), 400
    if "data" not in body:
        return error_item(
            "MANDATORY_NOT_FOUND", "required field not found", {"api_name": "data", "json_path": "$.data"}
        ), 400
    data = body["data"]
    if not isinstance(data, list):
        return _invalid("data", "$.data", expected_data_type="jsonarray"), 400
    if not data:
        return error_item(
            "MANDATORY_NOT_FOUND", "required field not found", {"api_name": "data", "json_path": "$.data"}
        ), 400
    if len(data) > 100:
        return error_item("LIMIT_EXCEEDED", "Record count exceeded", {"limit": 100, "api_name": "data"}), 400
    if "trigger" in body:
        trigger = body["trigger"]
        if not isinstance(trigger, list):
            return _invalid("trigger", "$.trigger", expected_data_type="jsonarray"), 400
        for i, value in enumerate(trigger):
            if not isinstance(value, str) or value not in TRIGGERS:
                return _invalid("trigger", f"$.trigger[{i}]", supported_values=sorted(TRIGGERS)), 400
    if "duplicate_check_fields" in body:
        checks = body["duplicate_check_fields"]
        if not isinstance(checks, list):
            return _invalid("duplicate_check_fields", "$.duplicate_check_fields", expected_data_type="jsonarray"), 400
        allowed = unique_fields(fields)
        for i, name in enumerate(checks):
            if not isinstance(name, str) or name not in fields:
                return _invalid("duplicate_check_fields", f"$.duplicate_check_fields[{i}]"), 400
            if upsert and name not in allowed:
                return (
                    _invalid(
                        "duplicate_check_fields", f"$.duplicate_check_fields[{i}]", supported_values=sorted(allowed)
                    ),
                    400,
                )
    return None, 0


def check_item(
    item: Any,
    index: int,
    *,
    fields: dict[str, dict[str, Any]],
    users: set[str],
    inserting: bool,
) -> dict[str, Any] | None:
    """Zoho's error item for one record of ``data``, or None. ``inserting``: mandatory fields apply."""
    where = f"$.data[{index}]"
    if not isinstance(item, dict):
        return _invalid("data", where, expected_data_type="jsonobject")
    if inserting:
        for name, meta in fields.items():
            if meta.get("system_mandatory") and item.get(name) in (None, "", [], {}):
                return error_item(
                    "MANDATORY_NOT_FOUND",
                    "required field not found",
                    {"api_name": name, "json_path": f"{where}.{name}"},
                )
    for name, value in item.items():
        found = fields.get(name)
        if found is None or value is None:
            continue  # Zoho ignores API names it does not know; null clears a field
        meta = found
        problem = _check_value(name, value, meta, f"{where}.{name}", users)
        if problem is not None:
            return problem
    return None


def _check_value(name: str, value: Any, meta: dict[str, Any], path: str, users: set[str]) -> dict[str, Any] | None:
    kind = str(meta.get("data_type"))
    if meta.get("read_only"):
        return None  # Zoho ignores writes to read-only system fields
    if kind in ("text", "textarea", "email", "phone", "website", "picklist", "autonumber"):
        if not isinstance(value, str):
            return _invalid(name, path, expected_data_type=kind)
        length = int(meta.get("length") or 0)
        if length and len(value) > length:
            return _invalid(name, path, maximum_length=str(length))  # a string in record.json
        if kind == "email" and value and not _EMAIL.match(value):
            return _invalid(name, path, regex=_EMAIL.pattern)
        if kind == "phone" and value and not _PHONE.match(value):
            return _invalid(name, path, regex=_PHONE.pattern)
        if kind == "website" and value and not _WEBSITE.match(value):
            return _invalid(name, path, regex=_WEBSITE.pattern)
        if kind == "picklist" and value:
            allowed = [str(p.get("actual_value")) for p in meta.get("pick_list_values") or []]
            if value not in allowed:
                return _invalid(name, path, supported_values=allowed)
        return None
    if kind == "date":
        if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return _invalid(name, path, expected_data_type="date")
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            return _invalid(name, path, expected_data_type="date")
        return None
    if kind == "datetime":
        if not isinstance(value, str) or not _DATETIME.match(value):
            return _invalid(name, path, expected_data_type="datetime")
        try:
            dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return _invalid(name, path, expected_data_type="datetime")
        return None
    if kind == "integer":
        if not isinstance(value, int) or isinstance(value, bool) or abs(value) >= 2**31:
            return _invalid(name, path, expected_data_type="integer")
        return None
    if kind in ("double", "currency"):
        if not isinstance(value, int | float) or isinstance(value, bool):
            return _invalid(name, path, expected_data_type=kind)
        return None
    if kind == "boolean":
        return None if isinstance(value, bool) else _invalid(name, path, expected_data_type="boolean")
    if kind == "multiselectpicklist":
        choices = {str(p.get("actual_value")) for p in meta.get("pick_list_values") or []}
        if not isinstance(value, list) or not all(isinstance(v, str) and v in choices for v in value):
            return _invalid(name, path, expected_data_type="jsonarray")
        return None
    if kind in ("lookup", "ownerlookup"):
        ref = value.get("id") if isinstance(value, dict) else None
        if not isinstance(ref, str | int) or isinstance(ref, bool) or not _ID.match(str(ref)):
            return _invalid(name, path, expected_data_type="jsonobject")
        if kind == "ownerlookup" and str(ref) not in users:
            return _invalid(name, path)  # not an active user of the organisation
        return None
    return None


def check_page(query: dict[str, list[str]]) -> dict[str, Any] | None:
    """Pagination parameters of a GET: ``page`` ≥ 1, 1 ≤ ``per_page`` ≤ 200, the first 2,000 records only."""
    numbers: dict[str, int] = {}
    for name, default in (("page", 1), ("per_page", _PER_PAGE_MAX)):
        raw = query.get(name)
        if not raw:
            numbers[name] = default
            continue
        if not re.fullmatch(r"-?\d{1,9}", raw[0]):
            return error_item("INVALID_DATA", "invalid data", {"param_name": name, "param": raw[0]})
        numbers[name] = int(raw[0])
    if numbers["page"] < 1:
        return error_item("INVALID_DATA", "invalid data", {"param_name": "page", "param": str(numbers["page"])})
    if not 1 <= numbers["per_page"] <= _PER_PAGE_MAX:
        return error_item("INVALID_DATA", "invalid data", {"param_name": "per_page", "param": str(numbers["per_page"])})
    if numbers["page"] * numbers["per_page"] > _DISCRETE_LIMIT:
        return error_item(
            "DISCRETE_PAGINATION_LIMIT_EXCEEDED",
            "You can only get the first 2000 records without using page_token param",
            {"limit": _DISCRETE_LIMIT},
        )
    return None
