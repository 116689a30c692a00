"""A person's right to have their data corrected (Privacy Protection Law s. 14), in every store Sochen keeps.

The contract (docs/privacy.md, "Correction", maps it to the law):

- **What.** One detail of the person — ``phone``, ``email``, ``id_number``, ``name`` or a free-text
  ``fact`` — from an old value to a new one. Phones, e-mails and ID numbers are validated and
  normalised (an ID's check digit, E.164); the old value is matched in every written form the
  erase matches (``050-123-4567`` finds ``+972501234567``), on digit boundaries, so another
  person's number sharing a prefix is never touched.
- **Where.** The person's own records only (their conversations and what came from them): the
  conversation's contact name; the structured fields of their transcripts (``details``); their
  domain events; the parameters of their jobs not yet run (pending or held: a running or finished
  job is a record of what was sent); the agent's saved state (its slots) in the checkpoints;
  and the connected systems, through the outbox: a ``{connector}.correct_contact`` job for every
  connector of the tenant that offers the action. A connector that does not is named in the
  receipt (the tenant corrects the data there). The ledger holds no values (nothing to correct).
- **Transcripts are annotated, not rewritten.** A message is a record of what was said; the
  person's words are correct as a quote even when the detail in them is wrong, and a business (a
  clinic keeping medical records) may need them as they were. Every message that holds the old
  value gets an annotation in ``details["corrections"]`` (operation id, field, time: no values);
  the export shows the corrected value beside the message. Erasure, not correction, removes words.
- **Not corrected, by design** (the receipt says so): the channel address (the number messages
  come from is the address replies go to; a new number is a new conversation), raw inbound bodies
  and items (the verbatim record of what the channel delivered; purged by retention), other
  people's records that mention the person.
- **Refusal with a reason** (s. 14(c): the controller that does not agree notifies the person, who
  may appeal under s. 15): :func:`correct` with ``refuse=`` records the refusal and its reason;
  a correction whose old value is held nowhere is refused with the reason ``not_found``; one that
  touches only the channel address is refused with ``channel_address``. Bad input (a new phone that
  is not a phone) is an error, not a refusal: nothing is recorded.
- **One recorded, resumable, idempotent operation.** A row in ``privacy_operations`` (kind
  ``correct``, the request encrypted at rest) with one entry per step, each step committed with its
  counts; a re-run with the same request resumes a running operation or returns the receipt of the
  finished one; every step is idempotent (rewritten values no longer match; annotations carry the
  operation id; the CRM job has a key derived from it). Each call is written to the access log.
- Nothing here logs a value: logs carry tenant, operation id and counts.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import phonenumbers
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..config import Settings
from ..db.models_conversations import Conversation, ConversationTurn
from ..db.models_outbox import DomainEvent, Job
from ..db.models_privacy import PrivacyOperation
from ..db.session import session_scope
from .privacy_log import Actor, record_access
from .privacy_rights import (
    ContactError,
    Found,
    Subject,
    _bump,
    _email_pattern,
    _id_pattern,
    _id_valid,
    _iso,
    _mark,
    _phone_pattern,
    _SimulatedKill,
    _step_done,
    _with_op,
    find,
    subject_ref,
)

__all__ = ["CORRECT_STEPS", "FIELDS", "Correction", "correct", "corrections_of"]

log = logging.getLogger("sochen.workflows.privacy")

FIELDS = ("phone", "email", "id_number", "name", "fact")
"""What can be corrected."""

ADDRESS_KEYS = frozenset({"wa_id", "from", "to", "recipient_id", "contact_id", "id"})
"""Keys whose value is a channel address, never rewritten by a correction."""

CORRECT_STEPS = ("conversations", "transcripts", "domain_events", "outbox_jobs", "checkpoints", "crm")

REFUSAL_HE = {
    "not_found": "הערך הישן אינו נשמר במערכת על אדם זה — אין מה לתקן",
    "channel_address": "מספר הטלפון שממנו נשלחו ההודעות הוא כתובת הערוץ (אליה נשלחות התשובות) ואינו מידע שגוי; "
    "מספר חדש יפתח שיחה חדשה",
}
REFUSAL_EN = {
    "not_found": "the old value is not held about this person: there is nothing to correct",
    "channel_address": "the number the messages came from is the channel address replies go to, not incorrect "
    "data; a new number starts a new conversation",
}
APPEAL_NOTICE = (
    "סירוב לבקשת תיקון: על העסק להודיע לאדם על הסירוב ונימוקיו (סעיף 14(ג) לחוק הגנת הפרטיות); "
    "האדם רשאי לערער לבית משפט השלום (סעיף 15) | a refused correction: the tenant must notify the person of the "
    "refusal and its reason (Privacy Protection Law s. 14(c)); the person may appeal to the Magistrates' Court (s. 15)"
)


class Correction:
    """A validated correction request: the field, the old value's pattern and the new value (never logged)."""

    def __init__(self, field: str, old: str, new: str) -> None:
        if field not in FIELDS:
            raise ContactError(f"שדה לא מוכר | unknown field '{field}': one of {', '.join(FIELDS)}")
        old, new = (old or "").strip(), (new or "").strip()
        if not old or not new:
            raise ContactError("חסר ערך ישן או חדש | the old and the new value are both needed")
        if len(old) > 500 or len(new) > 500:
            raise ContactError("ערך ארוך מ-500 תווים | a value is longer than 500 characters")
        self.field = field
        if field == "phone":
            self.old, self.new = _phone(old, "הישן | old"), _phone(new, "החדש | new")
            self.pattern = re.compile(_phone_pattern(self.old))
        elif field == "email":
            self.old, self.new = _email(old), _email(new)
            self.pattern = re.compile(_email_pattern(self.old), re.IGNORECASE)
        elif field == "id_number":
            self.old, self.new = _id(old), _id(new)
            self.pattern = re.compile(_id_pattern(self.old))
        else:
            if len(old) < 2:
                raise ContactError("הערך הישן קצר מדי | the old value is too short to be matched safely")
            self.old, self.new = old, new
            self.pattern = re.compile(re.escape(old))
        if self.old == self.new:
            raise ContactError("הערך החדש זהה לישן | the new value is the same as the old one")

    def __repr__(self) -> str:  # never print the values
        return f"Correction(field={self.field!r})"

    def as_request(self) -> dict[str, str]:
        """What is stored (encrypted) on the operation."""
        return {"field": self.field, "old": self.old, "new": self.new}

    def hits(self, value: str | None) -> bool:
        """Whether ``value`` holds the old value."""
        return bool(value) and self.pattern.search(value or "") is not None

    def fix_text(self, value: str) -> str:
        """``value`` with the old value replaced by the new one."""
        return self.pattern.sub(lambda _: self.new, value)

    def hits_json(self, obj: Any) -> bool:
        """Whether ``obj`` holds the old value where a correction would change it (not in an address)."""
        return obj is not None and self.fix_json(obj) != obj

    def fix_json(self, obj: Any) -> Any:
        """A copy of ``obj`` with the old value replaced inside every string (keys unchanged).

        Channel addresses (``to``, ``wa_id``, ``recipient_id``… :data:`ADDRESS_KEYS`) are left as
        they are: a queued reply keeps going to the number the person writes from.
        """
        if isinstance(obj, dict):
            return {k: v if k in ADDRESS_KEYS else self.fix_json(v) for k, v in obj.items()}
        if isinstance(obj, list):
            return [self.fix_json(v) for v in obj]
        if isinstance(obj, str):
            return self.fix_text(obj)
        return obj


def _phone(value: str, which: str) -> str:
    try:
        number = phonenumbers.parse(value, "IL")
    except phonenumbers.NumberParseException:
        raise ContactError(f"הטלפון {which} אינו מספר טלפון | not a phone number") from None
    if not phonenumbers.is_possible_number(number):
        raise ContactError(f"הטלפון {which} אינו אפשרי | not a possible phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _email(value: str) -> str:
    if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value):
        raise ContactError('כתובת הדוא"ל אינה תקינה | not a valid e-mail address')
    return value.lower()


def _id(value: str) -> str:
    digits = re.sub(r"[\s\-]", "", value)
    if not digits.isdigit() or not 5 <= len(digits) <= 9 or not _id_valid(digits):
        raise ContactError('מספר ת"ז אינו תקין (ספרת ביקורת) | not a valid Israeli ID number (check digit)')
    return digits.zfill(9)


def _request_matches(op: PrivacyOperation, fix: Correction) -> bool:
    try:
        request = op.request or {}
    except Exception:  # a row encrypted under a key no longer configured cannot be this request
        return False
    return all(request.get(k) == v for k, v in fix.as_request().items())


def _existing(url: str, subject: Subject, ref: str, fix: Correction) -> PrivacyOperation | None:
    """The operation for this very request: a running one (resume) or a finished one (its receipt)."""
    with session_scope(url) as session:
        ops = list(
            session.scalars(
                select(PrivacyOperation)
                .where(
                    PrivacyOperation.tenant == subject.tenant,
                    PrivacyOperation.kind == "correct",
                    PrivacyOperation.subject_ref == ref,
                    PrivacyOperation.status.in_(("running", "done")),
                )
                .order_by(PrivacyOperation.created_at.desc())
            )
        )
        for op in ops:
            if _request_matches(op, fix):
                session.expunge(op)
                return op
    return None


def _channel_addresses(url: str, found: Found) -> set[str]:
    out: set[str] = set()
    with session_scope(url) as session:
        for address in session.scalars(select(Conversation.contact_id).where(Conversation.id.in_(found.conversations))):
            try:
                number = phonenumbers.parse("+" + str(address).lstrip("+"))
                out.add(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))
            except phonenumbers.NumberParseException:
                continue
    return out


def _held(settings: Settings, found: Found, fix: Correction) -> int:
    """How many of the person's records hold the old value (outside the channel address)."""
    url = settings.database_url
    own = set(found.conversations)
    n = 0
    with session_scope(url) as session:
        for conv in session.scalars(select(Conversation).where(Conversation.id.in_(own))):
            n += fix.hits(conv.contact_name)
        for turn in session.scalars(select(ConversationTurn).where(ConversationTurn.conversation_id.in_(own))):
            n += fix.hits(turn.text) or fix.hits_json(turn.details)
        for ev in session.scalars(select(DomainEvent).where(DomainEvent.id.in_(found.own_events))):
            n += fix.hits_json(ev.payload)
        for job in session.scalars(select(Job).where(Job.id.in_(found.own_jobs))):
            n += fix.hits_json([job.params, job.deferred])
    n += sum(1 for conv in sorted(own) if _checkpoint_fix(settings, conv, fix, write=False))
    return n


def correct(
    settings: Settings,
    subject: Subject,
    field: str,
    old: str,
    new: str,
    *,
    actor: Actor,
    refuse: str | None = None,
    crash_after: str | None = None,
) -> dict[str, Any]:
    """Correct one detail of the person everywhere (see the module docstring); returns the receipt.

    ``refuse`` records the tenant's refusal with that reason instead. ``crash_after`` (tests only)
    raises after the named step, as a kill would leave it. Bad input raises :class:`ContactError`.
    """
    fix = Correction(field, old, new)
    if refuse is not None and not refuse.strip():
        raise ContactError("סירוב צריך נימוק | a refusal needs a reason")
    url = settings.database_url
    found = find(settings, subject)
    ref = subject_ref(found.tenant_id, subject)
    existing = _existing(url, subject, ref, fix) if refuse is None else None
    if existing is not None and existing.status == "done":
        record_access(url, subject.tenant, actor, "correct", "person", ref, {"operation": existing.id, "repeat": 1})
        return _receipt(url, existing.id)
    refused: list[str] = []
    if existing is None:
        channel = fix.field == "phone" and fix.old in _channel_addresses(url, found)
        if channel:
            refused.append("channel_address")
        if refuse is None and _held(settings, found, fix) == 0:
            refuse = "channel_address" if channel else "not_found"
    op_id = existing.id if existing is not None else _open(url, subject, ref, actor, fix, refuse, refused)
    if refuse is not None:
        record_access(url, subject.tenant, actor, "correct", "person", ref, {"operation": op_id, "refused": 1})
        log.info("privacy correct refused tenant=%s operation=%s", subject.tenant, op_id)
        return _receipt(url, op_id)
    log.info("privacy correct tenant=%s operation=%s resumed=%s", subject.tenant, op_id, existing is not None)
    with session_scope(url) as session:
        current = session.get(PrivacyOperation, op_id)
        op_steps = dict(current.steps or {}) if current is not None else {}

    def step(name: str, run: Callable[[], None]) -> None:
        if not _step_done(op_steps, name):
            run()
            _with_op(url, op_id, settings, lambda s, op: _mark(op, name))
        if crash_after == name:
            raise _SimulatedKill(name)

    step("conversations", lambda: _fix_conversations(settings, op_id, found, fix))
    step("transcripts", lambda: _annotate_transcripts(settings, op_id, found, fix))
    step("domain_events", lambda: _fix_events(settings, op_id, found, fix))
    step("outbox_jobs", lambda: _fix_jobs(settings, op_id, found, fix))
    step("checkpoints", lambda: _fix_checkpoints(settings, op_id, found, fix))
    step("crm", lambda: _plan_crm(settings, op_id, subject, found, fix))

    def close(session: Session, op: PrivacyOperation) -> None:
        op.status, op.finished_at = "done", datetime.now(UTC)

    _with_op(url, op_id, settings, close)
    record_access(url, subject.tenant, actor, "correct", "person", ref, {"operation": op_id, "field": fix.field})
    log.info("privacy correct done tenant=%s operation=%s", subject.tenant, op_id)
    return _receipt(url, op_id)


def _open(
    url: str, subject: Subject, ref: str, actor: Actor, fix: Correction, refuse: str | None, refused: list[str]
) -> str:
    now = datetime.now(UTC)
    request: dict[str, Any] = fix.as_request()
    if refuse is not None:
        request["reason"] = refuse.strip()[:1000]
    with session_scope(url) as session:
        op = PrivacyOperation(
            tenant=subject.tenant,
            kind="correct",
            subject_ref=ref,
            status="refused" if refuse is not None else "running",
            steps={"_refused_parts": refused} if refused else {},
            requested_by=f"{actor.kind}:{actor.id}"[:200],
            request=request,
            finished_at=now if refuse is not None else None,
        )
        session.add(op)
        session.flush()
        return op.id


def _fix_conversations(settings: Settings, op_id: str, found: Found, fix: Correction) -> None:
    def work(session: Session, op: PrivacyOperation) -> None:
        n = 0
        for conv in session.scalars(select(Conversation).where(Conversation.id.in_(found.conversations))):
            if conv.contact_name and fix.hits(conv.contact_name):
                conv.contact_name = fix.fix_text(conv.contact_name)
                n += 1
        _bump(op, "conversations", "contact_names_corrected", n)

    _with_op(settings.database_url, op_id, settings, work)


def _annotate_transcripts(settings: Settings, op_id: str, found: Found, fix: Correction) -> None:
    """An annotation on every message holding the old value; structured fields (details) rewritten."""

    def work(session: Session, op: PrivacyOperation) -> None:
        annotated = rewritten = 0
        now = datetime.now(UTC).isoformat()
        for turn in session.scalars(
            select(ConversationTurn).where(ConversationTurn.conversation_id.in_(found.conversations))
        ):
            details = dict(turn.details or {})
            changed = False
            if fix.hits_json({k: v for k, v in details.items() if k != "corrections"}):
                details = {k: (v if k == "corrections" else fix.fix_json(v)) for k, v in details.items()}
                rewritten += 1
                changed = True
            notes = list(details.get("corrections") or [])
            if fix.hits(turn.text) and not any(n.get("operation") == op_id for n in notes):
                notes.append({"operation": op_id, "field": fix.field, "at": now})
                details["corrections"] = notes
                annotated += 1
                changed = True
            if changed:
                turn.details = details
        _bump(op, "transcripts", "messages_annotated", annotated)
        _bump(op, "transcripts", "structured_fields_rewritten", rewritten)

    _with_op(settings.database_url, op_id, settings, work)


def _fix_events(settings: Settings, op_id: str, found: Found, fix: Correction) -> None:
    def work(session: Session, op: PrivacyOperation) -> None:
        n = 0
        for ev in session.scalars(select(DomainEvent).where(DomainEvent.id.in_(found.own_events))):
            if fix.hits_json(ev.payload):
                ev.payload = fix.fix_json(ev.payload)
                n += 1
        _bump(op, "domain_events", "rows_corrected", n)

    _with_op(settings.database_url, op_id, settings, work)


def _fix_jobs(settings: Settings, op_id: str, found: Found, fix: Correction) -> None:
    """Jobs not yet run carry the corrected value; running and finished ones are records of what was sent."""

    def work(session: Session, op: PrivacyOperation) -> None:
        n = kept = 0
        for job in session.scalars(select(Job).where(Job.id.in_(found.own_jobs))):
            if not fix.hits_json([job.params, job.deferred]):
                continue
            if job.status in ("pending", "held"):
                job.params = fix.fix_json(job.params)
                if job.deferred:
                    job.deferred = fix.fix_json(job.deferred)
                n += 1
            else:
                kept += 1
        _bump(op, "outbox_jobs", "pending_jobs_corrected", n)
        _bump(op, "outbox_jobs", "sent_jobs_kept", kept)

    _with_op(settings.database_url, op_id, settings, work)


def _checkpoint_fix(settings: Settings, conv_id: str, fix: Correction, *, write: bool) -> bool:
    """Correct the agent's saved slots of one conversation; whether they held the old value.

    (The state's ``contact`` is refreshed from the channel on every turn: not corrected.)
    """
    from ..agents.graph import graph_for

    graph = graph_for(settings)
    config = {"configurable": {"thread_id": conv_id}}
    values = graph.get_state(config).values or {}
    update: dict[str, Any] = {}
    for key in ("slots",):
        value = values.get(key)
        if isinstance(value, dict) and fix.hits_json(value):
            update[key] = fix.fix_json(value)
    if update and write:
        graph.update_state(config, update, as_node="conclude")
    return bool(update)


def _fix_checkpoints(settings: Settings, op_id: str, found: Found, fix: Correction) -> None:
    n = sum(1 for conv in sorted(found.conversations) if _checkpoint_fix(settings, conv, fix, write=True))
    _with_op(settings.database_url, op_id, settings, lambda s, op: _bump(op, "checkpoints", "states_corrected", n))


def _plan_crm(settings: Settings, op_id: str, subject: Subject, found: Found, fix: Correction) -> None:
    """A ``correct_contact`` job per connector that offers it; the others are named in the receipt."""
    from ..connectors.registry import load_connector
    from ..db.models import utcnow
    from ..tenancy import resolver_for

    try:
        config = resolver_for(settings).live(subject.tenant).config
    except LookupError:
        config = None
    planned: list[str] = []
    unsupported: list[str] = []
    for name in sorted(config.connectors) if config else []:
        try:
            info = load_connector(name)
        except Exception:  # an unknown connector corrects nothing: say so
            unsupported.append(name)
            continue
        (planned if "correct_contact" in info.cls.actions() else unsupported).append(name)
    crm_field = fix.field if fix.field in ("phone", "email", "name") else None

    def work(session: Session, op: PrivacyOperation) -> None:
        made = []
        for name in planned if crm_field else []:
            key = "privacy-correct:" + hashlib.sha256(f"{op_id}:{name}".encode()).hexdigest()[:40]
            if session.scalar(select(Job.id).where(Job.key == key)) is None:
                session.add(
                    Job(
                        key=key,
                        tenant=subject.tenant,
                        action=f"{name}.correct_contact",
                        params={
                            "phones": sorted(found.needles.phones),
                            "emails": sorted(found.needles.emails),
                            "field": crm_field,
                            "old": fix.old,
                            "new": fix.new,
                        },
                        status="pending",
                        next_attempt_at=utcnow(),
                    )
                )
            made.append(name)
        steps = dict(op.steps or {})
        steps["crm"] = {
            **(steps.get("crm") or {}),
            "planned": made,
            "not_supported": sorted(unsupported),
            "field_not_sent": [] if crm_field else sorted(planned),
        }
        op.steps = steps

    _with_op(settings.database_url, op_id, settings, work)


def _receipt(url: str, op_id: str) -> dict[str, Any]:
    with session_scope(url) as session:
        op = session.get(PrivacyOperation, op_id)
        assert op is not None
        request = op.request or {}
        steps = {k: v for k, v in (op.steps or {}).items() if not k.startswith("_")}
        parts = list((op.steps or {}).get("_refused_parts") or [])
        notes: list[str] = []
        refusal = None
        if op.status == "refused":
            reason = str(request.get("reason") or "")
            refusal = {
                "reason": reason,
                "reason_he": REFUSAL_HE.get(reason, reason),
                "reason_en": REFUSAL_EN.get(reason, reason),
                "notice": APPEAL_NOTICE,
            }
        for part in parts:
            if op.status != "refused":
                notes.append(f"{REFUSAL_HE[part]} | {REFUSAL_EN[part]}")
        for name in (steps.get("crm") or {}).get("not_supported") or []:
            notes.append(
                f"החיבור '{name}' אינו תומך בתיקון — על העסק לתקן את המידע שם | the connector '{name}' does not "
                "support correction: the tenant must correct the data there"
            )
        for name in (steps.get("crm") or {}).get("field_not_sent") or []:
            notes.append(
                f"לשדה זה אין מקבילה בחיבור '{name}' — על העסק לתקן שם אם הוא נשמר | this field has no "
                f"counterpart in the connector '{name}': the tenant must correct it there if it is kept"
            )
        if op.status == "done":
            notes.append(
                "ההודעות עצמן לא שוכתבו: הן תיעוד של מה שנאמר; לכל הודעה שמכילה את הערך הישן נוספה הערת תיקון | "
                "messages were not rewritten (a record of what was said): each one holding the old value is "
                "annotated with the correction"
            )
            notes.append(
                "גופי הבקשות הגולמיים מהערוץ לא שונו ויימחקו לפי מדיניות השמירה | raw channel deliveries are "
                "kept verbatim until retention purges them"
            )
        return {
            "operation": op.id,
            "kind": "correct",
            "tenant": op.tenant,
            "subject_ref": op.subject_ref,
            "field": request.get("field"),
            "status": op.status,
            "requested_by": op.requested_by,
            "started_at": _iso(op.created_at),
            "finished_at": _iso(op.finished_at),
            "steps": steps,
            "refusal": refusal,
            "notes": notes,
        }


def corrections_of(session: Session, details: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The corrections annotated on a message, with the corrected value (for the person's export)."""
    out = []
    for note in (details or {}).get("corrections") or []:
        op = session.get(PrivacyOperation, str(note.get("operation")))
        request = (op.request or {}) if op is not None else {}
        out.append({"field": note.get("field"), "at": note.get("at"), "corrected_to": request.get("new")})
    return out
