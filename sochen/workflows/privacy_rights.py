"""A person's rights over their data: find it, export it, erase it — in every store Sochen keeps.

The contract (docs/privacy.md maps it to the law):

- **Who.** A person is named by what identifies them: an E.164 phone (any written form, normalised
  with ``phonenumbers``), a web chat visitor id (``wc_…``), an Israeli ID number or an e-mail address
  (:func:`parse_contact`). Their conversations are the tenant's conversations whose channel address is
  that phone or visitor id (for an ID or an e-mail: whose customer messages contain it); a web chat
  visitor's conversation is also a phone's when the visitor gave that phone.
  Identifiers found in their own messages by :mod:`sochen.privacy`'s detector (ID numbers, e-mail
  addresses) are added to what is searched.
- **Where.** Raw webhook bodies (``inbound_deliveries``), inbound items (``inbound_events``),
  transcripts and conversations, LangGraph checkpoints, domain events, outbox jobs and their attempts,
  the model-call ledger (route, provider, time: never text), leftover eval sandboxes, and — reported,
  not changed — the tenant's uploaded documents.
- **Never another person's data.** Phones and IDs match on digit boundaries (``+97250123456`` never
  matches inside ``+972501234567``); names and message texts are removed only inside records that
  belong to the person (their conversation, or a JSON object whose channel-address key — ``wa_id``,
  ``from``, ``to``, ``recipient_id``, ``contact_id``, ``id`` — is their phone). In anyone else's
  record only the person's identifiers themselves are replaced, by ``[נמחק]``.
- **Aggregates survive.** Rows that figures are made of (ledger rows, jobs, events, inbound items)
  are anonymised in place, never deleted: the ledger keeps tokens, cost, route and provider under a
  random conversation pseudonym; only the person's conversations, transcripts and checkpoints are
  deleted. Eval history is not touched (eval runs use synthetic scenarios in their own database).
- **One recorded, resumable operation.** :func:`erase` runs its steps in order, each in bounded
  batches committed together with their counts in ``privacy_operations``; a kill leaves the operation
  ``running`` and the next :func:`erase` for the same person resumes it; every step is idempotent.
  Conversations and transcripts (where the person's words are read from) go last, in the same
  transaction that marks the operation done. The receipt lists what changed where (counts only).
- **CRM.** If a connector of the tenant offers an action named ``erase_contact``, an outbox job is
  planned for it (retried like any job); otherwise the receipt says the CRM is the tenant's to handle.
- On SQLite, deleted and rewritten rows are zeroed on disk (``secure_delete``) and the write-ahead log
  is checkpointed, so the bytes are gone from the files, not only from the rows.
- Nothing here logs a phone, ID, name or text: logs carry tenant, operation id and counts.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import re
import secrets
import shutil
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import phonenumbers
from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from ..config import Settings
from ..db.models import Chunk, Document, LlmCall, Tenant
from ..db.models_api import InboundDelivery, InboundEventRow
from ..db.models_conversations import Conversation, ConversationTurn
from ..db.models_outbox import DomainEvent, Job, JobAttempt
from ..db.models_privacy import PrivacyOperation
from ..db.models_webchat import drop_visitors_of, visitors_with_phone
from ..db.session import session_scope
from ..privacy import scan
from .privacy_log import Actor, record_access

__all__ = [
    "REDACTED",
    "ContactError",
    "Needles",
    "Subject",
    "erase",
    "export",
    "export_report_he",
    "find",
    "parse_contact",
    "scrub_json",
    "subject_ref",
]

log = logging.getLogger("sochen.workflows.privacy")

REDACTED = "[נמחק]"
"""What replaces a person's data in records that stay (Hebrew: "erased")."""

BATCH = 500
"""Rows per transaction while scanning a store."""

OWNER_KEYS = frozenset({"wa_id", "from", "to", "recipient_id", "contact_id", "id"})
"""Keys whose value is a channel address: a JSON object with the person's phone here is theirs."""

SAFE_KEYS = frozenset(
    {
        "type",
        "kind",
        "connector",
        "channel",
        "event_id",
        "message_id",
        "id",
        "status",
        "timestamp",
        "field",
        "object",
        "messaging_product",
        "phone_number_id",
        "display_phone_number",
        "action",
        "by",
        "mode",
        "intent",
        "code",
    }
)
"""Structural keys kept (their values still lose the person's identifiers) when an object is blanked."""

_SEP = r"[\s\-.\u200e\u200f\u202a-\u202e]*"

WEBCHAT_VISITOR = re.compile(r"wc_[A-Za-z0-9_-]{22}")
"""A web chat visitor id (``sochen.connectors.webchat``): the channel address of an anonymous visitor."""


class ContactError(ValueError):
    """The contact given is not a phone, an Israeli ID or an e-mail address."""


@dataclass(frozen=True)
class Subject:
    """The person a request is about: the kind of identifier and its canonical form."""

    tenant: str
    kind: str
    """'phone', 'webchat', 'id_number' or 'email'."""
    value: str
    """E.164, the visitor id, nine digits, or the lower-cased address. Personal data: never log it."""

    def __repr__(self) -> str:  # never print the value
        return f"Subject(tenant={self.tenant!r}, kind={self.kind!r})"


def _id_valid(digits: str) -> bool:
    digits = digits.zfill(9)
    total = 0
    for i, ch in enumerate(digits):
        n = int(ch) * (1 + i % 2)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


def parse_contact(tenant: str, raw: str) -> Subject:
    """The person behind ``raw``: a phone (any form), a web chat visitor id, an ID number, or an e-mail.

    A bare 5–9 digit string with a valid ID check digit and no phone-like start (``+``, ``00``,
    ``05``, ``07``) is an ID; otherwise digits are read as a phone (Israel by default).
    """
    value = (raw or "").strip()
    if not value:
        raise ContactError("חסר מזהה של האדם | no contact given: a phone (+9725…), an ID number or an e-mail")
    if WEBCHAT_VISITOR.fullmatch(value):
        return Subject(tenant, "webchat", value)
    if "@" in value:
        if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value):
            raise ContactError('כתובת הדוא"ל אינה תקינה | not a valid e-mail address')
        return Subject(tenant, "email", value.lower())
    compact = re.sub(r"[\s\-]", "", value)
    if (
        compact.isdigit()
        and 5 <= len(compact) <= 9
        and not compact.startswith(("05", "07", "00"))
        and _id_valid(compact)
    ):
        return Subject(tenant, "id_number", compact.zfill(9))
    try:
        number = phonenumbers.parse(value, "IL")
    except phonenumbers.NumberParseException:
        raise ContactError('לא מספר טלפון, ת"ז או דוא"ל | not a phone number, an ID number or an e-mail') from None
    if not phonenumbers.is_possible_number(number):
        raise ContactError("מספר הטלפון אינו אפשרי | not a possible phone number")
    return Subject(tenant, "phone", phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


def subject_ref(tenant_id: str, subject: Subject) -> str:
    """A stable reference to the person for logs and receipts: slow and salted per tenant, not reversible cheaply."""
    salt = f"sochen-privacy:{tenant_id}:{subject.kind}".encode()
    return hashlib.pbkdf2_hmac("sha256", subject.value.encode(), salt, 200_000).hex()[:64]


def _phone_pattern(e164: str) -> str:
    number = phonenumbers.parse(e164)
    cc = str(number.country_code)
    nsn = phonenumbers.national_significant_number(number)
    prefix = rf"(?:(?:\+|00)?{_SEP.join(cc)}{_SEP}(?:\(0\){_SEP})?|0{_SEP}|\(0{_SEP}\){_SEP})?"
    return rf"(?<![\d+]){prefix}{_SEP.join(nsn)}(?!\d)"


def _id_pattern(digits: str) -> str:
    core = digits.lstrip("0") or "0"
    body = r"[\s\-]?".join(core)
    return rf"(?<!\d)0*{body}(?!\d)"


def _email_pattern(address: str) -> str:
    return rf"(?<![\w.+\-]){re.escape(address)}(?![\w\-])"


@dataclass
class Needles:
    """What identifies the person: strong identifiers (matched anywhere) and weak ones (names, texts)."""

    phones: set[str] = field(default_factory=set)
    ids: set[str] = field(default_factory=set)
    emails: set[str] = field(default_factory=set)
    visitors: set[str] = field(default_factory=set)
    weak: set[str] = field(default_factory=set)
    _strong: re.Pattern[str] | None = None

    @property
    def strong(self) -> re.Pattern[str]:
        """One pattern for every strong identifier (phones and IDs on digit boundaries)."""
        if self._strong is None:
            parts = [_phone_pattern(p) for p in sorted(self.phones)]
            parts += [_id_pattern(i) for i in sorted(self.ids)]
            parts += [_email_pattern(e) for e in sorted(self.emails)]
            parts += [rf"(?<![\w\-]){re.escape(v)}(?![\w\-])" for v in sorted(self.visitors)]
            self._strong = re.compile("|".join(parts) or r"(?!x)x", re.IGNORECASE)
        return self._strong

    def add(self, kind: str, value: str) -> None:
        """Add a strong identifier of ``kind`` (phone, webchat, id_number, email) in canonical form."""
        {"phone": self.phones, "webchat": self.visitors, "id_number": self.ids, "email": self.emails}[kind].add(value)
        self._strong = None

    def weak_sorted(self) -> list[str]:
        """Names and texts, longest first (so a text goes before a name inside it)."""
        return sorted((w for w in self.weak if len(w.strip()) >= 2), key=len, reverse=True)

    def hits(self, value: str) -> bool:
        """Whether ``value`` holds one of the strong identifiers."""
        return self.strong.search(value) is not None


def scrub_text(value: str, needles: Needles, *, owned: bool) -> str:
    """``value`` with the person's identifiers (and, in their own records, their names and texts) replaced."""
    out = needles.strong.sub(REDACTED, value)
    if owned:
        for weak in needles.weak_sorted():
            if weak in out:
                out = out.replace(weak, REDACTED)
    return out


def _owns(obj: dict[str, Any], needles: Needles) -> bool:
    for key in OWNER_KEYS:
        value = obj.get(key)
        if isinstance(value, str) and needles.strong.fullmatch(value.strip()):
            return True
    return False


def scrub_json(obj: Any, needles: Needles, *, owned: bool = False) -> Any:
    """A copy of ``obj`` with the person removed (see the module docstring for what is blanked where)."""
    if isinstance(obj, dict):
        mine = owned or _owns(obj, needles)
        out: dict[str, Any] = {}
        for key, value in obj.items():
            if mine and isinstance(value, str) and key not in SAFE_KEYS:
                out[key] = REDACTED if value else value
            else:
                out[key] = scrub_json(value, needles, owned=mine)
        return out
    if isinstance(obj, list):
        return [scrub_json(v, needles, owned=owned) for v in obj]
    if isinstance(obj, str):
        return scrub_text(obj, needles, owned=owned)
    return obj


def _json_mentions(obj: Any, needles: Needles) -> bool:
    return obj is not None and needles.hits(json.dumps(obj, ensure_ascii=False))


# ---------------------------------------------------------------------------------------------- finding


@dataclass
class Found:
    """What the person has in each store (ids and counts; the values are read again when exported)."""

    subject: Subject
    tenant_id: str
    needles: Needles
    conversations: list[str] = field(default_factory=list)
    """Their own conversations (deleted on erase)."""
    mentioned_in: list[str] = field(default_factory=list)
    """Other conversations whose customer messages contain their identifiers (scrubbed, kept)."""
    events: list[str] = field(default_factory=list)
    inbound: list[str] = field(default_factory=list)
    deliveries: list[str] = field(default_factory=list)
    jobs: list[str] = field(default_factory=list)
    own_events: set[str] = field(default_factory=set)
    """Events of their own conversations."""
    own_inbound: set[str] = field(default_factory=set)
    """Inbound items they sent (or statuses of messages sent to them)."""
    own_jobs: set[str] = field(default_factory=set)
    """Jobs planned from their events or processing their inbound items (cancelled on erase if not done)."""
    ledger: int = 0
    documents: list[str] = field(default_factory=list)
    sandboxes: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, int]:
        """Counts per store (safe to log and to show)."""
        return {
            "conversations": len(self.conversations),
            "mentioned_in_conversations": len(self.mentioned_in),
            "domain_events": len(self.events),
            "inbound_events": len(self.inbound),
            "inbound_deliveries": len(self.deliveries),
            "outbox_jobs": len(self.jobs),
            "llm_calls": self.ledger,
            "documents": len(self.documents),
            "eval_sandboxes": len(self.sandboxes),
        }


def _tenant_id(session: Session, slug: str) -> str:
    found = session.scalar(select(Tenant.id).where(Tenant.slug == slug))
    if found is None:
        raise LookupError(f"no tenant '{slug}'")
    return found


def _batches(session_factory: Callable[[], Any], query: Any, id_col: Any) -> Iterator[list[Any]]:
    after = ""
    while True:
        with session_factory() as session:
            rows = list(session.scalars(query.where(id_col > after).order_by(id_col).limit(BATCH)))
        if not rows:
            return
        yield rows
        after = rows[-1].id


def _texts_of(obj: Any) -> Iterable[str]:
    if isinstance(obj, dict):
        for key, value in obj.items():
            if key in ("text", "body", "caption", "name", "title") and isinstance(value, str):
                yield value
            else:
                yield from _texts_of(value)
    elif isinstance(obj, list):
        for value in obj:
            yield from _texts_of(value)


def find(settings: Settings, subject: Subject) -> Found:
    """Everything the tenant holds about the person, store by store (reads only)."""
    url = settings.database_url
    with session_scope(url) as session:
        tenant_id = _tenant_id(session, subject.tenant)
    needles = Needles()
    needles.add(subject.kind, subject.value)
    found = Found(subject, tenant_id, needles)
    scope = lambda: session_scope(url)  # noqa: E731

    # Conversations: by channel address, then by what the customer wrote.
    own: set[str] = set()
    with session_scope(url) as session:
        if subject.kind == "phone":
            addresses = {subject.value, subject.value.lstrip("+")}
            own.update(
                session.scalars(
                    select(Conversation.id).where(
                        Conversation.tenant == subject.tenant, Conversation.contact_id.in_(addresses)
                    )
                )
            )
            # A web chat visitor's contact id is random: they are theirs by the phone they gave.
            visitors = visitors_with_phone(session, subject.tenant, subject.value)
            own.update(
                session.scalars(
                    select(Conversation.id).where(
                        Conversation.tenant == subject.tenant,
                        Conversation.channel == "webchat",
                        Conversation.contact_id.in_(visitors),
                    )
                )
            )
        elif subject.kind == "webchat":
            own.update(
                session.scalars(
                    select(Conversation.id).where(
                        Conversation.tenant == subject.tenant,
                        Conversation.channel == "webchat",
                        Conversation.contact_id.in_([subject.value]),
                    )
                )
            )
    mentioned: set[str] = set()
    turns = (
        select(ConversationTurn)
        .join(Conversation, Conversation.id == ConversationTurn.conversation_id)
        .where(Conversation.tenant == subject.tenant, ConversationTurn.role == "user")
    )
    for rows in _batches(scope, turns, ConversationTurn.id):
        for turn in rows:
            if turn.conversation_id not in own and needles.hits(turn.text):
                (mentioned if subject.kind in ("phone", "webchat") else own).add(turn.conversation_id)
    # What identifies them in their own conversations: their name, their words, IDs and e-mails they gave.
    with session_scope(url) as session:
        for conv in session.scalars(select(Conversation).where(Conversation.id.in_(own))):
            if conv.contact_name:
                needles.weak.add(conv.contact_name)
            if conv.channel == "webchat" and WEBCHAT_VISITOR.fullmatch(conv.contact_id or ""):
                # Their visitor id, wherever it is. Not the phone a visitor typed: it is unverified, and
                # could be someone else's (their own records are blanked whole, the phone with them).
                needles.add("webchat", conv.contact_id)
            try:
                phone = phonenumbers.parse("+" + conv.contact_id.lstrip("+"))
                if phonenumbers.is_possible_number(phone):
                    needles.add("phone", phonenumbers.format_number(phone, phonenumbers.PhoneNumberFormat.E164))
            except phonenumbers.NumberParseException:
                pass
        for turn in session.scalars(select(ConversationTurn).where(ConversationTurn.conversation_id.in_(own))):
            needles.weak.add(turn.text)
            if turn.role != "user":
                continue
            for finding in scan(turn.text):
                value = turn.text[finding.start : finding.end]
                if finding.type == "id_number":
                    digits = re.sub(r"\D", "", value)
                    if 5 <= len(digits) <= 9:
                        needles.add("id_number", digits.zfill(9))
                elif finding.type == "email":
                    needles.add("email", value.lower())
                elif finding.type == "name" and finding.score >= 0.7:
                    needles.weak.add(value)
    found.conversations = sorted(own)
    found.mentioned_in = sorted(mentioned - own)

    with session_scope(url) as session:
        found.events = list(
            session.scalars(
                select(DomainEvent.id).where(DomainEvent.tenant == subject.tenant, DomainEvent.conversation_id.in_(own))
            )
        )
        found.ledger = len(
            list(
                session.scalars(
                    select(LlmCall.id).where(LlmCall.tenant_slug == subject.tenant, LlmCall.conversation_id.in_(own))
                )
            )
        )
    events = set(found.events)
    found.own_events = set(events)
    query = select(DomainEvent).where(DomainEvent.tenant == subject.tenant)
    for rows in _batches(scope, query, DomainEvent.id):
        events.update(r.id for r in rows if r.id not in events and _json_mentions(r.payload, needles))
    found.events = sorted(events)

    inbound: set[str] = set()
    for rows in _batches(
        scope, select(InboundEventRow).where(InboundEventRow.tenant == subject.tenant), InboundEventRow.id
    ):
        for row in rows:
            if _json_mentions(row.payload, needles) or (row.error and needles.hits(row.error)):
                inbound.add(row.id)
                if _owned_payload(row.payload, needles):
                    found.own_inbound.add(row.id)
                    needles.weak.update(_texts_of(row.payload))
    found.inbound = sorted(inbound)

    deliveries: list[str] = []
    query_d = select(InboundDelivery).where(InboundDelivery.tenant == subject.tenant)
    for rows in _batches(scope, query_d, InboundDelivery.id):
        deliveries.extend(r.id for r in rows if needles.hits(_body_text(r.body)))
    found.deliveries = deliveries

    jobs: set[str] = set()
    query_j = select(Job).where(Job.tenant == subject.tenant)
    for rows in _batches(scope, query_j, Job.id):
        for job in rows:
            if (
                (job.event_id in events)
                or (job.id in inbound)
                or _json_mentions(job.params, needles)
                or _json_mentions(job.result, needles)
                or _json_mentions(job.deferred, needles)
                or (job.last_error and needles.hits(job.last_error))
            ):
                jobs.add(job.id)
            if job.event_id in found.own_events or job.id in found.own_inbound:
                found.own_jobs.add(job.id)
    found.jobs = sorted(jobs)

    query_c = select(Chunk).join(Document, Document.id == Chunk.document_id).where(Chunk.tenant_id == tenant_id)
    docs: set[str] = set()
    for rows in _batches(scope, query_c, Chunk.id):
        docs.update(c.document_id for c in rows if needles.hits(c.text))
    found.documents = sorted(docs)
    found.sandboxes = [str(p) for p in _sandboxes_with(settings, needles)]
    return found


def _owned_payload(payload: Any, needles: Needles) -> bool:
    """Whether an inbound item is the person's own (sent by them, or a status of a message to them)."""
    if isinstance(payload, dict):
        if _owns(payload, needles):
            return True
        return any(_owned_payload(v, needles) for k, v in payload.items() if k in ("contact", "recipient", "sender"))
    return False


def _body_text(body: bytes | None) -> str:
    if not body:
        return ""
    raw = body.decode("utf-8", errors="replace")
    try:  # Meta escapes non-ASCII (\u05d3): compare against the decoded text too
        return raw + "\n" + json.dumps(json.loads(raw), ensure_ascii=False)
    except ValueError:
        return raw


def _sandboxes_with(settings: Settings, needles: Needles) -> list[Path]:
    root = Path(settings.home) / "evals" / "sandbox"
    if not root.is_dir():
        return []
    hits: list[Path] = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        for path in folder.rglob("*"):
            if path.is_file() and path.stat().st_size < 512 * 1024 * 1024:
                data = path.read_bytes().decode("utf-8", errors="ignore")
                if needles.hits(data):
                    hits.append(folder)
                    break
    return hits


# ---------------------------------------------------------------------------------------------- export


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()


def export(settings: Settings, subject: Subject, *, actor: Actor) -> dict[str, Any]:
    """Everything held about the person as one JSON-ready document (and an access-log entry)."""
    from .privacy_correct import corrections_of

    found = find(settings, subject)
    url = settings.database_url
    needles = found.needles
    out: dict[str, Any] = {
        "format": "sochen.privacy.export/1",
        "tenant": subject.tenant,
        "identifier_kind": subject.kind,
        "generated_at": datetime.now(UTC).isoformat(),
        "summary": found.summary(),
        "conversations": [],
        "model_calls": [],
        "domain_events": [],
        "inbound_events": [],
        "outbox_jobs": [],
        "documents_mentioning": [],
        "eval_sandboxes": len(found.sandboxes),
    }
    with session_scope(url) as session:
        for conv in session.scalars(select(Conversation).where(Conversation.id.in_(found.conversations))):
            turns = list(
                session.scalars(
                    select(ConversationTurn)
                    .where(ConversationTurn.conversation_id == conv.id)
                    .order_by(ConversationTurn.turn, ConversationTurn.created_at)
                )
            )
            out["conversations"].append(
                {
                    "id": conv.id,
                    "channel": conv.channel,
                    "contact_id": conv.contact_id,
                    "contact_name": conv.contact_name,
                    "status": conv.status,
                    "created_at": _iso(conv.created_at),
                    "turns": [
                        {
                            "turn": t.turn,
                            "role": t.role,
                            "text": t.text,
                            "at": _iso(t.created_at),
                            **({"corrections": corrections_of(session, t.details)} if _annotated(t) else {}),
                        }
                        for t in turns
                    ],
                }
            )
            calls = list(
                session.scalars(select(LlmCall).where(LlmCall.conversation_id == conv.id).order_by(LlmCall.created_at))
            )
            users = [t for t in turns if t.role == "user"]
            for call in calls:
                # The ledger keeps no text: a call belongs to the last message the person had sent before it.
                before = [t for t in users if _iso(t.created_at) <= _iso(call.created_at)]  # type: ignore[operator]
                message = before[-1] if before else (users[0] if users else None)
                out["model_calls"].append(
                    {
                        "conversation_id": conv.id,
                        "at": _iso(call.created_at),
                        "route": call.route,
                        "provider": call.provider,
                        "model": call.model,
                        "locality": call.locality,
                        "task": call.task,
                        "sensitive": call.sensitive,
                        "sensitivity_types": call.sensitivity_types,
                        "message_turn": message.turn if message else None,
                        "message_text": message.text if message else None,
                    }
                )
        for ev in session.scalars(select(DomainEvent).where(DomainEvent.id.in_(found.events))):
            mine = ev.conversation_id in found.conversations
            payload = ev.payload if mine else _only_mentions(ev.payload, needles)
            out["domain_events"].append({"type": ev.type, "at": _iso(ev.occurred_at), "own": mine, "payload": payload})
        for row in session.scalars(select(InboundEventRow).where(InboundEventRow.id.in_(found.inbound))):
            mine = _owned_payload(row.payload, needles)
            out["inbound_events"].append(
                {
                    "kind": row.kind,
                    "channel": row.channel,
                    "at": _iso(row.created_at),
                    "own": mine,
                    "payload": row.payload if mine else _only_mentions(row.payload, needles),
                }
            )
        for job in session.scalars(select(Job).where(Job.id.in_(found.jobs))):
            out["outbox_jobs"].append(
                {
                    "action": job.action,
                    "status": job.status,
                    "at": _iso(job.created_at),
                    "params": scrub_json(job.params, _others_only(needles)) if job.params else {},
                }
            )
        for doc in session.scalars(select(Document).where(Document.id.in_(found.documents))):
            out["documents_mentioning"].append({"title": doc.title, "source": doc.source})
    ref = subject_ref(found.tenant_id, subject)
    record_access(url, subject.tenant, actor, "export", "person", ref, found.summary())
    log.info("privacy export tenant=%s ref=%s %s", subject.tenant, ref[:12], found.summary())
    return out


def _annotated(turn: ConversationTurn) -> bool:
    return bool((turn.details or {}).get("corrections"))


def _others_only(needles: Needles) -> Needles:
    """Needles that match nothing: used where a record is shown as it is (it is the person's own)."""
    return Needles()


def _only_mentions(payload: Any, needles: Needles) -> Any:
    """Of another person's record, only the fact that it mentions this person (never the other's data)."""
    return {"mentions": sorted({m.group(0) for m in needles.strong.finditer(json.dumps(payload, ensure_ascii=False))})}


_STORE_HE = {
    "conversations": "שיחות",
    "mentioned_in_conversations": "שיחות של אחרים שבהן הוזכרו פרטיך",
    "domain_events": "אירועים עסקיים",
    "inbound_events": "הודעות נכנסות",
    "inbound_deliveries": "גופי בקשות גולמיים מהערוץ",
    "outbox_jobs": "משימות לחיבורים (CRM, הודעות יוצאות)",
    "llm_calls": "קריאות למודלי שפה",
    "documents": "מסמכים שהועלו ומזכירים אותך",
    "eval_sandboxes": "סביבות בדיקה זמניות",
}
_FIELD_HE = {"phone": "טלפון", "email": 'דוא"ל', "id_number": 'ת"ז', "name": "שם", "fact": "פרט"}
_ROLE_HE = {"user": "את/ה", "agent": "הסוכן", "human": "נציג/ה"}


def export_report_he(data: dict[str, Any]) -> str:
    """A readable Hebrew report (Markdown) of an export, store by store."""
    lines = [
        f"# דוח מידע אישי — {data['tenant']}",
        "",
        f"הופק ב-{data['generated_at']}. הדוח מפרט את כל המידע שנשמר עליך במערכת, לפי מאגר.",
        "",
        "## סיכום לפי מאגר",
        "",
    ]
    for key, count in data["summary"].items():
        lines.append(f"- {_STORE_HE.get(key, key)}: {count}")
    lines += ["", "## השיחות שלך", ""]
    if not data["conversations"]:
        lines.append("לא נמצאו שיחות.")
    for conv in data["conversations"]:
        lines.append(f"### שיחה בערוץ {conv['channel']} (נפתחה {conv['created_at']})")
        lines.append("")
        for turn in conv["turns"]:
            lines.append(f"- **{_ROLE_HE.get(turn['role'], turn['role'])}** ({turn['at']}): {turn['text']}")
            for fix in turn.get("corrections") or []:
                field = _FIELD_HE.get(fix["field"], fix["field"])
                lines.append(f"  - תוקן ({fix['at']}): {field} ← {fix['corrected_to']}")
        lines.append("")
    lines += ["## אילו ספקי מודלים קיבלו אילו מהודעותיך", ""]
    if not data["model_calls"]:
        lines.append("אף הודעה שלך לא נשלחה למודל שפה.")
    for call in data["model_calls"]:
        where = (
            "מקומי (לא יצא מהשרת)"
            if call["route"] == "local"
            else ("ספק חיצוני" if call["route"] == "api" else "לא נשלח")
        )
        lines.append(
            f"- {call['at']}: {where} — ספק {call['provider'] or '—'}, מודל {call['model'] or '—'}; "
            f"ההודעה: «{call['message_text'] or '—'}»"
        )
    lines += ["", "## אירועים ומשימות", ""]
    for ev in data["domain_events"]:
        lines.append(f"- אירוע {ev['type']} ({ev['at']})")
    for job in data["outbox_jobs"]:
        lines.append(f"- משימה {job['action']} — מצב {job['status']} ({job['at']})")
    if data["documents_mentioning"]:
        lines += ["", "## מסמכים שמזכירים אותך", ""]
        lines += [f"- {d['title']}" for d in data["documents_mentioning"]]
    lines += [
        "",
        "---",
        "הדוח הופק אוטומטית על ידי Sochen עבור העסק. מידע שנשמר מחוץ למערכת (למשל ב-CRM של העסק) "
        "אינו כלול בו; לבירור יש לפנות לעסק.",
    ]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------------- erase

ERASE_STEPS = (
    "cancel_jobs",
    "outbox_jobs",
    "domain_events",
    "inbound_events",
    "inbound_deliveries",
    "llm_calls",
    "checkpoints",
    "eval_sandboxes",
    "crm",
    "conversations",
)


def _secure(session: Session, settings: Settings) -> None:
    if settings.is_sqlite:
        session.execute(text("PRAGMA secure_delete=ON"))


def _bump(op: PrivacyOperation, step: str, key: str, n: int) -> None:
    steps = dict(op.steps or {})
    counts = dict(steps.get(step) or {})
    counts[key] = int(counts.get(key, 0)) + n
    steps[step] = counts
    op.steps = steps


def _mark(op: PrivacyOperation, step: str) -> None:
    steps = dict(op.steps or {})
    counts = dict(steps.get(step) or {})
    counts["done"] = True
    steps[step] = counts
    op.steps = steps


def _step_done(op_steps: dict[str, Any], step: str) -> bool:
    return bool((op_steps.get(step) or {}).get("done"))


def _open_operation(url: str, subject: Subject, ref: str, actor: Actor) -> tuple[str, bool]:
    with session_scope(url) as session:
        op = session.scalar(
            select(PrivacyOperation).where(
                PrivacyOperation.tenant == subject.tenant,
                PrivacyOperation.kind == "erase",
                PrivacyOperation.subject_ref == ref,
                PrivacyOperation.status == "running",
            )
        )
        if op is not None:
            return op.id, True
        op = PrivacyOperation(
            tenant=subject.tenant,
            kind="erase",
            subject_ref=ref,
            status="running",
            steps={},
            requested_by=f"{actor.kind}:{actor.id}"[:200],
        )
        session.add(op)
        session.flush()
        return op.id, False


def _with_op(url: str, op_id: str, settings: Settings, work: Callable[[Session, PrivacyOperation], None]) -> None:
    with session_scope(url) as session:
        _secure(session, settings)
        op = session.get(PrivacyOperation, op_id)
        assert op is not None
        work(session, op)


def erase(
    settings: Settings,
    subject: Subject,
    *,
    actor: Actor,
    crash_after: str | None = None,
) -> dict[str, Any]:
    """Erase the person from every store (see the module docstring); returns the receipt.

    ``crash_after`` (tests only) raises after the named step, as a kill would leave it.
    """
    url = settings.database_url
    found = find(settings, subject)
    ref = subject_ref(found.tenant_id, subject)
    op_id, resumed = _open_operation(url, subject, ref, actor)
    log.info("privacy erase tenant=%s operation=%s resumed=%s", subject.tenant, op_id, resumed)
    needles = found.needles
    own = set(found.conversations)
    with session_scope(url) as session:
        current = session.get(PrivacyOperation, op_id)
        op_steps = dict(current.steps or {}) if current is not None else {}

    def step(name: str, run: Callable[[], None]) -> None:
        if not _step_done(op_steps, name):
            run()
            _with_op(url, op_id, settings, lambda s, op: _mark(op, name))
        if crash_after == name:
            raise _SimulatedKill(name)

    step("cancel_jobs", lambda: _cancel_jobs(settings, op_id, found))
    step("outbox_jobs", lambda: _scrub_jobs(settings, op_id, subject.tenant, needles, found.own_jobs))
    step("domain_events", lambda: _scrub_events(settings, op_id, subject.tenant, needles, own))
    step("inbound_events", lambda: _scrub_inbound(settings, op_id, subject.tenant, needles))
    step("inbound_deliveries", lambda: _scrub_deliveries(settings, op_id, subject.tenant, needles))
    step("llm_calls", lambda: _pseudonymise(settings, op_id, subject.tenant, own))
    step("checkpoints", lambda: _delete_checkpoints(settings, op_id, own))
    step("eval_sandboxes", lambda: _delete_sandboxes(settings, op_id, needles))
    step("crm", lambda: _plan_crm(settings, op_id, subject, found))
    _finish(settings, op_id, own, _refs_of(found))
    if crash_after == "conversations":
        raise _SimulatedKill("conversations")
    receipt = _receipt(url, op_id, found)
    record_access(url, subject.tenant, actor, "erase", "person", ref, {"operation": op_id, **found.summary()})
    log.info("privacy erase done tenant=%s operation=%s", subject.tenant, op_id)
    return receipt


class _SimulatedKill(RuntimeError):
    """Raised by ``erase(crash_after=...)`` in tests: the process 'dies' after a step."""


def _cancel_jobs(settings: Settings, op_id: str, found: Found) -> None:
    from ..db.models import utcnow

    def work(session: Session, op: PrivacyOperation) -> None:
        jobs = list(
            session.scalars(
                select(Job).where(Job.id.in_(found.own_jobs), Job.status.in_(("pending", "held", "running")))
            )
        )
        for job in jobs:
            # A running job's worker loses its lease: its completion is refused (it finishes nothing).
            job.status, job.lease_owner, job.lease_expires_at = "cancelled", None, None
            job.last_error = "בוטל: מחיקת מידע לבקשת האדם | cancelled: the person's data was erased"
            job.updated_at = utcnow()
        pending_inbound = list(
            session.scalars(
                select(InboundEventRow).where(
                    InboundEventRow.id.in_(found.own_inbound), InboundEventRow.status == "pending"
                )
            )
        )
        for row in pending_inbound:
            row.status, row.error = "rejected", "נמחק לבקשת האדם | erased at the person's request"
        _bump(op, "cancel_jobs", "jobs_cancelled", len(jobs))
        _bump(op, "cancel_jobs", "inbound_withdrawn", len(pending_inbound))

    _with_op(settings.database_url, op_id, settings, work)


def _scrub_batches(
    settings: Settings,
    op_id: str,
    step: str,
    model: Any,
    tenant_filter: Any,
    change: Callable[[Any], bool],
) -> None:
    """Walk a table of the tenant in id order, BATCH rows a transaction, counting rows changed."""
    url = settings.database_url
    after = ""
    while True:
        with session_scope(url) as session:
            _secure(session, settings)
            rows = list(
                session.scalars(select(model).where(tenant_filter, model.id > after).order_by(model.id).limit(BATCH))
            )
            if not rows:
                return
            changed = sum(1 for row in rows if change(row))
            op = session.get(PrivacyOperation, op_id)
            assert op is not None
            _bump(op, step, "rows_changed", changed)
            after = rows[-1].id


def _set(row: Any, attr: str, value: Any) -> bool:
    if getattr(row, attr) != value:
        setattr(row, attr, value)
        return True
    return False


def _scrub_jobs(settings: Settings, op_id: str, tenant: str, needles: Needles, jobs: set[str]) -> None:
    def change(job: Job) -> bool:
        mine = job.id in jobs
        changed = False
        for attr in ("params", "result", "deferred"):
            value = getattr(job, attr)
            if value:
                changed |= _set(job, attr, scrub_json(value, needles, owned=mine))
        for attr in ("last_error", "delivery_error", "plan_error"):
            value = getattr(job, attr)
            if value:
                changed |= _set(job, attr, scrub_text(value, needles, owned=mine))
        return changed

    _scrub_batches(settings, op_id, "outbox_jobs", Job, Job.tenant == tenant, change)

    def attempts(session: Session, op: PrivacyOperation) -> None:
        n = 0
        rows = session.execute(
            select(JobAttempt, Job.id.in_(jobs))
            .join(Job, Job.id == JobAttempt.job_id)
            .where(Job.tenant == tenant, JobAttempt.message.is_not(None))
        ).all()
        for attempt, mine in rows:
            n += _set(attempt, "message", scrub_text(attempt.message or "", needles, owned=bool(mine)))
        _bump(op, "outbox_jobs", "attempts_changed", n)

    _with_op(settings.database_url, op_id, settings, attempts)


def _scrub_events(settings: Settings, op_id: str, tenant: str, needles: Needles, own: set[str]) -> None:
    def change(ev: DomainEvent) -> bool:
        return _set(ev, "payload", scrub_json(ev.payload, needles, owned=ev.conversation_id in own))

    _scrub_batches(settings, op_id, "domain_events", DomainEvent, DomainEvent.tenant == tenant, change)


def _scrub_inbound(settings: Settings, op_id: str, tenant: str, needles: Needles) -> None:
    def change(row: InboundEventRow) -> bool:
        mine = _owned_payload(row.payload, needles)
        changed = _set(row, "payload", scrub_json(row.payload, needles, owned=mine))
        if row.error:
            changed |= _set(row, "error", scrub_text(row.error, needles, owned=mine))
        return changed

    _scrub_batches(settings, op_id, "inbound_events", InboundEventRow, InboundEventRow.tenant == tenant, change)


def _scrub_deliveries(settings: Settings, op_id: str, tenant: str, needles: Needles) -> None:
    def change(row: InboundDelivery) -> bool:
        if not needles.hits(_body_text(row.body)):
            return False
        try:
            body = json.loads(row.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            new = b""  # not JSON: the person's bytes cannot be told from the rest; the whole body goes
        else:
            new = json.dumps(scrub_json(body, needles), ensure_ascii=False, separators=(",", ":")).encode()
        row.body = new
        row.body_sha256 = hashlib.sha256(new).hexdigest()
        return True

    _scrub_batches(settings, op_id, "inbound_deliveries", InboundDelivery, InboundDelivery.tenant == tenant, change)


def _pseudonymise(settings: Settings, op_id: str, tenant: str, own: set[str]) -> None:
    """Ledger and event rows keep their figures under a random id per conversation (not derivable from the phone)."""

    def work(session: Session, op: PrivacyOperation) -> None:
        steps = dict(op.steps or {})
        names: dict[str, str] = dict(steps.get("_pseudonyms") or {})
        for conv in sorted(own):
            names.setdefault(conv, "erased-" + secrets.token_hex(12))
        steps["_pseudonyms"] = names  # dropped when the operation finishes
        op.steps = steps
        calls = events = 0
        for conv, alias in names.items():
            calls += _rowcount(
                session.execute(
                    update(LlmCall)
                    .where(LlmCall.tenant_slug == tenant, LlmCall.conversation_id == conv)
                    .values(conversation_id=alias)
                )
            )
            events += _rowcount(
                session.execute(
                    update(DomainEvent)
                    .where(DomainEvent.tenant == tenant, DomainEvent.conversation_id == conv)
                    .values(conversation_id=alias)
                )
            )
        _bump(op, "llm_calls", "rows_pseudonymised", calls)
        _bump(op, "llm_calls", "domain_events_pseudonymised", events)

    _with_op(settings.database_url, op_id, settings, work)


def _rowcount(result: Any) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


def _delete_checkpoints(settings: Settings, op_id: str, own: set[str]) -> None:
    from ..agents.graph import checkpointer_for

    saver = checkpointer_for(settings)
    conn = getattr(saver, "conn", None)
    lock: Any = getattr(saver, "lock", None) or contextlib.nullcontext()
    if settings.is_sqlite and conn is not None:
        with lock:  # SqliteSaver shares one connection between threads under this lock
            conn.execute("PRAGMA secure_delete=ON")
    for conv in sorted(own):
        saver.delete_thread(conv)
    if settings.is_sqlite and conn is not None:
        with lock:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    _with_op(
        settings.database_url, op_id, settings, lambda s, op: _bump(op, "checkpoints", "threads_deleted", len(own))
    )


def _delete_sandboxes(settings: Settings, op_id: str, needles: Needles) -> None:
    removed = 0
    for folder in _sandboxes_with(settings, needles):
        shutil.rmtree(folder, ignore_errors=True)
        removed += 1
    _with_op(settings.database_url, op_id, settings, lambda s, op: _bump(op, "eval_sandboxes", "removed", removed))


def _plan_crm(settings: Settings, op_id: str, subject: Subject, found: Found) -> None:
    from ..connectors.registry import load_connector
    from ..tenancy import resolver_for

    try:
        config = resolver_for(settings).live(subject.tenant).config
    except LookupError:
        config = None
    planned: list[str] = []
    for name in sorted(config.connectors) if config else []:
        try:
            info = load_connector(name)
        except Exception:  # an unknown connector cannot erase anything
            continue
        if "erase_contact" not in info.cls.actions():
            continue
        planned.append(name)

    def work(session: Session, op: PrivacyOperation) -> None:
        from ..db.models import utcnow

        for name in planned:
            key = "privacy-erase:" + hashlib.sha256(f"{op_id}:{name}".encode()).hexdigest()[:40]
            if session.scalar(select(Job.id).where(Job.key == key)) is None:
                session.add(
                    Job(
                        key=key,
                        tenant=subject.tenant,
                        action=f"{name}.erase_contact",
                        params={
                            "phones": sorted(found.needles.phones),
                            "emails": sorted(found.needles.emails),
                        },
                        status="pending",
                        next_attempt_at=utcnow(),
                    )
                )
        steps = dict(op.steps or {})
        steps["crm"] = {
            **(steps.get("crm") or {}),
            "planned": planned,
            "tenant_must_handle": not planned,
        }
        op.steps = steps

    _with_op(settings.database_url, op_id, settings, work)


def _refs_of(found: Found) -> set[str]:
    """The person's references under every identifier they are known by (their corrections are filed so)."""
    out = set()
    for kind, values in (
        ("phone", found.needles.phones),
        ("id_number", found.needles.ids),
        ("email", found.needles.emails),
    ):
        for value in values:
            out.add(subject_ref(found.tenant_id, Subject(found.subject.tenant, kind, value)))
    return out


def _finish(settings: Settings, op_id: str, own: set[str], refs: set[str] | None = None) -> None:
    """Delete the conversations and transcripts, drop what their corrections asked; close the operation.

    One transaction.
    """
    url = settings.database_url

    def work(session: Session, op: PrivacyOperation) -> None:
        if op.status == "done":
            return
        # Their corrections keep their receipt (counts, status) but not the values they corrected.
        corrections = session.scalars(
            select(PrivacyOperation).where(
                PrivacyOperation.tenant == op.tenant,
                PrivacyOperation.kind == "correct",
                PrivacyOperation.subject_ref.in_(refs or {op.subject_ref}),
            )
        )
        dropped = 0
        for correction in corrections:
            if correction.request:
                correction.request = None
                dropped += 1
        webchat = drop_visitors_of(session, op.tenant, own)
        turns = (
            session.query(ConversationTurn)
            .filter(ConversationTurn.conversation_id.in_(own))
            .delete(synchronize_session=False)
        )
        convs = session.query(Conversation).filter(Conversation.id.in_(own)).delete(synchronize_session=False)
        steps = dict(op.steps or {})
        steps.pop("_pseudonyms", None)
        steps["conversations"] = {
            "conversations_deleted": convs,
            "turns_deleted": turns,
            "correction_requests_dropped": dropped,
            "webchat_messages_deleted": webchat,
            "done": True,
        }
        op.steps = steps
        op.status = "done"
        op.finished_at = datetime.now(UTC)

    _with_op(url, op_id, settings, work)
    if settings.is_sqlite:
        from ..db.session import get_engine

        with get_engine(url).connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def _receipt(url: str, op_id: str, found: Found) -> dict[str, Any]:
    with session_scope(url) as session:
        op = session.get(PrivacyOperation, op_id)
        assert op is not None
        steps = {k: v for k, v in (op.steps or {}).items() if not k.startswith("_")}
        crm = steps.get("crm") or {}
        notes = []
        if crm.get("tenant_must_handle"):
            notes.append(
                "ה-CRM של העסק לא נמחק: אף חיבור אינו מציע erase_contact — על העסק למחוק את איש הקשר בעצמו | "
                "the CRM was not erased: no connector offers erase_contact — the tenant must delete the contact there"
            )
        if found.documents:
            notes.append(
                f"{len(found.documents)} מסמכים שהועלו מזכירים את האדם ולא שונו — על העסק לבדוק אותם | "
                f"{len(found.documents)} uploaded documents mention the person and were not changed: "
                "the tenant must review them"
            )
        return {
            "operation": op.id,
            "tenant": op.tenant,
            "subject_ref": op.subject_ref,
            "status": op.status,
            "requested_by": op.requested_by,
            "started_at": _iso(op.created_at),
            "finished_at": _iso(op.finished_at),
            "steps": steps,
            "notes": notes,
        }
