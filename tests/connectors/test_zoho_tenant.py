"""What a real tenant's Zoho decides (issue 15): duplicate checks, phones as staff type them, automations,
and tasks and notes that exist once however often a job is retried."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from sochen.connectors import CheckStatus, ConnectorError
from sochen.connectors.zoho_crm import LeadParams, NoteParams, TaskParams, TokenCache, ZohoCrmConnector
from sochen.connectors.zoho_crm.connector import idempotency_marker

pytestmark = pytest.mark.unit


def connector(fake: Any, clock: Any, **settings: Any) -> ZohoCrmConnector:
    config = {
        "client_id": fake.client_id,
        "client_secret": fake.client_secret,
        "refresh_token": fake.refresh_token,
        "accounts_url": fake.accounts_url,
        "timeout_s": 0.5,
        **settings,
    }
    return ZohoCrmConnector(config, clock=clock, sleep=clock.sleep, token_cache=TokenCache())


@pytest.fixture
def make(zoho_fake: Any, clock: Any) -> Iterator[Any]:
    made: list[ZohoCrmConnector] = []

    def build(**settings: Any) -> ZohoCrmConnector:
        made.append(connector(zoho_fake, clock, **settings))
        return made[-1]

    yield build
    for c in made:
        c.close()


def seed(fake: Any, module: str, **fields: Any) -> str:
    """A record typed in by the clinic's staff, straight into the fake's store."""
    with fake.crm._lock:
        ident = f"90000000000{len(fake.crm.store[module]) + 1:08d}"
        fake.crm.store[module][ident] = {"id": ident, **fields}
    return ident


# -- duplicate check -------------------------------------------------------------------------------


def test_check_says_the_default_duplicate_check_is_honoured_for_email_only(make: Any) -> None:
    result = make().check()
    assert result.status is CheckStatus.OK
    assert "Leads: Zoho enforces Email; Phone matched by search only" in result.detail


def test_check_reports_a_duplicate_check_zoho_will_not_honour(make: Any) -> None:
    result = make(lead_duplicate_check_fields=["Phone", "Mobile"]).check()
    assert result.status is CheckStatus.MISCONFIGURED
    assert "Zoho will not honour the duplicate check of Leads" in result.detail
    assert "Do not allow duplicate values" in result.detail


def test_check_reports_a_field_the_module_does_not_have(make: Any) -> None:
    result = make(contact_duplicate_check_fields=["Teudat_Zehut"]).check()
    assert result.status is CheckStatus.MISCONFIGURED and "Contacts has no field Teudat_Zehut" in result.detail


def test_check_is_ok_once_the_admin_marks_phone_unique(make: Any, zoho_fake: Any) -> None:
    zoho_fake.crm.set_unique("Leads", "Phone")
    zoho_fake.crm.set_unique("Contacts", "Phone")
    result = make(lead_duplicate_check_fields=["Phone"], contact_duplicate_check_fields=["Phone"]).check()
    assert result.status is CheckStatus.OK and "matched by search only" not in result.detail


def test_check_without_the_settings_scope_says_which_scope(make: Any, zoho_fake: Any) -> None:
    scope = {"code": "OAUTH_SCOPE_MISMATCH", "details": {}, "message": "invalid oauth scope", "status": "error"}
    zoho_fake.crm.fail_next(401, json_body=scope, match="/settings/fields", times=2)
    result = make().check()
    assert result.status is CheckStatus.MISCONFIGURED and "ZohoCRM.settings.fields.READ" in result.detail


# -- a returning patient, whatever format staff typed ------------------------------------------------

STAFF_TYPED = [
    "050-123-4567",
    "0501234567",
    "050-1234567",
    "050 123 4567",
    "050 1234567",
    "+972 50-123-4567",
    "+972-50-123-4567",
    "+972 50 123 4567",
    "972501234567",
    "+972501234567",
]


@pytest.mark.parametrize("typed", STAFF_TYPED)
def test_a_returning_patient_is_updated_not_duplicated(make: Any, zoho_fake: Any, typed: str) -> None:
    existing = seed(zoho_fake, "Leads", Last_Name="כהן", First_Name="דנה", Phone=typed, Lead_Status="Contacted")
    ref = make().upsert_lead(LeadParams(last_name="כהן", first_name="דנה", phone="+972501234567", description="בדיקה"))
    (lead,) = zoho_fake.crm.records("Leads")
    assert (ref.id, ref.action) == (existing, "updated")
    assert lead["Phone"] == typed and lead["Description"] == "בדיקה"  # the staff's format is kept


STAFF_FORMATS = [
    lambda d: f"{d[:3]}-{d[3:6]}-{d[6:]}",
    lambda d: d,
    lambda d: f"{d[:3]}-{d[3:]}",
    lambda d: f"{d[:3]} {d[3:6]} {d[6:]}",
    lambda d: f"{d[:3]} {d[3:]}",
    lambda d: f"+972 {d[1:3]}-{d[3:6]}-{d[6:]}",
    lambda d: f"+972-{d[1:3]}-{d[3:6]}-{d[6:]}",
    lambda d: f"+972 {d[1:3]} {d[3:6]} {d[6:]}",
    lambda d: f"972{d[1:]}",
    lambda d: f"+972{d[1:]}",
]


def test_mixed_formats_measured(make: Any, zoho_fake: Any) -> None:
    """Ten patients typed by staff in ten formats come back as themselves; a format outside the ten does not."""
    ids = {}
    for i, write in enumerate(STAFF_FORMATS):
        national = f"05476500{i}{i}"
        ids[national] = seed(zoho_fake, "Leads", Last_Name=f"מטופל {i}", Phone=write(national))
    odd = seed(zoho_fake, "Leads", Last_Name="מטופלת", Phone="(052) 888-9999")
    zoho = make()
    found = 0
    for i, national in enumerate(ids):
        ref = zoho.upsert_lead(LeadParams(last_name=f"מטופל {i}", phone=f"+972{national[1:]}"))
        found += ref.id == ids[national] and ref.action == "updated"
    again = zoho.upsert_lead(LeadParams(last_name="מטופלת", phone="0528889999"))
    assert found == 10
    assert again.id != odd and len(zoho_fake.crm.records("Leads")) == 12  # the one format outside the ten


def test_a_contact_found_by_mobile(make: Any, zoho_fake: Any) -> None:
    from sochen.connectors.zoho_crm import ContactParams

    existing = seed(zoho_fake, "Contacts", Last_Name="לוי", Mobile="052-765-4321")
    ref = make().upsert_contact(ContactParams(last_name="לוי", phone="+972527654321"))
    assert ref.id == existing and len(zoho_fake.crm.records("Contacts")) == 1


# -- automations ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("setting", "sent"),
    [({}, None), ({"trigger": ["workflow"]}, ["workflow"]), ({"trigger": []}, [])],
)
def test_trigger_is_a_tenant_setting(make: Any, zoho_fake: Any, setting: dict[str, Any], sent: Any) -> None:
    zoho = make(**setting)
    lead = zoho.upsert_lead(LeadParams(last_name="כהן", phone="050-123-4567"))
    zoho.create_task(TaskParams(subject="להתקשר", related=lead))
    for request in zoho_fake.crm.requests_to("/crm/v8/", "POST"):
        assert request.json().get("trigger") == sent


def test_a_trigger_zoho_does_not_know_is_refused_by_the_config() -> None:
    from pydantic import ValidationError

    from sochen.connectors.zoho_crm import ZohoCrmConfig

    with pytest.raises(ValidationError):
        ZohoCrmConfig(client_id="c", client_secret="s", refresh_token="r", trigger=["bogus"])


# -- tasks and notes exist once -----------------------------------------------------------------------


def hang_after_writing(fake: Any, path: str) -> None:
    """The next POST to ``path`` is written by Zoho, but its answer never arrives (the client times out)."""
    crm = fake.crm
    written = {"done": False}

    def match(request: Any) -> bool:
        if request.method != "POST" or request.path != path or written["done"]:
            return False
        written["done"] = True
        with crm._lock:
            crm.route(request)  # Zoho wrote the record ...
        return True  # ... and the answer is held until the client gave up

    crm.hang_next(seconds=2.0, match=match)


def test_a_task_retried_after_a_timeout_exists_once(make: Any, zoho_fake: Any) -> None:
    zoho = make()
    lead = zoho.upsert_lead(LeadParams(last_name="כהן", phone="050-123-4567"))
    task = TaskParams(
        subject="להתקשר לדנה לגבי תור", related=lead, due_date=dt.date(2026, 3, 3), idempotency_key="job-7f3a"
    )
    hang_after_writing(zoho_fake, "/crm/v8/Tasks")
    first = zoho.create_task(task)  # timed out, looked, and found what Zoho wrote
    second = zoho.create_task(task)  # the dispatcher's retry of the same job
    (stored,) = zoho_fake.crm.records("Tasks")
    assert first.id == second.id == stored["id"] and second.action == "unchanged"
    assert stored["Subject"] == "להתקשר לדנה לגבי תור" + idempotency_marker("job-7f3a")


def test_a_task_whose_create_never_reached_zoho_is_created_on_retry(make: Any, zoho_fake: Any) -> None:
    zoho = make()
    lead = zoho.upsert_lead(LeadParams(last_name="כהן", phone="050-123-4567"))
    task = TaskParams(subject="להתקשר", related=lead, idempotency_key="job-2")
    zoho_fake.crm.hang_next(seconds=2.0, match=lambda r: r.method == "POST" and r.path == "/crm/v8/Tasks")
    with pytest.raises(ConnectorError) as err:
        zoho.create_task(task)
    assert err.value.retryable and zoho_fake.crm.records("Tasks") == []
    ref = zoho.create_task(task)
    assert ref.action == "created" and len(zoho_fake.crm.records("Tasks")) == 1


def test_a_note_retried_after_a_timeout_exists_once(make: Any, zoho_fake: Any) -> None:
    zoho = make()
    lead = zoho.upsert_lead(LeadParams(last_name="כהן", phone="050-123-4567"))
    other = zoho.upsert_lead(LeadParams(last_name="לוי", phone="052-765-4321"))
    zoho.add_note(NoteParams(parent=other, content="הערה אחרת", title="שיחה", idempotency_key="job-9"))
    note = NoteParams(parent=lead, content="ביקשה שיחזרו אליה אחרי 16:00", title="שיחה", idempotency_key="job-9")
    hang_after_writing(zoho_fake, "/crm/v8/Notes")
    first = zoho.add_note(note)
    second = zoho.add_note(note)
    mine = [n for n in zoho_fake.crm.records("Notes") if n["Parent_Id"]["id"] == lead.id]
    assert len(mine) == 1 and first.id == second.id == mine[0]["id"]
    assert mine[0]["Note_Title"] == "שיחה" + idempotency_marker("job-9")
    assert len(zoho_fake.crm.records("Notes")) == 2  # the same key on another record is another note


def test_the_dispatcher_gives_tasks_and_notes_their_job_key(make: Any, zoho_fake: Any) -> None:
    from sochen.workflows import connector_executor

    zoho = make()
    lead = zoho.upsert_lead(LeadParams(last_name="כהן", phone="050-123-4567"))
    execute = connector_executor(lambda tenant, name: zoho)
    params = {"subject": "להתקשר", "related": lead.model_dump(mode="json")}
    first = execute("clinic", "zoho_crm.create_task", params, "job-key-1")
    again = execute("clinic", "zoho_crm.create_task", params, "job-key-1")
    assert first["id"] == again["id"] and len(zoho_fake.crm.records("Tasks")) == 1


def test_session_is_closed(zoho_fake: Any, clock: Any) -> None:
    with requests.Session() as session:
        zoho = ZohoCrmConnector(
            {
                "client_id": zoho_fake.client_id,
                "client_secret": zoho_fake.client_secret,
                "refresh_token": zoho_fake.refresh_token,
                "accounts_url": zoho_fake.accounts_url,
            },
            session=session,
            token_cache=TokenCache(),
        )
        assert zoho.check().status is CheckStatus.OK
