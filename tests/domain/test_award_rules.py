"""Evaluation and award rules with worked numbers and near misses: the price formula and
ranking around a penny, scores as typed, the award choice and the standstill calendar."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from marketplace.domain import procurement as rules
from marketplace.domain.procurement import (
    BidToRank,
    ProcurementRuleError,
    award_errors,
    departure_needed,
    price_points,
    rank_bids,
    standstill_ends_on,
    standstill_is_over,
    whole_score,
)

NOW = datetime(2013, 1, 21, 17, tzinfo=UTC)


def _bid(key, cost, scores, minutes=0):
    return BidToRank(key, Decimal(cost), scores, NOW + timedelta(minutes=minutes))


# --- the price formula: lowest ÷ this × weight ----------------------------------------


def test_the_worked_price_scores_of_the_opportunity_in_the_demo():
    # Three responses to a 60/40 competition: £230,000, £250,000 and £460,000 a year.
    lowest = Decimal("230000.00")
    assert price_points(lowest, Decimal("230000.00"), 40) == Decimal(40)
    # 230,000 / 250,000 × 40 = 36.8 exactly
    assert price_points(lowest, Decimal("250000.00"), 40) == Decimal("36.8")
    # 230,000 / 460,000 × 40 = 20: twice the price, half the points
    assert price_points(lowest, Decimal("460000.00"), 40) == Decimal(20)


def test_a_penny_dearer_is_a_whisker_fewer_points_never_the_same():
    lowest = Decimal("100000.00")
    near = price_points(lowest, Decimal("100000.01"), 40)
    assert near < 40
    assert rules.round_points(near) == Decimal("40.00")  # shown the same to 2 places...
    ranked = rank_bids([_bid("dearer", "100000.01", {"q": 3}, 0),
                        _bid("lowest", "100000.00", {"q": 3}, 5)], {"q": 60}, 40)
    # ...equal totals after rounding: the lower price ranks first, though it came later
    assert [(r.key, r.total) for r in ranked] == [("lowest", Decimal("76.00")),
                                                  ("dearer", Decimal("76.00"))]


def test_one_quality_point_outweighs_a_small_price_difference_but_not_a_large_one():
    weights = {"q": 60}
    # Score 4 vs 3 is 12 quality points. Dearer by 10%: 40 / 1.1 = 36.36 → 84.36 vs 76.
    small = rank_bids([_bid("better", "110000", {"q": 4}), _bid("cheaper", "100000", {"q": 3})],
                      weights, 40)
    assert [(r.key, r.total) for r in small] == [("better", Decimal("84.36")),
                                                 ("cheaper", Decimal("76.00"))]
    # Dearer by 2.5 times: 40 / 2.5 = 16 → 48 + 16 = 64 < 76.
    large = rank_bids([_bid("better", "250000", {"q": 4}), _bid("cheaper", "100000", {"q": 3})],
                      weights, 40)
    assert [(r.key, r.total) for r in large] == [("cheaper", Decimal("76.00")),
                                                 ("better", Decimal("64.00"))]


def test_the_break_even_price_for_one_more_quality_point():
    # 48 + 40 × 100,000 / p = 76  ⇔  p = 142,857.142...: either side of it the order flips.
    weights = {"q": 60}

    def order(price):
        ranked = rank_bids([_bid("better", price, {"q": 4}, 0),
                            _bid("cheaper", "100000", {"q": 3}, 1)], weights, 40)
        return [(r.key, r.total) for r in ranked]

    assert order("142000.00") == [("better", Decimal("76.17")), ("cheaper", Decimal("76.00"))]
    # A penny short of break-even: 76.0000003 rounds to 76.00, a tie the lower price wins.
    assert order("142857.14") == [("cheaper", Decimal("76.00")), ("better", Decimal("76.00"))]
    assert order("143000.00") == [("cheaper", Decimal("76.00")), ("better", Decimal("75.97"))]


def test_a_single_response_gets_the_full_price_weight():
    ranked = rank_bids([_bid("only", "495000", {"a": 2, "b": 5})], {"a": 35, "b": 25}, 40)
    # 2/5 × 35 = 14, 5/5 × 25 = 25, price 40
    assert (ranked[0].quality, ranked[0].price, ranked[0].total) == (
        Decimal("39.00"), Decimal("40.00"), Decimal("79.00"))


def test_a_negative_cost_is_refused():
    with pytest.raises(ProcurementRuleError):
        price_points(Decimal("-1"), Decimal("10"), 40)


# --- scores as typed -------------------------------------------------------------------


@pytest.mark.parametrize("typed, expected", [
    ("0", 0), ("5", 5), (" 3 ", 3), (4, 4), ("05", 5),
    ("6", None), ("-1", None), ("", None), ("2.5", None), ("²", None), ("５", None),
    ("٣", None), ("1e1", None), ("99999999999999999999", None), (True, None), (None, None),
    ("<b>3</b>", None), ("3\x00", None), ("🙂", None),
])
def test_a_score_is_a_whole_number_from_0_to_5(typed, expected):
    assert whole_score(typed) == expected


# --- the award choice ------------------------------------------------------------------


def _ranked():
    return rank_bids([_bid(1, "100", {"q": 5}), _bid(2, "100", {"q": 4}, 1)], {"q": 60}, 40)


def test_an_award_to_the_top_response_needs_no_departure_reason():
    assert not departure_needed(_ranked(), 1)
    assert award_errors(_ranked(), 1, "") == []


def test_an_award_to_another_response_needs_its_own_reason():
    assert departure_needed(_ranked(), 2)
    assert award_errors(_ranked(), 2, "  ") == [("departure_reason", rules.DEPARTURE_MESSAGE)]
    assert award_errors(_ranked(), 2, "The top bidder failed the site visit.") == []


def test_an_award_to_a_response_not_ranked_is_refused():
    assert award_errors(_ranked(), 3, "any") == [("bid_id",
                                                  "Choose one of the ranked responses")]


# --- the standstill calendar -------------------------------------------------------------


@pytest.mark.parametrize("decided, days, last", [
    (date(2013, 1, 30), 10, date(2013, 2, 11)),  # Wed + 10 = Sat 9 Feb → Mon 11 Feb
    (date(2013, 1, 31), 10, date(2013, 2, 11)),  # Thu + 10 = Sun 10 Feb → Mon 11 Feb
    (date(2013, 2, 1), 10, date(2013, 2, 11)),  # Fri + 10 = Mon 11 Feb, as it is
    (date(2013, 1, 29), 10, date(2013, 2, 8)),  # Tue + 10 = Fri 8 Feb, as it is
    (date(2013, 2, 1), 15, date(2013, 2, 18)),  # Fri + 15 = Sat 16 → Mon 18
    (date(2013, 2, 2), 0, date(2013, 2, 2)),  # no standstill: ends the day it is decided
])
def test_the_last_day_of_standstill(decided, days, last):
    assert standstill_ends_on(decided, days) == last


def test_standstill_is_over_only_from_the_day_after_its_last_day():
    last = date(2013, 2, 11)
    assert not standstill_is_over(date(2013, 2, 10), last)
    assert not standstill_is_over(last, last)  # it runs to midnight at the end of it
    assert standstill_is_over(date(2013, 2, 12), last)
    assert not standstill_is_over(date(2013, 2, 12), None)


@pytest.mark.parametrize("days", [-1, True, "10", 1.5])
def test_standstill_days_must_be_a_whole_number(days):
    with pytest.raises(ProcurementRuleError):
        standstill_ends_on(date(2013, 2, 1), days)
