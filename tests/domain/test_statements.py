"""Statement rules with worked figures: the Arden cluster's three CCGs (2012 registered lists:
Coventry and Rugby 464,596; Warwickshire North 183,852; South Warwickshire 271,809)."""

from decimal import Decimal

import pytest

from marketplace.domain.statements import (
    AGREED_SHARES,
    POPULATION,
    Party,
    StatementInputError,
    check_agreed_shares,
    parse_budget,
    parse_population,
    parse_quantity,
    parse_service_levels,
    parse_share,
    population_percentages,
    split_between,
)

ARDEN = [Party("05A", 464_596), Party("05H", 183_852), Party("05R", 271_809)]


def shares(*percentages):
    return [Party(p.key, p.population, Decimal(s)) for p, s in zip(ARDEN, percentages,
                                                                     strict=True)]


def test_population_split_of_250_000_pounds():
    # 250,000 × 464,596 / 920,257 = 126,213.6606…; 49,945.8258…; 73,840.5140…
    # Floors leave one penny, which goes to the largest remainder (.58, Warwickshire North).
    split = split_between(Decimal("250000"), ARDEN, POPULATION)
    assert split == {"05A": Decimal("126213.66"), "05H": Decimal("49945.83"),
                     "05R": Decimal("73840.51")}
    assert sum(split.values()) == Decimal("250000.00")


def test_population_split_adds_up_to_an_odd_penny_total():
    split = split_between(Decimal("100000.01"), ARDEN, POPULATION)
    assert split == {"05A": Decimal("50485.47"), "05H": Decimal("19978.33"),
                     "05R": Decimal("29536.21")}
    assert sum(split.values()) == Decimal("100000.01")


def test_agreed_shares_split_a_thirds_budget_to_the_penny():
    split = split_between(Decimal("100000"), shares("33.33", "33.33", "33.34"), AGREED_SHARES)
    assert split == {"05A": Decimal("33330.00"), "05H": Decimal("33330.00"),
                     "05R": Decimal("33340.00")}


def test_two_pennies_in_thirds_go_to_the_largest_share_then_by_code():
    split = split_between(Decimal("0.02"), shares("33.33", "33.33", "33.34"), AGREED_SHARES)
    assert split == {"05A": Decimal("0.01"), "05H": Decimal("0.00"), "05R": Decimal("0.01")}


def test_a_share_of_nought_pays_nothing():
    split = split_between(Decimal("999.99"), shares("60", "40", "0"), AGREED_SHARES)
    assert split == {"05A": Decimal("599.99"), "05H": Decimal("400.00"), "05R": Decimal("0.00")}


@pytest.mark.parametrize("percentages, total", [
    (("33.33", "33.33", "33.33"), "99.99"),   # one hundredth short
    (("33.34", "33.33", "33.34"), "100.01"),  # one hundredth over
])
def test_shares_must_total_exactly_100(percentages, total):
    with pytest.raises(StatementInputError) as refused:
        split_between(Decimal("1000"), shares(*percentages), AGREED_SHARES)
    assert refused.value.field == "shares"
    assert f"add up to {total}%" in refused.value.message


def test_shares_with_a_thousandth_are_refused():
    with pytest.raises(StatementInputError):
        check_agreed_shares({"a": Decimal("50.005"), "b": Decimal("49.995")})


def test_population_split_needs_every_population():
    with pytest.raises(StatementInputError):
        split_between(Decimal("10"), [Party("a", 100), Party("b", None)], POPULATION)


def test_population_percentages_are_for_display():
    assert population_percentages(ARDEN) == {"05A": Decimal("50.49"), "05H": Decimal("19.98"),
                                             "05R": Decimal("29.54")}


@pytest.mark.parametrize("typed, expected", [
    ("150000", Decimal("150000.00")),
    ("£150,000", Decimal("150000.00")),
    ("25000000", Decimal("25000000.00")),       # the ceiling itself
    ("0", Decimal("0.00")),
    ("1234.5", Decimal("1234.50")),
    ("", None),
])
def test_budgets_read(typed, expected):
    assert parse_budget(typed) == expected


@pytest.mark.parametrize("typed", [
    "25000000.01",  # a penny over the ceiling
    "-1", "1e6", "NaN", "12.345", "１２３", "2²", "٣٠٠", "150000\x00", "£" + "9" * 30,
    "<b>1</b>", "💷100",
])
def test_budgets_refused_with_a_message(typed):
    with pytest.raises(StatementInputError) as refused:
        parse_budget(typed)
    assert refused.value.field == "budget_annual"
    assert refused.value.message


def test_population_is_at_most_the_ccgs_list():
    assert parse_population("464596", 464_596) == 464_596
    assert parse_population("", 464_596) is None
    with pytest.raises(StatementInputError, match="464,596"):
        parse_population("464597", 464_596)
    with pytest.raises(StatementInputError):
        parse_population("0", 464_596)
    with pytest.raises(StatementInputError):
        parse_population("4²", 464_596)


def test_quantities_read_and_refused():
    assert parse_quantity("220", "days_per_year", Decimal("100000"), "days") == Decimal("220")
    assert parse_quantity("100000", "days_per_year", Decimal("100000"), "days") == 100000
    for bad in ("100000.01", "0", "-3", "٣", "\x00"):
        with pytest.raises(StatementInputError):
            parse_quantity(bad, "days_per_year", Decimal("100000"), "days")


def test_service_levels_are_measure_and_target():
    levels = parse_service_levels("Monthly dashboard: 10th working day\n\n Data quality : 98%")
    assert levels == [{"measure": "Monthly dashboard", "target": "10th working day"},
                      {"measure": "Data quality", "target": "98%"}]
    with pytest.raises(StatementInputError, match="service level 1"):
        parse_service_levels("no colon here")
    with pytest.raises(StatementInputError):
        parse_service_levels("a: b\x00")


def test_shares_read():
    assert parse_share("33.34", "share") == Decimal("33.34")
    assert parse_share("40%", "share") == Decimal("40")
    for bad in ("100.01", "", "-1", "3²", "33.333", "abc"):
        with pytest.raises(StatementInputError):
            parse_share(bad, "share")
