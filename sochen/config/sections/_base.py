"""Shared building blocks for the tenant configuration sections."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

__all__ = ["EnvVarName", "StrictModel"]


class StrictModel(BaseModel):
    """A frozen model that rejects unknown keys: every tenant section derives from it."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)


EnvVarName = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Z_][A-Z0-9_]*$", max_length=128),
]
"""The name of an environment variable that holds a secret (secrets are never written inline)."""
