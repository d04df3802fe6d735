"""The life of a signed agreement: service review actions and how late they are, notice
and warnings as its end approaches.

Pure rules, no Flask or database: the services and pages ask these for words and limits.
"""

from __future__ import annotations

from datetime import date, timedelta

from .agreement_terms import add_months


def action_state(due_on: date, done_on: date | None, today: date) -> tuple[str, str]:
    """(words, NHS.UK tag colour) for a service review action on ``today``.

    Due 10 May, today 13 May, not done: "Overdue by 3 days". Done on 12 May: "Done on 12 May
    2013", whatever its due date. Due today is not yet overdue."""
    if done_on is not None:
        return f"Done on {done_on.day} {done_on:%B %Y}", "green"
    days = (today - due_on).days
    if days > 0:
        return f"Overdue by {days} day{'' if days == 1 else 's'}", "red"
    if days == 0:
        return "Due today", "orange"
    ahead = -days
    return f"Due in {ahead} day{'' if ahead == 1 else 's'}", "blue"


def is_overdue(due_on: date, done_on: date | None, today: date) -> bool:
    return done_on is None and today > due_on


# Ending an agreement. The agreements drafted here state no notice period, so a default is
# used: three months, chosen here (no source in the seeds states one); a notice period per
# agreement would replace it.
DEFAULT_NOTICE_MONTHS = 3
EXPIRY_WARNINGS_MONTHS = (3, 6)  # the nearer first


def notice_ends_on(given_on: date, end_date: date,
                   notice_months: int = DEFAULT_NOTICE_MONTHS) -> date:
    """The last day of an agreement after notice given on ``given_on``: the day before the
    same day ``notice_months`` later, or the agreement's own end if that is sooner.
    Notice given 15 May 2013 with 3 months ends the agreement on 14 August 2013."""
    return min(add_months(given_on, notice_months) - timedelta(days=1), end_date)


def expiry_warning(end_date: date, today: date) -> tuple[int, str] | None:
    """(months, words) once an agreement is within 6 or 3 months of its end; None before,
    and None once it has ended. Ending 31 March 2014: from 1 October 2013 the 6-month
    warning, from 1 January 2014 the 3-month one (``end - months + 1 day``)."""
    if today > end_date:
        return None
    for months in EXPIRY_WARNINGS_MONTHS:
        if today > add_months(end_date, -months):
            days = (end_date - today).days
            left = "ends today" if days == 0 else \
                f"ends in {days} day{'' if days == 1 else 's'}"
            return months, (f"This agreement {left}, on {end_date.day} {end_date:%B %Y}: "
                            f"less than {months} months away. Renew it through a new "
                            "procurement, or extend it by a variation within 18 months.")
    return None
