"""The working-day calendar: known holidays and make-up days, counting, unknown years."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import chinese_calendar
import pytest
from hypothesis import given
from hypothesis import strategies as st

from yingshang.core.errors import DomainError, ErrorCode
from yingshang.core.workdays import (
    FIRST_YEAR,
    LAST_YEAR,
    is_workday,
    workdays_add,
    workdays_add_or_estimate,
    workdays_between,
)

D = datetime.date


def test_supported_range() -> None:
    assert (FIRST_YEAR, LAST_YEAR) == (2004, 2026)  # chinese_calendar 1.11.0


def test_national_day_2025() -> None:
    for day in range(1, 9):
        assert not is_workday(D(2025, 10, day)), f"2025-10-{day:02d} is a holiday"
    assert is_workday(D(2025, 9, 28))  # Sunday, make-up workday
    assert is_workday(D(2025, 10, 11))  # Saturday, make-up workday
    assert is_workday(D(2025, 10, 9))
    assert not is_workday(D(2025, 10, 12))  # an ordinary Sunday


def test_spring_festival_2026() -> None:
    for day in range(15, 24):
        assert not is_workday(D(2026, 2, day)), f"2026-02-{day} is a holiday"
    assert is_workday(D(2026, 2, 14))  # Saturday, make-up workday
    assert is_workday(D(2026, 2, 28))  # Saturday, make-up workday
    assert is_workday(D(2026, 2, 24))
    assert is_workday(D(2026, 1, 4))  # Sunday, make-up for New Year's Day


def test_adding_counts_from_the_next_day() -> None:
    assert workdays_add(D(2025, 9, 24), 0) == D(2025, 9, 24)
    assert workdays_add(D(2025, 9, 24), 1) == D(2025, 9, 25)
    assert workdays_add(D(2025, 9, 27), 1) == D(2025, 9, 28)  # Saturday → make-up Sunday
    assert workdays_add(D(2025, 9, 26), 1) == D(2025, 9, 28)  # Friday → make-up Sunday
    assert workdays_add(D(2025, 10, 12), 0) == D(2025, 10, 12)  # a non-working start day


def test_adding_across_national_day_2025() -> None:
    assert workdays_add(D(2025, 9, 30), 1) == D(2025, 10, 9)
    assert workdays_add(D(2025, 9, 29), 2) == D(2025, 10, 9)
    assert workdays_add(D(2025, 10, 1), 1) == D(2025, 10, 9)
    assert workdays_add(D(2025, 10, 10), 1) == D(2025, 10, 11)  # make-up Saturday
    # 20 working days from acceptance on Thursday 2025-09-25 (行政许可 standard limit):
    # 9-26, 9-28, 9-29, 9-30, 10-9, 10-10, 10-11, then 13 weekdays from 10-13.
    assert workdays_add(D(2025, 9, 25), 20) == D(2025, 10, 29)


def test_adding_across_spring_festival_2026() -> None:
    assert workdays_add(D(2026, 2, 13), 1) == D(2026, 2, 14)
    assert workdays_add(D(2026, 2, 14), 1) == D(2026, 2, 24)
    assert workdays_add(D(2026, 2, 12), 5) == D(2026, 2, 26)


def test_between() -> None:
    assert workdays_between(D(2025, 9, 27), D(2025, 10, 12)) == 6
    assert workdays_between(D(2025, 9, 30), D(2025, 10, 8)) == 0
    assert workdays_between(D(2025, 10, 12), D(2025, 9, 27)) == -6
    assert workdays_between(D(2025, 10, 1), D(2025, 10, 1)) == 0
    assert workdays_between(D(2025, 9, 25), D(2025, 10, 29)) == 20


def test_datetime_is_reduced_to_its_date() -> None:
    moment = datetime.datetime(2025, 10, 11, 9, 30, tzinfo=datetime.UTC)
    assert is_workday(moment)
    assert workdays_add(moment, 1) == D(2025, 10, 13)


def test_library_raises_not_implemented_for_unknown_years() -> None:
    # What chinese_calendar does on its own; we turn it into a domain error before it.
    with pytest.raises(NotImplementedError, match="2027"):
        chinese_calendar.is_workday(D(2027, 1, 4))


@pytest.mark.parametrize(
    "call",
    [
        lambda: is_workday(D(2027, 1, 4)),
        lambda: workdays_add(D(2027, 1, 4), 1),
        lambda: workdays_add(D(2027, 1, 4), 0),
        lambda: workdays_add(D(2026, 12, 30), 5),  # the deadline would fall in 2027
        lambda: workdays_between(D(2026, 12, 1), D(2027, 1, 5)),
    ],
)
def test_unknown_year_2027(call: Callable[[], object]) -> None:
    with pytest.raises(DomainError) as info:
        call()
    error = info.value
    assert error.code is ErrorCode.CALENDAR_YEAR_UNKNOWN
    assert error.details == {"year": 2027, "first_year": 2004, "last_year": 2026}
    assert "2027年" in error.message and "2004年至2026年" in error.message


def test_unknown_year_before_the_range() -> None:
    with pytest.raises(DomainError) as info:
        workdays_add(D(2003, 12, 31), 1)
    assert info.value.details["year"] == 2003


def test_last_known_day_still_works() -> None:
    assert workdays_add(D(2026, 12, 30), 1) == D(2026, 12, 31)


def test_negative_count_is_rejected() -> None:
    with pytest.raises(DomainError) as info:
        workdays_add(D(2025, 10, 1), -1)
    assert info.value.code is ErrorCode.INVALID_INPUT
    assert "负数" in info.value.message


days = st.dates(D(2004, 1, 1), D(2026, 11, 30))


def _naive_add(start: datetime.date, n: int) -> datetime.date:
    day = start
    while n:
        day += datetime.timedelta(days=1)
        n -= chinese_calendar.is_workday(day)
    return day


@given(days, st.integers(0, 20))
def test_add_agrees_with_day_by_day_counting(start: datetime.date, n: int) -> None:
    end = workdays_add(start, n)
    assert end == _naive_add(start, n)
    assert workdays_between(start, end) == n
    if n:
        assert is_workday(end)


@given(days, days)
def test_between_is_antisymmetric(a: datetime.date, b: datetime.date) -> None:
    assert workdays_between(a, b) == -workdays_between(b, a)


def test_an_internal_deadline_past_the_calendar_is_estimated_on_weekdays() -> None:
    known = workdays_add_or_estimate(datetime.date(LAST_YEAR, 9, 28), 3)
    assert known == (workdays_add(datetime.date(LAST_YEAR, 9, 28), 3), False)
    day, estimated = workdays_add_or_estimate(datetime.date(LAST_YEAR, 12, 31), 1)
    assert estimated and day > datetime.date(LAST_YEAR, 12, 31) and day.weekday() < 5
    with pytest.raises(DomainError) as exc:
        workdays_add_or_estimate(datetime.date(LAST_YEAR + 1, 1, 5), -1)
    assert exc.value.code is ErrorCode.CALENDAR_YEAR_UNKNOWN
