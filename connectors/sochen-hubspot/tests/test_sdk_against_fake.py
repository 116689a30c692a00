"""HubSpot's own SDK (hubspot-api-client, generated from the same OpenAPI documents) as an independent
client of the fake: if the fake answered anything the SDK's models cannot read, the SDK raises."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from sochen_hubspot.testing import FakeHubSpot

hubspot = pytest.importorskip("hubspot", reason="hubspot-api-client is a test dependency (the dev extra)")

pytestmark = pytest.mark.unit


@pytest.fixture
def fake() -> Iterator[FakeHubSpot]:
    with FakeHubSpot(search_per_second=50) as server:
        yield server


def test_the_sdk_reads_every_answer_of_the_fake(fake: FakeHubSpot) -> None:
    from hubspot.crm.associations.v4 import AssociationSpec as V4Spec  # noqa: F401  (the v4 package exists)
    from hubspot.crm.contacts import Filter, FilterGroup, PublicObjectSearchRequest, SimplePublicObjectInputForCreate
    from hubspot.crm.objects.tasks import AssociationSpec, PublicAssociationsForObject, PublicObjectId
    from hubspot.crm.objects.tasks import SimplePublicObjectInputForCreate as TaskInput

    client = hubspot.HubSpot(access_token=fake.access_token, host=fake.url)
    created = client.crm.contacts.basic_api.create(
        SimplePublicObjectInputForCreate(
            properties={
                "firstname": "שירה",
                "lastname": "גולן",
                "phone": "+972529876543",
                "email": "shira@example.co.il",
            },
            associations=[],
        )
    )
    assert created.id in fake.contacts and created.properties["firstname"] == "שירה"
    read = client.crm.contacts.basic_api.get_by_id(created.id, properties=["phone"])
    assert read.properties["phone"] == "+972529876543"
    search = PublicObjectSearchRequest(
        filter_groups=[
            FilterGroup(filters=[Filter(property_name="email", operator="EQ", value="SHIRA@example.co.il")])
        ],
        properties=["email"],
        sorts=[],
        limit=10,
        after="0",
    )
    found = client.crm.contacts.search_api.do_search(public_object_search_request=search)
    assert (found.total, found.results[0].id) == (1, created.id)
    task = client.crm.objects.tasks.basic_api.create(
        TaskInput(
            properties={"hs_task_subject": "לחזור לשירה", "hs_timestamp": "2026-11-23T07:00:00.000Z"},
            associations=[
                PublicAssociationsForObject(
                    to=PublicObjectId(id=created.id),
                    types=[AssociationSpec(association_category="HUBSPOT_DEFINED", association_type_id=204)],
                )
            ],
        )
    )
    page = client.crm.associations.v4.basic_api.get_page("contacts", created.id, "tasks")
    assert [r.to_object_id for r in page.results] == [task.id]
    assert page.results[0].association_types[0].type_id == 203


def test_the_sdk_reads_the_fakes_errors(fake: FakeHubSpot) -> None:
    from hubspot.crm.contacts import SimplePublicObjectInputForCreate
    from hubspot.crm.contacts.exceptions import ApiException

    client = hubspot.HubSpot(access_token=fake.access_token, host=fake.url)
    with pytest.raises(ApiException) as err:
        client.crm.contacts.basic_api.create(
            SimplePublicObjectInputForCreate(properties={"lifecyclestage": "ליד"}, associations=[])
        )
    body = json.loads(err.value.body)
    assert (err.value.status, body["category"]) == (400, "VALIDATION_ERROR")
    assert body["errors"][0]["context"]["propertyName"] == ["lifecyclestage"]
    fake.revoke_token()
    with pytest.raises(ApiException) as err:
        client.crm.contacts.basic_api.get_page(limit=1)
    assert err.value.status == 401 and json.loads(err.value.body)["category"] == "INVALID_AUTHENTICATION"
