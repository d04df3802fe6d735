"""Spreading a plan's income by customer over its service lines, to the penny."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from marketplace.domain.plan_income import apportion, plan_year, split_equally, year_label

D = Decimal


def test_a_worked_example_pro_rata_and_exact():
    # £600,000 from 05A and £400,000 from the Board; 70% BI, 30% contracts.
    cells = apportion(
        {"05A": D("600000"), "board": D("400000")}, {"BI-DSS": D("700000"), "MON-CTM": D("300000")}
    )
    assert cells == {
        ("05A", "BI-DSS"): D("420000.00"),
        ("05A", "MON-CTM"): D("180000.00"),
        ("board", "BI-DSS"): D("280000.00"),
        ("board", "MON-CTM"): D("120000.00"),
    }


def test_odd_pence_go_to_the_largest_fractions_and_both_sides_stay_exact():
    # £100.00 three ways by £33.33 + £33.33 + £33.34: 1/3 of each customer's income.
    cells = apportion(
        {"05A": D("50.00"), "05R": D("50.00")}, {"A": D("33.33"), "B": D("33.33"), "C": D("33.34")}
    )
    for customer in ("05A", "05R"):
        assert sum(v for (c, _s), v in cells.items() if c == customer) == D("50.00")
    for line, total in (("A", D("33.33")), ("B", D("33.33")), ("C", D("33.34"))):
        assert sum(v for (_c, s), v in cells.items() if s == line) == total
    # 16.665 / 16.67 exactly: each cell within a penny of its share.
    assert all(abs(v - D("16.67")) <= D("0.01") for v in cells.values())


def test_zero_income_and_zero_cells_are_left_out():
    assert apportion({"05A": D("0")}, {"A": D("0")}) == {}
    assert apportion({"05A": D("10"), "other": D("0")}, {"A": D("10"), "B": D("0")}) == {
        ("05A", "A"): D("10.00")
    }


def test_totals_that_disagree_or_fractions_of_a_penny_are_refused():
    with pytest.raises(ValueError, match="add up differently"):
        apportion({"05A": D("10")}, {"A": D("9.99")})
    with pytest.raises(ValueError, match="whole number of pence"):
        apportion({"05A": D("10.001")}, {"A": D("10.001")})


money = st.integers(min_value=0, max_value=10**9).map(lambda p: D(p) / 100)


@settings(deadline=None)  # the machine is shared: time is not what is tested
@given(st.lists(money, min_size=1, max_size=6), st.lists(money, min_size=1, max_size=6))
def test_any_split_keeps_every_row_and_column_exact(customers, shares):
    total = sum(customers, D(0))
    weight = sum(shares, D(0))
    if weight == 0:
        lines = {"L0": total}
    else:
        pennies = [int(total * 100 * s / weight) for s in shares]
        pennies[0] += int(total * 100) - sum(pennies)
        lines = {f"L{i}": D(p) / 100 for i, p in enumerate(pennies)}
    by_customer = {f"C{i}": a for i, a in enumerate(customers)}
    cells = apportion(by_customer, lines)
    for c, amount in by_customer.items():
        assert sum((v for (k, _s), v in cells.items() if k == c), D(0)) == amount
    for s, amount in lines.items():
        assert sum((v for (_c, k), v in cells.items() if k == s), D(0)) == amount
    assert all(v > 0 for v in cells.values())


def test_years_and_equal_shares():
    assert plan_year("2013/14") == 2013 and year_label(2013) == "2013/14"
    assert year_label(2099) == "2099/00"
    with pytest.raises(ValueError):
        plan_year("2013")
    assert split_equally(D("100.00"), 3) == [D("33.34"), D("33.33"), D("33.33")]
