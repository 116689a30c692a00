"""One Zoho CRM v8 call: auth header, one refresh on INVALID_TOKEN, bounded backoff, error classes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import requests

from ..errors import ConnectorError, ErrorKind
from ..http import backoff_delay, kind_for_status, parse_retry_after, send
from ._auth import TokenManager
from ._config import ZohoCrmConfig

__all__ = ["ZohoClient", "error_from_zoho"]

_AUTH_CODES = {"INVALID_TOKEN", "AUTHENTICATION_FAILURE"}
_CODE_KIND = {
    "OAUTH_SCOPE_MISMATCH": ErrorKind.MISCONFIGURED,
    "NO_PERMISSION": ErrorKind.MISCONFIGURED,
    "INVALID_MODULE": ErrorKind.MISCONFIGURED,
    "INVALID_URL_PATTERN": ErrorKind.MISCONFIGURED,
    "API_NOT_SUPPORTED": ErrorKind.MISCONFIGURED,
    "FEATURE_NOT_SUPPORTED": ErrorKind.MISCONFIGURED,
    "TOO_MANY_REQUESTS": ErrorKind.RATE_LIMITED,
    "INTERNAL_ERROR": ErrorKind.UNREACHABLE,
    "DUPLICATE_DATA": ErrorKind.PERMANENT,
    "ALREADY_MODIFIED": ErrorKind.INVALID_REQUEST,
}


def error_from_zoho(status: int, body: Any, *, retry_after: float | None = None) -> ConnectorError:
    """Classify a whole-request Zoho error (``{"code","details","message","status":"error"}``)."""
    code = str(body.get("code")) if isinstance(body, dict) and body.get("code") else None
    message = str(body.get("message")) if isinstance(body, dict) and body.get("message") else f"HTTP {status}"
    details = body.get("details") if isinstance(body, dict) and isinstance(body.get("details"), dict) else {}
    if code in _AUTH_CODES:
        kind = ErrorKind.AUTH_INVALID
    elif code in _CODE_KIND:
        kind = _CODE_KIND[code]
    else:
        kind = kind_for_status(status)
    return ConnectorError(
        kind, f"Zoho CRM: {message}", code=code, status=status, retry_after=retry_after, details=details
    )


class ZohoClient:
    """Calls ``{api_domain}/crm/v8/...`` with the cached token."""

    def __init__(
        self,
        config: ZohoCrmConfig,
        session: requests.Session,
        tokens: TokenManager,
        clock: Callable[[], float],
        sleep: Callable[[float], None],
    ) -> None:
        self.config = config
        self.session = session
        self.tokens = tokens
        self.clock = clock
        self.sleep = sleep

    def call(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        safe_to_repeat: bool = True,
        attempts: int | None = None,
    ) -> tuple[int, Any]:
        """Status and parsed body (None when empty). Item-level errors are the caller's to read.

        429 and a refused token are retried for every call (nothing was written); timeouts and 5xx
        only when ``safe_to_repeat``. At most ``attempts`` tries (default ``max_attempts``), plus one
        token refresh.
        """
        limit = attempts or self.config.max_attempts
        refreshed = False
        attempt = 0
        while True:
            token = self.tokens.token()
            # A configured api_domain wins over the one cached with the token: tokens are cached by
            # credentials and accounts URL, and two configurations may share those (the eval sandbox's
            # fakes on reused loopback ports did) while their CRM lives elsewhere.
            domain = (self.config.api_domain or token.api_domain).rstrip("/")
            url = f"{domain}/crm/v8/{path.lstrip('/')}"
            headers = {"Authorization": f"Zoho-oauthtoken {token.value}"}
            try:
                response = send(
                    self.session,
                    method,
                    url,
                    timeout=self.config.timeout_s,
                    headers=headers,
                    params=params,
                    json=json,
                )
            except ConnectorError as exc:
                if safe_to_repeat and attempt + 1 < limit:
                    self._wait(attempt, None)
                    attempt += 1
                    continue
                raise exc from None
            body = _json(response)
            code = body.get("code") if isinstance(body, dict) else None
            status = response.status_code
            # INVALID_TOKEN has been seen with 400 as well as 401: key on the code.
            if code in _AUTH_CODES:
                self.tokens.invalidate(token.value)
                if not refreshed:
                    refreshed = True
                    continue
                raise error_from_zoho(status, body)
            retry_after = parse_retry_after(response.headers.get("Retry-After"), self.clock())
            if retry_after is None and isinstance(body, dict) and isinstance(body.get("details"), dict):
                hinted = body["details"].get("retry_after")
                retry_after = float(hinted) if isinstance(hinted, int | float) else None
            limited = status == 429 or code == "TOO_MANY_REQUESTS"
            failing = status >= 500
            if (limited or (failing and safe_to_repeat)) and attempt + 1 < limit:
                self._wait(attempt, retry_after)
                attempt += 1
                continue
            if limited and retry_after is None:
                retry_after = backoff_delay(attempt, base=self.config.backoff_base_s, cap=self.config.backoff_max_s)
            if status >= 400 and not _has_items(body):
                raise error_from_zoho(status, body, retry_after=retry_after)
            return status, body

    def _wait(self, attempt: int, retry_after: float | None) -> None:
        self.sleep(
            backoff_delay(
                attempt,
                base=self.config.backoff_base_s,
                cap=self.config.backoff_max_s,
                retry_after=retry_after,
            )
        )


def _json(response: requests.Response) -> Any:
    if response.status_code == 204 or not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        return None


def _has_items(body: Any) -> bool:
    return isinstance(body, dict) and isinstance(body.get("data"), list)
