"""What monday users rely on: exact column shapes, no duplicate after a lost answer, monday's errors classified."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from sochen.connectors import ConnectorError, ErrorKind, RecordRef

from sochen_monday import MondayConnector, idempotency_marker
from sochen_monday.testing import DEMO_BOARD_ID, FakeMonday

pytestmark = pytest.mark.unit

KEY = "job-8d1f2c:lead.captured:0"


@pytest.fixture
def fake() -> Iterator[FakeMonday]:
    with FakeMonday() as running:
        yield running


def connect(fake: FakeMonday, **overrides: Any) -> MondayConnector:
    config = {
        "api_token": fake.api_token,
        "board_id": DEMO_BOARD_ID,
        "group_id": "topics",
        "key_column_id": "text_sochen_key",
        "api_url": f"{fake.url}/v2",
        **overrides,
    }
    return MondayConnector(config, session=requests.Session(), sleep=lambda s: None)


def sent_values(fake: FakeMonday, field: str) -> dict[str, Any]:
    (request,) = fake.requests_for(field)
    return json.loads(request.json()["variables"]["values"])


def test_each_column_type_is_sent_in_the_shape_monday_documents(fake: FakeMonday) -> None:
    connector = connect(fake)
    result = connector.run_action(
        "create_item",
        {
            "item_name": "משפחת אזולאי — שיפוץ אמבטיה",
            "values": {
                "phone_mkq1": "052-555-1234",
                "status": "בטיפול",
                "date4": "2026-11-23T17:00:00+02:00",
                "people_mk1": [41234567, "41234568"],
                "long_text_mk1": 'אמבטיה 6 מ"ר, החלפת ריצוף וכלים סניטריים',
                "email_mk1": "azulay@example.co.il",
                "text_mk_city": "ראשון לציון",
            },
        },
    )
    assert result.action == "created"
    assert sent_values(fake, "create_item") == {
        "phone_mkq1": {"phone": "+972525551234", "countryShortName": "IL"},
        "status": {"label": "בטיפול"},
        "date4": {"date": "2026-11-23", "time": "15:00:00"},  # monday keeps times in UTC
        "people_mk1": {"personsAndTeams": [{"id": 41234567, "kind": "person"}, {"id": 41234568, "kind": "person"}]},
        "long_text_mk1": {"text": 'אמבטיה 6 מ"ר, החלפת ריצוף וכלים סניטריים'},
        "email_mk1": {"email": "azulay@example.co.il", "text": "azulay@example.co.il"},
        "text_mk_city": "ראשון לציון",
    }
    assert {r.headers["API-Version"] for r in fake.requests} == {"2025-10"}
    assert all(r.headers["Authorization"] == fake.api_token for r in fake.requests)
    stored = connector.get_record(RecordRef(module=DEMO_BOARD_ID, id=result.id))
    assert stored is not None
    assert stored.provider_details["group_id"] == "topics"
    assert stored.provider_details["text"]["status"] == "בטיפול"
    assert stored.provider_details["text"]["people_mk1"] == "אלון מזרחי, רונית שגיא"
    assert stored.fields["date4"] == {"date": "2026-11-23", "time": "15:00:00"}


def test_a_date_alone_and_a_status_index_keep_their_documented_shapes(fake: FakeMonday) -> None:
    connect(fake).run_action("create_item", {"item_name": "ליד", "values": {"date4": "2026-12-01", "status": 3}})
    assert sent_values(fake, "create_item") == {"date4": {"date": "2026-12-01"}, "status": {"index": 3}}


def test_create_whose_answer_was_lost_is_found_not_repeated(fake: FakeMonday) -> None:
    params = {"item_name": "יוסי לוי — צביעת דירה", "values": {"phone_mkq1": "0541234567"}, "idempotency_key": KEY}
    fake.hang_next(seconds=2, match=FakeMonday.operation("create_item"), after_routing=True)
    with pytest.raises(ConnectorError) as lost:
        connect(fake, timeout_s=0.3).run_action("create_item", params)
    assert lost.value.kind is ErrorKind.UNREACHABLE and lost.value.retryable
    assert len(fake.items) == 1  # monday did create it

    again = connect(fake).run_action("create_item", params)
    (item,) = fake.items.values()
    assert (again.action, again.id) == ("found", item["id"])
    assert fake.item_text(item, "text_sochen_key") == idempotency_marker(KEY)
    assert len(fake.requests_for("create_item")) == 1  # the retry searched, it did not create


def test_update_whose_answer_was_lost_is_posted_once(fake: FakeMonday) -> None:
    item = connect(fake).run_action("create_item", {"item_name": "שירן — ריצוף מרפסת"})
    params = {"item_id": item.id, "body": "התקשרנו לשירן, ביקור נקבע ליום שלישי ב-10:00", "idempotency_key": KEY}
    fake.hang_next(seconds=2, match=FakeMonday.operation("create_update"), after_routing=True)
    with pytest.raises(ConnectorError):
        connect(fake, timeout_s=0.3).run_action("add_update", params)
    again = connect(fake).run_action("add_update", params)
    (update,) = fake.items[item.id]["updates"]
    assert (again.action, again.id) == ("found", update["id"])
    assert update["body"].startswith("התקשרנו לשירן, ביקור נקבע ליום שלישי ב-10:00")


def test_complexity_budget_error_is_transient_with_mondays_delay(fake: FakeMonday) -> None:
    fake.exhaust_complexity(retry_in_seconds=42)
    with pytest.raises(ConnectorError) as err:
        connect(fake).run_action("create_item", {"item_name": "ליד"})
    assert (err.value.kind, err.value.retry_after, err.value.code) == (
        ErrorKind.RATE_LIMITED,
        42.0,
        "COMPLEXITY_BUDGET_EXHAUSTED",
    )
    assert err.value.retryable and err.value.status == 200


def test_minute_limit_is_transient_with_its_retry_after(fake: FakeMonday) -> None:
    fake.minute_limit(retry_in_seconds=20)
    with pytest.raises(ConnectorError) as err:
        connect(fake).run_action("update_columns", {"item_id": "9100000001", "values": {"status": "נסגר"}})
    assert (err.value.kind, err.value.retry_after) == (ErrorKind.RATE_LIMITED, 20.0)


def test_legacy_complexity_exception_reset_seconds_are_honoured(fake: FakeMonday) -> None:
    legacy = {
        "error_code": "ComplexityException",
        "status_code": 429,
        "error_message": "Complexity budget exhausted, query cost 30001 budget remaining 19986 out of 1000000 reset in 3 seconds",
        "error_data": {},
        "errors": [
            "Complexity budget exhausted, query cost 30001 budget remaining 19986 out of 1000000 reset in 3 seconds"
        ],
        "account_id": 1234567890,
    }
    fake.fail_next(200, json_body=legacy)
    with pytest.raises(ConnectorError) as err:
        connect(fake).run_action("create_item", {"item_name": "ליד"})
    assert (err.value.kind, err.value.retry_after) == (ErrorKind.RATE_LIMITED, 3.0)


def test_unknown_status_label_is_permanent_and_names_the_column(fake: FakeMonday) -> None:
    with pytest.raises(ConnectorError) as err:
        connect(fake).run_action(
            "create_item", {"item_name": "ליד", "values": {"status": "חדש!!", "phone_mkq1": "050-1234567"}}
        )
    error = err.value
    assert error.kind is ErrorKind.INVALID_REQUEST and not error.retryable  # never retried
    assert error.code == "ColumnValueException"
    assert "column 'status' (סטטוס)" in error.message and "possible statuses" in error.message
    assert error.details == {"column_id": "status", "column_type": "status"}
    assert fake.items == {}


def test_a_column_the_board_lacks_is_misconfigured_before_any_write(fake: FakeMonday) -> None:
    with pytest.raises(ConnectorError) as err:
        connect(fake).run_action("create_item", {"item_name": "ליד", "values": {"phone": "050-1234567"}})
    assert err.value.kind is ErrorKind.MISCONFIGURED and "no column 'phone'" in err.value.message
    assert fake.requests_for("create_item") == []


def test_hebrew_values_round_trip(fake: FakeMonday) -> None:
    name = "שִׁמְעוֹן בֶּן־דָּוִד — שיפוץ קומפלט (Penthouse) 140 מ״ר"
    details = "\u200fלקוח חוזר: ״תודה על העבודה ב-2024״, מבקש הצעה ל-3 חדרים + מרפסת 12m²; תקציב ₪180,000"
    connector = connect(fake)
    item = connector.run_action(
        "create_item", {"item_name": name, "values": {"long_text_mk1": details, "text_mk_city": "תל אביב-יפו"}}
    )
    record = connector.get_record(RecordRef(module=DEMO_BOARD_ID, id=item.id))
    assert record is not None
    assert record.fields["name"] == name
    assert record.fields["long_text_mk1"] == {"text": details}
    assert record.fields["text_mk_city"] == "תל אביב-יפו"
    assert "\\u05" not in fake.exchanges[-1][1].body.decode("utf-8")  # Hebrew travels as UTF-8, not escapes


def test_update_columns_changes_the_item(fake: FakeMonday) -> None:
    connector = connect(fake)
    item = connector.run_action("create_item", {"item_name": "ליד", "values": {"status": "ליד חדש"}})
    changed = connector.run_action("update_columns", {"item_id": item.id, "values": {"status": "הצעת מחיר נשלחה"}})
    assert changed.action == "updated"
    assert sent_values(fake, "change_multiple_column_values") == {"status": {"label": "הצעת מחיר נשלחה"}}
    assert fake.item_text(fake.items[item.id], "status") == "הצעת מחיר נשלחה"


@pytest.mark.parametrize(
    ("script", "kind"),
    [
        (lambda f: f.revoke_token(), ErrorKind.AUTH_INVALID),
        (lambda f: f.fail_next(502, text="<html>Bad Gateway</html>"), ErrorKind.UNREACHABLE),
        (
            lambda f: f.fail_next(500, json_body={"error_message": "Internal server error", "status_code": 500}),
            ErrorKind.UNREACHABLE,
        ),
        (
            lambda f: f.fail_next(
                200,
                json_body={
                    "errors": [
                        {
                            "message": "User unauthorized to perform action",
                            "path": ["create_item"],
                            "extensions": {"code": "UserUnauthorizedException", "error_data": {}, "status_code": 403},
                        }
                    ],
                    "account_id": 27311,
                },
            ),
            ErrorKind.MISCONFIGURED,
        ),
    ],
)
def test_http_and_permission_failures_map_to_the_taxonomy(fake: FakeMonday, script: Any, kind: ErrorKind) -> None:
    connector = connect(fake)
    connector.check()  # board metadata read first, so the scripted answer meets the mutation
    script(fake)
    with pytest.raises(ConnectorError) as err:
        connector.run_action("create_item", {"item_name": "ליד"})
    assert err.value.kind is kind
    assert fake.api_token.removeprefix("revoked:") not in str(err.value)


def test_a_wrong_board_is_misconfigured(fake: FakeMonday) -> None:
    result = connect(fake, board_id="777").check()
    assert result.status.value == "misconfigured" and "777" in result.detail


def test_sandbox_fake_prepares_the_tenants_board_for_its_rules() -> None:
    settings = {"board_id": "4400112233", "group_id": "new_leads", "key_column_id": "text_key", "api_token_env": "X"}
    planned = [
        (
            "create_item",
            {
                "item_name": "{{ event.slots.name }}",
                "values": {"status": "פנייה מהאתר", "phone_mkq9": "{{ event.slots.phone }}"},
            },
        )
    ]
    sandbox = MondayConnector.sandbox_fake(settings, planned=planned)
    try:
        config = {k: v for k, v in settings.items() if not k.endswith("_env")} | sandbox.overrides | sandbox.secrets
        connector = MondayConnector(config, session=requests.Session())
        assert connector.check().ok
        item = connector.run_action(
            "create_item",
            {
                "item_name": "נועה",
                "values": {"status": "פנייה מהאתר", "phone_mkq9": "0501112233"},
                "idempotency_key": "k1",
            },
        )
        fake: FakeMonday = sandbox.fake
        assert fake.items[item.id]["group_id"] == "new_leads"
    finally:
        sandbox.stop()


def test_a_local_time_without_offset_is_the_tenants_time_zone(fake: FakeMonday) -> None:
    # Workflow events give preferred_time as "2026-12-07T10:00" in the tenant's zone (winter: UTC+2).
    connect(fake).run_action("create_item", {"item_name": "ליד", "values": {"date4": "2026-12-07T10:00"}})
    assert sent_values(fake, "create_item") == {"date4": {"date": "2026-12-07", "time": "08:00:00"}}


def test_two_jobs_racing_for_one_key_leave_one_item(fake: FakeMonday, monkeypatch: pytest.MonkeyPatch) -> None:
    """Another job created the same lead between our search and our create: the older item is kept."""
    from sochen.connectors import RecordUpsert

    upsert = RecordUpsert(
        module=DEMO_BOARD_ID,
        fields={"name": "מורן — איטום גג", "text_sochen_key": "lead-0777", "status": "בטיפול"},
        key_fields=["text_sochen_key"],
    )
    first = connect(fake).upsert_record(upsert.model_copy(update={"fields": {**upsert.fields, "status": "ליד חדש"}}))
    connector = connect(fake)
    real_find = connector._find
    calls = {"n": 0}

    def stale_first_search(*args: Any, **kwargs: Any) -> list[dict[str, Any]]:
        calls["n"] += 1
        return [] if calls["n"] == 1 else real_find(*args, **kwargs)  # searched before the other job's create landed

    monkeypatch.setattr(connector, "_find", stale_first_search)
    ref = connector.upsert_record(upsert)
    active = [i for i in fake.items.values() if i["state"] == "active"]
    assert (ref.id, ref.action) == (first.id, "updated")
    assert [i["id"] for i in active] == [first.id]
    assert fake.item_text(active[0], "status") == "בטיפול"
    assert len(fake.requests_for("archive_item")) == 1
