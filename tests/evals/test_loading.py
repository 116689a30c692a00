"""Loading suites: every problem named by file, scenario id and field; the JSON Schema for editors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import sochen.cli.evals  # noqa: F401  (registers `sochen evals`; the lead wires it into sochen.cli)
from sochen.cli import app
from sochen.config import parse_tenant_yaml
from sochen.evals import SuiteError, json_schema, load_suite, suite_digest
from sochen.evals.loading import load_files

pytestmark = pytest.mark.unit
runner = CliRunner()

GOOD = """scenarios:
  - id: greet
    title: ברכה
    category: small_talk
    turns:
      - user: שלום
        expect: {intent: small_talk, reply: {contains: [שלום]}}
"""


def tenant(paths: list[str]):
    return parse_tenant_yaml("slug: clinic\nname: מרפאה\nevals:\n  scenarios: " + json.dumps(paths))


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_files_and_folders_load_in_order(tmp_path):
    write(tmp_path / "scenarios", "b.yaml", GOOD.replace("greet", "greet-b"))
    write(tmp_path / "scenarios", "a.yaml", GOOD.replace("greet", "greet-a"))
    write(tmp_path, "extra.yaml", GOOD.replace("greet", "extra"))
    scenarios = load_suite(tenant(["scenarios", "extra.yaml"]), tmp_path)
    assert [s.id for s in scenarios] == ["greet-a", "greet-b", "extra"]
    assert suite_digest(scenarios) == suite_digest(load_suite(tenant(["scenarios", "extra.yaml"]), tmp_path))
    write(tmp_path, "extra.yaml", GOOD.replace("greet", "extra").replace("small_talk\n", "other\n", 1))
    assert suite_digest(scenarios) != suite_digest(load_suite(tenant(["scenarios", "extra.yaml"]), tmp_path))


def test_invalid_files_list_every_problem_with_file_scenario_and_field(tmp_path):
    bad = write(
        tmp_path / "s",
        "bad.yaml",
        """scenarios:
  - id: lead-1
    title: ליד
    category: leads
    turns:
      - user: היי
        expect: {intnet: appointment_request}
      - expect: {intent: x}
  - id: price-1
    title: מחיר
    category: prices
    turns:
      - user: כמה?
        expect: {route: cloud, jobs: [{params: {phone: "1"}}]}
""",
    )
    with pytest.raises(SuiteError) as err:
        load_suite(tenant(["s"]), tmp_path)
    problems = err.value.problems
    text = "\n".join(problems)
    assert f"{bad}: scenario `lead-1` (#1): `turns.0.expect.intnet`: unknown key" in text
    assert f"{bad}: scenario `lead-1` (#1): `turns.1`: Value error, a turn needs one of: user" in text
    assert f"{bad}: scenario `price-1` (#2): `turns.0.expect.route`:" in text
    assert f"{bad}: scenario `price-1` (#2): `turns.0.expect.jobs.0.action`: required key is missing" in text
    assert len(problems) == 4


def test_syntax_errors_duplicates_and_missing_paths(tmp_path):
    write(tmp_path, "broken.yaml", "scenarios:\n  - id: [unclosed\n")
    with pytest.raises(SuiteError, match=r"broken.yaml: YAML syntax error at line \d+"):
        load_suite(tenant(["broken.yaml"]), tmp_path)
    write(tmp_path, "one.yaml", GOOD)
    write(tmp_path, "two.yaml", GOOD)
    with pytest.raises(SuiteError, match=r"two.yaml: scenario `greet`: id already used in .*one.yaml"):
        load_suite(tenant(["one.yaml", "two.yaml"]), tmp_path)
    with pytest.raises(SuiteError, match=r"nowhere.yaml: not found \(named in `evals.scenarios`\)"):
        load_suite(tenant(["nowhere.yaml"]), tmp_path)
    write(tmp_path, "list.yaml", "- id: x\n")
    with pytest.raises(SuiteError, match="must be a mapping with a `scenarios:` list"):
        load_files([tmp_path / "list.yaml"])
    write(tmp_path / "empty", "README.txt", "")
    with pytest.raises(SuiteError, match=r"holds no \*.yaml scenario files"):
        load_suite(tenant(["empty"]), tmp_path)


def test_schema_command_prints_the_json_schema():
    result = runner.invoke(app, ["evals", "schema"])
    assert result.exit_code == 0, result.output
    schema = json.loads(result.output)
    assert schema == json_schema()
    assert schema["$schema"].startswith("https://json-schema.org/")
    assert "scenarios" in schema["properties"] and "Expectations" in schema["$defs"]
    assert schema["$defs"]["Expectations"]["additionalProperties"] is False


def test_validate_command(tmp_path):
    write(tmp_path / "s", "ok.yaml", GOOD)
    ok = runner.invoke(app, ["evals", "validate", str(tmp_path / "s")])
    assert ok.exit_code == 0 and "1 scenarios in 1 files: valid" in ok.output
    write(tmp_path / "s", "bad.yaml", GOOD.replace("greet", "Bad Id"))
    bad = runner.invoke(app, ["evals", "validate", str(tmp_path / "s")])
    assert bad.exit_code == 2 and "`id`" in bad.output
