"""Zoho OAuth: refresh-token grant, tokens cached until they expire (protocols.md §2.1)."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass

import requests

from ..errors import ConnectorError, ErrorKind
from ..http import send
from ._config import API_DOMAINS, ZohoCrmConfig

__all__ = ["SHARED_TOKENS", "AccessToken", "TokenCache", "TokenManager"]

_EARLY_S = 30.0  # refresh this long before expiry (the SDK uses 5 s; clocks drift)


@dataclass(frozen=True)
class AccessToken:
    """A live access token and where to use it."""

    value: str
    expires_at: float
    api_domain: str


class TokenCache:
    """Tokens by credentials, shared by every connector instance in the process."""

    def __init__(self) -> None:
        self._tokens: dict[str, AccessToken] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> AccessToken | None:
        """The cached token, if any."""
        with self._lock:
            return self._tokens.get(key)

    def put(self, key: str, token: AccessToken) -> None:
        """Remember a token."""
        with self._lock:
            self._tokens[key] = token

    def drop(self, key: str, value: str | None = None) -> None:
        """Forget a token (only if it is still ``value``, when given)."""
        with self._lock:
            current = self._tokens.get(key)
            if current is not None and (value is None or current.value == value):
                del self._tokens[key]


SHARED_TOKENS = TokenCache()


class TokenManager:
    """Gets, caches and refreshes the access token of one set of credentials."""

    def __init__(
        self, config: ZohoCrmConfig, session: requests.Session, clock: Callable[[], float], cache: TokenCache
    ) -> None:
        self.config = config
        self.session = session
        self.clock = clock
        self.cache = cache
        secret = config.refresh_token.get_secret_value().encode("utf-8")
        self._key = f"{config.token_url()}|{config.client_id}|{hashlib.sha256(secret).hexdigest()[:16]}"

    def token(self) -> AccessToken:
        """A token valid for at least a little while, refreshed when needed."""
        cached = self.cache.get(self._key)
        if cached is not None and self.clock() < cached.expires_at - _EARLY_S:
            return cached
        return self.refresh()

    def invalidate(self, value: str) -> None:
        """Zoho refused ``value``: forget it so the next call refreshes."""
        self.cache.drop(self._key, value)

    def refresh(self) -> AccessToken:
        """Ask the accounts server for a new access token."""
        data = {
            "grant_type": "refresh_token",
            "client_id": self.config.client_id,
            "client_secret": self.config.client_secret.get_secret_value(),
            "refresh_token": self.config.refresh_token.get_secret_value(),
        }
        url = self.config.token_url()
        timeout = self.config.timeout_s
        response = send(self.session, "POST", url, timeout=timeout, data=data, allow_redirects=False)
        if response.status_code >= 500:
            raise ConnectorError(ErrorKind.UNREACHABLE, f"Zoho accounts answered HTTP {response.status_code}")
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise ConnectorError(
                ErrorKind.UNREACHABLE, f"Zoho accounts answered HTTP {response.status_code} without JSON"
            )
        # Token errors arrive as HTTP 200 with an `error` key: judge by the body, not the status.
        if "access_token" not in body:
            error = str(body.get("error") or f"HTTP {response.status_code}")
            description = str(body.get("error_description", "")).lower()
            if "too many requests" in description or error == "Access Denied":
                raise ConnectorError(
                    ErrorKind.RATE_LIMITED,
                    "Zoho accounts: too many token requests",
                    code=error,
                    retry_after=60.0,
                )
            raise ConnectorError(
                ErrorKind.AUTH_INVALID,
                f"Zoho accounts refused the refresh token ({error}); create a new one in the API console",
                code=error,
                status=response.status_code,
            )
        expires_in = float(body.get("expires_in_sec") or body.get("expires_in") or 3600)
        api_domain = self.config.api_domain or body.get("api_domain") or API_DOMAINS[self.config.data_centre]
        token = AccessToken(str(body["access_token"]), self.clock() + expires_in, str(api_domain).rstrip("/"))
        self.cache.put(self._key, token)
        return token
