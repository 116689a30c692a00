"""`sochen tenant apply|list|show`, including the connector sections checked against installed connectors."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from sochen.cli import app
from tests.conftest import EXAMPLES

runner = CliRunner()


def test_examples_apply_and_every_apply_is_a_new_version():
    for _ in range(2):
        result = runner.invoke(app, ["tenant", "apply", str(EXAMPLES / "clinic" / "tenant.yaml"), "--json"])
        assert result.exit_code == 0, result.output
    assert json.loads(result.output)["version"] == 2
    listed = json.loads(runner.invoke(app, ["tenant", "list", "--json"]).output)
    assert listed == [{"slug": "clinic", "name": 'מרפאת השיניים של ד"ר לוי', "latest_version": 2, "live_version": None}]
    shown = json.loads(runner.invoke(app, ["tenant", "show", "clinic", "--version", "1", "--json"]).output)
    assert shown["config"]["connectors"]["whatsapp"]["access_token_env"] == "CLINIC_WHATSAPP_TOKEN"
    missing = runner.invoke(app, ["tenant", "show", "clinic", "--version", "9"])
    assert missing.exit_code == 1 and "no version 9" in missing.output


def test_connector_sections_are_checked_against_the_connector(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        """slug: clinic
name: מרפאה
connectors:
  whatsapp:
    phone_number_id: "1"
    access_token: EAAG-inline-token
    app_secret_env: S
    verify_token_env: V
    colour: blue
  sms_gateway: {}
""",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["tenant", "apply", str(bad)])
    assert result.exit_code == 2
    assert "connectors.whatsapp.access_token" in result.output and "access_token_env" in result.output
    assert "EAAG-inline-token" not in result.output
    bad.write_text(
        bad.read_text(encoding="utf-8").replace("access_token: EAAG-inline-token", "access_token_env: T"),
        encoding="utf-8",
    )
    result = runner.invoke(app, ["tenant", "apply", str(bad)])
    assert result.exit_code == 2
    assert "sms_gateway" in result.output and "not installed" in result.output
    bad.write_text(bad.read_text(encoding="utf-8").replace("  sms_gateway: {}\n", ""), encoding="utf-8")
    result = runner.invoke(app, ["tenant", "apply", str(bad)])
    assert result.exit_code == 2
    assert "connectors.whatsapp" in result.output and "colour" in result.output
