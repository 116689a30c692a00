"""docs/workflows.md: its examples apply and plan jobs without errors, and it documents every event's fields."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from typer.testing import CliRunner

from sochen.cli import app
from sochen.config import parse_tenant_yaml
from sochen.workflows.events import Event
from sochen.workflows.fields import COMMON_FIELDS, EVENT_FIELDS
from sochen.workflows.planning import plan_jobs
from tests.conftest import REPO_ROOT

runner = CliRunner()
DOC = (REPO_ROOT / "docs" / "workflows.md").read_text(encoding="utf-8")
EXAMPLES = [block for block in re.findall(r"```yaml\n(.*?)```", DOC, re.DOTALL) if block.startswith("slug:")]

SLOTS = {"name": "דנה כהן", "phone": "050-123 4567", "service": "הלבנת שיניים", "preferred_time": "2026-12-07T10:00"}
PAYLOADS = {
    "lead.captured": {"slots": SLOTS, "channel": "whatsapp"},
    "appointment.requested": {"slots": SLOTS, "preferred_time": "2026-12-07T10:00"},
    "handoff.requested": {"reason": "complaint"},
    "workflow.lead-from-website": {
        "source": "n8n",
        "data": {"event": "lead-from-website", "full_name": "יוסי לוי", "phone": "052-765-4321"},
    },
}


def test_there_are_examples():
    assert len(EXAMPLES) >= 4


@pytest.mark.parametrize("index", range(len(EXAMPLES)))
def test_each_example_applies(tmp_path, index):
    path = tmp_path / "tenant.yaml"
    path.write_text(EXAMPLES[index], encoding="utf-8")
    result = runner.invoke(app, ["tenant", "apply", str(path)])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("index", range(len(EXAMPLES)))
def test_each_example_plans_its_jobs_without_errors(index):
    config = parse_tenant_yaml(EXAMPLES[index])
    planned = 0
    for rule in config.workflows.rules:
        event = Event.create(rule.on, tenant="clinic", conversation_id="c1", turn=1, payload=PAYLOADS[rule.on])
        jobs = plan_jobs(event, config.workflows, datetime(2026, 12, 3, 9, tzinfo=UTC))
        assert [j.error for j in jobs] == [None] * len(jobs)
        planned += len(jobs)
        for job in jobs:
            if "phone" in job.params:
                assert job.params["phone"].startswith("+972")
    assert planned >= 1


def test_every_event_and_field_is_documented():
    table = DOC[DOC.index("## Events and their fields") :]
    for event, fields in EVENT_FIELDS.items():
        row = next((line for line in table.splitlines() if line.startswith(f"| `{event}` |")), None)
        assert row is not None, event
        for name in fields:
            assert f"`{name}`" in row, (event, name)
    for name in COMMON_FIELDS:
        assert f"`{name}`" in table
    for word in ("`id`", "steps.<id>.<field>", "e164", "next_business_day", "event.slots", "default('')"):
        assert word in DOC, word
