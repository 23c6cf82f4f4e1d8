"""Partial dates: ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``, with precision kept."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")

MONTHS = tuple(calendar.month_name)[1:]


class DateError(ValueError):
    """A value that is not a valid partial date; the message says why."""


@dataclass(frozen=True, slots=True)
class PartialDate:
    """A date known to the year, the month or the day."""

    year: int
    month: int | None = None
    day: int | None = None

    @property
    def precision(self) -> int:
        """1 for a year, 2 for a month, 3 for a day."""
        return 1 + (self.month is not None) + (self.day is not None)

    @property
    def sort_key(self) -> tuple[int, int, int, int]:
        """Earliest instant first; a less precise date first within its period."""
        return (self.year, self.month or 1, self.day or 1, self.precision)

    def __lt__(self, other: PartialDate) -> bool:
        return self.sort_key < other.sort_key

    def iso(self) -> str:
        """``2021``, ``2021-03`` or ``2021-03-14``."""
        parts = [f"{self.year:04d}"]
        if self.month is not None:
            parts.append(f"{self.month:02d}")
        if self.day is not None:
            parts.append(f"{self.day:02d}")
        return "-".join(parts)

    def human(self) -> str:
        """``2021``, ``March 2021`` or ``14 March 2021``."""
        if self.month is None:
            return f"{self.year}"
        month = MONTHS[self.month - 1]
        if self.day is None:
            return f"{month} {self.year}"
        return f"{self.day} {month} {self.year}"

    def start(self) -> dt.date:
        """The first day of the period."""
        return dt.date(self.year, self.month or 1, self.day or 1)

    def __str__(self) -> str:
        return self.iso()


def parse_date(value: object) -> PartialDate:
    """Read a date as YAML may give it: a string, a bare-year integer or a date."""
    if isinstance(value, bool):
        raise DateError("expected a date (YYYY, YYYY-MM or YYYY-MM-DD), got true/false")
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return PartialDate(value.year, value.month, value.day)
    if isinstance(value, int) and abs(value) >= 10**9:  # a huge integer cannot even be printed (Python's digit limit)
        raise DateError("expected a date (YYYY, YYYY-MM or YYYY-MM-DD), got a number far too large for a year")
    if isinstance(value, int):  # YAML drops leading zeros, so a bare year below 1000 was not written as YYYY
        if not 1000 <= value <= 9999:
            raise DateError(f"'{value}' is not a date; write YYYY, YYYY-MM or YYYY-MM-DD")
        value = str(value)
    if not isinstance(value, str):
        raise DateError(f"expected a date (YYYY, YYYY-MM or YYYY-MM-DD), got {_kind(value)}")
    return _parse_text(value.strip())


def _parse_text(text: str) -> PartialDate:
    match = _DATE.fullmatch(text)
    if not match:
        raise DateError(f"'{_clip(text)}' is not a date; write YYYY, YYYY-MM or YYYY-MM-DD")
    year, month, day = (int(g) if g else None for g in match.groups())
    if year < 1:
        raise DateError(f"'{text}' has year 0000; years start at 0001")
    if month is not None and not 1 <= month <= 12:
        raise DateError(f"'{text}' has month {month:02d}; months run 01 to 12")
    if day is not None:
        last = calendar.monthrange(year, month)[1]
        if not 1 <= day <= last:
            raise DateError(f"'{text}' has day {day:02d}; {MONTHS[month - 1]} {year} has {last} days")
    return PartialDate(year, month, day)


def _clip(text: str, limit: int = 40) -> str:
    """A long value shortened for a message."""
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text):,} characters)"


def _kind(value: object) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__
