"""The one place the app asks what time it is, so that tests and demos can set it.

``MARKETPLACE_NOW`` (an aware datetime, or an ISO 8601 string with its offset) pins "now";
without it the real time is used. Times are kept in UTC and shown in UK time.
"""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

UK = ZoneInfo("Europe/London")


def _configured() -> datetime | None:
    if not has_app_context():
        return None
    value = current_app.config.get("MARKETPLACE_NOW")
    if not value:
        return None
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    if moment.tzinfo is None:
        raise ValueError("MARKETPLACE_NOW must say its time zone, for example +00:00")
    return moment.astimezone(UTC)


def now() -> datetime:
    return _configured() or datetime.now(UTC)


def today_in_uk() -> date:
    return now().astimezone(UK).date()


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
