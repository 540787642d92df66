"""Costs, years, statuses, categories and coordinates as agencies write them."""

from __future__ import annotations

import datetime as dt

import pytest

from valleymaps.projects.parse import (
    parse_category,
    parse_coordinate,
    parse_cost,
    parse_flag,
    parse_status,
    parse_year,
)


@pytest.mark.parametrize(
    ("text", "dollars"),
    [
        ("$1.2M", 1_200_000.0),
        ("1,200,000", 1_200_000.0),
        ("$350K", 350_000.0),
        ("$350k", 350_000.0),
        ("$ 2.5 million", 2_500_000.0),
        ("2.5 billion", 2_500_000_000.0),
        ("$1.5MM", 1_500_000.0),
        ("USD 12,000.50", 12_000.5),
        ("$.5M", 500_000.0),
        ("1.2e6", 1_200_000.0),
        ("0", 0.0),
        (4200000, 4_200_000.0),
        (1.25e7, 12_500_000.0),
    ],
)
def test_costs_parse_in_dollars(text: object, dollars: float) -> None:
    assert parse_cost(text) == pytest.approx(dollars)


@pytest.mark.parametrize("text", ["", "  ", "TBD", "n/a", "N/A", "unknown", "-", None, float("nan")])
def test_costs_not_known_yet_are_missing_not_zero(text: object) -> None:
    assert parse_cost(text) is None


def test_cost_in_thousands_uses_the_multiplier() -> None:
    assert parse_cost("1,250", multiplier=1000) == 1_250_000.0


@pytest.mark.parametrize("text", ["about a million", "$1.2Q", "12 apples", "1.2.3"])
def test_unreadable_costs_say_how_to_write_them(text: str) -> None:
    with pytest.raises(ValueError, match=r"\$1\.2M"):
        parse_cost(text)


@pytest.mark.parametrize("text", ["-500", "($1.2M)", "$-5K"])
def test_negative_costs_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="negative"):
        parse_cost(text)


@pytest.mark.parametrize(
    ("value", "year"),
    [
        ("2026", 2026),
        (2026, 2026),
        (2026.0, 2026),
        ("2026.0", 2026),
        ("FY 2024/25", 2024),
        ("FY24", 2024),
        ("2024-25", 2024),
        ("2027-06-30", 2027),
        ("6/30/2027", 2027),
        (dt.date(2030, 1, 1), 2030),
        (dt.datetime(2031, 5, 2, 10, 0), 2031),
    ],
)
def test_years_parse_from_calendar_and_fiscal_forms(value: object, year: int) -> None:
    assert parse_year(value) == year


@pytest.mark.parametrize("value", ["soon", "1850", "20245", 2026.5, "Q3"])
def test_bad_years_are_reported(value: object) -> None:
    with pytest.raises(ValueError, match="not a year between 1900 and 2100"):
        parse_year(value)


def test_statuses_and_categories_accept_the_words_agencies_use() -> None:
    assert parse_status("Under_Construction") == "under construction"
    assert parse_status("In Design") == "programmed"
    assert parse_status("Proposed") == "planned"
    assert parse_status("Open to traffic", user={"open to traffic": "complete"}) == "complete"
    assert parse_status("") is None
    assert parse_category("Bike/Ped") == "transportation"
    assert parse_category("HSR") == "rail"
    assert parse_category("Storm Drain") == "water"
    assert parse_category("Substations") == "energy"
    assert parse_category("Fiber") == "broadband"
    assert parse_category("Library") == "public facilities"


def test_unknown_status_names_the_mapping_table_to_fix_it() -> None:
    with pytest.raises(ValueError, match=r"\[statuses\] table of the mapping file"):
        parse_status("On hold-ish")
    with pytest.raises(ValueError, match=r"\[categories\]"):
        parse_category("Zeppelin port")


def test_coordinates_accept_hemispheres_and_decimal_commas() -> None:
    assert parse_coordinate("119.78 W", what="longitude") == -119.78
    assert parse_coordinate("36.74° N", what="latitude") == 36.74
    assert parse_coordinate("36,74", what="latitude") == 36.74
    assert parse_coordinate("", what="latitude") is None
    with pytest.raises(ValueError, match="latitude 'north' is not a number"):
        parse_coordinate("north", what="latitude")


def test_year_flags_read_yes_no_cells() -> None:
    assert [parse_flag(v) for v in (1, 1.0, "Yes", "x", "TRUE")] == [True] * 5
    assert [parse_flag(v) for v in (0, 0.0, "", None, "no")] == [False] * 5


@pytest.mark.parametrize("text", ["inf", "Infinity", "-inf", "1e400", "1e309", "nan", "NaN", "$inf"])
def test_non_finite_costs_are_refused_with_the_fix(text):
    with pytest.raises(ValueError, match=r"is not a finite amount; write the cost in dollars"):
        parse_cost(text)


def test_a_float_nan_cell_is_an_unknown_cost():
    assert parse_cost(float("nan")) is None


@pytest.mark.parametrize("text", ["1e309", "9e99999999999", "$1e308B", "-1e400"])
def test_costs_too_large_for_a_number_are_a_bad_cost_not_an_overflow(text: str) -> None:
    with pytest.raises(ValueError, match="not a finite amount"):
        parse_cost(text)


def test_a_finite_cost_times_the_multiplier_can_overflow_too() -> None:
    with pytest.raises(ValueError, match="not a finite amount"):
        parse_cost("1e306", multiplier=1e6)


@pytest.mark.parametrize("word", ["NA", "None", "NULL", "nan", "N/A", "TBD"])
def test_words_that_mean_missing_in_numbers_are_text_in_ids(word: str) -> None:
    from valleymaps.projects.parse import is_blank, is_missing

    assert is_missing(word) and not is_blank(word)
