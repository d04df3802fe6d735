"""The life of a signed agreement: service review actions and how late they are.

Pure rules, no Flask or database: the services and pages ask these for words and limits.
"""

from __future__ import annotations

from datetime import date


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
