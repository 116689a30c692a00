from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from sochen.cli import app
from sochen.config import reset_settings

pytestmark = pytest.mark.unit

BUILTINS = '["whatsapp", "zoho_crm", "n8n"]'


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("SOCHEN_CONNECTORS_ALLOW", BUILTINS)
    reset_settings()
    return CliRunner()


def test_list_json(runner: CliRunner) -> None:
    result = runner.invoke(app, ["connectors", "list", "--json"])
    assert result.exit_code == 0, result.output
    rows = {r["name"]: r for r in json.loads(result.stdout)}
    assert set(rows) == {"whatsapp", "zoho_crm", "n8n"}
    assert rows["whatsapp"]["distribution"] == "sochen"
    assert rows["zoho_crm"]["capabilities"] == ["read_records", "write_records"]
    assert "create_task" in rows["zoho_crm"]["actions"]
    assert runner.invoke(app, ["connectors", "list"]).exit_code == 0


def test_registry_problems_stop_with_exit_2(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOCHEN_CONNECTORS_ALLOW", '["ghost"]')
    reset_settings()
    result = runner.invoke(app, ["connectors", "list"])
    assert result.exit_code == 2 and "'ghost' is allowed but not installed" in result.output


def test_show_prints_the_tenant_file_schema(runner: CliRunner) -> None:
    result = runner.invoke(app, ["connectors", "show", "whatsapp"])
    assert result.exit_code == 0, result.output
    schema = json.loads(result.stdout)
    assert "access_token_env" in schema["properties"] and "access_token" not in schema["properties"]
    assert {"phone_number_id", "access_token_env", "app_secret_env"} <= set(schema["required"])
    assert schema["additionalProperties"] is False
    assert all(p.get("description") for p in schema["properties"].values())
    model = json.loads(runner.invoke(app, ["connectors", "show", "whatsapp", "--model"]).stdout)
    assert "access_token" in model["properties"]
    actions = json.loads(runner.invoke(app, ["connectors", "show", "zoho_crm", "--actions"]).stdout)
    assert actions["create_task"]["idempotent"] is True and actions["upsert_lead"]["idempotent"] is True
    assert "Due_Date" not in json.dumps(actions["create_task"]["params"])  # typed params, not Zoho's names
    assert runner.invoke(app, ["connectors", "show", "nope"]).exit_code == 2


def write(tmp_path: Path, data: dict[str, Any]) -> Path:
    path = tmp_path / "tenant.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_doctor_reports_config_and_check(
    runner: CliRunner, tmp_path: Path, n8n_fake: Any, graph: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLINIC_N8N_SECRET", "s3cret-shared")
    monkeypatch.setenv("CLINIC_WA_TOKEN", graph.access_token)
    monkeypatch.setenv("CLINIC_WA_APP_SECRET", "app-secret")
    monkeypatch.setenv("CLINIC_WA_VERIFY", "verify")
    connectors = {
        "n8n": {"base_url": n8n_fake.url, "signing_secret_env": "CLINIC_N8N_SECRET"},
        "whatsapp": {
            "phone_number_id": graph.phone_number_id,
            "graph_url": graph.url,
            "access_token_env": "CLINIC_WA_TOKEN",
            "app_secret_env": "CLINIC_WA_APP_SECRET",
            "verify_token_env": "CLINIC_WA_VERIFY",
        },
    }
    path = write(tmp_path, {"slug": "clinic", "name": "מרפאת שיניים", "connectors": connectors})
    result = runner.invoke(app, ["connectors", "doctor", "--config", str(path), "--json"])
    assert result.exit_code == 0, result.output
    report = {e["name"]: e for e in json.loads(result.stdout)["connectors"]}
    assert report["n8n"]["check"]["status"] == "ok" and report["whatsapp"]["config"] == "ok"
    assert report["zoho_crm"]["configured"] is False
    assert "s3cret-shared" not in result.stdout

    connectors["n8n"]["signing_secret_envv"] = "X"
    graph.token_expired = True
    result = runner.invoke(app, ["connectors", "doctor", "--config", str(write(tmp_path, {"connectors": connectors}))])
    assert result.exit_code == 1
    assert "did you mean `signing_secret_env`" in result.output
    assert "whatsapp: check auth_invalid" in result.output


def test_doctor_reads_a_stored_tenant(runner: CliRunner) -> None:
    result = runner.invoke(app, ["connectors", "doctor", "--tenant", "no-such-tenant"])
    assert result.exit_code == 2 and "no-such-tenant" in result.output
    plain = runner.invoke(app, ["connectors", "doctor", "--no-check"])
    assert plain.exit_code == 0 and "whatsapp" in plain.output
