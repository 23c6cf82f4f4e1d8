"""Partial dates: parsing, display, and the contract's sort order."""

from __future__ import annotations

import datetime as dt

import pytest

from builder.dates import DateError, PartialDate, parse_date


@pytest.mark.parametrize("value,expected", [
    ("2021", PartialDate(2021)),
    ("2021-03", PartialDate(2021, 3)),
    ("2021-03-14", PartialDate(2021, 3, 14)),
    (" 2021-03 ", PartialDate(2021, 3)),
    (2021, PartialDate(2021)),
    (dt.date(2021, 3, 14), PartialDate(2021, 3, 14)),
    (dt.datetime(2021, 3, 14, 10, 30), PartialDate(2021, 3, 14)),
    ("2024-02-29", PartialDate(2024, 2, 29)),
])
def test_parse(value, expected):
    assert parse_date(value) == expected


@pytest.mark.parametrize("value,fragment", [
    ("2025-13-01", "month 13"),
    ("2025-00", "month 00"),
    ("2023-02-29", "February 2023 has 28 days"),
    ("2021-04-31", "April 2021 has 30 days"),
    ("0000", "year 0000"),
    ("21", "not a date"),
    ("2021/03/14", "not a date"),
    ("March 2021", "not a date"),
    ("2021-3", "not a date"),
    ("2021-03-14T10:00", "not a date"),
    ("", "not a date"),
    (True, "true/false"),
    (None, "nothing"),
    ([2021], "a list"),
    (20.5, "float"),
])
def test_parse_refuses(value, fragment):
    with pytest.raises(DateError, match=fragment):
        parse_date(value)


@pytest.mark.parametrize("value,iso,human", [
    ("2021", "2021", "2021"),
    ("2021-03", "2021-03", "March 2021"),
    ("2021-03-04", "2021-03-04", "4 March 2021"),
    ("0987-12", "0987-12", "December 987"),
])
def test_precision_is_kept_in_display(value, iso, human):
    date = parse_date(value)
    assert date.iso() == iso == str(date)
    assert date.human() == human
    assert date.precision == len(iso.split("-"))


def test_sort_order_earliest_instant_then_less_precise_first():
    ordered = ["2020-12-31", "2021", "2021-01", "2021-01-01", "2021-01-02", "2021-02", "2021-02-01", "2021-03-14", "2022"]
    dates = [parse_date(d) for d in ordered]
    shuffled = dates[::2] + dates[1::2]
    assert sorted(shuffled) == dates
    assert [d.iso() for d in sorted(shuffled, key=lambda d: d.sort_key)] == ordered


def test_newest_first_is_the_exact_reverse():
    dates = [parse_date(d) for d in ["2021-03", "2021", "2021-03-01", "2020", "2021-01-01"]]
    oldest = sorted(dates, key=lambda d: d.sort_key)
    newest = sorted(dates, key=lambda d: d.sort_key, reverse=True)
    assert newest == oldest[::-1]
    assert [d.iso() for d in newest] == ["2021-03-01", "2021-03", "2021-01-01", "2021", "2020"]


def test_start_is_the_first_day_of_the_period():
    assert parse_date("2021").start() == dt.date(2021, 1, 1)
    assert parse_date("2021-03").start() == dt.date(2021, 3, 1)


@pytest.mark.parametrize("value", [21, 999, 10000, -2021, 0])
def test_bare_year_integer_must_have_four_digits(value):
    with pytest.raises(DateError, match="not a date"):
        parse_date(value)


def _partial_dates():
    from hypothesis import strategies as st

    return st.builds(
        lambda y, m, d, p: PartialDate(y, m if p > 1 else None, min(d, 28) if p > 2 else None),
        st.integers(1990, 1995), st.integers(1, 12), st.integers(1, 28), st.integers(1, 3))


def test_order_properties():
    from hypothesis import given, settings, strategies as st

    @settings(max_examples=200, deadline=None)
    @given(st.lists(_partial_dates(), max_size=12))
    def check(dates):
        oldest = sorted(dates)
        assert sorted(dates, key=lambda d: d.sort_key, reverse=True) == oldest[::-1]
        for a, b in zip(oldest, oldest[1:]):
            assert a.start() <= b.start()
            if a.start() == b.start():
                assert a.precision <= b.precision
        for d in dates:
            assert parse_date(d.iso()) == d

    check()
