from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from services.availability import Period, WorkingHours, free_slots

BERLIN = ZoneInfo("Europe/Berlin")
SPRING_FORWARD = date(2027, 3, 28)  # a Sunday: 02:00 → 03:00 in Berlin
FALL_BACK = date(2027, 10, 31)


def _day_window(day: date) -> Period:
    start = datetime.combine(day, time(), tzinfo=BERLIN)
    return Period(start, start + timedelta(days=1))


def _slots(hours: list[WorkingHours], day: date, minutes: int = 30, grid: int = 15) -> list[Period]:
    return free_slots(
        hours, window=_day_window(day), duration=timedelta(minutes=minutes), grid_minutes=grid, zone=BERLIN
    )


def test_slots_keep_local_wall_time_on_a_spring_forward_day() -> None:
    sunday = WorkingHours(7, time(9), time(10))

    slots = _slots([sunday], SPRING_FORWARD)

    assert [s.start.astimezone(BERLIN).strftime("%H:%M") for s in slots] == ["09:00", "09:15", "09:30"]
    assert slots[0].start == datetime(2027, 3, 28, 7, 0, tzinfo=UTC)  # CEST, UTC+2


def test_the_day_before_the_change_is_still_winter_time() -> None:
    saturday = WorkingHours(6, time(9), time(9, 30))

    slots = _slots([saturday], SPRING_FORWARD - timedelta(days=1))

    assert [s.start for s in slots] == [datetime(2027, 3, 27, 8, 0, tzinfo=UTC)]  # CET, UTC+1


def test_no_slot_starts_in_the_hour_that_does_not_exist() -> None:
    night = WorkingHours(7, time(1, 30), time(4))

    starts = [s.start.astimezone(BERLIN).strftime("%H:%M") for s in _slots([night], SPRING_FORWARD)]

    assert not any(start.startswith("02:") for start in starts)
    assert "01:30" in starts and "03:00" in starts


def test_a_slot_spanning_the_gap_lasts_its_real_duration() -> None:
    night = WorkingHours(7, time(1, 30), time(4))

    first = _slots([night], SPRING_FORWARD, minutes=60)[0]

    assert first.end - first.start == timedelta(hours=1)
    assert first.end.astimezone(BERLIN).strftime("%H:%M") == "03:30"


def test_fall_back_day_slots_are_in_winter_time_after_the_change() -> None:
    sunday = WorkingHours(7, time(9), time(9, 30))

    slots = _slots([sunday], FALL_BACK)

    assert [s.start for s in slots] == [datetime(2027, 10, 31, 8, 0, tzinfo=UTC)]


def test_slots_start_on_the_grid_and_end_inside_working_hours() -> None:
    monday = WorkingHours(1, time(9, 10), time(10))

    slots = _slots([monday], date(2027, 5, 3), minutes=30)

    assert [s.start.astimezone(BERLIN).strftime("%H:%M") for s in slots] == ["09:15", "09:30"]


def test_busy_periods_and_the_past_remove_slots() -> None:
    monday = WorkingHours(1, time(9), time(11))
    booked = Period(datetime(2027, 5, 3, 7, 15, tzinfo=UTC), datetime(2027, 5, 3, 7, 45, tzinfo=UTC))

    free = free_slots(
        [monday],
        window=_day_window(date(2027, 5, 3)),
        duration=timedelta(minutes=30),
        grid_minutes=15,
        zone=BERLIN,
        busy=[booked],
        not_before=datetime(2027, 5, 3, 7, 0, tzinfo=UTC),
    )

    local = [s.start.astimezone(BERLIN).strftime("%H:%M") for s in free]
    assert local == ["09:45", "10:00", "10:15", "10:30"]


def test_free_slots_matches_a_brute_force_check_on_random_schedules() -> None:
    import random

    rng = random.Random(7)
    monday = date(2027, 5, 3)
    hours = [WorkingHours(1, time(9), time(19)), WorkingHours(2, time(8, 10), time(12, 5))]
    window = Period(datetime.combine(monday, time(), tzinfo=BERLIN), datetime(2027, 5, 4, 23, 0, tzinfo=UTC))
    every = free_slots(hours, window=window, duration=timedelta(minutes=30), grid_minutes=15, zone=BERLIN)
    base = datetime(2027, 5, 3, 7, tzinfo=UTC)
    for _ in range(300):
        busy = []
        for _ in range(rng.randint(0, 8)):
            # Bounds off the minute too (a period imported with seconds): slots touching them by
            # a fraction of a second are busy, those they only abut are free.
            start = base + timedelta(minutes=rng.randint(-60, 1800), microseconds=rng.choice([0, 1, 500_000]))
            length = timedelta(minutes=rng.randint(1, 240), seconds=rng.choice([0, -1]))
            busy.append(Period(start, start + length))
        not_before = base + timedelta(minutes=rng.randint(0, 120), microseconds=rng.choice([0, 1]))

        expected = [s for s in every if s.start >= not_before and not any(_overlap(b, s) for b in busy)]

        free = free_slots(
            hours,
            window=window,
            duration=timedelta(minutes=30),
            grid_minutes=15,
            zone=BERLIN,
            busy=busy,
            not_before=not_before,
        )
        assert free == expected


def _overlap(a: Period, b: Period) -> bool:
    return a.start < b.end and b.start < a.end
