"""When a signed-in session ends by itself, and when it counts as recently confirmed.

A session ends after ``idle`` without a request, or ``lifetime`` after sign-in, whichever
comes first. Activity is recorded at most once per ``touch_every``, so that busy pages do not
write a row per request; the idle clock therefore starts up to that much early.
A password entered within ``recent_password`` allows the actions that ask for it again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

# Wrong passwords in a row, when confirming actions, after which the session ends: whoever holds
# a session that is not theirs gets this many guesses at the password.
WRONG_PASSWORDS_BEFORE_SIGN_OUT = 5


class SessionState(StrEnum):
    ACTIVE = "active"
    ENDED = "ended"  # signed out, or ended by a password change or an administrator
    IDLE = "idle"
    EXPIRED = "expired"


@dataclass(frozen=True)
class SessionLimits:
    idle: timedelta
    lifetime: timedelta
    recent_password: timedelta
    touch_every: timedelta = timedelta(minutes=1)

    def __post_init__(self):
        for name in ("idle", "lifetime", "recent_password", "touch_every"):
            if getattr(self, name) <= timedelta(0):
                raise ValueError(f"{name} must be longer than nothing")


def state_of(limits: SessionLimits, *, now: datetime, created_at: datetime,
             last_seen_at: datetime, ended_at: datetime | None) -> SessionState:
    if ended_at is not None:
        return SessionState.ENDED
    # The lifetime is checked first: a session both idle and too old is reported as too old,
    # so that signing in again is explained by the rule that would have ended it anyway.
    if now - created_at > limits.lifetime:
        return SessionState.EXPIRED
    if now - last_seen_at > limits.idle:
        return SessionState.IDLE
    return SessionState.ACTIVE


def needs_touch(limits: SessionLimits, *, now: datetime, last_seen_at: datetime) -> bool:
    return now - last_seen_at >= limits.touch_every


def password_is_recent(limits: SessionLimits, *, now: datetime,
                       password_entered_at: datetime) -> bool:
    return now - password_entered_at <= limits.recent_password


def minutes_in_words(minutes: int) -> str:
    """'30 minutes', 'an hour', '12 hours', '90 minutes'."""
    if minutes % 60 == 0:
        hours = minutes // 60
        return "an hour" if hours == 1 else f"{hours} hours"
    return "a minute" if minutes == 1 else f"{minutes} minutes"
