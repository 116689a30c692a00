"""monday.com's errors, classified into Sochen's taxonomy (``sochen.connectors.errors``).

monday answers most failures with **HTTP 200** and a GraphQL ``errors`` array (API 2025-01 and later:
``errors[].extensions.code``; earlier versions also used a top-level ``error_code``). Sources:
developer.monday.com "Error handling" and "Rate limits", and the changelog entries on the complexity
error (2025-01 hotfix, 2025-07 simplification) and on ``ColumnValueException.error_data.column_type``.

- any error that carries ``retry_in_seconds`` (``COMPLEXITY_BUDGET_EXHAUSTED``, ``IP_RATE_LIMIT_EXCEEDED``,
  ``RATE_LIMIT_EXCEEDED``, ``DAILY_LIMIT_EXCEEDED``...), and the legacy ``ComplexityException`` ("reset in
  N seconds"): ``rate_limited`` with that many seconds as ``retry_after``;
- ``ColumnValueException``, ``ItemNameTooLongException``, an unknown argument or field: ``invalid_request``
  (never retried), naming the column when the error concerns one;
- ``InvalidBoardIdException``, ``InvalidColumnIdException``, ``InvalidGroupIdException``,
  ``UserUnauthorizedException`` (a token without access to the board): ``misconfigured``;
- HTTP 401 or ``status_code`` 401: ``auth_invalid``; HTTP 5xx or ``status_code`` >= 500: ``unreachable``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sochen.connectors import ConnectorError, ErrorKind

__all__ = ["SentColumn", "classify_errors"]

_LIMIT_CODES = frozenset(
    {
        "COMPLEXITY_BUDGET_EXHAUSTED",
        "ComplexityException",
        "RATE_LIMIT_EXCEEDED",
        "IP_RATE_LIMIT_EXCEEDED",
        "DAILY_LIMIT_EXCEEDED",
        "maxConcurrencyExceeded",
    }
)
_MISCONFIGURED = {
    "InvalidBoardIdException": "board",
    "InvalidColumnIdException": "column",
    "InvalidGroupIdException": "group",
    "UserUnauthorizedException": "permission",
}
_COLUMN_VALUE_CODES = frozenset({"ColumnValueException", "CorrectedValueException"})
_RESET_IN = re.compile(r"reset in (\d+(?:\.\d+)?) seconds?")
_MESSAGE_MAX = 300


@dataclass(frozen=True)
class SentColumn:
    """A column whose value a mutation sent: used to name the column an error is about."""

    id: str
    type: str
    title: str


def _errors_of(body: Any) -> list[dict[str, Any]]:
    """Every error of an answer, in the 2025-01 shape (legacy top-level errors converted)."""
    if not isinstance(body, Mapping):
        return []
    found: list[dict[str, Any]] = []
    for error in body.get("errors") or []:
        if isinstance(error, Mapping):
            found.append(dict(error))
        elif isinstance(error, str):  # legacy: "errors": ["Complexity budget exhausted, ..."]
            found.append({"message": error, "extensions": {"code": body.get("error_code")}})
    if body.get("error_code") and not found:  # legacy: top-level error_code / error_message / error_data
        extensions = {
            "code": body.get("error_code"),
            "status_code": body.get("status_code"),
            "error_data": body.get("error_data") or {},
        }
        found.append({"message": str(body.get("error_message") or body["error_code"]), "extensions": extensions})
    if body.get("error_message") and not found:
        found.append({"message": str(body["error_message"]), "extensions": {"status_code": body.get("status_code")}})
    return found


def _short(text: str) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= _MESSAGE_MAX else text[: _MESSAGE_MAX - 1] + "…"


def _retry_in(error: Mapping[str, Any]) -> float | None:
    extensions = error.get("extensions") or {}
    value = extensions.get("retry_in_seconds")
    if isinstance(value, int | float) and not isinstance(value, bool):
        return max(0.0, float(value))
    match = _RESET_IN.search(str(error.get("message") or ""))
    return float(match.group(1)) if match else None


def _column_named(error: Mapping[str, Any], sent: Mapping[str, SentColumn]) -> SentColumn | None:
    """The column an error concerns: by id when monday gives one, else by its type among those sent."""
    data = (error.get("extensions") or {}).get("error_data") or {}
    if not isinstance(data, Mapping):
        return None
    column_id = data.get("column_id")
    if isinstance(column_id, str):
        return sent.get(column_id) or SentColumn(id=column_id, type=str(data.get("column_type") or ""), title="")
    column_type = str(data.get("column_type") or "")
    column_type = column_type.removesuffix("Column").lower() if column_type.endswith("Column") else column_type
    candidates = [c for c in sent.values() if c.type == column_type]
    return candidates[0] if len(candidates) == 1 else None


def classify_errors(
    body: Any,
    *,
    http_status: int,
    retry_after_header: float | None,
    sent: Mapping[str, SentColumn] | None = None,
) -> ConnectorError | None:
    """The ConnectorError for a monday answer, or None when it carries no error."""
    sent = sent or {}
    errors = _errors_of(body)
    if not errors and http_status < 400:
        return None
    codes = [str((e.get("extensions") or {}).get("code") or "") for e in errors]
    statuses = [(e.get("extensions") or {}).get("status_code") for e in errors]
    first = errors[0] if errors else {"message": f"HTTP {http_status}"}
    message = _short(str(first.get("message") or (codes[0] if codes else "") or f"HTTP {http_status}"))
    code = codes[0] if codes and codes[0] else None

    for error, error_code in zip(errors, codes, strict=True):
        wait = _retry_in(error)
        if error_code in _LIMIT_CODES or wait is not None:
            return ConnectorError(
                ErrorKind.RATE_LIMITED,
                f"monday: {_short(str(error.get('message') or error_code))}",
                code=error_code or None,
                status=http_status,
                retry_after=wait if wait is not None else (retry_after_header or 60.0),
            )
    if http_status == 429:
        return ConnectorError(
            ErrorKind.RATE_LIMITED,
            f"monday: {message}",
            code=code,
            status=429,
            retry_after=retry_after_header or 60.0,
        )
    if http_status == 401 or 401 in statuses:
        return ConnectorError(ErrorKind.AUTH_INVALID, "monday refused the API token", code=code, status=http_status)
    if http_status >= 500 or any(isinstance(s, int) and s >= 500 for s in statuses):
        return ConnectorError(
            ErrorKind.UNREACHABLE, f"monday failed: {message}", code=code, status=http_status, retry_after=None
        )
    for error, error_code in zip(errors, codes, strict=True):
        if error_code in _MISCONFIGURED:
            what = _MISCONFIGURED[error_code]
            column = _column_named(error, sent) if what == "column" else None
            named = f" (column '{column.id}')" if column else ""
            return ConnectorError(
                ErrorKind.MISCONFIGURED,
                f"monday: {_short(str(error.get('message') or error_code))}{named}",
                code=error_code,
                status=http_status,
                details={"column_id": column.id} if column else {},
            )
        if error_code in _COLUMN_VALUE_CODES:
            column = _column_named(error, sent)
            where = f"column '{column.id}'" + (f" ({column.title})" if column.title else "") if column else "a column"
            return ConnectorError(
                ErrorKind.INVALID_REQUEST,
                f"monday refused the value of {where}: {_short(str(error.get('message') or ''))}",
                code=error_code,
                status=http_status,
                details={"column_id": column.id, "column_type": column.type} if column else {},
            )
    if http_status == 403 or 403 in statuses:
        return ConnectorError(ErrorKind.MISCONFIGURED, f"monday: {message}", code=code, status=http_status)
    return ConnectorError(ErrorKind.INVALID_REQUEST, f"monday: {message}", code=code, status=http_status)
