"""Personal data in requests to API providers, as captured by the model fakes (:mod:`sochen.llm.testing`).

The ledger says where each routed request went and whether it was sensitive; this looks at the
wire. A captured chat request to an API-locality fake is a leak when it contains a personal-data
value found in a scenario message (a name, a phone number, an ID number, ...), or the whole text of
a message the privacy guard called sensitive. Leaks are attributed to the turns whose data they
carry; the others are counted for the run.

What the tenant's own material contains is the business's, not the writer's (the privacy guard's
rule, :class:`sochen.privacy.BusinessTerms`): a customer whose daughter shares the assistant's name,
who names the clinic's doctor or its town, has not leaked anything when the system prompt or a
passage says that name. Given the tenant's terms, such values are not markers, and a whole message
counts only when it is sensitive beyond them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from ..privacy import BusinessTerms, assess, scan
from .matchers import norm_text
from .records import ScenarioResult, TurnRecord

__all__ = ["attribute_api_leaks", "request_text"]

_DIGITS = re.compile(r"\D+")


def request_text(body: Any) -> str:
    """The message contents of a captured chat request (OpenAI or Ollama wire shape)."""
    if not isinstance(body, dict):
        return ""
    parts: list[str] = []
    for message in body.get("messages") or []:
        content = message.get("content") if isinstance(message, dict) else None
        if isinstance(content, str):
            parts.append(content)
        elif isinstance(content, list):  # OpenAI content parts
            parts.extend(str(p.get("text", "")) for p in content if isinstance(p, dict))
    if isinstance(body.get("prompt"), str):
        parts.append(body["prompt"])
    return "\n".join(parts)


def _markers(turn: TurnRecord, business: BusinessTerms | None = None) -> list[tuple[str, str, str]]:
    """(type, how, value) triples whose presence in a request means this turn's personal data went there."""
    found: list[tuple[str, str, str]] = []
    for finding in scan(turn.user):
        value = turn.user[finding.start : finding.end]
        if finding.type == "health":
            continue  # vocabulary words also appear in prompts and documents; the whole message is checked below
        digits = _DIGITS.sub("", value)
        if finding.type in ("phone", "id_number", "credit_card", "bank_account", "iban") and len(digits) >= 7:
            found.append((finding.type, "digits", digits[-9:]))
        elif len(norm_text(value)) >= 3 and not (business is not None and business.covers(value)):
            found.append((finding.type, "text", norm_text(value)))
    assessment = assess(turn.user, business=business)
    if len(turn.user) >= 8 and assessment.sensitive:
        found.append(("+".join(sorted(assessment.types)) or "sensitive", "text", norm_text(turn.user)))
    return found


def attribute_api_leaks(
    results: Sequence[ScenarioResult], requests: Iterable[tuple[str, Any]], *, business: BusinessTerms | None = None
) -> int:
    """Mark turns whose personal data reached an API fake; returns leaking requests no turn explains.

    ``requests`` are (label, JSON body) pairs; ``business`` the tenant's own terms (module docstring).
    Turns record the label and the *types* of data found, never the values.
    """
    markers = [(t, _markers(t, business)) for r in results for t in r.turns]
    unattributed = 0
    for label, body in requests:
        text = request_text(body)
        if not text:
            continue
        flat, digits = norm_text(text), _DIGITS.sub("", text)
        hit = False
        for turn, triples in markers:
            types = sorted({kind for kind, how, value in triples if value in (digits if how == "digits" else flat)})
            if types:
                turn.api_leaks.append(f"{label}: {', '.join(types)}")
                hit = True
        if not hit and assess(text, business=business).sensitive and _personal_beyond_prompt(text):
            unattributed += 1
    return unattributed


def _personal_beyond_prompt(text: str) -> bool:
    """Personal data of a person (not the business): a phone, an ID, an email, a card, a name after a cue."""
    return any(
        f.type in ("phone", "id_number", "email", "credit_card", "iban", "bank_account", "date_of_birth")
        for f in scan(text)
    )
