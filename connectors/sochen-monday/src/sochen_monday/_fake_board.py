"""The fake monday's state: boards with groups and typed columns, the demo board, monday's error shape."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from graphql import GraphQLError

from ._fake_values import STATUS_DEFAULT_LABELS

__all__ = [
    "ACCOUNT",
    "DEMO_BOARD_ID",
    "VALUE_TYPENAMES",
    "Board",
    "Column",
    "demo_board",
    "error",
    "now",
    "type_from_id",
]

DEMO_BOARD_ID = "5091234567"
ACCOUNT = {"id": "27311", "name": 'שיפוצי אלון בע"מ', "slug": "alon-renovations", "country_code": "IL"}


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


TYPE_OF_PREFIX = (
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
VALUE_TYPENAMES = {
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


def type_from_id(column_id: str) -> str:
    """Monday names new columns after their type (``phone_mkq1``, ``date4``): the sandbox's best guess."""
    return next((t for prefix, t in TYPE_OF_PREFIX if column_id.startswith(prefix)), "text")


def error(message: str, code: str, **error_data: Any) -> GraphQLError:
    return GraphQLError(message, extensions={"code": code, "status_code": 200, "error_data": error_data})


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
