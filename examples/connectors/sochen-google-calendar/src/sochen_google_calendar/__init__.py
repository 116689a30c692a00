"""Google Calendar connector for Sochen (an example of a third-party connector package)."""

from .connector import GoogleCalendarConfig, GoogleCalendarConnector, event_id_for

__all__ = ["GoogleCalendarConfig", "GoogleCalendarConnector", "event_id_for"]
