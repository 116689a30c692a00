"""A scenario's channel: WhatsApp by default, the site's web chat when it says so (its jobs really run)."""

from __future__ import annotations

import hashlib
import json

import pytest
import yaml
from pydantic import ValidationError
from sqlalchemy import select

from sochen.config import get_settings
from sochen.db.models_conversations import Conversation
from sochen.db.models_webchat import WebchatMessage, WebchatVisitor
from sochen.db.session import session_scope
from sochen.evals import SuiteError, load_suite, run_suite, suite_digest
from sochen.evals.loading import channel_problems, load_scenario_file
from sochen.evals.schema import Scenario
from sochen.workflows.conversations import conversation_id_for

from .conftest import CONNECTORS, make_clinic, tenant_yaml

WEBCHAT = """  webchat:
    allowed_origins: ["https://mirpaa.example.co.il"]
    token_secret_env: T_WEBCHAT_SECRET
"""

LEAD_SOURCE = 'description: "{{ event.slots.service }}"}'

WEBCHAT_SCENARIOS = """scenarios:
  - id: webchat-price
    title: מבקר אנונימי באתר שואל על מחיר הלבנה — תשובה עם מקור שנשמרת בצ'אט שלו
    category: webchat
    channel: webchat
    contact: {id: "מבקר-מחיר"}
    turns:
      - user: "שָׁלוֹם, מה המחיר של הלבנת שיניים?"
        expect:
          intent: price_question
          reply: {contains: ["1,200"]}
          cites: [{document: מחירון}]
          jobs: [{action: webchat.send_message, params: {to: "מבקר-מחיר", text: {contains: "1,200"}}}]
          jobs_not: [whatsapp.send_message]
  - id: webchat-lead
    title: מבקרת שכותבת שם, טיפול, מועד ואז טלפון — ליד ב-Zoho עם מקור Chat
    category: webchat
    channel: webchat
    contact: {id: "מבקרת-ליד"}
    turns:
      - user: "שמי דנה כהן, אני רוצה תור להלבנת שיניים מחר ב-5"
        expect:
          slots: {name: "דנה כהן", service: הלבנת שיניים}
          slots_not_set: [phone]
          events_not: [lead.captured]
          jobs_not: [zoho_crm.upsert_lead]
          reply: {contains_any: ["טלפון", "מספר"]}
      - user: "הנייד שלי 054-7123456"
        expect:
          slots: {phone: {e164: "+972547123456"}}
          events: [lead.captured]
          jobs:
            - {action: zoho_crm.upsert_lead, params: {phone: {e164: "+972547123456"}, lead_source: Chat}}
            - {action: zoho_crm.create_task, count: 1}
            - {action: webchat.send_message, params: {to: "מבקרת-ליד", text: {contains: "דנה כהן"}}}
"""

DEFAULT_SCENARIO = """  - id: whatsapp-default
    title: ללא ערוץ — וואטסאפ, כמו תמיד
    category: prices
    turns:
      - user: "מה המחיר של הלבנת שיניים?"
        expect:
          reply: {contains: ["1,200"]}
          jobs: [{action: whatsapp.send_message, params: {to: {e164: "+972501234567"}}}]
          jobs_not: [webchat.send_message]
"""


def webchat_tenant() -> str:
    """The test clinic with a web chat, whose lead rule sets Lead_Source by channel (as the example clinic's)."""
    text = tenant_yaml().replace(CONNECTORS, CONNECTORS + WEBCHAT)
    source = "lead_source: \"{{ 'Chat' if event.channel == 'webchat' else 'WhatsApp' }}\""
    assert LEAD_SOURCE in text
    return text.replace(LEAD_SOURCE, LEAD_SOURCE[:-1] + ", " + source + "}")


@pytest.fixture
def webchat_clinic(any_database_url, tmp_path):
    yield make_clinic(
        any_database_url, tmp_path / "clinic", text=webchat_tenant(), scenarios=WEBCHAT_SCENARIOS + DEFAULT_SCENARIO
    )
    from sochen.agents.graph import forget_checkpointers

    forget_checkpointers()


def test_the_default_channel_is_whatsapp_as_before():
    scenario = Scenario.model_validate(yaml.safe_load(DEFAULT_SCENARIO)[0])
    assert scenario.channel == "whatsapp"
    # A suite written before scenarios had a channel keeps its digest (and the runs the gate accepted).
    before = [{k: v for k, v in scenario.model_dump(mode="json").items() if k != "channel"}]
    canonical = json.dumps(before, sort_keys=True, ensure_ascii=False)
    assert suite_digest([scenario]) == hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    webchat = Scenario.model_validate({**scenario.model_dump(), "channel": "webchat"})
    assert suite_digest([webchat]) != suite_digest([scenario])
    with pytest.raises(ValidationError, match="channel"):
        Scenario.model_validate({**scenario.model_dump(), "channel": "Web Chat!"})


def test_a_web_chat_reply_is_stored_for_the_visitor_and_its_lead_runs_against_the_fake_zoho(webchat_clinic, tmp_path):
    seen: dict = {}

    def inspect(sandbox) -> None:
        seen["stream"] = sandbox.webchat_sent()
        seen["whatsapp"] = list(sandbox.graph.sent)
        seen["leads"] = sandbox.zoho.crm.records("Leads")
        with session_scope(sandbox.database_url) as s:
            seen["visitors"] = {v.id: v.phone for v in s.scalars(select(WebchatVisitor))}
            seen["inbound"] = [
                (m.visitor_id, m.text)
                for m in s.scalars(select(WebchatMessage).where(WebchatMessage.direction == "in"))
            ]
            seen["conversations"] = {
                c.id: (c.channel, c.contact_id, c.contact_name) for c in s.scalars(select(Conversation))
            }

    run = run_suite(get_settings(), "clinic", report_dir=tmp_path / "reports", inspect_sandbox=inspect)

    assert run.passed, [c.message for r in run.results for c in r.failures]
    by_id = {r.scenario_id: r for r in run.results}
    # Each web chat scenario is an anonymous visitor of its own (wc_...), not a WhatsApp number.
    webchat = [c for c in seen["conversations"].values() if c[0] == "webchat"]
    assert len(webchat) == 2 and all(contact.startswith("wc_") and name is None for _, contact, name in webchat)
    for scenario_id in ("webchat-price", "webchat-lead"):
        conv = by_id[scenario_id].conversation_id
        channel, visitor, _ = seen["conversations"][conv]
        assert channel == "webchat" and conv == conversation_id_for("clinic", "webchat", visitor)
    price_visitor = seen["conversations"][by_id["webchat-price"].conversation_id][1]
    lead_visitor = seen["conversations"][by_id["webchat-lead"].conversation_id][1]

    # The replies really reached the visitors' streams in the sandbox database, and no WhatsApp message left.
    stream = seen["stream"]
    assert any(v == price_visitor and "1,200" in text for v, text in stream)
    assert any(v == lead_visitor and "דנה כהן" in text for v, text in stream)
    assert [s["to"] for s in seen["whatsapp"]] and all(s["to"].startswith("97255") for s in seen["whatsapp"])
    assert run.info["sandbox"]["webchat_sent"] == len(stream) >= 3
    # The visitor's own messages are in the stream, as the widget stored them; the phone only once written.
    assert (price_visitor, "שָׁלוֹם, מה המחיר של הלבנת שיניים?") in seen["inbound"]
    assert seen["visitors"][price_visitor] is None and seen["visitors"][lead_visitor] == "+972547123456"

    # The lead job ran against the fake Zoho, with the phone the visitor wrote and Lead_Source Chat.
    leads = [lead for lead in seen["leads"] if lead.get("Phone") == "+972547123456"]
    assert len(leads) == 1 and leads[0]["Lead_Source"] == "Chat" and leads[0]["Last_Name"] == "דנה כהן"
    last = by_id["webchat-lead"].turns[-1]
    assert {(j.action, j.status) for j in last.jobs} >= {
        ("zoho_crm.upsert_lead", "succeeded"),
        ("webchat.send_message", "succeeded"),
    }
    assert next(j for j in last.jobs if j.action == "webchat.send_message").params["to"] == "מבקרת-ליד"

    # The default scenario is unchanged: WhatsApp, its synthetic number written back as the contact.
    default = by_id["whatsapp-default"]
    assert seen["conversations"][default.conversation_id][0] == "whatsapp"
    assert default.turns[0].jobs[-1].action == "whatsapp.send_message"


def test_a_reply_expected_for_another_visitor_fails_the_turn(webchat_clinic, tmp_path):
    wrong = WEBCHAT_SCENARIOS.split("  - id: webchat-lead")[0].replace('to: "מבקר-מחיר"', 'to: "מבקר-אחר"')
    scenarios = [Scenario.model_validate(s) for s in yaml.safe_load(wrong)["scenarios"]]
    run = run_suite(get_settings(), "clinic", scenarios=scenarios, report_dir=tmp_path / "r", store=False)
    assert not run.passed
    assert any("webchat.send_message" in c.message for c in run.results[0].failures)


def test_a_channel_the_tenant_has_no_connector_for_is_refused(clinic, tmp_path):
    # The default test clinic has WhatsApp, Zoho and n8n, no web chat.
    scenarios = [Scenario.model_validate(s) for s in yaml.safe_load(WEBCHAT_SCENARIOS)["scenarios"]]
    with pytest.raises(SuiteError) as caught:
        run_suite(get_settings(), "clinic", scenarios=scenarios, report_dir=tmp_path / "r", store=False)
    message = str(caught.value)
    assert "scenario `webchat-price`: `channel: webchat` — לעסק אין מחבר 'webchat'" in message
    assert "the tenant has no 'webchat' connector (it has: n8n, whatsapp, zoho_crm)" in message
    assert len(caught.value.problems) == 2
    assert message.index("לעסק") < message.index("the tenant")  # Hebrew first

    # The same in the tenant's own suite; a channel no installed connector has is refused before that.
    from sochen.config import load_tenant_file

    path = clinic.folder / "scenarios" / "webchat.yaml"
    path.write_text(WEBCHAT_SCENARIOS, encoding="utf-8")
    with pytest.raises(SuiteError, match="scenario `webchat-lead`: `channel: webchat` — לעסק אין מחבר 'webchat'"):
        load_suite(load_tenant_file(clinic.folder / "tenant.yaml"))
    path.write_text(WEBCHAT_SCENARIOS.replace("channel: webchat", "channel: telegram"), encoding="utf-8")
    assert load_scenario_file(path)[0].channel == "telegram"
    with pytest.raises(SuiteError, match="אין מחבר מותקן בשם 'telegram'"):
        load_suite(load_tenant_file(clinic.folder / "tenant.yaml"))

    # WhatsApp by default runs as it always did, even without a WhatsApp connector; written out, it is checked.
    bare = clinic_config_without_connectors()
    default = Scenario.model_validate(yaml.safe_load(DEFAULT_SCENARIO)[0])
    assert channel_problems([default], bare) == []
    named = Scenario.model_validate({**yaml.safe_load(DEFAULT_SCENARIO)[0], "channel": "whatsapp"})
    assert "לעסק אין מחבר 'whatsapp' (המחברים שלו: —)" in channel_problems([named], bare)[0]


def clinic_config_without_connectors():
    from sochen.config import parse_tenant_yaml

    return parse_tenant_yaml("slug: clinic\nname: מרפאה\n")


def test_validate_refuses_a_channel_no_installed_connector_sends_through(tmp_path):
    from typer.testing import CliRunner

    from sochen.cli import app

    path = tmp_path / "telegram.yaml"
    path.write_text(WEBCHAT_SCENARIOS.replace("channel: webchat", "channel: telegram", 1), encoding="utf-8")
    result = CliRunner().invoke(app, ["evals", "validate", str(path)])
    assert result.exit_code == 2
    assert "scenario `webchat-price`: `channel: telegram` — אין מחבר מותקן בשם 'telegram'" in result.output
    assert "webchat-lead" not in result.output  # web chat is installed (built in)
