"""The ``persona`` section of a tenant: how its agent speaks, and what it says when it cannot answer."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ._base import StrictModel

__all__ = ["PersonaConfig"]


class PersonaConfig(StrictModel):
    """Voice and fixed replies of the tenant's agent (prompts are built from these, never from user text)."""

    name: str = Field(
        default="העוזר הדיגיטלי", min_length=1, max_length=100, description="How the agent refers to itself."
    )
    business: str = Field(
        default="",
        max_length=500,
        description="One or two sentences on the business, e.g. 'מרפאת שיניים בתל אביב'.",
    )
    tone: Literal["formal", "friendly"] = Field(
        default="friendly", description="'formal' (a law firm) or 'friendly' (a clinic's WhatsApp line)."
    )
    instructions: str = Field(
        default="",
        max_length=4000,
        description="Extra instructions appended to every system prompt (reviewed by a person).",
    )
    not_found_reply: str = Field(
        default="לא מצאתי תשובה לכך במסמכים שברשותי. אפשר להעביר את השאלה לנציג.",
        min_length=1,
        description="Said when the documents do not contain the answer.",
    )
    holding_reply: str = Field(
        default="קיבלנו את פנייתך ונציג יחזור אליך בהקדם.",
        min_length=1,
        description="Said when no model may answer (e.g. sensitive content and no local model is up).",
    )
