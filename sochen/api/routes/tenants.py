"""``/v1/{tenant}/...``: ask the knowledge base, and manage its documents. Bearer API keys."""

from __future__ import annotations

import time
from typing import Any

from fastapi import APIRouter, Depends, File, Form, Query, UploadFile
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from ...db.tenants import TenantNotFoundError
from ...tenancy import TenantNotLiveError
from ..deps import is_id, tenant_for_caller
from ..documents import check_tags, delete_document, list_documents, upload_document
from ..errors import ERROR_RESPONSES, ApiError
from ..limits import too_large
from ..state import ApiState, get_state
from ..tenants import not_live, unknown_tenant

__all__ = ["router"]

router = APIRouter(prefix="/v1/{tenant}", tags=["knowledge"])


class AskBody(BaseModel):
    """A question to the tenant's knowledge base."""

    model_config = ConfigDict(extra="forbid")
    question: str = Field(min_length=1, max_length=4000, description="השאלה / the question (Hebrew welcome).")
    top_k: int | None = Field(default=None, ge=1, le=50, description="כמה קטעים לאחזר / passages to retrieve.")


class Citation(BaseModel):
    """A passage the answer quotes."""

    n: int
    document_id: str
    title: str
    section: str
    page: int | None
    chunk_id: str
    quote: str


class AskAnswer(BaseModel):
    """The answer, grounded in quoted passages, with how it was routed (``sochen ask --json``)."""

    question: str
    answer: str
    status: str = Field(description="answered | not_found | ungrounded | degraded")
    mode: str = Field(
        default="none",
        description="Which mode wrote the answer: generative (a model), extractive (quoted clauses, no model) "
        "or none (a fixed reply).",
    )
    handoff: bool = Field(description="True when a person should take over (nothing could answer safely).")
    calculation: str | None = Field(
        default=None, description="The arithmetic of an answer computed from two quoted facts, shown with them."
    )
    citations: list[Citation]
    route: dict[str, Any]
    usage: dict[str, float]
    provider_problems: dict[str, str]
    request_id: str | None
    version: int | None = Field(default=None, description="The tenant version that answered (the live one).")


class DocumentInfo(BaseModel):
    """A document of the knowledge base."""

    id: str
    title: str
    filename: str
    mime: str
    size_bytes: int
    pages: int | None
    status: str
    chunk_count: int
    tags: list[str]
    created_at: str | None
    updated_at: str | None


class UploadResult(BaseModel):
    """What an upload did."""

    outcome: str = Field(description="added | updated | unchanged")
    document: DocumentInfo


@router.post(
    "/ask",
    response_model=AskAnswer,
    summary="שאלה למאגר הידע / ask the knowledge base",
    description="תשובה מבוססת מסמכי הדייר בלבד, עם ציטוטים מאומתים; שאלות רגישות נענות במודל מקומי או "
    "מועברות לנציג. / An answer from the tenant's documents only, with verified quotes; sensitive "
    "questions go to a local model or to a person.",
    responses=ERROR_RESPONSES(401, 404, 413, 422),
)
def ask_route(
    body: AskBody, tenant: str = Depends(tenant_for_caller), state: ApiState = Depends(get_state)
) -> dict[str, Any]:
    """Ask one question."""
    from ...agents.ask import ask_live

    started = time.perf_counter()
    try:
        data = ask_live(
            state.settings,
            tenant,
            body.question,
            retriever=state.retriever(),
            providers=state.ask_providers,
            top_k=body.top_k,
        )
    except TenantNotFoundError:
        raise unknown_tenant(tenant) from None
    except TenantNotLiveError:
        raise not_live(tenant) from None
    state.metrics.asks.labels(tenant, str(data["status"])).inc()
    state.metrics.ask_latency.labels(tenant).observe(time.perf_counter() - started)
    return data


@router.post(
    "/documents",
    response_model=UploadResult,
    status_code=201,
    summary="העלאת מסמך / upload a document",
    description="PDF, DOCX, HTML, Markdown או טקסט; קובץ פגום נדחה עם הסיבה (422) ולא נשמר דבר. "
    "העלאה חוזרת של קובץ באותו שם מחליפה את המסמך. / PDF, DOCX, HTML, Markdown or text; a bad file is "
    "refused with its reason (422) and nothing is stored. Uploading a file of the same name replaces it.",
    responses=ERROR_RESPONSES(401, 404, 413, 422),
)
def upload_route(
    file: UploadFile = File(..., description="הקובץ / the file"),
    tags: list[str] = Form(default=[], description="תגיות גישה, למשל client:1234 / access tags"),
    tenant: str = Depends(tenant_for_caller),
    state: ApiState = Depends(get_state),
) -> JSONResponse:
    """Upload and ingest one file."""
    limit = state.api.max_upload_bytes
    data = file.file.read(limit + 1)
    if len(data) > limit:
        raise too_large(limit)
    try:
        outcome, doc = upload_document(
            state.retriever(), tenant, filename=file.filename or "document", data=data, tags=check_tags(tags)
        )
    except TenantNotFoundError:
        raise unknown_tenant(tenant) from None
    body = UploadResult(outcome=outcome, document=DocumentInfo(**doc))
    return JSONResponse(body.model_dump(), status_code=201 if outcome == "added" else 200)


@router.get(
    "/documents",
    response_model=list[DocumentInfo],
    summary="רשימת המסמכים / list documents",
    responses=ERROR_RESPONSES(401, 404),
)
def list_route(
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0),
    tenant: str = Depends(tenant_for_caller),
    state: ApiState = Depends(get_state),
) -> list[dict[str, Any]]:
    """The tenant's documents, newest first."""
    return list_documents(state.retriever(), tenant, limit=limit, offset=offset)


@router.delete(
    "/documents/{document_id}",
    response_model=DocumentInfo,
    summary="מחיקת מסמך / delete a document",
    responses=ERROR_RESPONSES(401, 404),
)
def delete_route(
    document_id: str, tenant: str = Depends(tenant_for_caller), state: ApiState = Depends(get_state)
) -> dict[str, Any]:
    """Delete a document and its passages from the index."""
    if not is_id(document_id):
        raise ApiError(404, "document_not_found", "המסמך לא נמצא", "no such document")
    return delete_document(state.retriever(), tenant, document_id)
