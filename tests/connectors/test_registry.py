from __future__ import annotations

from importlib.metadata import EntryPoint

import pytest

from sochen.config import reset_settings
from sochen.connectors import (
    ConnectorConfigError,
    ConnectorRegistryError,
    build_config,
    discover,
    load_connector,
)
from sochen.connectors.registry import ENTRY_POINT_GROUP, installed_names

from . import sochen_sample

pytestmark = pytest.mark.unit

S = sochen_sample.__name__  # whatever name pytest imported the sample package under


def ep(name: str, value: str) -> EntryPoint:
    return EntryPoint(name=name, value=value, group=ENTRY_POINT_GROUP)


def test_builtins_are_declared_as_entry_points() -> None:
    assert {"whatsapp", "zoho_crm", "n8n"} <= set(installed_names())


def test_allow_list_loads_only_what_was_asked() -> None:
    eps = [ep("sample", S + ":SampleConnector"), ep("broken", "no_such_module_xyz:Nope")]
    found = discover(["sample"], eps=eps)
    assert list(found) == ["sample"]  # the broken one was never imported
    assert found["sample"].to_dict()["capabilities"] == ["trigger_workflow"]


def test_allow_list_setting_is_honoured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOCHEN_CONNECTORS_ALLOW", '["sample"]')
    reset_settings()
    try:
        eps = [
            ep("sample", S + ":SampleConnector"),
            ep("broken", "no_such_module_xyz:Nope"),
        ]
        assert list(discover(eps=eps)) == ["sample"]
    finally:
        monkeypatch.delenv("SOCHEN_CONNECTORS_ALLOW")
        reset_settings()


def test_allowed_but_missing_is_an_error() -> None:
    with pytest.raises(ConnectorRegistryError, match="'ghost' is allowed but not installed"):
        discover(["ghost"], eps=[])


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (S + ":MisnamedConnector", "whose name is 'other'"),
        (
            S + ":OverclaimingConnector",
            "declares capability 'send_message' but does not implement it",
        ),
        (S + ":HalfWebhookConnector", "missing parse_webhook"),
        (S + ":NotAConnector", "does not point at a Connector subclass"),
        ("no_such_module_xyz:Nope", "cannot be imported"),
    ],
)
def test_inconsistent_connectors_stop_start_up(value: str, message: str) -> None:
    with pytest.raises(ConnectorRegistryError, match=message):
        discover(["sample"], eps=[ep("sample", value)])


def test_folder_must_match_name() -> None:
    with pytest.raises(ConnectorRegistryError, match="must be named 'n8n' or 'sochen_n8n'"):
        discover(["n8n"], eps=[ep("n8n", "sochen.connectors.whatsapp:WhatsAppConnector")])


def test_collision_names_both_distributions() -> None:
    eps = [
        ep("sample", S + ":SampleConnector"),
        ep("sample", "elsewhere:SampleConnector"),
    ]
    with pytest.raises(ConnectorRegistryError, match="claimed by more than one distribution") as err:
        discover(["sample"], eps=eps)
    assert "elsewhere:SampleConnector" in str(err.value)


def test_build_config_reads_secrets_from_environment() -> None:
    cls = load_connector("sample", eps=[ep("sample", S + ":SampleConnector")]).cls
    config = build_config(cls, {"token_env": "SAMPLE_TOKEN"}, environ={"SAMPLE_TOKEN": "s3cr3t-ערך"})
    assert config.token.get_secret_value() == "s3cr3t-ערך"
    assert "s3cr3t" not in repr(config)


def test_build_config_explains_every_problem() -> None:
    cls = load_connector("sample", eps=[ep("sample", S + ":SampleConnector")]).cls
    with pytest.raises(ConnectorConfigError) as err:
        build_config(cls, {"tokn_env": "X", "timeout_s": -1}, environ={})
    text = str(err.value)
    assert "unknown key — did you mean `token_env`?" in text
    assert "`timeout_s`" in text
    with pytest.raises(ConnectorConfigError, match="environment variable 'MISSING_VAR' is not set"):
        build_config(cls, {"token_env": "MISSING_VAR"}, environ={})


def test_a_stale_metadata_copy_does_not_hide_entry_points(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    # e.g. an old `sochen.egg-info` left in a checkout that is first on sys.path
    stale = tmp_path / "sochen.egg-info"
    stale.mkdir()
    (stale / "PKG-INFO").write_text("Metadata-Version: 2.1\nName: sochen\nVersion: 0.0.1\n", encoding="utf-8")
    (stale / "entry_points.txt").write_text("[console_scripts]\nsochen = sochen.cli:main\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert {"whatsapp", "zoho_crm", "n8n"} <= set(installed_names())
    assert discover(["whatsapp"], use_settings=False)["whatsapp"].version == "0.1.0"


def test_public_api_is_exactly_this() -> None:
    import sochen.connectors as public

    assert len(set(public.__all__)) == len(public.__all__)
    for name in public.__all__:
        assert getattr(public, name) is not None
    assert {"Connector", "ConnectorConfig", "Capability", "ConnectorError", "ErrorKind", "discover"} <= set(
        public.__all__
    )
    assert not [
        n
        for n in dir(public)
        if not n.startswith("_")
        and n not in public.__all__
        and n
        not in (
            "annotations",
            "base",
            "channel",
            "errors",
            "http",
            "phone",
            "registry",
            "types",
            "testing",
            "whatsapp",
            "zoho_crm",
            "n8n",
            "webchat",
        )
    ]
