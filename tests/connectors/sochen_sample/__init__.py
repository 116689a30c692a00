"""Tiny connector classes for registry tests (importable as `sochen_sample`)."""

from __future__ import annotations

from pydantic import Field, SecretStr

from sochen.connectors import (
    Capability,
    CheckResult,
    CheckStatus,
    Connector,
    ConnectorConfig,
    WorkflowRunRef,
    WorkflowTrigger,
)


class SampleConfig(ConnectorConfig):
    token: SecretStr = Field(description="API token.")


class SampleConnector(Connector[SampleConfig]):
    name = "sample"
    title = "Sample"
    config_model = SampleConfig
    capabilities = frozenset({Capability.TRIGGER_WORKFLOW})

    def check(self) -> CheckResult:
        return CheckResult(status=CheckStatus.OK)

    def trigger_workflow(self, trigger: WorkflowTrigger) -> WorkflowRunRef:
        return WorkflowRunRef(workflow=trigger.workflow, run_id="r1", status="accepted")


class MisnamedConnector(SampleConnector):
    name = "other"


class OverclaimingConnector(SampleConnector):
    capabilities = frozenset({Capability.TRIGGER_WORKFLOW, Capability.SEND_MESSAGE})


class HalfWebhookConnector(SampleConnector):
    capabilities = frozenset({Capability.TRIGGER_WORKFLOW})

    def verify_webhook(self, request: object) -> None:  # type: ignore[override]
        return None


class NotAConnector:
    name = "sample"
