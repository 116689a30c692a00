"""The `workflows` section schema, conditions, and validate_rules' messages."""

from __future__ import annotations

import pytest
import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from sochen.config.sections.workflows import Condition, Rule, WorkflowsConfig
from sochen.workflows import validate_rules
from sochen.workflows.rules import catalog_from_registry, condition_holds, rule_matches

from ._support import lead_event, workflows

pytestmark = pytest.mark.unit

YAML = """
holidays: [2026-12-01]
rules:
  - name: new lead
    on: lead.captured
    when:
      - {field: slots.phone, exists: true}
      - {field: event.channel, in: [whatsapp, chat]}
    do:
      - id: lead
        action: zoho_crm.upsert_lead
        params: {last_name: "{{ event.slots.name }}", phone: "{{ event.slots.phone | e164 }}"}
      - action: zoho_crm.create_task
        params:
          subject: "לחזור ל{{ event.slots.name }}"
          related: {module: Leads, id: "{{ steps.lead.id }}"}
          due_date: "{{ next_business_day() }}"
"""


def test_yaml_on_key_survives_yaml_1_1():
    raw = yaml.safe_load(YAML)
    assert True in raw["rules"][0]  # PyYAML reads `on` as a boolean...
    config = WorkflowsConfig.model_validate(raw)
    assert config.rules[0].on == "lead.captured"  # ...and the schema puts it back
    assert config.rules[0].when[1].field == "channel"
    again = WorkflowsConfig.model_validate(config.model_dump(mode="json"))
    assert again == config  # stored versions load back (the `in` operator keeps its name)


def test_condition_needs_exactly_one_operator():
    with pytest.raises(ValidationError, match="exactly one of"):
        Condition.model_validate({"field": "intent"})
    with pytest.raises(ValidationError, match="got equals, in"):
        Condition.model_validate({"field": "intent", "equals": "a", "in": ["a"]})
    with pytest.raises(ValidationError, match="regular expression"):
        Condition.model_validate({"field": "intent", "matches": "("})


def test_unknown_event_type_and_duplicate_step_ids_rejected():
    with pytest.raises(ValidationError, match=r"lead\.captured"):
        Rule.model_validate({"on": "lead.lost", "do": [{"action": "n8n.trigger_workflow"}]})
    with pytest.raises(ValidationError, match="used twice"):
        Rule.model_validate({"on": "reply", "do": [{"id": "a", "action": "x.y"}, {"id": "a", "action": "x.z"}]})


def test_conditions_on_dotted_paths():
    view = lead_event(email="dana@example.co.il").view()
    holds = lambda **c: condition_holds(Condition.model_validate({"field": "slots.email", **c}), view)  # noqa: E731
    assert holds(exists=True)
    assert holds(equals="dana@example.co.il")
    assert holds(matches=r"@example\.co\.il$")
    assert holds(**{"in": ["x", "dana@example.co.il"]})
    assert not holds(equals="other")
    missing = Condition.model_validate({"field": "slots.nothing", "exists": False})
    assert condition_holds(missing, view)
    assert not condition_holds(Condition.model_validate({"field": "slots.nothing", "equals": 1}), view)
    assert condition_holds(Condition.model_validate({"field": "type", "equals": "lead.captured"}), view)


def test_rule_matches_type_and_all_conditions():
    rule = Rule.model_validate(
        {"on": "lead.captured", "when": [{"field": "slots.phone", "exists": True}], "do": [{"action": "a.b"}]}
    )
    assert rule_matches(rule, "lead.captured", lead_event().view())
    assert not rule_matches(rule, "reply", lead_event().view())
    assert not rule_matches(rule, "lead.captured", lead_event(phone="").view())


def test_tenant_file_accepts_a_workflows_section_when_wired():
    # The lead adds `workflows: WorkflowsConfig` to TenantConfig; until then the section stands alone.
    from sochen.config.tenant import TenantConfig

    if "workflows" not in TenantConfig.model_fields:
        pytest.skip("TenantConfig has no workflows field yet")
    from sochen.config import parse_tenant_yaml

    indented = "\n".join("  " + line for line in YAML.strip().splitlines())
    cfg = parse_tenant_yaml(f"slug: clinic\nname: מרפאה\nworkflows:\n{indented}\n")
    assert cfg.workflows.rules[0].do[1].action == "zoho_crm.create_task"


# -- validate_rules ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def catalog():
    return catalog_from_registry(["zoho_crm", "n8n", "whatsapp"])


def test_the_example_rules_are_valid_against_the_real_connectors(catalog):
    assert validate_rules(WorkflowsConfig.model_validate(yaml.safe_load(YAML)), catalog) == []


def test_unknown_action_suggests_the_closest(catalog):
    rules = workflows([{"on": "lead.captured", "do": [{"action": "zoho_crm.upsert_leed", "params": {}}]}])
    (problem,) = validate_rules(rules, catalog)
    assert "`workflows.rules[0].do[0].action`" in problem
    assert "unknown action 'zoho_crm.upsert_leed'" in problem
    assert "did you mean 'zoho_crm.upsert_lead'" in problem


def test_unknown_connector_lists_the_installed_ones(catalog):
    rules = workflows([{"on": "reply", "do": [{"action": "hubspot.create_contact"}]}])
    (problem,) = validate_rules(rules, catalog)
    assert "no connector 'hubspot' is installed" in problem
    assert "zoho_crm" in problem


def test_param_the_schema_does_not_have(catalog):
    rules = workflows(
        [{"on": "lead.captured", "do": [{"action": "zoho_crm.upsert_lead", "params": {"last_name": "x", "phon": "1"}}]}]
    )
    (problem,) = validate_rules(rules, catalog)
    assert "`workflows.rules[0].do[0].params.phon`" in problem
    assert "zoho_crm.upsert_lead has no parameter 'phon'" in problem
    assert "did you mean 'phone'" in problem


def test_missing_required_and_bad_literal_values(catalog):
    rules = workflows(
        [
            {
                "on": "lead.captured",
                "do": [
                    {"action": "zoho_crm.upsert_lead", "params": {"phone": "{{ event.slots.phone }}"}},
                    {
                        "action": "zoho_crm.create_task",
                        "params": {"subject": "s", "related": {"module": "Leads", "id": "1"}, "priority": "Urgent"},
                    },
                ],
            }
        ]
    )
    problems = validate_rules(rules, catalog)
    assert any("params.last_name`: required parameter of zoho_crm.upsert_lead is missing" in p for p in problems)
    assert any("params.priority`" in p and "Highest" in p for p in problems)
    assert len(problems) == 2


def test_nested_unknown_param_in_a_union(catalog):
    rules = workflows(
        [
            {
                "on": "handoff.requested",
                "do": [
                    {"action": "whatsapp.send_message", "params": {"type": "text", "to": "+972501234567", "txt": "x"}}
                ],
            }
        ]
    )
    problems = validate_rules(rules, catalog)
    assert any("params.txt`" in p and "has no parameter 'txt'" in p and "'text'" in p for p in problems), problems


def test_template_syntax_error_unknown_name_and_bad_step(catalog):
    rules = workflows(
        [
            {
                "on": "lead.captured",
                "do": [
                    {"action": "zoho_crm.upsert_lead", "params": {"last_name": "{{ event.slots.name "}},
                    {
                        "action": "zoho_crm.add_note",
                        "params": {
                            "content": "{{ evnt.text }}",
                            "parent": {"module": "Leads", "id": "{{ steps.lead.id }}"},
                        },
                    },
                ],
            }
        ]
    )
    problems = validate_rules(rules, catalog)
    assert any("do[0].params.last_name`: template syntax error" in p for p in problems), problems
    assert any("unknown name 'evnt'" in p and "did you mean 'event'" in p for p in problems), problems
    assert any("refers to step 'lead', which is not an earlier step" in p for p in problems), problems


def test_injected_catalog_is_used_as_given():
    class Ping(BaseModel):
        model_config = ConfigDict(extra="forbid")
        host: str

    rules = workflows([{"on": "reply", "do": [{"action": "net.ping", "params": {"host": "{{ event.text }}"}}]}])
    assert validate_rules(rules, {"net.ping": Ping}) == []
    assert validate_rules(rules.rules, {}) != []


def test_a_misspelt_parameter_is_named_even_when_the_model_ignores_extra_keys():
    class Person(BaseModel):  # a plugin's model without extra="forbid": pydantic only says `name` is missing
        name: str
        phone: str | None = None

    class PersonRef(BaseModel):
        person_id: int

    rules = workflows(
        [
            {
                "on": "lead.captured",
                "do": [
                    {"id": "person", "action": "crm.add_person", "params": {"nme": "{{ event.slots.name }}"}},
                    {"action": "crm.add_person", "params": {"name": "{{ steps.person.id }}"}},
                ],
            }
        ]
    )
    problems = validate_rules(
        rules,
        {"crm.add_person": Person},
        results={"crm.add_person": PersonRef},
        slots=[("name", True), ("phone", True)],
    )
    assert any("params.nme`: crm.add_person has no parameter 'nme' — did you mean 'name'?" in p for p in problems)
    assert any("params.name`: required parameter" in p and "'nme' is written instead" in p for p in problems)
    assert any(
        "'steps.person' (the result of crm.add_person, a PersonRef) has no field 'id'" in p and "person_id" in p
        for p in problems
    ), problems
    assert len(problems) == 3, problems


@pytest.mark.parametrize(
    ("template", "problem"),
    [
        ("{{ event.slots.email | default('') }}", None),
        ("{% if event.slots.email is defined %}{{ event.slots.email }}{% endif %}", None),
        ("{{ event.slots.get('email', '') }}", None),
        ("{{ event.slots.name.split()[0] }} {{ event.occurred_at.strftime('%d/%m') }}", None),
        ("{{ event.slots['name'] }}", None),
        ("{{ event.slots.email }}", "'event.slots.email' may be absent"),
        ("{{ event.slots['nmae'] }}", "did you mean 'event.slots.name'?"),
        ("{{ event.text }}", "(a lead.captured event) has no field 'text'"),
        ("{{ event.channel.kind }}", "'event.channel' is a single value, it has no field 'kind'"),
    ],
)
def test_fields_templates_read_are_checked_against_the_event(catalog, template, problem):
    rules = workflows(
        [{"on": "lead.captured", "do": [{"action": "zoho_crm.upsert_lead", "params": {"last_name": template}}]}]
    )
    problems = validate_rules(rules, catalog, slots=[("name", True), ("phone", True)])
    if problem is None:
        assert problems == []
    else:
        (found,) = problems
        assert "`workflows.rules[0].do[0].params.last_name`" in found and problem in found, found


def test_channel_send_message_is_checked_like_a_channels_own_action():
    from sochen.connectors.types import OutboundMessage  # noqa: F401  (the parameters it is checked against)

    def rule(params: dict[str, object]) -> Rule:
        return Rule.model_validate(
            {"on": "booking.requested", "do": [{"action": "channel.send_message", "params": params}]}
        )

    ok = validate_rules([rule({"type": "text", "to": "{{ event.to }}", "text": "שלום"})], {})
    assert ok == []
    typo = validate_rules([rule({"type": "text", "to": "{{ event.to }}", "txt": "שלום"})], {})
    assert any("txt" in p and "channel.send_message" in p for p in typo), typo
    unknown_field = validate_rules([rule({"type": "text", "to": "{{ event.phone_number }}", "text": "x"})], {})
    assert any("phone_number" in p for p in unknown_field), unknown_field
