from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from sochen.connectors import CheckStatus, ConnectorError, RecordQuery, RecordRef
from sochen.connectors.testing.fakes import zoho_error
from sochen.connectors.zoho_crm import (
    ACCOUNTS_HOSTS,
    BatchUpsert,
    LeadParams,
    SearchParams,
    TaskParams,
    ZohoCrmConfig,
    criteria_equals,
)

pytestmark = pytest.mark.unit

LEAD = LeadParams(last_name="כהן", first_name="דנה", phone="050-123-4567", description="מבקשת תור לניקוי אבנית")


def crm_calls(fake: Any) -> list[Any]:
    return [r for r in fake.crm.requests]


def test_accounts_host_per_data_centre() -> None:
    assert ACCOUNTS_HOSTS["ca"] == "https://accounts.zohocloud.ca"
    config = ZohoCrmConfig(data_centre="ca", client_id="c", client_secret="s", refresh_token="r")
    assert config.token_url() == "https://accounts.zohocloud.ca/oauth/v2/token"
    eu = ZohoCrmConfig(data_centre="eu", client_id="c", client_secret="s", refresh_token="r")
    assert eu.token_url() == "https://accounts.zoho.eu/oauth/v2/token"


def test_upsert_lead_by_normalised_phone_creates_one_record(zoho: Any, zoho_fake: Any) -> None:
    first = zoho.upsert_lead(LEAD)
    again = zoho.upsert_lead(LEAD.model_copy(update={"phone": "+972 50 123 4567", "email": "dana@example.co.il"}))
    assert first.id == again.id and (first.action, again.action) == ("created", "updated")
    (record,) = zoho_fake.crm.records("Leads")
    assert record["Phone"] == "+972501234567" and record["Email"] == "dana@example.co.il"
    # Phone is not unique in this Zoho: no duplicate_check_fields Zoho would refuse; the search found the lead.
    assert zoho_fake.crm.requests_to("/upsert") == []
    (create,) = zoho_fake.crm.requests_to("/crm/v8/Leads", "POST")
    assert create.headers["Authorization"].startswith("Zoho-oauthtoken 1000.")
    assert "trigger" not in create.json()  # left out: Zoho runs every automation, as for staff's leads
    assert [r.path for r in zoho_fake.crm.requests_to("/crm/v8/Leads/", "PUT")] == [f"/crm/v8/Leads/{first.id}"]
    # The token was fetched once, from the accounts host, as a form post; CRM calls went to api_domain.
    (token_call,) = zoho_fake.accounts.requests
    assert token_call.form()["grant_type"] == "refresh_token"
    assert all(r.path.startswith("/crm/v8/") for r in zoho_fake.crm.requests)


def test_unique_phone_is_sent_as_zohos_duplicate_check(zoho: Any, zoho_fake: Any) -> None:
    zoho_fake.crm.set_unique("Leads", "Phone")
    zoho.upsert_lead(LEAD)
    (request,) = zoho_fake.crm.requests_to("/upsert")
    assert request.json()["duplicate_check_fields"] == ["Phone"]


def test_token_cached_until_expiry(zoho: Any, zoho_fake: Any, clock: Any) -> None:
    zoho.upsert_lead(LEAD)
    zoho.search(SearchParams(phone="0501234567"))
    assert zoho_fake.accounts.issued == 1
    clock.now += 3600
    zoho.search(SearchParams(phone="0501234567"))
    assert zoho_fake.accounts.issued == 2


@pytest.mark.parametrize("status", [401, 400])
def test_expired_token_is_refreshed_once_keyed_on_code(zoho: Any, zoho_fake: Any, status: int) -> None:
    zoho.upsert_lead(LEAD)
    zoho_fake.crm.invalid_token_status = status
    zoho_fake.accounts.expire_tokens()
    ref = zoho.upsert_lead(LEAD)
    assert ref.action == "updated" and zoho_fake.accounts.issued == 2


def test_invalid_token_twice_is_auth_invalid(zoho: Any, zoho_fake: Any) -> None:
    zoho_fake.crm.fail_next(
        401,
        json_body={
            "code": "INVALID_TOKEN",
            "details": {},
            "message": "invalid oauth token",
            "status": "error",
        },
        times=5,
    )
    with pytest.raises(ConnectorError) as err:
        zoho.upsert_lead(LEAD)
    assert (err.value.kind, err.value.code) == ("auth_invalid", "INVALID_TOKEN")
    assert zoho_fake.accounts.issued == 2 and len(zoho_fake.crm.requests) == 2


def test_token_endpoint_errors_arrive_as_200(zoho_fake: Any, clock: Any) -> None:
    from sochen.connectors.zoho_crm import TokenCache, ZohoCrmConnector

    bad = ZohoCrmConnector(
        {
            "client_id": zoho_fake.client_id,
            "client_secret": zoho_fake.client_secret,
            "refresh_token": "revoked",
            "accounts_url": zoho_fake.accounts_url,
        },
        clock=clock,
        sleep=clock.sleep,
        token_cache=TokenCache(),
    )
    with pytest.raises(ConnectorError) as err:
        bad.upsert_lead(LEAD)
    assert (err.value.kind, err.value.code, err.value.status) == ("auth_invalid", "invalid_code", 200)
    assert bad.check().status is CheckStatus.AUTH_INVALID
    assert "revoked" not in str(err.value) and "revoked" not in repr(bad)


def test_outage_of_500s_then_429s_is_survived(zoho: Any, zoho_fake: Any, clock: Any) -> None:
    internal = {
        "code": "INTERNAL_ERROR",
        "details": {},
        "message": "Internal Server Error",
        "status": "error",
    }
    limited = {"code": "TOO_MANY_REQUESTS", "details": {}, "message": "too many requests", "status": "error"}
    zoho_fake.crm.fail_next(500, json_body=internal, times=2)
    zoho_fake.crm.fail_next(429, json_body=limited, times=2)
    ref = zoho.upsert_lead(LEAD)
    assert ref.action == "created" and len(zoho_fake.crm.records("Leads")) == 1
    assert clock.slept == [1.0, 2.0, 4.0, 8.0]  # exponential, from the injected clock: nobody waited


def test_rate_limit_with_retry_after_and_exhaustion(zoho: Any, zoho_fake: Any, clock: Any) -> None:
    zoho_fake.crm.fail_next(
        429,
        json_body={"code": "TOO_MANY_REQUESTS", "details": {}, "message": "slow down", "status": "error"},
        headers={"Retry-After": "7"},
        times=10,
    )
    with pytest.raises(ConnectorError) as err:
        zoho.upsert_lead(LEAD)
    assert (err.value.kind, err.value.retry_after, err.value.retryable) == ("rate_limited", 7.0, True)
    assert clock.slept == [7.0] * 4 and len(zoho_fake.crm.requests) == 5


def test_credit_limit(zoho: Any, zoho_fake: Any) -> None:
    zoho_fake.crm.credits = 0
    with pytest.raises(ConnectorError) as err:
        zoho.search(SearchParams(email="dana@example.co.il"))
    assert err.value.kind == "rate_limited" and err.value.retry_after is not None
    assert zoho.check().status is CheckStatus.RATE_LIMITED


def test_task_not_repeated_after_500_but_after_429(zoho: Any, zoho_fake: Any) -> None:
    lead = zoho.upsert_lead(LEAD)
    task = TaskParams(subject="להתקשר ולתאם תור", related=lead, due_date=dt.date(2026, 3, 3))
    zoho_fake.crm.fail_next(500, json_body={"code": "INTERNAL_ERROR", "details": {}, "message": "x", "status": "error"})
    with pytest.raises(ConnectorError) as err:
        zoho.create_task(task)
    assert err.value.kind == "unreachable" and zoho_fake.crm.records("Tasks") == []
    zoho_fake.crm.fail_next(
        429, json_body={"code": "TOO_MANY_REQUESTS", "details": {}, "message": "x", "status": "error"}
    )
    ref = zoho.create_task(task)
    (stored,) = zoho_fake.crm.records("Tasks")
    assert stored["id"] == ref.id
    assert stored["What_Id"] == {"id": lead.id} and stored["$se_module"] == "Leads"
    assert stored["Due_Date"] == "2026-03-03"
    assert zoho.actions()["create_task"].idempotent  # with the job's key: see test_zoho_idempotent.py


def test_task_on_contact_uses_who_id_and_owner(zoho: Any, zoho_fake: Any) -> None:
    from sochen.connectors.zoho_crm import ContactParams

    contact = zoho.upsert_contact(ContactParams(last_name="לוי", phone="052-765-4321"))
    zoho.create_task(TaskParams(subject="לשלוח הצעת מחיר", related=contact, owner_id="4876876000000225013"))
    (stored,) = zoho_fake.crm.records("Tasks")
    assert stored["Who_Id"] == {"id": contact.id} and stored["Owner"] == {"id": "4876876000000225013"}


def test_task_linked_to_missing_record_is_refused(zoho: Any) -> None:
    ghost = RecordRef(module="Leads", id="4876876999999999999")
    with pytest.raises(ConnectorError) as err:
        zoho.create_task(TaskParams(subject="x", related=ghost))
    assert (err.value.kind, err.value.code, err.value.details["api_name"]) == (
        "invalid_request",
        "INVALID_DATA",
        "What_Id",
    )


def test_note_uses_v8_parent_object(zoho: Any, zoho_fake: Any) -> None:
    lead = zoho.upsert_lead(LEAD)
    ref = zoho.run_action("add_note", {"parent": lead.model_dump(), "content": "ביקשה שיחזרו אליה אחרי 17:00"})
    request = zoho_fake.crm.requests_to("/Notes", "POST")[0]
    assert request.json()["data"][0]["Parent_Id"] == {"module": {"api_name": "Leads"}, "id": lead.id}
    assert zoho_fake.crm.records("Notes")[0]["id"] == ref.id


def test_search_by_phone_email_and_no_match(zoho: Any, zoho_fake: Any) -> None:
    zoho.upsert_lead(LEAD.model_copy(update={"email": "dana@example.co.il"}))
    (by_phone,) = zoho.search(SearchParams(phone="050 1234567"))
    assert zoho_fake.crm.requests[-1].param("phone") == "+972501234567"
    assert by_phone.fields["Last_Name"] == "כהן"
    assert [r.id for r in zoho.search(SearchParams(email="DANA@example.co.il"))] == [by_phone.id]
    assert zoho.search(SearchParams(email="nobody@example.co.il")) == []  # Zoho answers 204
    with pytest.raises(ConnectorError, match="exactly one"):
        zoho.search(SearchParams(phone="0501234567", email="x@example.co.il"))


def test_search_criteria_escaping(zoho: Any) -> None:
    tricky = "מרפאת כהן (סניף צפון), בע״מ"
    assert criteria_equals({"Company": tricky}) == r"(Company:equals:מרפאת כהן \(סניף צפון\)\, בע״מ)"
    lead = zoho.upsert_lead(LEAD.model_copy(update={"company": tricky}))
    found = zoho.search_records(RecordQuery(module="Leads", equals={"Company": tricky, "Phone": "0501234567"}))
    assert [r.id for r in found] == [lead.id]
    with pytest.raises(ConnectorError):
        zoho.search_records(RecordQuery(module="Leads", equals={"bad name)": "x"}))


def test_batches_of_at_most_100_with_per_item_results(zoho: Any, zoho_fake: Any) -> None:
    zoho_fake.crm.set_unique("Leads", "Phone")  # a batch names its duplicate_check_fields: they must be unique
    records = [{"Last_Name": f"לקוח {i}", "Phone": f"050{i:07d}"} for i in range(250)]
    records[120] = {"Phone": "0509999999"}  # no Last_Name: Zoho refuses this one item (207)
    result = zoho.upsert_records(BatchUpsert(module="Leads", records=records, key_fields=["Phone"]))
    sizes = [len(r.json()["data"]) for r in zoho_fake.crm.requests_to("/upsert")]
    assert sizes == [100, 100, 50]
    assert len(result.items) == 250 and [i.index for i in result.items] == list(range(250))
    failed = [i for i in result.items if not i.ok]
    assert [(i.index, i.code, i.details["api_name"]) for i in failed] == [(120, "MANDATORY_NOT_FOUND", "Last_Name")]
    assert len(zoho_fake.crm.records("Leads")) == 249


def test_single_record_errors_are_raised(zoho: Any) -> None:
    from sochen.connectors import RecordUpsert

    with pytest.raises(ConnectorError) as err:
        zoho.upsert_record(RecordUpsert(module="Leads", fields={"Phone": "0501234567"}, key_fields=["Phone"]))
    assert (err.value.kind, err.value.code) == ("invalid_request", "MANDATORY_NOT_FOUND")
    with pytest.raises(ConnectorError) as bad_phone:
        zoho.upsert_lead(LEAD.model_copy(update={"phone": "not a phone"}))
    assert bad_phone.value.kind == "invalid_request"
    with pytest.raises(ConnectorError) as no_key:
        zoho.upsert_lead(LeadParams(last_name="כהן"))
    assert no_key.value.kind == "invalid_request"
    with pytest.raises(ConnectorError) as module:
        zoho.search(SearchParams(module="Leadz", phone="0501234567"))
    assert (module.value.kind, module.value.code) == ("misconfigured", "INVALID_MODULE")


def test_get_record(zoho: Any) -> None:
    lead = zoho.upsert_lead(LEAD)
    record = zoho.get_record(lead)
    assert record is not None and record.fields["First_Name"] == "דנה" and "Owner" in record.provider_details
    assert zoho.get_record(RecordRef(module="Leads", id="4876876999999999999")) is None


def test_check(zoho: Any, zoho_fake: Any) -> None:
    assert zoho.check().ok
    zoho_fake.crm.fail_next(
        401,
        json_body={
            "code": "OAUTH_SCOPE_MISMATCH",
            "details": {},
            "message": "invalid oauth scope",
            "status": "error",
        },
    )
    assert zoho.check().status is CheckStatus.MISCONFIGURED
    zoho_fake.crm.fail_next(503, text="Service Unavailable")
    assert zoho.check().status is CheckStatus.UNREACHABLE
    zoho_fake.crm.script_response(zoho_error("TOO_MANY_REQUESTS", "x", status=429))
    assert zoho.check().status is CheckStatus.RATE_LIMITED


def test_a_configured_api_domain_wins_over_the_one_cached_with_the_token(zoho_fake: Any, clock: Any) -> None:
    """Two configurations with the same credentials and accounts URL share a cached token; each calls its own CRM.

    (The eval sandbox starts a fake Zoho per run on loopback ports the system may reuse: a token cached
    by an earlier run's accounts port carried that run's, now closed, CRM port.)
    """
    from sochen.connectors.zoho_crm import TokenCache, ZohoCrmConnector
    from sochen.connectors.zoho_crm._auth import AccessToken

    cache = TokenCache()
    config = {
        "client_id": zoho_fake.client_id,
        "client_secret": zoho_fake.client_secret,
        "refresh_token": zoho_fake.refresh_token,
        "accounts_url": zoho_fake.accounts_url,
        "api_domain": zoho_fake.api_domain,
        "timeout_s": 2,
    }
    connector = ZohoCrmConnector(config, clock=clock, sleep=clock.sleep, token_cache=cache)
    token = connector.tokens.token()  # a real token from the fake accounts server
    stale = AccessToken(token.value, token.expires_at, "http://127.0.0.1:9")  # a closed port
    cache.put(connector.tokens._key, stale)
    result = connector.upsert_lead(LEAD)
    assert result.id and any(r for r in crm_calls(zoho_fake))
