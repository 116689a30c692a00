"""Console accounts: create, list, disable, reset a password, sign in with throttling.

The CLI (``sochen users ...``), the login page and tests share these functions; each takes the
caller's database session (the unit of work of its edge).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from ..db.models import Tenant
from ..db.models_console import CONSOLE_ROLES, ConsoleLoginAttempt, ConsoleUser
from .security import hash_password, new_password, verify_password

__all__ = [
    "LoginOutcome",
    "UserError",
    "UserView",
    "authenticate",
    "create_or_reset",
    "create_user",
    "disable_user",
    "list_users",
    "reset_password",
]

_LOGIN = re.compile(r"^[^\s@]{1,64}(@[^\s@]{1,189})?$")


class UserError(ValueError):
    """A request about an account that cannot be done (the reason, Hebrew first)."""


@dataclass(frozen=True)
class LoginOutcome:
    """How a sign-in ended: the account, or refused (``throttled`` when too many failures came first)."""

    user: ConsoleUser | None
    throttled: bool = False


@dataclass(frozen=True)
class UserView:
    """An account as callers see it (never its hash)."""

    id: str
    login: str
    name: str
    role: str
    tenant: str | None
    disabled: bool
    created_at: datetime

    @classmethod
    def of(cls, row: ConsoleUser) -> UserView:
        """The view of a row."""
        return cls(row.id, row.login, row.name, row.role, row.tenant, row.disabled, row.created_at)


def _normal_login(login: str) -> str:
    value = login.strip().lower()
    if not _LOGIN.fullmatch(value):
        raise UserError(f"שם משתמש לא תקין: {login!r} | not a valid login (a user name or an e-mail address)")
    return value


def create_user(
    session: Session, *, login: str, name: str, role: str, tenant: str | None, password: str | None = None
) -> tuple[UserView, str]:
    """A new account; returns it and its password (generated when none is given: show it once)."""
    login = _normal_login(login)
    if role not in CONSOLE_ROLES:
        raise UserError(f"תפקיד לא מוכר: {role} | unknown role '{role}': one of {', '.join(CONSOLE_ROLES)}")
    if role == "operator" and tenant is not None:
        raise UserError("למפעיל אין דייר | an operator belongs to no tenant: leave --tenant out")
    if role != "operator":
        if not tenant:
            raise UserError(f"לתפקיד {role} צריך דייר | role '{role}' needs a tenant (--tenant)")
        if session.scalar(select(Tenant.id).where(Tenant.slug == tenant)) is None:
            raise UserError(f"אין דייר בשם '{tenant}' | no tenant '{tenant}' (sochen tenant apply first)")
    if session.scalar(select(ConsoleUser.id).where(ConsoleUser.login == login)) is not None:
        raise UserError(f"המשתמש '{login}' כבר קיים | the login '{login}' exists already")
    password = password or new_password()
    row = ConsoleUser(
        login=login,
        name=name.strip()[:200] or login,
        role=role,
        tenant=tenant,
        password_hash=hash_password(password),
        disabled=False,
        session_epoch=0,
    )
    session.add(row)
    session.flush()
    return UserView.of(row), password


def list_users(session: Session, *, tenant: str | None = None) -> list[UserView]:
    """Accounts (of one tenant when given), by login."""
    query = select(ConsoleUser).order_by(ConsoleUser.login)
    if tenant is not None:
        query = query.where(ConsoleUser.tenant == tenant)
    return [UserView.of(row) for row in session.scalars(query)]


def _by_login(session: Session, login: str) -> ConsoleUser:
    row = session.scalar(select(ConsoleUser).where(ConsoleUser.login == login.strip().lower()))
    if row is None:
        raise UserError(f"אין משתמש '{login}' | no user '{login}'")
    return row


def disable_user(session: Session, login: str) -> UserView:
    """Disable an account; its open sessions end at their next request."""
    row = _by_login(session, login)
    row.disabled = True
    row.session_epoch += 1
    return UserView.of(row)


def reset_password(session: Session, login: str, password: str | None = None) -> tuple[UserView, str]:
    """A new password (generated when none is given); open sessions end; a disabled account stays disabled."""
    row = _by_login(session, login)
    password = password or new_password()
    row.password_hash = hash_password(password)
    row.session_epoch += 1
    return UserView.of(row), password


def create_or_reset(session: Session, *, login: str, name: str, role: str, tenant: str | None) -> tuple[UserView, str]:
    """An account with a fresh generated password: created, or (when it exists) enabled with a new password."""
    row = session.scalar(select(ConsoleUser).where(ConsoleUser.login == login.strip().lower()))
    if row is None:
        return create_user(session, login=login, name=name, role=role, tenant=tenant)
    row.disabled = False
    return reset_password(session, login)


def authenticate(
    session: Session,
    login: str,
    password: str,
    *,
    address: str,
    per_login: int,
    per_address: int,
    window: timedelta,
    now: datetime | None = None,
) -> LoginOutcome:
    """The account when ``login``/``password`` match and it is enabled; every attempt is recorded.

    Nothing is raised, so the caller commits the attempt whatever the outcome.

    Refused without checking the password (``throttled``) when the login had ``per_login`` failures,
    or the address ``per_address``, within ``window``. A success does not erase earlier failures.
    """
    now = now or datetime.now(UTC)
    key = login.strip().lower()[:254]
    since = now - window
    failures = (
        select(func.count())
        .select_from(ConsoleLoginAttempt)
        .where(ConsoleLoginAttempt.ok.is_(False), ConsoleLoginAttempt.at >= since)
    )
    by_login = session.scalar(failures.where(ConsoleLoginAttempt.login == key)) or 0
    by_address = session.scalar(failures.where(ConsoleLoginAttempt.address == address[:64])) or 0
    if by_login >= per_login or by_address >= per_address:
        session.add(ConsoleLoginAttempt(login=key, address=address[:64], ok=False, at=now))
        return LoginOutcome(None, throttled=True)
    row = session.scalar(select(ConsoleUser).where(ConsoleUser.login == key))
    ok = verify_password(row.password_hash if row is not None else None, password)
    ok = ok and row is not None and not row.disabled
    session.add(ConsoleLoginAttempt(login=key, address=address[:64], ok=ok, at=now))
    # Old attempts are of no use to throttling: keep a day.
    session.execute(delete(ConsoleLoginAttempt).where(ConsoleLoginAttempt.at < now - timedelta(days=1)))
    return LoginOutcome(row if ok else None)
