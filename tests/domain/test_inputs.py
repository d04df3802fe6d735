"""The reckoner's input rules, which its forms, the scenario service and the JSON API share."""

from decimal import Decimal

import pytest

from marketplace.domain.inputs import (
    MAX_AMOUNT,
    WHOLE_POPULATION,
    allowance_problem,
    money_problem,
    population_problem,
    quantity_problem,
    text_problem,
)

OUT_OF_RANGE = "Enter a population between 1 and 10,000,000"


@pytest.mark.parametrize(("value", "problem"), [
    (1, None), (175_000, None), (10_000_000, None),
    (0, OUT_OF_RANGE), (-1, OUT_OF_RANGE), (10_000_001, OUT_OF_RANGE),
    (True, WHOLE_POPULATION), (175000.0, WHOLE_POPULATION), ("175000", WHOLE_POPULATION),
    (None, WHOLE_POPULATION),
])
def test_a_population_is_a_whole_number_from_1_to_10_million(value, problem):
    assert population_problem(value) == problem


@pytest.mark.parametrize(("value", "problem"), [
    (Decimal("0"), None), (Decimal("1500.00"), None), (MAX_AMOUNT, None),
    (Decimal("-0.01"), "The amount cannot be negative"),
    (MAX_AMOUNT + Decimal("0.01"), "The amount must be at most £1,000,000,000.00"),
    (Decimal("1.005"), "Enter pounds and pence, with at most 2 decimal places"),
    (None, "Enter an amount"),
])
def test_money_is_pounds_and_pence_from_0_to_the_maximum(value, problem):
    assert money_problem(value) == problem


def test_a_lower_maximum_is_named_in_the_message():
    assert money_problem(Decimal("1000.00"), Decimal("1000")) is None
    assert money_problem(Decimal("1000.01"), Decimal("1000")) == (
        "The amount must be at most £1,000.00")


@pytest.mark.parametrize(("value", "problem"), [
    (Decimal("0.01"), None), (Decimal("25.00"), None), (Decimal("1000.00"), None),
    (Decimal("0"), "The allowance must be more than £0"),
    (Decimal("1000.01"), "The amount must be at most £1,000.00"),
    (Decimal("-1"), "The amount cannot be negative"),
    (Decimal("24.735"), "Enter pounds and pence, with at most 2 decimal places"),
])
def test_an_allowance_per_head_is_more_than_nothing_and_at_most_1000_pounds(value, problem):
    assert allowance_problem(value) == problem


@pytest.mark.parametrize(("value", "problem"), [
    (Decimal("0"), None), (Decimal("1.55"), None), (Decimal("1000"), None),
    (Decimal("1000.01"), "Enter whole-time equivalents between 0 and 1,000"),
    (Decimal("-0.01"), "Enter whole-time equivalents between 0 and 1,000"),
    (Decimal("1.555"), "Enter the whole-time equivalents to at most 2 decimal places"),
    (None, "Enter the whole-time equivalents"),
])
def test_whole_time_equivalents_run_from_0_to_1000_to_2_places(value, problem):
    assert quantity_problem(value) == problem


@pytest.mark.parametrize(("value", "problem"), [
    ("Chair", None), ("x" * 100, None), ("  Chair  ", None),
    ("", "Enter a name"), ("   ", "Enter a name"), (None, "Enter a name"),
    ("x" * 101, "A name must be 100 characters or fewer"),
])
def test_a_name_is_given_and_at_most_the_limit(value, problem):
    assert text_problem(value, "a name", 100) == problem
