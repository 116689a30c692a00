"""Shared machinery for writing the labelled PII data sets: fake values, perturbations, span bookkeeping.

Templates use {slot} for generated values and <type:literal text> for labelled literals.
Every span is computed by code while the text is assembled and verified afterwards.
"""
from __future__ import annotations

import json
import random
import re

NIQQUD = ["\u05b0", "\u05b4", "\u05b5", "\u05b6", "\u05b7", "\u05b8", "\u05b9", "\u05bb", "\u05bc", "\u05c1", "\u05c2"]
BIDI = ["\u200e", "\u200f", "\u202b", "\u202c", "\u2066", "\u2067", "\u2069", "\u200b", "\ufeff"]
HEB = re.compile(r"[\u05d0-\u05ea]")


def id_check_digit(eight: str) -> str:
    total = 0
    for i, ch in enumerate(eight):
        p = int(ch) * (1 if i % 2 == 0 else 2)
        total += p - 9 if p > 9 else p
    return str((10 - total % 10) % 10)


def id_valid(nine: str) -> bool:
    total = 0
    for i, ch in enumerate(nine.zfill(9)):
        p = int(ch) * (1 if i % 2 == 0 else 2)
        total += p - 9 if p > 9 else p
    return total % 10 == 0


def luhn_digit(partial: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(partial)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def iban_il(bank: str, branch: str, account: str) -> str:
    bban = bank + branch + account.zfill(13)
    num = int(bban + "1821" + "00")  # I=18, L=21
    check = 98 - num % 97
    return f"IL{check:02d}{bban}"


class Gen:
    def __init__(self, seed: int):
        self.r = random.Random(seed)

    def digits(self, n: int, first: str = "0123456789") -> str:
        return self.r.choice(first) + "".join(self.r.choice("0123456789") for _ in range(n - 1))

    def valid_id(self, eight_digit_form: bool = False) -> str:
        while True:
            body = self.digits(8, "0123" if eight_digit_form else "0123")
            full = body + id_check_digit(body)
            if full != "000000000":
                break
        if eight_digit_form:
            body = "0" + self.digits(7, "123456789")
            full = body + id_check_digit(body)
            return full[1:]
        return full

    def invalid_9(self, first: str = "123456789") -> str:
        while True:
            s = self.digits(9, first)
            if not id_valid(s):
                return s

    def valid_9_nonzero(self) -> str:
        body = self.digits(8, "123456789")
        return body + id_check_digit(body)

    def card(self, fmt: str | None = None) -> str:
        kind = self.r.choice(["visa", "visa", "mc", "mc2", "amex", "diners"])
        if kind == "visa":
            partial = "4" + self.digits(14)
        elif kind == "mc":
            partial = "5" + self.r.choice("12345") + self.digits(13)
        elif kind == "mc2":
            partial = "22" + self.r.choice("3456789") + self.digits(12)
        elif kind == "amex":
            partial = self.r.choice(["34", "37"]) + self.digits(12)
        else:
            partial = "36" + self.digits(11)
        num = partial + luhn_digit(partial)
        fmt = fmt or self.r.choice(["space", "dash", "none", "space"])
        if len(num) == 16:
            groups = [num[i : i + 4] for i in range(0, 16, 4)]
        elif len(num) == 15:
            groups = [num[:4], num[4:10], num[10:]]
        else:
            groups = [num[:4], num[4:10], num[10:]]
        sep = {"space": " ", "dash": "-", "none": ""}[fmt]
        return sep.join(groups)

    def bad_card(self) -> str:
        while True:
            partial = "4" + self.digits(15)
            if luhn_digit(partial[:-1]) != partial[-1]:
                return " ".join(partial[i : i + 4] for i in range(0, 16, 4))

    def iban(self) -> str:
        bank = self.r.choice(["010", "011", "012", "020", "031", "014", "017"])
        branch = self.digits(3, "123456789")
        acct = self.digits(self.r.choice([6, 7, 8, 9]), "123456789")
        raw = iban_il(bank, branch, acct)
        style = self.r.choice(["spaces", "compact", "spaces"])
        if style == "spaces":
            return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))
        return raw

    def bank_dashed(self) -> str:
        bank = self.r.choice(["10", "11", "12", "20", "31", "14", "17", "13", "46", "54"])
        return f"{bank}-{self.digits(3, '123456789')}-{self.digits(self.r.choice([6, 7, 8]), '123456789')}"

    def mobile(self) -> str:
        pre = "05" + self.r.choice("0234588")
        sub = self.digits(7)
        fmt = self.r.choice(["dash", "none", "dash", "space", "dash3", "space3", "dash2"])
        if fmt == "dash":
            return f"{pre}-{sub}"
        if fmt == "none":
            return pre + sub
        if fmt == "space":
            return f"{pre} {sub}"
        if fmt == "dash3":
            return f"{pre}-{sub[:3]}-{sub[3:]}"
        if fmt == "space3":
            return f"{pre} {sub[:3]} {sub[3:]}"
        return f"{pre}-{sub[:3]}-{sub[3:5]}-{sub[5:]}"

    def landline(self) -> str:
        pre = "0" + self.r.choice("23489")
        sub = self.digits(7, "23456789")
        fmt = self.r.choice(["dash", "dash", "space", "dash3", "paren"])
        if fmt == "dash":
            return f"{pre}-{sub}"
        if fmt == "space":
            return f"{pre} {sub}"
        if fmt == "dash3":
            return f"{pre}-{sub[:3]}-{sub[3:]}"
        return f"({pre}) {sub[:3]}-{sub[3:]}"

    def voip(self) -> str:
        pre = "07" + self.r.choice("234679")
        sub = self.digits(7)
        return self.r.choice([f"{pre}-{sub}", f"{pre}{sub}", f"{pre}-{sub[:3]}-{sub[3:]}"])

    def intl(self) -> str:
        area = self.r.choice(["50", "52", "54", "53", "58", "3", "2", "9", "77"])
        sub = self.digits(7)
        fmt = self.r.choice(["plus_dash", "plus_space", "plain", "00", "plus_zero", "plus_compact"])
        if fmt == "plus_dash":
            return f"+972-{area}-{sub[:3]}-{sub[3:]}"
        if fmt == "plus_space":
            return f"+972 {area} {sub[:3]} {sub[3:]}"
        if fmt == "plain":
            return f"972{area}{sub}"
        if fmt == "00":
            return f"00972-{area}-{sub}"
        if fmt == "plus_zero":
            return f"+972 (0){area}-{sub}"
        return f"+972{area}{sub}"

    def unassigned_mobile(self) -> str:
        # 050-1xxxxxx: number-shaped, rejected by Google's metadata, still a phone for privacy.
        sub = "1" + self.digits(6)
        return self.r.choice([f"050-{sub}", f"050{sub}"])

    def phone(self) -> str:
        k = self.r.random()
        if k < 0.5:
            return self.mobile()
        if k < 0.7:
            return self.landline()
        if k < 0.8:
            return self.voip()
        if k < 0.95:
            return self.intl()
        return self.unassigned_mobile()


def add_niqqud(word: str, r: random.Random, rate: float = 0.6) -> str:
    out = []
    for ch in word:
        out.append(ch)
        if HEB.match(ch) and r.random() < rate:
            out.append(r.choice(NIQQUD))
    return out and "".join(out) or word


def typo(word: str, r: random.Random) -> str:
    if len(word) < 4 or not HEB.search(word):
        return word
    i = r.randrange(1, len(word) - 2)
    kind = r.random()
    if kind < 0.5:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind < 0.8:
        return word[:i] + word[i + 1 :]
    return word[:i] + word[i] + word[i:]


SLOT = re.compile(r"\{(\w+)\}|<(\w+):([^>]+)>")


def build(template: str, slots: dict, r: random.Random, *, niqqud=0.0, bidi=0.0, typos=0.0, gershayim=0.0):
    """Fill a template. slots[name]() -> (value, type or None)."""
    segments: list[tuple[str, str | None]] = []
    pos = 0
    for m in SLOT.finditer(template):
        if m.start() > pos:
            segments.append((template[pos : m.start()], None))
        if m.group(1):
            value, typ = slots[m.group(1)]()
        else:
            value, typ = m.group(3), m.group(2)
        segments.append((value, typ))
        pos = m.end()
    if pos < len(template):
        segments.append((template[pos:], None))
    text = ""
    ents = []
    for value, typ in segments:
        if typ is None:
            words = value.split(" ")
            new = []
            for w in words:
                if typos and r.random() < typos and not any(c.isdigit() for c in w):
                    w = typo(w, r)
                if niqqud and r.random() < niqqud:
                    w = add_niqqud(w, r)
                new.append(w)
            value = " ".join(new)
            if gershayim and r.random() < gershayim:
                value = value.replace('"', "\u05f4").replace("'", "\u05f3")
        else:
            if niqqud and HEB.search(value) and r.random() < niqqud * 1.5:
                value = " ".join(add_niqqud(w, r) for w in value.split(" "))
            if gershayim and r.random() < gershayim:
                value = value.replace('"', "\u05f4").replace("'", "\u05f3")
            if bidi and any(c.isdigit() for c in value) and r.random() < bidi:
                mark = r.choice(BIDI)
                if text.endswith(" ") or not text:
                    text += mark
        start = len(text)
        text += value
        if typ is not None:
            ents.append({"type": typ, "start": start, "end": len(text), "_value": value})
            if bidi and any(c.isdigit() for c in value) and r.random() < bidi:
                text += r.choice(BIDI)
    for e in ents:
        assert text[e["start"] : e["end"]] == e.pop("_value"), (text, e)
    return {"text": text, "entities": ents}


def write(path: str, rows: list[dict]) -> None:
    with open(path, "w", encoding="utf-8") as f:
        for row in rows:
            for e in row["entities"]:
                assert 0 <= e["start"] < e["end"] <= len(row["text"])
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
