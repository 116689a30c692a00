"""What a real HubSpot account does to the connector: lost answers, staff-typed phones, limits, revoked tokens."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from sochen_hubspot import HubSpotConnector
from sochen_hubspot.testing import FakeHubSpot

from sochen.connectors import ConnectorError, ErrorKind, RecordQuery, RecordRef

pytestmark = pytest.mark.unit

NOW = dt.datetime(2026, 11, 22, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=2))).timestamp()  # Sunday 10:00 IST


class Clock:
    """A clock tests move by hand, and a sleep that only records."""

    def __init__(self, now: float = NOW) -> None:
        self.now = now
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def fake(clock: Clock) -> Iterator[FakeHubSpot]:
    with FakeHubSpot(clock=clock) as server:
        yield server


def connect(fake: FakeHubSpot, clock: Clock | None = None, **settings: Any) -> HubSpotConnector:
    config = {"access_token": fake.access_token, "api_url": fake.url, **settings}
    return HubSpotConnector(config, session=requests.Session(), clock=clock, sleep=(clock.sleep if clock else None))


LEAD = {"first_name": "דנה", "last_name": "כהן־לוי", "phone": "052-456-7890", "lifecycle_stage": "lead"}


def test_a_retried_upsert_after_a_lost_answer_creates_one_contact(fake: FakeHubSpot) -> None:
    connector = connect(fake, timeout_s=0.3)
    fake.lose_answer_of("POST", "/crm/v3/objects/contacts", seconds=2)
    first = connector.run_action("upsert_contact", LEAD)  # the create timed out; the connector looked again
    again = connector.run_action("upsert_contact", LEAD)  # the dispatcher's retry of the same job
    assert len(fake.contacts) == 1
    (contact,) = fake.contacts.values()
    assert first.id == again.id == contact["id"] and again.action == "unchanged"
    assert contact["properties"]["phone"] == "+972524567890"  # written as E.164


def test_an_email_conflict_after_a_lost_answer_updates_the_contact_hubspot_wrote() -> None:
    # HubSpot's search index lags its writes: the retry does not find the contact, but the e-mail is unique.
    with FakeHubSpot(search_lag=3) as fake:
        connector = connect(fake, timeout_s=0.3)
        params = {**LEAD, "email": "Dana.Cohen@Example.co.il"}
        fake.lose_answer_of("POST", "/crm/v3/objects/contacts", seconds=2)
        with pytest.raises(ConnectorError) as lost:
            connector.run_action("upsert_contact", params)
        assert lost.value.kind is ErrorKind.UNREACHABLE and lost.value.retryable
        retried = connector.run_action("upsert_contact", params)
        assert len(fake.contacts) == 1 and retried.id in fake.contacts and retried.action == "updated"
        assert fake.contacts[retried.id]["properties"]["email"] == "dana.cohen@example.co.il"


@pytest.mark.parametrize(
    "typed", ["050-123-4567", "0501234567", "+972 50-123-4567", "050 1234567", "972501234567", "+972501234567"]
)
def test_a_contact_staff_typed_is_found_in_any_format(fake: FakeHubSpot, typed: str) -> None:
    staff = fake.add_contact(firstname="משה", lastname="אברהם", phone=typed)
    ref = connect(fake).run_action("upsert_contact", {"phone": "+972-50-123-4567", "lead_status": "NEW"})
    assert (ref.id, ref.action, len(fake.contacts)) == (staff, "updated", 1)
    assert fake.contacts[staff]["properties"]["phone"] == typed  # left as staff typed it
    assert fake.contacts[staff]["properties"]["hs_lead_status"] == "NEW"


def test_a_mobile_number_is_searched_too_and_a_bad_phone_is_refused_by_name(fake: FakeHubSpot) -> None:
    staff = fake.add_contact(firstname="רונית", mobilephone="054-7788990")
    connector = connect(fake)
    assert connector.run_action("upsert_contact", {"phone": "0547788990"}).id == staff
    found = connector.search_records(RecordQuery(module="contacts", equals={"phone": "054 7788990"}))
    assert [r.id for r in found] == [staff]
    with pytest.raises(ConnectorError) as err:
        connector.run_action("upsert_contact", {"phone": "12"})
    assert err.value.kind is ErrorKind.INVALID_REQUEST and "12" in err.value.message
    assert len(fake.contacts) == 1


def test_429_retry_after_is_transient_with_the_delay(fake: FakeHubSpot) -> None:
    fake.rate_limit_storm(times=3, retry_after=4)
    with pytest.raises(ConnectorError) as err:
        connect(fake).run_action("upsert_contact", LEAD)
    assert (err.value.kind, err.value.retry_after, err.value.retryable) == (ErrorKind.RATE_LIMITED, 4.0, True)
    assert err.value.code == "TEN_SECONDLY_ROLLING"
    assert fake.contacts == {}


def test_the_ten_second_window_itself_answers_429_with_its_headers(clock: Clock) -> None:
    with FakeHubSpot(clock=clock, ten_secondly_max=2) as fake:
        connector = connect(fake, clock)
        connector.get_record(RecordRef(module="contacts", id="99"))
        clock.now += 3
        connector.get_record(RecordRef(module="contacts", id="99"))
        with pytest.raises(ConnectorError) as err:
            connector.get_record(RecordRef(module="contacts", id="99"))
        assert (err.value.kind, err.value.retry_after) == (ErrorKind.RATE_LIMITED, 7.0)  # the first call leaves at 10 s
        assert err.value.details["limits"]["X-HubSpot-RateLimit-Max"] == "2"
        clock.now += 7
        assert connector.get_record(RecordRef(module="contacts", id="99")) is None


def test_the_daily_limit_waits_until_the_accounts_midnight(fake: FakeHubSpot, clock: Clock) -> None:
    fake.rate_limit_storm(times=1, policy="DAILY")
    with pytest.raises(ConnectorError) as err:
        connect(fake, clock).run_action("upsert_contact", LEAD)
    assert err.value.code == "DAILY" and err.value.retry_after == 14 * 3600  # 10:00 → midnight, Asia/Jerusalem


def test_a_revoked_token_is_permanent_and_says_so_in_hebrew_first(fake: FakeHubSpot) -> None:
    connector = connect(fake)
    fake.revoke_token()
    with pytest.raises(ConnectorError) as err:
        connector.run_action("upsert_contact", LEAD)
    assert (err.value.kind, err.value.retryable, err.value.code) == (
        ErrorKind.AUTH_INVALID,
        False,
        "INVALID_AUTHENTICATION",
    )
    hebrew, english = err.value.message.split(" | ")
    assert "אסימון הגישה" in hebrew and "revoked" in english
    assert fake.access_token not in err.value.message


def test_5xx_is_transient_and_missing_scopes_name_the_scope() -> None:
    with FakeHubSpot() as fake:
        fake.server_errors(times=1, status=503)
        with pytest.raises(ConnectorError) as err:
            connect(fake).run_action("upsert_contact", LEAD)
        assert err.value.kind is ErrorKind.UNREACHABLE and err.value.retryable
    with FakeHubSpot(scopes={"crm.objects.contacts.read"}) as fake:
        with pytest.raises(ConnectorError) as err:
            connect(fake).run_action("upsert_contact", LEAD)
        assert err.value.kind is ErrorKind.MISCONFIGURED and "crm.objects.contacts.write" in err.value.message


@pytest.mark.parametrize(
    ("properties", "field", "code"),
    [
        ({"property_type_interest": "טירה"}, "property_type_interest", "INVALID_OPTION"),
        ({"budget_nis": "2500000"}, "budget_nis", "PROPERTY_DOESNT_EXIST"),
        ({"createdate": "2026-01-01"}, "createdate", "READ_ONLY_VALUE"),
    ],
)
def test_validation_errors_are_permanent_and_name_the_property(
    fake: FakeHubSpot, properties: dict[str, str], field: str, code: str
) -> None:
    with pytest.raises(ConnectorError) as err:
        connect(fake).run_action("upsert_contact", {**LEAD, "properties": properties})
    assert (err.value.kind, err.value.retryable, err.value.code) == (
        ErrorKind.INVALID_REQUEST,
        False,
        "VALIDATION_ERROR",
    )
    assert err.value.details == {"fields": [field], "codes": [code]} and field in err.value.message
    assert "טירה" not in err.value.message  # the refused value may be personal: never repeated


def test_a_task_and_a_note_are_associated_with_the_contact_and_created_once(fake: FakeHubSpot) -> None:
    connector = connect(fake, timeout_s=0.3)
    contact = connector.run_action("upsert_contact", LEAD)
    task_params = {
        "contact": {"id": contact.id},
        "subject": "להתקשר לדנה — דירת 4 חדרים ברמת גן",
        "due": "2026-11-23",
        "priority": "HIGH",
        "task_type": "CALL",
        "idempotency_key": "job-lead-0042-task",
    }
    fake.lose_answer_of("POST", "/crm/v3/objects/tasks", seconds=2)
    task = connector.run_action("create_task", task_params)
    again = connector.run_action("create_task", task_params)
    assert len(fake.tasks) == 1 and task.id == again.id and again.action == "unchanged"
    (stored,) = fake.tasks.values()
    assert stored["properties"]["hs_task_subject"].startswith("להתקשר לדנה")
    assert stored["properties"]["hs_timestamp"] == "2026-11-23T07:00:00.000Z"  # 09:00 Asia/Jerusalem
    assert fake.associated("contacts", contact.id, "tasks") == [task.id]
    assert fake.associated("tasks", task.id, "contacts") == [contact.id]

    note_params = {"contact": {"id": contact.id}, "body": "מחפשת 4 חדרים, תקציב עד 2.5 מיליון", "idempotency_key": "n1"}
    note = connector.run_action("add_note", note_params)
    assert connector.run_action("add_note", note_params).id == note.id and len(fake.notes) == 1
    assert fake.associated("contacts", contact.id, "notes") == [note.id]
    other = connector.run_action("add_note", {**note_params, "idempotency_key": "n2"})
    assert other.id != note.id and len(fake.notes) == 2


def test_a_task_for_a_contact_that_does_not_exist_is_refused(fake: FakeHubSpot) -> None:
    with pytest.raises(ConnectorError) as err:
        connect(fake).run_action("create_task", {"contact": {"id": "4242"}, "subject": "לחזור"})
    assert err.value.kind is ErrorKind.INVALID_REQUEST and "associations[0].to.id" in err.value.message


def test_lifecycle_moves_forward_only_and_lead_status_follows_the_workflow(fake: FakeHubSpot) -> None:
    customer = fake.add_contact(firstname="אבי", phone="050-111-2233", lifecyclestage="customer")
    connector = connect(fake)
    ref = connector.run_action(
        "upsert_contact", {"phone": "0501112233", "lifecycle_stage": "lead", "lead_status": "OPEN"}
    )
    props = fake.contacts[customer]["properties"]
    assert (ref.id, props["lifecyclestage"], props["hs_lead_status"]) == (customer, "customer", "OPEN")
    lead = connector.run_action("upsert_contact", {"phone": "0502223344", "lifecycle_stage": "lead"})
    moved = connector.run_action(
        "set_stage", {"contact": {"id": lead.id}, "lifecycle_stage": "salesqualifiedlead", "lead_status": "CONNECTED"}
    )
    assert moved.action == "updated"
    assert fake.contacts[lead.id]["properties"]["lifecyclestage"] == "salesqualifiedlead"
    assert (
        connector.run_action("set_stage", {"contact": {"id": lead.id}, "lifecycle_stage": "lead"}).action == "unchanged"
    )


def test_actions_refuse_bad_parameters_by_name() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="lifecycle_stage"):
        HubSpotConnector.actions()["upsert_contact"].validate({"phone": "0501234567", "lifecycle_stage": "ליד"})
    with pytest.raises(ValidationError, match="טלפון"):
        HubSpotConnector.actions()["upsert_contact"].validate({"first_name": "דנה"})


def test_without_a_unique_property_a_lagging_index_can_duplicate_a_phone_only_contact() -> None:
    """The limit the README states: search, then create, cannot see a contact HubSpot has not indexed yet."""
    with FakeHubSpot(search_lag=5) as fake:
        connector = connect(fake, timeout_s=0.3)
        fake.lose_answer_of("POST", "/crm/v3/objects/contacts", seconds=2)
        with pytest.raises(ConnectorError):
            connector.run_action("upsert_contact", LEAD)
        connector.run_action("upsert_contact", LEAD)
        assert len(fake.contacts) == 2


def test_a_unique_phone_property_makes_the_retry_after_a_lost_answer_update_the_same_contact() -> None:
    with FakeHubSpot(search_lag=5) as fake:
        connector = connect(fake, timeout_s=0.3, unique_phone_property="sochen_phone_e164")
        fake.lose_answer_of("POST", "/crm/v3/objects/contacts/batch/upsert", seconds=2)
        with pytest.raises(ConnectorError) as lost:
            connector.run_action("upsert_contact", LEAD)
        assert lost.value.kind is ErrorKind.UNREACHABLE
        retried = connector.run_action("upsert_contact", LEAD)
        assert (len(fake.contacts), retried.action) == (1, "updated")
        props = fake.contacts[retried.id]["properties"]
        assert props["sochen_phone_e164"] == props["phone"] == "+972524567890"
        assert connector.run_action("upsert_contact", {**LEAD, "phone": "052-456-7890"}).id == retried.id


def test_a_unique_phone_property_that_is_not_unique_is_refused_by_name() -> None:
    with FakeHubSpot() as fake:
        with pytest.raises(ConnectorError) as err:
            connect(fake, unique_phone_property="phone").run_action("upsert_contact", LEAD)
        assert err.value.kind is ErrorKind.INVALID_REQUEST and "inputs[0].idProperty" in err.value.message


def test_check_reads_the_unique_phone_property(fake: FakeHubSpot) -> None:
    assert connect(fake, unique_phone_property="sochen_phone_e164").check().ok
    missing = connect(fake, unique_phone_property="sochen_phone").check()
    assert missing.status.value == "misconfigured" and "sochen_phone" in missing.detail
    not_unique = connect(fake, unique_phone_property="mobilephone").check()
    assert not_unique.status.value == "misconfigured" and "unique" in not_unique.detail
