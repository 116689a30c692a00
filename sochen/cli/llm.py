"""``sochen llm``: commands of this area register on the root app here."""

from __future__ import annotations

from .app import app  # noqa: F401
