"""monday.com: items on a board, their column values and updates, over the GraphQL API.

One HTTP call per GraphQL operation, ``POST {api_url}`` with ``Authorization: <token>`` and a pinned
``API-Version`` header. Retries belong to the dispatcher: every failure is classified
(``_errors.classify_errors``) and raised, a complexity or rate-limit error with monday's own
``retry_in_seconds`` as ``retry_after``.

Idempotency: a create first looks for its item. ``upsert_record`` searches its key columns with
``items_page_by_column_values``; ``create_item`` writes a marker derived from the job's idempotency
key into the board's key column (a Text column, ``key_column_id``) and searches for it first; and
``add_update`` ends the update with the marker and reads the item's updates first. A create whose
answer was lost (timeout) is therefore found, not repeated, when the dispatcher retries the job.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any, Literal

from pydantic import BaseModel, Field, SecretStr
from sochen.connectors import (
    Capability,
    CheckResult,
    CheckStatus,
    Connector,
    ConnectorConfig,
    ConnectorError,
    ErrorKind,
    Record,
    RecordQuery,
    RecordRef,
    RecordUpsert,
    SandboxFake,
    action,
    check_result_from_error,
    parse_retry_after,
)
from sochen.connectors.http import ActionParams, send

from ._columns import column_value, display_text
from ._errors import SentColumn, classify_errors

__all__ = [
    "API_VERSION",
    "AddUpdateParams",
    "CreateItemParams",
    "ItemResult",
    "MondayConfig",
    "MondayConnector",
    "UpdateColumnsParams",
    "UpdateResult",
    "idempotency_marker",
]

API_VERSION = "2025-10"
"""The monday API version every call pins (``API-Version`` header); change it only after testing."""

_ID = r"^\d{1,20}$"
_UPDATES_SCANNED = 100

_BOARD = """query Board($ids: [ID!]) {
  boards(ids: $ids) { id name groups { id title } columns { id title type settings_str } }
}"""
_CHECK = """query Check($ids: [ID!]) {
  me { id name account { id name slug } }
  boards(ids: $ids) { id name groups { id title } columns { id title type settings_str } }
}"""
_ITEM_FIELDS = "id name state board { id } group { id } column_values { id type text value }"
_FIND = f"""query Find($board: ID!, $columns: [ItemsPageByColumnValuesQuery!], $limit: Int!) {{
  items_page_by_column_values(board_id: $board, columns: $columns, limit: $limit) {{
    cursor items {{ {_ITEM_FIELDS} }}
  }}
}}"""
_GET = f"""query Get($ids: [ID!]) {{ items(ids: $ids) {{ {_ITEM_FIELDS} }} }}"""
_CREATE = """mutation Create($board: ID!, $group: String, $name: String!, $values: JSON) {
  create_item(board_id: $board, group_id: $group, item_name: $name, column_values: $values) { id name }
}"""
_CHANGE = """mutation Change($board: ID!, $item: ID, $values: JSON!) {
  change_multiple_column_values(board_id: $board, item_id: $item, column_values: $values) { id name }
}"""
_ARCHIVE = """mutation Archive($item: ID) { archive_item(item_id: $item) { id } }"""
_UPDATES = """query Updates($ids: [ID!], $limit: Int) { items(ids: $ids) { id updates(limit: $limit) { id body } } }"""
_ADD_UPDATE = """mutation AddUpdate($item: ID, $body: String!) { create_update(item_id: $item, body: $body) { id } }"""


def idempotency_marker(key: str) -> str:
    """The marker a job's idempotency key leaves on monday: ``s`` and twelve hex digits of its hash."""
    return "s" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:12]


class MondayConfig(ConnectorConfig):
    """One monday.com account and board of one tenant."""

    api_token: SecretStr = Field(description="monday API token (Profile → Developers → API token), per tenant.")
    board_id: str = Field(pattern=_ID, description="The board Sochen writes items to (digits, from the board's URL).")
    group_id: str | None = Field(
        default=None, min_length=1, description="Group new items go to (its id, e.g. 'topics'); the top group if unset."
    )
    key_column_id: str | None = Field(
        default=None,
        min_length=1,
        description="A Text column Sochen writes each create's idempotency marker into; without it a retried "
        "create_item cannot be recognised (upsert_record uses its key columns instead).",
    )
    api_url: str = Field(
        default="https://api.monday.com/v2",
        pattern=r"^https?://[^\s/]+(:\d+)?(/[^\s]*)?$",
        description="GraphQL endpoint.",
    )
    api_version: str = Field(
        default=API_VERSION, pattern=r"^\d{4}-(01|04|07|10)$", description="Pinned API-Version header (YYYY-MM)."
    )
    time_zone: str = Field(
        default="Asia/Jerusalem",
        min_length=1,
        description="Time zone of date-times given without an offset (monday stores a date column's time in UTC).",
    )


class CreateItemParams(ActionParams):
    """Create an item (once per job): its name, group and column values by column id."""

    item_name: str = Field(min_length=1, max_length=255, description="The item's name (monday's Name column).")
    values: dict[str, Any] = Field(
        default_factory=dict,
        description="Column values by column id: plain values (a phone, a status label, an ISO date, user ids, "
        "text) are turned into the column type's JSON shape; a mapping is sent as it is; null is left out.",
    )
    board_id: str | None = Field(default=None, pattern=_ID, description="Board; the configured board if unset.")
    group_id: str | None = Field(default=None, min_length=1, description="Group; the configured group if unset.")
    idempotency_key: str | None = Field(
        default=None, min_length=1, max_length=200, description="Filled by the dispatcher with the job's key."
    )


class UpdateColumnsParams(ActionParams):
    """Change some column values of an item (``change_multiple_column_values``)."""

    item_id: str = Field(pattern=_ID, description="The item.")
    values: dict[str, Any] = Field(min_length=1, description="Column values by column id, as in create_item.")
    board_id: str | None = Field(default=None, pattern=_ID, description="Board; the configured board if unset.")


class AddUpdateParams(ActionParams):
    """Post an update (a comment) on an item, once per job."""

    item_id: str = Field(pattern=_ID, description="The item.")
    body: str = Field(min_length=1, max_length=20000, description="The update's text (Hebrew welcome).")
    idempotency_key: str | None = Field(
        default=None, min_length=1, max_length=200, description="Filled by the dispatcher with the job's key."
    )


class ItemResult(BaseModel):
    """An item Sochen created, found or changed."""

    id: str
    board_id: str
    name: str
    action: Literal["created", "found", "updated"]


class UpdateResult(BaseModel):
    """An update posted on an item (or found, when a retried job had already posted it)."""

    id: str
    item_id: str
    action: Literal["created", "found"]


class MondayConnector(Connector[MondayConfig]):
    """Items, column values and updates on a monday.com board."""

    name = "monday"
    title = "monday.com"
    config_model = MondayConfig
    capabilities = frozenset({Capability.READ_RECORDS, Capability.WRITE_RECORDS})

    def __init__(self, config: MondayConfig | Mapping[str, Any], **kwargs: Any) -> None:
        super().__init__(config, **kwargs)
        self._boards: dict[str, dict[str, Any]] = {}

    @classmethod
    def sandbox_fake(
        cls, settings: Mapping[str, Any], *, planned: Sequence[tuple[str, Mapping[str, Any]]] = ()
    ) -> SandboxFake:
        """For Sochen's eval sandbox: a fake monday with the tenant's board, ready for its rules' columns."""
        from .testing import FakeMonday

        token = "sandbox-monday-token-0001"
        fake = FakeMonday(api_token=token)
        fake.add_board_for(settings, planned)
        fake.start()
        return SandboxFake(
            fake=fake,
            overrides={"api_url": f"{fake.url}/v2"},
            urls=[fake.url],
            stop=fake.stop,
            secrets={"api_token": token},
        )

    # -- GraphQL over HTTP --------------------------------------------------------------------------

    def _graphql(
        self, query: str, variables: Mapping[str, Any], *, sent: Mapping[str, SentColumn] | None = None
    ) -> dict[str, Any]:
        headers = {
            "Authorization": self.config.api_token.get_secret_value(),
            "API-Version": self.config.api_version,
            "Content-Type": "application/json",
        }
        payload = {"query": query, "variables": dict(variables)}
        response = send(
            self.session, "POST", self.config.api_url, headers=headers, timeout=self.config.timeout_s, json=payload
        )
        try:
            body = response.json()
        except ValueError:
            body = None
        wait = parse_retry_after(response.headers.get("Retry-After"), self.clock())
        error = classify_errors(body, http_status=response.status_code, retry_after_header=wait, sent=sent)
        if error is not None:
            raise error
        if not isinstance(body, dict) or not isinstance(body.get("data"), dict):
            raise ConnectorError(ErrorKind.PERMANENT, f"monday answered {response.status_code} without data")
        return body["data"]

    def _board(self, board_id: str) -> dict[str, Any]:
        """The board's columns and groups (read once per connector)."""
        if board_id not in self._boards:
            boards = self._graphql(_BOARD, {"ids": [board_id]}).get("boards") or []
            if not boards:
                raise ConnectorError(ErrorKind.MISCONFIGURED, f"monday board {board_id} not found (or no access)")
            self._boards[board_id] = boards[0]
        return self._boards[board_id]

    def _columns(self, board_id: str) -> dict[str, SentColumn]:
        board = self._board(board_id)
        return {c["id"]: SentColumn(id=c["id"], type=c["type"], title=c["title"]) for c in board.get("columns") or []}

    def _values(self, board_id: str, values: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, SentColumn]]:
        """Column values in monday's shapes, and the columns they go to (unknown ids refused by name)."""
        columns = self._columns(board_id)
        shaped: dict[str, Any] = {}
        for column_id, value in values.items():
            if value is None:  # a rule's "{{ x or none }}" when the slot is missing: leave the column as it is
                continue
            column = columns.get(column_id)
            if column is None:
                raise ConnectorError(
                    ErrorKind.MISCONFIGURED,
                    f"board {board_id} has no column '{column_id}' (columns: {', '.join(sorted(columns))})",
                    details={"column_id": column_id},
                )
            shaped[column_id] = column_value(column_id, column.type, value, time_zone=self.config.time_zone)
        return shaped, {k: columns[k] for k in shaped}

    def _find(self, board_id: str, equals: Mapping[str, str], limit: int) -> list[dict[str, Any]]:
        columns = [{"column_id": k, "column_values": [v]} for k, v in equals.items()]
        data = self._graphql(_FIND, {"board": board_id, "columns": columns, "limit": limit})
        return list((data.get("items_page_by_column_values") or {}).get("items") or [])

    # -- the contract ---------------------------------------------------------------------------------

    def check(self) -> CheckResult:
        """The token works, the board exists, and the group and key column are on it."""
        try:
            data = self._graphql(_CHECK, {"ids": [self.config.board_id]})
        except ConnectorError as exc:
            return check_result_from_error(exc)
        boards = data.get("boards") or []
        if not data.get("me") or not boards:
            return CheckResult(
                status=CheckStatus.MISCONFIGURED,
                detail=f"board {self.config.board_id} not found, or the token's user cannot see it",
            )
        board = boards[0]
        self._boards[self.config.board_id] = board
        groups = {g["id"] for g in board.get("groups") or []}
        if self.config.group_id and self.config.group_id not in groups:
            known = ", ".join(sorted(groups))
            return CheckResult(
                status=CheckStatus.MISCONFIGURED,
                detail=f"group '{self.config.group_id}' is not on board {board['id']} (groups: {known})",
            )
        types = {c["id"]: c["type"] for c in board.get("columns") or []}
        key = self.config.key_column_id
        if key and types.get(key) != "text":
            return CheckResult(
                status=CheckStatus.MISCONFIGURED,
                detail=f"key column '{key}' must be a Text column on board {board['id']} (found: {types.get(key)})",
            )
        account = (data["me"].get("account") or {}).get("name", "")
        return CheckResult(status=CheckStatus.OK, detail=f"monday account {account}, board {board['name']}")

    def upsert_record(self, upsert: RecordUpsert) -> RecordRef:
        """Find the item by its key columns (``items_page_by_column_values``), then change it or create it.

        After a create it searches again: if another job created an item with the same key meanwhile, the
        older item is kept (and changed) and ours is archived, so the board keeps one item per key.

        ``module`` is the board id (or ``items`` for the configured board); ``fields`` are column values by
        column id, with ``name`` for the item's name.
        """
        board_id = self._module_board(upsert.module)
        fields = dict(upsert.fields)
        name = fields.pop("name", None)
        if not upsert.key_fields or any(k not in fields for k in upsert.key_fields):
            raise ConnectorError(ErrorKind.INVALID_REQUEST, f"every key column needs a value: {upsert.key_fields}")
        shaped, sent = self._values(board_id, fields)
        equals = {k: display_text(sent[k].type, shaped[k]) for k in upsert.key_fields}
        found = self._find(board_id, equals, limit=2)
        if found:
            item_id = str(found[0]["id"])
            if name:
                shaped["name"] = str(name)
            self._graphql(_CHANGE, {"board": board_id, "item": item_id, "values": json.dumps(shaped)}, sent=sent)
            return RecordRef(module=upsert.module, id=item_id, action="updated")
        if not name:
            raise ConnectorError(ErrorKind.INVALID_REQUEST, "a new item needs a 'name'")
        created = self._create(board_id, self.config.group_id, str(name), shaped, sent)
        # Two jobs for the same key may have searched before either created: keep the oldest item, and
        # archive ours if another job's item came first (monday enforces no uniqueness of its own).
        same = sorted(self._find(board_id, equals, limit=5), key=lambda i: int(i["id"]))
        oldest = str(same[0]["id"]) if same else str(created["id"])
        if oldest != str(created["id"]):
            self._graphql(_ARCHIVE, {"item": str(created["id"])})
            self._graphql(_CHANGE, {"board": board_id, "item": oldest, "values": json.dumps(shaped)}, sent=sent)
            return RecordRef(module=upsert.module, id=oldest, action="updated")
        return RecordRef(module=upsert.module, id=str(created["id"]), action="created")

    def get_record(self, ref: RecordRef) -> Record | None:
        """One item with its column values, or None when it does not exist."""
        items = self._graphql(_GET, {"ids": [ref.id]}).get("items") or []
        live = [i for i in items if i and i.get("state") in (None, "active")]
        return _record(ref.module, live[0]) if live else None

    def search_records(self, query: RecordQuery) -> list[Record]:
        """Items whose columns' text equals the values (``items_page_by_column_values``)."""
        board_id = self._module_board(query.module)
        items = self._find(board_id, {k: str(v) for k, v in query.equals.items()}, limit=min(query.limit, 500))
        return [_record(query.module, item) for item in items]

    # -- actions --------------------------------------------------------------------------------------

    @action(idempotent=True)
    def create_item(self, params: CreateItemParams) -> ItemResult:
        """Create an item in a group with column values; a retried job finds the item it created."""
        board_id = params.board_id or self.config.board_id
        shaped, sent = self._values(board_id, params.values)
        key_column = self.config.key_column_id
        if params.idempotency_key and key_column:
            marker = idempotency_marker(params.idempotency_key)
            found = self._find(board_id, {key_column: marker}, limit=1)
            if found:
                return ItemResult(id=str(found[0]["id"]), board_id=board_id, name=found[0]["name"], action="found")
            shaped[key_column] = marker
        created = self._create(board_id, params.group_id or self.config.group_id, params.item_name, shaped, sent)
        return ItemResult(id=str(created["id"]), board_id=board_id, name=created["name"], action="created")

    @action(idempotent=True)
    def update_columns(self, params: UpdateColumnsParams) -> ItemResult:
        """Change column values of an item (setting the same values twice is harmless)."""
        board_id = params.board_id or self.config.board_id
        shaped, sent = self._values(board_id, params.values)
        data = self._graphql(
            _CHANGE, {"board": board_id, "item": params.item_id, "values": json.dumps(shaped)}, sent=sent
        )
        item = data.get("change_multiple_column_values")
        if not item:
            raise ConnectorError(ErrorKind.PERMANENT, f"monday changed no item {params.item_id}")
        return ItemResult(id=str(item["id"]), board_id=board_id, name=item["name"], action="updated")

    @action(idempotent=True)
    def add_update(self, params: AddUpdateParams) -> UpdateResult:
        """Post an update on an item; with the job's key, a retried job finds the update it posted."""
        body = params.body
        if params.idempotency_key:
            marker = idempotency_marker(params.idempotency_key)
            data = self._graphql(_UPDATES, {"ids": [params.item_id], "limit": _UPDATES_SCANNED})
            items = data.get("items") or []
            if not items:
                raise ConnectorError(ErrorKind.INVALID_REQUEST, f"monday has no item {params.item_id}")
            for update in items[0].get("updates") or []:
                if f"#{marker}" in str(update.get("body") or ""):
                    return UpdateResult(id=str(update["id"]), item_id=params.item_id, action="found")
            body = f"{body}\n\n#{marker}"
        created = self._graphql(_ADD_UPDATE, {"item": params.item_id, "body": body}).get("create_update")
        if not created:
            raise ConnectorError(ErrorKind.PERMANENT, f"monday posted no update on item {params.item_id}")
        return UpdateResult(id=str(created["id"]), item_id=params.item_id, action="created")

    # -- helpers --------------------------------------------------------------------------------------

    def _module_board(self, module: str) -> str:
        if module == "items":
            return self.config.board_id
        if not module.isdigit():
            raise ConnectorError(ErrorKind.INVALID_REQUEST, f"module must be a board id or 'items', not {module!r}")
        return module

    def _create(
        self, board_id: str, group_id: str | None, name: str, shaped: dict[str, Any], sent: Mapping[str, SentColumn]
    ) -> dict[str, Any]:
        variables = {"board": board_id, "group": group_id, "name": name, "values": json.dumps(shaped)}
        created = self._graphql(_CREATE, variables, sent=sent).get("create_item")
        if not created:
            raise ConnectorError(ErrorKind.PERMANENT, f"monday created no item on board {board_id}")
        return dict(created)


def _record(module: str, item: Mapping[str, Any]) -> Record:
    fields: dict[str, Any] = {"name": item.get("name")}
    texts: dict[str, Any] = {}
    for value in item.get("column_values") or []:
        raw = value.get("value")
        try:
            fields[value["id"]] = json.loads(raw) if isinstance(raw, str) else raw
        except ValueError:
            fields[value["id"]] = raw
        texts[value["id"]] = value.get("text")
    details = {"group_id": (item.get("group") or {}).get("id"), "board_id": (item.get("board") or {}).get("id")}
    return Record(module=module, id=str(item["id"]), fields=fields, provider_details={**details, "text": texts})
