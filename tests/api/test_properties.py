"""Property tests: arbitrary bodies, headers and paths never cause a 5xx, and a rejection stores nothing."""

from __future__ import annotations

import json
import string
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ._support import VECTOR_SECRET, count_deliveries, count_events, n8n_headers, sign, text_message
from .test_v1_auth_jobs import bearer, make_key

pytestmark = pytest.mark.unit

PROPERTY = settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)

header_text = st.text(alphabet=string.printable.strip() + " ", max_size=80)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=20,
)
whatsapp_like = st.fixed_dictionaries(
    {
        "object": st.sampled_from(["whatsapp_business_account", "page", ""]),
        "entry": st.lists(
            st.fixed_dictionaries(
                {
                    "id": json_values,
                    "changes": st.lists(st.dictionaries(st.sampled_from(["field", "value"]), json_values)),
                }
            ),
            max_size=3,
        ),
    }
)


def _deep(spec: tuple[int, str, bool]) -> bytes:
    """JSON nested ``depth`` levels (arrays or objects), inside a WhatsApp-shaped envelope or bare."""
    depth, kind, wrapped = spec
    inner = ("[" * depth + "]" * depth) if kind == "list" else ('{"a":' * depth + "1" + "}" * depth)
    text = (
        f'{{"object":"whatsapp_business_account","entry":[{{"changes":[{{"value":{inner}}}]}}]}}' if wrapped else inner
    )
    return text.encode()


deep_bodies = st.tuples(
    st.integers(min_value=60, max_value=12_000), st.sampled_from(["list", "dict"]), st.booleans()
).map(_deep)
bodies = st.one_of(
    st.binary(max_size=600),
    deep_bodies,
    json_values.map(lambda v: json.dumps(v).encode()),
    whatsapp_like.map(lambda v: json.dumps(v).encode()),
    st.just(text_message("wamid.prop")),
)
content_types = st.sampled_from(
    ["application/json", "application/json; charset=utf-8", "text/plain", "", "application/x-www-form-urlencoded"]
)
tenants = st.one_of(st.sampled_from(["clinic", "bare", "nobody"]), st.text(min_size=1, max_size=70))


@PROPERTY
@given(
    channel=st.sampled_from(["whatsapp", "n8n"]),
    tenant=tenants,
    body=bodies,
    content_type=content_types,
    signature=st.one_of(st.none(), header_text, st.just("sha256=" + "a" * 64)),
    extra=st.dictionaries(st.sampled_from(["X-Sochen-Event-Id", "X-Forwarded-For", "Accept"]), header_text),
)
def test_unsigned_or_wrongly_signed_requests_store_nothing(
    client, db_url, channel, tenant, body, content_type, signature, extra
):
    before = (count_events(db_url), count_deliveries(db_url))
    headers = {"Content-Type": content_type, **extra}
    name = "X-Hub-Signature-256" if channel == "whatsapp" else "X-Sochen-Signature"
    if signature is not None:
        headers[name] = signature
    response = client.post(f"/webhooks/{channel}/{quote(tenant, safe='')}", content=body, headers=headers)
    assert response.status_code < 500, response.text
    assert response.status_code != 200
    assert "error" in response.json()
    assert (count_events(db_url), count_deliveries(db_url)) == before


@PROPERTY
@given(body=bodies, event_id=st.one_of(st.none(), header_text.filter(str.strip)))
def test_signed_arbitrary_bodies_are_stored_or_refused_cleanly(client, db_url, body, event_id):
    for url, headers in (
        (
            "/webhooks/whatsapp/clinic",
            {"Content-Type": "application/json", "X-Hub-Signature-256": sign(VECTOR_SECRET, body)},
        ),
        ("/webhooks/n8n/clinic", n8n_headers(body, **({"X-Sochen-Event-Id": event_id} if event_id else {}))),
    ):
        before = (count_events(db_url), count_deliveries(db_url))
        response = client.post(url, content=body, headers=headers)
        assert response.status_code in (200, 400), response.text
        if response.status_code == 400:
            assert response.json()["error"]["code"] in ("invalid_payload", "payload_too_deep")
            assert (
                "Error" not in response.json()["error"]["message_en"] or "(" in response.json()["error"]["message_en"]
            )
            assert (count_events(db_url), count_deliveries(db_url)) == before
        else:
            ack = response.json()
            assert count_events(db_url) == before[0] + ack["new"]


@PROPERTY
@given(
    method=st.sampled_from(["GET", "POST", "DELETE", "PUT"]),
    path=st.one_of(
        st.sampled_from(
            [
                "/v1/clinic/ask",
                "/v1/clinic/documents",
                "/v1/clinic/jobs",
                "/v1/jobs/abc",
                "/v1/jobs/abc/retry",
                "/v1/clinic/documents/xyz",
                "/v1/bare/ask",
            ]
        ),
        st.tuples(
            st.sampled_from(
                [
                    "/v1/{}/jobs",
                    "/v1/jobs/{}",
                    "/v1/jobs/{}/cancel",
                    "/v1/clinic/documents/{}",
                    "/v1/{}/ask",
                    "/webhooks/whatsapp/{}",
                ]
            ),
            st.text(min_size=1, max_size=70),
        ).map(lambda t: t[0].format(quote(t[1], safe=""))),
    ),
    authorization=st.one_of(st.none(), header_text, st.sampled_from(["admin", "clinic", "bare"])),
    body=st.one_of(st.binary(max_size=300), json_values.map(lambda v: json.dumps(v).encode())),
    content_type=content_types,
)
def test_v1_never_answers_5xx(client, db_url, method, path, authorization, body, content_type):
    keys = getattr(client, "_prop_keys", None)
    if keys is None:
        keys = {
            "admin": make_key(db_url, None)[1],
            "clinic": make_key(db_url, "clinic")[1],
            "bare": make_key(db_url, "bare")[1],
        }
        client._prop_keys = keys
    headers = {"Content-Type": content_type}
    if authorization in keys:
        headers.update(bearer(keys[authorization]))
    elif authorization is not None:
        headers["Authorization"] = authorization
    response = client.request(method, path, content=body if method in ("POST", "PUT") else None, headers=headers)
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert "error" in response.json()
