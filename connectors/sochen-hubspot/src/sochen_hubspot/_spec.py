"""HubSpot's OpenAPI schemas (the subset in ``data/``) and a validator for the OpenAPI 3.0 keywords they use.

The fake checks every request body against the operation's request schema and every answer it
builds against the response schema, so neither the connector nor the fake can drift from the
published documents. Supported keywords: ``$ref``, ``type``, ``required``, ``properties``,
``additionalProperties``, ``items``, ``enum``, ``format`` (``int32``/``int64``/``date-time``/``uuid``).
An object schema that lists ``properties`` and no ``additionalProperties`` is closed: HubSpot's
parser ignores some unknown keys, but a connector that sends them has a bug, so the fake refuses them.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

__all__ = ["Operation", "SpecError", "load_spec", "match_operation", "validate"]

_INT32 = (-(2**31), 2**31 - 1)
_INT64 = (-(2**63), 2**63 - 1)


@dataclass(frozen=True)
class SpecError:
    """One place where a document breaks its schema."""

    path: str
    """JSON path of the offending value, e.g. ``$.filterGroups[0].filters[1].operator``."""
    message: str


@dataclass(frozen=True)
class Operation:
    """One operation of the subset: method, path template, schemas and scopes."""

    family: str
    method: str
    path: str
    request: dict[str, Any] | None
    request_required: bool
    responses: dict[str, Any]
    scopes_any_of: tuple[str, ...]
    pattern: re.Pattern[str]


@cache
def load_spec() -> dict[str, Any]:
    """The extracted subset (``data/hubspot_crm_openapi_subset.json``), with its source and licence."""
    text = resources.files("sochen_hubspot").joinpath("data/hubspot_crm_openapi_subset.json").read_text("utf-8")
    return json.loads(text)


@cache
def _operations() -> tuple[Operation, ...]:
    out = []
    for op in load_spec()["operations"]:
        regex = re.sub(r"\\\{[A-Za-z]+\\\}", r"[^/]+", re.escape(op["path"]))
        out.append(
            Operation(
                family=op["family"],
                method=op["method"],
                path=op["path"],
                request=op["request"],
                request_required=op["request_required"],
                responses=op["responses"],
                scopes_any_of=tuple(op["scopes_any_of"]),
                pattern=re.compile(f"^{regex}$"),
            )
        )
    # Literal segments win over templates (``/contacts/search`` is not ``/contacts/{contactId}``).
    return tuple(sorted(out, key=lambda o: o.path.count("{")))


def match_operation(method: str, path: str) -> Operation | None:
    """The operation a request is for, or None when the subset has no such operation."""
    for op in _operations():
        if op.method == method and op.pattern.match(path):
            return op
    return None


def validate(instance: Any, schema: dict[str, Any] | None, path: str = "$", *, answer: bool = False) -> list[SpecError]:
    """Every way ``instance`` breaks ``schema`` (an OpenAPI 3.0 schema of the subset); empty when none.

    ``answer``: check an answer of HubSpot's rather than a request: objects are open (HubSpot adds
    keys the documents leave out: ``"status": "error"`` on every error) and a value of a string map
    may be ``null`` (a requested property without a value, which the documents do not mark nullable).
    """
    if schema is None:
        return []
    errors: list[SpecError] = []
    _check(instance, schema, path, errors, answer)
    return errors


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    seen = 0
    while "$ref" in schema and seen < 20:
        name = str(schema["$ref"]).rsplit("/", 1)[1]
        schema = load_spec()["schemas"][name]
        seen += 1
    return schema


def _type_ok(value: Any, kind: str) -> bool:
    if kind == "object":
        return isinstance(value, dict)
    if kind == "array":
        return isinstance(value, list)
    if kind == "string":
        return isinstance(value, str)
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind == "boolean":
        return isinstance(value, bool)
    return True


def _check(value: Any, schema: dict[str, Any], path: str, errors: list[SpecError], nulls: bool) -> None:
    schema = _resolve(schema)
    kind = schema.get("type")
    if isinstance(kind, str) and not _type_ok(value, kind):
        errors.append(SpecError(path, f"expected {kind}, got {type(value).__name__}"))
        return
    if "enum" in schema and value not in schema["enum"]:
        errors.append(SpecError(path, f"{value!r} is not one of {schema['enum']}"))
    fmt = schema.get("format")
    if fmt in ("int32", "int64") and isinstance(value, int):
        low, high = _INT32 if fmt == "int32" else _INT64
        if not low <= value <= high:
            errors.append(SpecError(path, f"{value} is out of {fmt} range"))
    if fmt == "date-time" and isinstance(value, str):
        try:
            dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            errors.append(SpecError(path, f"{value!r} is not an ISO 8601 date-time"))
    if fmt == "uuid" and isinstance(value, str):
        try:
            uuid.UUID(value)
        except ValueError:
            errors.append(SpecError(path, f"{value!r} is not a UUID"))
    if isinstance(value, dict):
        props: dict[str, Any] = schema.get("properties", {})
        for name in schema.get("required", []):
            if name not in value:
                errors.append(SpecError(f"{path}.{name}", "required"))
        extra = schema.get("additionalProperties")
        for key, item in value.items():
            if key in props:
                _check(item, props[key], f"{path}.{key}", errors, nulls)
            elif isinstance(extra, dict):
                if not (nulls and item is None and extra.get("type") == "string"):
                    _check(item, extra, f"{path}.{key}", errors, nulls)
            elif not nulls and (extra is False or (extra is None and props)):
                errors.append(SpecError(f"{path}.{key}", "unknown key"))
    if isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            _check(item, schema["items"], f"{path}[{index}]", errors, nulls)
