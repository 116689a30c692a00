"""The fake monday refuses what monday refuses: it parses and validates every operation with graphql-core."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from sochen_monday.testing import DEMO_BOARD_ID, FakeMonday

pytestmark = pytest.mark.unit

CREATE = """mutation ($board: ID!, $name: String!, $values: JSON) {
  create_item(board_id: $board, item_name: $name, column_values: $values) { id }
}"""


@pytest.fixture
def fake() -> Iterator[FakeMonday]:
    with FakeMonday() as running:
        yield running


def call(fake: FakeMonday, query: str, variables: dict[str, Any] | None = None, **headers: str) -> requests.Response:
    return requests.post(
        f"{fake.url}/v2",
        json={"query": query, "variables": variables or {}},
        headers={"Authorization": fake.api_token, "API-Version": "2025-10", **headers},
        timeout=5,
    )


def test_a_field_monday_does_not_have_is_a_validation_error(fake: FakeMonday) -> None:
    answer = call(fake, "query { boards(ids: [1]) { id owner_phone } }")
    assert answer.status_code == 200
    (error,) = answer.json()["errors"]
    assert "owner_phone" in error["message"] and error["locations"]


def test_a_wrong_argument_type_and_a_syntax_error_are_refused(fake: FakeMonday) -> None:
    wrong = call(fake, "query { items_page_by_column_values(board_id: 1, columns: [{column_id: 5}]) { cursor } }")
    assert wrong.json()["errors"] and "data" not in wrong.json()
    broken = call(fake, 'mutation { create_item(board_id: 1, item_name: "x" { id }')
    assert broken.status_code == 200 and "Syntax Error" in broken.json()["errors"][0]["message"]


def test_column_values_must_be_a_json_string_as_monday_documents(fake: FakeMonday) -> None:
    as_object = call(fake, CREATE, {"board": DEMO_BOARD_ID, "name": "ליד", "values": {"status": {"label": "בטיפול"}}})
    assert "$values" in as_object.json()["errors"][0]["message"] and fake.items == {}
    as_string = call(
        fake, CREATE, {"board": DEMO_BOARD_ID, "name": "ליד", "values": json.dumps({"status": {"label": "בטיפול"}})}
    )
    assert as_string.json()["data"]["create_item"]["id"]


@pytest.mark.parametrize(
    ("values", "column_type"),
    [
        ({"phone_mkq1": {"phone": "+972501234567"}}, "phone"),
        ({"phone_mkq1": {"phone": "050-123-4567", "countryShortName": "IL"}}, "phone"),
        ({"status": {"label": "Done"}}, "status"),
        ({"status": {"index": 4}}, "status"),
        ({"date4": {"date": "23/11/2026"}}, "date"),
        ({"date4": {"date": "2026-11-23", "time": "5pm"}}, "date"),
        ({"people_mk1": {"personsAndTeams": [{"id": "41234567", "kind": "person"}]}}, "people"),
        ({"people_mk1": {"personsAndTeams": [{"id": 1, "kind": "person"}]}}, "people"),
        ({"long_text_mk1": {"value": "טקסט"}}, "long_text"),
        ({"email_mk1": {"email": "not-an-email", "text": "x"}}, "email"),
        ({"text_mk_city": {"text": "חיפה"}}, "text"),
    ],
)
def test_each_column_type_refuses_a_wrong_shape(fake: FakeMonday, values: dict[str, Any], column_type: str) -> None:
    answer = call(fake, CREATE, {"board": DEMO_BOARD_ID, "name": "ליד", "values": json.dumps(values)})
    body = answer.json()
    assert answer.status_code == 200 and body["data"] == {"create_item": None}
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "ColumnValueException"
    assert error["extensions"]["error_data"]["column_type"] == column_type
    assert error["path"] == ["create_item"]
    assert fake.items == {}


def test_unknown_board_and_column_use_mondays_codes(fake: FakeMonday) -> None:
    board = call(fake, CREATE, {"board": "1", "name": "ליד"}).json()["errors"][0]["extensions"]
    column = call(fake, CREATE, {"board": DEMO_BOARD_ID, "name": "ליד", "values": json.dumps({"nope": "x"})}).json()
    assert board["code"] == "InvalidBoardIdException"
    assert column["errors"][0]["extensions"] == {
        "code": "InvalidColumnIdException",
        "status_code": 200,
        "error_data": {"column_id": "nope"},
    }


def test_no_token_is_401_and_no_query_is_400(fake: FakeMonday) -> None:
    assert call(fake, "query { me { id } }", Authorization="wrong").status_code == 401
    empty = requests.post(f"{fake.url}/v2", json={}, headers={"Authorization": fake.api_token}, timeout=5)
    assert empty.status_code == 400


@pytest.mark.parametrize("odd", [None, 7, "text", [1, 2], {"a": {"b": [None]}}, True, "[[[]]]", '{"status": null}'])
def test_odd_input_never_makes_the_fake_fail(fake: FakeMonday, odd: Any) -> None:
    for variables in ({"board": DEMO_BOARD_ID, "name": "x", "values": odd}, {"board": odd, "name": odd}):
        answer = call(fake, CREATE, variables)
        assert answer.status_code == 200, answer.text
    raw = requests.post(f"{fake.url}/v2", data=b"\xff{", headers={"Authorization": fake.api_token}, timeout=5)
    assert raw.status_code == 400
