"""Errors as JSON, always the same shape: ``{"error": {"code", "message", "message_he", "message_en"}}``.

``message`` is Hebrew, then English (``"... / ..."``). Every failure the service can foresee is an
:class:`ApiError` with a 4xx status; validation errors, unknown routes and wrong methods are mapped
to the same shape, and anything unforeseen becomes a 500 in that shape (without internals).
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

__all__ = ["ERROR_RESPONSES", "ApiError", "error_body", "install_error_handlers"]

log = logging.getLogger(__name__)


class ApiError(StarletteHTTPException):
    """A foreseen failure: HTTP status, a stable machine code, and the message in Hebrew and English.

    It is an HTTPException so that FastAPI passes it through unchanged even when it is raised while
    the request body is being read (the body-size limit).
    """

    def __init__(self, status: int, code: str, he: str, en: str, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(status, f"{code}: {en}", headers)
        self.status = status
        self.code = code
        self.he = he
        self.en = en

    def response(self) -> JSONResponse:
        """The JSON response for this error."""
        return JSONResponse(error_body(self.code, self.he, self.en), status_code=self.status, headers=self.headers)


def error_body(code: str, he: str, en: str) -> dict[str, Any]:
    """The error document."""
    return {"error": {"code": code, "message": f"{he} / {en}", "message_he": he, "message_en": en}}


_STATUS_TEXT = {
    400: ("בקשה שגויה", "bad request"),
    401: ("נדרש אימות", "authentication required"),
    403: ("אין הרשאה", "forbidden"),
    404: ("לא נמצא", "not found"),
    405: ("שיטת HTTP לא נתמכת בנתיב זה", "method not allowed on this path"),
    409: ("מתנגש עם המצב הנוכחי", "conflicts with the current state"),
    413: ("הבקשה גדולה מדי", "request body too large"),
    415: ("סוג תוכן לא נתמך", "unsupported content type"),
    422: ("הקלט אינו תקין", "invalid input"),
}


def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    he, en = _STATUS_TEXT.get(exc.status_code, ("שגיאה", "error"))
    detail = exc.detail if isinstance(exc.detail, str) and exc.detail not in ("Not Found", "Method Not Allowed") else ""
    code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, f"http_{exc.status_code}")
    return JSONResponse(
        error_body(code, he, f"{en}: {detail}" if detail else en),
        status_code=exc.status_code,
        headers=getattr(exc, "headers", None),
    )


def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    problems = []
    for err in exc.errors()[:10]:
        where = ".".join(str(p) for p in err.get("loc", ()) if p != "body") or "body"
        problems.append(f"{where}: {err.get('msg', 'invalid')}")
    body = error_body("invalid_input", "הקלט אינו תקין", "invalid input: " + "; ".join(problems))
    return JSONResponse(body, status_code=422)


def _api_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return exc.response()


def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return JSONResponse(error_body("internal", "שגיאה פנימית", "internal error"), status_code=500)


def install_error_handlers(app: FastAPI) -> None:
    """Map every error to the JSON shape above."""
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _unexpected)


_ERROR_SCHEMA = {
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "properties": {
                    "error": {
                        "type": "object",
                        "properties": {
                            "code": {"type": "string"},
                            "message": {"type": "string"},
                            "message_he": {"type": "string"},
                            "message_en": {"type": "string"},
                        },
                        "required": ["code", "message"],
                    }
                },
            }
        }
    }
}


def ERROR_RESPONSES(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries for these error statuses."""
    return {s: {"description": " / ".join(_STATUS_TEXT.get(s, ("שגיאה", "error"))), **_ERROR_SCHEMA} for s in statuses}
