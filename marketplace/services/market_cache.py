"""Pages of the whole market, kept in the cache every worker shares until the market changes.

The BDU's sufficiency and the demand across CCGs add up every CCG's statements, every CSS's
planned income and every CCG's reckoner headroom: tens of milliseconds of queries, arithmetic
and a long table at the scale of the whole market, the same for every reviewer who asks
between two changes. What such a page shows is kept in Redis under the market's generation
(models.MarketGeneration): a token replaced as a transaction that wrote an audit event
commits. Every state change writes an audit event in its own transaction (services/audit.py),
so no page drawn before a change is shown once the change has committed. The token is
replaced in ``before_commit``, the transaction's last write, so the row is locked only while
the transaction commits and writers do not queue behind each other's work.

Without SEARCH_CACHE_URL (REDIS_URL, unless set apart) every page is drawn afresh.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import uuid4

from sqlalchemy import update
from sqlalchemy.orm import Session

from marketplace.extensions import db
from marketplace.models import MarketGeneration

from .catalogue_cache import kept_under

_CHANGED = "market_changed"


def market_changed() -> None:
    """Say that the current transaction changes the market: the token is replaced as it
    commits. services/audit.py says so for every audit event it stages."""
    db.session.info[_CHANGED] = True


def remembered(question: dict[str, Any], draw: Callable[[], Any]) -> Any:
    """What ``draw()`` returns for ``question`` (JSON: the page and everything besides the
    market that what it shows depends on), kept until the market next changes."""
    if db.session.info.get(_CHANGED):
        # This transaction has changed the market and not yet committed: what it would draw
        # is for nobody else, and the token it would be kept under is the old one.
        return draw()
    return kept_under(MarketGeneration, question, draw)


def _replace_token(session: Session) -> None:
    if session.info.pop(_CHANGED, False):
        session.execute(update(MarketGeneration).values(token=uuid4().hex))


def _forget(session: Session) -> None:
    session.info.pop(_CHANGED, None)


LISTENERS = ((Session, "before_commit", _replace_token),
             (Session, "after_rollback", _forget))
