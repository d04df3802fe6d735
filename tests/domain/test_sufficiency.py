"""Whole-market sufficiency: worked numbers, then properties of the sums (hypothesis)."""

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from marketplace.domain.sufficiency import (
    Ccg,
    Intention,
    PlannedIncome,
    Specification,
    assess,
    concentration,
)

Y1, Y2 = "2013/14", "2014/15"
CCGS = [
    Ccg("05A", "NHS Coventry and Rugby CCG", "Midlands and East", "Arden", 464_596),
    Ccg("05H", "NHS Warwickshire North CCG", "Midlands and East", "Arden", 183_852),
    Ccg("00C", "NHS Darlington CCG", "North of England", "Durham", 105_000),
]
SPECS = [Specification("BI", "Business intelligence"), Specification("CM", "Contract management")]
HEADROOM = {
    "05A": {Y1: Decimal("10003900.00"), Y2: Decimal("9878459.08")},
    "05H": {Y1: Decimal("2985300.00"), Y2: Decimal("2935700.00")},
    "00C": {Y1: Decimal("1014000.00"), Y2: Decimal("985650.00")},
}


def income(provider, ccg, spec, year, amount):
    return PlannedIncome(provider, ccg, spec, year, Decimal(amount))


def worked():
    rows = [
        income("Arden CSS", "05A", "BI", Y1, "6000000.00"),
        income("Arden CSS", "05A", "CM", Y1, "2000000.00"),
        income("GEM CSS", "05A", "BI", Y1, "2003900.01"),  # 05A: a penny over in 2013/14
        income("Arden CSS", "05H", "BI", Y1, "2985300.00"),  # 05H: exactly at headroom
        income("North East CSS", "00C", "BI", Y1, "500000.00"),
        income("Arden CSS", None, "BI", Y1, "750000.00"),  # the Board: no CCG
        income("Arden CSS", "05A", None, Y1, "1.00"),  # a line that is no specification
    ]
    intentions = [
        Intention("05A", "BI", Decimal("7000000.00")),
        Intention("00C", "CM", Decimal("250000.00")),
    ]
    return assess(CCGS, SPECS, HEADROOM, rows, intentions, (Y1, Y2))


def test_per_ccg_planned_income_against_headroom_with_near_misses():
    year = worked().year(Y1)
    by_code = {row.ccg.key: row for row in year.ccgs}
    coventry = by_code["05A"]
    # 6,000,000 + 2,000,000 + 2,003,900.01 + 1.00 = 10,003,901.01 against 10,003,900.00.
    assert coventry.planned == Decimal("10003901.01")
    assert coventry.over_headroom == Decimal("1.01")
    assert not coventry.affordable
    assert coventry.suppliers == ("Arden CSS", "GEM CSS")
    assert coventry.intention == Decimal("7000000.00")
    assert coventry.beyond_intention == Decimal("3003901.01")
    assert by_code["05H"].over_headroom == 0 and by_code["05H"].affordable  # exactly at it
    assert [row.ccg.key for row in year.over] == ["05A"]
    assert "more than it can afford" in coventry.in_words


def test_rollups_by_region_and_cluster():
    year = worked().year(Y1)
    regions = {row.label: row for row in year.by_region}
    midlands = regions["Midlands and East"]
    assert midlands.ccgs == 2
    assert midlands.planned == Decimal("10003901.01") + Decimal("2985300.00")
    assert midlands.headroom == Decimal("12989200.00")
    assert midlands.gap == Decimal("-1.01")
    assert midlands.ccgs_over == 1
    clusters = {(row.region, row.label): row for row in year.by_cluster}
    assert clusters[("North of England", "Durham")].planned == Decimal("500000.00")
    # The Board's income counts for no CCG, and is kept as its own total.
    assert year.other_customers_income == Decimal("750000.00")
    assert year.unassigned_specification_income == Decimal("1.00")


def test_specifications_shares_and_unsupplied():
    year = worked().year(Y1)
    specs = {row.label: row for row in year.by_specification}
    bi = specs["Business intelligence"]
    # BI from CCGs: Arden 6,000,000 + 2,985,300 = 8,985,300; GEM 2,003,900.01;
    # North East 500,000; total 11,489,200.01.
    assert bi.planned == Decimal("11489200.01")
    assert [share.provider for share in bi.concentration.shares] == [
        "Arden CSS",
        "GEM CSS",
        "North East CSS",
    ]
    assert bi.concentration.shares[0].percent == Decimal("78.2")
    assert bi.concentration.band == "Highly concentrated"
    assert year.unsupplied == ()
    # In 2014/15 nobody plans anything: both are unsupplied, the one intended first.
    later = worked().year(Y2)
    assert [u.specification.key for u in later.unsupplied] == ["BI", "CM"]
    assert later.unsupplied[0].intention == Decimal("7000000.00")
    assert later.unsupplied[0].ccgs_intending == 1
    assert later.by_specification[0].concentration.band == "No supplier plans income"


def test_a_ccg_that_can_afford_nothing_is_over_only_when_income_is_planned():
    ccgs = [Ccg("03V", "NHS Corby CCG", "Midlands and East", "Northamptonshire", 69_801)]
    # 69,801 × £22.07 = £1,540,508.07, less £1,611,000 of fixed costs: −£70,491.93.
    headroom = {"03V": {"2015/16": Decimal("-70491.93")}}
    nothing = assess(ccgs, SPECS, headroom, [], [], ("2015/16",)).years[0]
    assert nothing.over == ()
    assert nothing.ccgs[0].in_words == "Its fixed costs alone exceed its running cost allowance"
    planned = [income("Arden CSS", "03V", "BI", "2015/16", "0.01")]
    some = assess(ccgs, SPECS, headroom, planned, [], ("2015/16",)).years[0]
    assert some.ccgs[0].over_headroom == Decimal("0.01")  # all of it: it can afford nothing


def test_hhi_worked_numbers_and_bands():
    assert concentration({"A": Decimal("1")}).hhi == 10000
    halves = concentration({"A": Decimal("50"), "B": Decimal("50")})
    assert halves.hhi == 5000 and halves.band == "Highly concentrated"
    # Four equal suppliers: 4 × 25² = 2,500, the top of "moderately concentrated".
    four = concentration({k: Decimal("1") for k in "ABCD"})
    assert four.hhi == 2500 and four.band == "Moderately concentrated"
    # Seven equal: 7 × (100/7)² = 1,428.57… → unconcentrated; 1,429 shown.
    seven = concentration({k: Decimal("1") for k in "ABCDEFG"})
    assert seven.band == "Unconcentrated" and seven.hhi_shown == 1429
    assert concentration({"A": Decimal("0")}).shares == ()


money = st.decimals(min_value=0, max_value=10_000_000, places=2, allow_nan=False)
codes = st.sampled_from(["05A", "05H", "00C", None, "XXX"])
incomes = st.lists(
    st.builds(
        PlannedIncome,
        st.sampled_from(["Arden CSS", "GEM CSS", "North East CSS", "Indie Ltd"]),
        codes,
        st.sampled_from(["BI", "CM", None]),
        st.sampled_from([Y1, Y2]),
        money,
    ),
    max_size=40,
)
intentions_strategy = st.lists(
    st.builds(
        Intention, st.sampled_from(["05A", "05H", "00C"]), st.sampled_from(["BI", "CM"]), money
    ),
    max_size=10,
)


@settings(max_examples=150, deadline=None)
@given(incomes, intentions_strategy)
def test_the_sums_add_up(rows, intentions):
    result = assess(CCGS, SPECS, HEADROOM, rows, intentions, (Y1, Y2))
    for year in result.years:
        in_year = [row for row in rows if row.financial_year == year.financial_year]
        # Nothing planned is lost: CCGs plus other customers is everything.
        assert year.planned_from_ccgs + year.other_customers_income == sum(
            (row.amount for row in in_year), Decimal(0)
        )
        # Regions and clusters each add up to the sum over CCGs.
        for rollups in (year.by_region, year.by_cluster):
            assert sum(r.planned for r in rollups) == year.planned_from_ccgs
            assert sum(r.headroom for r in rollups) == year.headroom
            assert sum(r.intention for r in rollups) == year.intention
            assert sum(r.ccgs for r in rollups) == len(CCGS)
            assert sum(r.ccgs_over for r in rollups) == len(year.over)
        # Specifications plus lines that are none add up to the CCGs' total.
        assert (
            sum(r.planned for r in year.by_specification) + year.unassigned_specification_income
            == year.planned_from_ccgs
        )
        for rollup in (*year.by_region, *year.by_cluster, *year.by_specification):
            hhi = rollup.concentration.hhi
            assert 0 <= hhi <= 10000
            shares = rollup.concentration.shares
            if shares:
                assert abs(sum(s.share for s in shares) - 1) < Decimal("1e-20")
                assert hhi >= Decimal(10000) / len(shares) - Decimal("1e-15")
            assert rollup.concentration.total == rollup.planned
        for position in year.ccgs:
            assert position.over_headroom >= 0
            assert position.affordable == (position.planned <= max(position.headroom, 0))
        # Unsupplied specifications are exactly those with no planned income.
        assert {u.specification.name for u in year.unsupplied} == {
            r.label for r in year.by_specification if r.planned == 0
        }
