"""A fake HubSpot CRM for tests and Sochen's eval sandbox: the wire protocol, validated against the specs.

:class:`FakeHubSpot` is a real HTTP server on loopback (a Sochen ``FakeServer``) that answers the
CRM v3 objects API (contacts, tasks, notes: create, read, update, search, batch read) and the v4
associations API the way HubSpot does, and refuses what HubSpot refuses:

- **Auth**: ``Authorization: Bearer <private-app token>``; a missing, unknown or revoked token is
  401 ``INVALID_AUTHENTICATION``; a token without the operation's scope (the scopes are those of
  the OpenAPI documents) is 403 ``MISSING_SCOPES`` naming them.
- **Bodies**: a body must be ``application/json`` and valid against the operation's request schema
  in ``data/hubspot_crm_openapi_subset.json`` (extracted from HubSpot's public OpenAPI documents,
  see ``scripts/extract_spec.py``); properties are checked against the account's property metadata
  (``data/properties.json``): unknown property, option not allowed, bad e-mail, bad date, read-only,
  a required ``hs_timestamp`` missing — each a 400 ``VALIDATION_ERROR`` with ``errors[]`` naming the
  property, and the legacy ``message`` that embeds the same list as HubSpot's does.
- **Uniqueness**: a second contact with the same e-mail is 409 ``CONFLICT`` ``Contact already exists.
  Existing ID: <id>``, as HubSpot answers.
- **Search**: ``filterGroups`` are ORed and their filters ANDed; at most 6 groups (the document's
  limit), ``limit`` at most 200; operators ``EQ``, ``NEQ``, ``IN``, ``NOT_IN``, ``HAS_PROPERTY``,
  ``NOT_HAS_PROPERTY`` (any other is refused here, though HubSpot knows it: the connector uses
  these only); ``EQ`` on a string ignores case, ``IN`` on a string matches lower-case values only
  (HubSpot's rule). ``search_lag`` keeps new records out of search for that many searches, as
  HubSpot's index lags its writes.
- **Associations**: a create's ``associations`` must name existing records with a HubSpot-defined
  type id that fits the pair (note→contact 202, task→contact 204); v4 reads list them both ways.
- **Rate limits**: a private app's ten-second window (``ten_secondly_max``, default 190) and daily
  limit (``daily_max``), with ``X-HubSpot-RateLimit-*`` headers on every non-search answer; search
  has its own per-second limit (``search_per_second``, default 5) and no such headers. Over a limit
  is 429 with HubSpot's body (``policyName`` ``TEN_SECONDLY_ROLLING``, ``SECONDLY`` or ``DAILY``) and
  ``Retry-After`` for the rolling windows.
- **Scripted failures**: ``rate_limit_storm()``, ``server_errors()``, ``revoke_token()``, and the
  ``FakeServer`` scripting (``fail_next``, ``hang_next(match=...)``: a write that happens although
  the answer never arrives, see :meth:`lose_answer_of`).
"""

from __future__ import annotations

import copy
import datetime as dt
import itertools
import json
import re
import time
import uuid
from collections.abc import Callable
from importlib import resources
from typing import Any

from sochen.connectors.testing.fakes import FakeResponse, FakeServer, RecordedRequest

from ._spec import Operation, match_operation, validate

__all__ = ["ASSOCIATION_TYPES", "DEFAULT_SCOPES", "FakeHubSpot", "hubspot_error"]

DEFAULT_SCOPES = frozenset({"crm.objects.contacts.read", "crm.objects.contacts.write"})
"""What the example private app is granted: tasks and notes use the contacts scopes too (see the documents)."""

ASSOCIATION_TYPES: dict[tuple[str, str], int] = {
    ("contacts", "notes"): 201,
    ("notes", "contacts"): 202,
    ("contacts", "tasks"): 203,
    ("tasks", "contacts"): 204,
}
"""HubSpot-defined association type ids (the default type of each pair), from HubSpot's association type list."""

_FAMILIES = ("contacts", "tasks", "notes")
_DEFAULT_PROPERTIES = {
    "contacts": ("createdate", "email", "firstname", "hs_object_id", "lastmodifieddate", "lastname"),
    "tasks": ("hs_createdate", "hs_lastmodifieddate", "hs_object_id"),
    "notes": ("hs_createdate", "hs_lastmodifieddate", "hs_object_id"),
}
_OPERATORS = {"EQ", "NEQ", "IN", "NOT_IN", "HAS_PROPERTY", "NOT_HAS_PROPERTY"}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")


def hubspot_error(status: int, category: str, message: str, **extra: Any) -> FakeResponse:
    """An error answer in HubSpot's shape (``status``, ``message``, ``correlationId``, ``category``, ...)."""
    body = {"status": "error", "message": message, "correlationId": str(uuid.uuid4()), "category": category}
    body.update(extra)
    return FakeResponse.json(body, status)


def _iso(ms: float) -> str:
    return dt.datetime.fromtimestamp(ms / 1000, dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class FakeHubSpot(FakeServer):
    """One HubSpot account (portal) in memory, behind the CRM v3/v4 wire protocol."""

    service = "hubspot"

    def __init__(
        self,
        *,
        access_token: str = "pat-eu1-00000000-0000-4000-8000-000000000001",
        scopes: frozenset[str] | set[str] = DEFAULT_SCOPES,
        portal_id: int = 144_000_321,
        ten_secondly_max: int = 190,
        daily_max: int = 1_000_000,
        search_per_second: int = 5,
        search_lag: int = 0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__()
        self.access_token = access_token
        self.scopes = frozenset(scopes)
        self.portal_id = portal_id
        self.ten_secondly_max = ten_secondly_max
        self.daily_max = daily_max
        self.search_per_second = search_per_second
        self.search_lag = search_lag
        self.clock = clock
        self.revoked: set[str] = set()
        self.objects: dict[str, dict[str, dict[str, Any]]] = {family: {} for family in _FAMILIES}
        self.associations: set[tuple[str, str, str, str, int]] = set()
        """(from type, from id, to type, to id, type id), both directions stored."""
        self.properties: dict[str, dict[str, dict[str, Any]]] = _load_properties()
        self._ids = itertools.count(51)
        self._calls: list[float] = []
        self._searches: list[float] = []
        self._daily = 0
        self._unindexed: dict[str, int] = {}  # record id -> searches left before it is found

    # -- what a test reads -------------------------------------------------------------------------

    @property
    def contacts(self) -> dict[str, dict[str, Any]]:
        """Contacts by id (each ``{"id", "properties", "createdAt", "updatedAt", "archived"}``)."""
        return self.objects["contacts"]

    @property
    def tasks(self) -> dict[str, dict[str, Any]]:
        """Tasks by id."""
        return self.objects["tasks"]

    @property
    def notes(self) -> dict[str, dict[str, Any]]:
        """Notes by id."""
        return self.objects["notes"]

    def associated(self, from_type: str, from_id: str, to_type: str) -> list[str]:
        """Ids of ``to_type`` records associated with one record."""
        return sorted(t for (f, fid, tt, t, _) in self.associations if (f, fid, tt) == (from_type, from_id, to_type))

    def add_contact(self, **properties: str) -> str:
        """A contact typed in by staff (no validation, as the UI's own forms are): its id."""
        return self._insert("contacts", dict(properties))

    # -- scripting ---------------------------------------------------------------------------------

    def revoke_token(self, token: str | None = None) -> None:
        """The account's admin deletes or rotates the private app's token: every call is 401 from now on."""
        self.revoked.add(token or self.access_token)

    def rate_limit_storm(self, *, times: int = 5, retry_after: int = 1, policy: str = "TEN_SECONDLY_ROLLING") -> None:
        """The next ``times`` calls are 429 with ``Retry-After`` (none for ``DAILY``, as HubSpot's daily limit)."""
        headers = {} if policy == "DAILY" else {"Retry-After": str(retry_after)}
        self.script_response(self._limit_answer(policy, headers), times=times)

    def server_errors(self, *, times: int = 3, status: int = 500) -> None:
        """The next ``times`` calls fail with a 5xx in HubSpot's shape."""
        response = hubspot_error(status, "INTERNAL_ERROR", "internal error")
        self.script_response(response, times=times)

    def lose_answer_of(self, method: str, path: str, *, seconds: float = 5.0) -> None:
        """The next ``method path`` request is carried out, but its answer never reaches the client (it times out)."""

        def carried_out(request: RecordedRequest) -> bool:
            if request.method != method or request.path != path:
                return False
            with self._lock:
                self.route(request)  # HubSpot wrote it; the answer is lost on the way back
            return True

        self.hang_next(seconds=seconds, match=carried_out)

    def add_property(
        self, family: str, name: str, *, type_: str = "string", options: list[str] | None = None, unique: bool = False
    ) -> None:
        """An admin creates a custom property (``options`` for an enumeration; ``unique``: require unique values)."""
        prop: dict[str, Any] = {
            "name": name,
            "label": name,
            "type": type_,
            "fieldType": "text",
            "hasUniqueValue": unique,
        }
        if options is not None:
            prop.update(type="enumeration", fieldType="select", options=[{"label": o, "value": o} for o in options])
        self.properties[family][name] = prop

    # -- the server --------------------------------------------------------------------------------

    def route(self, request: RecordedRequest) -> FakeResponse:
        """Auth, limits, the operation's schema, then the operation itself."""
        auth = request.headers.get("Authorization") or ""
        token = auth[7:] if auth.startswith("Bearer ") else ""
        if token != self.access_token or token in self.revoked:
            return hubspot_error(
                401,
                "INVALID_AUTHENTICATION",
                "Authentication credentials not found. This API supports OAuth 2.0 authentication and you can "
                "find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview",
            )
        op = match_operation(request.method, request.path)
        if op is None:
            return hubspot_error(404, "OBJECT_NOT_FOUND", f"No route for {request.method} {request.path}")
        if op.scopes_any_of and not self.scopes & set(op.scopes_any_of):
            return hubspot_error(
                403,
                "MISSING_SCOPES",
                "This app hasn't been granted all required scopes to make this call. Read more about required "
                "scopes here: https://developers.hubspot.com/scopes.",
                errors=[
                    {
                        "message": "One or more of the following scopes are required.",
                        "context": {"requiredGranularScopes": sorted(op.scopes_any_of)[:20]},
                    }
                ],
                links={"scopes": "https://developers.hubspot.com/scopes"},
            )
        is_search = request.path.endswith("/search")
        limited = self._over_limit(is_search)
        if limited is not None:
            return limited
        answer = self._operation(op, request)
        if not is_search:
            answer.headers.update(self._limit_headers())
        return answer

    def _operation(self, op: Operation, request: RecordedRequest) -> FakeResponse:
        body: Any = None
        if op.request is not None:
            content_type = (request.headers.get("Content-Type") or "").split(";")[0].strip().lower()
            if content_type != "application/json":
                return hubspot_error(415, "VALIDATION_ERROR", f"Unsupported Media Type: {content_type or 'none'}")
            try:
                body = json.loads(request.body.decode("utf-8"))
            except (UnicodeDecodeError, ValueError) as exc:
                return hubspot_error(400, "VALIDATION_ERROR", f"Invalid input JSON on line 1: {type(exc).__name__}")
            problems = validate(body, op.request)
            if problems:
                return hubspot_error(
                    400,
                    "VALIDATION_ERROR",
                    "Invalid input JSON: " + "; ".join(f"{p.path}: {p.message}" for p in problems[:5]),
                    errors=[{"message": p.message, "in": p.path, "code": "INVALID_INPUT"} for p in problems[:20]],
                )
        segments = request.path.strip("/").split("/")
        if segments[1] == "v4":
            answer = self._associations(op, segments, request)
        elif segments[2] == "properties":
            answer = self._property(segments[3], segments[4])
        else:
            answer = self._objects(op, segments, request, body)
        status = str(answer.status)
        if status in op.responses:  # an answer that breaks the documents is a bug of this fake: loud
            problems = validate(json.loads(answer.body), op.responses[status], answer=True)
            if problems:
                raise AssertionError(f"fake HubSpot answer breaks the spec: {problems}")
        return answer

    # -- v3 objects --------------------------------------------------------------------------------

    def _objects(self, op: Operation, segments: list[str], request: RecordedRequest, body: Any) -> FakeResponse:
        family = segments[3]
        rest = segments[4:]
        if request.method == "GET" and not rest:
            limit = int(request.param("limit") or 10)
            names = _requested(request, family)
            items = [self._public(family, o, names) for o in list(self.objects[family].values())[:limit]]
            return FakeResponse.json({"results": items})
        if request.method == "POST" and not rest:
            return self._create(family, body)
        if rest == ["search"]:
            return self._search(family, body)
        if rest == ["batch", "read"]:
            return self._batch_read(family, body)
        if rest == ["batch", "upsert"]:
            return self._batch_upsert(family, body)
        record = self.objects[family].get(rest[0])
        if record is None or record["archived"]:
            return hubspot_error(404, "OBJECT_NOT_FOUND", "resource not found")
        if request.method == "GET":
            return FakeResponse.json(self._public(family, record, _requested(request, family)))
        problems = self._check_properties(family, body["properties"])
        if problems:
            return problems
        email = body["properties"].get("email")
        if family == "contacts" and email:
            owner = self._contact_by_email(email)
            if owner is not None and owner != record["id"]:
                return hubspot_error(409, "CONFLICT", f"Contact already exists. Existing ID: {owner}")
        record["properties"].update(body["properties"])
        record["updatedAt"] = self._now_ms()
        return FakeResponse.json(self._public(family, record, tuple(body["properties"])))

    def _create(self, family: str, body: dict[str, Any]) -> FakeResponse:
        problems = self._check_properties(family, body["properties"], creating=True)
        if problems:
            return problems
        email = body["properties"].get("email")
        if family == "contacts" and email:
            owner = self._contact_by_email(email)
            if owner is not None:
                return hubspot_error(409, "CONFLICT", f"Contact already exists. Existing ID: {owner}")
        links = []
        for index, association in enumerate(body.get("associations") or []):
            target = str(association["to"]["id"])
            fitting = [
                (to_type, spec["associationTypeId"])
                for spec in association["types"]
                for (from_type, to_type), type_id in ASSOCIATION_TYPES.items()
                if from_type == family
                and type_id == spec["associationTypeId"]
                and spec["associationCategory"] == "HUBSPOT_DEFINED"
            ]
            if not association["types"] or len(fitting) != len(association["types"]):
                return _validation(
                    f"associations[{index}].types",
                    "INVALID_ASSOCIATION_TYPE",
                    f"association types {association['types']} do not exist from {family}",
                )
            for to_type, type_id in fitting:
                if target not in self.objects[to_type]:
                    return _validation(
                        f"associations[{index}].to.id", "INVALID_OBJECT_ID", f"{to_type} {target} does not exist"
                    )
                links.append((to_type, target, type_id))
        new_id = self._insert(family, dict(body["properties"]))
        for to_type, target, type_id in links:
            self._associate(family, new_id, to_type, target, type_id)
        return FakeResponse.json(self._public(family, self.objects[family][new_id], tuple(body["properties"])), 201)

    def _search(self, family: str, body: dict[str, Any]) -> FakeResponse:
        groups = body["filterGroups"]
        if len(groups) > 6:
            return _validation("filterGroups", "TOO_MANY_FILTER_GROUPS", "Up to 6 filter groups are allowed")
        if not 0 < body["limit"] <= 200:
            return _validation("limit", "INVALID_LIMIT", "limit must be between 1 and 200")
        known = self.properties[family]
        for g, group in enumerate(groups):
            for f, flt in enumerate(group["filters"]):
                where = f"filterGroups[{g}].filters[{f}]"
                if flt["operator"] not in _OPERATORS:
                    return _validation(
                        where, "UNSUPPORTED_OPERATOR", f"this fake does not search with {flt['operator']}"
                    )
                if flt["propertyName"] not in known:
                    return _validation(
                        where, "PROPERTY_DOESNT_EXIST", f"Property {flt['propertyName']!r} does not exist"
                    )
                needs = {"EQ": "value", "NEQ": "value", "IN": "values", "NOT_IN": "values"}.get(flt["operator"])
                if needs and needs not in flt:
                    return _validation(where, "MISSING_VALUE", f"{flt['operator']} needs {needs!r}")
        found = []
        for record in self.objects[family].values():
            if record["archived"] or self._unindexed.get(record["id"], 0) > 0:
                continue
            if not groups or any(all(_matches(record, flt) for flt in group["filters"]) for group in groups):
                found.append(record)
        for record_id in list(self._unindexed):
            self._unindexed[record_id] -= 1
            if self._unindexed[record_id] <= 0:
                del self._unindexed[record_id]
        start = int(body["after"] or 0) if str(body["after"] or "0").isdigit() else 0
        page = found[start : start + body["limit"]]
        answer: dict[str, Any] = {
            "total": len(found),
            "results": [self._public(family, r, tuple(body["properties"])) for r in page],
        }
        if start + body["limit"] < len(found):
            answer["paging"] = {"next": {"after": str(start + body["limit"])}}
        return FakeResponse.json(answer)

    def _batch_upsert(self, family: str, body: dict[str, Any]) -> FakeResponse:
        """Create or update by a unique property (``idProperty``): HubSpot's own idempotent write."""
        now = _iso(self._now_ms())
        results = []
        for index, item in enumerate(body["inputs"]):
            id_property = item.get("idProperty")
            prop = self.properties[family].get(id_property or "")
            if prop is None or not prop.get("hasUniqueValue"):
                return _validation(
                    f"inputs[{index}].idProperty",
                    "INVALID_ID_PROPERTY",
                    f"{id_property!r} is not a property with unique values of {family}",
                )
            problems = self._check_properties(family, item["properties"])
            if problems:
                return problems
            key = str(item["id"])
            match = next(
                (
                    r
                    for r in self.objects[family].values()
                    if not r["archived"] and str(r["properties"].get(id_property) or "").lower() == key.lower()
                ),
                None,
            )
            if match is None:
                record_id = self._insert(family, {**item["properties"], id_property: key})
                record, new = self.objects[family][record_id], True
            else:
                match["properties"].update(item["properties"])
                match["updatedAt"] = self._now_ms()
                record, new = match, False
            results.append({**self._public(family, record, tuple(item["properties"])), "new": new})
        return FakeResponse.json({"status": "COMPLETE", "results": results, "startedAt": now, "completedAt": now})

    def _batch_read(self, family: str, body: dict[str, Any]) -> FakeResponse:
        now = _iso(self._now_ms())
        results, missing = [], []
        for item in body["inputs"]:
            record = self.objects[family].get(str(item["id"]))
            if record is None:
                missing.append(str(item["id"]))
            else:
                results.append(self._public(family, record, tuple(body["properties"])))
        answer: dict[str, Any] = {"status": "COMPLETE", "results": results, "startedAt": now, "completedAt": now}
        if not missing:
            return FakeResponse.json(answer)
        answer["numErrors"] = len(missing)
        answer["errors"] = [
            {
                "status": "error",
                "category": "OBJECT_NOT_FOUND",
                "message": "Could not get some " + family + " objects, they may be deleted or not exist.",
                "context": {"ids": missing},
                "errors": [],
                "links": {},
            }
        ]
        return FakeResponse.json(answer, 207)

    def _property(self, family: str, name: str) -> FakeResponse:
        """One property's definition, in the shape of ``GET /crm/v3/properties/{objectType}/{propertyName}``."""
        prop = self.properties.get(family, {}).get(name)
        if prop is None:
            return hubspot_error(404, "OBJECT_NOT_FOUND", f"Unable to find property with name {name}")
        read_only = bool(prop.get("readOnly"))
        return FakeResponse.json(
            {
                "name": prop["name"],
                "label": prop["label"],
                "type": prop["type"],
                "fieldType": prop["fieldType"],
                "description": "",
                "groupName": "contactinformation" if family == "contacts" else f"{family[:-1]}information",
                "options": [
                    {"label": o["label"], "value": o["value"], "hidden": False, "displayOrder": i}
                    for i, o in enumerate(prop.get("options") or [])
                ],
                "hasUniqueValue": bool(prop.get("hasUniqueValue")),
                "hidden": False,
                "formField": not read_only,
                "modificationMetadata": {
                    "archivable": not read_only,
                    "readOnlyDefinition": read_only,
                    "readOnlyValue": read_only,
                },
            }
        )

    # -- v4 associations ---------------------------------------------------------------------------

    def _associations(self, op: Operation, segments: list[str], request: RecordedRequest) -> FakeResponse:
        # /crm/v4/objects/{type}/{id}/associations/{toType}  or  .../associations/default/{toType}/{toId}
        from_type, from_id = segments[3], segments[4]
        if from_type not in self.objects or from_id not in self.objects[from_type]:
            return hubspot_error(404, "OBJECT_NOT_FOUND", f"{from_type} {from_id} does not exist")
        if request.method == "GET":
            to_type = segments[6]
            results = [
                {"toObjectId": to_id, "associationTypes": [{"category": "HUBSPOT_DEFINED", "typeId": type_id}]}
                for (f, fid, tt, to_id, type_id) in sorted(self.associations)
                if (f, fid, tt) == (from_type, from_id, to_type)
            ]
            return FakeResponse.json({"results": results})
        to_type, to_id = segments[7], segments[8]
        type_id = ASSOCIATION_TYPES.get((from_type, to_type))
        if type_id is None or to_id not in self.objects.get(to_type, {}):
            return _validation("toObjectId", "INVALID_OBJECT_ID", f"{to_type} {to_id} cannot be associated")
        self._associate(from_type, from_id, to_type, to_id, type_id)
        now = _iso(self._now_ms())
        spec = {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": type_id}
        return FakeResponse.json(
            {
                "status": "COMPLETE",
                "results": [{"from": {"id": from_id}, "to": {"id": to_id}, "associationSpec": spec}],
                "startedAt": now,
                "completedAt": now,
            }
        )

    # -- helpers -----------------------------------------------------------------------------------

    def _now_ms(self) -> float:
        return self.clock() * 1000

    def _insert(self, family: str, properties: dict[str, str]) -> str:
        new_id = str(next(self._ids))
        now = self._now_ms()
        self.objects[family][new_id] = {
            "id": new_id,
            "properties": properties,
            "createdAt": now,
            "updatedAt": now,
            "archived": False,
        }
        if self.search_lag:
            self._unindexed[new_id] = self.search_lag
        return new_id

    def _associate(self, from_type: str, from_id: str, to_type: str, to_id: str, type_id: int) -> None:
        back = ASSOCIATION_TYPES[(to_type, from_type)]
        self.associations.add((from_type, from_id, to_type, to_id, type_id))
        self.associations.add((to_type, to_id, from_type, from_id, back))

    def _contact_by_email(self, email: str) -> str | None:
        for record in self.contacts.values():
            if not record["archived"] and str(record["properties"].get("email") or "").lower() == email.lower():
                return str(record["id"])
        return None

    def _public(self, family: str, record: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
        props = record["properties"]
        computed = {
            "hs_object_id": record["id"],
            "createdate": _iso(record["createdAt"]),
            "lastmodifieddate": _iso(record["updatedAt"]),
            "hs_createdate": _iso(record["createdAt"]),
            "hs_lastmodifieddate": _iso(record["updatedAt"]),
        }
        wanted = dict.fromkeys((*_DEFAULT_PROPERTIES[family], *names))
        shown = {n: props.get(n, computed.get(n)) for n in wanted if n in self.properties[family] or n in props}
        return {
            "id": record["id"],
            "properties": copy.deepcopy(shown),
            "createdAt": _iso(record["createdAt"]),
            "updatedAt": _iso(record["updatedAt"]),
            "archived": record["archived"],
        }

    def _check_properties(
        self, family: str, properties: dict[str, str], *, creating: bool = False
    ) -> FakeResponse | None:
        known = self.properties[family]
        results = []
        for name, value in properties.items():
            prop = known.get(name)
            error = None
            if prop is None:
                error = ("PROPERTY_DOESNT_EXIST", f'Property "{name}" does not exist')
            elif prop.get("readOnly"):
                error = ("READ_ONLY_VALUE", f'"{name}" is a read only property; its value cannot be set.')
            elif prop["type"] == "enumeration" and prop.get("options") is not None and value != "":
                allowed = [o["value"] for o in prop["options"]]
                if value not in allowed:
                    error = ("INVALID_OPTION", f"{value} was not one of the allowed options: [{', '.join(allowed)}]")
            elif prop["type"] == "datetime" and not (value.isdigit() or _ISO_DATE.match(value)):
                error = ("INVALID_DATE", f"{value} is not a valid datetime (ISO 8601 or milliseconds since epoch)")
            elif name == "email" and value and not _EMAIL.match(value):
                error = ("INVALID_EMAIL", f"Email address {value} is invalid")
            if error is not None:
                results.append({"code": error[0], "message": error[1], "name": name})
        if creating:
            for name, prop in known.items():
                if prop.get("required") and not properties.get(name):
                    results.append({"code": "REQUIRED", "message": f"{name} is required", "name": name})
        if not results:
            return None
        legacy = [
            {
                "isValid": False,
                "message": r["message"],
                "error": r["code"],
                "name": r["name"],
                "localizedErrorMessage": r["message"],
            }
            for r in results
        ]
        return hubspot_error(
            400,
            "VALIDATION_ERROR",
            "Property values were not valid: " + json.dumps(legacy, ensure_ascii=False),
            errors=[
                {"message": r["message"], "code": r["code"], "context": {"propertyName": [r["name"]]}} for r in results
            ],
        )

    def _limit_headers(self) -> dict[str, str]:
        return {
            "X-HubSpot-RateLimit-Daily": str(self.daily_max),
            "X-HubSpot-RateLimit-Daily-Remaining": str(max(0, self.daily_max - self._daily)),
            "X-HubSpot-RateLimit-Interval-Milliseconds": "10000",
            "X-HubSpot-RateLimit-Max": str(self.ten_secondly_max),
            "X-HubSpot-RateLimit-Remaining": str(max(0, self.ten_secondly_max - len(self._calls))),
        }

    def _limit_answer(self, policy: str, headers: dict[str, str]) -> FakeResponse:
        names = {"TEN_SECONDLY_ROLLING": "ten_secondly_rolling", "SECONDLY": "secondly", "DAILY": "daily"}
        response = FakeResponse.json(
            {
                "status": "error",
                "message": f"You have reached your {names[policy]} limit.",
                "errorType": "RATE_LIMIT",
                "correlationId": str(uuid.uuid4()),
                "policyName": policy,
            },
            429,
        )
        response.headers.update(headers)
        return response

    def _over_limit(self, is_search: bool) -> FakeResponse | None:
        now = self.clock()
        if self._daily >= self.daily_max:
            return self._limit_answer("DAILY", self._limit_headers())
        if is_search:
            self._searches = [t for t in self._searches if now - t < 1.0]
            if len(self._searches) >= self.search_per_second:
                wait = max(1, int(1.0 - (now - self._searches[0]) + 0.999))
                return self._limit_answer("SECONDLY", {"Retry-After": str(wait)})
            self._searches.append(now)
        else:
            self._calls = [t for t in self._calls if now - t < 10.0]
            if len(self._calls) >= self.ten_secondly_max:
                wait = max(1, int(10.0 - (now - self._calls[0]) + 0.999))
                return self._limit_answer("TEN_SECONDLY_ROLLING", {**self._limit_headers(), "Retry-After": str(wait)})
            self._calls.append(now)
        self._daily += 1
        return None


def _validation(where: str, code: str, message: str) -> FakeResponse:
    return hubspot_error(400, "VALIDATION_ERROR", message, errors=[{"message": message, "code": code, "in": where}])


def _requested(request: RecordedRequest, family: str) -> tuple[str, ...]:
    raw = ",".join(request.query.get("properties", []))
    return tuple(p for p in raw.split(",") if p)


def _matches(record: dict[str, Any], flt: dict[str, Any]) -> bool:
    props = record["properties"]
    name = flt["propertyName"]
    value = record["id"] if name == "hs_object_id" else props.get(name)
    operator = flt["operator"]
    if operator == "HAS_PROPERTY":
        return value not in (None, "")
    if operator == "NOT_HAS_PROPERTY":
        return value in (None, "")
    if operator in ("EQ", "NEQ"):
        equal = value is not None and str(value).lower() == str(flt["value"]).lower()
        return equal if operator == "EQ" else not equal
    inside = value is not None and str(value).lower() in [v for v in flt["values"]]
    return inside if operator == "IN" else not inside


def _load_properties() -> dict[str, dict[str, dict[str, Any]]]:
    text = resources.files("sochen_hubspot").joinpath("data/properties.json").read_text("utf-8")
    data = json.loads(text)
    return {family: {p["name"]: p for p in data[family]} for family in _FAMILIES}
