"""Numbers and structured identifiers: phones, ID numbers, cards, IBANs, e-mails, bank accounts, birth dates.

Each function appends scored candidates; context cues and check digits set the scores (see the
package docstring for the rules).
"""

from __future__ import annotations

from . import _patterns as P
from ._checksums import iban_valid, israeli_id_valid, luhn_valid
from ._context import Cand, Context, digits, evidence, is_amount
from ._phones import phone_kind

__all__ = ["bank_accounts", "cards", "dates_of_birth", "emails", "ibans", "id_numbers", "phones"]


def phones(text: str, ctx: Context, out: list[Cand]) -> None:
    for m in P.PHONE.finditer(text):
        s, e = m.span()
        digs = digits(m.group(0))
        cue = ctx.nearest(s, e)
        kind = cue.kind if cue else ""
        shape = phone_kind(digs if not m.group("intl") else "+" + digs.removeprefix("00"))
        if shape is None:  # phone-shaped, but no number libphonenumber knows: context decides
            score, ev = 0.45, "shape:unlisted"
        elif m.group("intl"):
            score, ev = 0.97, "shape:intl"
        elif shape == "mobile":
            score, ev = 0.95, "shape:mobile"
        elif shape == "voip":
            score, ev = 0.9, "shape:voip"
        elif len(m.group(0)) > len(digs):  # written with separators or parentheses
            score, ev = 0.9, "shape:landline"
        else:  # a bare 9-digit landline also reads as an ID number: context and checksum decide
            score, ev = 0.6, "shape:landline"
            if kind == "id":
                score = 0.3
        if kind == "phone":
            score, ev = max(score, 0.98), evidence(ev, cue)
        elif kind in ("neg", "bank", "card") and score < 0.97:
            score -= 0.4
        if is_amount(text, s, e):
            score = 0.0
        out.append(Cand("phone", s, e, score, ev))


def id_numbers(text: str, ctx: Context, out: list[Cand]) -> None:
    for m in P.ID_NUMBER.finditer(text):
        s, e = m.span()
        raw = m.group(0)
        digs = digits(raw)
        if set(digs) == {"0"} or is_amount(text, s, e):
            continue
        valid = israeli_id_valid(digs)
        cue = ctx.nearest(s, e)
        kind = cue.kind if cue else ""
        if kind == "id":
            score, ev = (0.99, evidence("checksum", cue)) if valid else (0.75, evidence("", cue))
        elif kind == "card" and len(digs) in (8, 9):  # Isracard's domestic cards are 8-9 digits
            out.append(Cand("credit_card", s, e, 0.7, evidence("", cue)))
            continue
        elif kind == "neg" or not valid:
            continue
        elif kind:  # another type's cue: a valid checksum is still weak evidence of an ID
            score, ev = (0.55, "checksum") if len(digs) == 9 else (0.0, "")
        elif "-" in raw and len(digs) == 9 and len(raw) == 10:  # 12345678-2: the check digit set apart
            score, ev = 0.85, "checksum"
        elif len(digs) == 9 and raw.isdigit():
            score, ev = 0.7, "checksum"
        else:  # 8 digs, or 3-3-3 groups, without an ID cue
            continue
        out.append(Cand("id_number", s, e, score, ev))


def cards(text: str, ctx: Context, out: list[Cand]) -> None:
    for m in P.CARD.finditer(text):
        s, e = m.span()
        digs = digits(m.group(0))
        if not 13 <= len(digs) <= 19 or is_amount(text, s, e):
            continue
        cue = ctx.nearest(s, e)
        kind = cue.kind if cue else ""
        plausible = digs[0] in "23456"
        if luhn_valid(digs) and plausible:
            if kind == "card":
                score, ev = 0.99, evidence("luhn", cue)
            elif kind == "neg":
                continue
            else:
                score, ev = (0.95 if len(m.group(0)) > len(digs) or len(digs) == 16 else 0.8), "luhn"
        elif kind == "card":  # a mistyped card is still a card
            score, ev = 0.7, evidence("", cue)
        else:
            continue
        out.append(Cand("credit_card", s, e, score, ev))


def ibans(text: str, out: list[Cand]) -> None:
    for m in P.IBAN.finditer(text):
        compact = m.group(0).replace(" ", "").replace("-", "")
        valid = len(compact) == 23 and iban_valid(compact)
        out.append(Cand("iban", m.start(), m.end(), 0.99 if valid else 0.75, "mod97" if valid else "shape:iban"))


def emails(text: str, out: list[Cand]) -> None:
    for m in P.EMAIL.finditer(text):
        out.append(Cand("email", m.start(), m.end(), 0.99, "shape:email"))


def bank_accounts(text: str, ctx: Context, out: list[Cand]) -> None:
    for m in P.BANK_DASHED.finditer(text):
        s, e = m.span()
        cue = ctx.nearest(s, e)
        kind = cue.kind if cue else ""
        digs = digits(m.group(0))
        phone_shaped = len(digs) == 9 and digs.startswith("0") and phone_kind(digs) == "landline"
        if kind == "bank":
            score, ev = 0.97, evidence("shape:bank-branch-account", cue)
        elif kind == "neg" or (phone_shaped and kind == "phone"):
            continue
        else:
            score, ev = (0.5 if phone_shaped else 0.85), "shape:bank-branch-account"
        out.append(Cand("bank_account", s, e, score, ev))
    for m in P.BANK_BRANCH_ACCOUNT.finditer(text):
        s = m.start("bank") if m.group("bank") else m.start("branch")
        out.append(Cand("bank_account", s, m.end("acct"), 0.95, "context:סניף+חשבון"))
    for m in P.BANK_ACCOUNT_KEYWORD.finditer(text):
        cue_text = m.group("cue")
        strong = "בנק" in cue_text or "ח-ן" in cue_text or 'ח"ן' in cue_text
        if strong or ctx.has("bank", m.start(), m.end()):
            out.append(Cand("bank_account", m.start("acct"), m.end("acct"), 0.85, f"context:{cue_text}"))


def dates_of_birth(text: str, ctx: Context, out: list[Cand]) -> None:
    for cue in ctx.cues:
        if cue.kind != "dob":
            continue
        m = P.DOB_DATE_AFTER.match(text, cue.end)
        if m is None:
            continue
        date = m.group("date")
        year_only = len(date) == 4 and date.isdigit()
        if year_only and not cue.text.startswith(("נולד", "יליד", "born")):
            continue
        score = 0.7 if ("הולדת" in cue.text or year_only) else 0.95
        out.append(Cand("date_of_birth", m.start("date"), m.end("date"), score, f"context:{cue.text}"))
