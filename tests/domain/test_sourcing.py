from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from marketplace.domain.reckoner import FixedCost
from marketplace.domain.sourcing import (
    SURVEY_SPLIT_2012,
    BuyLine,
    DoLine,
    MultiYearScenario,
    Scenario,
    ShareLine,
    SourcingError,
    compute_multi_year,
    compute_scenario,
    line_cost,
    lines_for_year,
    split_shared_cost,
)

from . import PUBLISHED_ALLOWANCES

DARLINGTON = ("00C", 106_079)
NEIGHBOURS = (DARLINGTON, ("00D", 287_935), ("00F", 206_320))

DO_CONTRACTS = DoLine("Contract management", Decimal("1.5"), Decimal("40000"), Decimal("5000"))
BUY_BI = BuyLine("Business intelligence", "per_head", Decimal("0.75"))
BUY_LEGAL = BuyLine("Legal advice", manual_amount=Decimal("12345.67"))
SHARE_IFR = ShareLine("Individual funding requests", Decimal("250000"), NEIGHBOURS)
LINES = (DO_CONTRACTS, BUY_BI, BUY_LEGAL, SHARE_IFR)


def test_each_mode_costs_its_line():
    assert line_cost(DO_CONTRACTS, "00C", 106_079) == Decimal("65000.00")
    assert line_cost(BUY_BI, "00C", 106_079) == Decimal("79559.25")
    assert line_cost(BUY_LEGAL, "00C", 106_079) == Decimal("12345.67")
    assert line_cost(SHARE_IFR, "00C", 106_079) == Decimal("44174.99")


def test_buy_line_prices_an_offer_in_any_model():
    line = BuyLine("Procurement support", "day_rate", Decimal("650"), Decimal("40"))
    assert line_cost(line, "00C", 106_079) == Decimal("26000.00")


def test_shared_cost_by_population():
    shares = split_shared_cost(Decimal("250000"), NEIGHBOURS)
    assert shares == {
        "00C": Decimal("44174.99"),
        "00D": Decimal("119906.17"),
        "00F": Decimal("85918.84"),
    }
    assert sum(shares.values()) == Decimal("250000.00")


def test_spare_pennies_go_to_the_largest_remainder():
    shares = split_shared_cost(Decimal("1000"), [("x", 1), ("y", 2)])
    assert shares == {"x": Decimal("333.33"), "y": Decimal("666.67")}


def test_ties_are_broken_by_key_not_by_list_order():
    shares = split_shared_cost(Decimal("100"), [("B", 1), ("A", 1), ("C", 1)], method="equal")
    assert shares == {"B": Decimal("33.33"), "A": Decimal("33.34"), "C": Decimal("33.33")}


@pytest.mark.parametrize(
    "total, partners, method, field",
    [
        (Decimal("100"), [], "population", "partners"),
        (Decimal("100"), [("A", 1), ("A", 2)], "population", "partners"),
        (Decimal("100"), [("A", 0), ("B", 0)], "population", "partners"),
        (Decimal("100"), [("A", -1), ("B", 5)], "population", "partners"),
        (Decimal("100"), [("A", 1.5)], "population", "partners"),
        (Decimal("-0.01"), [("A", 1)], "population", "shared_total"),
        (Decimal("100"), [("A", 1)], "by_need", "method"),
    ],
)
def test_split_rejects_bad_input(total, partners, method, field):
    with pytest.raises(SourcingError) as raised:
        split_shared_cost(total, partners, method)
    assert raised.value.field == field


@pytest.mark.parametrize(
    "line, field",
    [
        (ShareLine("IFR", Decimal("1000"), (("00D", 1),)), "partners"),
        (BuyLine("Legal advice"), "price"),
        (BuyLine("Legal advice", manual_amount=Decimal("-1")), "manual_amount"),
        (DoLine("Finance", Decimal("-1"), Decimal("40000")), "wte"),
    ],
)
def test_line_errors(line, field):
    with pytest.raises(SourcingError) as raised:
        line_cost(line, "00C", 106_079)
    assert raised.value.field == field


def test_scenario_totals_and_headroom():
    result = compute_scenario(Scenario("00C", 106_079, LINES), Decimal("300000.00"))
    assert [line.annual_cost for line in result.lines] == [
        Decimal("65000.00"),
        Decimal("79559.25"),
        Decimal("12345.67"),
        Decimal("44174.99"),
    ]
    assert result.totals_by_mode == {
        "do": Decimal("65000.00"),
        "share": Decimal("44174.99"),
        "buy": Decimal("91904.92"),
    }
    assert result.total_spend == Decimal("201079.91")
    assert result.balance == result.surplus == Decimal("98920.09")
    assert result.shortfall == 0
    assert result.spend_split_percent == {
        "do": Decimal("32.3"),
        "share": Decimal("22.0"),
        "buy": Decimal("45.7"),
    }
    assert result.service_split_percent == {
        "do": Decimal("25.0"),
        "share": Decimal("25.0"),
        "buy": Decimal("50.0"),
    }
    assert result.survey_split_percent == SURVEY_SPLIT_2012


def test_scenario_shortfall():
    result = compute_scenario(Scenario("00C", 106_079, LINES), Decimal("200000"))
    assert result.shortfall == Decimal("1079.91") and result.surplus == 0


def test_empty_scenario_has_no_split():
    result = compute_scenario(Scenario("00C", 106_079, ()), Decimal("0"))
    assert result.total_spend == 0
    assert set(result.spend_split_percent.values()) == {Decimal(0)}


def test_survey_split_adds_to_a_hundred():
    assert sum(SURVEY_SPLIT_2012.values()) == 100


def test_each_service_appears_once():
    with pytest.raises(SourcingError) as raised:
        compute_scenario(Scenario("00C", 106_079, (BUY_LEGAL, BUY_LEGAL)), Decimal("0"))
    assert raised.value.field == "lines"


def test_three_years_use_each_year_allowance():
    cheaper_bi = BuyLine("Business intelligence", "per_head", Decimal("0.50"))
    comms = BuyLine("Communications", manual_amount=Decimal("30000"))
    scenario = MultiYearScenario(
        "00C", 106_079, LINES, line_overrides={"2015/16": (cheaper_bi, comms)}
    )
    years = compute_multi_year(scenario, PUBLISHED_ALLOWANCES)
    assert [year.financial_year for year in years] == ["2013/14", "2014/15", "2015/16"]
    assert [year.reckoner.running_cost_allowance for year in years] == [
        Decimal("2651975.00"),
        Decimal("2623333.67"),
        Decimal("2341163.53"),
    ]
    assert [year.sourcing.commissioning_support_budget for year in years] == [
        Decimal("1040975.00"),
        Decimal("1012333.67"),
        Decimal("730163.53"),
    ]
    assert years[0].sourcing.total_spend == years[1].sourcing.total_spend
    last = [(line.service, line.annual_cost) for line in years[2].sourcing.lines]
    assert last[1] == ("Business intelligence", Decimal("53039.50"))
    assert last[-1] == ("Communications", Decimal("30000.00"))


def test_overrides_replace_by_service_and_add_new_ones():
    comms = BuyLine("Communications", manual_amount=Decimal("1"))
    scenario = MultiYearScenario("00C", 106_079, LINES, line_overrides={"2014/15": (comms,)})
    assert lines_for_year(scenario, "2013/14") == LINES
    assert lines_for_year(scenario, "2014/15") == LINES + (comms,)


def test_multi_year_with_an_administrator_allowances_and_fixed_costs():
    scenario = MultiYearScenario(
        "00C",
        1000,
        (),
        fixed_costs=(FixedCost("Chair", Decimal("500")),),
        financial_years=("2016/17",),
    )
    (year,) = compute_multi_year(scenario, {"2016/17": Decimal("21.00")})
    assert year.sourcing.balance == Decimal("20500.00")


def test_overrides_must_name_a_year_of_the_scenario():
    scenario = MultiYearScenario("00C", 1000, (), line_overrides={"2019/20": ()})
    with pytest.raises(SourcingError):
        compute_multi_year(scenario, PUBLISHED_ALLOWANCES)


partner_lists = st.lists(
    st.tuples(
        st.text(alphabet="0123456789ABCDEFGHJKLMNPQRSTUVWXYZ", min_size=3, max_size=3),
        st.integers(min_value=0, max_value=1_000_000),
    ),
    min_size=1,
    max_size=20,
    unique_by=lambda partner: partner[0],
).filter(lambda partners: sum(p for _, p in partners) > 0)
totals = st.integers(min_value=1, max_value=10**11).map(lambda p: Decimal(p) / 100)


@given(total=totals, partners=partner_lists, method=st.sampled_from(["population", "equal"]))
def test_shares_add_up_exactly_to_the_shared_cost(total, partners, method):
    shares = split_shared_cost(total, partners, method)
    assert list(shares) == [key for key, _ in partners]
    assert sum(shares.values()) == total
    weights = [p if method == "population" else 1 for _, p in partners]
    for (key, _), weight in zip(partners, weights, strict=True):
        exact = total * weight / sum(weights)
        assert abs(shares[key] - exact) < Decimal("0.01")


@given(total=totals, partners=partner_lists, data=st.data())
def test_shares_do_not_depend_on_the_order_partners_are_listed(total, partners, data):
    shuffled = data.draw(st.permutations(partners))
    assert split_shared_cost(total, shuffled) == split_shared_cost(total, partners)


@given(
    do_lines=st.lists(st.tuples(st.decimals(0, 50, places=2), st.integers(0, 10**7)), max_size=8),
    manual=st.lists(st.integers(0, 10**9), max_size=8),
    shared=st.lists(totals, max_size=4),
)
def test_scenario_totals_are_the_sum_of_their_lines(do_lines, manual, shared):
    lines = (
        [DoLine(f"do {i}", wte, Decimal(cost) / 100) for i, (wte, cost) in enumerate(do_lines)]
        + [BuyLine(f"buy {i}", manual_amount=Decimal(p) / 100) for i, p in enumerate(manual)]
        + [ShareLine(f"share {i}", total, NEIGHBOURS) for i, total in enumerate(shared)]
    )
    result = compute_scenario(Scenario("00C", 106_079, tuple(lines)), Decimal("1000000"))
    for mode, total in result.totals_by_mode.items():
        assert total == sum((line.annual_cost for line in result.lines if line.mode == mode), 0)
    assert result.total_spend == sum(line.annual_cost for line in result.lines)
    assert result.balance == Decimal("1000000") - result.total_spend
