"""Splitting an awarded price between the CCGs of a joint procurement, to the penny."""

from datetime import date
from decimal import Decimal

import pytest

from marketplace.domain.agreement_terms import period_for, term_warning, value_over_term
from marketplace.domain.joint_costs import (
    AGREED_SHARES,
    POPULATION,
    AwardedLine,
    LineBuyer,
    SplitError,
    check_agreed_shares,
    split_award,
    split_line,
)

D = Decimal
# Three CCGs of one cluster (2012 registered populations from data/ccgs_2013.csv).
COVENTRY = LineBuyer("05A", 464_596)
WARWICKSHIRE_NORTH = LineBuyer("05H", 183_852)
SOUTH_WARWICKSHIRE = LineBuyer("05R", 266_958)
THREE = (COVENTRY, WARWICKSHIRE_NORTH, SOUTH_WARWICKSHIRE)


def test_by_population_the_shares_add_up_to_the_penny():
    # £9.50 a head × 915,406 people = £8,696,357.00 for the three together.
    line = AwardedLine("bi", D("8696357.00"), THREE)
    shares = split_line(line, POPULATION)
    assert shares == {"05A": D("4413662.00"), "05H": D("1746594.00"), "05R": D("2536101.00")}
    assert sum(shares.values()) == D("8696357.00")


def test_by_population_a_penny_left_over_goes_to_the_largest_remainder():
    # £100.00 over 1:1:1 is 33.33 each with one penny left; equal remainders go in key order.
    line = AwardedLine("x", D("100.00"), (LineBuyer("A", 1), LineBuyer("B", 1), LineBuyer("C", 1)))
    assert split_line(line, POPULATION) == {"A": D("33.34"), "B": D("33.33"), "C": D("33.33")}
    # Two pennies over 1:2: exact shares 0.666 and 1.333 pennies: floors 0 and 1, and the
    # penny left goes to the larger remainder (A's 2/3 against B's 1/3).
    line = AwardedLine("y", D("0.02"), (LineBuyer("A", 1), LineBuyer("B", 2)))
    assert split_line(line, POPULATION) == {"A": D("0.01"), "B": D("0.01")}


def test_by_agreed_shares_with_two_decimals():
    shares = {"05A": D("50.00"), "05H": D("16.67"), "05R": D("33.33")}
    line = AwardedLine("bi", D("300000.00"), THREE)
    split = split_line(line, AGREED_SHARES, shares)
    # 150,000.00; 50,010.00; 99,990.00: the hundredths of a per cent are exact.
    assert split == {"05A": D("150000.00"), "05H": D("50010.00"), "05R": D("99990.00")}
    assert sum(split.values()) == D("300000.00")


def test_agreed_shares_are_rescaled_over_the_ccgs_that_need_the_line():
    shares = {"05A": D("50"), "05H": D("25"), "05R": D("25")}
    # Only Coventry and North Warwickshire need contract monitoring: 50:25 is 2/3 and 1/3.
    line = AwardedLine("cm", D("90000.00"), (COVENTRY, WARWICKSHIRE_NORTH))
    assert split_line(line, AGREED_SHARES, shares) == {"05A": D("60000.00"),
                                                       "05H": D("30000.00")}


def test_one_ccg_pays_the_whole_line():
    assert split_line(AwardedLine("bi", D("5575152.004"), (COVENTRY,)), POPULATION) == {
        "05A": D("5575152.00")}


@pytest.mark.parametrize(("shares", "message"), [
    ({"05A": D("50"), "05H": D("25"), "05R": D("24.99")}, "add up to 99.99%"),
    ({"05A": D("50"), "05H": D("25"), "05R": D("25.01")}, "add up to 100.01%"),
    ({"05A": D("50"), "05H": D("50"), "05R": None}, "Give each CCG a share"),
    ({"05A": D("101"), "05H": D("-1"), "05R": D("0")}, "from 0 to 100"),
])
def test_agreed_shares_must_total_exactly_100(shares, message):
    with pytest.raises(SplitError, match=message):
        check_agreed_shares(shares)
    with pytest.raises(SplitError):
        split_award([AwardedLine("bi", D("1000.00"), THREE)], AGREED_SHARES, shares)


def test_shares_exactly_100_pass():
    check_agreed_shares({"05A": D("33.34"), "05H": D("33.33"), "05R": D("33.33")})


def test_a_share_with_three_decimals_is_refused():
    with pytest.raises(SplitError, match="two decimal places"):
        split_line(AwardedLine("bi", D("10.00"), (COVENTRY, WARWICKSHIRE_NORTH)),
                   AGREED_SHARES, {"05A": D("50.005"), "05H": D("49.995")})


def test_nobody_to_split_by_is_refused():
    with pytest.raises(SplitError, match="no population or share"):
        split_line(AwardedLine("x", D("10.00"), (LineBuyer("A", 0), LineBuyer("B", 0))),
                   POPULATION)
    with pytest.raises(SplitError, match="at least one CCG"):
        split_line(AwardedLine("x", D("10.00"), ()), POPULATION)
    with pytest.raises(SplitError, match="Split by population or by agreed shares"):
        split_line(AwardedLine("x", D("10.00"), (COVENTRY,)), "equal")


def test_a_whole_award_by_population():
    lines = [AwardedLine("bi", D("8696357.00"), THREE),
             AwardedLine("cm", D("250000.00"), (COVENTRY, SOUTH_WARWICKSHIRE))]
    split = split_award(lines, POPULATION)
    assert split["05H"] == {"bi": D("1746594.00")}  # not a penny of contract monitoring
    # 250,000 × 464,596 / 731,554 = 158,770.234...; the rest to South Warwickshire.
    assert split["05A"]["cm"] == D("158770.23") and split["05R"]["cm"] == D("91229.77")
    total = sum(amount for amounts in split.values() for amount in amounts.values())
    assert total == D("8946357.00")


# The term: value over the full term and the 18-month guidance.


def test_value_over_the_full_term():
    assert value_over_term(D("5575152.00"), date(2013, 4, 1), date(2014, 9, 30)) == D(
        "8362728.00")  # 18 months: 1.5 years
    assert value_over_term(D("120000.00"), date(2013, 4, 1), date(2014, 3, 31)) == D(
        "120000.00")
    # 12 months and 1 day: a year and one 365th, half-up to the penny.
    assert value_over_term(D("100000.00"), date(2013, 4, 1), date(2014, 4, 1)) == D(
        "100273.97")
    # One month.
    assert value_over_term(D("100000.00"), date(2013, 4, 1), date(2013, 4, 30)) == D("8333.33")


def test_period_for_and_the_18_month_rule_either_side():
    assert period_for(date(2013, 4, 1), 18) == (date(2013, 4, 1), date(2014, 9, 30))
    start, end = period_for(date(2013, 4, 1), 18)
    assert term_warning(start, end) is None  # exactly 18 months: within the guidance
    start, end = period_for(date(2013, 4, 1), 19)
    assert "runs for 19 months, longer than 18 months" in term_warning(start, end)
    with pytest.raises(ValueError):
        period_for(date(2013, 4, 1), 0)
