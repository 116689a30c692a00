"""Normalised types that cross the connector seam, in both directions.

Everything vendor-specific stays in ``provider_details`` so the rest of Sochen never learns a
vendor's shape. Ids and timestamps are kept as the strings the vendor sent (WhatsApp timestamps are
Unix seconds as strings); phone numbers are E.164 (``+972501234567``). All types are frozen pydantic
models that reject unknown keys, so they round-trip through the outbox as JSON.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "REJECTED_ITEM",
    "ButtonsMessage",
    "CheckResult",
    "CheckStatus",
    "Contact",
    "DeliveryStatus",
    "InboundEvent",
    "InboundMessage",
    "ListMessage",
    "ListRow",
    "ListSection",
    "MediaRef",
    "OutboundMessage",
    "ProviderIssue",
    "ProviderNotice",
    "Record",
    "RecordQuery",
    "RecordRef",
    "RecordUpsert",
    "ReplyButton",
    "ReplyContext",
    "Selection",
    "SendResult",
    "TemplateMessage",
    "TextMessage",
    "WebhookRequest",
    "WorkflowEvent",
    "WorkflowRunRef",
    "WorkflowTrigger",
]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --------------------------------------------------------------------------------------------- inbound


@dataclass(frozen=True)
class WebhookRequest:
    """An inbound HTTP request exactly as received: the raw body bytes are what signatures cover."""

    method: str
    body: bytes = b""
    headers: Mapping[str, str] = field(default_factory=dict)
    query: Mapping[str, str] = field(default_factory=dict)
    path: str = "/"

    def header(self, name: str) -> str | None:
        """A header by case-insensitive name, or None."""
        wanted = name.lower()
        for key, value in self.headers.items():
            if key.lower() == wanted:
                return value
        return None


class ProviderIssue(_Model):
    """An error the provider reported inside a webhook or a response (not a failure of our call)."""

    code: str = Field(description="The provider's error code, as a string ('131051').")
    title: str = Field(default="", description="Short title from the provider.")
    message: str = Field(default="", description="Message from the provider.")
    details: str = Field(default="", description="Longer explanation, if any.")
    where: str = Field(default="", description="Where in the payload it was found, e.g. 'value', 'message'.")


class Contact(_Model):
    """The person on the other side."""

    id: str = Field(description="The provider's id for the person (WhatsApp: wa_id).")
    phone: str | None = Field(default=None, description="E.164 phone number, when the provider gives one.")
    name: str | None = Field(default=None, description="Display name the person chose.")
    provider_details: dict[str, Any] = Field(default_factory=dict, description="Vendor-specific fields.")


class MediaRef(_Model):
    """A reference to media held by the provider; download it through the connector."""

    kind: Literal["image", "video", "audio", "voice", "document", "sticker"] = Field(description="Media kind.")
    media_id: str = Field(description="Provider media id (WhatsApp ids expire after 7 days).")
    mime_type: str | None = Field(default=None, description="MIME type announced by the provider.")
    sha256: str | None = Field(default=None, description="Checksum announced by the provider (base64).")
    caption: str | None = Field(default=None, description="Caption written by the sender.")
    filename: str | None = Field(default=None, description="File name (documents).")
    provider_details: dict[str, Any] = Field(default_factory=dict, description="Vendor-specific fields.")


class ReplyContext(_Model):
    """What an inbound message refers to."""

    message_id: str | None = Field(default=None, description="Id of the message replied to.")
    from_id: str | None = Field(default=None, description="Sender of the message replied to.")
    forwarded: bool = Field(default=False, description="The message was forwarded.")
    frequently_forwarded: bool = Field(default=False, description="Forwarded many times.")


class Selection(_Model):
    """A button or list row the person picked."""

    id: str = Field(description="The id we gave the button or row (or a template button payload).")
    title: str = Field(default="", description="The label the person saw.")
    description: str | None = Field(default=None, description="List row description, if any.")
    source: Literal["button", "list", "template_button"] = Field(description="What was picked.")


class InboundMessage(_Model):
    """A message a person sent to the business."""

    type: Literal["message"] = "message"
    event_id: str = Field(description="Dedupe key: the same delivery always yields the same id.")
    connector: str = Field(description="Connector name that produced it.")
    message_id: str = Field(description="Provider message id.")
    timestamp: str = Field(description="Provider timestamp, as sent (WhatsApp: Unix seconds).")
    contact: Contact = Field(description="The sender.")
    kind: str = Field(description="text, image, audio, interactive, button, reaction, location, ...")
    text: str | None = Field(default=None, description="Text, caption or reaction emoji.")
    media: list[MediaRef] = Field(default_factory=list, description="Media attached.")
    reply_to: ReplyContext | None = Field(default=None, description="Reply / forward context.")
    selection: Selection | None = Field(default=None, description="Button or list choice.")
    errors: list[ProviderIssue] = Field(default_factory=list, description="Errors the provider attached.")
    provider_details: dict[str, Any] = Field(default_factory=dict, description="Vendor-specific fields.")


class DeliveryStatus(_Model):
    """What happened to a message we sent. Statuses arrive in any order and some are skipped."""

    type: Literal["status"] = "status"
    event_id: str = Field(description="Dedupe key: message id + status.")
    connector: str = Field(description="Connector name that produced it.")
    message_id: str = Field(description="Provider id of our message.")
    status: str = Field(description="sent, delivered, read, played, failed, ...")
    timestamp: str = Field(description="Provider timestamp, as sent.")
    recipient_id: str = Field(description="Provider id of the recipient.")
    errors: list[ProviderIssue] = Field(default_factory=list, description="Why it failed, if it did.")
    provider_details: dict[str, Any] = Field(default_factory=dict, description="Vendor-specific fields.")


class ProviderNotice(_Model):
    """Errors or other notices the provider sent without a message or status to attach them to."""

    type: Literal["notice"] = "notice"
    event_id: str = Field(description="Dedupe key.")
    connector: str = Field(description="Connector name that produced it.")
    field: str = Field(description="What the notice is about (WhatsApp: changes[].field).")
    errors: list[ProviderIssue] = Field(default_factory=list, description="Errors reported.")
    provider_details: dict[str, Any] = Field(default_factory=dict, description="Vendor-specific fields.")


REJECTED_ITEM = "rejected"
"""``ProviderNotice.field`` for one item of a batch that could not be read: a parser returns it (with the
reason in ``errors`` and the item in ``provider_details['item']``) instead of failing the whole delivery,
so the batch's other items are stored and processed and this one is kept, marked rejected."""


class WorkflowEvent(_Model):
    """A call from an automation (n8n) into Sochen, for the tenant."""

    type: Literal["workflow_event"] = "workflow_event"
    event_id: str = Field(description="Dedupe key: sent by the caller, or derived from the body.")
    connector: str = Field(description="Connector name that produced it.")
    name: str = Field(description="Event name the caller gave ('appointment.booked'), or 'unnamed'.")
    payload: dict[str, Any] = Field(default_factory=dict, description="The JSON body the caller sent.")
    provider_details: dict[str, Any] = Field(default_factory=dict, description="Vendor-specific fields.")


InboundEvent = Annotated[InboundMessage | DeliveryStatus | ProviderNotice | WorkflowEvent, Field(discriminator="type")]
"""Everything ``parse_webhook`` may return."""


# -------------------------------------------------------------------------------------------- outbound


class _Outbound(_Model):
    to: str = Field(description="Recipient: E.164 phone number or the provider's contact id.")
    reply_to: str | None = Field(default=None, description="Provider message id this answers, if any.")
    tracking: str | None = Field(default=None, description="Opaque tracker echoed back in delivery statuses.")
    provider_details: dict[str, Any] = Field(default_factory=dict, description="Vendor-specific options.")
    idempotency_key: str | None = Field(
        default=None,
        max_length=200,
        description="The outbox job's key, given by the dispatcher: a channel that stores messages itself (the "
        "web chat) stores each once by it; a provider without such a notion ignores it.",
    )


class TextMessage(_Outbound):
    """Free text (inside the customer-service window)."""

    type: Literal["text"] = "text"
    text: str = Field(min_length=1, max_length=4096, description="The text.")
    preview_url: bool = Field(default=False, description="Render a link preview.")


class TemplateMessage(_Outbound):
    """A pre-approved template: the only thing that may open a conversation."""

    type: Literal["template"] = "template"
    name: str = Field(min_length=1, description="Template name as approved.")
    language: str = Field(default="he", description="Template language code ('he', 'en_US').")
    body_parameters: list[str] = Field(default_factory=list, description="Values for {{1}}, {{2}}, ... in the body.")
    header_parameters: list[str] = Field(default_factory=list, description="Text values for the header.")
    button_payloads: list[str] = Field(
        default_factory=list, description="Payloads of quick-reply buttons, by button index."
    )


class ReplyButton(_Model):
    """One reply button."""

    id: str = Field(min_length=1, max_length=256, description="Returned to us when pressed.")
    title: str = Field(min_length=1, max_length=20, description="Label (at most 20 characters).")


class ButtonsMessage(_Outbound):
    """Text with up to three reply buttons."""

    type: Literal["buttons"] = "buttons"
    body: str = Field(min_length=1, max_length=1024, description="Body text.")
    buttons: list[ReplyButton] = Field(min_length=1, max_length=3, description="One to three buttons.")
    header: str | None = Field(default=None, max_length=60, description="Header text.")
    footer: str | None = Field(default=None, max_length=60, description="Footer text.")


class ListRow(_Model):
    """One row of a list message."""

    id: str = Field(min_length=1, max_length=200, description="Returned to us when chosen.")
    title: str = Field(min_length=1, max_length=24, description="Row title (at most 24 characters).")
    description: str | None = Field(default=None, max_length=72, description="Row description.")


class ListSection(_Model):
    """A titled group of rows."""

    title: str = Field(default="", max_length=24, description="Section title.")
    rows: list[ListRow] = Field(min_length=1, description="Rows in this section.")


class ListMessage(_Outbound):
    """A menu of up to ten rows behind one button."""

    type: Literal["list"] = "list"
    body: str = Field(min_length=1, max_length=4096, description="Body text.")
    button: str = Field(min_length=1, max_length=20, description="Label of the button that opens the list.")
    sections: list[ListSection] = Field(min_length=1, max_length=10, description="Sections (10 rows in all).")
    header: str | None = Field(default=None, max_length=60, description="Header text.")
    footer: str | None = Field(default=None, max_length=60, description="Footer text.")


OutboundMessage = Annotated[TextMessage | TemplateMessage | ButtonsMessage | ListMessage, Field(discriminator="type")]
"""Everything ``send_message`` accepts."""


class SendResult(_Model):
    """The provider accepted a message (delivery is reported later as a DeliveryStatus)."""

    message_id: str = Field(description="Provider message id.")
    to: str = Field(description="Recipient as the provider resolved it.")
    provider_details: dict[str, Any] = Field(default_factory=dict, description="Vendor-specific fields.")


# --------------------------------------------------------------------------------------------- records


class RecordRef(_Model):
    """Where a record lives."""

    module: str = Field(description="Record type ('Leads', 'Contacts', 'events').")
    id: str = Field(description="Provider record id.")
    action: Literal["created", "updated", "unchanged"] | None = Field(
        default=None, description="What a write did, when the provider says."
    )
    provider_details: dict[str, Any] = Field(default_factory=dict, description="Vendor-specific fields.")


class Record(_Model):
    """A record with its fields, named as the provider names them."""

    module: str = Field(description="Record type.")
    id: str | None = Field(default=None, description="Provider record id (None before it exists).")
    fields: dict[str, Any] = Field(default_factory=dict, description="Field values by provider field name.")
    provider_details: dict[str, Any] = Field(default_factory=dict, description="Vendor-specific fields.")


class RecordUpsert(_Model):
    """Create a record, or update the one whose key fields match."""

    module: str = Field(description="Record type.")
    fields: dict[str, Any] = Field(description="Field values by provider field name.")
    key_fields: list[str] = Field(
        min_length=1,
        description="Fields that identify the record; repeating the call with the same "
        "values updates instead of creating.",
    )


class RecordQuery(_Model):
    """Find records whose fields equal the given values (all must match)."""

    module: str = Field(description="Record type.")
    equals: dict[str, str] = Field(min_length=1, description="Field name → value.")
    limit: int = Field(default=10, ge=1, le=200, description="At most this many records.")


# ------------------------------------------------------------------------------------------- workflows


class WorkflowTrigger(_Model):
    """Start a workflow with a JSON payload."""

    workflow: str = Field(min_length=1, description="Which workflow (n8n: its production webhook path).")
    payload: dict[str, Any] = Field(default_factory=dict, description="JSON sent to the workflow.")
    idempotency_key: str | None = Field(
        default=None, description="Sent along so the workflow can drop repeats; also the run id if given."
    )


class WorkflowRunRef(_Model):
    """A started (or finished) workflow run."""

    workflow: str = Field(description="The workflow triggered.")
    run_id: str = Field(description="Id of this run (ours when the provider returns none).")
    status: Literal["accepted", "completed"] = Field(
        description="'accepted': started, result unknown. 'completed': the workflow answered with data."
    )
    response: Any = Field(default=None, description="What the workflow answered, when it answers with data.")
    provider_details: dict[str, Any] = Field(default_factory=dict, description="Vendor-specific fields.")


# ---------------------------------------------------------------------------------------------- check


class CheckStatus(StrEnum):
    """Outcome of ``check()``: ok, or one of a closed set."""

    OK = "ok"
    AUTH_INVALID = "auth_invalid"
    UNREACHABLE = "unreachable"
    RATE_LIMITED = "rate_limited"
    MISCONFIGURED = "misconfigured"


class CheckResult(_Model):
    """Whether the connector can work with its configuration right now."""

    status: CheckStatus = Field(description="ok or what is wrong.")
    detail: str = Field(default="", description="One line for a person: what was checked or what failed.")
    retry_after: float | None = Field(default=None, description="Seconds to wait, when rate-limited.")

    @property
    def ok(self) -> bool:
        """Whether the check passed."""
        return self.status is CheckStatus.OK
