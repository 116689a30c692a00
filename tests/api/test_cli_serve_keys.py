"""`sochen keys create/list/revoke` and `sochen serve` (registered by sochen.cli.serve)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

import sochen.cli.serve  # noqa: F401  (registers the commands until sochen.cli imports it)
from sochen.api.keys import KEY_PREFIX, hash_key
from sochen.cli import app
from sochen.db.models_api import ApiKey
from sochen.db.session import session_scope

from .test_v1_auth_jobs import bearer

pytestmark = pytest.mark.unit

runner = CliRunner()


def test_keys_create_list_revoke(db_url, client):
    created = runner.invoke(app, ["keys", "create", "--tenant", "clinic", "--label", "n8n של המרפאה", "--json"])
    assert created.exit_code == 0, created.output
    info = json.loads(created.output)
    assert info["key"].startswith(KEY_PREFIX) and info["tenant"] == "clinic"
    with session_scope(db_url) as session:
        row = session.get(ApiKey, info["id"])
        assert row is not None and row.key_hash == hash_key(info["key"])
    assert client.get("/v1/clinic/jobs", headers=bearer(info["key"])).status_code == 200

    plain = runner.invoke(app, ["keys", "create", "--admin"])
    assert plain.exit_code == 0 and KEY_PREFIX in plain.output

    listed = json.loads(runner.invoke(app, ["keys", "list", "--json"]).output)
    assert {k["tenant"] for k in listed} == {"clinic", None}
    assert all("key" not in k and "key_hash" not in k for k in listed)
    assert info["key"] not in runner.invoke(app, ["keys", "list"]).output

    revoked = runner.invoke(app, ["keys", "revoke", info["id"][:8]])
    assert revoked.exit_code == 0, revoked.output
    assert client.get("/v1/clinic/jobs", headers=bearer(info["key"])).status_code == 401


def test_keys_create_needs_exactly_one_scope(db_url):
    assert runner.invoke(app, ["keys", "create"]).exit_code == 2
    assert runner.invoke(app, ["keys", "create", "--admin", "--tenant", "clinic"]).exit_code == 2
    missing = runner.invoke(app, ["keys", "create", "--tenant", "nobody"])
    assert missing.exit_code == 1 and "nobody" in missing.output
    assert runner.invoke(app, ["keys", "revoke", "not-a-key"]).exit_code == 1


def test_serve_is_a_command():
    result = runner.invoke(app, ["serve", "--help"])
    assert result.exit_code == 0 and "--workers" in result.output and "--port" in result.output
