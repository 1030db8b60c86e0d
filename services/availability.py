"""Free slots: weekly working hours in the clinic's time zone, minus time off, bookings and the past.

Pure functions over instants; callers load the rows. Working hours are wall-clock times,
so each day's intervals are placed with the zone's offset of that day: slots stay at
09:00 local across daylight-saving changes, and wall times that don't exist (the
spring-forward gap) produce no slot.
"""

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class WorkingHours:
    weekday: int  # ISO: 1 = Monday
    start: time
    end: time


class Period(NamedTuple):
    # A tuple, not a frozen dataclass: a week's availability builds hundreds of candidates, and
    # a frozen dataclass's __init__ cost ~10 % of the request.
    start: datetime
    end: datetime


def _local_instant(day: date, minutes: int, zone: ZoneInfo) -> datetime | None:
    """The instant of a wall-clock time, or None when that time doesn't exist that day."""
    wall = datetime.combine(day, time()) + timedelta(minutes=minutes)
    local = wall.replace(tzinfo=zone)
    instant = local.astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) != wall:
        return None
    return instant


def _minutes(t: time) -> int:
    return t.hour * 60 + t.minute


def candidate_slots(
    hours: Sequence[WorkingHours],
    *,
    window: Period,
    duration: timedelta,
    grid_minutes: int,
    zone: ZoneInfo,
) -> Iterator[Period]:
    """Slots on the grid inside working hours, starting within the window, in time order."""
    first_day = window.start.astimezone(zone).date() - timedelta(days=1)
    last_day = window.end.astimezone(zone).date()
    # Slots are UTC instants: comparing them with a UTC window needs no offset lookups.
    window = Period(window.start.astimezone(UTC), window.end.astimezone(UTC))
    by_weekday: dict[int, list[WorkingHours]] = {}
    for interval in sorted(hours, key=lambda h: h.start):
        by_weekday.setdefault(interval.weekday, []).append(interval)
    day = first_day
    while day <= last_day:
        for interval in by_weekday.get(day.isoweekday(), []):
            yield from _interval_slots(day, interval, window, duration, grid_minutes, zone)
        day += timedelta(days=1)


def _interval_slots(
    day: date,
    interval: WorkingHours,
    window: Period,
    duration: timedelta,
    grid_minutes: int,
    zone: ZoneInfo,
) -> Iterator[Period]:
    start_minutes, end_minutes = _minutes(interval.start), _minutes(interval.end)
    interval_start = _local_instant(day, start_minutes, zone)
    interval_end = _local_instant(day, end_minutes, zone)
    if (
        interval_end is None
        or interval_end <= window.start - duration
        or (interval_start is not None and interval_start >= window.end)
    ):
        return
    first = -(-start_minutes // grid_minutes) * grid_minutes
    if interval_start is not None and interval_end - interval_start == timedelta(
        minutes=end_minutes - start_minutes
    ):
        # The common case: no offset change inside the interval, so wall minutes map linearly
        # and the grid can start at the window instead of walking up to it.
        step = timedelta(minutes=grid_minutes)
        start = interval_start + timedelta(minutes=first - start_minutes)
        if start < window.start:
            start += -((start - window.start) // step) * step
        latest = interval_end - duration
        while start < window.end and start <= latest and start < interval_end:
            yield Period(start, start + duration)
            start += step
        return
    for minutes in range(first, end_minutes, grid_minutes):
        local = _local_instant(day, minutes, zone)
        if local is None:
            continue
        end = local + duration
        if end > interval_end:
            break
        if window.start <= local < window.end:
            yield Period(local, end)


def free_slots(candidates: Iterable[Period], busy: Sequence[Period], *, not_before: datetime) -> list[Period]:
    """Candidates (in time order) that start no earlier than `not_before` and overlap nothing busy.

    One pass over both lists: busy periods that end before a candidate starts can't
    touch any later candidate either.
    """
    ordered = sorted(busy, key=lambda p: p.start)
    free = []
    first_relevant = 0
    for slot in candidates:
        if slot.start < not_before:
            continue
        while first_relevant < len(ordered) and ordered[first_relevant].end <= slot.start:
            first_relevant += 1
        index = first_relevant
        while index < len(ordered) and ordered[index].start < slot.end:
            if ordered[index].end > slot.start:
                break
            index += 1
        else:
            free.append(slot)
    return free
