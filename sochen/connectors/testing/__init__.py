"""The conformance kit for connectors, and the fake services it runs against.

An integrator's test module::

    from sochen.connectors.testing import ConnectorConformance

    class TestMyConnector(ConnectorConformance):
        connector_class = MyConnector

        @pytest.fixture
        def fake_api(self):
            with MyFake() as fake:
                yield fake

        def valid_config(self, fake_api):
            return {"base_url": fake_api.url, "token": "t0ken-for-tests"}

See ``docs/connectors.md`` for the walk-through and :mod:`sochen.connectors.testing.fakes` for
the fake servers (WhatsApp Graph API, Zoho accounts + CRM, n8n) and their base class.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "ConnectorConformance",
    "ConnectorContractTests",
    "MessageSenderContractTests",
    "RecordsContractTests",
    "WebhookContractTests",
    "WorkflowContractTests",
]


def __getattr__(name: str) -> Any:
    # The kit needs pytest; the fakes (used by the eval sandbox) must import without it.
    if name in __all__:
        import pytest

        # An installed package's asserts are not rewritten by pytest unless registered before import:
        # without this, a kit failure that has no message of its own would be a bare AssertionError.
        pytest.register_assert_rewrite(f"{__name__}._kit")
        from . import _kit

        return getattr(_kit, name)
    raise AttributeError(name)
