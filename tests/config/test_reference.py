"""`sochen tenant schema` and docs/tenant-reference.md, kept in step with the models."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from sochen.cli import app
from sochen.config.reference import field_rows, tenant_json_schema, tenant_reference_markdown
from sochen.config.sections.evals import GateThresholds
from sochen.config.tenant import TenantConfig
from tests.conftest import REPO_ROOT

pytestmark = pytest.mark.unit

runner = CliRunner()


def test_the_markdown_reference_is_the_generated_one():
    on_disk = (REPO_ROOT / "docs" / "tenant-reference.md").read_text(encoding="utf-8")
    assert on_disk == tenant_reference_markdown(), (
        "docs/tenant-reference.md is out of date: run "
        "`sochen tenant schema --markdown > docs/tenant-reference.md` and commit it"
    )


def test_every_field_has_a_description_and_a_row():
    rows = field_rows(TenantConfig)
    undocumented = [key for key, info, _ in rows if not (info.description or "").strip()]
    assert undocumented == []
    text = tenant_reference_markdown()
    for key, _, _ in rows:
        assert f"| `{key}` |" in text, key
    assert "| `workflows.rules[].do[].params` |" in text
    assert "| `models.providers.<name>.kind` |" in text


def test_the_reference_states_what_integrators_had_to_find_by_trying():
    text = tenant_reference_markdown()
    assert "relative to the YAML file" in text
    assert "`agent.services` is what makes `lead.captured` fire" in text
    gate = GateThresholds()
    assert f"pass rate ≥ {gate.min_pass_rate}" in text and f"recall ≥ {gate.min_job_recall}" in text


def test_tenant_schema_prints_json_schema_with_descriptions():
    result = runner.invoke(app, ["tenant", "schema"])
    assert result.exit_code == 0, result.output
    schema = json.loads(result.output)
    assert schema == json.loads(json.dumps(tenant_json_schema(), ensure_ascii=False))
    assert schema["title"] == "Sochen tenant file"
    assert schema["properties"]["knowledge"]["description"]
    sources = schema["$defs"]["KnowledgeConfig"]["properties"]["sources"]["description"]
    assert "relative to the tenant YAML file" in sources
    markdown = runner.invoke(app, ["tenant", "schema", "--markdown"])
    assert markdown.exit_code == 0 and markdown.output == tenant_reference_markdown()
