"""The closed set of connector failures, and how each is told apart: retry later or give up.

Every failure a connector raises is a :class:`ConnectorError` carrying one :class:`ErrorKind`.
The dispatcher (a later issue) needs nothing else to decide: ``error.retryable`` says whether to
try again, ``error.retry_after`` says when (seconds), ``error.code`` keeps the vendor's own code
(``"131047"``, ``"INVALID_TOKEN"``) for rules and reports. Messages never contain secrets.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

__all__ = [
    "ConnectorConfigError",
    "ConnectorError",
    "ConnectorRegistryError",
    "ErrorKind",
    "WebhookRejected",
]


class ErrorKind(StrEnum):
    """Why a call failed. Only ``unreachable`` and ``rate_limited`` are worth retrying as they are."""

    AUTH_INVALID = "auth_invalid"
    """Credentials are wrong, expired beyond refresh or revoked: a person must fix them."""
    UNREACHABLE = "unreachable"
    """Connection refused, DNS, timeout or a 5xx: the service is down or failing; retry with backoff."""
    RATE_LIMITED = "rate_limited"
    """The service asked us to slow down; retry after ``retry_after`` seconds (when known)."""
    MISCONFIGURED = "misconfigured"
    """The tenant's settings point at something that does not exist or is not allowed (wrong id, URL,
    inactive workflow, missing permission): a person must fix the configuration."""
    INVALID_REQUEST = "invalid_request"
    """This request cannot succeed as written (validation error, closed service window): change it."""
    PERMANENT = "permanent"
    """The service refused for good (undeliverable recipient, blocked, duplicate): do not retry."""


_RETRYABLE = frozenset({ErrorKind.UNREACHABLE, ErrorKind.RATE_LIMITED})


class ConnectorError(Exception):
    """A classified failure of a connector call."""

    def __init__(
        self,
        kind: ErrorKind,
        message: str,
        *,
        code: str | None = None,
        status: int | None = None,
        retry_after: float | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.kind = ErrorKind(kind)
        self.message = message
        self.code = code
        self.status = status
        self.retry_after = retry_after
        self.details: dict[str, Any] = dict(details or {})

    @property
    def retryable(self) -> bool:
        """Whether the same call may succeed later unchanged."""
        return self.kind in _RETRYABLE

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready description, for attempt records and reports."""
        return {
            "kind": self.kind.value,
            "message": self.message,
            "code": self.code,
            "status": self.status,
            "retry_after": self.retry_after,
            "retryable": self.retryable,
            "details": self.details,
        }

    def __repr__(self) -> str:
        extra = "".join(
            f", {k}={v!r}"
            for k, v in (("code", self.code), ("status", self.status), ("retry_after", self.retry_after))
            if v is not None
        )
        return f"{type(self).__name__}({self.kind.value!r}, {self.message!r}{extra})"

    def __str__(self) -> str:
        code = f" [{self.code}]" if self.code else ""
        return f"{self.kind.value}{code}: {self.message}"


class WebhookRejected(ConnectorError):
    """An inbound webhook failed verification (signature, token, mode): answer 401/403, store nothing."""

    def __init__(self, message: str, *, status: int = 403, code: str | None = None) -> None:
        super().__init__(ErrorKind.AUTH_INVALID, message, status=status, code=code)


class ConnectorConfigError(ValueError):
    """A connector's configuration is invalid; ``problems`` says what and how to fix each."""

    def __init__(self, connector: str, problems: list[str]) -> None:
        self.connector = connector
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"invalid configuration for connector '{connector}':\n{lines}")


class ConnectorRegistryError(RuntimeError):
    """Installed connectors are inconsistent (name mismatch, collision, bad class): start-up stops."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"connector registry is inconsistent:\n{lines}")
