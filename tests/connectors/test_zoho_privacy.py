"""Zoho CRM erase_contact and correct_contact against the strict fake, in the v8 documents' shapes."""

from __future__ import annotations

import json
from typing import Any

import pytest

from sochen.connectors import ConnectorError, RecordRef
from sochen.connectors.zoho_crm import (
    ContactParams,
    CorrectContactParams,
    EraseContactParams,
    LeadParams,
    NoteParams,
    TaskParams,
)

from ._oas import Spec
from ._support import FIXTURES

pytestmark = pytest.mark.unit

RECORD = Spec(FIXTURES / "zoho" / "record.openapi.json")
NOTES = Spec(FIXTURES / "zoho" / "notes.openapi.json")
DANA = "+972501234567"
YOSSI = "+972501234568"


def _seed(zoho: Any) -> dict[str, str]:
    """Dana as a lead (her phone as staff typed it) and a contact (by e-mail); Yossi as a lead; notes and tasks."""
    dana_lead = zoho.upsert_lead(LeadParams(last_name="כהן", first_name="דנה", phone="050-123-4567")).id
    dana_contact = zoho.upsert_contact(
        ContactParams(last_name="כהן", first_name="דנה", email="dana.cohen@example.co.il")
    ).id
    yossi = zoho.upsert_lead(LeadParams(last_name="לוי", first_name="יוסי", phone=YOSSI)).id
    lead = RecordRef(module="Leads", id=dana_lead)
    zoho.add_note(NoteParams(parent=lead, content="כאב חזק בשן", title="פנייה", idempotency_key="job-1"))
    zoho.add_note(NoteParams(parent=lead, content="הערה של הצוות", title="מהצוות"))  # no marker: staff's
    zoho.create_task(TaskParams(subject="להתקשר לדנה", related=lead, idempotency_key="job-2"))
    contact = RecordRef(module="Contacts", id=dana_contact)
    zoho.create_task(TaskParams(subject="לשלוח סיכום", related=contact, idempotency_key="job-3"))
    zoho.add_note(
        NoteParams(parent=RecordRef(module="Leads", id=yossi), content="יוסי", title="פנייה", idempotency_key="j-4")
    )
    return {"lead": dana_lead, "contact": dana_contact, "yossi": yossi}


def test_erase_contact_deletes_her_records_and_sochens_notes_and_tasks_and_never_yossi(zoho: Any, zoho_fake: Any):
    ids = _seed(zoho)
    crm = zoho_fake.crm
    result = zoho.erase_contact(EraseContactParams(phones=[DANA], emails=["dana.cohen@example.co.il"]))
    assert result.deleted == {"Leads": 1, "Contacts": 1, "Notes": 1, "Tasks": 2}
    assert result.kept_unmarked == 1  # the staff's note is reported, not deleted
    assert [r["id"] for r in crm.records("Leads")] == [ids["yossi"]]
    assert crm.records("Contacts") == []
    assert [t["Subject"] for t in crm.records("Tasks")] == []
    titles = sorted(n.get("Note_Title", "") for n in crm.records("Notes"))
    assert titles[0] == "מהצוות" and len(titles) == 2  # Yossi's note stays
    # The requests: DELETE with ids in the query and no body, answers in the documents' shapes.
    deletes = [(q, a) for q, a in _answers(zoho_fake, "DELETE")]
    assert deletes and all(not q.body and q.param("ids") for q, _ in deletes)
    for request, answer in deletes:
        spec = NOTES if request.path.endswith("/Notes") else RECORD
        path = "/crm/v8/Notes" if spec is NOTES else "/crm/v8/{module_api_name}"
        schema = spec.doc["paths"][path]["delete"]["responses"]["200"]["content"]["application/json"]["schema"]
        assert spec.errors(answer, schema) == [], answer
        assert ("wf_trigger" in request.query) == (spec is RECORD)
    # A retry (the job ran again after a lost answer) finds nothing more to delete and asks for nothing.
    before = len(deletes)
    again = zoho.erase_contact(EraseContactParams(phones=["050-1234567"], emails=[]))
    assert again.deleted == {"Leads": 0, "Contacts": 0, "Notes": 0, "Tasks": 0}
    assert len(list(_answers(zoho_fake, "DELETE"))) == before


def test_erase_contact_over_the_action_contract_and_bad_input(zoho: Any, zoho_fake: Any):
    _seed(zoho)
    assert "erase_contact" in type(zoho).actions() and "correct_contact" in type(zoho).actions()
    out = zoho.run_action("erase_contact", {"phones": ["0501234567"], "emails": []})
    assert out.deleted["Leads"] == 1
    with pytest.raises(ConnectorError, match="phone or an e-mail"):
        zoho.erase_contact(EraseContactParams())


def test_the_fake_refuses_what_zoho_refuses_on_delete(zoho: Any, zoho_fake: Any):
    ids = _seed(zoho)
    with pytest.raises(ConnectorError, match="REQUIRED_PARAM_MISSING"):
        zoho.client.call("DELETE", "Leads", params={"wf_trigger": "true"})  # no ids
    with pytest.raises(ConnectorError):
        zoho.client.call("DELETE", "Leads", params={"ids": ",".join(str(i) for i in range(101))})
    with pytest.raises(ConnectorError):
        zoho.client.call("DELETE", "Leads", params={"ids": ids["lead"], "wf_trigger": "maybe"})
    with pytest.raises(ConnectorError):
        zoho.client.call("DELETE", "Notes", params={"ids": "1", "wf_trigger": "true"})  # not a Notes parameter
    status, body = zoho.client.call("DELETE", "Leads", params={"ids": f"{ids['lead']},999"})
    assert status == 207 and [i["status"] for i in body["data"]] == ["success", "error"]
    assert body["data"][1]["code"] == "INVALID_DATA"


def _answers(fake: Any, method: str) -> Any:
    for request, response in fake.crm.exchanges:
        if request.method == method:
            yield request, json.loads(response.body) if response.body else None


@pytest.mark.parametrize(
    ("field", "old", "new", "expect"),
    [
        ("phone", "050-123-4567", "052-765-4321", {"Phone": "+972527654321"}),
        ("email", "dana.cohen@example.co.il", "dana.k@example.co.il", {"Email": "dana.k@example.co.il"}),
        ("name", "דנה כהן", "דנה כהן-לוי", {"First_Name": "דנה", "Last_Name": "כהן-לוי"}),
    ],
)
def test_correct_contact_updates_her_records_only_and_is_repeatable(zoho: Any, zoho_fake: Any, field, old, new, expect):
    ids = _seed(zoho)
    keys = {"phones": [DANA], "emails": ["dana.cohen@example.co.il"]}
    result = zoho.correct_contact(CorrectContactParams(**keys, field=field, old=old, new=new))
    crm = zoho_fake.crm
    lead = next(r for r in crm.records("Leads") if r["id"] == ids["lead"])
    for name, value in expect.items():
        assert lead[name] == value
    expected_contacts = 0 if field == "phone" else 1  # the contact has no phone to correct
    assert result.updated == {"Leads": 1, "Contacts": expected_contacts}
    yossi = next(r for r in crm.records("Leads") if r["id"] == ids["yossi"])
    assert yossi["Last_Name"] == "לוי" and yossi["Phone"] == YOSSI
    # Repeated (a retried job): the records are found by the new value and hold it already or get it again.
    again = zoho.correct_contact(CorrectContactParams(**keys, field=field, old=old, new=new))
    lead = next(r for r in crm.records("Leads") if r["id"] == ids["lead"])
    assert all(lead[k] == v for k, v in expect.items())
    assert again.updated["Leads"] <= 1
