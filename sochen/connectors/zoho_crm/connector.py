"""Zoho CRM v8: leads and contacts upserted by phone/email, search, tasks and notes (protocols.md §2).

A person's rights reach the CRM through two actions the privacy workflow plans as outbox jobs:
``erase_contact`` (their leads and contacts, found by every phone format staff type and by e-mail,
are deleted with ``DELETE /crm/v8/{module}?ids=``, after the notes and tasks Sochen wrote on them,
recognised by the idempotency marker) and ``correct_contact`` (the same records get the corrected
phone, e-mail or name with ``PUT``). Both search again on every run, so a retry finishes the work
and repeats nothing. Zoho keeps deleted records in its recycle bin (the tenant empties it).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal

import requests
from pydantic import BaseModel, ConfigDict, Field

from ..base import Capability, Connector, SandboxFake, action, check_result_from_error
from ..errors import ConnectorError, ErrorKind
from ..phone import InvalidPhoneNumber, normalize_phone, phone_variants
from ..types import CheckResult, CheckStatus, Record, RecordQuery, RecordRef, RecordUpsert
from ._auth import SHARED_TOKENS, TokenCache, TokenManager
from ._client import ZohoClient
from ._config import ZohoCrmConfig
from ._criteria import criteria_any, criteria_equals

__all__ = [
    "BATCH_LIMIT",
    "BatchResult",
    "BatchUpsert",
    "ContactParams",
    "CorrectContactParams",
    "CorrectContactResult",
    "EraseContactParams",
    "EraseContactResult",
    "ItemResult",
    "LeadParams",
    "NoteParams",
    "SearchParams",
    "TaskParams",
    "ZohoCrmConnector",
    "idempotency_marker",
]

BATCH_LIMIT = 100
_RECORD_MODULES = ("Leads", "Contacts", "Accounts", "Deals")
_NOTE_TITLE_MAX = 120
_SUBJECT_MAX = 255
_FIELDS_TTL_S = 3600.0
_PERSON_MODULES = ("Leads", "Contacts")
_MARKER = re.compile(r" ?#s[0-9a-f]{10}$")


def idempotency_marker(key: str) -> str:
    """The marker a task Subject or note title ends with: `` #s`` and ten hex digits of the key's hash."""
    return " #s" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:10]


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
    idempotency_key: str | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        description="The job's key (the dispatcher sets it): a marker derived from it ends the Subject, and a "
        "retried create first looks for a task with that marker.",
    )


class NoteParams(_Params):
    """A note on a record (v8 ``Parent_Id`` object form)."""

    parent: RecordRef = Field(description="The record the note belongs to.")
    content: str = Field(min_length=1, description="Note text.")
    title: str | None = Field(default=None, description="Note title.")
    idempotency_key: str | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        description="The job's key (the dispatcher sets it): a marker derived from it ends the Note_Title, and a "
        "retried create first looks among the record's notes for that marker.",
    )


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


class EraseContactParams(_Params):
    """Who to erase from the CRM: the person's phones and e-mail addresses (at least one)."""

    phones: list[str] = Field(default_factory=list, max_length=20, description="Phones, any format (E.164 best).")
    emails: list[str] = Field(default_factory=list, max_length=20, description="E-mail addresses.")


class EraseContactResult(_Params):
    """What was deleted in the CRM (counts only: no personal values)."""

    deleted: dict[str, int] = Field(description="Records deleted per module (Leads, Contacts, Notes, Tasks).")
    kept_unmarked: int = Field(
        description="Notes and tasks on the person's records that staff wrote (no Sochen marker): left for the "
        "tenant to review; Zoho handles them with the deleted record."
    )


class CorrectContactParams(_Params):
    """A correction of one detail of the person in the CRM (Privacy Protection Law s. 14)."""

    phones: list[str] = Field(default_factory=list, max_length=20, description="The person's phones (to find them).")
    emails: list[str] = Field(default_factory=list, max_length=20, description="Their e-mails (to find them).")
    field: Literal["phone", "email", "name"] = Field(description="Which detail is corrected.")
    old: str = Field(min_length=1, max_length=500, description="The wrong value (the Phone/Mobile it replaces).")
    new: str = Field(min_length=1, max_length=500, description="The correct value.")


class CorrectContactResult(_Params):
    """Records updated per module."""

    updated: dict[str, int] = Field(description="Records updated per module (Leads, Contacts).")


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
        self._fields: dict[str, tuple[float, dict[str, dict[str, Any]] | None]] = {}

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
        """Token, current user, and whether Zoho will honour the configured duplicate checks (field metadata)."""
        try:
            self.tokens.refresh()
            _, body = self.client.call("GET", "users", params={"type": "CurrentUser"}, attempts=1)
            problems, notes = [], []
            for module, keys in (
                ("Leads", self.config.lead_duplicate_check_fields),
                ("Contacts", self.config.contact_duplicate_check_fields),
            ):
                fields = self._field_metadata(module, attempts=1, refresh=True)
                if fields is None:
                    problems.append(
                        f"cannot read the {module} field metadata: grant the scope ZohoCRM.settings.fields.READ"
                    )
                    continue
                missing = [k for k in keys if k not in fields]
                honoured = [k for k in keys if k in fields and fields[k].get("unique")]
                searched = [k for k in keys if k in fields and not fields[k].get("unique")]
                if missing:
                    problems.append(f"{module} has no field {', '.join(missing)} (duplicate check fields: {keys})")
                elif not honoured:
                    problems.append(
                        f"Zoho will not honour the duplicate check of {module}: none of {keys} is marked "
                        "'Do not allow duplicate values' (Setup > Modules and Fields > "
                        f"{module} > the field's properties); mark one, or add a unique field such as Email"
                    )
                elif searched:
                    notes.append(
                        f"{module}: Zoho enforces {', '.join(honoured)}; {', '.join(searched)} matched by search only"
                    )
        except ConnectorError as exc:
            return check_result_from_error(exc)
        users = body.get("users") if isinstance(body, dict) else None
        who = users[0].get("email") or users[0].get("full_name") if users else "unknown user"
        if problems:
            return CheckResult(status=CheckStatus.MISCONFIGURED, detail="; ".join(problems))
        return CheckResult(status=CheckStatus.OK, detail="; ".join([f"Zoho CRM as {who}", *notes]))

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
        """Create, or update the record matching ``key_fields`` (searched first, then Zoho's duplicate check)."""
        return self._upsert_one(upsert.module, dict(upsert.fields), list(upsert.key_fields))

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
            body = self._with_trigger({"data": chunk, "duplicate_check_fields": params.key_fields})
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

    @action(idempotent=True)
    def create_task(self, params: TaskParams) -> RecordRef:
        """A task linked to the record: ``Who_Id`` for contacts, ``What_Id`` + ``$se_module`` otherwise."""
        marker = idempotency_marker(params.idempotency_key) if params.idempotency_key else ""
        task: dict[str, Any] = {"Subject": params.subject[: _SUBJECT_MAX - len(marker)].rstrip() + marker}
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
        if not marker:
            return self._create("Tasks", task)
        criteria = criteria_equals({"Subject": task["Subject"]})

        def lookup() -> RecordRef | None:
            found = self.search(SearchParams(module="Tasks", criteria=criteria, limit=10))
            return RecordRef(module="Tasks", id=found[0].id, action="unchanged") if found else None

        return self._create_once("Tasks", task, lookup)

    @action(idempotent=True)
    def add_note(self, params: NoteParams) -> RecordRef:
        """A note on a record, with the v8 ``Parent_Id`` object."""
        note: dict[str, Any] = {
            "Note_Content": params.content,
            "Parent_Id": {"module": {"api_name": params.parent.module}, "id": params.parent.id},
        }
        marker = idempotency_marker(params.idempotency_key) if params.idempotency_key else ""
        title = (params.title or "")[: _NOTE_TITLE_MAX - len(marker)].rstrip()
        if title or marker:
            note["Note_Title"] = (title + marker).strip()
        if not marker:
            return self._create("Notes", note)
        parent = params.parent

        def lookup() -> RecordRef | None:
            query = {"fields": "Note_Title", "per_page": 200, "page": 1}
            status, body = self.client.call("GET", f"{parent.module}/{parent.id}/Notes", params=query)
            for item in (body.get("data") or []) if status != 204 and isinstance(body, dict) else []:
                if isinstance(item, dict) and str(item.get("Note_Title") or "").endswith(marker.strip()):
                    return RecordRef(module="Notes", id=str(item.get("id")), action="unchanged")
            return None

        return self._create_once("Notes", note, lookup)

    @action(idempotent=True)
    def erase_contact(self, params: EraseContactParams) -> EraseContactResult:
        """Delete the person's leads and contacts, and the notes and tasks Sochen wrote on them.

        Found by every phone format and by e-mail in Leads and Contacts; Sochen's notes and tasks
        are recognised by the idempotency marker that ends their title or subject. A retry searches
        again, so what is already gone is not asked for twice.
        """
        if not params.phones and not params.emails:
            raise ConnectorError(ErrorKind.INVALID_REQUEST, "erase_contact needs a phone or an e-mail of the person")
        deleted = {"Leads": 0, "Contacts": 0, "Notes": 0, "Tasks": 0}
        kept = 0
        for module in _PERSON_MODULES:
            ids = self._people(module, params.phones, params.emails)
            for record_id in ids:
                notes, unmarked_notes = self._marked_notes(module, record_id)
                tasks, unmarked_tasks = self._marked_tasks(module, record_id)
                kept += unmarked_notes + unmarked_tasks
                deleted["Notes"] += self._delete("Notes", notes)
                deleted["Tasks"] += self._delete("Tasks", tasks)
            deleted[module] += self._delete(module, sorted(ids))
        return EraseContactResult(deleted=deleted, kept_unmarked=kept)

    @action(idempotent=True)
    def correct_contact(self, params: CorrectContactParams) -> CorrectContactResult:
        """Write the corrected phone, e-mail or name on every lead and contact of the person.

        A phone replaces the field (Phone, Mobile, …) that held the old number; a name is split into
        First_Name and Last_Name (the last word). Repeating it finds the records by the old or the
        new value and writes the same values again.
        """
        phones, emails = list(params.phones), list(params.emails)
        if params.field == "phone":
            phones += [params.old, params.new]
        elif params.field == "email":
            emails += [params.old, params.new]
        if not phones and not emails:
            raise ConnectorError(ErrorKind.INVALID_REQUEST, "correct_contact needs a phone or an e-mail of the person")
        updated = {"Leads": 0, "Contacts": 0}
        for module in _PERSON_MODULES:
            for record_id in sorted(self._people(module, phones, emails)):
                update = self._correction(module, record_id, params)
                if not update:
                    continue
                _, answer = self.client.call(
                    "PUT", f"{module}/{record_id}", json=self._with_trigger({"data": [update]})
                )
                _only(module, _items(answer, 0, 1)[0])
                updated[module] += 1
        return CorrectContactResult(updated=updated)

    # -- helpers ------------------------------------------------------------------------------------

    def _people(self, module: str, phones: Sequence[str], emails: Sequence[str]) -> set[str]:
        """Ids of the module's records holding one of the phones (any format, any phone field) or e-mails."""
        found: set[str] = set()
        for phone in phones:
            try:
                variants = phone_variants(phone)
            except InvalidPhoneNumber:
                continue  # not a phone Zoho could hold in a usual format
            metadata = self._field_metadata(module) or {}
            fields = [f for f in self.config.phone_fields if not metadata or f in metadata] or ["Phone"]
            for field in fields:
                criteria = criteria_any([(field, v) for v in variants])
                found.update(r.id for r in self.search(SearchParams(module=module, criteria=criteria, limit=200)))
        for email in emails:
            criteria = criteria_equals({"Email": email})
            found.update(r.id for r in self.search(SearchParams(module=module, criteria=criteria, limit=200)))
        return found

    def _marked_notes(self, module: str, record_id: str) -> tuple[list[str], int]:
        """Sochen's notes on a record (by marker), and how many others there are."""
        marked, others = [], 0
        page = 1
        while True:
            query = {"fields": "Note_Title", "per_page": 200, "page": page}
            status, body = self.client.call("GET", f"{module}/{record_id}/Notes", params=query)
            data = (body.get("data") or []) if status != 204 and isinstance(body, dict) else []
            for item in data:
                if isinstance(item, dict) and _MARKER.search(str(item.get("Note_Title") or "")):
                    marked.append(str(item.get("id")))
                else:
                    others += 1
            info = body.get("info") if isinstance(body, dict) else None
            if not data or not (isinstance(info, dict) and info.get("more_records")):
                return marked, others
            page += 1

    def _marked_tasks(self, module: str, record_id: str) -> tuple[list[str], int]:
        """Sochen's tasks linked to a record (by marker), and how many others there are."""
        lookup = "Who_Id" if module == "Contacts" else "What_Id"
        tasks = self.search(SearchParams(module="Tasks", criteria=criteria_equals({lookup: record_id}), limit=200))
        marked = [t.id for t in tasks if _MARKER.search(str(t.fields.get("Subject") or ""))]
        return marked, len(tasks) - len(marked)

    def _delete(self, module: str, ids: Sequence[str]) -> int:
        """``DELETE {module}?ids=`` in batches of 100; an id already gone (INVALID_DATA) counts as done."""
        deleted = 0
        for start in range(0, len(ids), BATCH_LIMIT):
            chunk = list(ids[start : start + BATCH_LIMIT])
            params: dict[str, Any] = {"ids": ",".join(chunk)}
            if module != "Notes":  # Delete Notes takes only `ids` (notes.openapi.json)
                quiet = self.config.trigger is not None and not self.config.trigger  # trigger: [] runs none
                params["wf_trigger"] = "false" if quiet else "true"
            _, answer = self.client.call("DELETE", module, params=params)
            for item in _items(answer, start, len(chunk)):
                if item.ok:
                    deleted += 1
                elif item.code != "INVALID_DATA":
                    raise ConnectorError(
                        ErrorKind.PERMANENT if item.code == "CANNOT_DELETE" else ErrorKind.INVALID_REQUEST,
                        f"Zoho CRM refused to delete a {module} record: {item.message}",
                        code=item.code,
                    )
        return deleted

    def _correction(self, module: str, record_id: str, params: CorrectContactParams) -> dict[str, Any]:
        """The fields to write on one record for the correction (empty when it already holds them)."""
        if params.field == "email":
            return {"Email": params.new.strip()}
        if params.field == "name":
            words = params.new.split()
            fields = {"Last_Name": words[-1] if words else params.new}
            if len(words) > 1:
                fields["First_Name"] = " ".join(words[:-1])
            return fields
        current = self.get_record(RecordRef(module=module, id=record_id))
        old = set(phone_variants(params.old)) if _is_phone(params.old) else {params.old}
        new = self._phone(params.new)
        fields = {}
        for name in self.config.phone_fields:
            value = current.fields.get(name) if current is not None else None
            if isinstance(value, str) and (value in old or _same_phone(value, params.old)):
                fields[name] = new
        return fields

    def _with_trigger(self, body: dict[str, Any]) -> dict[str, Any]:
        if self.config.trigger is not None:  # left out, Zoho runs every automation
            body["trigger"] = list(self.config.trigger)
        return body

    def _field_metadata(
        self, module: str, *, attempts: int | None = None, refresh: bool = False
    ) -> dict[str, dict[str, Any]] | None:
        """``settings/fields`` of a module by API name, cached for an hour; None when Zoho will not say."""
        cached = self._fields.get(module)
        if cached is not None and not refresh and self.clock() - cached[0] < _FIELDS_TTL_S:
            return cached[1]
        try:
            _, body = self.client.call("GET", "settings/fields", params={"module": module}, attempts=attempts)
        except ConnectorError as exc:
            if exc.kind not in (ErrorKind.MISCONFIGURED, ErrorKind.INVALID_REQUEST):
                raise
            fields = None  # no settings scope: fall back to the configured duplicate check as it is
        else:
            items = body.get("fields") if isinstance(body, dict) else None
            fields = {
                str(f["api_name"]): f for f in items or [] if isinstance(f, dict) and isinstance(f.get("api_name"), str)
            }
        self._fields[module] = (self.clock(), fields)
        return fields

    def _upsert_person(self, module: str, fields: dict[str, Any], keys: list[str]) -> RecordRef:
        fields = {k: v for k, v in fields.items() if v not in (None, "")}
        present = [k for k in keys if k in fields]
        if not present:
            raise ConnectorError(
                ErrorKind.INVALID_REQUEST, f"a {module[:-1].lower()} needs one of {keys} to be matched"
            )
        return self._upsert_one(module, fields, present)

    def _upsert_one(self, module: str, fields: dict[str, Any], keys: list[str]) -> RecordRef:
        """Find the record by its keys (phones in every format staff type); update it, or create one."""
        record = self._normalise(fields)
        present = [k for k in keys if record.get(k) not in (None, "")]
        if not present:
            raise ConnectorError(
                ErrorKind.INVALID_REQUEST, f"cannot upsert into {module} without a value for any of {keys}"
            )
        metadata = self._field_metadata(module)
        existing, matched = self._find(module, fields, present, metadata)
        if existing is not None:
            update = {k: v for k, v in record.items() if k != matched}  # keep the phone as staff typed it
            if not update:
                return RecordRef(module=module, id=existing, action="unchanged")
            _, answer = self.client.call("PUT", f"{module}/{existing}", json=self._with_trigger({"data": [update]}))
            ref = _only(module, _items(answer, 0, 1)[0])
            return ref.model_copy(update={"action": "updated"})
        unique = None if metadata is None else {k for k, meta in metadata.items() if meta.get("unique")}
        checks = [k for k in present if unique is None or k in unique]
        if not checks:  # nothing Zoho can check for duplicates: the search above was the check
            return self._create(module, record)
        result = self.upsert_records(BatchUpsert(module=module, records=[record], key_fields=checks))
        return _only(module, result.items[0])

    def _find(
        self, module: str, fields: dict[str, Any], keys: list[str], metadata: dict[str, dict[str, Any]] | None
    ) -> tuple[str | None, str | None]:
        """The id of an existing record whose key field holds the value in any usual format, and that field."""
        for key in keys:
            value = fields[key]
            if key in self.config.phone_fields and isinstance(value, str):
                try:
                    variants = phone_variants(value)
                except InvalidPhoneNumber as exc:
                    raise ConnectorError(ErrorKind.INVALID_REQUEST, str(exc)) from None
                known = metadata or {}
                where = [f for f in self.config.phone_fields if f == key or f in known] if known else [key]
                for field in [key, *[f for f in where if f != key]]:  # one query per phone field: 10 formats
                    found = self.search(
                        SearchParams(module=module, criteria=criteria_any([(field, v) for v in variants]), limit=10)
                    )
                    if found:
                        return min(found, key=lambda r: r.id).id, key
                continue
            elif isinstance(value, str | int | float) and not isinstance(value, bool):
                criteria = criteria_equals({key: str(value)})
            else:
                continue
            found = self.search(SearchParams(module=module, criteria=criteria, limit=10))
            if found:
                return min(found, key=lambda r: r.id).id, key  # the oldest when staff made duplicates already
        return None, None

    def _create(self, module: str, record: dict[str, Any]) -> RecordRef:
        # Not repeated after a timeout or 5xx: Zoho may have written it (see _create_once).
        body: dict[str, Any] = {"data": [record]}
        if module != "Notes":  # the Notes body wrapper has no `trigger` (notes.openapi.json)
            body = self._with_trigger(body)
        _, answer = self.client.call("POST", module, json=body, safe_to_repeat=False)
        return _only(module, _items(answer, 0, 1)[0])

    def _create_once(self, module: str, record: dict[str, Any], lookup: Callable[[], RecordRef | None]) -> RecordRef:
        """Create a record that carries an idempotency marker, at most once across retries.

        A retry (of the job, or this one after a timeout) first looks for the marker, so a create
        that Zoho wrote although the answer never came back is found, not repeated.
        """
        found = lookup()
        if found is not None:
            return found
        try:
            return self._create(module, record)
        except ConnectorError as exc:
            if exc.kind is not ErrorKind.UNREACHABLE:
                raise
            try:
                found = lookup()
            except ConnectorError:
                found = None
            if found is None:
                raise
            return found

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


def _is_phone(value: str) -> bool:
    try:
        phone_variants(value)
    except InvalidPhoneNumber:
        return False
    return True


def _same_phone(a: str, b: str) -> bool:
    try:
        return normalize_phone(a) == normalize_phone(b)
    except InvalidPhoneNumber:
        return False


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
