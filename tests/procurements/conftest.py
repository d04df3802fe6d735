"""Builders and a settable clock for the buying tests.

The clock is the app's MARKETPLACE_NOW setting (marketplace/clock.py); ``clock.set(...)``
moves it, and it is put back after each test.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import (
    IntendedMode,
    Organisation,
    PartyStatus,
    Role,
    Shortlist,
    ShortlistEntry,
    Statement,
    StatementLine,
    StatementParty,
    StatementStatus,
    User,
)
from marketplace.services import procurements
from marketplace.services.procurements import CriterionInput

from ..conftest import user
from ..factories import build_market, ccg

START = datetime(2013, 1, 7, 9, 0, tzinfo=UTC)  # a Monday in January 2013 (GMT)


class Clock:
    def __init__(self, app):
        self.app = app

    def set(self, moment: datetime) -> datetime:
        self.app.config["MARKETPLACE_NOW"] = moment
        return moment

    def advance(self, **delta) -> datetime:
        return self.set(self.app.config["MARKETPLACE_NOW"] + timedelta(**delta))

    @property
    def now(self) -> datetime:
        return self.app.config["MARKETPLACE_NOW"]


@pytest.fixture
def clock(app):
    clock = Clock(app)
    clock.set(START)
    yield clock
    app.config.pop("MARKETPLACE_NOW", None)


def make_user(email: str, name: str, organisation: Organisation,
              role: str = Role.CCG_USER) -> User:
    found = db.session.scalar(select(User).where(User.email == email))
    if found:
        return found
    made = User(email=email, full_name=name, role=role, organisation=organisation,
                password_hash="x")
    db.session.add(made)
    db.session.commit()
    return made


def make_statement(lead: Organisation, lines, *, partners=(), status=StatementStatus.READY,
                   title="Business intelligence and contract monitoring from April 2013",
                   term_months=18, wanted_from=date(2013, 4, 1)) -> Statement:
    """``lines``: (ccg, specification, annual budget or None, population or None)."""
    statement = Statement(lead_ccg=lead, title=title, summary="What we need.", status=status,
                          term_months=term_months, wanted_from=wanted_from)
    statement.parties.append(StatementParty(ccg=lead, is_lead=True,
                                            status=PartyStatus.CONFIRMED))
    for partner in partners:
        statement.parties.append(StatementParty(ccg=partner, status=PartyStatus.CONFIRMED))
    for ccg_org, spec, budget, population in lines:
        statement.lines.append(StatementLine(
            ccg=ccg_org, specification=spec, mode=IntendedMode.BUY,
            budget_annual=Decimal(budget) if budget is not None else None,
            population_covered=population))
    db.session.add(statement)
    db.session.commit()
    return statement


def shortlist(ccg_org: Organisation, *offers) -> None:
    for offer in offers:
        found = db.session.scalar(select(Shortlist).where(
            Shortlist.organisation_id == ccg_org.id,
            Shortlist.specification_id == offer.specification_id))
        if found is None:
            found = Shortlist(organisation=ccg_org, specification=offer.specification)
            db.session.add(found)
        found.entries.append(ShortlistEntry(offer=offer))
    db.session.commit()


@dataclass
class Buying:
    market: object
    coventry: Organisation
    darlington: Organisation
    warwickshire: Organisation
    lead_user: User  # ccg@demo.test, NHS Coventry and Rugby CCG
    partner_user: User  # NHS South Warwickshire CCG
    other_ccg_user: User  # ccg2@demo.test, NHS Darlington CCG
    arden_user: User  # css@demo.test
    gem_user: User  # css2@demo.test
    nwl_user: User  # css3@demo.test, North West London CSS: no offers for these specifications
    meridian_user: User  # indie@demo.test, an independent provider
    bdu_user: User
    statement: Statement


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


def uk(day: date, hour: int = 17) -> datetime:
    from marketplace.clock import uk_moment

    return uk_moment(day, time(hour, 0))


def set_up_competition(b: Buying, *, open_to_all=True, invitees=(), budget_shown=True):
    """A competition started, with criteria 60/40, an evaluator and dates, not published."""
    procurement = procurements.start_procurement(
        b.lead_user, b.statement, "further_competition",
        "Above the EU threshold: a competition is required.")
    procurements.set_details(
        b.lead_user, procurement, procurement.lock_version, title=procurement.title,
        description="Support from April 2013.", budget_shown=budget_shown,
        clarifications_close_at=uk(date(2013, 1, 14)), closes_at=uk(date(2013, 1, 21)))
    procurements.set_criteria(b.lead_user, procurement, procurement.lock_version, [
        CriterionInput("quality", "Approach", 35, "How you will do it"),
        CriterionInput("quality", "Team", 25),
        CriterionInput("price", "Price", 40),
    ])
    procurements.set_evaluators(b.lead_user, procurement, procurement.lock_version,
                                [b.lead_user.id, b.partner_user.id])
    procurements.set_invitees(b.lead_user, procurement, procurement.lock_version,
                              open_to_all=open_to_all,
                              organisation_ids=[org.id for org in invitees])
    return procurement


def published_competition(b: Buying, **options):
    procurement = set_up_competition(b, **options)
    return procurements.publish(b.lead_user, procurement, procurement.lock_version)
