"""The working-day calendar (工作日): statutory holidays and make-up workdays (调休).

Legal time limits (e.g. "在受理之日起20个工作日内作出决定") are counted in working days. The
data come from ``chinese_calendar``, which knows the State Council's yearly holiday notice
for each year it covers (1.11.0: 2004-2026; a new year arrives with a package release after
the notice, usually in November). A date outside the covered years raises
CALENDAR_YEAR_UNKNOWN: a deadline is never guessed from weekends alone.

Counting convention: the day of the act (acceptance, service of a notice) is not counted;
counting starts the day after it (《民法典》 art. 201: 开始的当日不计入), and only working
days count (《行政许可法》 art. 82: 以工作日计算，不含法定节假日). So
``workdays_add(start, n)`` is the n-th working day after ``start``, and
``workdays_between(a, b)`` counts the working days ``d`` with ``a < d <= b``; therefore
``workdays_between(a, workdays_add(a, n)) == n``.
"""

from __future__ import annotations

import datetime
from bisect import bisect_right
from functools import cache

import chinese_calendar
from chinese_calendar.constants import holidays as _HOLIDAYS
from django.utils.translation import gettext as _

from .errors import DomainError, ErrorCode

FIRST_YEAR: int = min(_HOLIDAYS).year
LAST_YEAR: int = max(_HOLIDAYS).year


def _unknown_year(year: int) -> DomainError:
    return DomainError(
        ErrorCode.CALENDAR_YEAR_UNKNOWN,
        _(
            "尚无%(year)d年的法定节假日和调休安排，无法计算工作日"
            "（目前支持%(first)d年至%(last)d年）。"
        )
        % {"year": year, "first": FIRST_YEAR, "last": LAST_YEAR},
        {"year": year, "first_year": FIRST_YEAR, "last_year": LAST_YEAR},
    )


def _day_unchecked(d: datetime.date) -> datetime.date:
    return d.date() if isinstance(d, datetime.datetime) else d


def _day(d: datetime.date) -> datetime.date:
    day = _day_unchecked(d)
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise _unknown_year(day.year)
    return day


@cache
def _workday_ordinals() -> list[int]:
    """Ordinals of every working day in the covered years, ascending."""
    day = datetime.date(FIRST_YEAR, 1, 1)
    end = datetime.date(LAST_YEAR, 12, 31)
    ordinals = []
    while day <= end:
        if chinese_calendar.is_workday(day):
            ordinals.append(day.toordinal())
        day += datetime.timedelta(days=1)
    return ordinals


def is_workday(d: datetime.date) -> bool:
    """Whether ``d`` is a working day (a weekday not on holiday, or a make-up workday)."""
    return chinese_calendar.is_workday(_day(d))


def workdays_add(start: datetime.date, n: int) -> datetime.date:
    """The ``n``-th working day after ``start`` (``start`` itself is never counted).

    ``n == 0`` gives ``start``. ``start`` need not be a working day: an application accepted
    on a Saturday has its first working day on the Monday.
    """
    day = _day(start)
    if n < 0:
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            _("工作日数不能为负数，收到%(n)d。") % {"n": n},
            {"n": n},
        )
    if n == 0:
        return day
    ordinals = _workday_ordinals()
    index = bisect_right(ordinals, day.toordinal()) + n - 1
    if index >= len(ordinals):
        raise _unknown_year(LAST_YEAR + 1)
    return datetime.date.fromordinal(ordinals[index])


def workdays_add_or_estimate(start: datetime.date, n: int) -> tuple[datetime.date, bool]:
    """:func:`workdays_add`, or, where the holidays of a year are not yet known, an estimate
    counted Monday to Friday; the flag says it is estimated (to be re-checked once the
    State Council's holiday notice is in the calendar). For internal deadlines, where refusing
    the service for want of a calendar would be worse than an estimate."""
    try:
        return workdays_add(start, n), False
    except DomainError as exc:
        if exc.code != ErrorCode.CALENDAR_YEAR_UNKNOWN or n < 0:
            raise
    day, left = _day_unchecked(start), n
    while left:
        day += datetime.timedelta(days=1)
        if day.weekday() < 5:
            left -= 1
    return day, True


def workdays_between(a: datetime.date, b: datetime.date) -> int:
    """The number of working days ``d`` with ``a < d <= b``; negative when ``b < a``."""
    start, end = _day(a), _day(b)
    if end < start:
        return -workdays_between(end, start)
    ordinals = _workday_ordinals()
    return bisect_right(ordinals, end.toordinal()) - bisect_right(ordinals, start.toordinal())
