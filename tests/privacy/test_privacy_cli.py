import json

import pytest
from typer.testing import CliRunner

from sochen.cli import app

pytestmark = pytest.mark.unit
runner = CliRunner()
TEXT = 'שמי דנה כהן, ת"ז 039337423, טלפון 050-1234567'


def test_scan_json():
    result = runner.invoke(app, ["privacy", "scan", "--json", TEXT])
    assert result.exit_code == 0, result.output
    findings = json.loads(result.stdout)
    assert [f["type"] for f in findings] == ["name", "id_number", "phone"]
    for f in findings:
        assert set(f) >= {"type", "start", "end", "score", "evidence"}
    assert TEXT[findings[1]["start"] : findings[1]["end"]] == "039337423"
    assert "039337423" not in result.stdout


def test_scan_jsonl_from_stdin():
    lines = [TEXT, "שלום, מה שעות הפתיחה?", "dana@example.com"]
    result = runner.invoke(app, ["privacy", "scan", "--jsonl"], input="\n".join(lines) + "\n")
    assert result.exit_code == 0, result.output
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(out) == 3
    assert [f["type"] for f in out[0]] == ["name", "id_number", "phone"]
    assert out[1] == []
    assert out[2][0]["type"] == "email"


def test_scan_table_masks_values():
    result = runner.invoke(app, ["privacy", "scan", TEXT])
    assert result.exit_code == 0, result.output
    assert "id_number" in result.stdout and "phone" in result.stdout
    assert "039337423" not in result.stdout


def test_scan_without_text_fails():
    result = runner.invoke(app, ["privacy", "scan"])
    assert result.exit_code != 0


def test_redact():
    result = runner.invoke(app, ["privacy", "redact", TEXT])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == 'שמי [שם], ת"ז [ת"ז], טלפון [טלפון]'


def test_redact_json():
    result = runner.invoke(app, ["privacy", "redact", "--json", TEXT])
    data = json.loads(result.stdout)
    assert data["text"] == 'שמי [שם], ת"ז [ת"ז], טלפון [טלפון]' and len(data["findings"]) == 3
