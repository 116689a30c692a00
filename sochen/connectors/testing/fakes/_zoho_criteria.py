r"""Zoho search criteria, as the fake understands them: ``((Phone:equals:+972501234567) and (...))``.

Inside a value, ``(``, ``)``, ``,`` and ``\\`` are escaped with a backslash (protocols.md §2.3).
Operators: ``equals``, ``not_equal``, ``starts_with``, ``in`` (comma-separated values).
"""

from __future__ import annotations

from typing import Any

__all__ = ["CriteriaError", "matches"]

_OPS = {"equals", "not_equal", "starts_with", "in"}


class CriteriaError(ValueError):
    """The criteria string is malformed."""


def matches(criteria: str, record: dict[str, Any]) -> bool:
    """Whether ``record`` satisfies ``criteria``."""
    parser = _Parser(criteria)
    result = parser.expression(record)
    parser.skip_spaces()
    if parser.pos != len(parser.text):
        raise CriteriaError(f"unexpected text at {parser.pos}: {parser.text[parser.pos :]!r}")
    return result


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def skip_spaces(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] == " ":
            self.pos += 1

    def expression(self, record: dict[str, Any]) -> bool:
        # "and" binds tighter than "or"; Zoho asks for parentheses when they are mixed anyway.
        any_true = False
        while True:
            all_true = self.term(record)
            while self._keyword("and"):
                all_true = self.term(record) and all_true
            any_true = any_true or all_true
            if not self._keyword("or"):
                return any_true

    def _keyword(self, word: str) -> bool:
        self.skip_spaces()
        end = self.pos + len(word)
        if self.text[self.pos : end].lower() == word and end < len(self.text) and self.text[end] in " (":
            self.pos = end
            return True
        return False

    def term(self, record: dict[str, Any]) -> bool:
        self.skip_spaces()
        if self.pos >= len(self.text) or self.text[self.pos] != "(":
            raise CriteriaError(f"expected '(' at {self.pos}")
        self.pos += 1
        self.skip_spaces()
        if self.pos < len(self.text) and self.text[self.pos] == "(":
            result = self.expression(record)
            self.skip_spaces()
            if self.pos >= len(self.text) or self.text[self.pos] != ")":
                raise CriteriaError(f"expected ')' at {self.pos}")
            self.pos += 1
            return result
        return self.condition(record)

    def condition(self, record: dict[str, Any]) -> bool:
        parts: list[str] = [""]
        escaped_commas: list[list[str]] = [[""]]  # values split on unescaped commas, for `in`
        while True:
            if self.pos >= len(self.text):
                raise CriteriaError("unterminated condition")
            ch = self.text[self.pos]
            self.pos += 1
            if ch == "\\" and self.pos < len(self.text):
                ch = self.text[self.pos]
                self.pos += 1
                parts[-1] += ch
                escaped_commas[-1][-1] += ch
            elif ch == ")":
                break
            elif ch == ":" and len(parts) < 3:
                parts.append("")
                escaped_commas.append([""])
            elif ch == ",":
                parts[-1] += ch
                escaped_commas[-1].append("")
            else:
                parts[-1] += ch
                escaped_commas[-1][-1] += ch
        if len(parts) != 3:
            raise CriteriaError(f"a condition is (Field:operator:value), got {':'.join(parts)!r}")
        field, op, value = (p.strip() for p in parts)
        if op not in _OPS:
            raise CriteriaError(f"unknown operator {op!r}")
        actual = record.get(field)
        if isinstance(actual, dict):
            actual = actual.get("id")
        have = "" if actual is None else str(actual).lower()
        if op == "equals":
            return have == value.lower()
        if op == "not_equal":
            return have != value.lower()
        if op == "starts_with":
            return have.startswith(value.lower())
        return have in {v.strip().lower() for v in escaped_commas[2]}
