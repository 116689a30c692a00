"""Visitor tokens: ``base64url(json) . base64url(HMAC-SHA256)``, bound to one tenant, with an issue time.

The widget keeps the token in the page's ``localStorage`` (never a cookie on the clinic's domain) and
sends it as ``Authorization: Bearer``; a reload resumes the same visitor. A token of another tenant,
an altered one, or one older than the tenant's ``session_days`` is refused.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets

__all__ = ["TokenError", "new_visitor_id", "sign_token", "verify_token"]

_VISITOR = re.compile(r"^wc_[A-Za-z0-9_-]{22}$")


class TokenError(ValueError):
    """The token is missing, malformed, forged, of another tenant or expired (the reason, in English)."""


def new_visitor_id() -> str:
    """A fresh random visitor id (128 bits)."""
    return "wc_" + secrets.token_urlsafe(16)[:22]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(secret: str, payload: str) -> str:
    return _b64(hmac.new(secret.encode("utf-8"), f"sochen.webchat.v1.{payload}".encode(), hashlib.sha256).digest())


def sign_token(secret: str, *, tenant: str, visitor: str, issued_at: int) -> str:
    """A token for ``visitor`` of ``tenant``."""
    payload = _b64(json.dumps({"t": tenant, "v": visitor, "iat": issued_at}, separators=(",", ":")).encode())
    return f"{payload}.{_mac(secret, payload)}"


def verify_token(secret: str, token: str, *, tenant: str, now: float, max_age_s: float) -> str:
    """The visitor id of a valid token; TokenError otherwise."""
    if not token or len(token) > 400 or token.count(".") != 1:
        raise TokenError("malformed visitor token")
    payload, mac = token.split(".")
    if not hmac.compare_digest(mac.encode("ascii", "replace"), _mac(secret, payload).encode("ascii")):
        raise TokenError("visitor token signature does not match")
    try:
        claims = json.loads(_unb64(payload))
        visitor, token_tenant, issued = str(claims["v"]), str(claims["t"]), int(claims["iat"])
    except (ValueError, KeyError, TypeError):
        raise TokenError("malformed visitor token") from None
    if token_tenant != tenant:
        raise TokenError("visitor token is for another tenant")
    if not _VISITOR.match(visitor):
        raise TokenError("malformed visitor token")
    if now - issued > max_age_s or issued > now + 300:
        raise TokenError("visitor token expired")
    return visitor
