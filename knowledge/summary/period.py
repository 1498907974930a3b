"""The weeks leadership summaries cover: fixed by the server, never by a button or a clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

__all__ = ["Period"]

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


# --- The period --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """The half-open time span ``[start, end)`` a summary covers; both ends timezone-aware.

    Naive datetimes are refused: a digest that runs on servers in several timezones
    must not silently shift its window by hours.
    """

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if self.start.utcoffset() is None or self.end.utcoffset() is None:
            raise ValueError("a summary period needs timezone-aware start and end datetimes")
        if self.end < self.start:
            raise ValueError("a summary period cannot end before it starts")

    @classmethod
    def week_before(cls, moment: datetime) -> Period:
        """The last whole week (Monday 00:00 to Monday 00:00, UTC) that ended by ``moment``.

        Leadership summaries cover fixed, non-overlapping weeks chosen here, never a window
        that ends "now" or wherever a button says: two windows a few minutes apart would
        differ by one person, and comparing them would single that person out. The same
        week gives the same figures to a preview, its Post, a digest and an export.
        """
        if moment.utcoffset() is None:
            raise ValueError("a summary period needs a timezone-aware moment")
        utc = moment.astimezone(UTC)
        monday = datetime(utc.year, utc.month, utc.day, tzinfo=UTC) - timedelta(days=utc.weekday())
        return cls(monday - timedelta(days=7), monday)

    @classmethod
    def ending(cls, end: datetime, *, days: int = 7) -> Period:
        """The ``days`` (at least one) up to ``end``: the weekly digest's window."""
        return cls(end - timedelta(days=max(1, days)), end)

    def previous(self) -> Period:
        """The period of the same length just before this one, for "change since"."""
        return Period(self.start - (self.end - self.start), self.start)

    def __contains__(self, moment: object) -> bool:
        if not isinstance(moment, datetime) or moment.utcoffset() is None:
            return False
        return self.start <= moment < self.end

    @property
    def label(self) -> str:
        """Human dates, in the period's own timezone: "22–29 Nov 2026", "28 Nov – 5 Dec 2026"."""
        first = self.start.date()
        # The end is exclusive: a period ending at midnight does not include that day.
        last = (self.end - timedelta(microseconds=1)).date() if self.end > self.start else first
        if last < first:
            last = first
        if first == last:
            return _day(first)
        if (first.year, first.month) == (last.year, last.month):
            return f"{first.day}–{_day(last)}"
        if first.year == last.year:
            return f"{first.day} {_MONTHS[first.month - 1]} – {_day(last)}"
        return f"{_day(first)} – {_day(last)}"


def _day(day: date) -> str:
    # Not strftime("%b"): month names must not change with the server's locale.
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"
