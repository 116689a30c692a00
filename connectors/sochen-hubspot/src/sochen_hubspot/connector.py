"""HubSpot CRM: contacts upserted by phone or e-mail, tasks and notes on them, lifecycle stage and lead status.

Every call is one ``requests`` call on the injected session through ``sochen.connectors.http.request``
(timeouts from the settings, no retries here: the dispatcher owns them), and every error answer is
refined with HubSpot's own body — ``category``, ``errors[].context.propertyName``, a rate limit's
``policyName`` — into the connector error taxonomy.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal
from zoneinfo import ZoneInfo

import requests
from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator

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
from sochen.connectors.http import (
    ActionParams,
    idempotency_marker,
    json_body,
    phone_e164,
    phone_variants,
    request,
)

__all__ = [
    "LEAD_STATUSES",
    "LIFECYCLE_STAGES",
    "ContactParams",
    "HubSpotConfig",
    "HubSpotConnector",
    "NoteParams",
    "StageParams",
    "TaskParams",
]

SERVICE = "HubSpot"
LIFECYCLE_STAGES = (
    "subscriber",
    "lead",
    "marketingqualifiedlead",
    "salesqualifiedlead",
    "opportunity",
    "customer",
    "evangelist",
    "other",
)
"""HubSpot's default lifecycle stages (internal values), in their order."""
LEAD_STATUSES = (
    "NEW",
    "OPEN",
    "IN_PROGRESS",
    "OPEN_DEAL",
    "UNQUALIFIED",
    "ATTEMPTED_TO_CONTACT",
    "CONNECTED",
    "BAD_TIMING",
)
"""HubSpot's default lead statuses (internal values)."""
LifecycleStage = Literal[
    "subscriber",
    "lead",
    "marketingqualifiedlead",
    "salesqualifiedlead",
    "opportunity",
    "customer",
    "evangelist",
    "other",
]
LeadStatus = Literal[
    "NEW", "OPEN", "IN_PROGRESS", "OPEN_DEAL", "UNQUALIFIED", "ATTEMPTED_TO_CONTACT", "CONNECTED", "BAD_TIMING"
]
_TASK_TO_CONTACT = 204  # HUBSPOT_DEFINED association type ids (HubSpot's association type list)
_NOTE_TO_CONTACT = 202
_SUBJECT_MAX = 255
_CONTACT_PROPERTIES = ("email", "firstname", "lastname", "phone", "mobilephone", "lifecyclestage", "hs_lead_status")
_EXISTING_ID = re.compile(r"Existing ID:\s*(\d+)")


class HubSpotConfig(ConnectorConfig):
    """One HubSpot account (portal) of one tenant, reached with a private app's access token."""

    access_token: SecretStr = Field(
        description="The private app's access token (HubSpot → Settings → Integrations → Private apps → "
        "Auth), with the scopes crm.objects.contacts.read and crm.objects.contacts.write."
    )
    api_url: str = Field(
        default="https://api.hubapi.com",
        pattern=r"^https?://[^\s/?#]+(:\d+)?$",
        description="HubSpot API base URL (no path).",
    )
    account_timezone: str = Field(
        default="Asia/Jerusalem",
        description="The account's time zone (HubSpot → Settings → Account defaults): the daily API limit "
        "resets at its midnight.",
    )
    phone_properties: list[str] = Field(
        default_factory=lambda: ["phone", "mobilephone"],
        min_length=1,
        description="Contact properties searched for a phone, in order; the first one is written.",
    )
    default_owner_id: str | None = Field(
        default=None, pattern=r"^\d+$", description="HubSpot owner id for tasks and new contacts without one."
    )
    unique_phone_property: str | None = Field(
        default=None,
        pattern=r"^[a-z][a-z0-9_]{0,99}$",
        description="A contact property an admin created with 'Require unique values' (e.g. sochen_phone_e164): "
        "new contacts carry their E.164 phone in it and are written with HubSpot's upsert keyed on it, so a retry "
        "never duplicates a contact, even while HubSpot's search index lags.",
    )

    @model_validator(mode="after")
    def _known_zone(self) -> HubSpotConfig:
        try:
            ZoneInfo(self.account_timezone)
        except (KeyError, ValueError):
            raise ValueError(f"account_timezone: unknown time zone {self.account_timezone!r}") from None
        return self


class ContactParams(ActionParams):
    """A person to find or create in HubSpot: by e-mail first, then by phone in the formats staff type."""

    phone: str | None = Field(default=None, description="Phone in any Israeli or international format.")
    email: str | None = Field(default=None, max_length=254, description="E-mail address.")
    first_name: str | None = Field(default=None, max_length=100, description="First name (firstname).")
    last_name: str | None = Field(default=None, max_length=100, description="Last name (lastname).")
    lifecycle_stage: LifecycleStage | None = Field(
        default=None, description="Lifecycle stage; never moved backward (a customer stays a customer)."
    )
    lead_status: LeadStatus | None = Field(default=None, description="Lead status (hs_lead_status).")
    owner_id: str | None = Field(default=None, pattern=r"^\d+$", description="HubSpot owner id of a new contact.")
    properties: dict[str, str] = Field(
        default_factory=dict, description="Other contact properties by internal name (e.g. city, message)."
    )

    @model_validator(mode="after")
    def _identified(self) -> ContactParams:
        if not (self.phone or self.email):
            raise ValueError("a contact needs a phone or an e-mail | לאיש קשר נדרש טלפון או דוא״ל")
        return self


class ContactRef(BaseModel):
    """The contact an action is about: a HubSpot id, or what finds it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^\d+$", description="HubSpot contact id (RecordRef.id of upsert_contact).")
    module: Literal["contacts"] = Field(default="contacts", description="Always contacts.")


class TaskParams(ActionParams):
    """A to-do for the business, associated with a contact (association type 204)."""

    contact: ContactRef = Field(description="The contact the task is about.")
    subject: str = Field(min_length=1, max_length=_SUBJECT_MAX, description="Task title ('להתקשר לדנה').")
    body: str | None = Field(default=None, max_length=65_000, description="Task notes.")
    due: dt.date | dt.datetime | None = Field(  # a date first: "2026-11-23" is a day, not its midnight
        default=None, description="Due date or time; a date is due at 09:00 in the account's time zone; default now."
    )
    priority: Literal["NONE", "LOW", "MEDIUM", "HIGH"] | None = Field(default=None, description="Priority.")
    task_type: Literal["CALL", "EMAIL", "TODO"] = Field(default="TODO", description="Task type.")
    owner_id: str | None = Field(default=None, pattern=r"^\d+$", description="Assigned owner id.")
    idempotency_key: str | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        description="The job's key (the dispatcher sets it): a marker derived from it ends the task title, and a "
        "create first looks among the contact's tasks for that marker.",
    )


class NoteParams(ActionParams):
    """A note on a contact's timeline (association type 202)."""

    contact: ContactRef = Field(description="The contact the note belongs to.")
    body: str = Field(min_length=1, max_length=65_000, description="Note text.")
    idempotency_key: str | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        description="The job's key (the dispatcher sets it): a marker derived from it ends the note, and a "
        "create first looks among the contact's notes for that marker.",
    )


class StageParams(ActionParams):
    """Lifecycle stage and/or lead status of an existing contact."""

    contact: ContactRef = Field(description="The contact.")
    lifecycle_stage: LifecycleStage | None = Field(default=None, description="Lifecycle stage (never backward).")
    lead_status: LeadStatus | None = Field(default=None, description="Lead status.")


class HubSpotConnector(Connector[HubSpotConfig]):
    """Contacts, tasks and notes in one HubSpot account."""

    name = "hubspot"
    title = "HubSpot CRM"
    config_model = HubSpotConfig
    capabilities = frozenset({Capability.READ_RECORDS, Capability.WRITE_RECORDS})

    @classmethod
    def sandbox_fake(
        cls, settings: Mapping[str, Any], *, planned: Sequence[tuple[str, Mapping[str, Any]]] = ()
    ) -> SandboxFake:
        """For Sochen's eval sandbox: a fake HubSpot account on loopback that validates every call."""
        from .testing import FakeHubSpot

        token = "pat-eu1-5a4db0c0-0000-4000-8000-00000000sand"
        # No time-based limits in the sandbox: scenarios run in parallel on the wall clock, and a verdict that
        # depends on how fast the machine was is no verdict. The limits are tested in this package's tests.
        unlimited = 1_000_000_000
        fake = FakeHubSpot(
            access_token=token, ten_secondly_max=unlimited, search_per_second=unlimited, daily_max=unlimited
        ).start()
        return SandboxFake(
            fake=fake, overrides={"api_url": fake.url}, urls=[fake.url], stop=fake.stop, secrets={"access_token": token}
        )

    # -- HTTP --------------------------------------------------------------------------------------

    def _call(self, method: str, path: str, *, passthrough: tuple[int, ...] = (), **kwargs: Any) -> tuple[int, Any]:
        headers = {
            "Authorization": f"Bearer {self.config.access_token.get_secret_value()}",
            "Accept": "application/json",
        }
        response = request(
            self.session,
            method,
            f"{self.config.api_url}{path}",
            timeout=self.config.timeout_s,
            service=SERVICE,
            clock=self.clock,
            passthrough=passthrough,
            refine=self._refine,
            headers=headers,
            **kwargs,
        )
        return response.status_code, json_body(response, service=SERVICE)

    def _refine(self, response: requests.Response, error: ConnectorError) -> ConnectorError:
        """HubSpot's error body into the taxonomy: the category as code, the property named, the quota's reset."""
        try:
            body = response.json()
        except ValueError:
            body = None
        body = body if isinstance(body, dict) else {}
        category = str(body.get("category") or body.get("errorType") or "") or None
        status = response.status_code
        if status == 429:
            return self._rate_limited(response, body, error)
        if status == 401:
            return ConnectorError(
                ErrorKind.AUTH_INVALID,
                "HubSpot דחה את אסימון הגישה — פג תוקפו, בוטל או הוחלף: צרו אסימון חדש באפליקציה הפרטית "
                "(Settings → Integrations → Private apps) ועדכנו את משתנה הסביבה | HubSpot refused the private "
                "app's access token (expired, revoked or rotated): create a new one and update the environment "
                "variable",
                code=category or "INVALID_AUTHENTICATION",
                status=status,
            )
        if category == "MISSING_SCOPES":
            scopes = _context_values(body, "requiredGranularScopes")
            return ConnectorError(
                ErrorKind.MISCONFIGURED,
                "לאפליקציה הפרטית חסרות הרשאות (scopes) | the private app lacks the scopes for this call: "
                + ", ".join(scopes[:5]),
                code=category,
                status=status,
                details={"scopes": scopes[:20]},
            )
        if status == 409 and category == "CONFLICT":
            return ConnectorError(
                ErrorKind.PERMANENT,
                "HubSpot: הרשומה כבר קיימת | the record already exists",
                code=category,
                status=status,
                details={"existing_id": _existing_id(body)},
            )
        if category == "VALIDATION_ERROR" or (status == 400 and body):
            fields, codes = _invalid_fields(body)
            named = ", ".join(fields) or "?"
            return ConnectorError(
                ErrorKind.INVALID_REQUEST,
                f"HubSpot דחה את השדה {named} | HubSpot refused property {named}"
                + (f" ({', '.join(codes)})" if codes else ""),
                code=category or "VALIDATION_ERROR",
                status=status,
                details={"fields": fields, "codes": codes},
            )
        if error.kind is ErrorKind.UNREACHABLE:
            return ConnectorError(error.kind, error.message, code=category, status=status)
        return ConnectorError(error.kind, error.message, code=category, status=status, retry_after=error.retry_after)

    def _rate_limited(self, response: requests.Response, body: dict[str, Any], error: ConnectorError) -> ConnectorError:
        policy = str(body.get("policyName") or "")
        headers = response.headers
        wait = parse_retry_after(headers.get("Retry-After"), self.clock())
        if policy == "DAILY" or headers.get("X-HubSpot-RateLimit-Daily-Remaining") == "0":
            wait = self._until_midnight()
            policy = "DAILY"
        elif wait is None:
            interval = headers.get("X-HubSpot-RateLimit-Interval-Milliseconds") or ""
            wait = int(interval) / 1000 if interval.isdigit() else 10.0
        quota = {k: v for k, v in headers.items() if k.lower().startswith("x-hubspot-ratelimit-")}
        return ConnectorError(
            ErrorKind.RATE_LIMITED,
            f"HubSpot: חריגה ממגבלת הקריאות ({policy or 'rate limit'}) | rate limited ({policy or 'rate limit'})",
            code=policy or "RATE_LIMIT",
            status=429,
            retry_after=wait,
            details={"limits": quota},
        )

    def _until_midnight(self) -> float:
        zone = ZoneInfo(self.config.account_timezone)
        now = dt.datetime.fromtimestamp(self.clock(), zone)
        midnight = dt.datetime.combine(now.date() + dt.timedelta(days=1), dt.time(0, 0), zone)
        return max(1.0, (midnight - now).total_seconds())

    # -- the contract ------------------------------------------------------------------------------

    def check(self) -> CheckResult:
        """Read one contact (the token, its scope, HubSpot answers) and the unique phone property, when set."""
        unique = self.config.unique_phone_property
        try:
            self._call("GET", "/crm/v3/objects/contacts", params={"limit": 1, "archived": "false"})
            if unique:
                status, prop = self._call("GET", f"/crm/v3/properties/contacts/{unique}", passthrough=(404,))
        except ConnectorError as exc:
            return check_result_from_error(exc)
        if unique and status == 404:
            return CheckResult(
                status=CheckStatus.MISCONFIGURED,
                detail=f"מאפיין איש הקשר {unique} לא קיים ב-HubSpot | contact property {unique} does not exist "
                "(unique_phone_property): create it with 'Require unique values'",
            )
        if unique and not prop.get("hasUniqueValue"):
            return CheckResult(
                status=CheckStatus.MISCONFIGURED,
                detail=f"המאפיין {unique} אינו מחייב ערכים ייחודיים | contact property {unique} does not require "
                "unique values, so HubSpot cannot upsert on it",
            )
        return CheckResult(status=CheckStatus.OK, detail="HubSpot: the token reads contacts")

    def upsert_record(self, upsert: RecordUpsert) -> RecordRef:
        """A contact by its key fields (``email``, ``phone``), HubSpot's property names as fields."""
        if upsert.module != "contacts":
            raise ConnectorError(ErrorKind.INVALID_REQUEST, f"HubSpot upserts contacts only, not {upsert.module}")
        fields = {k: str(v) for k, v in upsert.fields.items() if v is not None}
        unknown_keys = set(upsert.key_fields) - {"email", *self.config.phone_properties}
        if unknown_keys:
            raise ConnectorError(ErrorKind.INVALID_REQUEST, f"HubSpot cannot match contacts on {sorted(unknown_keys)}")
        phone = next((fields.pop(p) for p in self.config.phone_properties if p in fields), None)
        return self._upsert_contact(email=fields.pop("email", None), phone=phone, properties=fields)

    def get_record(self, ref: RecordRef) -> Record | None:
        """One contact, task or note, or None."""
        if ref.module not in ("contacts", "tasks", "notes") or not ref.id.isdigit():
            raise ConnectorError(ErrorKind.INVALID_REQUEST, f"HubSpot has no record {ref.module}/{ref.id}")
        names = {
            "contacts": _CONTACT_PROPERTIES,
            "tasks": ("hs_task_subject", "hs_timestamp", "hs_task_status"),
            "notes": ("hs_note_body", "hs_timestamp"),
        }[ref.module]
        status, body = self._call(
            "GET", f"/crm/v3/objects/{ref.module}/{ref.id}", params={"properties": ",".join(names)}, passthrough=(404,)
        )
        return None if status == 404 else _record(ref.module, body)

    def search_records(self, query: RecordQuery) -> list[Record]:
        """Contacts whose e-mail or phone equals the query's (a phone in any format staff type)."""
        if query.module != "contacts" or not set(query.equals) <= {"email", *self.config.phone_properties}:
            raise ConnectorError(ErrorKind.INVALID_REQUEST, "HubSpot search: contacts by email or phone only")
        filters = []
        phones: list[str] = []
        for name, value in query.equals.items():
            if name == "email":
                filters.append({"propertyName": "email", "operator": "EQ", "value": str(value)})
            else:
                phones = [v.lower() for v in phone_variants(str(value))]
        if not phones:
            return self._search("contacts", [{"filters": filters}], limit=query.limit)
        # A phone is looked for in every phone property (groups are ORed), in every format staff type.
        groups = [
            {"filters": [*filters, {"propertyName": name, "operator": "IN", "values": phones}]}
            for name in self.config.phone_properties[:6]
        ]
        return self._search("contacts", groups, limit=query.limit)

    # -- actions -----------------------------------------------------------------------------------

    @action(idempotent=True)
    def upsert_contact(self, params: ContactParams) -> RecordRef:
        """Find the contact by e-mail, then by phone (every format staff type); update it, or create one."""
        properties = dict(params.properties)
        for name, value in (
            ("firstname", params.first_name),
            ("lastname", params.last_name),
            ("hs_lead_status", params.lead_status),
        ):
            if value:
                properties[name] = value
        return self._upsert_contact(
            email=params.email,
            phone=params.phone,
            properties=properties,
            stage=params.lifecycle_stage,
            owner_id=params.owner_id,
        )

    @action(idempotent=True)
    def set_stage(self, params: StageParams) -> RecordRef:
        """Set a contact's lifecycle stage (forward only) and lead status."""
        found = self.get_record(RecordRef(module="contacts", id=params.contact.id))
        if found is None:
            raise ConnectorError(
                ErrorKind.PERMANENT, f"HubSpot: איש הקשר {params.contact.id} לא נמצא | contact not found"
            )
        changes: dict[str, str] = {}
        if params.lead_status:
            changes["hs_lead_status"] = params.lead_status
        self._stage_change(changes, found.fields.get("lifecyclestage"), params.lifecycle_stage)
        if not changes:
            return RecordRef(module="contacts", id=found.id, action="unchanged")
        self._call("PATCH", f"/crm/v3/objects/contacts/{found.id}", json={"properties": changes})
        return RecordRef(module="contacts", id=found.id, action="updated")

    @action(idempotent=True)
    def create_task(self, params: TaskParams) -> RecordRef:
        """A task associated with the contact; with the job's key, created once across retries."""
        marker = idempotency_marker(params.idempotency_key) if params.idempotency_key else ""
        subject = params.subject[: _SUBJECT_MAX - len(marker)].rstrip() + marker
        properties = {
            "hs_task_subject": subject,
            "hs_timestamp": self._timestamp(params.due),
            "hs_task_status": "NOT_STARTED",
            "hs_task_type": params.task_type,
        }
        if params.body:
            properties["hs_task_body"] = params.body
        if params.priority:
            properties["hs_task_priority"] = params.priority
        owner = params.owner_id or self.config.default_owner_id
        if owner:
            properties["hubspot_owner_id"] = owner
        return self._create_once("tasks", properties, params.contact.id, _TASK_TO_CONTACT, marker, "hs_task_subject")

    @action(idempotent=True)
    def add_note(self, params: NoteParams) -> RecordRef:
        """A note on the contact's timeline; with the job's key, created once across retries."""
        marker = idempotency_marker(params.idempotency_key) if params.idempotency_key else ""
        properties = {"hs_note_body": params.body + marker, "hs_timestamp": self._timestamp(None)}
        return self._create_once("notes", properties, params.contact.id, _NOTE_TO_CONTACT, marker, "hs_note_body")

    # -- helpers -----------------------------------------------------------------------------------

    def _upsert_contact(
        self,
        *,
        email: str | None,
        phone: str | None,
        properties: dict[str, str],
        stage: str | None = None,
        owner_id: str | None = None,
    ) -> RecordRef:
        phone = phone_e164(phone) if phone else None  # invalid_request naming the number's problem
        email = email.strip().lower() if email else None
        if not (email or phone):
            raise ConnectorError(
                ErrorKind.INVALID_REQUEST, "a contact needs a phone or an e-mail | נדרש טלפון או דוא״ל"
            )
        existing = self._find_contact(email, phone)
        if existing is not None:
            changes = dict(properties)
            if email and not existing.fields.get("email"):
                changes["email"] = email
            if phone and not any(existing.fields.get(p) for p in self.config.phone_properties):
                changes[self.config.phone_properties[0]] = phone
            self._stage_change(changes, existing.fields.get("lifecyclestage"), stage)
            changes = {k: v for k, v in changes.items() if existing.fields.get(k) != v}
            if not changes:
                return RecordRef(module="contacts", id=existing.id, action="unchanged")
            self._call("PATCH", f"/crm/v3/objects/contacts/{existing.id}", json={"properties": changes})
            return RecordRef(module="contacts", id=existing.id, action="updated")
        new = dict(properties)
        if email:
            new["email"] = email
        if phone:
            new[self.config.phone_properties[0]] = phone
        if stage:
            new["lifecyclestage"] = stage
        owner = owner_id or self.config.default_owner_id
        if owner:
            new["hubspot_owner_id"] = owner
        unique = self.config.unique_phone_property
        if phone and unique:
            # HubSpot's own upsert on a unique property: the same call after a lost answer updates, never duplicates.
            item = {"idProperty": unique, "id": phone, "properties": {**new, unique: phone}}
            _, answer = self._call("POST", "/crm/v3/objects/contacts/batch/upsert", json={"inputs": [item]})
            (result,) = answer["results"]
            return RecordRef(
                module="contacts", id=str(result["id"]), action="created" if result.get("new") else "updated"
            )
        try:
            _, body = self._call("POST", "/crm/v3/objects/contacts", json={"properties": new, "associations": []})
        except ConnectorError as exc:
            if exc.code == "CONFLICT" and exc.details.get("existing_id"):
                # HubSpot keeps e-mails unique: a contact it wrote although our answer was lost, or one created
                # a moment ago by a job for the same person. Update that one.
                existing_id = str(exc.details["existing_id"])
                self._call(
                    "PATCH",
                    f"/crm/v3/objects/contacts/{existing_id}",
                    json={"properties": {k: v for k, v in new.items() if k != "email"}},
                )
                return RecordRef(module="contacts", id=existing_id, action="updated")
            if exc.kind is ErrorKind.UNREACHABLE:
                # The create may have been written although the answer never came: look before giving up.
                again = self._find_contact(email, phone, quiet=True)
                if again is not None:
                    return RecordRef(module="contacts", id=again.id, action="created")
            raise
        return RecordRef(module="contacts", id=str(body["id"]), action="created")

    def _find_contact(self, email: str | None, phone: str | None, *, quiet: bool = False) -> Record | None:
        """The oldest contact with this e-mail, else with this phone in any of its typed formats."""
        groups: list[dict[str, Any]] = []
        if email:
            groups.append({"filters": [{"propertyName": "email", "operator": "EQ", "value": email}]})
        if phone:
            variants = [v.lower() for v in phone_variants(phone)]
            for name in self.config.phone_properties[:5]:
                groups.append({"filters": [{"propertyName": name, "operator": "IN", "values": variants}]})
        try:
            found = self._search("contacts", groups[:6], limit=10)
        except ConnectorError:
            if quiet:
                return None
            raise
        if not found:
            return None
        by_email = [r for r in found if email and str(r.fields.get("email") or "").lower() == email]
        pool = by_email or found
        return min(pool, key=lambda r: (str(r.provider_details.get("createdAt", "")), int(r.id or 0)))

    def _search(self, family: str, groups: list[dict[str, Any]], *, limit: int) -> list[Record]:
        body = {
            "filterGroups": groups,
            "properties": list(_CONTACT_PROPERTIES) if family == "contacts" else [],
            "sorts": [],
            "limit": max(1, min(limit, 200)),
            "after": "0",
        }
        _, answer = self._call("POST", f"/crm/v3/objects/{family}/search", json=body)
        return [_record(family, item) for item in answer.get("results", [])][:limit]

    def _stage_change(self, changes: dict[str, str], current: Any, stage: str | None) -> None:
        if not stage:
            return
        ordered = current in LIFECYCLE_STAGES and stage in LIFECYCLE_STAGES and stage != "other"
        if ordered and LIFECYCLE_STAGES.index(stage) <= LIFECYCLE_STAGES.index(str(current)):
            return  # never backward: a customer who writes again stays a customer
        changes["lifecyclestage"] = stage

    def _timestamp(self, due: dt.datetime | dt.date | None) -> str:
        zone = ZoneInfo(self.config.account_timezone)
        if due is None:
            when = dt.datetime.fromtimestamp(self.clock(), dt.UTC)
        elif isinstance(due, dt.datetime):
            when = due if due.tzinfo else due.replace(tzinfo=zone)
        else:
            when = dt.datetime.combine(due, dt.time(9, 0), zone)
        return when.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")

    def _create_once(
        self, family: str, properties: dict[str, str], contact_id: str, type_id: int, marker: str, marked: str
    ) -> RecordRef:
        """Create a task or note associated with the contact, at most once per marker across retries."""
        lookup: Callable[[], RecordRef | None] = lambda: self._find_marked(family, contact_id, marker, marked)  # noqa: E731
        if marker:
            found = lookup()
            if found is not None:
                return found
        association = {
            "to": {"id": contact_id},
            "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": type_id}],
        }
        try:
            _, body = self._call(
                "POST", f"/crm/v3/objects/{family}", json={"properties": properties, "associations": [association]}
            )
        except ConnectorError as exc:
            if not marker or exc.kind is not ErrorKind.UNREACHABLE:
                raise
            try:
                found = lookup()
            except ConnectorError:
                found = None
            if found is None:
                raise
            return found
        return RecordRef(module=family, id=str(body["id"]), action="created")

    def _find_marked(self, family: str, contact_id: str, marker: str, marked: str) -> RecordRef | None:
        """The contact's task or note whose title or body ends with the marker (v4 associations, then batch read)."""
        status, answer = self._call(
            "GET",
            f"/crm/v4/objects/contacts/{contact_id}/associations/{family}",
            params={"limit": 500},
            passthrough=(404,),
        )
        if status == 404:
            raise ConnectorError(ErrorKind.PERMANENT, f"HubSpot: איש הקשר {contact_id} לא נמצא | contact not found")
        ids = [str(item["toObjectId"]) for item in answer.get("results", [])][-100:]
        if not ids:
            return None
        _, batch = self._call(
            "POST",
            f"/crm/v3/objects/{family}/batch/read",
            json={"inputs": [{"id": i} for i in ids], "properties": [marked], "propertiesWithHistory": []},
        )
        for item in batch.get("results", []):
            if str((item.get("properties") or {}).get(marked) or "").endswith(marker):
                return RecordRef(module=family, id=str(item["id"]), action="unchanged")
        return None


def _record(family: str, item: dict[str, Any]) -> Record:
    details = {k: item[k] for k in ("createdAt", "updatedAt") if k in item}
    fields = {k: v for k, v in (item.get("properties") or {}).items() if v is not None}
    return Record(module=family, id=str(item["id"]), fields=fields, provider_details=details)


def _context_values(body: dict[str, Any], key: str) -> list[str]:
    values: list[str] = []
    for detail in [body, *(body.get("errors") or [])]:
        context = detail.get("context") if isinstance(detail, dict) else None
        if isinstance(context, dict) and isinstance(context.get(key), list):
            values += [str(v) for v in context[key]]
    return values


def _invalid_fields(body: dict[str, Any]) -> tuple[list[str], list[str]]:
    """The properties (or JSON paths) a validation error names, and its codes: ``errors[]`` or the legacy message."""
    fields: list[str] = []
    codes: list[str] = []
    for detail in body.get("errors") or []:
        if not isinstance(detail, dict):
            continue
        context: dict[str, Any] = detail["context"] if isinstance(detail.get("context"), dict) else {}
        names: list[Any] = context["propertyName"] if isinstance(context.get("propertyName"), list) else []
        fields += [str(n) for n in names] or ([str(detail["in"])] if detail.get("in") else [])
        if detail.get("code"):
            codes.append(str(detail["code"]))
    message = str(body.get("message") or "")
    if not fields and ": [" in message:  # "Property values were not valid: [{...,"name":"email"}]"
        try:
            legacy = json.loads(message[message.index(": [") + 2 :])
        except ValueError:
            legacy = []
        for item in legacy if isinstance(legacy, list) else []:
            if isinstance(item, dict) and item.get("name"):
                fields.append(str(item["name"]))
                if item.get("error"):
                    codes.append(str(item["error"]))
    return list(dict.fromkeys(fields)), list(dict.fromkeys(codes))


def _existing_id(body: dict[str, Any]) -> str | None:
    found = _EXISTING_ID.search(str(body.get("message") or ""))
    return found.group(1) if found else None
