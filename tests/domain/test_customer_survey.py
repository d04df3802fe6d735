"""The customer survey's rules: reading a score, the window's days, what may be shown."""

from datetime import date
from decimal import Decimal

import pytest

from marketplace.domain.customer_survey import (
    MIN_RESPONDENTS,
    QUESTION_KEYS,
    ScoreError,
    aggregate,
    mean,
    read_score,
    window_date_problems,
    window_state,
)


def answer(score: int, **others) -> dict[str, int]:
    return {key: others.get(key, score) for key in QUESTION_KEYS}


@pytest.mark.parametrize("value, expected", [("1", 1), ("5", 5), (3, 3)])
def test_a_score_is_a_whole_number_from_one_to_five(value, expected):
    assert read_score(value) == expected


@pytest.mark.parametrize(
    "value",
    ["0", "6", "-1", "٣", "５", "3.0", " 3", "", "²", True, None, 3.0, "99999999999", "1e0"],
)
def test_near_misses_are_not_scores(value):
    with pytest.raises(ScoreError, match="from 1 to 5"):
        read_score(value)


def test_the_standard_questions_are_the_2012_themes():
    assert QUESTION_KEYS == (
        "responsiveness",
        "quality",
        "value_for_money",
        "relationship",
        "recommend",
    )


def test_two_answers_show_nothing_but_their_count():
    result = aggregate([answer(5), answer(1)])
    assert MIN_RESPONDENTS == 3
    assert (result.shown, result.respondents, result.means, result.overall) == (False, 2, {}, None)
    assert "Only 2 CCGs answered" in result.words


def test_three_answers_are_shown_as_means_per_question():
    result = aggregate([answer(5), answer(4, recommend=5), answer(4, quality=2)])
    assert result.shown and result.respondents == 3 and result.words == ""
    assert result.means["responsiveness"] == Decimal("4.3")
    assert result.means["quality"] == Decimal("3.7")
    assert result.means["recommend"] == Decimal("4.7")
    assert result.overall == Decimal("4.3")  # 65 / 15, from the scores, not the means
    assert [question.key for question, _ in result.rows()] == list(QUESTION_KEYS)


def test_no_answers_say_so():
    result = aggregate([])
    assert not result.shown and "No CCG has answered" in result.words
    assert "Only 1 CCG answered" in aggregate([answer(3)]).words


def test_means_round_once_half_up():
    assert mean([4, 5]) == Decimal("4.5")
    assert mean([1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2]) == Decimal("1.9")
    assert mean([Decimal("2.25"), Decimal("2.25")]) == Decimal("2.3")  # not banker's 2.2
    with pytest.raises(ValueError):
        mean([])


@pytest.mark.parametrize(
    "today, closed_early, state",
    [
        (date(2012, 8, 31), False, "not_open"),
        (date(2012, 9, 1), False, "open"),
        (date(2012, 9, 30), False, "open"),
        (date(2012, 10, 1), False, "closed"),
        (date(2012, 9, 10), True, "closed"),
    ],
)
def test_a_window_is_open_from_its_first_day_to_its_last(today, closed_early, state):
    assert window_state(date(2012, 9, 1), date(2012, 9, 30), today, closed_early) == state


def test_window_dates_are_refused_at_their_fields():
    today = date(2012, 9, 1)
    assert window_date_problems(today, today, today) == []
    assert window_date_problems(None, None, today) == [
        ("opens_on", "Enter the date the survey opens"),
        ("closes_on", "Enter the date the survey closes"),
    ]
    assert window_date_problems(date(2012, 8, 31), date(2012, 9, 30), today)[0][0] == "opens_on"
    assert window_date_problems(date(2012, 9, 2), date(2012, 9, 1), today) == [
        ("closes_on", "The survey must close on or after the day it opens")
    ]
