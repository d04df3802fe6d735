from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from marketplace.domain.pricing import (
    PRICE_BANDS,
    PricingError,
    annual_cost,
    band_starts,
    cost_per_head,
    offer_term_errors,
    price_band,
    price_units,
    validate_offer_terms,
)

DARLINGTON = 106_079
CORBY = 69_801

pennies = st.integers(min_value=0, max_value=100_000).map(lambda p: Decimal(p) / 100)
populations = st.integers(min_value=1, max_value=5_000_000)


@pytest.mark.parametrize(
    "model, amount, population, quantity, annual",
    [
        ("per_head", "9.50", DARLINGTON, None, "1007750.50"),
        ("per_head", Decimal("0.725"), CORBY, None, "50605.73"),  # half a penny rounds up
        ("fixed_annual", "120000", DARLINGTON, None, "120000.00"),
        ("fixed_annual", 75_000, CORBY, None, "75000.00"),
        ("day_rate", "650.00", DARLINGTON, 40, "26000.00"),
        ("day_rate", "650.00", DARLINGTON, 12.5, "8125.00"),
        ("per_case", "85.50", CORBY, "1250", "106875.00"),
        ("per_case", "£1,200", CORBY, Decimal("3"), "3600.00"),
    ],
)
def test_annual_cost_for_every_model(model, amount, population, quantity, annual):
    assert annual_cost(model, amount, population, quantity) == Decimal(annual)


@pytest.mark.parametrize(
    "model, amount, population, quantity, per_head",
    [
        ("per_head", "9.50", DARLINGTON, None, "9.50"),
        ("fixed_annual", "120000", DARLINGTON, None, "1.13"),
        ("day_rate", "650", CORBY, 40, "0.37"),
        ("per_case", "85.50", CORBY, 1250, "1.53"),
    ],
)
def test_cost_per_head_for_every_model(model, amount, population, quantity, per_head):
    assert cost_per_head(model, amount, population, quantity) == Decimal(per_head)


@pytest.mark.parametrize(
    "model, amount, population, quantity, field",
    [
        ("retainer", "100", DARLINGTON, None, "pricing_model"),
        ("per_head", "-0.01", DARLINGTON, None, "amount"),
        ("per_head", 9.5, DARLINGTON, None, "amount"),
        ("per_head", "nine pounds", DARLINGTON, None, "amount"),
        ("per_head", True, DARLINGTON, None, "amount"),
        ("per_head", "9.50", 0, None, "population"),
        ("per_head", "9.50", 1000.0, None, "population"),
        ("per_head", "9.50", True, None, "population"),
        ("day_rate", "650", DARLINGTON, None, "estimated_quantity"),
        ("day_rate", "650", DARLINGTON, "forty", "estimated_quantity"),
        ("day_rate", "650", DARLINGTON, True, "estimated_quantity"),
        ("per_case", "85", DARLINGTON, 0, "estimated_quantity"),
        ("per_case", "85", DARLINGTON, -5, "estimated_quantity"),
    ],
)
def test_annual_cost_rejects_bad_input(model, amount, population, quantity, field):
    with pytest.raises(PricingError) as raised:
        annual_cost(model, amount, population, quantity)
    assert raised.value.field == field
    assert raised.value.message


def test_money_given_as_float_asks_for_a_decimal_string():
    with pytest.raises(PricingError, match="decimal string"):
        annual_cost("fixed_annual", 1500.0, DARLINGTON)


@pytest.mark.parametrize(
    "model, amount, quantity, term",
    [
        ("per_head", "1000", None, 120),
        ("per_head", "12", None, 0),
        ("fixed_annual", "50000000", None, None),
        ("day_rate", "1000", 50_000, 36),
        ("per_case", "85.50", 1250, 24),
    ],
)
def test_offer_terms_at_the_limits_are_accepted(model, amount, quantity, term):
    validate_offer_terms(model, amount, quantity, term)
    assert offer_term_errors(model, amount, quantity, term) == []


@pytest.mark.parametrize(
    "model, amount, quantity, term, population, field, words",
    [
        ("per_head", "-1", None, 12, None, "amount", "negative"),
        ("per_head", "1000.01", None, 12, None, "amount", "per head"),
        ("fixed_annual", "50000000.01", None, 12, None, "amount", "limit"),
        ("day_rate", "2000", 30_000, 12, None, "amount", "limit"),
        ("per_case", "100", 500_001, 12, None, "amount", "limit"),
        ("per_head", "900", None, 12, 60_000, "amount", "limit"),
        ("fixed_annual", "5000000", None, 12, 1000, "amount", "per head"),
        ("per_head", "9", None, 121, None, "minimum_term_months", "120"),
        ("per_head", "9", None, -1, None, "minimum_term_months", "months"),
        ("per_head", "9", None, 12.0, None, "minimum_term_months", "months"),
        ("per_head", "9", None, True, None, "minimum_term_months", "months"),
        ("day_rate", "650", None, 12, None, "estimated_quantity", "days"),
        ("per_case", "85", "lots", 12, None, "estimated_quantity", "cases"),
        ("hourly", "85", None, 12, None, "pricing_model", "pricing model"),
        ("per_head", "9", None, 12, 0, "population", "population"),
    ],
)
def test_every_offer_term_error(model, amount, quantity, term, population, field, words):
    with pytest.raises(PricingError) as raised:
        validate_offer_terms(model, amount, quantity, term, population=population)
    assert raised.value.field == field
    assert words in raised.value.message


def test_offer_term_errors_lists_each_problem_for_the_form():
    errors = offer_term_errors("day_rate", "-5", None, 200)
    assert [error.field for error in errors] == [
        "amount",
        "estimated_quantity",
        "minimum_term_months",
    ]


@pytest.mark.parametrize(
    "per_head, band",
    [
        ("0", "under-1"),
        ("0.99", "under-1"),
        ("1", "1-to-5"),
        ("4.99", "1-to-5"),
        ("5.00", "5-to-9"),
        ("8.99", "5-to-9"),
        ("9", "9-to-12"),
        ("11.99", "9-to-12"),
        ("12", "12-and-over"),
        ("1000", "12-and-over"),
    ],
)
def test_price_band(per_head, band):
    assert price_band(Decimal(per_head)) == band


def test_price_band_rejects_a_negative_price():
    with pytest.raises(PricingError):
        price_band(Decimal("-0.01"))


def test_price_bands_cover_every_price_without_gaps():
    assert PRICE_BANDS[0].lower == 0 and PRICE_BANDS[-1].upper is None
    for lower, upper in zip(PRICE_BANDS, PRICE_BANDS[1:], strict=False):
        assert lower.upper == upper.lower


@given(price=pennies, first=populations, second=populations)
def test_per_head_annual_cost_adds_up_over_populations(price, first, second):
    combined = annual_cost("per_head", price, first + second)
    assert combined == annual_cost("per_head", price, first) + annual_cost(
        "per_head", price, second
    )


@given(price=pennies, population=populations)
def test_a_per_head_price_is_its_own_cost_per_head(price, population):
    assert cost_per_head("per_head", price, population) == price


@given(price=pennies)
def test_every_price_falls_in_the_band_whose_bounds_hold_it(price):
    band = next(band for band in PRICE_BANDS if band.key == price_band(price))
    assert band.lower <= price and (band.upper is None or price < band.upper)


@given(
    model=st.sampled_from(["fixed_annual", "day_rate", "per_case"]),
    pence=st.integers(min_value=0, max_value=5_000_000_000),
    population=populations,
)
def test_annual_band_floors_band_exactly_as_cost_per_head(model, pence, population):
    from marketplace.domain.pricing import annual_band_floors

    annual = Decimal(pence) / 100
    floors = annual_band_floors(population)
    by_floor = [band.key for band in PRICE_BANDS if annual >= floors[band.key]][-1]
    quantity = None if model == "fixed_annual" else 1
    assert by_floor == price_band(cost_per_head(model, annual, population, quantity))


@pytest.mark.parametrize(
    "model, amount, quantity, population, band",
    [
        ("per_head", "0.99", None, CORBY, "under-1"),
        ("per_head", "1.00", None, CORBY, "1-to-5"),
        ("per_head", "12.00", None, CORBY, "12-and-over"),
        # £0.995 a head rounds up to £1.00: the band boundary falls half a penny early.
        ("fixed_annual", "69451.99", None, CORBY, "under-1"),
        ("fixed_annual", "69452.00", None, CORBY, "1-to-5"),
        ("day_rate", "650", 1000, CORBY, "9-to-12"),
        ("per_case", "300", 2000, CORBY, "5-to-9"),
    ],
)
def test_price_band_of_every_model(model, amount, quantity, population, band):
    assert price_band(cost_per_head(model, amount, population, quantity)) == band


# Banding by whole PRICE_UNITs against each band's least price, as search does in SQL.


@given(
    st.sampled_from(["per_head", "fixed_annual"]),
    st.decimals(min_value=0, max_value=5_000_000, places=2),
    st.integers(min_value=1, max_value=2_000_000),
)
def test_band_starts_band_a_price_as_cost_per_head_does(model, price, population):
    starts = band_starts(population)[model == "per_head"]
    index = sum(1 for start in starts if start <= price_units(price))
    assert PRICE_BANDS[index].key == price_band(cost_per_head(model, price, population))


def test_band_starts_are_each_bands_least_price():
    # Per head, each band's lower bound; a year at 200,000 people, (lower - £0.005) × 200,000.
    assert band_starts(200_000) == {
        True: [price_units(1), price_units(5), price_units(9), price_units(12)],
        False: [price_units(199_000), price_units(999_000), price_units(1_799_000),
                price_units(2_399_000)],
    }
