"""Google Calendar connector for Sochen: free slots, idempotent appointments, cancellation."""

from .connector import GoogleCalendarConfig, GoogleCalendarConnector, booking_event_id, event_id_for
from .models import BookingRequest, BookingResult, CancelRequest, CancelResult, OfferedSlot, SlotOffer, SlotsQuery

__all__ = [
    "BookingRequest",
    "BookingResult",
    "CancelRequest",
    "CancelResult",
    "GoogleCalendarConfig",
    "GoogleCalendarConnector",
    "OfferedSlot",
    "SlotOffer",
    "SlotsQuery",
    "booking_event_id",
    "event_id_for",
]
