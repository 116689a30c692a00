"""The fake monday's resolvers: graphql-core's default resolver calls these with each field's arguments."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from ._fake_board import ACCOUNT, VALUE_TYPENAMES, Board, Column
from ._fake_board import error as _error
from ._fake_board import now as _now

if TYPE_CHECKING:
    from .testing import FakeMonday

__all__ = ["Root"]


class Root:
    """The root value: each attribute is a root field, resolved by graphql-core's default resolver."""

    def __init__(self, fake: FakeMonday) -> None:
        self.fake = fake

    # -- queries ----------------------------------------------------------------------------------

    def me(self, _info: Any) -> dict[str, Any]:
        user = next(iter(self.fake.users.values()))
        return {**user, "enabled": True, "is_guest": False, "account": ACCOUNT}

    def account(self, _info: Any) -> dict[str, Any]:
        return ACCOUNT

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
            {**u, "enabled": True, "is_guest": False, "account": ACCOUNT}
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
            "__typename": VALUE_TYPENAMES.get(column.type, "TextValue"),
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
