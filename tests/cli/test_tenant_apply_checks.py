"""`sochen tenant apply` refuses each broken configuration an integrator met, naming the field and the fix."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sochen.cli import app

runner = CliRunner()

ZOHO = """connectors:
  zoho_crm:
    data_centre: eu
    client_id: 1000.CLINIC
    client_secret_env: CLINIC_ZOHO_SECRET
    refresh_token_env: CLINIC_ZOHO_REFRESH
"""

SLOTS = """agent:
  services: [הלבנת שיניים, ניקוי אבנית]
  slots:
    - {name: name, kind: name, prompt: "איך קוראים לך?"}
    - {name: phone, kind: phone, prompt: "לאיזה מספר לחזור?", default_from_channel: true}
    - {name: service, kind: service, prompt: "באיזה טיפול מדובר?"}
    - {name: email, kind: email, prompt: "מה כתובת המייל?", required: false}
"""


def _apply(tmp_path: Path, body: str) -> tuple[int, str]:
    path = tmp_path / "tenant.yaml"
    path.write_text(f'slug: clinic\nname: מרפאת השיניים של ד"ר לוי\n{body}', encoding="utf-8")
    result = runner.invoke(app, ["tenant", "apply", str(path)])
    return result.exit_code, " ".join(result.output.split())


def _lead_rule(*steps: str) -> str:
    return "workflows:\n  rules:\n    - on: lead.captured\n      do:\n" + "".join(steps)


UPSERT = """        - id: lead
          action: zoho_crm.upsert_lead
          params: {{last_name: "{{{{ event.slots.name }}}}", phone: "{phone}"}}
"""


def test_a_field_the_event_does_not_carry_is_refused_with_where_it_is(tmp_path):
    code, out = _apply(tmp_path, ZOHO + SLOTS + _lead_rule(UPSERT.format(phone="{{ event.phone | e164 }}")))
    assert code == 2
    assert "`workflows.rules[0].do[0].params.phone`" in out
    assert "(a lead.captured event) has no field 'phone'" in out
    assert "did you mean 'event.slots.phone'?" in out


def test_a_misspelt_slot_is_refused_with_the_slot_names(tmp_path):
    code, out = _apply(tmp_path, ZOHO + SLOTS + _lead_rule(UPSERT.format(phone="{{ event.slots.servise }}")))
    assert code == 2
    assert "'event.slots' (slots) has no field 'servise' — did you mean 'event.slots.service'?" in out
    assert "fields: email, first_name, last_name, name, phone, preferred_time, service" in out


def test_an_optional_slot_must_have_a_default(tmp_path):
    body = ZOHO + SLOTS + _lead_rule(UPSERT.format(phone="{{ event.slots.phone }} {{ event.slots.email }}"))
    code, out = _apply(tmp_path, body)
    assert code == 2 and "'event.slots.email' may be absent" in out and "default('')" in out
    fixed = body.replace("{{ event.slots.email }}", "{{ event.slots.email | default('') }}")
    assert _apply(tmp_path, fixed)[0] == 0


def test_a_field_the_previous_step_does_not_return_is_refused(tmp_path):
    task = """        - action: zoho_crm.create_task
          params:
            subject: "לחזור ל{{ event.slots.name }}"
            related: {module: Leads, id: "{{ steps.lead.person_id }}"}
            due_date: "{{ next_business_day() }}"
"""
    code, out = _apply(tmp_path, ZOHO + SLOTS + _lead_rule(UPSERT.format(phone="{{ event.slots.phone }}"), task))
    assert code == 2
    assert "`workflows.rules[0].do[1].params.related.id`" in out
    assert "'steps.lead' (the result of zoho_crm.upsert_lead, a RecordRef) has no field 'person_id'" in out
    assert "fields: action, id, module, provider_details" in out
    code, _ = _apply(
        tmp_path,
        ZOHO + SLOTS + _lead_rule(UPSERT.format(phone="{{ event.slots.phone }}"), task.replace("person_id", "id")),
    )
    assert code == 0


def test_a_condition_on_a_field_the_event_does_not_carry(tmp_path):
    rule = (
        "workflows:\n  rules:\n    - on: handoff.requested\n      when:\n        - {field: resaon, equals: complaint}\n"
    )
    rule += "      do:\n        - {action: zoho_crm.add_note, params: {content: x, parent: {module: Leads, id: '1'}}}\n"
    code, out = _apply(tmp_path, ZOHO + rule)
    assert code == 2
    assert "`workflows.rules[0].when[0].field`: 'event' (a handoff.requested event) has no field 'resaon'" in out
    assert "did you mean 'event.reason'?" in out


def test_a_misspelt_parameter_is_named_not_only_the_missing_one(tmp_path):
    upsert = UPSERT.format(phone="{{ event.slots.phone }}").replace("last_name:", "last_nme:")
    code, out = _apply(tmp_path, ZOHO + SLOTS + _lead_rule(upsert))
    assert code == 2
    assert "`workflows.rules[0].do[0].params.last_nme`: zoho_crm.upsert_lead has no parameter 'last_nme'" in out
    assert "did you mean 'last_name'?" in out
    assert "'last_nme' is written instead: rename it to 'last_name'" in out


def test_a_sources_folder_that_does_not_exist(tmp_path):
    code, out = _apply(tmp_path, "knowledge:\n  sources: [מסמכים]\n")
    assert code == 2
    assert "`knowledge.sources[0]`: 'מסמכים' does not exist" in out
    assert "relative to the tenant YAML file's folder" in out and str(tmp_path) in out
    (tmp_path / "מסמכים").mkdir()
    assert _apply(tmp_path, "knowledge:\n  sources: [מסמכים]\n")[0] == 0


def test_a_wrong_event_name_gets_a_suggestion(tmp_path):
    code, out = _apply(tmp_path, ZOHO + "workflows:\n  rules:\n    - on: lead.capturd\n      do: [{action: x.y}]\n")
    assert code == 2
    assert "`workflows.rules[0].on`: unknown event 'lead.capturd' — did you mean 'lead.captured'?" in out
    assert "Value error" not in out


def test_an_unknown_connector_is_not_installed(tmp_path):
    code, out = _apply(tmp_path, "connectors:\n  zoho_crmm: {}\n")
    assert code == 2
    assert "`connectors.zoho_crmm`: connector 'zoho_crmm' is not installed — did you mean 'zoho_crm'?" in out
    assert "allowed" not in out


def test_an_installed_connector_left_out_of_the_allow_list(tmp_path, monkeypatch):
    monkeypatch.setenv("SOCHEN_CONNECTORS_ALLOW", '["whatsapp"]')
    from sochen.config import get_settings

    get_settings.cache_clear()
    code, out = _apply(tmp_path, ZOHO)
    assert code == 2
    assert "connector 'zoho_crm' is installed but not allowed on this deployment" in out
    assert "SOCHEN_CONNECTORS_ALLOW" in out


def test_an_action_of_a_connector_without_a_section(tmp_path):
    code, out = _apply(tmp_path, SLOTS + _lead_rule(UPSERT.format(phone="{{ event.slots.phone }}")))
    assert code == 2 and "`connectors.zoho_crm` is not configured" in out and "add a `connectors.zoho_crm:`" in out


@pytest.mark.parametrize("event", ["workflow.lead-from-website", "reply"])
def test_free_form_and_reply_fields_are_accepted(tmp_path, event):
    field = "event.data.anything.below" if event.startswith("workflow.") else "event.text"
    rule = f"workflows:\n  rules:\n    - on: {event}\n      do:\n"
    rule += f'        - {{action: zoho_crm.add_note, params: {{content: "{{{{ {field} }}}}", '
    rule += "parent: {module: Leads, id: '1'}}}\n"
    code, out = _apply(tmp_path, ZOHO + rule)
    assert code == 0, out


def test_show_prints_yaml_that_applies_back(tmp_path):
    long_description = "תיאור ארוך מאוד של הפנייה " * 12
    body = (
        ZOHO
        + SLOTS
        + _lead_rule(
            UPSERT.format(phone="{{ event.slots.phone }}").replace(
                "phone:", f'description: "{long_description.strip()} {{{{ event.slots.service }}}}", phone:'
            )
        )
    )
    code, out = _apply(tmp_path, body)
    assert code == 0, out
    shown = runner.invoke(app, ["tenant", "show", "clinic"], terminal_width=60)
    assert shown.exit_code == 0
    assert long_description.strip() in shown.output  # one line, not wrapped at the terminal's width
    again = tmp_path / "again.yaml"
    again.write_text(shown.output, encoding="utf-8")
    applied = runner.invoke(app, ["tenant", "apply", str(again), "--json"])
    assert applied.exit_code == 0, applied.output
    assert json.loads(applied.output)["version"] == 2
