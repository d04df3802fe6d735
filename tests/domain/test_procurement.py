"""Buying rules with worked numbers, and near misses on each side of every threshold."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from marketplace.domain import procurement as rules
from marketplace.domain.procurement import (
    BidToRank,
    CriterionWeight,
    ProcurementRuleError,
    Threshold,
    date_errors,
    price_points,
    quality_points,
    rank_bids,
    route_warning,
    threshold_for,
    value_over_term,
    weight_errors,
)

EU_2012 = Threshold(
    id=1,
    name="EU threshold for services",
    amount=Decimal("173934.00"),
    required_route=rules.FURTHER_COMPETITION,
    standstill_days=10,
    applies_from=date(2012, 1, 1),
    applies_until=date(2013, 12, 31),
)
LOCAL_QUOTES = Threshold(
    id=2,
    name="local written quotations limit",
    amount=Decimal("25000.00"),
    required_route=rules.FURTHER_COMPETITION,
    standstill_days=0,
    applies_from=date(2012, 1, 1),
)
NOW = datetime(2013, 1, 7, 12, 0, tzinfo=UTC)


# --- value over the term -----------------------------------------------------------------


@pytest.mark.parametrize(
    "annual, months, expected",
    [
        ("100000.00", 18, "150000.00"),
        ("100000.00", 12, "100000.00"),
        ("1000.01", 7, "583.34"),  # 583.339166... rounds down
        ("0.05", 6, "0.03"),  # exactly half a penny: half-up, not to even
        ("115956.00", 18, "173934.00"),
        ("115955.99", 18, "173933.99"),  # 173,933.985 rounds up, still a penny short
    ],
)
def test_value_over_the_full_term(annual, months, expected):
    assert value_over_term(Decimal(annual), months) == Decimal(expected)


@pytest.mark.parametrize("months", [0, -1, True, 1.5])
def test_a_term_must_be_whole_months(months):
    with pytest.raises(ProcurementRuleError):
        value_over_term(Decimal("100"), months)


# --- thresholds and routes ---------------------------------------------------------------


@pytest.mark.parametrize(
    "value, expected",
    [
        ("173933.99", LOCAL_QUOTES),  # a penny under the EU threshold
        ("173934.00", EU_2012),  # at it
        ("173934.01", EU_2012),
        ("24999.99", None),
        ("25000.00", LOCAL_QUOTES),
        (None, None),
    ],
)
def test_the_largest_threshold_at_or_below_the_value_applies(value, expected):
    value = Decimal(value) if value else None
    assert threshold_for([EU_2012, LOCAL_QUOTES], value, date(2013, 1, 7)) == expected


@pytest.mark.parametrize(
    "day, in_force",
    [
        (date(2011, 12, 31), False),
        (date(2012, 1, 1), True),
        (date(2013, 12, 31), True),
        (date(2014, 1, 1), False),
    ],
)
def test_a_threshold_applies_only_while_in_force(day, in_force):
    found = threshold_for([EU_2012], Decimal("500000"), day)
    assert (found == EU_2012) is in_force


def test_a_direct_award_above_the_threshold_is_warned_about():
    value = value_over_term(Decimal("116000.00"), 18)  # £174,000
    warning = route_warning(threshold_for([EU_2012], value, date(2013, 1, 7)),
                            rules.DIRECT_AWARD, value)
    assert warning.startswith("The value over the full term, £174,000.00, is at or above the "
                              "EU threshold for services of £173,934.00")
    assert "a further competition, not a direct award" in warning


def test_a_route_that_fits_or_a_value_below_every_threshold_is_not_warned_about():
    value = Decimal("174000.00")
    threshold = threshold_for([EU_2012], value, date(2013, 1, 7))
    assert route_warning(threshold, rules.FURTHER_COMPETITION, value) is None
    below = Decimal("173933.99")
    assert route_warning(threshold_for([EU_2012], below, date(2013, 1, 7)),
                         rules.DIRECT_AWARD, below) is None


# --- weights -----------------------------------------------------------------------------


def _criteria(*weights, price_index=-1):
    made = [CriterionWeight(rules.QUALITY, f"Quality {i}", w) for i, w in enumerate(weights)]
    index = price_index % len(made)
    made[index] = CriterionWeight(rules.PRICE, "Price", weights[index])
    return made


def test_sixty_forty_is_fine():
    assert weight_errors(_criteria(35, 25, 40)) == []
    assert weight_errors(_criteria("60", "40")) == []


def test_price_at_ten_is_the_least_allowed():
    assert weight_errors(_criteria(90, 10)) == []
    assert weight_errors(_criteria(91, 9)) == [
        ("weight-1", "Price must carry a weight of at least 10: public bodies must evaluate "
                     "price")
    ]


@pytest.mark.parametrize("weights, total", [((60, 39), 99), ((61, 40), 101), ((0, 10), 10)])
def test_weights_must_total_exactly_100(weights, total):
    assert ("weights", f"The weights must total 100; they total {total}") in weight_errors(
        _criteria(*weights))


@pytest.mark.parametrize("bad", ["4O", "40.0", "-1", "101", "²", "４０", "", None, True, 40.0,
                                 "1" * 400])
def test_a_weight_must_be_a_whole_number_from_0_to_100(bad):
    errors = weight_errors([CriterionWeight(rules.QUALITY, "Quality", bad),
                            CriterionWeight(rules.PRICE, "Price", 40)])
    assert ("weight-0", "Enter the weight as a whole number from 0 to 100") in errors


def test_exactly_one_price_criterion_and_at_least_one_quality_one():
    two_prices = [CriterionWeight(rules.PRICE, "Price", 50),
                  CriterionWeight(rules.PRICE, "Cost", 50)]
    assert ("weights", "Have exactly one price criterion") in weight_errors(two_prices)
    assert ("weights", "Add at least one quality criterion") in weight_errors(two_prices)
    no_price = [CriterionWeight(rules.QUALITY, "Quality", 100)]
    assert ("weights", "Have exactly one price criterion") in weight_errors(no_price)


def test_a_criterion_needs_a_name():
    errors = weight_errors([CriterionWeight(rules.QUALITY, "  ", 60),
                            CriterionWeight(rules.PRICE, "Price", 40)])
    assert errors == [("name-0", "Enter a name for the criterion")]


# --- dates -------------------------------------------------------------------------------


def test_dates_that_work():
    assert date_errors(NOW, NOW + timedelta(days=5), NOW + timedelta(days=10)) == []


def test_the_closing_date_is_at_least_ten_days_away():
    nearly = NOW + timedelta(days=10) - timedelta(seconds=1)
    assert date_errors(NOW, NOW + timedelta(days=1), nearly) == [
        ("closes_at", "Leave at least 10 days between publishing and the closing date")
    ]


@pytest.mark.parametrize("closes_at", [NOW, NOW - timedelta(seconds=1)])
def test_the_closing_date_must_be_in_the_future(closes_at):
    errors = dict(date_errors(NOW, None, closes_at))
    assert errors["closes_at"] == "The closing date must be in the future"


def test_the_question_cut_off_is_in_the_future_and_before_closing():
    closes = NOW + timedelta(days=14)
    assert date_errors(NOW, closes, closes) == [
        ("clarifications_close_at", "The last date for questions must be before the closing "
                                    "date")
    ]
    assert date_errors(NOW, closes - timedelta(seconds=1), closes) == []
    assert date_errors(NOW, NOW, closes) == [
        ("clarifications_close_at", "The last date for questions must be in the future")
    ]


def test_missing_dates_are_named():
    assert dict(date_errors(NOW, None, None)) == {
        "closes_at": "Enter the closing date and time",
        "clarifications_close_at": "Enter the last date for questions",
    }


def test_the_clarification_window():
    cut_off = NOW + timedelta(days=1)
    assert rules.clarification_window_open(NOW, cut_off, 0)
    assert not rules.clarification_window_open(cut_off, cut_off, 0)
    assert rules.clarification_window_open(cut_off, cut_off, 1)  # a question awaits its answer


# --- scoring -----------------------------------------------------------------------------


def test_quality_points_are_the_score_over_five_times_the_weight():
    assert quality_points(4, 60) == Decimal(48)
    assert quality_points(3, 35) == Decimal(21)
    assert quality_points(0, 60) == 0
    with pytest.raises(ProcurementRuleError):
        quality_points(6, 60)


def test_price_points_are_lowest_over_this_times_the_weight():
    assert price_points(Decimal("90000"), Decimal("100000"), 40) == Decimal(36)
    assert price_points(Decimal("90000"), Decimal("90000"), 40) == Decimal(40)
    assert price_points(Decimal("0"), Decimal("0"), 40) == Decimal(40)
    assert price_points(Decimal("0"), Decimal("100"), 40) == Decimal(0)


def _bid(key, cost, scores, minutes):
    return BidToRank(key, Decimal(cost), scores, NOW + timedelta(minutes=minutes))


def test_a_worked_ranking_of_three_responses():
    weights = {"approach": 35, "team": 25}
    ranked = rank_bids(
        [
            _bid("arden", "300000", {"approach": 3, "team": 2}, 0),
            _bid("gem", "100000", {"approach": 2, "team": 2}, 1),
            _bid("meridian", "120000", {"approach": 5, "team": 4}, 2),
        ],
        weights,
        40,
    )
    assert [r.key for r in ranked] == ["meridian", "gem", "arden"]
    meridian, gem, arden = ranked
    # 35 + 20 quality; 100,000 / 120,000 × 40 = 33.333...
    assert (meridian.quality, meridian.price, meridian.total) == (
        Decimal("55.00"), Decimal("33.33"), Decimal("88.33"))
    assert (gem.quality, gem.price, gem.total) == (Decimal("24.00"), Decimal("40.00"),
                                                   Decimal("64.00"))
    # 21 + 10 quality; 100,000 / 300,000 × 40 = 13.333...
    assert (arden.quality, arden.price, arden.total) == (Decimal("31.00"), Decimal("13.33"),
                                                         Decimal("44.33"))
    assert arden.criteria == {"approach": Decimal("21.00"), "team": Decimal("10.00")}
    assert [r.rank for r in ranked] == [1, 2, 3]


def test_the_total_is_rounded_once_half_up():
    # Price points 1 / 16 × 10 = 0.625: half-up gives 0.63 (to even would give 0.62).
    ranked = rank_bids([_bid("a", "1", {"q": 0}, 0), _bid("b", "16", {"q": 0}, 1)],
                       {"q": 90}, 10)
    assert ranked[1].total == Decimal("0.63")


def test_equal_totals_rank_the_lower_price_first_then_the_earlier_submission():
    weights = {"q": 50}
    # 50/50: £100 with score 3 is 30 + 50 = 80; £125 with score 4 is 40 + 40 = 80.
    ranked = rank_bids([_bid("dear", "125", {"q": 4}, 0), _bid("cheap", "100", {"q": 3}, 5)],
                       weights, 50)
    assert [(r.key, r.total) for r in ranked] == [("cheap", Decimal("80.00")),
                                                  ("dear", Decimal("80.00"))]
    same = rank_bids([_bid("later", "100", {"q": 3}, 9), _bid("earlier", "100", {"q": 3}, 1)],
                     weights, 50)
    assert [r.key for r in same] == ["earlier", "later"]


def test_ranking_needs_every_quality_score():
    with pytest.raises(ProcurementRuleError):
        rank_bids([_bid("a", "1", {}, 0)], {"q": 60}, 40)
    assert rank_bids([], {"q": 60}, 40) == []


# --- the procurement's states ------------------------------------------------------------


@pytest.mark.parametrize(
    "route, current, target, allowed",
    [
        (rules.FURTHER_COMPETITION, rules.DRAFT, rules.OPEN, True),
        (rules.DIRECT_AWARD, rules.DRAFT, rules.OPEN, False),
        (rules.DIRECT_AWARD, rules.DRAFT, rules.STANDSTILL, True),
        (rules.FURTHER_COMPETITION, rules.DRAFT, rules.STANDSTILL, False),
        (rules.FURTHER_COMPETITION, rules.OPEN, rules.EVALUATION, True),
        (rules.FURTHER_COMPETITION, rules.OPEN, rules.STANDSTILL, False),
        (rules.FURTHER_COMPETITION, rules.EVALUATION, rules.NONE_SUITABLE, True),
        (rules.FURTHER_COMPETITION, rules.OPEN, rules.CANCELLED, True),
        (rules.FURTHER_COMPETITION, rules.STANDSTILL, rules.CANCELLED, False),
        (rules.FURTHER_COMPETITION, rules.CANCELLED, rules.OPEN, False),
    ],
)
def test_what_may_follow_what(route, current, target, allowed):
    assert rules.can_move(route, current, target) is allowed


def test_a_refused_move_says_where_the_procurement_is():
    with pytest.raises(ProcurementRuleError, match="is cancelled, so it cannot be published"):
        rules.check_move(rules.FURTHER_COMPETITION, rules.CANCELLED, rules.OPEN, "published")
