"""Free slots, booking, cancellation and Google's errors, against the fake Calendar API."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from sochen_google_calendar import GoogleCalendarConnector, booking_event_id
from sochen_google_calendar.testing import FakeGoogleCalendar, google_error

from sochen.connectors import ConnectorError, ErrorKind

pytestmark = pytest.mark.unit

TZ = dt.timezone(dt.timedelta(hours=2))
HOURS = {
    "sunday": ["08:00-18:30"],
    "monday": ["08:00-18:30"],
    "tuesday": ["08:00-18:30"],
    "wednesday": ["08:00-18:30"],
    "thursday": ["08:00-18:30"],
    "friday": ["08:00-12:30"],
}
TOKEN = "ya29.test-token-secret-0001"


class Clock:
    def __init__(self, at: dt.datetime) -> None:
        self.now = at.timestamp()
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)


@pytest.fixture
def fake() -> Iterator[FakeGoogleCalendar]:
    with FakeGoogleCalendar(access_token=TOKEN, calendar_id="clinic@group.calendar.google.com") as server:
        yield server


def connect(fake: FakeGoogleCalendar, at: dt.datetime, **extra: Any) -> GoogleCalendarConnector:
    clock = Clock(at)
    config = {
        "calendar_id": "clinic@group.calendar.google.com",
        "access_token": extra.pop("token", TOKEN),
        "channel_token": "channel-token-1234",
        "api_url": fake.url,
    }
    return GoogleCalendarConnector(config, clock=clock, sleep=clock.sleep)


def propose(connector: GoogleCalendarConnector, **params: Any) -> list[str]:
    offer = connector.run_action("propose_slots", {"service": "ניקוי אבנית", "hours": HOURS, **params})
    return [slot.start for slot in offer.offer]


def test_slots_across_the_change_to_summer_time_keep_the_wall_clock(fake: FakeGoogleCalendar) -> None:
    # Thursday 25.03.2027 17:00 (+02:00); Israel moves to +03:00 on Friday 26.03 at 02:00.
    connector = connect(fake, dt.datetime(2027, 3, 25, 17, 0, tzinfo=TZ))
    starts = propose(connector, count=5, holidays=[])
    assert starts == [
        "2027-03-25T18:00:00+02:00",
        "2027-03-25T18:30:00+02:00",  # the last patient is received at 18:30
        "2027-03-26T08:00:00+03:00",  # Friday, summer time: still 08:00 on the clinic's clock
        "2027-03-26T08:30:00+03:00",
        "2027-03-26T09:00:00+03:00",
    ]
    (query,) = [r.json() for r in fake.requests_to("/freeBusy")]
    assert query["timeZone"] == "Asia/Jerusalem" and query["items"] == [{"id": "clinic@group.calendar.google.com"}]
    assert query["timeMin"].endswith("+00:00") or query["timeMin"].endswith("Z")


def test_a_holiday_friday_afternoon_and_saturday_are_skipped(fake: FakeGoogleCalendar) -> None:
    # Friday 23.04.2027 12:00: 12:30 is the last Friday start; Saturday is closed; Sunday 25.04 is a holiday here.
    connector = connect(fake, dt.datetime(2027, 4, 23, 11, 0, tzinfo=dt.timezone(dt.timedelta(hours=3))))
    starts = propose(connector, count=3, holidays=["2027-04-25"], min_notice_minutes=60)
    assert starts == ["2027-04-23T12:00:00+03:00", "2027-04-23T12:30:00+03:00", "2027-04-26T08:00:00+03:00"]


def test_busy_times_and_the_service_length_are_respected(fake: FakeGoogleCalendar) -> None:
    fake.block("2027-01-05T09:00:00+02:00", "2027-01-05T10:00:00+02:00")
    connector = connect(fake, dt.datetime(2027, 1, 3, 9, 0, tzinfo=TZ))
    starts = propose(connector, preferred_time="2027-01-05T09:00", durations={"ניקוי אבנית": 45})
    # 08:30–09:15 would overlap the busy hour; the nearest free starts around 09:00 are 08:00, 10:00, 10:30.
    assert starts == ["2027-01-05T08:00:00+02:00", "2027-01-05T10:00:00+02:00", "2027-01-05T10:30:00+02:00"]


def test_booking_is_idempotent_by_its_key_even_when_the_answer_is_lost(fake: FakeGoogleCalendar) -> None:
    connector = connect(fake, dt.datetime(2027, 1, 3, 9, 0, tzinfo=TZ))
    booking = {
        "booking_key": "conversation-1:2027-01-05T10:00",
        "start": "2027-01-05T10:00:00+02:00",
        "service": "סתימה",
        "name": "דנה כהן",
        "phone": "+972501234567",
        "hours": HOURS,
    }
    fake.lose_next_insert()  # stored, but the client sees a 503
    with pytest.raises(ConnectorError) as lost:
        connector.run_action("create_event", booking)
    assert lost.value.kind is ErrorKind.UNREACHABLE and lost.value.retryable
    again = connector.run_action("create_event", booking)  # the dispatcher's retry
    assert again.status == "booked" and again.event_id == booking_event_id(booking["booking_key"])
    (event,) = fake.live_events()
    assert event["summary"] == "סתימה — דנה כהן" and "+972501234567" in event["description"]
    assert event["start"] == {"dateTime": "2027-01-05T10:00:00+02:00", "timeZone": "Asia/Jerusalem"}
    assert len(fake.requests_to("/events", "POST")) == 1


def test_an_insert_that_races_its_own_earlier_try_reads_the_409_back(fake: FakeGoogleCalendar) -> None:
    connector = connect(fake, dt.datetime(2027, 1, 3, 9, 0, tzinfo=TZ))
    booking = {"booking_key": "conversation-2:x", "start": "2027-01-05T11:00:00+02:00", "hours": HOURS}
    event_id = booking_event_id(booking["booking_key"])
    # The earlier try's insert lands just after this try's read: the read says 404, the insert 409 duplicate.
    fake.events[fake.calendar_id][event_id] = {
        "id": event_id,
        "status": "confirmed",
        "transparency": "transparent",  # so free/busy does not tell the story first
        "start": {"dateTime": "2027-01-05T11:00:00+02:00"},
        "end": {"dateTime": "2027-01-05T11:30:00+02:00"},
        "extendedProperties": {"private": {"sochen_booking": booking["booking_key"]}},
    }
    fake.script_response(google_error(404, "notFound", "Not Found"), match=lambda r: r.method == "GET")
    result = connector.run_action("create_event", booking)
    assert result.status == "booked"
    inserts = [
        answer.status for request, answer in fake.exchanges if request.method == "POST" and "/events" in request.path
    ]
    assert inserts == [409]
    assert len(fake.live_events()) == 1


def test_an_event_of_another_booking_under_the_same_id_is_not_taken_for_ours(fake: FakeGoogleCalendar) -> None:
    connector = connect(fake, dt.datetime(2027, 1, 3, 9, 0, tzinfo=TZ))
    booking = {"booking_key": "conversation-9:z", "start": "2027-01-05T11:00:00+02:00", "hours": HOURS}
    event_id = booking_event_id(booking["booking_key"])
    fake.events[fake.calendar_id][event_id] = {
        "id": event_id,
        "status": "confirmed",
        "start": {"dateTime": "2027-01-06T11:00:00+02:00"},
        "end": {"dateTime": "2027-01-06T11:30:00+02:00"},
        "extendedProperties": {"private": {"sochen_booking": "someone-else"}},
    }
    with pytest.raises(ConnectorError) as caught:
        connector.run_action("create_event", booking)
    assert caught.value.kind is ErrorKind.PERMANENT


def test_a_slot_taken_meanwhile_is_not_booked_and_new_slots_are_offered(fake: FakeGoogleCalendar) -> None:
    connector = connect(fake, dt.datetime(2027, 1, 3, 9, 0, tzinfo=TZ))
    fake.block("2027-01-05T10:00:00+02:00", "2027-01-05T10:30:00+02:00")
    result = connector.run_action(
        "create_event", {"booking_key": "conversation-3:a", "start": "2027-01-05T10:00", "hours": HOURS}
    )
    assert result.status == "taken" and fake.live_events() == []
    assert [s.start for s in result.offer] == [
        "2027-01-05T09:00:00+02:00",
        "2027-01-05T09:30:00+02:00",
        "2027-01-05T10:30:00+02:00",
    ]
    assert "נתפס בינתיים" in result.text and "10:00" not in "".join(s.label for s in result.offer)


def test_cancellation_deletes_once_and_a_second_cancel_is_done_already(fake: FakeGoogleCalendar) -> None:
    connector = connect(fake, dt.datetime(2027, 1, 3, 9, 0, tzinfo=TZ))
    key = "conversation-4:b"
    connector.run_action("create_event", {"booking_key": key, "start": "2027-01-05T12:00", "hours": HOURS})
    assert len(fake.live_events()) == 1
    assert connector.run_action("cancel_event", {"booking_key": key}).status == "cancelled"
    assert fake.live_events() == []
    assert connector.run_action("cancel_event", {"booking_key": key}).status == "already_cancelled"  # 410 deleted
    assert connector.run_action("cancel_event", {"booking_key": "never-booked"}).status == "already_cancelled"
    with pytest.raises(ConnectorError) as cancelled:  # a cancelled booking is not silently re-booked
        connector.run_action("create_event", {"booking_key": key, "start": "2027-01-05T12:00", "hours": HOURS})
    assert cancelled.value.kind is ErrorKind.PERMANENT


@pytest.mark.parametrize(
    ("status", "reason", "domain", "kind", "wait"),
    [
        (429, "rateLimitExceeded", "usageLimits", ErrorKind.RATE_LIMITED, 17.0),
        (403, "rateLimitExceeded", "usageLimits", ErrorKind.RATE_LIMITED, 17.0),
        (403, "userRateLimitExceeded", "usageLimits", ErrorKind.RATE_LIMITED, 17.0),
        (403, "forbidden", "global", ErrorKind.MISCONFIGURED, None),
        (401, "authError", "global", ErrorKind.AUTH_INVALID, None),
        (400, "invalid", "global", ErrorKind.INVALID_REQUEST, None),
        (500, "backendError", "global", ErrorKind.UNREACHABLE, None),
        (503, "backendError", "global", ErrorKind.UNREACHABLE, None),
    ],
)
def test_google_errors_are_classified(
    fake: FakeGoogleCalendar, status: int, reason: str, domain: str, kind: ErrorKind, wait: float | None
) -> None:
    connector = connect(fake, dt.datetime(2027, 1, 3, 9, 0, tzinfo=TZ))
    response = google_error(status, reason, "Google said no", domain=domain)
    if wait is not None:
        response.headers["Retry-After"] = "17"
    fake.script_response(response)
    with pytest.raises(ConnectorError) as caught:
        propose(connector)
    assert caught.value.kind is kind and caught.value.code == reason
    assert caught.value.retry_after == wait
    assert TOKEN not in str(caught.value) and TOKEN not in repr(caught.value)


def test_a_rate_limit_without_retry_after_waits_a_minute_and_a_daily_limit_an_hour(fake: FakeGoogleCalendar) -> None:
    connector = connect(fake, dt.datetime(2027, 1, 3, 9, 0, tzinfo=TZ))
    fake.script_response(google_error(429, "rateLimitExceeded", "slow down", domain="usageLimits"))
    with pytest.raises(ConnectorError) as minute:
        propose(connector)
    fake.script_response(google_error(403, "dailyLimitExceeded", "Daily Limit Exceeded", domain="usageLimits"))
    with pytest.raises(ConnectorError) as daily:
        propose(connector)
    assert (minute.value.retry_after, daily.value.retry_after) == (60.0, 3600.0)
    assert minute.value.retryable and daily.value.retryable


def test_an_unknown_calendar_is_misconfigured(fake: FakeGoogleCalendar) -> None:
    clock = Clock(dt.datetime(2027, 1, 3, 9, 0, tzinfo=TZ))
    connector = GoogleCalendarConnector(
        {
            "calendar_id": "nobody@group.calendar.google.com",
            "access_token": TOKEN,
            "channel_token": "t" * 12,
            "api_url": fake.url,
        },
        clock=clock,
    )
    with pytest.raises(ConnectorError) as caught:
        propose(connector)
    assert caught.value.kind is ErrorKind.MISCONFIGURED and caught.value.code == "notFound"


def test_bad_parameters_are_refused_before_any_call(fake: FakeGoogleCalendar) -> None:
    connector = connect(fake, dt.datetime(2027, 1, 3, 9, 0, tzinfo=TZ))
    with pytest.raises(Exception, match="unknown day"):
        connector.run_action("propose_slots", {"hours": {"shabbat": ["08:00-12:00"]}})
    with pytest.raises(Exception, match="time zone"):
        connector.run_action("propose_slots", {"hours": HOURS, "timezone": "Asia/Tel_Aviv_Nowhere"})
    assert fake.requests == []


# -- the fake validates what it receives (a fake that accepts anything proves nothing) ---------------------


def call(fake: FakeGoogleCalendar, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    import requests

    response = requests.request(
        method, f"{fake.url}{path}", json=body, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=5
    )
    return response.status_code, (response.json() if response.content else None)


EVENTS = "/calendar/v3/calendars/clinic%40group.calendar.google.com/events"


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (
            {
                "id": "UPPER-case",
                "start": {"dateTime": "2027-01-05T10:00:00+02:00"},
                "end": {"dateTime": "2027-01-05T11:00:00+02:00"},
            },
            "invalid",
        ),
        (
            {
                "id": "abcd",
                "start": {"dateTime": "2027-01-05T10:00:00+02:00"},
                "end": {"dateTime": "2027-01-05T11:00:00+02:00"},
            },
            "invalid",
        ),
        (
            {"start": {"dateTime": "2027-01-05T10:00:00"}, "end": {"dateTime": "2027-01-05T11:00:00"}},
            "timeZoneRequired",
        ),
        (
            {
                "start": {"dateTime": "2027-01-05T10:00:00", "timeZone": "Mars/Olympus"},
                "end": {"dateTime": "2027-01-05T11:00:00+02:00"},
            },
            "invalid",
        ),
        ({"start": {"dateTime": "2027-01-05T10:00:00+02:00"}}, "required"),
        (
            {"start": {"dateTime": "2027-01-05T11:00:00+02:00"}, "end": {"dateTime": "2027-01-05T10:00:00+02:00"}},
            "timeRangeEmpty",
        ),
    ],
)
def test_the_fake_refuses_events_google_refuses(fake: FakeGoogleCalendar, body: dict[str, Any], reason: str) -> None:
    status, answer = call(fake, "POST", EVENTS, body)
    assert status == 400 and answer["error"]["errors"][0]["reason"] == reason
    assert fake.live_events() == []


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({"timeMax": "2027-01-06T00:00:00Z", "items": [{"id": "primary"}]}, "required"),
        ({"timeMin": "2027-01-05T00:00:00", "timeMax": "2027-01-06T00:00:00Z", "items": [{"id": "x"}]}, "invalid"),
        (
            {"timeMin": "2027-01-06T00:00:00Z", "timeMax": "2027-01-05T00:00:00Z", "items": [{"id": "x"}]},
            "timeRangeEmpty",
        ),
        ({"timeMin": "2027-01-05T00:00:00Z", "timeMax": "2027-01-06T00:00:00Z", "items": []}, "required"),
        (
            {
                "timeMin": "2027-01-05T00:00:00Z",
                "timeMax": "2027-01-06T00:00:00Z",
                "items": [{"id": "x"}],
                "timeZone": "Nowhere/Zone",
            },
            "invalid",
        ),
    ],
)
def test_the_fake_refuses_free_busy_queries_google_refuses(
    fake: FakeGoogleCalendar, body: dict[str, Any], reason: str
) -> None:
    status, answer = call(fake, "POST", "/calendar/v3/freeBusy", body)
    assert status == 400 and answer["error"]["errors"][0]["reason"] == reason


def test_the_fake_answers_without_a_token_with_401(fake: FakeGoogleCalendar) -> None:
    import requests

    response = requests.post(f"{fake.url}/calendar/v3/freeBusy", json={}, timeout=5)
    assert response.status_code == 401 and response.json()["error"]["code"] == 401


def test_the_offer_is_computed_from_the_request_not_from_when_the_job_runs(fake: FakeGoogleCalendar) -> None:
    late = connect(fake, dt.datetime(2027, 2, 1, 9, 0, tzinfo=TZ))  # the job ran (or an eval replayed) weeks later
    starts = propose(late, requested_at="2027-01-03T17:10:00+02:00")
    assert starts == ["2027-01-03T18:30:00+02:00", "2027-01-04T08:00:00+02:00", "2027-01-04T08:30:00+02:00"]
