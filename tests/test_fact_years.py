"""A fact that is a calendar year reads as one: 2021 and ২০২১, never 2,021."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from flask import Flask

from lms.content.facts import Fact, _value_problem, format_fact


def year(value: object) -> Fact:
    return Fact(
        "lwg-standard-year",
        "IN",
        value,
        "year",
        "https://example.org",
        dt.date(2026, 12, 5),
        Path("x.yaml"),
        1,
        "",
    )


@pytest.mark.parametrize(("locale", "shown"), [("en", "2021"), ("bn", "২০২১"), ("bn_BD", "২০২১")])
def test_a_year_has_no_thousands_separator(app: Flask, locale: str, shown: str) -> None:
    with app.app_context():
        assert format_fact(year(2021), locale) == shown
        assert format_fact(year(2021), locale, bare=True) == shown  # {fact:ID|number}


@pytest.mark.parametrize("value", [20211, 2021.5, "2021", True, 1850])
def test_only_a_whole_year_is_a_year(value: object) -> None:
    assert _value_problem("year", value) is not None
    assert _value_problem("year", 2021) is None
