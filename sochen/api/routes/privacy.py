"""A person's privacy rights over HTTP: find, export, correct and erase; the access log and its check.

Every route takes the person's identifier in a JSON body, never in the URL (URLs end up in access
logs and proxies). A tenant key reaches only its own tenant (another tenant answers 404 as if it did
not exist); every call is written to the tenant's hash-chained access log with the key's id and the
client's address.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from ...workflows.privacy_log import Actor, export_log, record_access, verify_chain
from ..deps import current_principal, tenant_for_caller
from ..errors import ERROR_RESPONSES, ApiError
from ..keys import Principal
from ..state import ApiState, get_state

__all__ = ["actor_for", "router"]

router = APIRouter(tags=["privacy"])


class ContactRequest(BaseModel):
    """Who the request is about."""

    contact: str = Field(
        ...,
        min_length=3,
        max_length=200,
        description='טלפון, מזהה מבקר בצ׳אט, ת"ז או דוא"ל / '
        "phone (+9725…), web chat visitor id (wc_…), Israeli ID or e-mail",
    )


def actor_for(request: Request, principal: Principal) -> Actor:
    """The access-log actor of an HTTP caller: the key's id, from the client's address."""
    host = request.client.host if request.client else ""
    return Actor("api_key", principal.key_id, host)


def _subject(tenant: str, contact: str) -> Any:
    from ...workflows.privacy_rights import ContactError, parse_contact

    try:
        return parse_contact(tenant, contact)
    except ContactError as exc:
        he, _, en = str(exc).partition(" | ")
        raise ApiError(422, "invalid_contact", he, en or he) from None


@router.post(
    "/v1/{tenant}/privacy/find",
    summary="איפה נשמר מידע על אדם / where a person's data is held",
    responses=ERROR_RESPONSES(401, 404, 422),
)
def find_route(
    body: ContactRequest,
    request: Request,
    tenant: str = Depends(tenant_for_caller),
    principal: Principal = Depends(current_principal),
    state: ApiState = Depends(get_state),
) -> dict[str, Any]:
    """Counts per store (no values)."""
    from ...workflows.privacy_rights import find, subject_ref

    subject = _subject(tenant, body.contact)
    found = find(state.settings, subject)
    summary = found.summary()
    record_access(
        state.settings.database_url,
        tenant,
        actor_for(request, principal),
        "find",
        "person",
        subject_ref(found.tenant_id, subject),
        summary,
    )
    return {"tenant": tenant, "identifier_kind": subject.kind, "stores": summary}


@router.post(
    "/v1/{tenant}/privacy/export",
    summary="כל המידע על אדם / everything held about a person",
    responses=ERROR_RESPONSES(401, 404, 422),
)
def export_route(
    body: ContactRequest,
    request: Request,
    tenant: str = Depends(tenant_for_caller),
    principal: Principal = Depends(current_principal),
    state: ApiState = Depends(get_state),
) -> dict[str, Any]:
    """The JSON export and, in ``report_he``, the readable Hebrew report (Markdown)."""
    from ...workflows.privacy_rights import export, export_report_he

    data = export(state.settings, _subject(tenant, body.contact), actor=actor_for(request, principal))
    return {**data, "report_he": export_report_he(data)}


@router.post(
    "/v1/{tenant}/privacy/erase",
    summary="מחיקת כל המידע על אדם / erase a person's data",
    responses=ERROR_RESPONSES(401, 404, 422),
)
def erase_route(
    body: ContactRequest,
    request: Request,
    tenant: str = Depends(tenant_for_caller),
    principal: Principal = Depends(current_principal),
    state: ApiState = Depends(get_state),
) -> dict[str, Any]:
    """Erase the person in every store; the receipt. Calling it again resumes or confirms (idempotent)."""
    from ...workflows.privacy_rights import erase

    return erase(state.settings, _subject(tenant, body.contact), actor=actor_for(request, principal))


class CorrectRequest(ContactRequest):
    """A correction of one detail of the person (s. 14), or the tenant's refusal with its reason."""

    field: Literal["phone", "email", "id_number", "name", "fact"] = Field(
        ..., description="מה מתקנים / which detail: phone, email, id_number, name or fact (free text)"
    )
    old: str = Field(..., min_length=1, max_length=500, description="הערך השגוי / the wrong value")
    new: str = Field(..., min_length=1, max_length=500, description="הערך הנכון / the correct value")
    refuse: str | None = Field(
        default=None, max_length=1000, description="סירוב ונימוקו / refuse the request, with this reason"
    )


@router.post(
    "/v1/{tenant}/privacy/correct",
    summary="תיקון מידע על אדם / correct a person's data",
    responses=ERROR_RESPONSES(401, 404, 422),
)
def correct_route(
    body: CorrectRequest,
    request: Request,
    tenant: str = Depends(tenant_for_caller),
    principal: Principal = Depends(current_principal),
    state: ApiState = Depends(get_state),
) -> dict[str, Any]:
    """Correct the detail in every store and plan the connected systems' jobs; the receipt (idempotent)."""
    from ...workflows.privacy_correct import correct
    from ...workflows.privacy_rights import ContactError

    subject = _subject(tenant, body.contact)
    try:
        return correct(
            state.settings,
            subject,
            body.field,
            body.old,
            body.new,
            actor=actor_for(request, principal),
            refuse=body.refuse,
        )
    except ContactError as exc:
        he, _, en = str(exc).partition(" | ")
        raise ApiError(422, "invalid_correction", he, en or he) from None


@router.get(
    "/v1/{tenant}/privacy/audit",
    summary="בדיקת יומן הגישה / verify the access log",
    responses=ERROR_RESPONSES(401, 404),
)
def audit_route(
    entries: bool = False,
    tenant: str = Depends(tenant_for_caller),
    state: ApiState = Depends(get_state),
) -> dict[str, Any]:
    """Whether the hash chain holds (and, with ``entries=true``, every entry for an auditor)."""
    report = verify_chain(state.settings.database_url, tenant)
    out: dict[str, Any] = {
        "tenant": tenant,
        "ok": report.ok,
        "entries": report.entries,
        "head": report.head,
        "broken_at": report.broken_at,
        "problem": report.problem,
    }
    if entries:
        out["log"] = export_log(state.settings.database_url, tenant)
    return out
