"""Passwords, signed session cookies and CSRF tokens of the console.

- Passwords: Argon2id (``argon2-cffi``'s defaults); a login that does not exist still costs one
  verification, so timing does not tell which logins exist.
- Sessions: ``base64(json).hex-hmac`` in an HttpOnly, SameSite=Lax cookie, signed with HMAC-SHA256
  (:func:`~sochen.console.settings.session_secret`). The payload names the user, the user's
  ``session_epoch`` (a password reset or disabling voids older sessions), when it was issued, and the
  session's CSRF token. Nothing personal is in it beyond the user's id.
- CSRF: every state-changing request carries the session's token, as the form field ``csrf_token``
  or the header ``X-CSRF-Token`` (HTMX); compared in constant time.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

__all__ = [
    "CSRF_FIELD",
    "CSRF_HEADER",
    "SESSION_COOKIE",
    "SessionData",
    "hash_password",
    "new_password",
    "sign_session",
    "unsign_session",
    "verify_password",
]

SESSION_COOKIE = "sochen_session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"

_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("sochen-no-such-user")


def hash_password(password: str) -> str:
    """The Argon2id hash of ``password`` (refuses one shorter than 10 characters)."""
    if len(password) < 10:
        raise ValueError("הסיסמה קצרה מ-10 תווים | the password is shorter than 10 characters")
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches; ``None`` (no such user) costs the same and answers False."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def new_password() -> str:
    """A random password to hand out once (about 100 bits, no look-alike characters)."""
    alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "-".join("".join(secrets.choice(alphabet) for _ in range(6)) for _ in range(3))


@dataclass(frozen=True)
class SessionData:
    """What a session cookie says."""

    user_id: str
    epoch: int
    issued_at: float
    csrf: str


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign_session(secret: bytes, user_id: str, epoch: int, *, now: float | None = None) -> str:
    """A cookie value for a new session of ``user_id`` (with a fresh CSRF token)."""
    payload = {
        "u": user_id,
        "e": epoch,
        "t": int(now if now is not None else time.time()),
        "c": secrets.token_urlsafe(24),
    }
    body = _b64(json.dumps(payload, separators=(",", ":")).encode())
    mac = hmac.new(secret, body.encode(), hashlib.sha256).hexdigest()
    return f"{body}.{mac}"


def unsign_session(
    secret: bytes, value: str | None, *, max_age_s: float, now: float | None = None
) -> SessionData | None:
    """The session in ``value`` when its signature holds and it has not expired; else None."""
    if not value or value.count(".") != 1 or len(value) > 1024:
        return None
    body, mac = value.split(".")
    expected = hmac.new(secret, body.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(mac, expected):
        return None
    try:
        data = json.loads(_unb64(body))
        session = SessionData(str(data["u"]), int(data["e"]), float(data["t"]), str(data["c"]))
    except (ValueError, KeyError, TypeError):
        return None
    age = (now if now is not None else time.time()) - session.issued_at
    if age < -60 or age > max_age_s:
        return None
    return session


def csrf_matches(session: SessionData, sent: str | None) -> bool:
    """Whether ``sent`` is this session's CSRF token."""
    return bool(sent) and hmac.compare_digest(session.csrf.encode(), (sent or "").encode())
