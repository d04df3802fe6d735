from datetime import UTC, datetime, timedelta

import pytest

from marketplace.domain.sessions import (
    SessionLimits,
    SessionState,
    minutes_in_words,
    needs_touch,
    password_is_recent,
    state_of,
)

LIMITS = SessionLimits(idle=timedelta(minutes=30), lifetime=timedelta(hours=12),
                       recent_password=timedelta(minutes=15))
SIGNED_IN = datetime(2012, 9, 14, 9, 0, tzinfo=UTC)


def state(*, after: timedelta, last_seen: timedelta = timedelta(0), ended=False):
    return state_of(LIMITS, now=SIGNED_IN + after, created_at=SIGNED_IN,
                    last_seen_at=SIGNED_IN + last_seen,
                    ended_at=SIGNED_IN if ended else None)


@pytest.mark.parametrize("quiet, expected", [
    (timedelta(minutes=29, seconds=59), SessionState.ACTIVE),
    (timedelta(minutes=30), SessionState.ACTIVE),
    (timedelta(minutes=30, seconds=1), SessionState.IDLE),
])
def test_a_session_ends_after_thirty_minutes_without_a_request(quiet, expected):
    assert state(after=timedelta(hours=2) + quiet, last_seen=timedelta(hours=2)) == expected


@pytest.mark.parametrize("age, expected", [
    (timedelta(hours=11, minutes=59, seconds=59), SessionState.ACTIVE),
    (timedelta(hours=12), SessionState.ACTIVE),
    (timedelta(hours=12, seconds=1), SessionState.EXPIRED),
])
def test_a_busy_session_still_ends_twelve_hours_after_sign_in(age, expected):
    assert state(after=age, last_seen=age - timedelta(minutes=1)) == expected


def test_a_session_both_idle_and_too_old_is_reported_as_too_old():
    assert state(after=timedelta(hours=13), last_seen=timedelta(hours=1)) == SessionState.EXPIRED


def test_an_ended_session_stays_ended_however_recent():
    assert state(after=timedelta(seconds=1), ended=True) == SessionState.ENDED


@pytest.mark.parametrize("since, expected", [
    (timedelta(seconds=59), False), (timedelta(minutes=1), True), (timedelta(hours=1), True),
])
def test_activity_is_written_at_most_once_a_minute(since, expected):
    assert needs_touch(LIMITS, now=SIGNED_IN + since, last_seen_at=SIGNED_IN) is expected


@pytest.mark.parametrize("since, expected", [
    (timedelta(minutes=14, seconds=59), True), (timedelta(minutes=15), True),
    (timedelta(minutes=15, seconds=1), False),
])
def test_a_password_counts_as_recent_for_fifteen_minutes(since, expected):
    assert password_is_recent(LIMITS, now=SIGNED_IN + since,
                              password_entered_at=SIGNED_IN) is expected


def test_limits_must_be_longer_than_nothing():
    with pytest.raises(ValueError, match="idle"):
        SessionLimits(idle=timedelta(0), lifetime=timedelta(hours=1),
                      recent_password=timedelta(minutes=1))


@pytest.mark.parametrize("minutes, words", [
    (1, "a minute"), (30, "30 minutes"), (60, "an hour"), (90, "90 minutes"), (720, "12 hours"),
])
def test_minutes_in_words(minutes, words):
    assert minutes_in_words(minutes) == words
