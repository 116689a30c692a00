"""The helpers every connector needs, public for integrators and used by the built-ins.

- :func:`request` — one HTTP call with the whole error classification of the connector contract:
  network failures and timeouts are ``unreachable``, 401 ``auth_invalid``, 429 ``rate_limited`` with the
  ``Retry-After`` the service gave, 5xx ``unreachable``, 403/404/405/410 ``misconfigured`` and other
  4xx ``invalid_request`` — never a raw ``requests`` exception, never the URL's query string in a message.
- :func:`json_body` — the JSON of a response, or ``permanent`` when the service answered something else.
- :func:`parse_retry_after`, :func:`backoff_delay`, :func:`kind_for_status` — the pieces, for connectors
  that refine the classification with vendor error codes.
- :func:`phone_e164` — an Israeli or international phone as E.164, or ``invalid_request`` naming it.
- :func:`phone_variants` — the ways staff type that phone into a CRM (E.164 first), for a search before a create.
- :func:`idempotency_marker` — the marker (`` #s`` and ten hex digits of the job key's hash) a create writes so
  that a retried job finds what the first try wrote although its answer was lost.
- :class:`ActionParams` — the strict base of an action's parameters (unknown keys refused, frozen).
- :func:`hmac_sha256_hex`, :func:`verify_hmac_header` — signatures over raw webhook bytes.
"""

from __future__ import annotations

import email.utils
import hashlib
import hmac
import time
from collections.abc import Callable, Collection
from typing import Any

import requests
from pydantic import BaseModel, ConfigDict

from .errors import ConnectorError, ErrorKind, WebhookRejected

__all__ = [
    "ActionParams",
    "backoff_delay",
    "hmac_sha256_hex",
    "idempotency_marker",
    "json_body",
    "kind_for_status",
    "parse_retry_after",
    "phone_e164",
    "phone_variants",
    "request",
    "send",
    "verify_hmac_header",
]


class ActionParams(BaseModel):
    """Base of an action's parameter model: unknown keys are refused by name, values are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def request(
    session: requests.Session,
    method: str,
    url: str,
    *,
    timeout: float,
    service: str,
    clock: Callable[[], float] = time.time,
    passthrough: Collection[int] = (),
    default_retry_after: float = 60.0,
    refine: Callable[[requests.Response, ConnectorError], ConnectorError] | None = None,
    **kwargs: Any,
) -> requests.Response:
    """One call, classified (see the module docstring); statuses in ``passthrough`` (a lookup's 404) are returned.

    ``refine(response, error)`` sees each error answer with its generic classification and returns the
    error to raise: the vendor's code, the field a validation error names, a rate limit's other headers
    (a daily quota that resets at midnight), a 400 that is really an expired token. Never put the raw
    body in the message: vendors echo the values they refused, and those can be personal data.
    """
    response = send(session, method, url, timeout=timeout, **kwargs)
    status = response.status_code
    if status < 400 or status in passthrough:
        return response
    kind = kind_for_status(status)
    shown = url.split("?", 1)[0]
    retry_after = None
    if kind is ErrorKind.RATE_LIMITED:
        wait = parse_retry_after(response.headers.get("Retry-After"), clock())
        retry_after = default_retry_after if wait is None else wait
    error = ConnectorError(
        kind, f"{service} answered {status} to {method} {shown}", status=status, retry_after=retry_after
    )
    raise error if refine is None else refine(response, error)


def json_body(response: requests.Response, *, service: str) -> Any:
    """The response's JSON (None for an empty body); ``permanent`` when it is not JSON."""
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        raise ConnectorError(
            ErrorKind.PERMANENT, f"{service} answered {response.status_code} with a body that is not JSON"
        ) from None


def phone_e164(value: str) -> str:
    """``value`` as E.164 (Israeli numbers without a country code too); a bad number is ``invalid_request``."""
    from .phone import InvalidPhoneNumber, normalize_phone

    try:
        return normalize_phone(value)
    except InvalidPhoneNumber as exc:
        raise ConnectorError(ErrorKind.INVALID_REQUEST, str(exc)) from None


def phone_variants(value: str) -> list[str]:
    """The formats people type ``value`` in (E.164 first, at most ten); a bad number is ``invalid_request``."""
    from .phone import InvalidPhoneNumber
    from .phone import phone_variants as variants

    try:
        return variants(value)
    except InvalidPhoneNumber as exc:
        raise ConnectorError(ErrorKind.INVALID_REQUEST, str(exc)) from None


def idempotency_marker(key: str) -> str:
    """`` #s`` and ten hex digits of ``key``'s SHA-256: what a create ends a title with to be found on a retry."""
    return " #s" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:10]


def send(session: requests.Session, method: str, url: str, *, timeout: float, **kwargs: Any) -> requests.Response:
    """One HTTP call; network failures become ``ConnectorError(unreachable)`` (query never shown).

    A header that cannot be sent (a secret with non-latin-1 characters) is ``misconfigured``, not a raw
    ``UnicodeEncodeError``.
    """
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
    except UnicodeError:  # http.client sends headers as latin-1: a token pasted with other characters
        raise ConnectorError(
            ErrorKind.MISCONFIGURED,
            f"{method} {shown}: a header value is not latin-1 text (check the token's variable)",
        ) from None


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
