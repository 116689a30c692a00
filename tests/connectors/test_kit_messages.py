"""The kit's failures say what is wrong (an integrator meets them first, inside an installed package)."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel

from sochen.connectors.base import action
from sochen.connectors.testing import ConnectorContractTests
from sochen.connectors.testing.channel import MinimalChannel

pytestmark = pytest.mark.unit


class PipedriveConnector(MinimalChannel):
    """Named 'pipedrive' but living in a folder of another name: the registry refuses it."""

    name = "pipedrive"


class Person(BaseModel):
    name: str


class LooseConnector(MinimalChannel):
    name = "loose"

    @action(idempotent=True)
    def find_person(self, person_id: int) -> dict[str, Any]:
        """Looks a person up (but takes an int and returns a dict: not storable as a job)."""
        return {"id": person_id}

    @action(idempotent=True)
    def tag_person(self, params: Person) -> Person:
        """A well-typed action, for contrast."""
        return params


def kit(cls: type) -> Any:
    class Suite(ConnectorContractTests):
        connector_class = cls

    return Suite()


def test_a_misnamed_package_says_which_name_it_wants():
    with pytest.raises(AssertionError) as err:
        kit(PipedriveConnector).test_class_is_consistent()
    message = str(err.value)
    assert "the connector class breaks the contract" in message and "pipedrive" in message


def test_an_untyped_action_is_named_with_what_it_takes_and_returns():
    with pytest.raises(AssertionError) as err:
        kit(LooseConnector).test_actions_are_typed()
    message = str(err.value)
    assert "action find_person must take one pydantic model" in message
    assert "action find_person must return a pydantic model" in message
    assert "tag_person" not in message


class RaisingCheckConnector(MinimalChannel):
    name = "raising"

    def check(self):  # type: ignore[override]
        from sochen.connectors.errors import ConnectorError, ErrorKind

        raise ConnectorError(ErrorKind.AUTH_INVALID, "the service answered 401")


def test_a_check_that_raises_is_told_to_return_its_outcome():
    connector = RaisingCheckConnector({"secret": "s3cret-for-tests"})
    with pytest.raises(pytest.fail.Exception) as err:
        kit(RaisingCheckConnector).test_check_ok(connector)
    assert "check_result_from_error" in str(err.value) and "must return a CheckResult" in str(err.value)
