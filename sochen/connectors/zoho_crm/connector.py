"""Zoho CRM v8: leads and contacts upserted by phone/email, search, tasks and notes (protocols.md §2)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal

import requests
from pydantic import BaseModel, ConfigDict, Field

from ..base import Capability, Connector, SandboxFake, action, check_result_from_error
from ..errors import ConnectorError, ErrorKind
from ..phone import InvalidPhoneNumber, normalize_phone
from ..types import CheckResult, CheckStatus, Record, RecordQuery, RecordRef, RecordUpsert
from ._auth import SHARED_TOKENS, TokenCache, TokenManager
from ._client import ZohoClient
from ._config import ZohoCrmConfig
from ._criteria import criteria_equals

__all__ = [
    "BATCH_LIMIT",
    "BatchResult",
    "BatchUpsert",
    "ContactParams",
    "ItemResult",
    "LeadParams",
    "NoteParams",
    "SearchParams",
    "TaskParams",
    "ZohoCrmConnector",
]

BATCH_LIMIT = 100
_RECORD_MODULES = ("Leads", "Contacts", "Accounts", "Deals")


class _Params(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LeadParams(_Params):
    """A lead as the agent captured it; matched to an existing lead by phone, then email."""

    last_name: str = Field(min_length=1, description="Last name (or the full name when only one is known).")
    first_name: str | None = Field(default=None, description="First name.")
    phone: str | None = Field(default=None, description="Phone; Israeli numbers are normalised to +972...")
    email: str | None = Field(default=None, description="Email address.")
    company: str | None = Field(default=None, description="Company (Zoho requires it on some layouts).")
    lead_source: str | None = Field(default="WhatsApp", description="Lead_Source picklist value.")
    description: str | None = Field(default=None, description="Free text: what the person asked for.")
    extra: dict[str, Any] = Field(default_factory=dict, description="More fields by Zoho API name.")


class ContactParams(_Params):
    """A contact; matched by phone, then email."""

    last_name: str = Field(min_length=1, description="Last name.")
    first_name: str | None = Field(default=None, description="First name.")
    phone: str | None = Field(default=None, description="Phone; normalised to E.164.")
    email: str | None = Field(default=None, description="Email address.")
    description: str | None = Field(default=None, description="Free text.")
    extra: dict[str, Any] = Field(default_factory=dict, description="More fields by Zoho API name.")


class TaskParams(_Params):
    """A task for a person at the business, linked to a lead, contact, account or deal."""

    subject: str = Field(min_length=1, max_length=255, description="What to do ('להתקשר לגבי תור').")
    related: RecordRef = Field(description="The record the task is about.")
    due_date: dt.date | None = Field(default=None, description="Due date (YYYY-MM-DD).")
    owner_id: str | None = Field(default=None, description="Zoho user id; default_owner_id when omitted.")
    priority: Literal["Highest", "High", "Normal", "Low", "Lowest"] | None = Field(
        default=None, description="Priority picklist value."
    )
    description: str | None = Field(default=None, description="Details.")


class NoteParams(_Params):
    """A note on a record (v8 ``Parent_Id`` object form)."""

    parent: RecordRef = Field(description="The record the note belongs to.")
    content: str = Field(min_length=1, description="Note text.")
    title: str | None = Field(default=None, description="Note title.")


class SearchParams(_Params):
    """Zoho search: exactly one of phone, email, word or criteria."""

    module: str = Field(default="Leads", description="Module API name.")
    phone: str | None = Field(default=None, description="Matches any phone field (normalised first).")
    email: str | None = Field(default=None, description="Matches any email field.")
    word: str | None = Field(default=None, description="Full-text word search.")
    criteria: str | None = Field(default=None, description="Raw criteria, values already escaped.")
    limit: int = Field(default=10, ge=1, le=200, description="At most this many records.")


class BatchUpsert(_Params):
    """Many records of one module; sent in batches of at most 100."""

    module: str = Field(description="Module API name.")
    records: list[dict[str, Any]] = Field(min_length=1, description="Records by Zoho field API names.")
    key_fields: list[str] = Field(min_length=1, description="duplicate_check_fields, in order.")


class ItemResult(_Params):
    """What Zoho said about one record of a batch."""

    index: int = Field(description="Position in the request.")
    ok: bool = Field(description="Whether this record was written.")
    id: str | None = Field(default=None, description="Record id when written.")
    action: Literal["created", "updated"] | None = Field(default=None, description="What the upsert did.")
    code: str = Field(description="Zoho's code: SUCCESS, INVALID_DATA, MANDATORY_NOT_FOUND, ...")
    message: str = Field(default="", description="Zoho's message.")
    details: dict[str, Any] = Field(default_factory=dict, description="Zoho's details (api_name, json_path, ...).")


class BatchResult(_Params):
    """Per-record results, in request order."""

    items: list[ItemResult] = Field(description="One result per record.")


class ZohoCrmConnector(Connector[ZohoCrmConfig]):
    """Zoho CRM for one organisation."""

    name = "zoho_crm"
    title = "Zoho CRM"
    config_model = ZohoCrmConfig
    capabilities = frozenset({Capability.READ_RECORDS, Capability.WRITE_RECORDS})

    def __init__(
        self,
        config: ZohoCrmConfig | dict[str, Any],
        *,
        session: requests.Session | None = None,
        clock: Callable[[], float] | None = None,
        sleep: Callable[[float], None] | None = None,
        token_cache: TokenCache | None = None,
    ) -> None:
        super().__init__(config, session=session, clock=clock, sleep=sleep)
        self.tokens = TokenManager(self.config, self.session, self.clock, token_cache or SHARED_TOKENS)
        self.client = ZohoClient(self.config, self.session, self.tokens, self.clock, self.sleep)

    @classmethod
    def sandbox_fake(
        cls, settings: Mapping[str, Any], *, planned: Sequence[tuple[str, Mapping[str, Any]]] = ()
    ) -> SandboxFake:
        """A fake Zoho (accounts + CRM) for the eval sandbox; one attempt per call (no backoff waits)."""
        from ..testing.fakes import FakeZoho

        secret, refresh = "sandbox-zoho-client-secret", "1000.sandbox-refresh-token"
        fake = FakeZoho(
            client_id=str(settings.get("client_id") or "1000.SANDBOX"), client_secret=secret, refresh_token=refresh
        ).start()
        return SandboxFake(
            fake=fake,
            overrides={"accounts_url": fake.accounts_url, "api_domain": fake.api_domain, "max_attempts": 1},
            urls=[fake.accounts_url, fake.api_domain],
            stop=fake.stop,
            secrets={"client_secret": secret, "refresh_token": refresh},
        )

    def check(self) -> CheckResult:
        """Refresh a token and read the current user: credentials, data centre, scope, reachability."""
        try:
            self.tokens.refresh()
            _, body = self.client.call("GET", "users", params={"type": "CurrentUser"}, attempts=1)
        except ConnectorError as exc:
            return check_result_from_error(exc)
        users = body.get("users") if isinstance(body, dict) else None
        who = users[0].get("email") or users[0].get("full_name") if users else "unknown user"
        return CheckResult(status=CheckStatus.OK, detail=f"Zoho CRM as {who}")

    # -- records (the contract) ---------------------------------------------------------------------

    def get_record(self, ref: RecordRef) -> Record | None:
        """One record by id, or None (Zoho answers 204)."""
        status, body = self.client.call("GET", f"{ref.module}/{ref.id}")
        data = body.get("data") if isinstance(body, dict) else None
        if status == 204 or not data:
            return None
        return _record(ref.module, data[0])

    def search_records(self, query: RecordQuery) -> list[Record]:
        """Records whose fields equal the values (phone fields normalised); empty on 204."""
        values = {k: self._normalise_field(k, v) for k, v in query.equals.items()}
        try:
            criteria = criteria_equals(values)
        except ValueError as exc:
            raise ConnectorError(ErrorKind.INVALID_REQUEST, str(exc)) from None
        return self.search(SearchParams(module=query.module, criteria=criteria, limit=query.limit))

    def upsert_record(self, upsert: RecordUpsert) -> RecordRef:
        """Create, or update the record matching ``key_fields`` (Zoho duplicate_check_fields)."""
        result = self.upsert_records(
            BatchUpsert(module=upsert.module, records=[upsert.fields], key_fields=upsert.key_fields)
        )
        return _only(upsert.module, result.items[0])

    # -- Zoho actions -------------------------------------------------------------------------------

    @action(idempotent=True)
    def search(self, params: SearchParams) -> list[Record]:
        """Search a module by phone, email, word or criteria; empty when nothing matches."""
        given = {k: getattr(params, k) for k in ("phone", "email", "word", "criteria") if getattr(params, k)}
        if len(given) != 1:
            raise ConnectorError(ErrorKind.INVALID_REQUEST, "search needs exactly one of phone, email, word, criteria")
        if "phone" in given:
            given["phone"] = self._phone(given["phone"])
        query = {**given, "per_page": params.limit, "page": 1}
        status, body = self.client.call("GET", f"{params.module}/search", params=query)
        if status == 204 or not isinstance(body, dict):
            return []
        return [_record(params.module, item) for item in body.get("data") or []][: params.limit]

    @action(idempotent=True)
    def upsert_records(self, params: BatchUpsert) -> BatchResult:
        """Upsert many records in batches of at most 100; one result per record (207 read item by item)."""
        records = [self._normalise(r) for r in params.records]
        items: list[ItemResult] = []
        for start in range(0, len(records), BATCH_LIMIT):
            chunk = records[start : start + BATCH_LIMIT]
            for record in chunk:
                if not any(record.get(k) not in (None, "") for k in params.key_fields):
                    raise ConnectorError(
                        ErrorKind.INVALID_REQUEST,
                        f"cannot upsert into {params.module} without a value for any of {params.key_fields}",
                    )
            body = {"data": chunk, "duplicate_check_fields": params.key_fields, "trigger": self._trigger()}
            _, answer = self.client.call("POST", f"{params.module}/upsert", json=body)
            items.extend(_items(answer, start, len(chunk)))
        return BatchResult(items=items)

    @action(idempotent=True)
    def upsert_lead(self, params: LeadParams) -> RecordRef:
        """Create or update a lead, matched on lead_duplicate_check_fields (phone, then email)."""
        fields = {
            "Last_Name": params.last_name,
            "First_Name": params.first_name,
            "Phone": params.phone,
            "Email": params.email,
            "Company": params.company,
            "Lead_Source": params.lead_source,
            "Description": params.description,
            **params.extra,
        }
        return self._upsert_person("Leads", fields, self.config.lead_duplicate_check_fields)

    @action(idempotent=True)
    def upsert_contact(self, params: ContactParams) -> RecordRef:
        """Create or update a contact, matched on contact_duplicate_check_fields."""
        fields = {
            "Last_Name": params.last_name,
            "First_Name": params.first_name,
            "Phone": params.phone,
            "Email": params.email,
            "Description": params.description,
            **params.extra,
        }
        return self._upsert_person("Contacts", fields, self.config.contact_duplicate_check_fields)

    @action(idempotent=False)
    def create_task(self, params: TaskParams) -> RecordRef:
        """A task linked to the record: ``Who_Id`` for contacts, ``What_Id`` + ``$se_module`` otherwise."""
        task: dict[str, Any] = {"Subject": params.subject}
        if params.related.module == "Contacts":
            task["Who_Id"] = {"id": params.related.id}
        elif params.related.module in _RECORD_MODULES:
            task["What_Id"] = {"id": params.related.id}
            task["$se_module"] = params.related.module
        else:
            raise ConnectorError(ErrorKind.INVALID_REQUEST, f"tasks cannot be linked to {params.related.module}")
        if params.due_date is not None:
            task["Due_Date"] = params.due_date.isoformat()
        owner = params.owner_id or self.config.default_owner_id
        if owner:
            task["Owner"] = {"id": owner}
        if params.priority:
            task["Priority"] = params.priority
        if params.description:
            task["Description"] = params.description
        return self._create("Tasks", task)

    @action(idempotent=False)
    def add_note(self, params: NoteParams) -> RecordRef:
        """A note on a record, with the v8 ``Parent_Id`` object."""
        note: dict[str, Any] = {
            "Note_Content": params.content,
            "Parent_Id": {"module": {"api_name": params.parent.module}, "id": params.parent.id},
        }
        if params.title:
            note["Note_Title"] = params.title
        return self._create("Notes", note)

    # -- helpers ------------------------------------------------------------------------------------

    def _trigger(self) -> list[str]:
        return ["workflow"] if self.config.run_workflow_rules else []

    def _upsert_person(self, module: str, fields: dict[str, Any], keys: list[str]) -> RecordRef:
        fields = {k: v for k, v in fields.items() if v not in (None, "")}
        present = [k for k in keys if k in fields]
        if not present:
            raise ConnectorError(
                ErrorKind.INVALID_REQUEST, f"a {module[:-1].lower()} needs one of {keys} to be matched"
            )
        return self.upsert_record(RecordUpsert(module=module, fields=fields, key_fields=present))

    def _create(self, module: str, record: dict[str, Any]) -> RecordRef:
        # Not repeated after a timeout or 5xx: Zoho may have written it (the dispatcher decides).
        body: dict[str, Any] = {"data": [record]}
        if module != "Notes":  # the Notes body wrapper has no `trigger` (notes.openapi.json)
            body["trigger"] = self._trigger()
        _, answer = self.client.call("POST", module, json=body, safe_to_repeat=False)
        return _only(module, _items(answer, 0, 1)[0])

    def _phone(self, value: str) -> str:
        try:
            return normalize_phone(value)
        except InvalidPhoneNumber as exc:
            raise ConnectorError(ErrorKind.INVALID_REQUEST, str(exc)) from None

    def _normalise_field(self, name: str, value: Any) -> Any:
        if name in self.config.phone_fields and isinstance(value, str) and value:
            return self._phone(value)
        return value

    def _normalise(self, record: dict[str, Any]) -> dict[str, Any]:
        return {k: self._normalise_field(k, v) for k, v in record.items()}


def _record(module: str, data: dict[str, Any]) -> Record:
    details = {k: data[k] for k in ("Owner", "Created_Time", "Modified_Time") if k in data}
    fields = {k: v for k, v in data.items() if k not in ("id", *details)}
    return Record(module=module, id=str(data.get("id")), fields=fields, provider_details=details)


def _items(answer: Any, start: int, count: int) -> list[ItemResult]:
    data = answer.get("data") if isinstance(answer, dict) else None
    if not isinstance(data, list) or len(data) != count:
        raise ConnectorError(ErrorKind.UNREACHABLE, "Zoho CRM answered without one result per record")
    out = []
    for offset, item in enumerate(data):
        details = item.get("details") if isinstance(item.get("details"), dict) else {}
        ok = item.get("status") == "success"
        action = {"insert": "created", "update": "updated"}.get(str(item.get("action")))
        if ok and action is None and item.get("message") == "record added":
            action = "created"
        out.append(
            ItemResult(
                index=start + offset,
                ok=ok,
                id=str(details["id"]) if ok and details.get("id") else None,
                action=action if ok else None,
                code=str(item.get("code") or ""),
                message=str(item.get("message") or ""),
                details=details,
            )
        )
    return out


def _only(module: str, item: ItemResult) -> RecordRef:
    if not item.ok or item.id is None:
        kind = ErrorKind.PERMANENT if item.code == "DUPLICATE_DATA" else ErrorKind.INVALID_REQUEST
        where = item.details.get("api_name")
        raise ConnectorError(
            kind,
            f"Zoho CRM refused the {module} record: {item.message}" + (f" ({where})" if where else ""),
            code=item.code,
            details=item.details,
        )
    return RecordRef(module=module, id=item.id, action=item.action, provider_details={"code": item.code})
