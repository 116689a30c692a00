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

from ._fake_board import ACCOUNT, DEMO_BOARD_ID, Board, Column, demo_board, type_from_id
from ._fake_board import error as _error
from ._fake_board import now as _now
from ._fake_resolvers import Root
from ._fake_values import STATUS_DEFAULT_LABELS, ColumnValueRefused, check_value

__all__ = ["DEMO_BOARD_ID", "Board", "Column", "FakeMonday", "demo_board", "monday_schema"]


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
            "account_id": int(ACCOUNT["id"]),
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
                column = board.columns.setdefault(column_id, Column(column_id, column_id, type_from_id(column_id)))
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
                root_value=Root(self),
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
        body["account_id"] = int(ACCOUNT["id"])
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
