"""HTTP plumbing shared by connectors: calls that never leak requests exceptions, backoff, HMAC."""

from __future__ import annotations

import email.utils
import hashlib
import hmac
from typing import Any

import requests

from .errors import ConnectorError, ErrorKind, WebhookRejected

__all__ = [
    "backoff_delay",
    "hmac_sha256_hex",
    "kind_for_status",
    "parse_retry_after",
    "send",
    "verify_hmac_header",
]


def send(session: requests.Session, method: str, url: str, *, timeout: float, **kwargs: Any) -> requests.Response:
    """One HTTP call; network failures become ``ConnectorError(unreachable)`` (query never shown)."""
    shown = url.split("?", 1)[0]
    try:
        return session.request(method, url, timeout=timeout, **kwargs)
    except requests.Timeout:
        raise ConnectorError(ErrorKind.UNREACHABLE, f"{method} {shown}: no answer within {timeout:g} s") from None
    except requests.ConnectionError as exc:
        reason = type(exc).__name__
        raise ConnectorError(ErrorKind.UNREACHABLE, f"{method} {shown}: connection failed ({reason})") from None
    except requests.RequestException as exc:
        raise ConnectorError(ErrorKind.UNREACHABLE, f"{method} {shown}: {type(exc).__name__}") from None


def parse_retry_after(value: str | None, now: float) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or an HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - now)


def backoff_delay(attempt: int, *, base: float, cap: float, retry_after: float | None = None) -> float:
    """Seconds before retry ``attempt`` (0-based): the server's word, else exponential; capped."""
    if retry_after is not None:
        return min(cap, retry_after)
    return min(cap, base * (2**attempt))


def kind_for_status(status: int) -> ErrorKind:
    """The generic classification of an HTTP error status (connectors refine it with vendor codes)."""
    if status == 401:
        return ErrorKind.AUTH_INVALID
    if status in (403, 404, 405, 410):
        return ErrorKind.MISCONFIGURED
    if status in (408, 425) or status >= 500:
        return ErrorKind.UNREACHABLE
    if status == 429:
        return ErrorKind.RATE_LIMITED
    return ErrorKind.INVALID_REQUEST


def hmac_sha256_hex(secret: str | bytes, body: bytes) -> str:
    """Lower-case hex HMAC-SHA256 of ``body``."""
    key = secret.encode("utf-8") if isinstance(secret, str) else secret
    return hmac.new(key, body, hashlib.sha256).hexdigest()


def verify_hmac_header(secret: str, body: bytes, header_value: str | None, *, header_name: str) -> None:
    """Check ``sha256=<hex>`` over the raw body in constant time; WebhookRejected (401 missing, 403 wrong)."""
    if not header_value:
        raise WebhookRejected(f"missing {header_name} header", status=401, code="signature_missing")
    scheme, _, given = header_value.strip().partition("=")
    if scheme.lower() != "sha256" or not given:
        raise WebhookRejected(f"{header_name} is not of the form sha256=<hex>", code="signature_malformed")
    expected = hmac_sha256_hex(secret, body)
    if not hmac.compare_digest(expected.encode("ascii"), given.strip().lower().encode("ascii", "replace")):
        raise WebhookRejected(f"{header_name} does not match the body", code="signature_mismatch")
