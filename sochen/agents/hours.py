"""Requested appointment times against the tenant's opening hours (``agent.hours``) and holidays.

A person of the staff (``agent.staff``) may receive in hours of their own: a time asked with them — named ('אצל
ראמי', 'עם ד"ר גביש'), or by a service only they give — is checked against theirs (:func:`staff_asked`).

The week is the tenant's: each weekday has its own bookable intervals (an empty day is closed),
and ``workflows.holidays`` are closed all day. A time inside an interval (its end included: "08:00-18:30"
means the last appointment starts at 18:30) is open. For a closed time the nearest open time after
``now`` is proposed: the last open time earlier that day or the first one after, whichever is closer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta

from ..config.sections.agent import OpeningHours, StaffMember
from ..text import normalize
from .extract import WEEKDAYS

__all__ = [
    "is_open",
    "nearest_open",
    "service_hours_from_documents",
    "staff_asked",
    "staff_from_documents",
    "staff_named",
]

_SEARCH_DAYS = 21


def is_open(when: datetime, hours: OpeningHours, holidays: Iterable[date] = ()) -> bool:
    """Whether `when` falls inside the opening hours (always True when no hours are configured)."""
    if not hours.configured():
        return True
    if when.date() in set(holidays):
        return False
    t = when.time().replace(tzinfo=None)
    return any(start <= t <= end for start, end in hours.intervals(when.weekday()))


def nearest_open(
    when: datetime, hours: OpeningHours, holidays: Iterable[date] = (), *, now: datetime | None = None
) -> datetime | None:
    """The open time nearest to `when` that is after `now` (None when nothing opens within three weeks)."""
    closed = set(holidays)
    floor = now or when
    candidates: list[datetime] = []
    for offset in range(-1, _SEARCH_DAYS):
        day = when.date() + timedelta(days=offset)
        if day in closed:
            continue
        for start, end in hours.intervals(day.weekday()):
            for t in (start, end):
                at = datetime.combine(day, t, tzinfo=when.tzinfo)
                if at > floor and is_open(at, hours, closed):
                    candidates.append(at)
        if candidates and min(candidates) > when:
            break  # the first open time after the request is found; later days are further away
    if not candidates:
        return None
    return min(candidates, key=lambda at: (abs((at - when).total_seconds()), at))


# Before an alias ('ראמי', 'הילה', 'ד"ר גביש'): whom the appointment is with. The writer's own name comes after
# 'שמי', 'אני' or 'קוראים לי', never after these.
_WITH = r"(?:(?<![\u05d0-\u05ea])(?:אצל|עם|מול|של|את|ל)\s+|(?<![\u05d0-\u05ea])[וש]?ל)"
_TITLE = re.compile(r'^(?:ד"ר|דר\'|דוקטור|ה[\u05d0-\u05ea])')


def staff_named(text: str, staff: Sequence[StaffMember]) -> StaffMember | None:
    """The person of the staff a message names: their full name anywhere, an alias after 'אצל', 'עם', 'ל'.

    An alias that is a title and a name ('ד"ר זלצמן') or a definite role ('הפודיאטור') names them anywhere.
    """
    flat = normalize(text)
    found: list[tuple[int, int, StaffMember]] = []
    for member in staff:
        for i, form in enumerate((member.name, *member.aliases)):
            form = normalize(form).strip()
            if not form:
                continue
            anywhere = i == 0 or _TITLE.match(form) is not None
            before = r"(?<![\u05d0-\u05ea\w])[ולבש]?" if anywhere else _WITH
            m = re.search(before + re.escape(form) + r"(?![\u05d0-\u05ea\w])", flat)
            if m is not None:
                found.append((-len(form), m.start(), member))
    return min(found, key=lambda f: (f[0], f[1]))[2] if found else None


def staff_asked(text: str, service: str | None, staff: Sequence[StaffMember]) -> StaffMember | None:
    """The person whose hours a booking is checked against: the one named, else the only one giving the service."""
    named = staff_named(text, staff)
    if named is not None:
        return named
    givers = [m for m in staff if service and service in m.services]
    return givers[0] if len(givers) == 1 else None


# -- the staff and their days, read from the documents when `agent.staff` is not configured -------------------

_FIELDS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")  # as datetime.weekday()
# A day's name or letter ('שלישי', 'ג') → its `OpeningHours` field, from the booking reader's table of weekdays.
_DAY_NAMES = {name.rstrip("'"): _FIELDS[weekday] for name, weekday in WEEKDAYS.items()}
_DAY = r"(?:[אבגדהו]['׳]|ראשון|שני|שלישי|רביעי|חמישי|שישי)"
# '**מיכל דהן** — קלינאית תקשורת לילדים: ... מקבלת בימים א', ב', ד' ו-ה', בשעות 13:00–19:00 בלבד.'
_STAFF_LINE = re.compile(
    # The name is on its line: a heading just above it ('המטפלות') is not its first word.
    r"^[ \t]*(?:[-*•][ \t]+)?(?:\*\*)?(?P<name>(?:ד\"ר[ \t]+|דר'[ \t]+)?[\u05d0-\u05ea][\u05d0-\u05ea'\-]+"
    r"(?:[ \t]+[\u05d0-\u05ea][\u05d0-\u05ea'\-]+){1,2})"
    r"(?:\*\*)?[ \t]*[—–-][ \t]+(?P<rest>.+)$",
    re.M,
)
# A note on one day of a list ("ב', ג' (כולל הערב) ו-ה'"): the list goes on after it.
_NOTE = r"(?:\s*\([^()\d]{1,30}\))?"
_WORKS = re.compile(
    r"(?<![\u05d0-\u05ea])(?:עובד|עובדת|מקבל|מקבלת|נמצא|נמצאת)\s+(?:רק\s+)?(?:בימים|בימי|ביום|ימים)\s+"
    rf"(?P<days>{_DAY}(?:\s*(?:[–-]|עד)\s*{_DAY})?{_NOTE}(?:\s*(?:,|ו-?|ו־)\s*{_DAY}(?:\s*(?:[–-]|עד)\s*{_DAY})?{_NOTE})*)"
    r"(?:\s*,?\s*(?:בשעות|בין\s+השעות|בין)\s+(?P<start>\d{1,2}:\d{2})\s*(?:[–-]|עד|ל-?)\s*(?P<end>\d{1,2}:\d{2}))?"
)
# A day range in a list of days: "א'–ה'", 'ראשון עד חמישי'.
_DAY_RANGE = re.compile(rf"(?P<first>{_DAY})\s*(?:[–-]|עד)\s*(?P<last>{_DAY})")
# Any weekday the line names ('וה'', 'ו-ו'', 'ביום שני'), to check that every one was read.
# A school grade ('לקראת כיתה א'', 'כיתות א'–ב'') is no weekday.
_DAY_TOKEN = re.compile(
    rf"(?<![\u05d0-\u05ea])(?<!כיתה )(?<!כיתות )(?:ו-?|ו־)?(?P<day>{_DAY}|שבת)(?![\u05d0-\u05ea'׳])"
)
# 'ביום שני (כולל ערב) וביום חמישי', 'ובביקורי בית ביום ב'': a day said with 'ביום', its hours the business's.
_ON_DAY = re.compile(rf"(?<![\u05d0-\u05ea])ו?(?:ביום|בימי)\s+(?P<day>{_DAY})(?![\u05d0-\u05ea])")
_NOT_WORKING = re.compile(r"(?<![\u05d0-\u05ea])(?:לא|אינו|אינה|אין|חוץ\s+מ|למעט|פרט\s+ל)")
_ORDER = ("sunday", "monday", "tuesday", "wednesday", "thursday", "friday")


def _days_listed(days: str) -> list[str]:
    """The days of a list ("א', ב' וד'", "א'–ה'"), ranges spread out."""
    out: list[str] = []
    rest = days
    for m in _DAY_RANGE.finditer(days):
        a = _ORDER.index(_DAY_NAMES[m.group("first").rstrip("'׳")])
        b = _ORDER.index(_DAY_NAMES[m.group("last").rstrip("'׳")])
        out += list(_ORDER[a : b + 1])
        rest = rest.replace(m.group(), " ")
    out += [_DAY_NAMES[t.rstrip("'׳")] for t in re.findall(_DAY, rest)]
    return list(dict.fromkeys(out))


_TIME_OF = re.compile(r"(\d{1,2}):(\d{2})")
# 'ביום רביעי מקבל 16:00–21:00', 'מקבל ביום שני 12:00–19:00 וביום חמישי 08:00–14:00': a day's own hours.
_DAY_HOURS = re.compile(
    rf"(?<![\u05d0-\u05ea])ו?ביום\s+(?P<day>{_DAY})\s+(?:(?:הוא|היא)\s+)?(?:מקבל|מקבלת|עובד|עובדת)?\s*"
    r"(?:בשעות\s+|בין\s+)?(?P<start>\d{1,2}:\d{2})\s*(?:[–-]|עד)\s*(?P<end>\d{1,2}:\d{2})"
)


def _clock(text: str) -> time:
    m = _TIME_OF.match(text)
    assert m is not None
    return time(int(m.group(1)) % 24, int(m.group(2)))


def _within(hours: OpeningHours, day: str, start: str | None, end: str | None) -> list[str]:
    """A day's bookable intervals within a person's hours ('13:00'–'19:00'); all of them when none are given."""
    if not start or not end:
        return list(getattr(hours, day))
    lo, hi = _clock(start), _clock(end)
    kept = []
    for a, b in hours.intervals(_FIELDS.index(day)):
        first, last = max(a, lo), min(b, hi)
        if first < last:
            kept.append(f"{first:%H:%M}-{last:%H:%M}")
    return kept


def staff_from_documents(texts: Iterable[str], hours: OpeningHours) -> list[StaffMember]:
    """The people a business's documents list with the days they receive, as :class:`StaffMember`.

    An owner who onboards from documents does not configure ``agent.staff``; the staff list in the documents says
    it ('**סבטלנה קוגן** — קלינאית תקשורת למבוגרים ... מקבלת בימים ג' ו-ה' בלבד', '... עובד בימים א', ג' ו-ו''):
    a line that begins with a name, a dash and a role, and says on which days (and perhaps in which hours) the
    person works. Each day's hours are the business's bookable hours of that day, within the person's hours when
    the line gives them. Their aliases are the first name, the surname and 'ד"ר' with the surname. A name listed
    twice with different days is left out (the documents disagree).
    """
    found: dict[str, StaffMember | None] = {}
    for text in texts:
        for line in _STAFF_LINE.finditer(text):
            rest = line.group("rest")
            works = _WORKS.search(rest)
            own_hours = list(_DAY_HOURS.finditer(rest))
            if works is None and not own_hours:
                continue
            name = line.group("name").strip()
            days: dict[str, list[str]] = {}
            read: list[tuple[int, int]] = []
            listed = _days_listed(works.group("days")) if works is not None else []
            if works is not None:
                read.append(works.span("days"))
            for day in listed:
                days[day] = _within(hours, day, works.group("start"), works.group("end"))  # type: ignore[union-attr]
            for m in own_hours:  # a day's own hours, said apart from the list of days
                day = _DAY_NAMES[m.group("day").rstrip("'׳")]
                days[day] = _within(hours, day, m.group("start"), m.group("end"))
                read.append(m.span("day"))
            for m in _ON_DAY.finditer(rest):  # another day said with 'ביום', not denied: the business's hours
                denied = _NOT_WORKING.search(rest, max(0, m.start() - 14), m.start())
                if denied or any(a <= m.start("day") < b for a, b in read):
                    continue
                day = _DAY_NAMES[m.group("day").rstrip("'׳")]
                days.setdefault(day, list(getattr(hours, day)))
                read.append(m.span("day"))
            if works is not None and _NOT_WORKING.search(rest, max(0, works.start() - 8), works.start() + 1):
                continue  # 'לא עובדת בימים …' is no list of working days
            if any(not any(a <= t.start("day") < b for a, b in read) for t in _DAY_TOKEN.finditer(rest)):
                continue  # a day the line names that was not read: no constraint is better than a wrong one
            if not any(days.values()):
                continue
            bare = re.sub(r"^(?:ד\"ר|דר')\s+", "", name)
            words = bare.split()
            aliases = [bare, words[0], words[-1]] if bare != name else [words[0], words[-1]]
            if bare != name:
                aliases.append(f'ד"ר {words[-1]}')
            member = StaffMember(name=name, aliases=list(dict.fromkeys(aliases)), hours=OpeningHours(**days))
            if name in found and found[name] is not None and found[name].hours != member.hours:  # type: ignore[union-attr]
                found[name] = None
            elif name not in found:
                found[name] = member
    return [m for m in found.values() if m is not None]


# -- a service's own hours, read from the documents ------------------------------------------------------------

# 'ביקור בית נקבע ... בימים ראשון עד חמישי, בין 06:30 ל-10:00 בלבד.': the hours a service is given in.
_SPAN = re.compile(r"(?:בשעות|בין\s+השעות|בין)\s+(?P<start>\d{1,2}:\d{2})\s*(?:[–-]|עד|ל-?)\s*(?P<end>\d{1,2}:\d{2})")
_ON_DAYS = re.compile(
    rf"(?<![\u05d0-\u05ea])(?:בימים|בימי|ימים)\s+(?P<days>{_DAY}(?:\s*(?:[–-]|עד)\s*{_DAY})?"
    rf"(?:\s*(?:,|ו-?|ו־)\s*{_DAY}(?:\s*(?:[–-]|עד)\s*{_DAY})?)*)"
)
_SENTENCE_END = re.compile(r"(?<=[.;!?])\s+|\n+")


def service_hours_from_documents(
    texts: Iterable[str], services: Sequence[str], hours: OpeningHours
) -> dict[str, OpeningHours]:
    """The hours a service is given in, where a document sentence sets them apart from the opening hours.

    'ביקור בית נקבע לפחות יום עבודה אחד מראש, בימים ראשון עד חמישי, בין 06:30 ל-10:00 בלבד.': a sentence that names
    one of `services` (and no other), says 'בלבד' (only) and gives a span of hours, perhaps on listed days. Each day's
    hours are the business's within that span. A service whose sentences disagree is left out; so is one whose span
    covers all the opening hours (it sets nothing apart).
    """
    found: dict[str, OpeningHours | None] = {}
    for text in texts:
        for sentence in _SENTENCE_END.split(text):
            span = _SPAN.search(sentence)
            if span is None or "בלבד" not in sentence:
                continue
            flat = normalize(sentence)
            named = [name for name in services if normalize(name) in flat]
            if len(named) != 1:
                continue
            on = _ON_DAYS.search(sentence)
            listed = _days_listed(on.group("days")) if on is not None else [f for f in _ORDER if getattr(hours, f)]
            days = {day: _within(hours, day, span.group("start"), span.group("end")) for day in listed}
            own = OpeningHours(**{d: v for d, v in days.items() if v})
            if not own.configured() or own == hours:
                continue
            name = named[0]
            if name in found and found[name] != own:
                found[name] = None
            elif name not in found:
                found[name] = own
    return {name: own for name, own in found.items() if own is not None}
