"""Worked numbers for the authorisation evidence: an agreement's cost in each financial year,
headroom against it, and the small-CCG viability warning (the reckoner's overheads guide)."""

from datetime import date
from decimal import Decimal

from marketplace.domain import authorisation as rules
from marketplace.domain.reckoner import DEFAULT_FIXED_COSTS, ReckonerInputs, compute

AUTUMN = rules.CostedAgreement("SLA-1", Decimal("120000.00"), date(2013, 10, 1), date(2015, 3, 31))


def test_a_financial_year_runs_april_to_march():
    assert rules.year_bounds("2014/15") == (date(2014, 4, 1), date(2015, 3, 31))


def test_an_agreement_costs_its_days_in_each_year():
    # 1 October 2013 to 31 March 2014 is 182 of 365 days: £120,000 × 182/365 = £59,835.62.
    assert rules.cost_in_year(AUTUMN, "2013/14") == Decimal("59835.62")
    assert rules.cost_in_year(AUTUMN, "2014/15") == Decimal("120000.00")
    assert rules.cost_in_year(AUTUMN, "2015/16") == Decimal("0")
    one_day = rules.CostedAgreement(
        "SLA-2", Decimal("365000"), date(2016, 3, 31), date(2016, 9, 30)
    )
    # 2015/16 has 366 days (29 February 2016): one of them costs £997.27.
    assert rules.cost_in_year(one_day, "2015/16") == Decimal("997.27")


def test_headroom_against_agreements_each_year_in_figures_and_words():
    headroom = {
        "2013/14": Decimal("100000.00"),
        "2014/15": Decimal("119999.99"),
        "2015/16": Decimal("0"),
    }
    years = rules.affordability(headroom, [AUTUMN])
    assert [(y.financial_year, y.agreement_costs, y.left, y.fits) for y in years] == [
        ("2013/14", Decimal("59835.62"), Decimal("40164.38"), True),
        ("2014/15", Decimal("120000.00"), Decimal("-0.01"), False),
        ("2015/16", Decimal("0"), Decimal("0"), True),
    ]
    assert years[1].words == "Does not fit: the agreements cost £0.01 more than the headroom"
    assert years[0].words == ("Fits: £40,164.38 of the headroom is left after the agreements")
    assert years[0].by_agreement == (("SLA-1", Decimal("59835.62")),)
    assert years[2].by_agreement == ()


def _years(population, allowances=("25.00", "24.73", "22.07")):
    return [
        (
            year,
            compute(
                ReckonerInputs(
                    population, Decimal(per_head), DEFAULT_FIXED_COSTS, financial_year=year
                )
            ),
        )
        for year, per_head in zip(("2013/14", "2014/15", "2015/16"), allowances, strict=True)
    ]


def test_a_small_ccg_is_warned_a_large_one_is_not():
    # Darlington, 106,079 people: the worked example's fixed costs of £1,611,000 take 61% of
    # its 2013/14 allowance of £2,651,975.00 (and more as the allowance falls).
    warning = rules.viability_warning(106_079, _years(106_079))
    assert warning.startswith(
        "Viability: with 106,079 people, fixed and in-house costs of £1,611,000.00 take 61% "
        "of the 2013/14 running cost allowance of £2,651,975.00 (the reckoner's guide is at "
        "most 50%) in 2013/14, 2014/15, 2015/16."
    )
    # Coventry and Rugby, 464,596 people: 14%. No warning.
    assert rules.viability_warning(464_596, _years(464_596)) is None


def test_near_the_guide_the_warning_turns_on_only_above_half():
    # £1,611,000 is exactly half of the allowance of 128,880 people at £25: not above it.
    assert rules.viability_warning(128_880, _years(128_880, ("25.00",) * 3)) is None
    # One person fewer and the costs are more than half.
    assert rules.viability_warning(128_879, _years(128_879, ("25.00",) * 3)) is not None
