"""Zoho's official Python SDK (``zohocrmsdk8-0``, the ``dev`` extra) runs against the fake Zoho.

An independent client, written by Zoho, pointed at the fake on loopback through the SDK's own
``DataCenter.Environment(url, accounts_url, file_upload_url)``: it refreshes its token, reads the
metadata a real client reads (current user, org, field metadata), upserts with a duplicate
check, reads Zoho's error shape for a refused duplicate check, and searches by phone. If the fake
answered anything the SDK cannot parse, the SDK would raise.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.unit

sdk = pytest.importorskip("zohocrmsdk.src.com.zoho.crm.api.initializer", reason="zohocrmsdk8-0 (dev extra)")


def test_the_official_sdk_works_against_the_fake(zoho_fake: Any, tmp_path: Path) -> None:
    from zohocrmsdk.src.com.zoho.api.authenticator.oauth_token import OAuthToken
    from zohocrmsdk.src.com.zoho.api.authenticator.store import FileStore
    from zohocrmsdk.src.com.zoho.api.logger import Logger
    from zohocrmsdk.src.com.zoho.crm.api.dc.data_center import DataCenter
    from zohocrmsdk.src.com.zoho.crm.api.parameter_map import ParameterMap
    from zohocrmsdk.src.com.zoho.crm.api.record import (
        ActionWrapper,
        APIException,
        BodyWrapper,
        Record,
        RecordOperations,
        ResponseWrapper,
        SearchRecordsParam,
        SuccessResponse,
    )
    from zohocrmsdk.src.com.zoho.crm.api.sdk_config import SDKConfig

    environment = DataCenter.Environment(
        zoho_fake.api_domain, f"{zoho_fake.accounts_url}/oauth/v2/token", zoho_fake.api_domain
    )
    token = OAuthToken(
        client_id=zoho_fake.client_id, client_secret=zoho_fake.client_secret, refresh_token=zoho_fake.refresh_token
    )
    sdk.Initializer.initialize(
        environment=environment,
        token=token,
        store=FileStore(str(tmp_path / "tokens.csv")),
        sdk_config=SDKConfig(auto_refresh_fields=False, pick_list_validation=True, read_timeout=5, connect_timeout=5),
        resource_path=str(tmp_path),
        logger=Logger.get_instance(Logger.Levels.INFO, str(tmp_path / "sdk.log")),
    )
    leads = RecordOperations("Leads")

    def upsert(checks: list[str], **fields: Any) -> Any:
        record = Record()
        for name, value in fields.items():
            record.add_key_value(name, value)
        body = BodyWrapper()
        body.set_data([record])
        body.set_duplicate_check_fields(checks)
        body.set_trigger(["workflow"])
        return leads.upsert_records(body)

    first = upsert(["Email"], Last_Name="כהן", First_Name="דנה", Phone="050-123-4567", Email="dana@example.co.il")
    assert first.get_status_code() == 200 and isinstance(first.get_object(), ActionWrapper)
    (created,) = first.get_object().get_data()
    assert isinstance(created, SuccessResponse) and created.get_code().get_value() == "SUCCESS"
    lead_id = created.get_details()["id"]

    again = upsert(["Email"], Last_Name="כהן", Phone="+972501234567", Email="dana@example.co.il")
    (updated,) = again.get_object().get_data()
    assert updated.get_details()["id"] == lead_id and updated.get_message().get_value() == "record updated"

    refused = upsert(["Phone"], Last_Name="לוי", Phone="052-765-4321")  # Phone is not unique in this Zoho
    assert refused.get_status_code() == 400 and isinstance(refused.get_object(), APIException)
    assert refused.get_object().get_code().get_value() == "INVALID_DATA"
    assert refused.get_object().get_details()["api_name"] == "duplicate_check_fields"

    params = ParameterMap()
    params.add(SearchRecordsParam.phone, "+972501234567")
    found = leads.search_records(params)
    assert found.get_status_code() == 200 and isinstance(found.get_object(), ResponseWrapper)
    assert [(str(r.get_id()), r.get_key_value("Last_Name")) for r in found.get_object().get_data()] == [
        (str(lead_id), "כהן")
    ]

    (refresh,) = zoho_fake.accounts.requests  # the token refresh, as a form post, once
    assert refresh.form()["grant_type"] == "refresh_token" and refresh.form()["client_id"] == zoho_fake.client_id
    paths = [(r.method, r.path) for r in zoho_fake.crm.requests]
    assert ("GET", "/crm/v8/users") in paths and ("GET", "/crm/v8/org") in paths
    assert ("GET", "/crm/v8/settings/fields") in paths
    assert all(r.headers["Authorization"].startswith("Zoho-oauthtoken 1000.") for r in zoho_fake.crm.requests)
    assert len(zoho_fake.crm.records("Leads")) == 1
