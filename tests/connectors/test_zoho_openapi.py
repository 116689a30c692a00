"""The Zoho fake answers, and the connector asks, in the shapes of Zoho's v8 OpenAPI documents."""

from __future__ import annotations

import json
from typing import Any

import pytest

from sochen.connectors import ConnectorError, RecordUpsert
from sochen.connectors.zoho_crm import BatchUpsert, LeadParams, NoteParams, SearchParams

from ._oas import Spec
from ._support import FIXTURES

pytestmark = pytest.mark.unit

RECORD = Spec(FIXTURES / "zoho" / "record.openapi.json")
NOTES = Spec(FIXTURES / "zoho" / "notes.openapi.json")


def answers(fake: Any, path: str, method: str = "POST") -> list[tuple[Any, Any]]:
    return [
        (request, json.loads(response.body) if response.body else None)
        for request, response in fake.crm.exchanges
        if path in request.path and request.method == method
    ]


def response_schema(spec: Spec, path: str, method: str) -> dict[str, Any]:
    return spec.doc["paths"][path][method]["responses"]["200"]["content"]["application/json"]["schema"]


def test_upsert_requests_and_answers_follow_the_documents(zoho: Any, zoho_fake: Any) -> None:
    zoho_fake.crm.set_unique("Leads", "Phone")
    zoho.upsert_lead(LeadParams(last_name="כהן", phone="050-123-4567"))
    zoho.upsert_lead(LeadParams(last_name="כהן", phone="050-123-4567", email="dana@example.co.il"))
    records = [{"Last_Name": "לוי", "Phone": "0521111111"}, {"Phone": "0522222222"}]  # the second is refused
    zoho.upsert_records(BatchUpsert(module="Leads", records=records, key_fields=["Phone"]))
    schema = response_schema(RECORD, "/crm/v8/{module_api_name}/upsert", "post")
    exchanged = answers(zoho_fake, "/upsert")
    assert len(exchanged) == 2  # the second lead was found by phone and updated by id
    ((update, _),) = answers(zoho_fake, "/crm/v8/Leads/", "PUT")
    assert RECORD.errors(update.json(), RECORD.schema("Body_Wrapper")) == []
    for request, body in exchanged:
        assert set(request.json()) <= set(RECORD.schema("Body_Wrapper")["properties"])
        assert RECORD.errors(request.json(), RECORD.schema("Body_Wrapper")) == []
        assert RECORD.errors(body, schema) == [], body
        for item in body["data"]:
            one_of = [RECORD.schema("Success_Response"), RECORD.schema("API_Exception")]
            assert any(not RECORD.errors(item, s) for s in one_of), item


def test_search_answer_follows_the_documents(zoho: Any, zoho_fake: Any) -> None:
    zoho.upsert_lead(LeadParams(last_name="לוי", phone="052-765-4321"))
    zoho.search(SearchParams(phone="0527654321"))
    (body,) = [body for _, body in answers(zoho_fake, "/search", "GET") if body is not None]
    assert RECORD.errors(body, RECORD.schema("Response_Wrapper")) == []
    assert set(body["info"]) <= set(RECORD.schema("Info")["properties"])


def test_note_request_and_answer_follow_the_documents(zoho: Any, zoho_fake: Any) -> None:
    lead = zoho.upsert_lead(LeadParams(last_name="כהן", phone="050-123-4567"))
    zoho.add_note(NoteParams(parent=lead, content="ביקשה שיחזרו אליה", title="שיחה"))
    ((request, body),) = answers(zoho_fake, "/Notes")
    # The Note schema lists read-only fields as required, so the request is checked key by key.
    assert set(request.json()) <= set(NOTES.schema("Body_Wrapper")["properties"])
    (note,) = request.json()["data"]
    assert set(note) <= set(NOTES.schema("Note")["properties"])
    assert NOTES.errors(note["Parent_Id"], NOTES.schema("Parent_Id")) == []
    assert NOTES.errors(body["data"][0], NOTES.schema("Success_Response")) == []


def test_error_bodies_follow_the_documents(zoho: Any, zoho_fake: Any) -> None:
    exception = RECORD.schema("API_Exception")
    zoho.upsert_lead(LeadParams(last_name="כהן", phone="050-123-4567"))
    zoho_fake.accounts.expire_tokens()
    zoho.upsert_lead(LeadParams(last_name="כהן", phone="050-123-4567"))
    with pytest.raises(ConnectorError):
        zoho.search(SearchParams(module="Leadz", phone="0501234567"))
    with pytest.raises(ConnectorError):
        zoho.upsert_record(RecordUpsert(module="Leads", fields={"Phone": "0529876543"}, key_fields=["Phone"]))
    codes = set()
    for _, response in zoho_fake.crm.exchanges:
        body = json.loads(response.body) if response.body else None
        items = body.get("data", [body]) if isinstance(body, dict) and body.get("status") != "error" else [body]
        for item in items:
            if isinstance(item, dict) and item.get("status") == "error":
                assert RECORD.errors(item, exception) == [], item
                codes.add(item["code"])
    assert codes == {"INVALID_TOKEN", "INVALID_MODULE", "MANDATORY_NOT_FOUND"}
