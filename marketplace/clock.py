"""The one place the app asks what time it is, so that tests and demos can set it.

``MARKETPLACE_TODAY`` sets the day the product lives in; without it the real time is used.
It takes either

* a date (``2012-10-15``): the clock starts on that day at the real UK time of day and runs
  on from there, so a demo's actions are dated in its year and still come one after another;
* a date-time with its offset (``2012-11-19T09:00:00+00:00``, or an aware datetime): "now" is
  pinned to that moment, for tests and for demos whose seeded competitions stand at a stage.

``MARKETPLACE_NOW`` is the older name of the same setting and is read when
``MARKETPLACE_TODAY`` is not given (marketplace/config.py). Every stamp on a user's action
(models' defaults through ``marketplace.models.base.utcnow``, services, views) comes from
``now()`` here, except sign-in session lifetimes, which run on the real time
(``session_now``); tests/test_clock.py fails if anything else in marketplace/ reads the real clock.
Times are kept in UTC and shown in UK time.
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

UK = ZoneInfo("Europe/London")
SETTING = "MARKETPLACE_TODAY"

# The real UK day this process started on: a date setting moves the clock by whole days from
# it, so the demo day rolls over at midnight like any other.
_STARTED_ON = datetime.now(UK).date()


def _real_now() -> datetime:
    return datetime.now(UTC)


def parse(value: object) -> date | datetime | None:
    """The setting as a day (a running clock) or an aware moment (a pinned one); refuses
    a date-time without its offset."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        return value
    else:
        text = str(value).strip()
        if len(text) == 10:
            return date.fromisoformat(text)
        moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError(f"{SETTING} must say its time zone, for example +00:00")
    return moment.astimezone(UTC)


def _configured() -> date | datetime | None:
    if not has_app_context():
        return None
    return parse(current_app.config.get(SETTING))


def _shifted(day: date) -> datetime:
    real = _real_now().astimezone(UK)
    wall = real.replace(tzinfo=None) + timedelta(days=(day - _STARTED_ON).days)
    return wall.replace(tzinfo=UK).astimezone(UTC)


def session_now() -> datetime:
    """The real time, whatever the setting: only for how long a sign-in session lasts and
    when a password was last entered (services/sessions.py). Security timing is not part of
    the demo's story, and a pinned or moved clock must neither end nor prolong a session."""
    return _real_now()


def now() -> datetime:
    setting = _configured()
    if setting is None:
        return _real_now()
    if isinstance(setting, datetime):
        return setting
    return _shifted(setting)


def today_in_uk() -> date:
    return now().astimezone(UK).date()


def pinned() -> object:
    """The setting as it stands, to put back after ``pin``."""
    return current_app.config.get(SETTING)


def pin(moment: object) -> None:
    """Sets "now" (a moment, a day, or None for the real time) for the rest of this app's
    life: seeding uses it to act each step of the demo's history on its own date."""
    parse(moment)
    current_app.config[SETTING] = moment


def uk_moment(day: date, at: time) -> datetime:
    """A UK wall-clock date and time (GMT or BST as in force then), in UTC."""
    return datetime.combine(day, at, tzinfo=UK).astimezone(UTC)


def in_uk(moment: datetime) -> datetime:
    return moment.astimezone(UK)


def in_words(moment: datetime | None) -> str:
    """7 January 2013 at 5:00pm, in UK time: how closing times are written."""
    if moment is None:
        return "–"
    local = in_uk(moment)
    hour = local.hour % 12 or 12
    return f"{local.day} {local:%B %Y} at {hour}:{local:%M}{'am' if local.hour < 12 else 'pm'}"
