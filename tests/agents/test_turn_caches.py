"""What the turn path remembers between turns is keyed so that a changed configuration is never served stale."""

from pathlib import Path

import pytest

from sochen.agents.nodes import _digest
from sochen.config import load_tenant_file

pytestmark = pytest.mark.unit
CLINIC = Path(__file__).resolve().parents[2] / "examples" / "tenants" / "clinic" / "tenant.yaml"


def test_the_remembered_digest_is_the_configurations_own() -> None:
    config = load_tenant_file(CLINIC).config
    assert _digest(config) == config.digest()
    assert _digest(config) == config.digest()  # the second time from memory, the same


def test_a_changed_copy_gets_its_own_digest() -> None:
    config = load_tenant_file(CLINIC).config
    first = _digest(config)
    renamed = config.model_copy(update={"name": "מרפאת השיניים של ד״ר כהן | Dr. Cohen's clinic"})
    assert _digest(renamed) == renamed.digest() != first
    assert _digest(config) == first


def test_an_equal_configuration_loaded_again_has_the_same_digest() -> None:
    assert _digest(load_tenant_file(CLINIC).config) == _digest(load_tenant_file(CLINIC).config)
