"""``sochen users ...``, ``sochen handoff close|note`` and the console login that ``sochen demo`` prints."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from sochen.cli import app as cli

from .conftest import login

pytestmark = pytest.mark.unit
runner = CliRunner()


def invoke(*args: str, stdin: str | None = None):
    return runner.invoke(cli, list(args), input=stdin)


def shown_password(output: str) -> str:
    found = re.search(r"shown once[^:]*: (\S+)", output.replace("\n", " "))
    assert found, output
    return found.group(1)


def test_users_add_list_disable_reset(db_url, make_client):
    added = invoke("users", "add", "Dana@Clinic.example", "--role", "agent", "--tenant", "clinic", "--name", "דנה")
    assert added.exit_code == 0, added.output
    password = shown_password(added.output)
    login(make_client(), "dana@clinic.example", password)
    listed = invoke("users", "list", "--json")
    assert '"login": "dana@clinic.example"' in listed.output and "password" not in listed.output.lower()
    own = invoke("users", "add", "ops", "--role", "operator", "--password-stdin", stdin="סיסמה-של-מפעיל-1\n")
    assert own.exit_code == 0 and "shown once" not in own.output
    reset = invoke("users", "reset-password", "dana@clinic.example")
    assert reset.exit_code == 0 and shown_password(reset.output) != password
    assert invoke("users", "disable", "dana@clinic.example").exit_code == 0
    assert '"disabled": true' in invoke("users", "list", "--json", "--tenant", "clinic").output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["x", "--role", "agent"], "needs a tenant"),
        (["x", "--role", "agent", "--tenant", "nope"], "no tenant 'nope'"),
        (["x", "--role", "operator", "--tenant", "clinic"], "an operator belongs to no tenant"),
        (["x", "--role", "king", "--tenant", "clinic"], "unknown role"),
        (["a b", "--role", "agent", "--tenant", "clinic"], "not a valid login"),
    ],
)
def test_users_add_refuses_with_the_reason(db_url, args, message):
    result = invoke("users", "add", *args)
    assert result.exit_code == 1 and message in result.output.replace("\n", " ")


def test_short_password_refused(db_url):
    result = invoke("users", "add", "x", "--role", "agent", "--tenant", "clinic", "--password-stdin", stdin="short\n")
    assert result.exit_code == 1 and "10" in result.output


def test_demo_prints_a_console_login_that_works(db_url, make_client, capsys):
    from sochen.cli.demo import DEMO_LOGIN, _console_login

    _console_login()
    first = shown_password(capsys.readouterr().out)
    login(make_client(), DEMO_LOGIN, first)
    _console_login()  # a second demo run: a new password, the old one no longer works
    second = shown_password(capsys.readouterr().out)
    assert second != first
    client = make_client()
    page = client.get("/console/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    old = client.post("/console/login", data={"login": DEMO_LOGIN, "password": first, "csrf_token": token})
    assert old.status_code == 401
    login(client, DEMO_LOGIN, second)


def test_handoff_close_and_note(db_url):
    from sochen.db.models_conversations import Conversation, ConversationTurn
    from sochen.db.session import session_scope

    with session_scope(db_url) as session:
        session.add(Conversation(id="c1", tenant="clinic", channel="whatsapp", contact_id="972500000011", turns=1))
    note = invoke("handoff", "note", "c1", "לחזור אליה מחר", "--tenant", "clinic")
    assert note.exit_code == 0, note.output
    assert invoke("handoff", "note", "c1", "x", "--tenant", "lawfirm").exit_code == 1  # another tenant's id
    taken = invoke("handoff", "take", "c1", "--tenant", "clinic", "--by", "רותי")
    assert taken.exit_code == 0, taken.output
    with session_scope(db_url) as session:
        row = session.get(Conversation, "c1")
        assert (row.status, row.taken_by) == ("handoff", "רותי")
    assert invoke("handoff", "close", "c1", "--tenant", "clinic").exit_code == 0
    with session_scope(db_url) as session:
        assert session.get(Conversation, "c1").status == "closed"
        notes = [t.text for t in session.query(ConversationTurn).filter_by(conversation_id="c1", role="note")]
    assert notes == ["לחזור אליה מחר"]
