"""``sochen users``: accounts of the web console (add, list, disable, reset-password).

A generated password is printed once; pass ``--password-stdin`` to set your own.
"""

from __future__ import annotations

import sys

import typer

from .app import app, console, fail, print_json
from .context import db_session

users_app = typer.Typer(help="חשבונות המסוף | accounts of the web console.", no_args_is_help=True)
app.add_typer(users_app, name="users")


def _password(from_stdin: bool) -> str | None:
    if not from_stdin:
        return None
    value = sys.stdin.readline().rstrip("\n")
    if not value:
        fail("לא התקבלה סיסמה בקלט | no password on standard input")
    return value


@users_app.command("add")
def users_add(
    login: str = typer.Argument(..., help="User name or e-mail (lower-cased; unique)."),
    role: str = typer.Option(..., "--role", "-r", help="owner, agent, viewer (with --tenant) or operator (none)."),
    tenant: str | None = typer.Option(None, "--tenant", "-t", help="Tenant slug (not for an operator)."),
    name: str = typer.Option("", "--name", help="Display name (Hebrew welcome)."),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password from standard input."),
) -> None:
    """Create an account; prints its password once when it was generated."""
    from ..console.users import UserError, create_user

    password = _password(password_stdin)
    try:
        with db_session() as session:
            user, secret = create_user(session, login=login, name=name, role=role, tenant=tenant, password=password)
    except (UserError, ValueError) as exc:
        fail(str(exc))
    console.print(
        f"נוצר המשתמש {user.login} ({user.role}{', ' + user.tenant if user.tenant else ''}).", highlight=False
    )
    if password is None:
        console.print(f"סיסמה (מוצגת פעם אחת) | password (shown once): {secret}", highlight=False, markup=False)


@users_app.command("list")
def users_list(
    tenant: str | None = typer.Option(None, "--tenant", "-t", help="Only this tenant's accounts."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Accounts, by login (never their password hashes)."""
    from ..console.users import list_users

    with db_session() as session:
        users = list_users(session, tenant=tenant)
    rows = [
        {
            "login": u.login,
            "name": u.name,
            "role": u.role,
            "tenant": u.tenant,
            "disabled": u.disabled,
            "created_at": u.created_at.isoformat(),
        }
        for u in users
    ]
    if json_out:
        print_json(rows)
        return
    for r in rows:
        state = "מושבת/disabled" if r["disabled"] else "פעיל/active"
        console.print(
            f"{r['login']:30} {r['role']:9} {r['tenant'] or '*':15} {state}  {r['name']}", highlight=False, markup=False
        )


@users_app.command("disable")
def users_disable(login: str = typer.Argument(..., help="The account's login.")) -> None:
    """Disable an account; its open sessions end at once."""
    from ..console.users import UserError, disable_user

    try:
        with db_session() as session:
            disable_user(session, login)
    except UserError as exc:
        fail(str(exc))
    console.print(f"המשתמש {login} הושבת.", highlight=False, markup=False)


@users_app.command("reset-password")
def users_reset_password(
    login: str = typer.Argument(..., help="The account's login."),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the new password from standard input."),
) -> None:
    """A new password (generated and printed once unless given on standard input); open sessions end."""
    from ..console.users import UserError, reset_password

    password = _password(password_stdin)
    try:
        with db_session() as session:
            _, secret = reset_password(session, login, password)
    except (UserError, ValueError) as exc:
        fail(str(exc))
    console.print(f"הסיסמה של {login} הוחלפה.", highlight=False, markup=False)
    if password is None:
        console.print(f"סיסמה (מוצגת פעם אחת) | password (shown once): {secret}", highlight=False, markup=False)
