"""Graph API errors → the closed set of connector errors (protocols.md §1.9)."""

from __future__ import annotations

from typing import Any

from ..errors import ConnectorError, ErrorKind
from ..http import kind_for_status

__all__ = ["ServiceWindowClosed", "error_from_graph"]


class ServiceWindowClosed(ConnectorError):
    """More than 24 hours since the person last wrote: only a template may be sent (code 131047)."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(
            ErrorKind.INVALID_REQUEST, message, code="131047", status=status, details={"requires": "template"}
        )


_AUTH = {0, 102, 190}
_RATE = {4, 80007, 130429, 131056, 133016}
_TRANSIENT = {1, 2, 131000, 131016, 131052, 131053}
_MISCONFIGURED = {3, 10, 131005, 131030, 131031, 131042, 132001, 132015, 132016}
_PERMANENT = {368, 130472, 131026, 131048, 131050, 137000}
# Without a Retry-After header: pair limit is about one message per 6 s; others a minute.
_DEFAULT_RETRY_AFTER = {131056: 6.0, 130429: 1.0}


def error_from_graph(status: int, body: Any, *, retry_after: float | None = None) -> ConnectorError:
    """Classify a Graph API error response."""
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        kind = kind_for_status(status)
        return ConnectorError(kind, f"Graph API answered HTTP {status}", status=status, retry_after=retry_after)
    try:
        code = int(str(error.get("code")))
    except (TypeError, ValueError):
        code = -1
    details = (error.get("error_data") or {}).get("details") if isinstance(error.get("error_data"), dict) else None
    message = str(error.get("message") or "Graph API error")
    if details:
        message = f"{message}: {details}"
    extra = {k: error[k] for k in ("type", "error_subcode", "fbtrace_id", "is_transient") if k in error}
    if code == 131047:
        return ServiceWindowClosed(message, status=status)
    if code in _AUTH or (code == -1 and status == 401):
        kind = ErrorKind.AUTH_INVALID
    elif code in _RATE:
        kind = ErrorKind.RATE_LIMITED
        retry_after = retry_after if retry_after is not None else _DEFAULT_RETRY_AFTER.get(code, 60.0)
    elif code in _TRANSIENT or error.get("is_transient") is True:
        kind = ErrorKind.UNREACHABLE
    elif code in _MISCONFIGURED or (200 <= code <= 299) or (code == 100 and error.get("error_subcode") == 33):
        kind = ErrorKind.MISCONFIGURED
    elif code in _PERMANENT:
        kind = ErrorKind.PERMANENT
    elif code == 100 or 131008 <= code <= 131009 or 132000 <= code <= 132999 or code == 131021:
        kind = ErrorKind.INVALID_REQUEST
    else:
        kind = kind_for_status(status)
    return ConnectorError(
        kind,
        message,
        code=str(code) if code != -1 else None,
        status=status,
        retry_after=retry_after,
        details=extra,
    )
