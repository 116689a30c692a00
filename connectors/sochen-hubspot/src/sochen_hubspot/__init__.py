"""HubSpot CRM connector for Sochen: contacts by phone or e-mail, tasks and notes, lifecycle stage and lead status."""

from .connector import (
    ContactParams,
    HubSpotConfig,
    HubSpotConnector,
    NoteParams,
    StageParams,
    TaskParams,
)

__all__ = ["ContactParams", "HubSpotConfig", "HubSpotConnector", "NoteParams", "StageParams", "TaskParams"]
