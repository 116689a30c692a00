"""The fake refuses what HubSpot refuses, answers in HubSpot's shapes, and never answers 500 to bad input."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from sochen_hubspot import HubSpotConnector
from sochen_hubspot._spec import load_spec, match_operation, validate
from sochen_hubspot.testing import FakeHubSpot

pytestmark = pytest.mark.unit


@pytest.fixture
def fake() -> Iterator[FakeHubSpot]:
    with FakeHubSpot() as server:
        yield server


def call(fake: FakeHubSpot, method: str, path: str, body: Any = None, **headers: str) -> requests.Response:
    sent = {"Authorization": f"Bearer {fake.access_token}", "Content-Type": "application/json", **headers}
    data = body if isinstance(body, bytes) else (None if body is None else json.dumps(body).encode("utf-8"))
    return requests.request(method, fake.url + path, data=data, headers=sent, timeout=5)


def assert_hubspot_error(response: requests.Response, status: int, category: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert validate(body, {"$ref": "#/components/schemas/Error"}, answer=True) == [], body
    assert body["category"] == category and body["status"] == "error"
    return body


def test_the_subset_names_its_source_commit_and_licence() -> None:
    source = load_spec()["source"]
    assert source["repository"] == "https://github.com/HubSpot/HubSpot-public-api-spec-collection"
    assert len(source["commit"]) == 40 and "proprietary" in source["licence"] and "Apache-2.0" in source["licence"]
    assert {o["path"] for o in load_spec()["operations"]} >= {
        "/crm/v3/objects/contacts/search",
        "/crm/v4/objects/{objectType}/{objectId}/associations/{toObjectType}",
    }


def test_bodies_are_checked_against_the_documents(fake: FakeHubSpot) -> None:
    no_associations = call(fake, "POST", "/crm/v3/objects/tasks", {"properties": {"hs_timestamp": "2026-11-23"}})
    body = assert_hubspot_error(no_associations, 400, "VALIDATION_ERROR")
    assert body["errors"][0]["in"] == "$.associations"
    number = call(fake, "POST", "/crm/v3/objects/contacts", {"properties": {"phone": 972501234567}, "associations": []})
    assert assert_hubspot_error(number, 400, "VALIDATION_ERROR")["errors"][0]["in"] == "$.properties.phone"
    search = {
        "filterGroups": [{"filters": [{"propertyName": "email", "operator": "EQUALS", "value": "a@b.co"}]}],
        "properties": [],
        "sorts": [],
        "limit": 5,
        "after": "0",
    }
    bad_operator = call(fake, "POST", "/crm/v3/objects/contacts/search", search)
    assert "EQUALS" in assert_hubspot_error(bad_operator, 400, "VALIDATION_ERROR")["message"]
    del search["after"]
    assert assert_hubspot_error(call(fake, "POST", "/crm/v3/objects/contacts/search", search), 400, "VALIDATION_ERROR")
    unknown_key = call(fake, "POST", "/crm/v3/objects/contacts", {"properties": {}, "associations": [], "upsert": True})
    assert assert_hubspot_error(unknown_key, 400, "VALIDATION_ERROR")["errors"][0]["in"] == "$.upsert"


def test_auth_content_type_and_unknown_routes(fake: FakeHubSpot) -> None:
    answer = requests.get(fake.url + "/crm/v3/objects/contacts", timeout=5)
    assert_hubspot_error(answer, 401, "INVALID_AUTHENTICATION")
    answer = call(fake, "GET", "/crm/v3/objects/contacts", Authorization="Bearer pat-eu1-someone-else")
    assert_hubspot_error(answer, 401, "INVALID_AUTHENTICATION")
    form = call(fake, "POST", "/crm/v3/objects/contacts", b"email=a@b.co", **{"Content-Type": "text/plain"})
    assert form.status_code == 415
    assert_hubspot_error(call(fake, "GET", "/crm/v3/objects/deals"), 404, "OBJECT_NOT_FOUND")


def test_search_semantics() -> None:
    with FakeHubSpot(search_per_second=50) as fake:
        search_semantics(fake)


def test_search_has_its_own_limit_of_five_a_second() -> None:
    now = [1_772_000_000.0]
    with FakeHubSpot(clock=lambda: now[0]) as fake:
        body = {"filterGroups": [], "properties": [], "sorts": [], "limit": 1, "after": "0"}
        answers = [call(fake, "POST", "/crm/v3/objects/contacts/search", body) for _ in range(6)]
        assert [a.status_code for a in answers[:5]] == [200] * 5
        assert answers[5].status_code == 429 and answers[5].json()["policyName"] == "SECONDLY"
        assert answers[5].headers["Retry-After"] == "1"
        assert call(fake, "GET", "/crm/v3/objects/contacts").status_code == 200  # the ten-second window is another
        now[0] += 1.0
        assert call(fake, "POST", "/crm/v3/objects/contacts/search", body).status_code == 200


def search_semantics(fake: FakeHubSpot) -> None:
    dana = fake.add_contact(email="Dana@Example.co.il", phone="050-123-4567", city="רמת גן")
    yossi = fake.add_contact(email="yossi@example.co.il", phone="052-000-1111", city="חיפה")

    def search(*groups: list[dict[str, Any]]) -> list[str]:
        body = {
            "filterGroups": [{"filters": g} for g in groups],
            "properties": ["city"],
            "sorts": [],
            "limit": 10,
            "after": "0",
        }
        answer = call(fake, "POST", "/crm/v3/objects/contacts/search", body)
        assert answer.status_code == 200 and "X-HubSpot-RateLimit-Max" not in answer.headers  # search has none
        return [r["id"] for r in answer.json()["results"]]

    eq = {"propertyName": "email", "operator": "EQ", "value": "dana@example.co.il"}
    assert search([eq]) == [dana]  # EQ ignores case on strings
    haifa = {"propertyName": "city", "operator": "EQ", "value": "חיפה"}
    assert search([eq, haifa]) == []  # filters in a group: AND
    assert search([eq], [haifa]) == [dana, yossi]  # groups: OR
    assert (
        search([{"propertyName": "email", "operator": "IN", "values": ["Dana@Example.co.il"]}]) == []
    )  # lower-case only
    assert search([{"propertyName": "phone", "operator": "HAS_PROPERTY"}]) == [dana, yossi]
    seven = {"filterGroups": [{"filters": [eq]}] * 7, "properties": [], "sorts": [], "limit": 10, "after": "0"}
    assert_hubspot_error(call(fake, "POST", "/crm/v3/objects/contacts/search", seven), 400, "VALIDATION_ERROR")
    missing = {"propertyName": "no_such_property", "operator": "EQ", "value": "x"}
    body = {"filterGroups": [{"filters": [missing]}], "properties": [], "sorts": [], "limit": 10, "after": "0"}
    assert_hubspot_error(call(fake, "POST", "/crm/v3/objects/contacts/search", body), 400, "VALIDATION_ERROR")


def test_property_errors_have_errors_and_the_legacy_message(fake: FakeHubSpot) -> None:
    answer = call(
        fake,
        "POST",
        "/crm/v3/objects/contacts",
        {"properties": {"email": "לא-מייל", "lifecyclestage": "ליד"}, "associations": []},
    )
    body = assert_hubspot_error(answer, 400, "VALIDATION_ERROR")
    assert [(e["code"], e["context"]["propertyName"]) for e in body["errors"]] == [
        ("INVALID_EMAIL", ["email"]),
        ("INVALID_OPTION", ["lifecyclestage"]),
    ]
    legacy = json.loads(body["message"].split(": ", 1)[1])
    assert [(item["error"], item["name"]) for item in legacy] == [
        ("INVALID_EMAIL", "email"),
        ("INVALID_OPTION", "lifecyclestage"),
    ]
    conflict_first = call(
        fake, "POST", "/crm/v3/objects/contacts", {"properties": {"email": "a@b.co"}, "associations": []}
    )
    assert conflict_first.status_code == 201
    again = call(fake, "POST", "/crm/v3/objects/contacts", {"properties": {"email": "A@b.co"}, "associations": []})
    assert (
        assert_hubspot_error(again, 409, "CONFLICT")["message"]
        == f"Contact already exists. Existing ID: {conflict_first.json()['id']}"
    )


ODD = [
    None,
    0,
    1.5,
    "text",
    [],
    [[1]],
    {"properties": None},
    {"properties": []},
    {"properties": {"a": {"b": 1}}},
    {"inputs": "x"},
    {"filterGroups": [None]},
    {"associations": [{"to": None, "types": [{}]}], "properties": {}},
]


@pytest.mark.parametrize("body", ODD, ids=[json.dumps(b) for b in ODD])
def test_odd_json_never_makes_the_fake_answer_500(fake: FakeHubSpot, body: Any) -> None:
    contact = fake.add_contact(firstname="בדיקה")
    for method, path in [
        ("POST", "/crm/v3/objects/contacts"),
        ("PATCH", f"/crm/v3/objects/contacts/{contact}"),
        ("POST", "/crm/v3/objects/contacts/search"),
        ("POST", "/crm/v3/objects/tasks"),
        ("POST", "/crm/v3/objects/notes"),
        ("POST", "/crm/v3/objects/tasks/batch/read"),
    ]:
        answer = call(fake, method, path, body)
        assert answer.status_code == 400, (method, path, answer.status_code, answer.text)


def test_everything_the_connector_sends_is_an_operation_of_the_documents(fake: FakeHubSpot) -> None:
    connector = HubSpotConnector({"access_token": fake.access_token, "api_url": fake.url}, session=requests.Session())
    contact = connector.run_action("upsert_contact", {"phone": "050-765-4321", "email": "noa@example.co.il"})
    connector.run_action("create_task", {"contact": {"id": contact.id}, "subject": "שיחה", "idempotency_key": "k1"})
    connector.run_action("add_note", {"contact": {"id": contact.id}, "body": "הערה", "idempotency_key": "k2"})
    connector.run_action("set_stage", {"contact": {"id": contact.id}, "lifecycle_stage": "opportunity"})
    assert connector.check().ok
    exchanges = fake.exchanges
    assert len(exchanges) >= 9
    for request, response in exchanges:
        assert match_operation(request.method, request.path) is not None, request.path
        assert response is not None and response.status < 400, (request.path, response.body)
