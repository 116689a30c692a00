"""The loader's value types and its one exception (the contract is in the package docstring)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

__all__ = ["REASONS", "Block", "BlockKind", "LoadError", "LoadedDocument"]

BlockKind = Literal["heading", "paragraph", "table", "list_item"]


@dataclass(frozen=True)
class Block:
    """One structural unit of a document, in reading order."""

    kind: BlockKind
    text: str
    """Display text in logical order with the original characters (niqqud kept)."""
    page: int | None = None
    """1-based page for paged formats; None where pages are unknown."""
    level: int | None = None
    """Heading level 1..6 for headings; None otherwise."""


@dataclass(frozen=True)
class LoadedDocument:
    """A loaded document: its title, type and blocks."""

    title: str
    mime: str
    blocks: tuple[Block, ...]
    pages: int | None
    meta: dict[str, str] = field(default_factory=dict)


# reason -> (Hebrew, English): the short, user-facing sentence for each machine code.
REASONS: dict[str, tuple[str, str]] = {
    "encrypted": ("הקובץ מוגן בסיסמה ואי אפשר לקרוא אותו", "the file is password-protected"),
    "corrupt": ("הקובץ פגום או קטוע", "the file is damaged or truncated"),
    "empty": ("אין בקובץ טקסט שאפשר לקרוא", "the file has no readable text"),
    "unsupported": ("סוג הקובץ אינו נתמך", "this file type is not supported"),
    "too_large": ("הקובץ גדול מדי", "the file is too large"),
    "unreadable": ("אי אפשר לקרוא את הקובץ", "the file cannot be read"),
}


class LoadError(Exception):
    """A file that cannot be loaded; ``reason`` is one of :data:`REASONS`.

    ``message_he`` and ``message_en`` say what happened in words a user can act on; ``str()`` gives
    both, Hebrew first.
    """

    def __init__(self, reason: str, *, he: str = "", en: str = "") -> None:
        if reason not in REASONS:
            raise ValueError(f"unknown LoadError reason {reason!r}; expected one of {sorted(REASONS)}")
        base_he, base_en = REASONS[reason]
        self.reason = reason
        self.message_he = f"{base_he}: {he}" if he else base_he
        self.message_en = f"{base_en}: {en}" if en else base_en
        super().__init__(f"{self.message_he} / {self.message_en}")
