"""Rating a reported figure against its KPI, with worked numbers either side of each boundary."""

from datetime import date
from decimal import Decimal as D

import pytest

from marketplace.domain.service_levels import (
    Direction,
    FigureError,
    Frequency,
    Rating,
    Unit,
    add_working_days,
    is_late,
    kpi_from_service_level,
    parse_figure,
    periods,
    rate,
    reported_in,
    return_due,
)

MET, WITHIN, MISSED = Rating.MET, Rating.WITHIN_TOLERANCE, Rating.MISSED


# Higher is better: target 95%, tolerance 2 percentage points. Met from 95 up; within
# tolerance from 93 up to 94.99; missed below 93.
@pytest.mark.parametrize(("figure", "expected"), [
    ("100", MET),
    ("95.01", MET),
    ("95", MET),          # exactly on target
    ("94.99", WITHIN),    # a near miss of the target
    ("93.01", WITHIN),
    ("93", WITHIN),       # exactly target - tolerance
    ("92.99", MISSED),    # a near miss of the tolerance
    ("0", MISSED),
])
def test_higher_is_better_target_95_tolerance_2(figure, expected):
    assert rate(D(figure), D("95"), Direction.HIGHER, D("2")) is expected


# Lower is better: report by working day 10, tolerance 2 days. Met up to 10; within tolerance
# above 10 up to 12; missed above 12.
@pytest.mark.parametrize(("figure", "expected"), [
    ("0", MET),
    ("9.99", MET),
    ("10", MET),          # exactly on target
    ("10.01", WITHIN),    # a near miss of the target
    ("11.99", WITHIN),
    ("12", WITHIN),       # exactly target + tolerance
    ("12.01", MISSED),    # a near miss of the tolerance
    ("30", MISSED),
])
def test_lower_is_better_target_10_tolerance_2(figure, expected):
    assert rate(D(figure), D("10"), "lower", D("2")) is expected


@pytest.mark.parametrize(("direction", "figure", "expected"), [
    (Direction.HIGHER, "95", MET), (Direction.HIGHER, "94.99", MISSED),
    (Direction.LOWER, "10", MET), (Direction.LOWER, "10.01", MISSED),
])
def test_no_tolerance_means_any_shortfall_is_missed(direction, figure, expected):
    target = D("95") if direction is Direction.HIGHER else D("10")
    assert rate(D(figure), target, direction) is expected


def test_negative_tolerance_is_a_programming_error():
    with pytest.raises(ValueError):
        rate(D(1), D(1), Direction.HIGHER, D(-1))


def test_ratings_in_words_and_colour():
    assert [(r.label, r.tag_colour) for r in Rating] == [
        ("Met", "green"), ("Within tolerance", "yellow"), ("Missed", "red")]


# Figures as typed


@pytest.mark.parametrize(("text", "unit", "value"), [
    ("95", Unit.PERCENT, D("95.00")),
    (" 95.5% ", Unit.PERCENT, D("95.50")),
    ("100", Unit.PERCENT, D("100.00")),
    ("0", Unit.WORKING_DAYS, D("0.00")),
    ("1,250", Unit.COUNT, D("1250.00")),
    ("999999.99", Unit.HOURS, D("999999.99")),
])
def test_figures_that_are_accepted(text, unit, value):
    assert parse_figure(text, unit) == value


@pytest.mark.parametrize(("text", "unit", "message"), [
    ("", Unit.PERCENT, "Enter the figure"),
    ("100.01", Unit.PERCENT, "between 0 and 100%"),
    ("-0.01", Unit.COUNT, "must be between 0 and 999999.99"),
    ("95%", Unit.WORKING_DAYS, "not a percentage"),
    ("10 days", Unit.PERCENT, "enter the number only"),
    ("£12", Unit.COUNT, "enter the number only"),
    ("ten", Unit.COUNT, "as a number"),
    ("9.999", Unit.HOURS, "two decimal places"),
    ("1000000", Unit.DAYS, "between 0 and 999999.99 days"),
])
def test_figures_of_the_wrong_unit_or_out_of_range_are_refused(text, unit, message):
    with pytest.raises(FigureError) as refused:
        parse_figure(text, unit)
    assert message in refused.value.message


def test_units_shown_in_words():
    assert Unit.PERCENT.show(D("95.50")) == "95.5%"
    assert Unit.WORKING_DAYS.show(D("10.00")) == "10 working days"
    assert Unit.COUNT.show(D("1250.00")) == "1250"
    assert Unit.HOURS.show(None) == "Not set"


# From an offer's free-text service level to a draft KPI


@pytest.mark.parametrize(("measure", "target", "unit", "number", "direction", "frequency"), [
    ("Monthly dashboard", "By working day 10", Unit.WORKING_DAYS, "10", "lower", "monthly"),
    ("Queries answered", "95% within 2 days", Unit.PERCENT, "95", "higher", "monthly"),
    ("Quarterly service review", "Within 10 days of quarter end", Unit.DAYS, "10", "lower",
     "quarterly"),
    ("Helpdesk response", "Within 4 hours", Unit.HOURS, "4", "lower", "monthly"),
    ("Complaints", "Under 5% upheld", Unit.PERCENT, "5", "lower", "monthly"),
])
def test_offer_service_levels_become_draft_kpis(measure, target, unit, number, direction,
                                                 frequency):
    kpi = kpi_from_service_level(measure, target)
    assert (kpi.unit, kpi.target, kpi.direction, kpi.frequency) == (
        unit, D(number), Direction(direction), Frequency(frequency))


def test_a_service_level_with_no_number_leaves_the_target_to_set():
    kpi = kpi_from_service_level("Quarterly service review with the CCG", "As stated")
    assert kpi.target is None and kpi.frequency is Frequency.QUARTERLY


# Periods, quarterly KPIs and late returns


def test_an_18_month_agreement_has_18_monthly_periods():
    months = periods(date(2013, 4, 1), date(2014, 9, 30))
    assert len(months) == 18
    assert (months[0].start, months[0].end, months[0].label) == (
        date(2013, 4, 1), date(2013, 4, 30), "April 2013")
    assert months[-1].end == date(2014, 9, 30)


def test_a_part_month_at_the_end_is_its_own_period():
    months = periods(date(2013, 4, 15), date(2013, 6, 20))
    assert [(p.start, p.end) for p in months] == [
        (date(2013, 4, 15), date(2013, 5, 14)), (date(2013, 5, 15), date(2013, 6, 14)),
        (date(2013, 6, 15), date(2013, 6, 20))]
    assert months[2].label == "15 June 2013 to 20 June 2013"


def test_quarterly_kpis_are_reported_every_third_month_and_at_the_end():
    assert [n for n in range(1, 8) if reported_in("quarterly", n, 7)] == [3, 6, 7]
    assert all(reported_in("monthly", n, 7) for n in range(1, 8))


def test_working_days_skip_weekends_and_bank_holidays():
    # Friday 29 March 2013 is Good Friday and Monday 1 April Easter Monday.
    assert add_working_days(date(2013, 3, 28), 1) == date(2013, 4, 2)
    # Friday 31 May 2013 + 1 working day is Monday 3 June.
    assert add_working_days(date(2013, 5, 31), 1) == date(2013, 6, 3)


def test_april_2013_return_is_due_15_working_days_after_the_month():
    april = periods(date(2013, 4, 1), date(2014, 3, 31))[0]
    # 1-3 May (3), 7-10 (4; 6 May is a bank holiday), 13-17 (5), 20-22 (3) = 15.
    assert return_due(april, 15) == date(2013, 5, 22)
    assert not is_late(april, 15, date(2013, 5, 22), date(2013, 6, 30))
    assert is_late(april, 15, date(2013, 5, 23), date(2013, 6, 30))
    assert not is_late(april, 15, None, date(2013, 5, 22))
    assert is_late(april, 15, None, date(2013, 5, 23))
