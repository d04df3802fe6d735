"""Market share and contracted income, with worked numbers."""

from datetime import date
from decimal import Decimal

import pytest

from marketplace.domain.agreement_terms import add_months, date_errors, term, term_warning
from marketplace.domain.market_share import contracted_income, market_share, percent

# A region of four CCGs: 100,000 + 200,000 + 300,000 + 400,000 = 1,000,000 people.
REGION = {"A": 100_000, "B": 200_000, "C": 300_000, "D": 400_000}


def test_worked_example_two_of_four_ccgs():
    # Agreements with B and C: 500,000 of 1,000,000 people (50.0%), 2 of 4 CCGs (50.0%).
    share = market_share(REGION, ["B", "C"])
    assert share.population_under_agreement == 500_000
    assert share.region_population == 1_000_000
    assert share.population_share == Decimal("0.5")
    assert share.population_percent == Decimal("50.0")
    assert (share.ccgs_under_agreement, share.region_ccgs) == (2, 4)
    assert share.ccg_percent == Decimal("50.0")


def test_population_and_ccg_shares_differ_when_sizes_differ():
    # Only D: 400,000 / 1,000,000 = 40.0% of people but 1 / 4 = 25.0% of CCGs.
    share = market_share(REGION, ["D"])
    assert share.population_percent == Decimal("40.0")
    assert share.ccg_percent == Decimal("25.0")


def test_thirds_round_half_up_to_one_place():
    # Three CCGs of 1 person each, two under agreement: 2/3 = 66.666...% → 66.7%.
    share = market_share({"x": 1, "y": 1, "z": 1}, ["x", "y"])
    assert share.ccg_share == Decimal(2) / Decimal(3)
    assert share.ccg_percent == Decimal("66.7")
    assert percent(Decimal("0.00125")) == Decimal("0.1")  # 0.125% → 0.1 (half-up at 0.05)
    assert percent(Decimal("0.00149")) == Decimal("0.1")
    assert percent(Decimal("0.0015")) == Decimal("0.2")


def test_customers_outside_the_region_bring_no_share_and_count_once():
    share = market_share(REGION, ["A", "A", "Elsewhere"])
    assert share.ccgs_under_agreement == 1
    assert share.population_under_agreement == 100_000
    assert share.customers_outside_region == 1
    assert share.population_percent == Decimal("10.0")


def test_the_midlands_and_east_of_coventry_and_warwickshire():
    # Real 2012 registered lists: Coventry and Rugby 464,596; Warwickshire North 183,852;
    # South Warwickshire 271,809 — together 920,257. With the first two signed:
    # 648,448 / 920,257 = 70.46...% → 70.5%; 2 of 3 CCGs → 66.7%.
    share = market_share({"05A": 464_596, "05H": 183_852, "05R": 271_809}, ["05A", "05H"])
    assert share.population_under_agreement == 648_448
    assert share.population_percent == Decimal("70.5")
    assert share.ccg_percent == Decimal("66.7")


def test_an_empty_region_has_no_share():
    share = market_share({}, ["A"])
    assert share.population_share == Decimal(0) and share.ccg_share == Decimal(0)
    assert share.customers_outside_region == 1


def test_populations_must_be_whole_numbers():
    with pytest.raises(ValueError):
        market_share({"A": 1.5}, [])
    with pytest.raises(ValueError):
        market_share({"A": -1}, [])


def test_contracted_income_adds_exactly():
    # £5,575,152.00 + £250,000.00 + £120,000.00 = £5,945,152.00; strings are read exactly.
    assert contracted_income([Decimal("5575152.00"), "250000.00", Decimal("120000")]) == Decimal(
        "5945152.00"
    )
    assert contracted_income([Decimal("0.10")] * 3) == Decimal("0.30")
    assert contracted_income([]) == Decimal("0.00")


def test_contracted_income_refuses_floats():
    with pytest.raises(ValueError):
        contracted_income([0.1])


def test_months_are_added_to_the_month_end_when_needed():
    assert add_months(date(2013, 1, 31), 1) == date(2013, 2, 28)
    assert add_months(date(2012, 11, 30), 18) == date(2014, 5, 30)


def test_an_agreement_of_exactly_18_months_is_within_the_guidance():
    # 1 April 2013 to 30 September 2014 inclusive is 18 months exactly.
    assert term(date(2013, 4, 1), date(2014, 9, 30)).months == 18
    assert term(date(2013, 4, 1), date(2014, 9, 30)).days == 0
    assert term_warning(date(2013, 4, 1), date(2014, 9, 30)) is None


def test_one_day_longer_is_warned_about_in_words():
    warning = term_warning(date(2013, 4, 1), date(2014, 10, 1))
    assert warning.startswith("This agreement runs for 18 months and 1 day, longer than 18 months")
    assert "2012 guidance" in warning
    assert "24 months" in term_warning(date(2013, 4, 1), date(2015, 3, 31))


def test_the_end_must_come_after_the_start():
    assert date_errors(date(2013, 4, 1), date(2013, 3, 31)) == [
        ("end_date", "The end date must be after the start date")
    ]
    assert date_errors(date(2013, 4, 1), date(2013, 4, 1)) != []
    assert date_errors(None, None) == [
        ("start_date", "Enter the start date"),
        ("end_date", "Enter the end date"),
    ]
    assert date_errors(date(2013, 4, 1), date(2013, 4, 2)) == []
