"""A settable clock and the buying fixture for the buying tests (builders: tests/factories.py).

The clock is the app's MARKETPLACE_TODAY setting (marketplace/clock.py); ``clock.set(...)``
moves it, and it is put back after each test.
"""

from datetime import UTC, datetime, timedelta

import pytest

from ..conftest import user
from ..factories import Buying, build_market, ccg, make_statement, make_user

START = datetime(2013, 1, 7, 9, 0, tzinfo=UTC)  # a Monday in January 2013 (GMT)


class Clock:
    def __init__(self, app):
        self.app = app

    def set(self, moment: datetime) -> datetime:
        self.app.config["MARKETPLACE_TODAY"] = moment
        return moment

    def advance(self, **delta) -> datetime:
        return self.set(self.app.config["MARKETPLACE_TODAY"] + timedelta(**delta))

    @property
    def now(self) -> datetime:
        return self.app.config["MARKETPLACE_TODAY"]


@pytest.fixture
def clock(app):
    clock = Clock(app)
    clock.set(START)
    yield clock
    app.config.pop("MARKETPLACE_TODAY", None)


@pytest.fixture
def buying(app_context, clock) -> Buying:
    market = build_market()
    coventry, darlington, warwickshire = ccg("05A"), ccg("00C"), ccg("05R")
    partner_user = make_user("ruth.partner@example.nhs.uk", "Ruth Kaur", warwickshire)
    statement = make_statement(
        coventry,
        [(coventry, market.bi, "150000.00", None), (warwickshire, market.bi, "80000.00", None),
         (coventry, market.contracts, "100000.00", None)],
        partners=[warwickshire],
    )
    return Buying(market, coventry, darlington, warwickshire, user("ccg@demo.test"),
                  partner_user, user("ccg2@demo.test"), user("css@demo.test"),
                  user("css2@demo.test"), user("css3@demo.test"), user("indie@demo.test"),
                  user("bdu@demo.test"), statement)
