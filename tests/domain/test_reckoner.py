from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from marketplace.domain.reckoner import (
    DEFAULT_FIXED_COSTS,
    FIXED_COST_LINES,
    ILLUSTRATIVE_ALLOWANCE_2011,
    FixedCost,
    InHouseRole,
    ReckonerInputError,
    ReckonerInputs,
    Thresholds,
    commissioning_support_budget,
    compute,
    default_commissioning_support_budget,
    parse_reckoner_request,
    running_cost_allowance,
)

from . import PUBLISHED_ALLOWANCES

WORKED_EXAMPLE = ReckonerInputs(population=175_000, allowance_per_head=ILLUSTRATIVE_ALLOWANCE_2011)

populations = st.integers(min_value=1, max_value=5_000_000)
per_head_rates = st.integers(min_value=1, max_value=100_000).map(lambda p: Decimal(p) / 100)
amounts = st.integers(min_value=0, max_value=10**11).map(lambda p: Decimal(p) / 100)


def test_worked_example_to_the_penny():
    result = compute(WORKED_EXAMPLE)
    assert result.running_cost_allowance == Decimal("3500000.00")
    assert result.fixed_costs_total == Decimal("1611000.00")
    assert result.in_house_total == Decimal("0.00")
    assert result.commissioning_support_budget == Decimal("1889000.00")
    assert result.commissioning_support_per_head == Decimal("10.79")
    assert result.warnings == ()
    assert result.is_affordable


def test_default_fixed_costs_follow_the_worked_example():
    amounts = {cost.name: cost.amount for cost in DEFAULT_FIXED_COSTS}
    assert list(amounts) == list(FIXED_COST_LINES)
    assert sum(amounts.values()) == Decimal("1611000")
    assert amounts["registered_nurse"] + amounts["secondary_care_doctor"] == Decimal("111000")
    assert amounts["other"] == 0


@pytest.mark.parametrize(
    "population, financial_year, allowance",
    [
        (106_079, "2013/14", "2651975.00"),  # NHS Darlington CCG (00C)
        (69_801, "2013/14", "1745025.00"),  # NHS Corby CCG (03V)
        (106_079, "2014/15", "2623333.67"),
        (106_079, "2015/16", "2341163.53"),
    ],
)
def test_real_ccg_allowances(population, financial_year, allowance):
    inputs = parse_reckoner_request(
        {"population": population, "financial_year": financial_year}, PUBLISHED_ALLOWANCES
    )
    assert inputs.allowance_per_head == PUBLISHED_ALLOWANCES[financial_year]
    assert compute(inputs).running_cost_allowance == Decimal(allowance)


def test_in_house_roles_are_rounded_once_each_then_added_with_non_pay():
    inputs = parse_reckoner_request(
        {
            "population": 175_000,
            "allowance_per_head": "20.00",
            "in_house": [
                {"role": "Head of contracting", "wte": "2.5", "cost_per_wte": "45000.00"},
                {"role": "Analyst", "wte": 0.3, "cost_per_wte": "33333.33"},
            ],
            "non_pay": "20000",
        }, PUBLISHED_ALLOWANCES
    )
    assert [role.annual_cost for role in inputs.in_house] == [
        Decimal("112500.00"),
        Decimal("10000.00"),  # 9,999.999 to the penny
    ]
    result = compute(inputs)
    assert result.in_house_total == Decimal("142500.00")
    assert result.commissioning_support_budget == Decimal("1746500.00")
    assert result.commissioning_support_per_head == Decimal("9.98")


def test_too_small_to_afford_its_fixed_costs():
    result = compute(ReckonerInputs(population=50_000, allowance_per_head=Decimal("25.00")))
    assert result.commissioning_support_budget == Decimal("-361000.00")
    assert not result.is_affordable
    assert result.warning_codes == ("negative_headroom", "overheads_share")
    assert "£361,000.00" in result.warnings[0].message


def test_below_benchmark_with_default_thresholds():
    inputs = ReckonerInputs(
        population=175_000,
        allowance_per_head=Decimal("20"),
        in_house=(InHouseRole("Core team", Decimal("8"), Decimal("50000")),),
    )
    result = compute(inputs)
    assert result.commissioning_support_per_head == Decimal("8.51")
    assert result.warning_codes == ("below_benchmark", "overheads_share")
    assert "£8.51" in result.warnings[0].message


def test_benchmark_is_configurable():
    result = compute(WORKED_EXAMPLE, Thresholds(benchmark_per_head=Decimal("11")))
    assert result.warning_codes == ("below_benchmark",)
    assert "£11.00" in result.warnings[0].message


def test_overheads_share_is_configurable():
    result = compute(WORKED_EXAMPLE, Thresholds(overheads_share=Decimal("0.4")))
    assert result.warning_codes == ("overheads_share",)
    assert "46%" in result.warnings[0].message and "40%" in result.warnings[0].message


def test_admins_may_supply_their_own_allowances():
    inputs = parse_reckoner_request(
        {"population": 1000, "financial_year": "2016/17"}, {"2016/17": Decimal("21.50")}
    )
    assert compute(inputs).running_cost_allowance == Decimal("21500.00")


def test_fixed_costs_may_be_replaced_or_left_out():
    inputs = parse_reckoner_request(
        {"population": 1000, "financial_year": "2013/14", "fixed_costs": []}, PUBLISHED_ALLOWANCES
    )
    assert inputs.fixed_costs == ()
    inputs = parse_reckoner_request(
        {
            "population": 1000,
            "financial_year": "2013/14",
            "fixed_costs": [{"name": " Chair ", "amount": 5000}],
        }, PUBLISHED_ALLOWANCES
    )
    assert inputs.fixed_costs == (FixedCost("Chair", Decimal("5000")),)


VALID = {"population": 175_000, "financial_year": "2013/14"}


@pytest.mark.parametrize(
    "change, field",
    [
        ({"population": None}, "population"),
        ({"population": "175000"}, "population"),
        ({"population": 175000.0}, "population"),
        ({"population": True}, "population"),
        ({"population": 0}, "population"),
        ({"population": 10_000_001}, "population"),
        ({"financial_year": "2012/13"}, "financial_year"),
        ({"financial_year": 2013}, "financial_year"),
        ({"financial_year": None}, "financial_year"),
        ({"allowance_per_head": "20"}, "allowance_per_head"),  # with a year: both given
        ({"financial_year": None, "allowance_per_head": 20.0}, "allowance_per_head"),
        ({"financial_year": None, "allowance_per_head": "0"}, "allowance_per_head"),
        ({"financial_year": None, "allowance_per_head": "1000.01"}, "allowance_per_head"),
        ({"financial_year": None, "allowance_per_head": "twenty"}, "allowance_per_head"),
        ({"fixed_costs": {"chair": 1}}, "fixed_costs"),
        ({"fixed_costs": ["chair"]}, "fixed_costs[0]"),
        (
            {"fixed_costs": [{"name": "Chair", "amount": "1"}, {"name": "", "amount": "1"}]},
            "fixed_costs[1].name",
        ),
        (
            {"fixed_costs": [{"name": "Chair", "amount": "1"}, {"name": "AO", "amount": "-1"}]},
            "fixed_costs[1].amount",
        ),
        ({"fixed_costs": [{"name": "Chair", "amount": 95000.5}]}, "fixed_costs[0].amount"),
        ({"fixed_costs": [{"name": "Chair", "amount": "9.999"}]}, "fixed_costs[0].amount"),
        ({"fixed_costs": [{"name": "Chair", "amount": "1e12"}]}, "fixed_costs[0].amount"),
        ({"fixed_costs": [{"name": "Chair", "amount": "NaN"}]}, "fixed_costs[0].amount"),
        ({"fixed_costs": [{"name": "Chair"}]}, "fixed_costs[0].amount"),
        (
            {"in_house": [{"role": "Analyst", "wte": "-0.5", "cost_per_wte": "1"}]},
            "in_house[0].wte",
        ),
        (
            {"in_house": [{"role": "Analyst", "wte": 1000.5, "cost_per_wte": "1"}]},
            "in_house[0].wte",
        ),
        (
            {"in_house": [{"role": "Analyst", "wte": "half", "cost_per_wte": "1"}]},
            "in_house[0].wte",
        ),
        ({"in_house": [{"role": "Analyst", "wte": True, "cost_per_wte": "1"}]}, "in_house[0].wte"),
        (
            {"in_house": [{"role": "Analyst", "wte": 1, "cost_per_wte": "ten pounds"}]},
            "in_house[0].cost_per_wte",
        ),
        ({"in_house": [{"wte": 1, "cost_per_wte": "1"}]}, "in_house[0].role"),
        ({"non_pay": "-1"}, "non_pay"),
        ({"non_pay": 1.5}, "non_pay"),
        ({"practices": 24}, "practices"),
    ],
)
def test_each_bad_input_names_its_field(change, field):
    data = {**VALID, **change}
    with pytest.raises(ReckonerInputError) as raised:
        parse_reckoner_request(data, PUBLISHED_ALLOWANCES)
    assert raised.value.field == field
    assert raised.value.message


def test_a_request_must_be_an_object():
    with pytest.raises(ReckonerInputError) as raised:
        parse_reckoner_request([VALID], PUBLISHED_ALLOWANCES)
    assert raised.value.field == "request"


def test_money_as_a_float_asks_for_a_decimal_string():
    with pytest.raises(ReckonerInputError, match="decimal string"):
        parse_reckoner_request({**VALID, "non_pay": 2500.0}, PUBLISHED_ALLOWANCES)


def test_ints_and_decimal_strings_are_both_money():
    inputs = parse_reckoner_request({**VALID, "non_pay": 2500}, PUBLISHED_ALLOWANCES)
    typed = parse_reckoner_request({**VALID, "non_pay": "£2,500.00"}, PUBLISHED_ALLOWANCES)
    assert inputs.non_pay == typed.non_pay


@given(first=populations, second=populations, rate=per_head_rates)
def test_allowance_is_additive_over_population(first, second, rate):
    assert running_cost_allowance(first + second, rate) == running_cost_allowance(
        first, rate
    ) + running_cost_allowance(second, rate)


@given(population=populations, factor=st.integers(min_value=1, max_value=10), rate=per_head_rates)
def test_allowance_scales_linearly_with_population(population, factor, rate):
    assert running_cost_allowance(factor * population, rate) == factor * running_cost_allowance(
        population, rate
    )


@given(
    population=populations,
    rate=per_head_rates,
    fixed=st.lists(amounts, max_size=10),
    roles=st.lists(
        st.tuples(st.decimals(min_value=0, max_value=1000, places=3), amounts), max_size=10
    ),
    non_pay=amounts,
)
def test_totals_are_the_sum_of_their_lines(population, rate, fixed, roles, non_pay):
    inputs = ReckonerInputs(
        population=population,
        allowance_per_head=rate,
        fixed_costs=tuple(FixedCost(f"line {i}", amount) for i, amount in enumerate(fixed)),
        in_house=tuple(InHouseRole(f"role {i}", wte, cost) for i, (wte, cost) in enumerate(roles)),
        non_pay=non_pay,
    )
    result = compute(inputs)
    assert result.fixed_costs_total == sum(fixed, Decimal(0))
    assert result.in_house_total == sum((r.annual_cost for r in inputs.in_house), non_pay)
    assert result.commissioning_support_budget == (
        result.running_cost_allowance - result.fixed_costs_total - result.in_house_total
    )
    assert ("negative_headroom" in result.warning_codes) == (not result.is_affordable)


def test_an_empty_unknown_key_is_reported_against_the_request():
    import pytest

    from marketplace.domain.reckoner import ReckonerInputError, parse_reckoner_request

    with pytest.raises(ReckonerInputError) as caught:
        parse_reckoner_request({"population": 1000, "financial_year": "2013/14", "": 1},
                               PUBLISHED_ALLOWANCES)
    assert caught.value.field == "request"


@given(population=populations, rate=per_head_rates)
def test_the_headroom_alone_matches_compute_to_the_penny(population, rate):
    """A page of every CCG's headroom reads it without the warnings and, at the default
    structure, with its costs added up once: the same figure as compute's."""
    inputs = ReckonerInputs(population=population, allowance_per_head=rate)
    expected = compute(inputs).commissioning_support_budget
    assert commissioning_support_budget(inputs) == expected
    assert default_commissioning_support_budget(population, rate) == expected
