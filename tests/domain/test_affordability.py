"""The affordability gate, with worked numbers and the near misses either side of headroom."""

from datetime import date
from decimal import Decimal

from marketplace.domain.affordability import (
    Commitment,
    assess,
    cost_in_year,
    year_bounds,
)

# NHS Coventry and Rugby CCG: 464,596 registered people. Its running cost allowance is
# 464,596 × £25.00 = £11,614,900.00 in 2013/14, × £24.73 = £11,489,459.08 in 2014/15 and
# × £22.07 = £10,253,633.72 in 2015/16; less the default £1,611,000 of fixed costs, the
# reckoner leaves these for commissioning support:
HEADROOM = {
    "2013/14": Decimal("10003900.00"),
    "2014/15": Decimal("9878459.08"),
    "2015/16": Decimal("8642633.72"),
}
THREE_YEARS = (date(2013, 4, 1), date(2016, 3, 31))


def flat(
    value: str, start=THREE_YEARS[0], end=THREE_YEARS[1], reference="SLA-05A-001", subject=False
) -> Commitment:
    return Commitment(reference, "Arden CSS", start, end, Decimal(value), subject)


def test_year_bounds_run_april_to_march():
    assert year_bounds("2013/14") == (date(2013, 4, 1), date(2014, 3, 31))
    assert year_bounds("2015/16") == (date(2015, 4, 1), date(2016, 3, 31))


def test_flat_agreement_fits_until_the_allowance_falls_in_2015_16():
    # £9,000,000 a year every year: 2013/14 leaves £1,003,900.00, 2014/15 £878,459.08, and in
    # 2015/16 £9,000,000 − £8,642,633.72 = £357,366.28 too much.
    result = assess([flat("9000000.00")], HEADROOM)
    years = {year.financial_year: year for year in result.years}
    assert years["2013/14"].left == Decimal("1003900.00")
    assert years["2014/15"].left == Decimal("878459.08")
    assert years["2015/16"].left == Decimal("-357366.28")
    assert [year.fits for year in result.years] == [True, True, False]
    assert not result.fits
    assert result.warning.startswith("Your CCG's agreements cost more than")
    assert "in 2015/16 by £357,366.28" in result.warning
    assert "Does not fit" in years["2015/16"].in_words
    assert "£357,366.28 more than the £8,642,633.72" in years["2015/16"].in_words


def test_part_years_are_costed_by_days():
    # 1 April 2013 to 30 September 2014 (the 18-month limit) at £1,200,000 a year:
    # all of 2013/14, then 183 of 2014/15's 365 days: 1,200,000 × 183 / 365 = 601,643.835…
    # → £601,643.84; nothing in 2015/16.
    item = flat("1200000.00", end=date(2014, 9, 30))
    assert cost_in_year(item.annual_value, item.start_date, item.end_date, "2013/14") == Decimal(
        "1200000.00"
    )
    assert cost_in_year(item.annual_value, item.start_date, item.end_date, "2014/15") == Decimal(
        "601643.84"
    )
    assert cost_in_year(item.annual_value, item.start_date, item.end_date, "2015/16") == Decimal(
        "0.00"
    )


def test_leap_year_2015_16_has_366_days():
    # 1 April to 30 September 2015 is 183 of 366 days: exactly half of £9,000,000.
    assert cost_in_year(
        Decimal("9000000"), date(2015, 4, 1), date(2015, 9, 30), "2015/16"
    ) == Decimal("4500000.00")


def test_each_cost_is_rounded_half_up_once():
    # £1.83 a year for one day of 366 is £0.005 exactly: half-up gives £0.01 (not £0.00).
    assert cost_in_year(Decimal("1.83"), date(2015, 4, 1), date(2015, 4, 1), "2015/16") == Decimal(
        "0.01"
    )


def test_exactly_at_headroom_fits():
    headroom = {"2013/14": Decimal("600000.00")}
    result = assess([flat("400000.00", reference="A"), flat("200000.00", reference="B")], headroom)
    (year,) = result.years
    assert year.committed == Decimal("600000.00")
    assert year.left == Decimal("0.00")
    assert year.fits and result.fits and result.warning is None
    assert year.in_words.startswith("Fits:")


def test_a_penny_over_headroom_does_not_fit():
    headroom = {"2013/14": Decimal("600000.00")}
    result = assess([flat("400000.00", reference="A"), flat("200000.01", reference="B")], headroom)
    (year,) = result.years
    assert year.left == Decimal("-0.01")
    assert not year.fits and not result.fits
    assert "in 2013/14 by £0.01" in result.warning


def test_a_penny_under_headroom_fits():
    result = assess([flat("599999.99")], {"2013/14": Decimal("600000.00")})
    assert result.years[0].left == Decimal("0.01") and result.fits


def test_several_years_over_are_listed_in_words():
    headroom = {"2013/14": Decimal("100"), "2014/15": Decimal("90"), "2015/16": Decimal("80")}
    result = assess([flat("95.00")], headroom)
    assert [year.financial_year for year in result.years_over] == ["2014/15", "2015/16"]
    assert "in 2014/15 by £5.00 and in 2015/16 by £15.00" in result.warning


def test_years_without_headroom_are_left_out_and_record_is_plain():
    result = assess([flat("10.00")], {"2014/15": Decimal("20")})
    assert [year.financial_year for year in result.years] == ["2014/15"]
    assert result.as_record() == {
        "2014/15": {"headroom": "20", "committed": "10.00", "left": "10.00"}
    }


def test_no_agreements_costs_nothing():
    result = assess([], HEADROOM)
    assert all(year.committed == 0 for year in result.years)
    assert result.fits
