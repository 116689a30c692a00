"""The owner's privacy page: find, export, correct and erase one person's data (issue 12, in the console).

Routes under ``/console/t/{tenant}/owner/privacy``, for the tenant's owner (and an operator) only: an
agent or a viewer gets 403, another tenant's user 404 (:func:`~sochen.console.auth.require_role`).
They call the services of ``sochen privacy`` and ``POST /v1/{tenant}/privacy/...``:
:func:`sochen.workflows.privacy_rights.find` / :func:`~sochen.workflows.privacy_rights.export` /
:func:`~sochen.workflows.privacy_rights.erase`, :func:`sochen.workflows.privacy_correct.correct`,
and :func:`sochen.workflows.privacy_log.verify_chain`.

- **The person's identifier travels in form bodies, never in a URL** (URLs end up in access logs and
  proxies), as over ``/v1``: finding is a POST, and the result page carries the identifier in the
  hidden fields of its export, correction and erase forms. Every POST is CSRF-checked by the dependency.
- **Every read and act is in the access log** with the console user as the actor (``Actor("user",
  user id, client address)``, as the inbox records reading a conversation): ``find`` here, ``export``,
  ``correct`` and ``erase`` by the services themselves.
- **Never other people's data.** The page shows counts per store, the kinds of identifier found, and
  the person's own conversations (channel, status, times, number of turns, a link to the inbox page);
  other people's conversations that mention the person are only counted.
- **Erasure needs the identifier typed again**; the two must name the same person (compared after
  normalising, so ``050-123-4567`` confirms ``+972501234567``), else nothing is erased (400).
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response
from sqlalchemy import select

from ..db.models_conversations import Conversation
from ..db.session import session_scope
from .archive import get_state
from .auth import ConsoleError, ConsoleUser, require_role
from .pages_i18n import register
from .render import ConsoleRoute, render

if TYPE_CHECKING:  # sochen.api imports this package: its modules are imported where they are used
    from ..api.state import ApiState
    from ..workflows.privacy_log import Actor
    from ..workflows.privacy_rights import Found, Subject

__all__ = ["router"]

register()

router = APIRouter(prefix="/console/t/{tenant}/owner/privacy", route_class=ConsoleRoute, include_in_schema=False)

Field = Literal["phone", "email", "id_number", "name", "fact"]
FIELDS = ("phone", "email", "id_number", "name", "fact")
ContactForm = Form(..., min_length=1, max_length=200)

_BIDI = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")
"""Direction marks (U+200E, U+200F, U+202A–U+202E, U+2066–U+2069) a number copied from a Hebrew screen carries."""


def _clean(contact: str) -> str:
    """The identifier as typed, without direction marks (so it round-trips through the page's hidden fields)."""
    return _BIDI.sub("", contact).strip()


def _tenant(user: ConsoleUser) -> str:
    assert user.tenant is not None  # require_role checked the path's tenant
    return user.tenant


def _base(user: ConsoleUser) -> str:
    return f"/console/t/{user.tenant}/owner/privacy"


def _actor(request: Request, user: ConsoleUser) -> Actor:
    """The access-log actor: the console user, from the client's address."""
    from ..workflows.privacy_log import Actor

    return Actor("user", user.id, request.client.host if request.client else "")


def _in_lang(message: str, lang: str) -> str:
    """One language of a service's ``"עברית | English"`` message."""
    he, _, en = message.partition(" | ")
    return (en or he) if lang == "en" else he


def _page(
    request: Request,
    user: ConsoleUser,
    state: ApiState,
    *,
    status: int = 200,
    contact: str = "",
    problem: str | None = None,
    found: dict[str, Any] | None = None,
    verify: bool = False,
) -> Response:
    from ..workflows.privacy_log import verify_chain

    # Verifying reads the whole log (about 0.5 s per 10,000 entries on SQLite: bench/console_privacy.py),
    # so it runs when asked; the page itself shows the newest entry.
    chain = verify_chain(state.settings.database_url, _tenant(user)) if verify else None
    return render(
        request,
        "owner/privacy.html",
        user=user,
        status=status,
        active="owner",
        tab="privacy",
        base=_base(user),
        owner_base=f"/console/t/{user.tenant}/owner",
        contact=contact,
        problem=problem,
        found=found,
        chain=chain,
        head=_log_head(state, _tenant(user)) if found is None else None,
        fields=FIELDS,
    )


def _log_head(state: ApiState, tenant: str) -> dict[str, Any]:
    """The newest entry of the tenant's access log (number and hash), without verifying the chain."""
    from ..db.models_privacy import AccessLogEntry

    with session_scope(state.settings.database_url) as session:
        last = session.execute(
            select(AccessLogEntry.seq, AccessLogEntry.hash)
            .where(AccessLogEntry.tenant == tenant)
            .order_by(AccessLogEntry.seq.desc())
            .limit(1)
        ).first()
    return {"entries": last.seq if last else 0, "hash": last.hash if last else ""}


def _subject(request: Request, user: ConsoleUser, state: ApiState, contact: str) -> Subject | Response:
    """The person named by ``contact``, or the page again with the service's reason (400)."""
    from ..workflows.privacy_rights import ContactError, parse_contact

    try:
        return parse_contact(_tenant(user), _clean(contact))
    except ContactError as exc:
        return _page(request, user, state, status=400, contact=contact, problem=_in_lang(str(exc), user.lang))


def _find(state: ApiState, subject: Subject) -> Found:
    from ..workflows.privacy_rights import find

    try:
        return find(state.settings, subject)
    except LookupError:
        raise ConsoleError(404, "error.not_found") from None


def _conversations(state: ApiState, tenant: str, ids: list[str]) -> list[dict[str, Any]]:
    """The person's own conversations, as the inbox lists them (no texts), within ``tenant`` only."""
    if not ids:
        return []
    with session_scope(state.settings.database_url) as session:
        rows = session.scalars(
            select(Conversation)
            .where(Conversation.tenant == tenant, Conversation.id.in_(ids))
            .order_by(Conversation.updated_at.desc())
        )
        return [
            {
                "id": c.id,
                "channel": c.channel,
                "status": c.status,
                "turns": c.turns,
                "created_at": c.created_at,
                "updated_at": c.updated_at,
            }
            for c in rows
        ]


def _kinds(state: ApiState, tenant: str, found: Found) -> dict[str, list[tuple[str, int]]]:
    """What kind each store's records are (event types, inbound kinds, job actions), with counts: names only."""
    from collections import Counter

    from ..db.models_api import InboundEventRow
    from ..db.models_outbox import DomainEvent, Job

    stores = (
        ("domain_events", DomainEvent.type, DomainEvent, found.events),
        ("inbound_events", InboundEventRow.kind, InboundEventRow, found.inbound),
        ("outbox_jobs", Job.action, Job, found.jobs),
    )
    out: dict[str, list[tuple[str, int]]] = {}
    with session_scope(state.settings.database_url) as session:
        for store, column, model, ids in stores:
            counts: Counter[str] = Counter()
            for start in range(0, len(ids), 500):
                batch = ids[start : start + 500]
                counts.update(session.scalars(select(column).where(model.tenant == tenant, model.id.in_(batch))))
            out[store] = sorted(counts.items())
    return out


@router.get("")
def privacy_page(
    request: Request, user: ConsoleUser = Depends(require_role("owner")), state: ApiState = Depends(get_state)
) -> Response:
    """The search form and the access log's newest entry."""
    return _page(request, user, state)


@router.get("/audit")
def audit_page(
    request: Request, user: ConsoleUser = Depends(require_role("owner")), state: ApiState = Depends(get_state)
) -> Response:
    """The page with the access log's hash chain verified (``sochen privacy audit``)."""
    return _page(request, user, state, verify=True)


@router.post("/find")
def find_page(
    request: Request,
    contact: str = ContactForm,
    user: ConsoleUser = Depends(require_role("owner")),
    state: ApiState = Depends(get_state),
) -> Response:
    """Where the person's data is held, store by store, and their conversations (``sochen privacy find``)."""
    from ..workflows.privacy_log import record_access
    from ..workflows.privacy_rights import subject_ref

    subject = _subject(request, user, state, contact)
    if isinstance(subject, Response):
        return subject
    found = _find(state, subject)
    summary = found.summary()
    record_access(
        state.settings.database_url,
        _tenant(user),
        _actor(request, user),
        "find",
        "person",
        subject_ref(found.tenant_id, subject),
        summary,
    )
    view = {
        "kind": subject.kind,
        "summary": summary,
        "phones": len(found.needles.phones),
        "ids": len(found.needles.ids),
        "emails": len(found.needles.emails),
        "conversations": _conversations(state, _tenant(user), found.conversations),
        "kinds": _kinds(state, _tenant(user), found),
    }
    return _page(request, user, state, contact=_clean(contact), found=view)


@router.post("/export")
def export_page(
    request: Request,
    contact: str = ContactForm,
    file: Literal["json", "report"] = Form("json"),
    user: ConsoleUser = Depends(require_role("owner")),
    state: ApiState = Depends(get_state),
) -> Response:
    """The person's export as a download: the JSON file or the Hebrew report (``sochen privacy export``)."""
    from ..workflows.privacy_rights import export, export_report_he

    subject = _subject(request, user, state, contact)
    if isinstance(subject, Response):
        return subject
    try:
        data = export(state.settings, subject, actor=_actor(request, user))  # writes the access-log entry
    except LookupError:
        raise ConsoleError(404, "error.not_found") from None
    if file == "report":
        body, media, name = export_report_he(data), "text/markdown; charset=utf-8", "report.he.md"
    else:
        body, media, name = json.dumps(data, ensure_ascii=False, indent=2), "application/json", "export.json"
    return Response(
        body.encode("utf-8"),
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="{_tenant(user)}-privacy-{name}"'},
    )


def _receipt_page(request: Request, user: ConsoleUser, kind: str, receipt: dict[str, Any]) -> Response:
    notes = [_in_lang(n, user.lang) for n in receipt.get("notes") or []]
    refusal = receipt.get("refusal")
    started, finished = (receipt.get(k) for k in ("started_at", "finished_at"))
    return render(
        request,
        "owner/privacy_receipt.html",
        user=user,
        active="owner",
        tab="privacy",
        base=_base(user),
        owner_base=f"/console/t/{user.tenant}/owner",
        kind=kind,
        receipt=receipt,
        notes=notes,
        refusal=refusal,
        started=datetime.fromisoformat(started) if started else None,
        finished=datetime.fromisoformat(finished) if finished else None,
    )


@router.post("/correct")
def correct_page(
    request: Request,
    contact: str = ContactForm,
    field: Field = Form(...),
    old: str = Form(..., min_length=1, max_length=500),
    new: str = Form(..., min_length=1, max_length=500),
    refuse: str = Form("", max_length=1000),
    user: ConsoleUser = Depends(require_role("owner")),
    state: ApiState = Depends(get_state),
) -> Response:
    """Correct one detail of the person, or record the refusal and its reason (``sochen privacy correct``)."""
    from ..workflows.privacy_correct import correct
    from ..workflows.privacy_rights import ContactError

    subject = _subject(request, user, state, contact)
    if isinstance(subject, Response):
        return subject
    try:
        receipt = correct(
            state.settings, subject, field, old, new, actor=_actor(request, user), refuse=refuse.strip() or None
        )
    except ContactError as exc:  # bad input: nothing was recorded
        return _page(request, user, state, status=400, contact=contact, problem=_in_lang(str(exc), user.lang))
    except LookupError:
        raise ConsoleError(404, "error.not_found") from None
    return _receipt_page(request, user, "correct", receipt)


@router.post("/erase")
def erase_page(
    request: Request,
    contact: str = ContactForm,
    confirm: str = Form("", max_length=200),
    user: ConsoleUser = Depends(require_role("owner")),
    state: ApiState = Depends(get_state),
) -> Response:
    """Erase the person everywhere once the identifier is typed again (``sochen privacy erase``)."""
    from ..workflows.privacy_rights import ContactError, erase, parse_contact
    from .i18n import t

    subject = _subject(request, user, state, contact)
    if isinstance(subject, Response):
        return subject
    try:
        again = parse_contact(_tenant(user), _clean(confirm))
    except ContactError:
        again = None
    if again is None or (again.kind, again.value) != (subject.kind, subject.value):
        return _page(request, user, state, status=400, contact=contact, problem=t("privacy.erase.mismatch", user.lang))
    try:
        receipt = erase(state.settings, subject, actor=_actor(request, user))
    except LookupError:
        raise ConsoleError(404, "error.not_found") from None
    return _receipt_page(request, user, "erase", receipt)
