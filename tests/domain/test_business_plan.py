from decimal import Decimal

import pytest

from marketplace.domain.business_plan import (
    Expenditure,
    FinancialModel,
    FinancialModelError,
)

YEARS = ("2013/14", "2014/15", "2015/16", "2016/17")
# A well-formed plan: growing income, a deficit in year 1 and surpluses after.
HEALTHY_INCOME = ("9000000", "9500000", "10000000", "10500000")
HEALTHY_SHARES = {"00C": "0.3", "00D": "0.3", "01A": "0.2", "board": "0.1", "other": "0.1"}
HEALTHY_EXPENDITURE = ("9200000", "9400000", "9700000", "10000000")
HEALTHY_WTE = ("100", "98", "95", "92.5")


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
