"""The lawyer's archive: ask the documents, open a cited clause, search with filters, upload documents.

Routes under ``/console/t/{tenant}/archive``; every one is scoped to the path's tenant by
:func:`~sochen.console.auth.require_role` and reads the services ``sochen ask`` / ``search`` / ``ingest``
and ``/v1/{tenant}/ask|documents`` use (:func:`sochen.agents.ask.ask_live`,
:func:`sochen.api.documents.search_documents`, :func:`~sochen.api.documents.upload_files`,
:func:`~sochen.api.documents.document_with_chunks`). Reading needs the viewer role; uploading, the agent
role. Questions and document text are untrusted: templates autoescape them and show bidi controls.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import Response

from ..db.tenants import TenantNotFoundError
from ..tenancy import TenantNotLiveError
from .auth import ConsoleError, ConsoleUser, require_role
from .pages_i18n import register
from .render import ConsoleRoute, render

if TYPE_CHECKING:  # sochen.api imports this package: its modules are imported where they are used
    from ..api.state import ApiState

__all__ = ["router"]

register()

router = APIRouter(prefix="/console/t/{tenant}/archive", route_class=ConsoleRoute, include_in_schema=False)

MAX_QUESTION = 4000
_MAX_QUOTE = 600


def _base(user: ConsoleUser) -> str:
    return f"/console/t/{user.tenant}/archive"


def get_state(request: Request) -> ApiState:
    """The app's state (``sochen.api`` assembles it; read from the request, not imported)."""
    state: ApiState = request.app.state.sochen
    return state


def _documents(state: ApiState, user: ConsoleUser) -> list[dict[str, Any]]:
    from ..api.documents import list_documents

    assert user.tenant is not None
    return list_documents(state.retriever(), user.tenant, limit=1000)


def _page(
    request: Request,
    state: ApiState,
    user: ConsoleUser,
    *,
    status: int = 200,
    **context: Any,
) -> Response:
    docs = _documents(state, user)
    tags = sorted({tag for d in docs for tag in d["tags"]})
    values: dict[str, Any] = {
        "question": "",
        "answer": None,
        "ask_error": None,
        "query": "",
        "hits": None,
        "document": "",
        "tag": "",
        "uploads": None,
        "upload_error": None,
        **context,
    }
    return render(
        request,
        "archive/index.html",
        user=user,
        status=status,
        active="archive",
        base=_base(user),
        documents=docs,
        tags=tags,
        **values,
    )


def _is_htmx(request: Request) -> bool:
    return request.headers.get("HX-Request") == "true"


@router.get("")
def archive_page(
    request: Request,
    user: ConsoleUser = Depends(require_role("viewer")),
    state: ApiState = Depends(get_state),
) -> Response:
    """The archive: ask, search, upload, and the tenant's documents."""
    return _page(request, state, user)


@router.post("/ask")
def ask_page(
    request: Request,
    question: str = Form(""),
    user: ConsoleUser = Depends(require_role("viewer")),
    state: ApiState = Depends(get_state),
) -> Response:
    """Answer a question with the live version, as ``POST /v1/{tenant}/ask`` does; citations link to clauses."""
    from ..agents.ask import ask_live
    from ..llm.providers.base import ProviderConfigError

    assert user.tenant is not None
    text = question.strip()
    answer: dict[str, Any] | None = None
    error: str | None = None
    status = 200
    if not text:
        error, status = "archive.ask.empty", 422
    elif len(text) > MAX_QUESTION:
        error, status = "archive.ask.too_long", 422
    else:
        try:
            answer = ask_live(
                state.settings, user.tenant, text, retriever=state.retriever(), providers=state.ask_providers
            )
        except TenantNotFoundError:
            raise ConsoleError(404, "error.not_found") from None
        except TenantNotLiveError:
            error, status = "archive.ask.not_live", 409
        except ProviderConfigError:
            error, status = "archive.ask.models", 409
    if _is_htmx(request):
        return render(
            request,
            "archive/_answer.html",
            user=user,
            base=_base(user),
            answer=answer,
            ask_error=error,
        )
    return _page(request, state, user, status=status, question=question, answer=answer, ask_error=error)


@router.get("/search")
def search_page(
    request: Request,
    q: str = Query("", max_length=MAX_QUESTION),
    document: str = Query("", max_length=64),
    tag: str = Query("", max_length=100),
    user: ConsoleUser = Depends(require_role("viewer")),
    state: ApiState = Depends(get_state),
) -> Response:
    """Passages of the live version for ``q``, optionally only in one document or with one tag."""
    from ..api.documents import check_tags, search_documents
    from ..api.errors import ApiError

    assert user.tenant is not None
    hits = None
    error = None
    if q.strip():
        try:
            tags = check_tags([tag]) if tag else []
            hits = search_documents(
                state.retriever(),
                user.tenant,
                q,
                top_k=10,
                tags=tags or None,
                document_ids=[document] if document else None,
            )
        except ApiError:
            hits = []
        except TenantNotLiveError:
            error = "archive.ask.not_live"
    if _is_htmx(request):
        return render(
            request, "archive/_hits.html", user=user, base=_base(user), hits=hits, query=q, search_error=error
        )
    return _page(request, state, user, query=q, hits=hits, document=document, tag=tag, search_error=error)


def _marked(text: str, quote: str) -> tuple[str, str, str]:
    """``text`` split around the first occurrence of ``quote`` (for a <mark>); the quote is not found: no mark."""
    quote = quote.strip()
    at = text.find(quote) if quote else -1
    if at < 0:
        return text, "", ""
    return text[:at], quote, text[at + len(quote) :]


@router.get("/documents/{document_id}")
def document_page(
    request: Request,
    document_id: str,
    chunk: str = Query("", max_length=64),
    quote: str = Query("", max_length=_MAX_QUOTE),
    user: ConsoleUser = Depends(require_role("viewer")),
    state: ApiState = Depends(get_state),
) -> Response:
    """A document with its passages in order; the cited passage (``chunk``) is marked and scrolled to."""
    from ..api.documents import document_with_chunks

    assert user.tenant is not None
    doc = document_with_chunks(state.retriever(), user.tenant, document_id)
    if doc is None:
        raise ConsoleError(404, "error.not_found")
    passages = []
    for c in doc["chunks"]:
        cited = c["id"] == chunk
        before, mark, after = _marked(c["text"], quote) if cited else (c["text"], "", "")
        passages.append({**c, "cited": cited, "before": before, "mark": mark, "after": after})
    return render(
        request,
        "archive/document.html",
        user=user,
        active="archive",
        base=_base(user),
        doc=doc,
        passages=passages,
        cited=chunk,
    )


@router.post("/documents")
def upload_page(
    request: Request,
    files: list[UploadFile] = File(default=[]),
    tags: str = Form(""),
    user: ConsoleUser = Depends(require_role("agent")),
    state: ApiState = Depends(get_state),
) -> Response:
    """Ingest several files through the same ingestion as ``sochen ingest``; each file's outcome is listed."""
    from ..api.documents import check_tags, upload_files
    from ..api.errors import ApiError

    assert user.tenant is not None
    limit = state.api.max_upload_bytes
    received = []
    for item in files:
        data = item.file.read(limit + 1)
        if item.filename or data:
            received.append((item.filename or "document", data))
    outcomes = None
    error: tuple[str, dict[str, str]] | None = None
    status = 200
    if not received:
        error, status = ("archive.upload.none", {}), 422
    else:
        try:
            checked = check_tags([tags]) if tags.strip() else []
        except ApiError:
            bad = next((x.strip() for x in tags.split(",") if x.strip() and not _tag_ok(x.strip())), tags)
            error, status = ("archive.upload.bad_tags", {"tag": bad[:100]}), 422
        else:
            try:
                outcomes = upload_files(state.retriever(), user.tenant, received, tags=checked, max_bytes=limit)
            except TenantNotFoundError:
                raise ConsoleError(404, "error.not_found") from None
    if _is_htmx(request):
        return render(
            request,
            "archive/_uploads.html",
            user=user,
            base=_base(user),
            uploads=outcomes,
            upload_error=error,
            oob_documents=_documents(state, user),  # swapped in out of band: the list shows the new ones
        )
    return _page(request, state, user, status=status, uploads=outcomes, upload_error=error)


def _tag_ok(tag: str) -> bool:
    from ..api.documents import check_tags
    from ..api.errors import ApiError

    try:
        check_tags([tag])
    except ApiError:
        return False
    return True
