"""Free slots: weekly working hours in the clinic's time zone, minus time off, bookings and the past.

Pure functions over instants; callers load the rows. Working hours are wall-clock times,
so each day's intervals are placed with the zone's offset of that day: slots stay at
09:00 local across daylight-saving changes, and wall times that don't exist (the
spring-forward gap) produce no slot.

A week holds hundreds of candidate slots, so the grid is walked as start instants alone,
and a slot (its end, its Period) is built only once it is found free.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import NamedTuple
from zoneinfo import ZoneInfo

_TICK = timedelta(microseconds=1)


@dataclass(frozen=True)
class WorkingHours:
    weekday: int  # ISO: 1 = Monday
    start: time
    end: time


class Period(NamedTuple):
    start: datetime
    end: datetime


def free_slots(
    hours: Sequence[WorkingHours],
    *,
    window: Period,
    duration: timedelta,
    grid_minutes: int,
    zone: ZoneInfo,
    busy: Sequence[tuple[datetime, datetime]] = (),
    not_before: datetime | None = None,
) -> list[Period]:
    """Slots on the grid inside working hours, starting within the window (and no earlier than
    `not_before`), that overlap nothing busy, in time order.

    One pass over both lists: busy periods that end before a candidate starts can't touch
    any later candidate either.
    """
    earliest = window.start if not_before is None else max(window.start, not_before)
    ordered = sorted(busy)
    free: list[Period] = []
    first_relevant = 0
    for start in _candidate_starts(hours, window, earliest.astimezone(UTC), duration, grid_minutes, zone):
        end = start + duration
        while first_relevant < len(ordered) and ordered[first_relevant][1] <= start:
            first_relevant += 1
        index = first_relevant
        while index < len(ordered) and ordered[index][0] < end:
            if ordered[index][1] > start:
                break
            index += 1
        else:
            free.append(Period(start, end))
    return free


def _candidate_starts(
    hours: Sequence[WorkingHours],
    window: Period,
    earliest: datetime,
    duration: timedelta,
    grid_minutes: int,
    zone: ZoneInfo,
) -> list[datetime]:
    """The grid's UTC start instants inside working hours, from `earliest` to the window's end."""
    # Instants in UTC: comparing them with a UTC bound needs no offset lookups.
    last_start = window.end.astimezone(UTC) - _TICK
    by_weekday: dict[int, list[WorkingHours]] = {}
    for interval in sorted(hours, key=lambda h: h.start):
        by_weekday.setdefault(interval.weekday, []).append(interval)
    starts: list[datetime] = []
    day = window.start.astimezone(zone).date() - timedelta(days=1)
    last_day = window.end.astimezone(zone).date()
    while day <= last_day:
        for interval in by_weekday.get(day.isoweekday(), []):
            _add_interval_starts(starts, day, interval, earliest, last_start, duration, grid_minutes, zone)
        day += timedelta(days=1)
    return starts


def _add_interval_starts(
    starts: list[datetime],
    day: date,
    interval: WorkingHours,
    earliest: datetime,
    last_start: datetime,
    duration: timedelta,
    grid_minutes: int,
    zone: ZoneInfo,
) -> None:
    start_minutes, end_minutes = _minutes(interval.start), _minutes(interval.end)
    interval_start = _local_instant(day, start_minutes, zone)
    interval_end = _local_instant(day, end_minutes, zone)
    if interval_end is None:
        return
    latest = interval_end - duration
    if latest < earliest or (interval_start is not None and interval_start > last_start):
        return
    first = -(-start_minutes // grid_minutes) * grid_minutes
    step = timedelta(minutes=grid_minutes)
    if interval_start is not None and interval_end - interval_start == timedelta(
        minutes=end_minutes - start_minutes
    ):
        # The common case: no offset change inside the interval, so wall minutes map linearly
        # and the grid can start at the earliest start instead of walking up to it.
        start = interval_start + timedelta(minutes=first - start_minutes)
        if start < earliest:
            start += -((start - earliest) // step) * step
        last = min(latest, last_start)
        while start <= last:
            starts.append(start)
            start += step
        return
    for minutes in range(first, end_minutes, grid_minutes):
        local = _local_instant(day, minutes, zone)
        if local is None:
            continue
        if local > latest:
            break
        if earliest <= local <= last_start:
            starts.append(local)


@lru_cache(maxsize=4096)
def _local_instant(day: date, minutes: int, zone: ZoneInfo) -> datetime | None:
    """The UTC instant of a wall-clock time, or None when that time doesn't exist that day.

    Cached: every availability request places the same days' working hours (~4 µs each)."""
    wall = datetime.combine(day, time()) + timedelta(minutes=minutes)
    instant = wall.replace(tzinfo=zone).astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) != wall:
        return None
    return instant


def _minutes(t: time) -> int:
    return t.hour * 60 + t.minute
