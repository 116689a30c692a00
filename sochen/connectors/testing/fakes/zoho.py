"""A fake Zoho: the accounts server (OAuth refresh grant) and the CRM v8 REST API, on two ports.

Built from protocols.md §2 and the v8 OpenAPI documents: token errors come back as HTTP 200 with
an ``error`` key; the token response names the ``api_domain`` (the CRM fake's URL, so a client that
ignores it fails); CRM calls need ``Authorization: Zoho-oauthtoken``; an expired token answers
``INVALID_TOKEN`` (status configurable: Zoho has been seen using 400 as well as 401); writes return
per-item results with 200/201, 207 for mixed results and 400 when every item failed; search
answers 204 with an empty body when nothing matches; batches are limited to 100 records.

It refuses what a real Zoho refuses (:mod:`._zoho_validate`): every write is checked against the
field metadata of ``zoho_fields.json`` (types, e-mail and phone formats, lengths, picklists,
mandatory fields, owners that are users), the body wrapper (``data`` a non-empty list of objects,
``trigger`` values, ``duplicate_check_fields`` a list naming unique fields) and the pagination
bounds, and answers with Zoho's error shapes (``INVALID_DATA`` with ``details.api_name`` and
``json_path``, ``MANDATORY_NOT_FOUND``, ``DUPLICATE_DATA``, ``LIMIT_EXCEEDED`` ...). It also
answers the metadata a real client reads: ``settings/fields``, ``settings/modules``, ``org`` and
``users?type=CurrentUser``.
"""

from __future__ import annotations

import copy
import itertools
import secrets
from typing import Any

from ._server import FakeResponse, FakeServer, RecordedRequest
from ._zoho_criteria import CriteriaError, matches
from ._zoho_validate import check_body, check_item, check_page, default_fields, error_item, unique_fields

__all__ = ["FakeZoho", "FakeZohoAccounts", "FakeZohoCrm", "zoho_error"]

MODULES = ("Leads", "Contacts", "Accounts", "Deals", "Tasks", "Events", "Calls", "Notes")
_DEFAULT_DUPLICATE_CHECK = {"Leads": ["Email"], "Contacts": ["Email"], "Accounts": ["Account_Name"]}
_OWNER = {"name": "דנה כהן", "id": "4876876000000225013", "email": "dana@example.co.il"}
_ORG = {
    "id": "4876876000000001001",
    "company_name": "מרפאת השיניים של דנה",
    "zgid": "70001234",
    "domain_name": "org70001234",
    "primary_email": "dana@example.co.il",
    "country_code": "IL",
    "time_zone": "Asia/Jerusalem",
    "iso_code": "ILS",
    "currency_symbol": "₪",
    "type": "production",
}
_NOW = "2026-03-01T10:00:00+02:00"


def zoho_error(code: str, message: str, *, status: int = 400, details: dict[str, Any] | None = None) -> FakeResponse:
    """A flat Zoho CRM error (whole-request)."""
    body = {"code": code, "details": details or {}, "message": message, "status": "error"}
    return FakeResponse.json(body, status)


class FakeZohoAccounts(FakeServer):
    """``POST /oauth/v2/token`` with ``grant_type=refresh_token``."""

    service = "zoho-accounts"

    def __init__(
        self,
        *,
        client_id: str,
        client_secret: str,
        refresh_token: str,
        api_domain: str = "",
        host: str = "127.0.0.1",
    ) -> None:
        super().__init__(host=host)
        self.client_id = client_id
        self.client_secret = client_secret
        self.refresh_token = refresh_token
        self.api_domain = api_domain
        self.valid_tokens: set[str] = set()
        self.issued = 0

    def expire_tokens(self) -> None:
        """Every access token issued so far stops working (as after an hour)."""
        with self._lock:
            self.valid_tokens.clear()

    def is_valid(self, token: str) -> bool:
        """Whether an access token is live."""
        with self._lock:
            return token in self.valid_tokens

    def route(self, request: RecordedRequest) -> FakeResponse:
        """Answer the token endpoint; errors are HTTP 200 with an ``error`` key, as Zoho does."""
        if request.path != "/oauth/v2/token" or request.method != "POST":
            return FakeResponse.text("Not Found", 404)
        params = {k: v[0] for k, v in request.query.items()}
        params.update(request.form())
        if params.get("grant_type") != "refresh_token":
            return FakeResponse.json({"error": "unsupported_grant_type"})
        if params.get("client_id") != self.client_id or params.get("client_secret") != self.client_secret:
            return FakeResponse.json({"error": "invalid_client"})
        if params.get("refresh_token") != self.refresh_token:
            return FakeResponse.json({"error": "invalid_code"})
        token = f"1000.{secrets.token_hex(16)}.{secrets.token_hex(16)}"
        self.valid_tokens.add(token)
        self.issued += 1
        return FakeResponse.json(
            {
                "access_token": token,
                "scope": "ZohoCRM.modules.ALL ZohoCRM.users.READ",
                "api_domain": self.api_domain,
                "token_type": "Bearer",
                "expires_in": 3600,
            }
        )


class FakeZohoCrm(FakeServer):
    """Records in memory, per module, behind the v8 REST API."""

    service = "zoho-crm"

    def __init__(self, accounts: FakeZohoAccounts, *, host: str = "127.0.0.1") -> None:
        super().__init__(host=host)
        self.accounts = accounts
        self.store: dict[str, dict[str, dict[str, Any]]] = {m: {} for m in MODULES}
        self.invalid_token_status = 401
        self.credits: int | None = None
        """API credits left; None means unlimited. At 0 every call answers 429."""
        self.fields: dict[str, dict[str, dict[str, Any]]] = default_fields()
        """Field metadata per module, by API name, as ``settings/fields`` answers it (tests may edit it)."""
        self.users: list[dict[str, Any]] = [
            {**_OWNER, "full_name": _OWNER["name"], "status": "active", "role": {"name": "CEO", "id": "1"}},
            {"id": "4876876000000225099", "full_name": "יוסי לוי", "email": "yossi@example.co.il", "status": "active"},
        ]
        """Users of the organisation; an ``Owner`` must be one of the active ones."""
        self._ids = itertools.count(1)
        self.deleted: dict[str, list[str]] = {}
        """Ids deleted per module, in order (a test reads what was asked)."""

    def set_unique(self, module: str, field: str, unique: bool = True) -> None:
        """Mark a field 'Do not allow duplicate values' (or not), as an admin does in the layout editor."""
        with self._lock:
            self.fields[module][field]["unique"] = {"casesensitive": "false"} if unique else {}

    def records(self, module: str) -> list[dict[str, Any]]:
        """Stored records of a module (copies)."""
        with self._lock:
            return [dict(r) for r in self.store[module].values()]

    # -- routing -----------------------------------------------------------------------------------

    def route(self, request: RecordedRequest) -> FakeResponse:
        """Answer one CRM v8 call."""
        auth = request.headers.get("Authorization", "")
        if not auth.startswith("Zoho-oauthtoken "):
            return zoho_error("AUTHENTICATION_FAILURE", "Authentication failed", status=401)
        if not self.accounts.is_valid(auth[len("Zoho-oauthtoken ") :]):
            return zoho_error("INVALID_TOKEN", "invalid oauth token", status=self.invalid_token_status)
        if self.credits is not None:
            if self.credits <= 0:
                return zoho_error(
                    "TOO_MANY_REQUESTS", "You have exceeded the API credit limit for the day.", status=429
                )
            self.credits -= 1
        parts = request.path.strip("/").split("/")
        if parts[:2] != ["crm", "v8"] or len(parts) < 3:
            return zoho_error(
                "INVALID_URL_PATTERN", "Please check if the URL trying to access is a correct one", status=404
            )
        rest, method = parts[2:], request.method
        if method == "GET" and rest in (["users"], ["org"], ["settings", "fields"], ["settings", "modules"]):
            return self._metadata(rest, request)
        module = rest[0]
        if module not in self.store:
            return zoho_error(
                "INVALID_MODULE",
                "The module name given seems to be invalid",
                details={"resource_path_index": 2},
            )
        if rest[1:] == ["search"] and method == "GET":
            return self._search(module, request)
        if rest[1:] == ["upsert"] and method == "POST":
            return self._write(module, request, upsert=True)
        if len(rest) == 1 and method == "POST":
            return self._write(module, request, upsert=False)
        if len(rest) == 3 and method == "GET" and rest[2] == "Notes":
            return self._related_notes(module, rest[1], request)
        if len(rest) == 2 and method == "GET":
            record = self.store[module].get(rest[1])
            return FakeResponse(204) if record is None else FakeResponse.json({"data": [record]})
        if len(rest) == 2 and method == "PUT":
            return self._update_one(module, rest[1], request)
        if len(rest) in (1, 2) and method == "DELETE":
            return self._delete(module, rest[1] if len(rest) == 2 else None, request)
        return zoho_error(
            "INVALID_URL_PATTERN", "Please check if the URL trying to access is a correct one", status=404
        )

    # -- operations --------------------------------------------------------------------------------

    def _metadata(self, rest: list[str], request: RecordedRequest) -> FakeResponse:
        if rest == ["users"]:
            kind = request.param("type") or "AllUsers"
            if kind not in ("AllUsers", "ActiveUsers", "CurrentUser", "AdminUsers", "ActiveConfirmedUsers"):
                return zoho_error("INVALID_DATA", "invalid data", details={"param_name": "type", "param": kind})
            users = self.users[:1] if kind in ("CurrentUser", "AdminUsers") else self.users
            info = {"per_page": 200, "count": len(users), "page": 1, "more_records": False}
            return FakeResponse.json({"users": users, "info": info})
        if rest == ["org"]:
            return FakeResponse.json({"org": [_ORG]})
        if rest == ["settings", "modules"]:
            modules = [
                {
                    "api_name": m,
                    "module_name": m,
                    "plural_label": m,
                    "singular_label": m[:-1],
                    "id": str(i),
                    "api_supported": True,
                    "generated_type": "default",
                }
                for i, m in enumerate(MODULES, start=4876876000000002170)
            ]
            return FakeResponse.json({"modules": modules})
        module = request.param("module")
        if module is None:
            return zoho_error(
                "REQUIRED_PARAM_MISSING",
                "One of the expected parameter is missing",
                details={"param_name": "module", "param": "module"},
            )
        if module not in self.fields:
            return zoho_error(
                "INVALID_MODULE", "The module name given seems to be invalid", details={"param_name": "module"}
            )
        with self._lock:
            return FakeResponse.json({"fields": copy.deepcopy(list(self.fields[module].values()))})

    def _related_notes(self, module: str, record_id: str, request: RecordedRequest) -> FakeResponse:
        if record_id not in self.store[module]:
            return zoho_error("INVALID_DATA", "the id given seems to be invalid", details={"resource_path_index": 1})
        if not request.param("fields"):  # v8 lists need `fields`
            return zoho_error(
                "REQUIRED_PARAM_MISSING",
                "One of the expected parameter is missing",
                details={"param_name": "fields", "param": "fields"},
            )
        if (problem := check_page(request.query)) is not None:
            return FakeResponse.json(problem, 400)
        notes = [
            n
            for n in self.store["Notes"].values()
            if isinstance(n.get("Parent_Id"), dict) and str(n["Parent_Id"].get("id")) == record_id
        ]
        return self._page(notes, request)

    def _page(self, found: list[dict[str, Any]], request: RecordedRequest) -> FakeResponse:
        if not found:
            return FakeResponse(204)
        page = int(request.param("page") or 1)
        per_page = int(request.param("per_page") or 200)
        chunk = found[(page - 1) * per_page : page * per_page]
        if not chunk:
            return FakeResponse(204)
        info = {"per_page": per_page, "count": len(chunk), "page": page, "more_records": len(found) > page * per_page}
        return FakeResponse.json({"data": chunk, "info": info})

    def _search(self, module: str, request: RecordedRequest) -> FakeResponse:
        if (problem := check_page(request.query)) is not None:
            return FakeResponse.json(problem, 400)
        records = list(self.store[module].values())
        if (criteria := request.param("criteria")) is not None:
            try:
                found = [r for r in records if matches(criteria, r)]
            except CriteriaError as exc:
                return zoho_error(
                    "INVALID_QUERY",
                    "invalid query formed",
                    details={"reason": str(exc), "api_name": "criteria"},
                )
        elif (email := request.param("email")) is not None:
            found = [r for r in records if str(r.get("Email", "")).lower() == email.lower()]
        elif (phone := request.param("phone")) is not None:
            found = [r for r in records if phone in (r.get("Phone"), r.get("Mobile"))]
        elif (word := request.param("word")) is not None:
            found = [r for r in records if any(word in str(v) for v in r.values())]
        else:
            return zoho_error(
                "REQUIRED_PARAM_MISSING",
                "One of the expected parameter is missing",
                details={"param_name": "criteria"},
            )
        return self._page(found, request)

    def _write(self, module: str, request: RecordedRequest, *, upsert: bool) -> FakeResponse:
        try:
            body = request.json()
        except (UnicodeDecodeError, ValueError):
            body = None
        fields = self.fields.get(module, {})
        kind = "Notes" if module == "Notes" else "record"
        problem, status = check_body(body, kind=kind, fields=fields, upsert=upsert)
        if problem is not None:
            return FakeResponse.json(problem, status)
        items = body["data"]
        check = body.get("duplicate_check_fields") or sorted(
            f for f in _DEFAULT_DUPLICATE_CHECK.get(module, []) if f in unique_fields(fields)
        )
        with self._lock:
            results = [self._write_one(module, i, item, check if upsert else None) for i, item in enumerate(items)]
        ok = [r for r in results if r["status"] == "success"]
        status = (200 if upsert else 201) if len(ok) == len(results) else 207 if ok else 400
        return FakeResponse.json({"data": results}, status)

    def _write_one(self, module: str, index: int, item: Any, check: list[str] | None) -> dict[str, Any]:
        fields = self.fields.get(module, {})
        users = {str(u["id"]) for u in self.users if u.get("status") == "active"}
        if not isinstance(item, dict):
            return check_item(item, index, fields=fields, users=users, inserting=True) or {}
        existing, duplicate_field = None, None
        for field in check or []:
            value = item.get(field)
            if value in (None, ""):
                continue
            for record in self.store[module].values():
                if str(record.get(field, "")).lower() == str(value).lower():
                    existing, duplicate_field = record, field
                    break
            if existing:
                break
        problem = check_item(item, index, fields=fields, users=users, inserting=existing is None)
        if problem is None:
            problem = self._check_links(module, index, item)
        if problem is None and existing is None:
            problem = self._duplicate(module, index, item)
        if problem is not None:
            return problem
        if existing is not None:
            existing.update(self._known(module, item))
            existing["Modified_Time"] = _NOW
            result = _success(existing, "record updated")
            result.update({"action": "update", "duplicate_field": duplicate_field})
            return result
        record = {**self._known(module, item), "id": f"4876876{next(self._ids):012d}"}
        record["Owner"] = item.get("Owner") or _OWNER
        record.update({"Created_Time": _NOW, "Modified_Time": _NOW})
        self.store[module][record["id"]] = record
        result = _success(record, "record added")
        if check is not None:
            result.update({"action": "insert", "duplicate_field": None})
        return result

    def _known(self, module: str, item: dict[str, Any]) -> dict[str, Any]:
        """What Zoho keeps of a written item: fields of the module that are not read-only, and ``$`` keys."""
        fields = self.fields.get(module, {})
        return {k: v for k, v in item.items() if k.startswith("$") or (k in fields and not fields[k].get("read_only"))}

    def _duplicate(self, module: str, index: int, item: dict[str, Any]) -> dict[str, Any] | None:
        """A new record may not repeat the value of a unique field (DUPLICATE_DATA, as Zoho answers)."""
        for field in sorted(unique_fields(self.fields.get(module, {}))):
            value = item.get(field)
            if value in (None, ""):
                continue
            for record in self.store[module].values():
                if str(record.get(field, "")).lower() == str(value).lower():
                    owner = record.get("Owner") or _OWNER
                    return _item_error(
                        "DUPLICATE_DATA",
                        "duplicate data",
                        {
                            "api_name": field,
                            "json_path": f"$.data[{index}].{field}",
                            "duplicate_record": {"Owner": owner, "id": record["id"]},
                            "id": record["id"],
                            "more_records": False,
                        },
                    )
        return None

    def _update_one(self, module: str, record_id: str, request: RecordedRequest) -> FakeResponse:
        record = self.store[module].get(record_id)
        if record is None:
            return FakeResponse.json(
                {"data": [_item_error("INVALID_DATA", "the id given seems to be invalid", {"id": record_id})]},
                400,
            )
        try:
            body = request.json()
        except (UnicodeDecodeError, ValueError):
            body = None
        fields = self.fields.get(module, {})
        problem, status = check_body(body, kind="Notes" if module == "Notes" else "record", fields=fields, upsert=False)
        if problem is not None:
            return FakeResponse.json(problem, status)
        users = {str(u["id"]) for u in self.users if u.get("status") == "active"}
        item = body["data"][0]
        problem = check_item(item, 0, fields=fields, users=users, inserting=False)
        if problem is None and isinstance(item, dict):
            problem = self._check_links(module, 0, item)
        if problem is not None:
            return FakeResponse.json({"data": [problem]}, 400)
        with self._lock:
            record.update(self._known(module, item))
            record["Modified_Time"] = _NOW
            return FakeResponse.json({"data": [_success(record, "record updated")]})

    def _delete(self, module: str, record_id: str | None, request: RecordedRequest) -> FakeResponse:
        """Delete Record(s): ``DELETE {module}/{id}`` or ``DELETE {module}?ids=a,b`` (at most 100), no body.

        ``wf_trigger`` must be a boolean (not on Notes, whose operation takes only ``ids``); an id
        that is not a record of the module is an ``INVALID_DATA`` item; 200 when every id was
        deleted, 207 for a mix, 400 when none was.
        """
        if request.body:
            return zoho_error("INVALID_DATA", "the request body is not expected for delete", details={})
        allowed = {"ids"} if module == "Notes" else {"ids", "wf_trigger"}
        unknown = sorted(set(request.query) - allowed)
        if unknown:
            return zoho_error("INVALID_DATA", "invalid data", details={"param_name": unknown[0]})
        trigger = request.param("wf_trigger")
        if trigger is not None and trigger not in ("true", "false"):
            return zoho_error("INVALID_DATA", "invalid data", details={"param_name": "wf_trigger"})
        if record_id is None:
            raw = request.param("ids")
            if not raw:
                return zoho_error(
                    "REQUIRED_PARAM_MISSING",
                    "One of the expected parameter is missing",
                    details={"param_name": "ids"},
                )
            ids = raw.split(",")
            if len(ids) > 100:
                return zoho_error("LIMIT_EXCEEDED", "the number of ids exceeds 100", details={"limit": 100})
        else:
            if "ids" in request.query:
                return zoho_error("INVALID_DATA", "invalid data", details={"param_name": "ids"})
            ids = [record_id]
        results = []
        with self._lock:
            for one in ids:
                record = self.store[module].pop(one.strip(), None)
                if record is None:
                    results.append(_item_error("INVALID_DATA", "the id given seems to be invalid", {"id": one}))
                else:
                    self.deleted.setdefault(module, []).append(record["id"])
                    results.append(_success(record, "record deleted"))
        ok = sum(1 for r in results if r["status"] == "success")
        status = 200 if ok == len(results) else 207 if ok else 400
        return FakeResponse.json({"data": results}, status)

    def _check_links(self, module: str, index: int, item: dict[str, Any]) -> dict[str, Any] | None:
        """Lookups point at records that exist: ``Parent_Id`` of notes, ``What_Id`` + ``$se_module``, ``Who_Id``."""
        if module == "Notes":
            parent = item.get("Parent_Id")
            target = parent.get("module") if isinstance(parent, dict) else None
            target_name = target.get("api_name") if isinstance(target, dict) else None
            if not isinstance(parent, dict) or not self._exists(target_name, parent.get("id")):
                return _item_error(
                    "INVALID_DATA" if isinstance(parent, dict) else "MANDATORY_NOT_FOUND",
                    "invalid data" if isinstance(parent, dict) else "required field not found",
                    {"api_name": "Parent_Id", "json_path": f"$.data[{index}].Parent_Id"},
                )
        if "$se_module" in item and (not isinstance(item["$se_module"], str) or item["$se_module"] not in self.store):
            return _item_error(
                "INVALID_DATA", "invalid data", {"api_name": "$se_module", "json_path": f"$.data[{index}].$se_module"}
            )
        for lookup, default_module in (("What_Id", None), ("Who_Id", "Contacts")):
            if lookup in item and item[lookup] is not None:
                ref = item[lookup]
                ref_id = ref.get("id") if isinstance(ref, dict) else ref
                target = item.get("$se_module") if lookup == "What_Id" else default_module
                if not self._exists(target, ref_id):
                    return _item_error(
                        "INVALID_DATA",
                        "invalid data",
                        {"api_name": lookup, "json_path": f"$.data[{index}].{lookup}"},
                    )
        return None

    def _exists(self, module: Any, record_id: Any) -> bool:
        return (
            isinstance(module, str)
            and module in self.store
            and isinstance(record_id, str | int)
            and str(record_id) in self.store[module]
        )


def _success(record: dict[str, Any], message: str) -> dict[str, Any]:
    details = {
        "Modified_Time": record.get("Modified_Time", _NOW),
        "Modified_By": {"name": _OWNER["name"], "id": _OWNER["id"]},
        "Created_Time": record.get("Created_Time", _NOW),
        "id": record["id"],
        "Created_By": {"name": _OWNER["name"], "id": _OWNER["id"]},
    }
    return {"code": "SUCCESS", "details": details, "message": message, "status": "success"}


def _item_error(code: str, message: str, details: dict[str, Any]) -> dict[str, Any]:
    return error_item(code, message, details)


class FakeZoho:
    """Both Zoho fakes together; ``accounts_url`` is where a connector should ask for tokens."""

    def __init__(
        self,
        *,
        client_id: str = "1000.FAKECLIENT0000000000000000000",
        client_secret: str = "fake-client-secret-0000",
        refresh_token: str = "1000.fake-refresh.token",
    ) -> None:
        self.accounts = FakeZohoAccounts(client_id=client_id, client_secret=client_secret, refresh_token=refresh_token)
        self.crm = FakeZohoCrm(self.accounts)

    @property
    def client_id(self) -> str:
        """The client id the fake accepts."""
        return self.accounts.client_id

    @property
    def client_secret(self) -> str:
        """The client secret the fake accepts."""
        return self.accounts.client_secret

    @property
    def refresh_token(self) -> str:
        """The refresh token the fake accepts."""
        return self.accounts.refresh_token

    @property
    def requests(self) -> list[RecordedRequest]:
        """Requests received by both servers (accounts first)."""
        return self.accounts.requests + self.crm.requests

    @property
    def accounts_url(self) -> str:
        """Base URL of the accounts fake."""
        return self.accounts.url

    @property
    def api_domain(self) -> str:
        """Base URL of the CRM fake (announced as ``api_domain`` in token responses)."""
        return self.crm.url

    def start(self) -> FakeZoho:
        """Start both servers."""
        self.crm.start()
        self.accounts.api_domain = self.crm.url
        self.accounts.start()
        return self

    def stop(self) -> None:
        """Stop both servers."""
        self.accounts.stop()
        self.crm.stop()

    def __enter__(self) -> FakeZoho:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
