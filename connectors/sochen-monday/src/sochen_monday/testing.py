"""A fake monday.com GraphQL API for tests and the eval sandbox, built on Sochen's ``FakeServer``.

It speaks monday's wire protocol: ``POST /v2`` with ``{"query", "variables"}``, the token in
``Authorization``, answers ``{"data", "errors", "account_id"}``. Every operation is **parsed and
validated with graphql-core** against ``schema.graphql`` (monday's published schema, the part an
integration uses), then executed against boards held in memory (groups, typed columns, items,
updates). Column values are checked per column type as monday documents them
(``_fake_values.py``), and errors come in monday's shapes (API 2025-01 and later): GraphQL errors with
``extensions.code`` and HTTP 200, complexity and rate limits included.

Scripting: ``exhaust_complexity(retry_in_seconds=...)``, ``minute_limit(...)``, ``revoke_token()``, and
``FakeServer``'s ``fail_next`` / ``hang_next`` (``after_routing=True``: the write happens, the answer is
lost). ``requests_for("create_item")`` lists the calls whose operation selected that root field.
"""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from typing import Any

from graphql import (
    DocumentNode,
    ExecutionResult,
    GraphQLError,
    GraphQLScalarType,
    GraphQLSchema,
    OperationDefinitionNode,
    build_schema,
    execute,
    parse,
    validate,
)
from graphql.language import StringValueNode, ValueNode
from sochen.connectors.testing.fakes import FakeResponse, FakeServer, RecordedRequest

from ._fake_values import STATUS_DEFAULT_LABELS, ColumnValueRefused, check_value

__all__ = ["DEMO_BOARD_ID", "Board", "Column", "FakeMonday", "demo_board", "monday_schema"]

DEMO_BOARD_ID = "5091234567"
_ACCOUNT = {"id": "27311", "name": 'שיפוצי אלון בע"מ', "slug": "alon-renovations", "country_code": "IL"}


@cache
def monday_schema() -> GraphQLSchema:
    """Monday's schema (the subset in ``schema.graphql``), with its JSON scalar as monday reads it."""
    sdl = resources.files(__package__).joinpath("schema.graphql").read_text(encoding="utf-8")
    schema = build_schema(sdl)
    scalar = schema.type_map["JSON"]
    assert isinstance(scalar, GraphQLScalarType)
    scalar.parse_value = _parse_json_value  # type: ignore[method-assign]
    scalar.parse_literal = _parse_json_literal  # type: ignore[method-assign,assignment]
    return schema


def _parse_json_value(value: Any) -> Any:
    # monday's JSON arguments are JSON-formatted strings ("use JSON.stringify()"): a raw object is refused.
    if not isinstance(value, str):
        raise TypeError("a JSON argument must be a JSON-formatted string")
    return json.loads(value)


def _parse_json_literal(node: ValueNode, _variables: Any = None) -> Any:
    if not isinstance(node, StringValueNode):
        raise TypeError("a JSON argument must be a JSON-formatted string")
    return json.loads(node.value)


@dataclass
class Column:
    """A board column: id, title, type (monday's ``ColumnType``) and settings (status labels)."""

    id: str
    title: str
    type: str
    settings: dict[str, Any] = field(default_factory=dict)


@dataclass
class Board:
    """A board with its groups (id → title) and columns."""

    id: str
    name: str
    groups: dict[str, str]
    columns: dict[str, Column]


def demo_board(board_id: str = DEMO_BOARD_ID) -> Board:
    """A renovation contractor's leads board, in Hebrew, with one column of each type Sochen writes."""
    columns = [
        Column("name", "שם", "name"),
        Column("phone_mkq1", "טלפון", "phone"),
        Column("status", "סטטוס", "status", {"labels": dict(STATUS_DEFAULT_LABELS)}),
        Column("date4", "תאריך ביקור", "date"),
        Column("people_mk1", "אחראי", "people"),
        Column("long_text_mk1", "פרטי הפנייה", "long_text"),
        Column("email_mk1", "אימייל", "email"),
        Column("text_mk_city", "עיר", "text"),
        Column("text_sochen_key", "מפתח סוכן", "text"),
    ]
    return Board(
        board_id, "לידים — שיפוצים", {"topics": "פניות חדשות", "group_done": "טופל"}, {c.id: c for c in columns}
    )


_TYPE_OF_PREFIX = (
    ("long_text", "long_text"),
    ("phone", "phone"),
    ("status", "status"),
    ("date", "date"),
    ("people", "people"),
    ("person", "people"),
    ("email", "email"),
    ("numbers", "numbers"),
    ("numeric", "numbers"),
)
_VALUE_TYPENAMES = {
    "text": "TextValue",
    "name": "TextValue",
    "long_text": "LongTextValue",
    "phone": "PhoneValue",
    "email": "EmailValue",
    "status": "StatusValue",
    "date": "DateValue",
    "people": "PeopleValue",
    "numbers": "NumbersValue",
}


def _type_from_id(column_id: str) -> str:
    """Monday names new columns after their type (``phone_mkq1``, ``date4``): the sandbox's best guess."""
    return next((t for prefix, t in _TYPE_OF_PREFIX if column_id.startswith(prefix)), "text")


def _error(message: str, code: str, **error_data: Any) -> GraphQLError:
    return GraphQLError(message, extensions={"code": code, "status_code": 200, "error_data": error_data})


class FakeMonday(FakeServer):
    """monday.com's GraphQL API in memory; ``boards``, ``items`` and ``users`` are its state."""

    service = "monday"

    def __init__(self, *, api_token: str = "monday-test-token-0001", boards: Sequence[Board] | None = None) -> None:
        super().__init__()
        self.api_token = api_token
        self.boards: dict[str, Board] = {b.id: b for b in (boards if boards is not None else [demo_board()])}
        self.users: dict[str, dict[str, Any]] = {
            "41234567": {"id": "41234567", "name": "אלון מזרחי", "email": "alon@alon-renovations.co.il"},
            "41234568": {"id": "41234568", "name": "רונית שגיא", "email": "ronit@alon-renovations.co.il"},
        }
        self.teams: dict[str, str] = {"902211": "צוות שטח"}
        self.items: dict[str, dict[str, Any]] = {}
        self.versions_seen: list[str | None] = []
        self._ids = itertools.count(9_100_000_001)
        self._update_ids = itertools.count(310_000_001)
        self._state = threading.RLock()

    # -- scripting --------------------------------------------------------------------------------

    def exhaust_complexity(self, *, retry_in_seconds: int = 30, times: int = 1, match: Any = None) -> None:
        """The complexity budget is spent: HTTP 200 with ``COMPLEXITY_BUDGET_EXHAUSTED`` (API 2025-07 shape)."""
        body = {
            "errors": [
                {
                    "message": "Complexity budget exhausted",
                    "extensions": {"code": "COMPLEXITY_BUDGET_EXHAUSTED", "retry_in_seconds": retry_in_seconds},
                }
            ],
            "account_id": int(_ACCOUNT["id"]),
        }
        self.script_response(FakeResponse.json(body, 200), times=times, match=match)

    def minute_limit(self, *, retry_in_seconds: int = 20, times: int = 1) -> None:
        """Too many calls this minute: HTTP 429 with ``Retry-After`` and the error in the body."""
        body = {
            "errors": [
                {
                    "message": "Rate Limit Exceeded",
                    "extensions": {"code": "RATE_LIMIT_EXCEEDED", "retry_in_seconds": retry_in_seconds},
                }
            ]
        }
        headers = {"Retry-After": str(retry_in_seconds)}
        self.script_response(FakeResponse.json(body, 429, headers), times=times)

    def revoke_token(self) -> None:
        """The token is revoked: every call is answered 401 from now on."""
        self.api_token = "revoked:" + self.api_token

    @staticmethod
    def operation(field_name: str) -> Callable[[RecordedRequest], bool]:
        """A request matcher: the operation selects this root field (``create_item``)."""
        return lambda request: field_name in _root_fields(request)

    def requests_for(self, field_name: str) -> list[RecordedRequest]:
        """Requests whose operation selected ``field_name`` at its root."""
        return [r for r in self.requests if field_name in _root_fields(r)]

    def add_board_for(self, settings: Mapping[str, Any], planned: Sequence[tuple[str, Mapping[str, Any]]]) -> Board:
        """The sandbox board of a tenant: its board, group and key column, and every column its rules write."""
        board = demo_board(str(settings.get("board_id") or DEMO_BOARD_ID))
        group = settings.get("group_id")
        if group and group not in board.groups:
            board.groups[str(group)] = "פניות חדשות"
        key = settings.get("key_column_id")
        if key and key not in board.columns:
            board.columns[str(key)] = Column(str(key), "מפתח סוכן", "text")
        for _action, params in planned:
            for column_id, value in dict(params.get("values") or {}).items():
                column = board.columns.setdefault(column_id, Column(column_id, column_id, _type_from_id(column_id)))
                if column.type == "status" and isinstance(value, str) and "{{" not in value:
                    labels = column.settings.setdefault("labels", dict(STATUS_DEFAULT_LABELS))
                    if value not in labels.values():
                        labels[str(max((int(k) for k in labels), default=-1) + 1)] = value
                if column.type == "people":
                    for person in value if isinstance(value, list) else [value]:
                        if str(person).isdigit():
                            self.users.setdefault(str(person), {"id": str(person), "name": "עובד", "email": ""})
        self.boards[board.id] = board
        return board

    # -- the wire ---------------------------------------------------------------------------------

    def route(self, request: RecordedRequest) -> FakeResponse:
        """Answer one call to ``POST /v2``."""
        if request.path.rstrip("/") != "/v2" or request.method != "POST":
            return FakeResponse.json({"error_message": "Not Found", "status_code": 404}, 404)
        if request.headers.get("Authorization") != self.api_token:
            return FakeResponse.json(
                {"errors": [{"message": "Not Authenticated", "extensions": {"status_code": 401}}]}, 401
            )
        self.versions_seen.append(request.headers.get("API-Version"))
        try:
            payload = request.json()
        except ValueError:
            payload = None
        if not isinstance(payload, dict) or not isinstance(payload.get("query"), str) or not payload["query"]:
            return FakeResponse.json({"error_message": "No query string was present", "status_code": 400}, 400)
        variables = payload.get("variables") or {}
        if not isinstance(variables, dict):
            return FakeResponse.json({"error_message": "variables must be an object", "status_code": 400}, 400)
        try:
            document = parse(payload["query"])
        except GraphQLError as exc:
            return self._answer(None, [exc.formatted])
        problems = validate(monday_schema(), document)
        if problems:
            return self._answer(None, [p.formatted for p in problems])
        with self._state:
            result = execute(
                monday_schema(),
                document,
                root_value=_Root(self),
                variable_values=variables,
                operation_name=payload.get("operationName"),
            )
        if not isinstance(result, ExecutionResult):  # every resolver here is synchronous
            raise TypeError("the fake's resolvers must not be async")
        errors = [e.formatted for e in result.errors or []]
        return self._answer(result.data, errors)

    def _answer(self, data: Any, errors: list[Any]) -> FakeResponse:
        body: dict[str, Any] = {"data": data} if data is not None else {}
        if errors:
            body["errors"] = errors
        body["account_id"] = int(_ACCOUNT["id"])
        return FakeResponse.json(body, 200)

    # -- the state (called by _Root under self._state) ----------------------------------------------

    def board(self, board_id: Any) -> Board:
        """The board, or monday's InvalidBoardIdException."""
        board = self.boards.get(str(board_id))
        if board is None:
            raise _error(
                "The board does not exist. Please check your board ID and try again",
                "InvalidBoardIdException",
                board_id=str(board_id),
            )
        return board

    def write_values(self, board: Board, item: dict[str, Any], values: Any) -> None:
        """Check every column value as monday does, then store them all (or none)."""
        if not isinstance(values, dict):
            raise _error("column_values must be a JSON object of column ids", "InvalidArgumentException")
        staged: dict[str, tuple[str | None, str]] = {}
        name = item["name"]
        for column_id, value in values.items():
            column = board.columns.get(column_id)
            if column is None:
                raise _error(
                    "This column ID doesn't exist for the board", "InvalidColumnIdException", column_id=column_id
                )
            if column.type == "name":
                if not isinstance(value, str) or not value.strip():
                    raise _error("invalid value for the item name", "ColumnValueException", column_type="name")
                name = value
                continue
            try:
                staged[column_id] = check_value(column.type, column.settings, value, self.users, self.teams)
            except ColumnValueRefused as exc:
                raise _error(
                    f"{exc} Please check our API documentation for the correct data structure for this column. "
                    "https://developer.monday.com/api-reference/docs/change-column-values",
                    "ColumnValueException",
                    column_value=json.dumps(value, ensure_ascii=False),
                    column_type=column.type,
                ) from None
        item["name"] = name
        item["values"].update(staged)
        item["updated_at"] = _now()

    def new_item_id(self) -> str:
        """The next item id."""
        return str(next(self._ids))

    def new_update_id(self) -> str:
        """The next update id."""
        return str(next(self._update_ids))

    def item_text(self, item: dict[str, Any], column_id: str) -> str:
        """The text of a column of an item ('' when empty)."""
        return item["values"].get(column_id, (None, ""))[1]


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _root_fields(request: RecordedRequest) -> set[str]:
    try:
        document: DocumentNode = parse(str(request.json().get("query") or ""))
    except Exception:
        return set()
    found: set[str] = set()
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            found.update(s.name.value for s in definition.selection_set.selections if hasattr(s, "name"))
    return found


class _Root:
    """The root value: each attribute is a root field, resolved by graphql-core's default resolver."""

    def __init__(self, fake: FakeMonday) -> None:
        self.fake = fake

    # -- queries ----------------------------------------------------------------------------------

    def me(self, _info: Any) -> dict[str, Any]:
        user = next(iter(self.fake.users.values()))
        return {**user, "enabled": True, "is_guest": False, "account": _ACCOUNT}

    def account(self, _info: Any) -> dict[str, Any]:
        return _ACCOUNT

    def version(self, _info: Any) -> dict[str, Any]:
        value = self.fake.versions_seen[-1] if self.fake.versions_seen else None
        return {"display_name": value or "current", "value": value or "current"}

    def complexity(self, _info: Any) -> dict[str, Any]:
        return {"after": 9_999_000, "before": 10_000_000, "query": 1000, "reset_in_x_seconds": 60}

    def boards(self, _info: Any, ids: list[str] | None = None, limit: int = 25, page: int = 1, **_: Any) -> list[Any]:
        chosen = [b for b in self.fake.boards.values() if ids is None or b.id in {str(i) for i in ids}]
        return [self._board(b) for b in chosen[(page - 1) * limit : page * limit]]

    def items(self, _info: Any, ids: list[str] | None = None, limit: int = 25, **_: Any) -> list[Any]:
        if ids is not None and len(ids) > 100:
            raise _error("Maximum of 100 item ids per query", "InvalidArgumentException")
        found = [self.fake.items[str(i)] for i in ids or [] if str(i) in self.fake.items]
        return [self._item(i) for i in found[:limit]]

    def items_page_by_column_values(
        self, _info: Any, board_id: str, columns: list[dict[str, Any]] | None = None, limit: int = 25, **_: Any
    ) -> dict[str, Any]:
        board = self.fake.board(board_id)
        if not 1 <= limit <= 500:
            raise _error("limit must be between 1 and 500", "InvalidArgumentException")
        for rule in columns or []:
            if rule["column_id"] not in board.columns:
                raise _error(
                    "This column ID doesn't exist for the board",
                    "InvalidColumnIdException",
                    column_id=rule["column_id"],
                )
        matches = [
            item
            for item in self.fake.items.values()
            if item["board_id"] == board.id
            and item["state"] == "active"
            and all(
                (item["name"] if rule["column_id"] == "name" else self.fake.item_text(item, rule["column_id"]))
                in [v for v in rule["column_values"] if v is not None]
                for rule in columns or []
            )
        ]
        return {"cursor": None, "items": [self._item(i) for i in matches[:limit]]}

    def users(self, _info: Any, ids: list[str] | None = None, **_: Any) -> list[Any]:
        return [
            {**u, "enabled": True, "is_guest": False, "account": _ACCOUNT}
            for u in self.fake.users.values()
            if ids is None or u["id"] in {str(i) for i in ids}
        ]

    def teams(self, _info: Any, ids: list[str] | None = None) -> list[Any]:
        return [{"id": k, "name": v} for k, v in self.fake.teams.items() if ids is None or k in {str(i) for i in ids}]

    # -- mutations --------------------------------------------------------------------------------

    def create_item(
        self,
        _info: Any,
        board_id: str,
        item_name: str,
        group_id: str | None = None,
        column_values: Any = None,
        **_: Any,
    ) -> dict[str, Any]:
        board = self.fake.board(board_id)
        if len(item_name) > 255:
            raise _error("Item name is too long (max 255 characters)", "ItemNameTooLongException")
        group = group_id or next(iter(board.groups))
        if group not in board.groups:
            raise _error("The group does not exist on this board", "InvalidGroupIdException", group_id=group)
        now = _now()
        item: dict[str, Any] = {
            "id": self.fake.new_item_id(),
            "name": item_name,
            "board_id": board.id,
            "group_id": group,
            "state": "active",
            "values": {},
            "updates": [],
            "created_at": now,
            "updated_at": now,
        }
        self.fake.write_values(board, item, column_values if column_values is not None else {})
        self.fake.items[item["id"]] = item
        return self._item(item)

    def change_multiple_column_values(
        self, _info: Any, board_id: str, column_values: Any, item_id: str | None = None, **_: Any
    ) -> dict[str, Any]:
        board = self.fake.board(board_id)
        item = self.fake.items.get(str(item_id))
        if item is None or item["board_id"] != board.id:
            raise _error("Item not found in board", "InvalidItemIdException", item_id=str(item_id))
        self.fake.write_values(board, item, column_values)
        return self._item(item)

    def change_column_value(
        self, info: Any, board_id: str, column_id: str, value: Any, item_id: str | None = None, **_: Any
    ) -> dict[str, Any]:
        return self.change_multiple_column_values(info, board_id, {column_id: value}, item_id)

    def create_update(self, _info: Any, body: str, item_id: str | None = None, **_: Any) -> dict[str, Any]:
        item = self.fake.items.get(str(item_id))
        if item is None:
            raise _error("Item not found", "InvalidItemIdException", item_id=str(item_id))
        if not body.strip():
            raise _error("The update body is empty", "InvalidArgumentException")
        update = {
            "id": self.fake.new_update_id(),
            "body": body,
            "text_body": body,
            "creator_id": next(iter(self.fake.users)),
            "created_at": _now(),
            "updated_at": _now(),
            "item_id": item["id"],
        }
        item["updates"].insert(0, update)  # newest first, as monday lists them
        return update

    def archive_item(self, _info: Any, item_id: str | None = None) -> dict[str, Any] | None:
        item = self.fake.items.get(str(item_id))
        if item is None:
            return None
        item["state"] = "archived"
        return self._item(item)

    delete_item = archive_item

    # -- objects ----------------------------------------------------------------------------------

    def _column(self, column: Column) -> dict[str, Any]:
        return {
            "archived": False,
            "description": None,
            "id": column.id,
            "settings_str": json.dumps(column.settings, ensure_ascii=False),
            "title": column.title,
            "type": column.type,
            "width": None,
        }

    def _group(self, board: Board, group_id: str) -> dict[str, Any]:
        items = [i for i in self.fake.items.values() if i["board_id"] == board.id and i["group_id"] == group_id]
        return {
            "archived": False,
            "color": "#579bfc",
            "deleted": False,
            "id": group_id,
            "position": str(list(board.groups).index(group_id) + 1),
            "title": board.groups[group_id],
            "items_page": lambda _info, limit=25, **_: {
                "cursor": None,
                "items": [self._item(i) for i in items[:limit]],
            },
        }

    def _board(self, board: Board) -> dict[str, Any]:
        def columns(_info: Any, ids: list[str] | None = None, types: list[str] | None = None) -> list[Any]:
            return [
                self._column(c)
                for c in board.columns.values()
                if (ids is None or c.id in ids) and (types is None or c.type in types)
            ]

        def groups(_info: Any, ids: list[str] | None = None) -> list[Any]:
            return [self._group(board, g) for g in board.groups if ids is None or g in ids]

        items = [i for i in self.fake.items.values() if i["board_id"] == board.id and i["state"] == "active"]
        return {
            "id": board.id,
            "name": board.name,
            "board_kind": "public",
            "state": "active",
            "columns": columns,
            "groups": groups,
            "items_count": len(items),
            "items_page": lambda _info, limit=25, **_: {
                "cursor": None,
                "items": [self._item(i) for i in items[:limit]],
            },
            "top_group": self._group(board, next(iter(board.groups))),
            "url": f"https://alon-renovations.monday.com/boards/{board.id}",
            "workspace_id": None,
        }

    def _item(self, item: dict[str, Any]) -> dict[str, Any]:
        board = self.fake.boards[item["board_id"]]

        def column_values(_info: Any, ids: list[str] | None = None, types: list[str] | None = None) -> list[Any]:
            return [
                self._value(c, item)
                for c in board.columns.values()
                if c.type != "name" and (ids is None or c.id in ids) and (types is None or c.type in types)
            ]

        def updates(_info: Any, limit: int = 25, page: int = 1, **_: Any) -> list[Any]:
            return item["updates"][(page - 1) * limit : page * limit]

        return {
            "id": item["id"],
            "name": item["name"],
            "board": lambda _info: self._board(board),
            "group": lambda _info: self._group(board, item["group_id"]),
            "state": item["state"],
            "created_at": item["created_at"],
            "updated_at": item["updated_at"],
            "url": f"https://alon-renovations.monday.com/boards/{board.id}/pulses/{item['id']}",
            "column_values": column_values,
            "updates": updates,
        }

    def _value(self, column: Column, item: dict[str, Any]) -> dict[str, Any]:
        raw, text = item["values"].get(column.id, (None, ""))
        parsed = json.loads(raw) if raw else {}
        value: dict[str, Any] = {
            "__typename": _VALUE_TYPENAMES.get(column.type, "TextValue"),
            "column": self._column(column),
            "id": column.id,
            "text": text,
            "type": column.type,
            "value": raw,
            "updated_at": item["updated_at"],
        }
        if column.type == "phone" and isinstance(parsed, dict):
            value.update(phone=parsed.get("phone"), country_short_name=parsed.get("countryShortName"))
        elif column.type == "status" and isinstance(parsed, dict):
            value.update(index=parsed.get("index"), label=text or None, is_done=False)
        elif column.type == "date" and isinstance(parsed, dict):
            value.update(date=parsed.get("date"), time=parsed.get("time"))
        elif column.type == "people" and isinstance(parsed, dict):
            value["persons_and_teams"] = parsed.get("personsAndTeams") or []
        elif column.type == "email" and isinstance(parsed, dict):
            value.update(email=parsed.get("email"), label=parsed.get("text"))
        return value
