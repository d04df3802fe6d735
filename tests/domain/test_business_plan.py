from decimal import Decimal

import pytest

from marketplace.domain.business_plan import (
    AnalysisSettings,
    Commitment,
    Expenditure,
    FinancialModel,
    FinancialModelError,
    FlagCode,
    Severity,
    analyse,
)

YEARS = ("2013/14", "2014/15", "2015/16", "2016/17")
POPULATION = 1_000_000
# A plan with nothing wrong in it: growing income, £9–£10.50 a head, break-even in year 2.
HEALTHY_INCOME = ("9000000", "9500000", "10000000", "10500000")
HEALTHY_SHARES = {"00C": "0.3", "00D": "0.3", "01A": "0.2", "board": "0.1", "other": "0.1"}
HEALTHY_EXPENDITURE = ("9200000", "9400000", "9700000", "10000000")
HEALTHY_WTE = ("100", "98", "95", "92.5")
HEALTHY_COMMITMENTS = {
    "00C": Commitment(Decimal("3000000"), True),
    "00D": Commitment(Decimal("3000000"), True),
    "01A": Commitment(Decimal("2000000"), True),
}


def make_model(
    income=HEALTHY_INCOME,
    shares=HEALTHY_SHARES,
    expenditure=HEALTHY_EXPENDITURE,
    wte=HEALTHY_WTE,
    years=YEARS,
):
    by_customer = {
        year: {customer: Decimal(total) * Decimal(share) for customer, share in shares.items()}
        for year, total in zip(years, income, strict=False)
    }
    by_line = {
        year: {"business_intelligence": Decimal(total) / 2, "procurement": Decimal(total) / 2}
        for year, total in zip(years, income, strict=False)
    }
    # Expenditure split 70% pay, 20% non-pay, 10% overheads.
    spend = {
        year: Expenditure(
            Decimal(total) * Decimal("0.7"),
            Decimal(total) * Decimal("0.2"),
            Decimal(total) * Decimal("0.1"),
        )
        for year, total in zip(years, expenditure, strict=False)
    }
    return FinancialModel(
        years,
        by_customer,
        by_line,
        spend,
        {y: Decimal(w) for y, w in zip(years, wte, strict=False)},
    )


def run(model=None, population=POPULATION, commitments=HEALTHY_COMMITMENTS, **settings):
    return analyse(
        model or make_model(),
        population_served=population,
        ccg_commitments=commitments,
        settings=AnalysisSettings(**settings),
    )


def flag(analysis, code):
    matches = [f for f in analysis.flags if f.code is code]
    assert len(matches) == 1, analysis.flags
    return matches[0]


# --- Computed series ------------------------------------------------------------------


def test_healthy_plan_raises_no_flags():
    assert run().flags == ()


def test_surplus_each_year_and_break_even_year():
    analysis = run()
    assert [row.surplus for row in analysis.years] == [
        Decimal("-200000"),
        Decimal("100000"),
        Decimal("300000"),
        Decimal("500000"),
    ]
    assert analysis.break_even_year == "2014/15"


def test_break_even_when_income_equals_expenditure():
    # 2014/15: income £9.5m, expenditure £9.5m; break-even means income >= expenditure.
    analysis = run(make_model(expenditure=("9500000", "9500000", "10000000", "10000000")))
    assert analysis.years[1].surplus == 0
    assert analysis.break_even_year == "2014/15"


def test_never_breaks_even():
    analysis = run(make_model(expenditure=("9500000", "9600000", "10100000", "10600000")))
    assert analysis.break_even_year is None
    assert FlagCode.DEFICIT_FINAL_YEAR in analysis.flag_codes()


def test_income_growth_to_one_decimal_place():
    # 9.5m / 9m = +5.555...% -> 5.6; 10m / 9.5m = +5.263% -> 5.3; 10.5m / 10m = +5.0
    assert [row.growth_percent for row in run().years] == [
        None,
        Decimal("5.6"),
        Decimal("5.3"),
        Decimal("5.0"),
    ]


def test_falling_income_is_negative_growth():
    analysis = run(make_model(income=("10000000", "9000000", "9000000", "9500000")))
    assert analysis.years[1].growth_percent == Decimal("-10.0")


def test_no_growth_figure_after_a_year_with_no_income():
    analysis = run(make_model(income=("0", "9000000", "9500000", "10000000")))
    assert analysis.years[1].growth_percent is None


# --- Flags ----------------------------------------------------------------------------


def test_income_flat_for_four_years():
    analysis = run(make_model(income=("10000000",) * 4, expenditure=("9000000",) * 4))
    found = flag(analysis, FlagCode.INCOME_FLAT)
    assert found.figures == {year: "£10,000,000.00" for year in YEARS}


def test_workforce_unchanged():
    found = flag(run(make_model(wte=("120.5",) * 4)), FlagCode.WORKFORCE_UNCHANGED)
    assert found.figures["2016/17"] == "120.5 WTE"


def test_deficit_in_final_year():
    found = flag(
        run(make_model(expenditure=("8000000", "9000000", "9000000", "10750000"))),
        FlagCode.DEFICIT_FINAL_YEAR,
    )
    assert found.severity is Severity.HIGH
    assert found.figures == {
        "year": "2016/17",
        "income": "£10,500,000.00",
        "expenditure": "£10,750,000.00",
        "deficit": "£250,000.00",
    }


def test_income_per_head_below_range():
    # £7,500,000 for 1,000,000 people is £7.50 a head, under the £8 seen in South London.
    model = make_model(
        income=("7500000", "7800000", "8000000", "8200000"), expenditure=("7000000",) * 4
    )
    analysis = run(model, commitments={})
    found = flag(analysis, FlagCode.INCOME_PER_HEAD_BELOW_RANGE)
    assert found.figures["income_per_head[2013/14]"] == "£7.50"
    assert found.figures["income_per_head[2014/15]"] == "£7.80"
    # £8.00 exactly is inside the range.
    assert "income_per_head[2015/16]" not in found.figures
    assert found.figures["population_served"] == "1,000,000"
    assert found.figures["range"] == "£8.00 to £12.00 per head"


def test_income_per_head_above_range():
    analysis = run(population=800_000)  # 10.5m / 800,000 = £13.125 -> £13.13 in 2016/17
    found = flag(analysis, FlagCode.INCOME_PER_HEAD_ABOVE_RANGE)
    assert found.figures["income_per_head[2016/17]"] == "£13.13"
    assert "income_per_head[2013/14]" not in found.figures  # 9m / 800,000 = £11.25
    assert analysis.years[0].income_per_head == Decimal("11.25")


def test_customer_concentration():
    shares = {"00C": "0.45", "00D": "0.25", "01A": "0.1", "board": "0.1", "other": "0.1"}
    analysis = run(
        make_model(shares=shares),
        commitments={
            "00C": Commitment(Decimal("4800000"), True),
            **{k: HEALTHY_COMMITMENTS[k] for k in ("00D", "01A")},
        },
    )
    found = flag(analysis, FlagCode.CUSTOMER_CONCENTRATION)
    assert analysis.largest_customer == "00C"
    assert analysis.largest_customer_share_percent == Decimal("45.0")
    assert found.figures["share"] == "45.0%"
    assert found.figures["total_income"] == "£39,000,000.00"
    assert found.figures["customer_income"] == "£17,550,000.00"


def test_concentration_threshold_is_configurable():
    assert run(concentration_percent=Decimal("25")).largest_customer_share_percent == Decimal(
        "30.0"
    )
    assert FlagCode.CUSTOMER_CONCENTRATION in run(concentration_percent=Decimal("25")).flag_codes()


def test_other_is_never_the_concentrated_customer():
    shares = {"00C": "0.3", "other": "0.7"}
    analysis = run(
        make_model(shares=shares), commitments={"00C": Commitment(Decimal("3200000"), True)}
    )
    assert analysis.largest_customer == "00C"
    assert FlagCode.CUSTOMER_CONCENTRATION not in analysis.flag_codes()


def test_income_with_nothing_behind_it():
    commitments = dict(HEALTHY_COMMITMENTS) | {"01A": Commitment(Decimal("0"), False)}
    found = flag(run(commitments=commitments), FlagCode.INCOME_WITHOUT_COMMITMENT)
    assert found.severity is Severity.HIGH
    assert found.figures["ccg"] == "01A"
    assert found.figures["intends_to_buy"] == "no"
    assert found.figures["planned[2013/14]"] == "£1,800,000.00"


def test_income_from_a_ccg_with_no_record_at_all():
    commitments = {k: v for k, v in HEALTHY_COMMITMENTS.items() if k != "00D"}
    assert (
        flag(run(commitments=commitments), FlagCode.INCOME_WITHOUT_COMMITMENT).figures["ccg"]
        == "00D"
    )


def test_intention_without_agreement_is_not_nothing():
    commitments = dict(HEALTHY_COMMITMENTS) | {"01A": Commitment(Decimal("0"), True)}
    assert run(commitments=commitments).flags == ()


def test_planned_income_above_agreement_by_more_than_margin():
    # 00C plans 30% of income: £2.7m, £2.85m, £3.0m, £3.15m against £2.7m agreed;
    # a 10% margin allows up to £2.97m.
    commitments = dict(HEALTHY_COMMITMENTS) | {"00C": Commitment(Decimal("2700000"), True)}
    found = flag(run(commitments=commitments), FlagCode.INCOME_EXCEEDS_AGREEMENT)
    assert found.figures["ccg"] == "00C"
    assert found.figures["agreed_annual_value"] == "£2,700,000.00"
    assert set(k for k in found.figures if k.startswith("planned")) == {
        "planned[2015/16]",
        "planned[2016/17]",
    }
    assert found.figures["planned[2016/17]"] == "£3,150,000.00"


def test_agreement_margin_is_configurable():
    commitments = dict(HEALTHY_COMMITMENTS) | {"00C": Commitment(Decimal("2700000"), True)}
    assert (
        FlagCode.INCOME_EXCEEDS_AGREEMENT
        not in run(commitments=commitments, agreement_margin_percent=Decimal("20")).flag_codes()
    )


def test_every_flag_carries_figures_as_strings():
    model = make_model(income=("7000000",) * 4, expenditure=("7500000",) * 4, wte=("80",) * 4)
    analysis = run(model, commitments={})
    assert {f.code for f in analysis.flags} == {
        FlagCode.INCOME_FLAT,
        FlagCode.WORKFORCE_UNCHANGED,
        FlagCode.DEFICIT_FINAL_YEAR,
        FlagCode.INCOME_PER_HEAD_BELOW_RANGE,
        FlagCode.INCOME_WITHOUT_COMMITMENT,
    }
    for found in analysis.flags:
        assert found.message and found.figures
        assert all(isinstance(value, str) for value in found.figures.values())


def test_population_must_be_positive():
    with pytest.raises(FinancialModelError) as error:
        run(population=0)
    assert error.value.field == "population_served"


# --- Validation -----------------------------------------------------------------------


def test_amounts_are_read_as_decimal():
    model = make_model()
    assert all(
        isinstance(v, Decimal) for year in YEARS for v in model.income_by_customer[year].values()
    )


@pytest.mark.parametrize(
    "years",
    [
        YEARS[:3],
        ("2013/14", "2014/15", "2016/17", "2017/18"),
        ("2014/15", "2013/14", "2015/16", "2016/17"),
        ("2013", "2014", "2015", "2016"),
    ],
)
def test_years_must_be_four_consecutive_financial_years(years):
    with pytest.raises(FinancialModelError) as error:
        make_model(years=years)
    assert error.value.field == "years"


def test_customer_and_service_line_totals_must_agree():
    model = make_model()
    lines = {year: dict(model.income_by_service_line[year]) for year in YEARS}
    lines["2014/15"]["procurement"] += 1
    with pytest.raises(FinancialModelError) as error:
        FinancialModel(YEARS, model.income_by_customer, lines, model.expenditure, model.wte)
    assert error.value.field == "income_by_service_line[2014/15]"
    assert "£9,500,001.00" in error.value.message


def test_negative_income_names_the_field():
    model = make_model()
    customers = {year: dict(model.income_by_customer[year]) for year in YEARS}
    customers["2014/15"]["00C"] = Decimal("-1")
    with pytest.raises(FinancialModelError) as error:
        FinancialModel(YEARS, customers, model.income_by_service_line, model.expenditure, model.wte)
    assert error.value.field == "income_by_customer[2014/15][00C]"
    # Totals are compared only once every figure reads cleanly, so one mistake gives one error.
    assert [e.field for e in error.value.errors] == ["income_by_customer[2014/15][00C]"]


def test_floats_are_refused_with_the_field_named():
    model = make_model()
    wte = dict(model.wte) | {"2015/16": 95.5}
    with pytest.raises(FinancialModelError) as error:
        FinancialModel(
            YEARS, model.income_by_customer, model.income_by_service_line, model.expenditure, wte
        )
    assert error.value.field == "wte[2015/16]"


def test_negative_expenditure_and_missing_year():
    model = make_model()
    spend = dict(model.expenditure) | {"2013/14": {"pay": "1", "non_pay": "-5", "overheads": "0"}}
    wte = {year: model.wte[year] for year in YEARS[:3]}
    with pytest.raises(FinancialModelError) as error:
        FinancialModel(YEARS, model.income_by_customer, model.income_by_service_line, spend, wte)
    assert [e.field for e in error.value.errors] == [
        "expenditure[2013/14][non_pay]",
        "wte[2016/17]",
    ]


def test_customer_must_be_an_ods_code_board_or_other():
    model = make_model()
    customers = {year: dict(model.income_by_customer[year]) for year in YEARS}
    customers["2013/14"]["Darlington"] = customers["2013/14"].pop("00C")
    with pytest.raises(FinancialModelError) as error:
        FinancialModel(YEARS, customers, model.income_by_service_line, model.expenditure, model.wte)
    assert error.value.field == "income_by_customer[2013/14][Darlington]"
