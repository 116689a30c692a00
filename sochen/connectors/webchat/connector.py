"""The web chat channel: a widget on the business's own site, with Sochen itself as the service.

It is a channel like any other (:mod:`sochen.connectors.channel`): ``verify_webhook`` checks the
visitor's signed token and the page's origin, ``parse_webhook`` turns the widget's POST into an
``InboundMessage`` (so it is stored as an inbound item and its outbox job before the widget hears
"received", exactly like a webhook), and ``send_message`` — run by the dispatcher for the agent's
replies and a person's replies from the inbox — stores the message for the visitor's stream. Its
"service" is Sochen's own database, so it declares ``uses_host`` and is built with a
:class:`~sochen.connectors.base.ConnectorHost` (tenant + database).

Contact: the random visitor id (``wc_...``) is the contact id, so a conversation, its history and its
inbox thread stay one when the visitor later gives a phone number; from then on the phone is the
contact's ``phone`` (E.164), which is what lead events use (a slot ``default_from_channel``, or the
phone the visitor typed).

Messaging window (``window_open``): web chat has no 24-hour rule, but a visitor who left the site
cannot be reached. The window is open while the visitor was seen (a message, or the widget open
and streaming) within ``reply_window_min`` minutes; a message stored then is shown live, or on the
next page load within the token's life. Outside it a person's reply is refused with that reason.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, insert, select, update

from ...db.models_webchat import WebchatMessage, WebchatVisitor
from ...db.session import get_engine
from ...privacy import scan
from ..base import Capability, Connector
from ..errors import ConnectorError, ErrorKind, WebhookRejected
from ..phone import InvalidPhoneNumber, normalize_phone
from ..types import (
    CheckResult,
    CheckStatus,
    Contact,
    InboundEvent,
    InboundMessage,
    OutboundMessage,
    SendResult,
    TextMessage,
    WebhookRequest,
)
from ._config import MIN_SECRET_CHARS, WebchatConfig
from ._token import TokenError, new_visitor_id, sign_token, verify_token

__all__ = ["WAKEUPS", "StreamMessage", "VisitorSession", "WebchatConnector"]

_CLIENT_ID = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
WINDOW_CLOSED = (
    "המבקר עזב את האתר: אי אפשר להגיע אליו בצ'אט | the visitor has left the site and cannot be reached "
    "through the web chat"
)


class _Wakeups:
    """Open streams of this process, by visitor: a message stored here wakes them at once.

    A stream still polls the database (``stream_poll_s``) for what other processes store (Celery
    workers); in the embedded mode the dispatcher runs in this process and replies arrive without
    waiting for the next poll.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waiting: dict[str, list[tuple[asyncio.AbstractEventLoop, asyncio.Event]]] = {}

    def listen(self, visitor: str) -> asyncio.Event:
        """An event set when a message for ``visitor`` is stored (call from the stream's event loop)."""
        event = asyncio.Event()
        with self._lock:
            self._waiting.setdefault(visitor, []).append((asyncio.get_running_loop(), event))
        return event

    def forget(self, visitor: str, event: asyncio.Event) -> None:
        """The stream ended."""
        with self._lock:
            left = [(loop, e) for loop, e in self._waiting.get(visitor, []) if e is not event]
            if left:
                self._waiting[visitor] = left
            else:
                self._waiting.pop(visitor, None)

    def wake(self, visitor: str) -> None:
        """Wake every open stream of ``visitor`` (from any thread)."""
        with self._lock:
            waiting = list(self._waiting.get(visitor, []))
        for loop, event in waiting:
            with contextlib.suppress(RuntimeError):  # a loop that has closed
                loop.call_soon_threadsafe(event.set)


WAKEUPS = _Wakeups()


@dataclass(frozen=True)
class StreamMessage:
    """One message of a visitor's stream, as the widget shows it."""

    seq: int
    id: str
    direction: str
    text: str
    at: str

    def as_json(self) -> dict[str, Any]:
        """The JSON the widget receives."""
        return {"seq": self.seq, "id": self.id, "direction": self.direction, "text": self.text, "at": self.at}


@dataclass(frozen=True)
class VisitorSession:
    """A visitor's (new or resumed) session: a fresh token and the history so far."""

    visitor: str
    token: str
    resumed: bool
    messages: list[StreamMessage]


class WebchatConnector(Connector[WebchatConfig]):
    """The widget on a tenant's site, talking to the tenant's agent."""

    name = "webchat"
    title = "צ'אט באתר | Web chat"
    config_model = WebchatConfig
    capabilities = frozenset({Capability.RECEIVE_WEBHOOK, Capability.SEND_MESSAGE})
    uses_host = True
    window_closed_reason = WINDOW_CLOSED
    """What a person is told when a reply is refused outside the window (read by the inbox)."""

    # -- host ----------------------------------------------------------------------------------------

    def _where(self) -> tuple[str, str]:
        if self.host is None:
            raise ConnectorError(
                ErrorKind.MISCONFIGURED, "the web chat stores messages in Sochen's database: build it with host=..."
            )
        return self.host.tenant, self.host.database_url

    def _now(self) -> datetime:
        return datetime.fromtimestamp(self.clock(), tz=UTC)

    def check(self) -> CheckResult:
        """Nothing outside Sochen to reach: ok when it knows its tenant and database."""
        if self.host is None:
            return CheckResult(status=CheckStatus.MISCONFIGURED, detail="no database (built without host)")
        if not self.secret_ok:
            return CheckResult(
                status=CheckStatus.MISCONFIGURED, detail=f"token_secret is shorter than {MIN_SECRET_CHARS} characters"
            )
        return CheckResult(status=CheckStatus.OK, detail="messages are kept in Sochen's database")

    @property
    def secret_ok(self) -> bool:
        """Whether the token secret is long enough to sign visitor tokens with."""
        return len(self.config.token_secret.get_secret_value()) >= MIN_SECRET_CHARS

    # -- sessions ------------------------------------------------------------------------------------

    def allows_origin(self, origin: str | None) -> bool:
        """Whether a request from ``origin`` (the Origin header) may talk to this tenant's chat."""
        return bool(origin) and str(origin).strip().lower().rstrip("/") in self.config.allowed_origins

    def visitor_of(self, token: str | None) -> str:
        """The visitor a token names; TokenError when it is not a valid token of this tenant."""
        tenant, _ = self._where()
        return verify_token(
            self.config.token_secret.get_secret_value(),
            token or "",
            tenant=tenant,
            now=self.clock(),
            max_age_s=self.config.session_days * 86400,
        )

    def open_session(self, token: str | None, *, history: int = 100) -> VisitorSession:
        """Resume the token's visitor (with their last ``history`` messages) or start a new anonymous one.

        A token that is invalid, expired, or whose visitor no longer exists (erased) starts a new
        visitor. Either way the answer carries a fresh token (the session slides).
        """
        tenant, url = self._where()
        visitor: str | None
        try:
            visitor = self.visitor_of(token) if token else None
        except TokenError:
            visitor = None
        now = self._now()
        with get_engine(url).begin() as conn:
            if visitor is not None:
                found = conn.execute(
                    update(WebchatVisitor)
                    .where(WebchatVisitor.id == visitor, WebchatVisitor.tenant == tenant)
                    .values(last_seen_at=now)
                ).rowcount
                if not found:
                    visitor = None
            resumed = visitor is not None
            if visitor is None:
                visitor = new_visitor_id()
                conn.execute(
                    insert(WebchatVisitor).values(
                        id=visitor, tenant=tenant, phone=None, last_seq=0, created_at=now, last_seen_at=now
                    )
                )
        secret = self.config.token_secret.get_secret_value()
        fresh = sign_token(secret, tenant=tenant, visitor=visitor, issued_at=int(self.clock()))
        messages = self.messages_after(visitor, 0, limit=history, newest=True) if resumed else []
        return VisitorSession(visitor=visitor, token=fresh, resumed=resumed, messages=messages)

    def messages_after(
        self, visitor: str, after: int, *, limit: int = 100, newest: bool = False
    ) -> list[StreamMessage]:
        """The visitor's messages with ``seq > after``, oldest first (``newest``: the last ``limit`` of them)."""
        tenant, url = self._where()
        query = select(WebchatMessage).where(
            WebchatMessage.visitor_id == visitor, WebchatMessage.tenant == tenant, WebchatMessage.seq > after
        )
        query = query.order_by(WebchatMessage.seq.desc() if newest else WebchatMessage.seq).limit(limit)
        with get_engine(url).connect() as conn:
            rows = list(conn.execute(query))
        if newest:
            rows.reverse()
        return [
            StreamMessage(seq=r.seq, id=r.id, direction=r.direction, text=r.text, at=_aware(r.created_at).isoformat())
            for r in rows
        ]

    def touch(self, visitor: str) -> None:
        """The visitor is still here (an open stream): keeps the messaging window open."""
        tenant, url = self._where()
        with get_engine(url).begin() as conn:
            conn.execute(
                update(WebchatVisitor)
                .where(WebchatVisitor.id == visitor, WebchatVisitor.tenant == tenant)
                .values(last_seen_at=self._now())
            )

    # -- inbound -------------------------------------------------------------------------------------

    def verify_webhook(self, request: WebhookRequest) -> None:
        """The page's origin is allowed and the ``Authorization: Bearer`` visitor token is valid.

        Only the web chat's own route (``/webchat/{tenant}/messages``) delivers here: it counts each
        visitor's messages and keeps them in their stream, which the generic webhook route does not.
        """
        if not request.path.startswith("/webchat/"):
            raise WebhookRejected("web chat messages go to /webchat/{tenant}/messages", status=403, code="route")
        if not self.allows_origin(request.header("Origin")):
            raise WebhookRejected("the page's origin is not allowed for this tenant", status=403, code="origin")
        auth = request.header("Authorization") or ""
        scheme, _, token = auth.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise WebhookRejected("visitor token missing", status=401, code="token_missing")
        try:
            self.visitor_of(token.strip())
        except TokenError as exc:
            raise WebhookRejected(str(exc), status=401, code="token_invalid") from None

    def parse_webhook(self, request: WebhookRequest) -> list[InboundEvent]:
        """``{"id": client message id, "text": ...}`` → one InboundMessage (id: visitor + client id)."""
        token = (request.header("Authorization") or "").partition(" ")[2].strip()
        try:
            visitor = self.visitor_of(token)
        except TokenError as exc:
            raise WebhookRejected(str(exc), status=401, code="token_invalid") from None
        try:
            body = json.loads(request.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise ConnectorError(ErrorKind.INVALID_REQUEST, "the body is not UTF-8 JSON") from None
        if not isinstance(body, dict):
            raise ConnectorError(ErrorKind.INVALID_REQUEST, "the body is not a JSON object")
        client_id, text = body.get("id"), body.get("text")
        if not isinstance(client_id, str) or not _CLIENT_ID.match(client_id):
            raise ConnectorError(ErrorKind.INVALID_REQUEST, "'id' must be 1-40 letters, digits, '-' or '_'")
        if not isinstance(text, str) or not text.strip():
            raise ConnectorError(ErrorKind.INVALID_REQUEST, "'text' must be a non-empty string")
        text = text.strip()
        if len(text) > self.config.max_message_chars:
            raise ConnectorError(
                ErrorKind.INVALID_REQUEST, f"'text' is longer than {self.config.max_message_chars} characters"
            )
        phone = self._known_phone(visitor) or phone_in(text)
        message_id = f"{visitor}:{client_id}"
        return [
            InboundMessage(
                event_id=message_id,
                connector=self.name,
                message_id=message_id,
                timestamp=str(int(self.clock())),
                contact=Contact(id=visitor, phone=phone),
                kind="text",
                text=text,
                provider_details={"anonymous": phone is None},
            )
        ]

    def _known_phone(self, visitor: str) -> str | None:
        tenant, url = self._where()
        with get_engine(url).connect() as conn:
            return conn.scalar(
                select(WebchatVisitor.phone).where(WebchatVisitor.id == visitor, WebchatVisitor.tenant == tenant)
            )

    def store_inbound(self, conn: Connection, events: Sequence[InboundEvent], new_keys: set[str]) -> None:
        """In the acknowledgement's transaction: the visitor's new messages join their stream (and phone).

        ``new_keys`` are the event ids stored now: a retried POST (same client id) adds nothing.
        """
        tenant, _ = self._where()
        now = self._now()
        for event in events:
            if not isinstance(event, InboundMessage) or event.event_id not in new_keys:
                continue
            visitor = event.contact.id
            values: dict[str, Any] = {"last_seq": WebchatVisitor.last_seq + 1, "last_seen_at": now}
            if event.contact.phone:
                values["phone"] = event.contact.phone
            seq = conn.execute(
                update(WebchatVisitor)
                .where(WebchatVisitor.id == visitor, WebchatVisitor.tenant == tenant)
                .values(**values)
                .returning(WebchatVisitor.last_seq)
            ).scalar()
            if seq is None:
                raise WebhookRejected("the visitor's session no longer exists", status=401, code="token_invalid")
            conn.execute(
                insert(WebchatMessage).values(
                    id=event.message_id,
                    tenant=tenant,
                    visitor_id=visitor,
                    seq=seq,
                    direction="in",
                    text=event.text or "",
                    created_at=now,
                )
            )

    # -- outbound ------------------------------------------------------------------------------------

    def window_open(self, to: str) -> bool:
        """Whether ``to`` was seen (a message, an open widget) within ``reply_window_min`` minutes."""
        tenant, url = self._where()
        with get_engine(url).connect() as conn:
            seen = conn.scalar(
                select(WebchatVisitor.last_seen_at).where(WebchatVisitor.id == to, WebchatVisitor.tenant == tenant)
            )
        if seen is None:
            return False
        return self._now() - _aware(seen) < timedelta(minutes=self.config.reply_window_min)

    def send_message(self, message: OutboundMessage) -> SendResult:
        """Store a text for the visitor's stream, once per job (the id comes from the job's key)."""
        tenant, url = self._where()
        if not isinstance(message, TextMessage):
            raise ConnectorError(ErrorKind.INVALID_REQUEST, f"the web chat sends text only, not {message.type}")
        if message.idempotency_key:
            digest = hashlib.sha256(f"{tenant}\x1f{message.idempotency_key}".encode()).hexdigest()[:32]
            message_id = f"wc_out_{digest}"
        else:
            message_id = f"wc_out_{new_visitor_id()[3:]}"
        with get_engine(url).begin() as conn:
            if conn.scalar(select(WebchatMessage.seq).where(WebchatMessage.id == message_id)) is not None:
                return SendResult(message_id=message_id, to=message.to, provider_details={"repeated": True})
            if not self.window_open(message.to):
                raise ConnectorError(ErrorKind.PERMANENT, WINDOW_CLOSED, code="visitor_left")
            seq = conn.execute(
                update(WebchatVisitor)
                .where(WebchatVisitor.id == message.to, WebchatVisitor.tenant == tenant)
                .values(last_seq=WebchatVisitor.last_seq + 1)
                .returning(WebchatVisitor.last_seq)
            ).scalar()
            if seq is None:
                raise ConnectorError(ErrorKind.INVALID_REQUEST, "no such visitor for this tenant")
            conn.execute(
                insert(WebchatMessage).values(
                    id=message_id,
                    tenant=tenant,
                    visitor_id=message.to,
                    seq=seq,
                    direction="out",
                    text=message.text,
                    created_at=self._now(),
                )
            )
        WAKEUPS.wake(message.to)  # committed: an open stream in this process shows it now
        return SendResult(message_id=message_id, to=message.to)


def phone_in(text: str) -> str | None:
    """The first phone number written in ``text``, in E.164; None when there is none.

    Sochen's privacy scanner decides what is a phone (context and checksums tell an ID number that looks
    like a landline from a phone), so an ID number never becomes the visitor's contact phone.
    """
    for finding in scan(text):
        if finding.type != "phone":
            continue
        try:
            return normalize_phone(text[finding.start : finding.end])
        except InvalidPhoneNumber:
            continue
    return None


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
