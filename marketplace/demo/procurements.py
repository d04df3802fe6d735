"""Demo competitions at every stage of buying, made through the services as people would.

Each competition is a statement of requirements (with partners' lines for the joint one), a
further competition published to every provider of its specifications, questions and answers,
responses, independent scores, moderation, the decision and its letters, the standstill, the
agreements drafted from the award and both signatures: every step is the service a user's
click calls, with the clock (marketplace/clock.py) pinned to the day it happened in 2012,
from the first statement in June to the demo's "now".

The CSS that was home to the buying CCGs in 2012 (``ccg_clusters_2012.csv``) bids for every
one of them, against a CSS from elsewhere and, where it offers the services, an independent
provider. "Now" for the demo is DEMO_NOW (Monday 19 November 2012, 9am), what ``make run``
pins MARKETPLACE_TODAY to: nothing seeded is dated after it but what lies ahead (closing
times, standstill ends, the agreements' April 2013 start). Seeded under another "now" the
stages are the same when they are made, and time then moves them on (a closing time passes,
a standstill ends) as it would.

What each demo login can do at DEMO_NOW (README, "Buying demo"):

- ccg@ (Coventry and Rugby) leads the Arden CCGs' joint competition, closed and under
  evaluation: South Warwickshire's evaluator has submitted, Priya has not scored yet; then she
  moderates, ranks and awards.
- ccg2@ (Darlington) is in standstill on its award, with a bidder's question to answer.
- ccg3@ (Ealing) has an opportunity open, with answered questions and one still to answer.
- css@ (Arden CSS) has Warwickshire North's agreement, signed by the CCG, to countersign.
- css2@ (Greater East Midlands CSS) won Corby's award (standstill) and bid for the Arden one.
- css3@ (North West London CSS) has a draft response to Ealing's opportunity to finish.
- indie@ (Meridian) has asked Ealing a question, still to be answered, and can respond while
  it is open.

Idempotent: a competition whose statement (lead CCG and title) exists is left alone.
"""

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from flask import current_app
from sqlalchemy import select

from marketplace import clock
from marketplace.data import read_csv
from marketplace.domain.service_levels import is_working_day
from marketplace.extensions import db
from marketplace.models import (
    Organisation,
    OrganisationKind,
    Role,
    ServiceSpecification,
    Statement,
    User,
)
from marketplace.security import hash_password
from marketplace.services import (
    agreements,
    awards,
    bids,
    clarifications,
    evaluation,
    procurements,
    service_levels,
    statements,
)
from marketplace.services.agreements_from_awards import agreements_for_procurement
from marketplace.services.audit import record_event
from marketplace.services.procurement_access import eligible_provider_ids
from marketplace.services.procurements import CriterionInput

from .market import successor_of
from .organisations import css_display_name

DEMO_NOW = datetime(2012, 11, 19, 9, 0, tzinfo=UTC)

# The stages a competition is left at.
OPEN = "open"  # published, questions asked and answered, responses coming in
EVALUATION = "evaluation"  # closed; one evaluator has submitted, the lead has not scored
MODERATED = "moderated"  # closed, scored and moderated: ready for the lead to decide
STANDSTILL = "standstill"  # awarded, letters issued, standstill running
COUNTERSIGN = "countersign"  # awarded, agreements drafted and signed by the CCGs
SIGNED = "signed"  # signed by both sides: contract releases published
NONE_SUITABLE = "none_suitable"  # closed with none of the responses suitable

CRITERIA = [
    CriterionInput("quality", "Approach and delivery", 35,
                   "How you will deliver the services and meet the service levels."),
    CriterionInput("quality", "Local knowledge and team", 25,
                   "Your team, and what you know of these CCGs and their providers."),
    CriterionInput("price", "Price", 40, "The total annual cost to the buying CCGs."),
]

# Scores (out of 5) for the two quality criteria: the home CSS knows the patch best.
HOME_SCORES, RIVAL_SCORES, INDEPENDENT_SCORES = (4, 4), (3, 3), (4, 2)
# A bidder's price a head for a line, as a share of the budget a head: the home CSS a little
# under it, the others around it.
HOME_PRICE, RIVAL_PRICE, INDEPENDENT_PRICE = Decimal("0.92"), Decimal("0.97"), Decimal("0.88")
NONE_SUITABLE_PRICE = Decimal("1.35")  # every response far over the budget


@dataclass(frozen=True)
class Question:
    asker: int  # index into the bidders: 0 the home CSS, then the rivals in order
    asked: datetime
    question: str
    answered: datetime | None = None
    answer: str = ""


@dataclass(frozen=True)
class Competition:
    stage: str
    lead: str  # ODS code of the lead CCG
    title: str
    summary: str
    codes: tuple[str, ...]  # the specifications wanted, where the home CSS offers them
    rivals: tuple[str, ...]  # other providers invited to bid (if they offer the services)
    published: date
    questions_close: date
    closes: date
    partners: tuple[str, ...] = ()
    budget_per_head: Decimal = Decimal("1.10")  # a line's annual budget a head
    budget_shown: bool = True
    decided: date | None = None
    ccg_signs: date | None = None
    css_countersigns: date | None = None
    questions: tuple[Question, ...] = ()
    # OPEN: which bidders have submitted; the others have a draft.
    submitted: tuple[int, ...] = ()
    decision_question: str = ""  # asked by the first losing bidder in the standstill
    rationale: str = ""


def _at(day: date, hour: int = 9, minute: int = 0) -> datetime:
    return clock.uk_moment(day, time(hour, minute))


COMPETITIONS: list[Competition] = [
    # --- signed by both sides -------------------------------------------------------------
    Competition(
        stage=SIGNED, lead="07V", title="Croydon CCG: business intelligence from April 2013",
        summary="Data management, decision support and risk stratification for the CCG and "
                "its practices, from April 2013.",
        codes=("BI-DMIC", "BI-DSS", "PLN-RSK", "PLN-HNA"),
        rivals=("North and East London CSS", "Northern Health Analytics LLP"),
        published=date(2012, 7, 23), questions_close=date(2012, 8, 3),
        closes=date(2012, 8, 17), decided=date(2012, 9, 3), ccg_signs=date(2012, 9, 19),
        css_countersigns=date(2012, 9, 21),
        questions=(Question(1, _at(date(2012, 7, 25), 11),
                            "Is the data management service expected to include the "
                            "pseudonymised SUS extracts, or only practice data?",
                            _at(date(2012, 7, 26), 15),
                            "Both: SUS extracts through the DSCRO, and practice data under "
                            "the data sharing agreement the CCG will sign in February."),),
        rationale="Highest total score. The South London team already produces the CCG's "
                  "shadow-year dashboards, and its price is within the budget."),
    Competition(
        stage=SIGNED, lead="00T", title="Bolton CCG: contract management and finance support",
        summary="Contracting with the acute and community trusts, contract monitoring and "
                "financial management for 2013/14 and 2014/15.",
        codes=("MON-CTM", "AGR-NEG", "BUS-FIN", "MON-QA"),
        rivals=("Cumbria and Lancashire CSS", "Meridian Commissioning Partners Ltd"),
        published=date(2012, 7, 30), questions_close=date(2012, 8, 10),
        closes=date(2012, 8, 24), decided=date(2012, 9, 10), ccg_signs=date(2012, 9, 24),
        css_countersigns=date(2012, 9, 26),
        rationale="Highest total score, with the strongest plan for the 2013/14 contract round "
                  "with the Royal Bolton Hospital."),
    # --- signed by the CCG, waiting for the CSS (css@demo.test) ----------------------------
    Competition(
        stage=COUNTERSIGN, lead="05H",
        title="Warwickshire North CCG: continuing healthcare and individual funding requests",
        summary="Continuing healthcare assessments and reviews, and the individual funding "
                "request panel, from April 2013.",
        codes=("MON-CHC", "MON-IFR", "MON-MED"),
        rivals=("Greater East Midlands CSS", "Birmingham and Black Country CSS"),
        published=date(2012, 8, 13), questions_close=date(2012, 8, 24),
        closes=date(2012, 9, 7), decided=date(2012, 9, 21), ccg_signs=date(2012, 11, 16),
        rationale="Highest total score: Arden's CHC team already holds the CCG's caseload, so "
                  "no reviews are lost in the handover."),
    # --- none suitable -----------------------------------------------------------------------
    Competition(
        stage=NONE_SUITABLE, lead="04X",
        title="Birmingham South and Central CCG: service redesign and clinical "
              "engagement",
        summary="Service redesign support for the urgent care and diabetes programmes.",
        codes=("PLN-RED", "PLN-CLS", "PLN-EVL"), budget_per_head=Decimal("0.60"),
        budget_shown=False,
        rivals=("West Mercia CSS", "Meridian Commissioning Partners Ltd"),
        published=date(2012, 8, 28), questions_close=date(2012, 9, 7),
        closes=date(2012, 9, 21), decided=date(2012, 10, 18),
        rationale="Every response costs more than a third over the budget the governing body "
                  "set for redesign support, and none offered the clinical engagement the "
                  "diabetes programme needs. The CCG will buy again with a revised statement "
                  "in spring 2013."),
    # --- in standstill --------------------------------------------------------------------
    Competition(
        stage=STANDSTILL, lead="00C",
        title="Darlington CCG: business intelligence and contract monitoring",
        summary="Business intelligence and contract monitoring for the CCG, shared with the "
                "County Durham CCGs' information team where it can be.",
        codes=("BI-DSS", "BI-DMIC", "MON-CTM", "MON-QA"),
        rivals=("North Yorkshire and Humber CSS", "Northern Health Analytics LLP"),
        published=date(2012, 9, 10), questions_close=date(2012, 9, 21),
        closes=date(2012, 10, 19), decided=date(2012, 11, 14),
        questions=(Question(2, _at(date(2012, 9, 12), 10),
                            "Will the CCG accept a subcontract for the contract monitoring "
                            "line?", _at(date(2012, 9, 13), 16),
                            "Yes, if the response names the subcontractor and the lead "
                            "provider stays accountable for the service levels."),),
        decision_question="Which parts of our answer on local knowledge and team did the "
                          "panel find weakest, against the winning response?",
        rationale="Highest total score: the strongest local team and a price within the "
                  "budget."),
    Competition(
        stage=STANDSTILL, lead="03V", title="Corby CCG: commissioning support for 2013/14",
        summary="Planning, contracting and business intelligence for a small CCG, from the "
                "CSS or a partner.",
        codes=("PLN-HNA", "AGR-PRC", "MON-CTM", "BI-DSS"),
        rivals=("Hertfordshire CSS", "Meridian Commissioning Partners Ltd"),
        published=date(2012, 9, 17), questions_close=date(2012, 9, 28),
        closes=date(2012, 10, 26), decided=date(2012, 11, 12),
        rationale="Highest total score: the strongest plan for a small CCG, sharing the "
                  "Northamptonshire contracting team."),
    # --- closed, under evaluation ---------------------------------------------------------------
    Competition(
        stage=EVALUATION, lead="05A", partners=("05H", "05R"),
        title="Arden CCGs: joint business intelligence and contract support from April 2013",
        summary="One business intelligence and contract monitoring service for the three "
                "CCGs of the Arden cluster, its cost split by population.",
        codes=("BI-DSS", "BI-DMIC", "MON-CTM", "AGR-PRC"),
        rivals=("Greater East Midlands CSS", "Meridian Commissioning Partners Ltd"),
        published=date(2012, 9, 17), questions_close=date(2012, 10, 19),
        closes=date(2012, 11, 9),
        questions=(
            Question(1, _at(date(2012, 9, 19), 14),
                     "Should the price for decision support cover the three CCGs' practices "
                     "as well as the CCGs themselves?", _at(date(2012, 9, 20), 11),
                     "Yes: the 129 practices across the three CCGs, at the populations "
                     "shown."),
            Question(2, _at(date(2012, 10, 15), 10),
                     "Can procurement support be priced as a day rate?",
                     _at(date(2012, 10, 16), 12),
                     "Yes, any of the four pricing models; say how many days you expect."),
        )),
    Competition(
        stage=MODERATED, lead="09D",
        title="Brighton and Hove CCG: financial management and governance support",
        summary="Financial management, governance and corporate support from April 2013.",
        codes=("BUS-FIN", "BUS-GOV", "BUS-HR", "BUS-PRO"),
        rivals=("Kent and Medway CSS", "CSS South"),
        published=date(2012, 9, 24), questions_close=date(2012, 10, 19),
        closes=date(2012, 11, 12)),
    # --- open -----------------------------------------------------------------------------------
    Competition(
        stage=OPEN, lead="07W", title="Ealing CCG: procurement and market management support",
        summary="Procurement of community services and management of the local provider "
                "market, from April 2013.",
        codes=("AGR-PRC", "AGR-MKT", "AGR-NEG", "BI-DSS"),
        rivals=("North and East London CSS", "Meridian Commissioning Partners Ltd"),
        published=date(2012, 11, 5), questions_close=date(2012, 11, 23),
        closes=date(2012, 12, 3), submitted=(1,),
        questions=(
            Question(0, _at(date(2012, 11, 7), 11),
                     "Does the community services procurement include the TUPE transfer "
                     "work, or is that with the CCG's HR provider?",
                     _at(date(2012, 11, 8), 15),
                     "It is included: the supplier supports the TUPE process with the "
                     "incumbent trust."),
            Question(1, _at(date(2012, 11, 13), 9),
                     "Is the budget for the market management line for one year or for the "
                     "whole term?", _at(date(2012, 11, 14), 10),
                     "Every budget shown is a year's; the term is 18 months."),
            Question(2, _at(date(2012, 11, 16), 16),
                     "May an independent provider respond for the procurement lines only?"),
        )),
    Competition(
        stage=OPEN, lead="01F", title="Halton CCG: health needs assessment and planning",
        summary="Joint strategic needs assessment support with Halton Borough Council, and "
                "strategic planning for 2013/14.",
        codes=("PLN-HNA", "PLN-PRI", "PLN-OPT", "PLN-CHG"),
        rivals=("Cheshire, Warrington and Wirral CSS", "Northern Health Analytics LLP"),
        published=date(2012, 11, 12), questions_close=date(2012, 11, 21),
        closes=date(2012, 11, 28), submitted=(),
        questions=(Question(1, _at(date(2012, 11, 14), 12),
                            "Will the needs assessment be published jointly with the "
                            "council?", _at(date(2012, 11, 15), 9),
                            "Yes: the health and wellbeing board publishes it."),)),
]

# Who acts for the organisations that have no demo login yet: (email, full name).
FIRST_NAMES = ["Anna", "Ben", "Chloe", "Daniel", "Emma", "Farid", "Gemma", "Harry", "Isla",
               "Jack", "Kate", "Liam", "Maya", "Nathan", "Olivia", "Paul", "Rachel", "Simon",
               "Tara", "Usman", "Victoria", "William", "Yasmin", "Zoe"]
LAST_NAMES = ["Ahmed", "Baker", "Clarke", "Davies", "Edwards", "Fletcher", "Green", "Hill",
              "Iqbal", "Jones", "Khan", "Lewis", "Mitchell", "Nolan", "Owen", "Parker",
              "Quinn", "Roberts", "Singh", "Taylor", "Turner", "Walker", "Wright", "Young"]


class _DemoUsers:
    """The users who act in the demo; made (with the demo password) where missing."""

    def __init__(self):
        self._hash = None
        self._taken = set(db.session.scalars(select(User.full_name)))

    def _name(self, key: str) -> str:
        rng = random.Random(f"demo-user-{key}")
        while True:  # nobody shares a name, so the audit trail reads clearly
            name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
            if name not in self._taken:
                self._taken.add(name)
                return name

    def get(self, email: str, organisation: Organisation, role: str) -> User:
        found = db.session.scalar(select(User).where(User.email == email))
        if found is not None:
            return found
        self._hash = self._hash or hash_password(current_app.config["DEMO_PASSWORD"])
        user = User(email=email, full_name=self._name(email), role=role,
                    organisation=organisation, password_hash=self._hash,
                    is_active_user=True)
        db.session.add(user)
        record_event("user.created", user, f"Demo data: created {email}", actor=None)
        db.session.flush()
        return user

    def ccg_lead(self, ccg: Organisation) -> User:
        """The CCG's demo login where it has one, else a commissioning manager."""
        existing = db.session.scalar(
            select(User).where(User.organisation_id == ccg.id, User.role == Role.CCG_USER,
                               User.is_active_user.is_(True), User.email.like("%@demo.test"))
            .order_by(User.id))
        return existing or self.get(f"buyer.{ccg.ods_code.lower()}@demo.test", ccg,
                                    Role.CCG_USER)

    def ccg_evaluator(self, ccg: Organisation) -> User:
        return self.get(f"evaluator.{ccg.ods_code.lower()}@demo.test", ccg, Role.CCG_USER)

    def provider_leader(self, provider: Organisation) -> User:
        existing = db.session.scalar(
            select(User).where(User.organisation_id == provider.id,
                               User.role == Role.CSS_LEADER, User.is_active_user.is_(True))
            .order_by(User.id))
        slug = "".join(c if c.isalnum() else "-" for c in provider.name.lower()).strip("-")
        while "--" in slug:
            slug = slug.replace("--", "-")
        return existing or self.get(f"leader.{slug}@demo.test", provider, Role.CSS_LEADER)


def _organisation(**where) -> Organisation | None:
    query = select(Organisation)
    for name, value in where.items():
        query = query.where(getattr(Organisation, name) == value)
    return db.session.scalar(query)


def home_css_names() -> dict[str, str]:
    """ODS code -> the name of the CSS that was home to the CCG in 2012."""
    return {row["ods_code"]: css_display_name(row["home_css"].strip())
            for row in read_csv("ccg_clusters_2012.csv") if row["home_css"].strip()}


def _set_now(moment: datetime) -> None:
    current_app.config["MARKETPLACE_TODAY"] = moment


def _money(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass
class _Run:
    competition: Competition
    users: _DemoUsers
    lead: Organisation
    partners: list[Organisation]
    home: Organisation
    specifications: list[ServiceSpecification]
    bidders: list[Organisation] = field(default_factory=list)

    @property
    def c(self) -> Competition:
        return self.competition


def _specifications(codes, home: Organisation) -> list[ServiceSpecification]:
    """The wanted specifications the home CSS offers (so it can bid), at least two."""
    by_code = {spec.code: spec for spec in statements.current_specifications()}
    offered = bids.current_offers(home.id, [s.id for s in by_code.values()])
    wanted = [by_code[code] for code in codes if code in by_code]
    chosen = [spec for spec in wanted if spec.id in offered]
    if len(chosen) < 2:  # its prospectus does not have them: what it does offer instead
        extra = [spec for spec in by_code.values()
                 if spec.id in offered and spec not in chosen and spec.code != "E2E-CSS"]
        chosen += extra[:2 - len(chosen)]
    return chosen or wanted


def _statement(run: _Run) -> Statement:
    c = run.c
    lead_user = run.users.ccg_lead(run.lead)
    _set_now(_at(c.published - timedelta(days=28), 10))
    statement = statements.create_statement(lead_user, statements.DetailsInput(
        title=c.title, summary=c.summary, wanted_from=date(2013, 4, 1), term_months=18))
    for ccg in [run.lead, *run.partners]:
        actor = lead_user if ccg is run.lead else run.users.ccg_lead(ccg)
        if ccg is not run.lead:
            statements.invite_partner(lead_user, statement, ccg.id, None)
            db.session.flush()  # a request of its own in the product: the party has its ids
        for position, spec in enumerate(run.specifications):
            budget = _money((ccg.population or 0) * c.budget_per_head
                            * Decimal(10 + position) / 10)
            statements.save_line(actor, statement, statements.LineInput(
                specification_id=spec.id, mode="buy",
                priority=("high", "medium", "medium", "low")[position % 4],
                budget_annual=str(budget),
                local_service_levels=("Monthly report to the governing body: by the 10th "
                                      "working day" if position == 0 else "")), None)
    _set_now(_at(c.published - timedelta(days=21), 15))
    for ccg in [*run.partners, run.lead]:
        actor = lead_user if ccg is run.lead else run.users.ccg_lead(ccg)
        statements.confirm_lines(actor, statement, None)
    return statement


def _evaluators(run: _Run) -> list[User]:
    lead_user = run.users.ccg_lead(run.lead)
    second = (run.users.ccg_lead(run.partners[-1]) if run.partners
              else run.users.ccg_evaluator(run.lead))
    return [lead_user, second]


def _publish(run: _Run, statement: Statement):
    c = run.c
    lead_user = run.users.ccg_lead(run.lead)
    _set_now(_at(c.published - timedelta(days=7), 11))
    procurement = procurements.start_procurement(
        lead_user, statement, "further_competition",
        "Over the full term the value is above the EU threshold for services, so the "
        "support is competed among every provider that offers it.")
    procurements.set_details(
        lead_user, procurement, procurement.lock_version, title=c.title,
        description=c.summary, budget_shown=c.budget_shown,
        clarifications_close_at=_at(c.questions_close, 17),
        closes_at=_at(c.closes, 17))
    procurements.set_criteria(lead_user, procurement, procurement.lock_version, CRITERIA)
    procurements.set_evaluators(lead_user, procurement, procurement.lock_version,
                                [user.id for user in _evaluators(run)])
    procurements.set_invitees(lead_user, procurement, procurement.lock_version,
                              open_to_all=True, organisation_ids=[])
    # A rival that has merged since (demo/market.py) bids as its successor, once.
    rivals = [successor_of(org) for org in (_organisation(name=name) for name in c.rivals)
              if org is not None]
    wanted = list({org.id: org for org in [run.home, *rivals]}.values())
    eligible = eligible_provider_ids(procurement)
    if any(org.id not in eligible for org in wanted):
        # A rival offers none of these services: the CCG invites its chosen list instead.
        procurements.set_invitees(lead_user, procurement, procurement.lock_version,
                                  open_to_all=False, organisation_ids=[o.id for o in wanted])
    run.bidders = wanted
    _set_now(_at(c.published, 10))
    return procurements.publish(lead_user, procurement, procurement.lock_version)


def _questions(run: _Run, procurement) -> None:
    lead_user = run.users.ccg_lead(run.lead)
    for question in run.c.questions:
        if question.asker >= len(run.bidders):
            continue
        _set_now(question.asked)
        asked = clarifications.ask(run.users.provider_leader(run.bidders[question.asker]),
                                   procurement, question.question)
        if question.answered is not None:
            _set_now(question.answered)
            clarifications.answer(lead_user, asked, question.answer)


def _share(index: int, provider: Organisation) -> Decimal:
    if index == 0:
        return HOME_PRICE
    return (INDEPENDENT_PRICE if provider.kind == OrganisationKind.INDEPENDENT_PROVIDER
            else RIVAL_PRICE)


def _respond(run: _Run, procurement, index: int, provider: Organisation, *,
             submit: bool) -> None:
    c = run.c
    actor = run.users.provider_leader(provider)
    # Responses come in over the last days before the closing time; while a competition is
    # still open at the demo's "now", in the days after it was published, so none is dated
    # after DEMO_NOW.
    if c.stage == OPEN:
        _set_now(_at(c.published + timedelta(days=3 + min(index, 2)), 14 + index))
    else:
        _set_now(_at(c.closes - timedelta(days=3 - min(index, 2)), 14 + index))
    bid = bids.start_response(actor, procurement)
    share = NONE_SUITABLE_PRICE if c.stage == NONE_SUITABLE else _share(index, provider)
    lines = []
    for position, guide in enumerate(bids.line_guides(procurement, provider.id)):
        per_head = c.budget_per_head * Decimal(10 + position) / 10 * share
        lines.append(bids.LineInput(guide.specification.id, "per_head",
                                    str(_money(per_head))))
    answers = {criterion.id: _answer(provider, criterion.name, index)
               for criterion in bids.quality_criteria(procurement)}
    bids.save_response(actor, bid, bid.lock_version,
                       summary=f"{provider.name}'s response to {procurement.reference}.",
                       lines=lines, answers=answers)
    if submit:
        bids.submit(actor, bid, bid.lock_version)


def _answer(provider: Organisation, criterion: str, index: int) -> str:
    if index == 0:
        return (f"{criterion}: {provider.name} already supports these CCGs in their shadow "
                "year. The same named team carries on from April, with the monthly reports "
                "the governing body knows.")
    if provider.kind == OrganisationKind.INDEPENDENT_PROVIDER:
        return (f"{criterion}: a specialist team with NHS and local government experience, "
                "mobilised in six weeks, with a named account director.")
    return (f"{criterion}: {provider.name} would run the service from its own hub, with a "
            "local lead based with the CCG two days a week.")


def _scores(run: _Run, index: int, provider: Organisation, evaluator_number: int):
    if index == 0:
        base = HOME_SCORES
    elif provider.kind == OrganisationKind.INDEPENDENT_PROVIDER:
        base = INDEPENDENT_SCORES
    else:
        base = RIVAL_SCORES
    if run.c.stage == NONE_SUITABLE:
        base = (2, 2)
    # The second evaluator marks a little differently; moderation agrees the first's.
    if evaluator_number == 1:
        base = (base[0], max(base[1] - 1, 0))
    return base


REASONS = {5: "Excellent: fully meets the need, with evidence.",
           4: "Good: meets the need, with a few gaps.",
           3: "Acceptable: meets most of the need.",
           2: "Weak: meets some of the need, with notable gaps.",
           1: "Poor", 0: "No answer"}


def _score_inputs(procurement, values) -> list[evaluation.ScoreInput]:
    return [evaluation.ScoreInput(criterion.id, str(value), REASONS[value])
            for criterion, value in zip(evaluation.quality_criteria(procurement), values,
                                        strict=True)]


def _evaluate(run: _Run, procurement, evaluators: list[User]) -> None:
    submitted = evaluation.bids_to_evaluate(procurement)
    order = {provider.id: index for index, provider in enumerate(run.bidders)}
    for number, evaluator in enumerate(evaluators):
        for bid in submitted:
            index = order[bid.provider_id]
            evaluation.save_scores(evaluator, procurement, bid, _score_inputs(
                procurement, _scores(run, index, bid.provider, number)))
        evaluation.submit_scores(evaluator, procurement)


def _moderate(run: _Run, procurement) -> None:
    lead_user = run.users.ccg_lead(run.lead)
    order = {provider.id: index for index, provider in enumerate(run.bidders)}
    for bid in evaluation.bids_to_evaluate(procurement):
        values = _scores(run, order[bid.provider_id], bid.provider, 0)
        evaluation.moderate(lead_user, procurement, bid, bid.lock_version, [
            evaluation.ScoreInput(i.criterion_id, i.score, "Agreed at moderation: " + i.reason)
            for i in _score_inputs(procurement, values)])


def _working_day_after(day: date) -> date:
    """The next working day in England (weekends and bank holidays skipped)."""
    day += timedelta(days=1)
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


# The service levels the CCG agrees on each line before signing, by the specification's code
# prefix: (measure, unit, target, direction, tolerance, frequency).
LINE_KPIS = {
    "BI": [("Monthly dashboards published by the 5th working day", "working_days", "5",
            "lower", "1", "monthly"),
           ("Data quality issues resolved within 10 working days", "percent", "95", "higher",
            "3", "monthly")],
    "MON": [("Contract performance report to the CCG by the 12th working day",
             "working_days", "12", "lower", "2", "monthly")],
}
DEFAULT_KPIS = [("Requests answered within 5 working days", "percent", "90", "higher", "5",
                 "monthly"),
                ("Customer satisfaction with the service", "percent", "80", "higher", "5",
                 "quarterly")]


def _agree_kpis(ccg_user: User, agreement) -> None:
    """The CCG sets the KPIs of any line the offers named no service levels for."""
    for line in agreement.lines:
        if line.kpis:
            continue
        prefix = line.specification.code.split("-")[0]
        for measure, unit, target, direction, tolerance, frequency in LINE_KPIS.get(
                prefix, DEFAULT_KPIS):
            service_levels.add_kpi(ccg_user, agreement, agreement.lock_version, line,
                                   service_levels.KpiInput(
                                       f"{line.specification.name}: {measure[0].lower()}"
                                       f"{measure[1:]}", unit, target, direction, tolerance,
                                       frequency))


def _after_award(run: _Run, procurement) -> None:
    c = run.c
    decision = procurement.decision
    if c.stage == STANDSTILL:
        if c.decision_question:
            loser = next(bid for bid in awards.letter_bids(procurement)
                         if bid.id != decision.winning_bid_id)
            _set_now(_at(c.decided + timedelta(days=2), 11))
            awards.ask_about_decision(run.users.provider_leader(loser.provider), procurement,
                                      c.decision_question)
        return
    # The standstill ends at midnight after its last day; the agreements are drafted when
    # the lead next opens the procurement, on the next working day.
    _set_now(_at(_working_day_after(decision.standstill_ends_on), 9))
    procurements.refresh_status(procurement)
    for agreement in agreements_for_procurement(procurement):
        _set_now(_at(c.ccg_signs, 10))
        _agree_kpis(run.users.ccg_lead(agreement.ccg), agreement)
        _set_now(_at(c.ccg_signs, 11))
        agreements.sign_for_ccg(run.users.ccg_lead(agreement.ccg), agreement,
                                agreement.lock_version)
        if c.stage == SIGNED:
            _set_now(_at(c.css_countersigns, 15))
            agreements.countersign(run.users.provider_leader(agreement.provider), agreement,
                                   agreement.lock_version)


def _competition(run: _Run) -> None:
    c = run.c
    procurement = _publish(run, _statement(run))
    _questions(run, procurement)
    for index, provider in enumerate(run.bidders):
        if c.stage != OPEN or index in c.submitted:
            _respond(run, procurement, index, provider, submit=True)
        elif index == 0:  # the home CSS's response is a draft still being written
            _respond(run, procurement, index, provider, submit=False)
    if c.stage == OPEN:
        return
    evaluators = _evaluators(run)
    # The morning after the closing time: it closes, and evaluation begins.
    _set_now(_at(c.closes + timedelta(days=3), 9))
    procurements.refresh_status(procurement)
    if c.stage == EVALUATION:
        _evaluate(run, procurement, evaluators[1:])  # the lead has not scored yet
        return
    _evaluate(run, procurement, evaluators)
    _moderate(run, procurement)
    if c.stage == MODERATED:
        return
    lead_user = run.users.ccg_lead(run.lead)
    _set_now(_at(c.decided, 10))
    if c.stage == NONE_SUITABLE:
        awards.none_suitable(lead_user, procurement, procurement.lock_version, c.rationale)
        return
    top_bid, _result = evaluation.ranking(procurement).ranked[0]
    awards.award(lead_user, procurement, procurement.lock_version, bid_id=top_bid.id,
                 rationale=c.rationale)
    _after_award(run, procurement)


def _plan(competition: Competition, users: _DemoUsers, homes: dict[str, str]) -> _Run | None:
    lead = _organisation(ods_code=competition.lead, kind=OrganisationKind.CCG)
    home = _organisation(name=homes.get(competition.lead, ""), kind=OrganisationKind.CSS)
    if lead is None or home is None:
        return None
    home = successor_of(home)
    partners = [org for org in (_organisation(ods_code=code, kind=OrganisationKind.CCG)
                                for code in competition.partners) if org is not None]
    specifications = _specifications(competition.codes, home)
    if not specifications:
        return None
    return _Run(competition, users, lead, partners, home, specifications)


def seed_procurements(scale: int = 1) -> None:
    """Every competition in COMPETITIONS not seeded yet, each through the services at its
    own dates; "now" is put back as it was afterwards."""
    if not statements.current_specifications():
        return
    homes = home_css_names()
    users = _DemoUsers()
    pinned = current_app.config.get("MARKETPLACE_TODAY")
    try:
        for competition in COMPETITIONS:
            lead = _organisation(ods_code=competition.lead, kind=OrganisationKind.CCG)
            if lead is None or db.session.scalar(select(Statement.id).where(
                    Statement.lead_ccg_id == lead.id, Statement.title == competition.title)):
                continue
            run = _plan(competition, users, homes)
            if run is not None:
                _competition(run)
    finally:
        current_app.config["MARKETPLACE_TODAY"] = pinned
