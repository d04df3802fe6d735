"""Variations: the 18-month limit on the varied term (exactly 18 months is allowed, a day
more is not) and the diff between versions in words."""

from datetime import date
from decimal import Decimal

from marketplace.domain.variations import (
    Terms,
    apply,
    diff,
    is_change,
    last_day_within_limit,
    varied_term_error,
)

START = date(2013, 4, 1)
ORIGINAL = Terms(START, date(2014, 3, 31), Decimal("120000.00"))


def test_the_limit_from_1_april_2013_is_30_september_2014():
    assert last_day_within_limit(START) == date(2014, 9, 30)


def test_exactly_18_months_is_allowed():
    assert varied_term_error(START, date(2014, 9, 30)) is None


def test_18_months_and_a_day_is_refused_with_the_latest_end_date():
    message = varied_term_error(START, date(2014, 10, 1))
    assert "18 months and 1 day" in message
    assert "the latest end date is 30 September 2014" in message


def test_from_31_august_the_limit_is_the_end_of_february_in_a_leap_year():
    # 31 August 2014 + 18 months = 29 February 2016 (2016 is a leap year), so the last day is
    # 28 February 2016; 29 February is 18 months and a day.
    start = date(2014, 8, 31)
    assert last_day_within_limit(start) == date(2016, 2, 28)
    assert varied_term_error(start, date(2016, 2, 28)) is None
    assert varied_term_error(start, date(2016, 2, 29)) is not None


def test_an_end_on_or_before_the_start_is_refused():
    assert varied_term_error(START, START) == "The new end date must be after the start date"
    assert varied_term_error(START, date(2013, 4, 2)) is None


def test_the_value_is_rounded_half_up_to_the_penny():
    varied = apply(ORIGINAL, Decimal("125000.005"), None)
    assert varied.annual_value == Decimal("125000.01")
    assert varied.end_date == ORIGINAL.end_date


def test_diff_of_a_value_and_term_variation_in_words():
    varied = apply(ORIGINAL, Decimal("132500"), date(2014, 9, 30))
    assert [(c.label, c.before, c.after) for c in diff(ORIGINAL, varied)] == [
        ("Annual value", "£120,000.00", "£132,500.00"),
        ("End date", "31 March 2014", "30 September 2014"),
        ("Term", "12 months", "18 months"),
    ]


def test_no_diff_and_no_change_for_the_same_terms():
    assert diff(ORIGINAL, ORIGINAL) == []
    assert not is_change(ORIGINAL, Decimal("120000"), date(2014, 3, 31))
    assert is_change(ORIGINAL, Decimal("120000.01"), None)


def test_a_kpi_target_change_is_shown_with_the_kpi_s_name():
    with_targets = Terms(START, date(2014, 3, 31), Decimal("120000.00"),
                         ((7, Decimal("95")), (8, Decimal("10"))))
    varied = apply(with_targets, None, None, {7: Decimal("97.5")})
    assert varied.targets == ((7, Decimal("97.5")), (8, Decimal("10")))
    assert [(c.label, c.before, c.after) for c in diff(
        with_targets, varied, {7: "Queries answered within 2 days"})] == [
        ("Target: Queries answered within 2 days", "95", "97.5")]
    assert not is_change(with_targets, None, None, {7: Decimal("95.00")})
