"""Statements of requirements: a CCG (or several together) says what it needs from the market.

The lead CCG writes the statement's details, invites partner CCGs and chooses how the budget
is split; every CCG taking part writes and confirms its own lines. When every party that has
not declined has confirmed, the statement is ready and a procurement can start from it
(services/procurements.py). Any later change reopens the confirmations it affects.

Every change is one transaction with an audit event; every edit form sends the statement's
lock_version, so a change made on a page drawn before somebody else's change is refused.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cache

from sqlalchemy import (
    Integer,
    Numeric,
    bindparam,
    cast,
    distinct,
    func,
    literal,
    null,
    select,
    type_coerce,
    union_all,
)
from sqlalchemy.orm import contains_eager, selectinload

from marketplace import clock, policies
from marketplace.domain import statements as rules
from marketplace.domain.money import ZERO, round_money
from marketplace.domain.whole_numbers import whole_number
from marketplace.extensions import db
from marketplace.models import (
    IntendedMode,
    Organisation,
    OrganisationKind,
    PartyStatus,
    Priority,
    Region,
    Role,
    ScenarioLine,
    ServiceSpecification,
    SplitMethod,
    Statement,
    StatementLine,
    StatementParty,
    StatementStatus,
    User,
)

from . import statement_data
from .audit import record_event
from .buying_common import FieldErrors, clean_text
from .errors import NotFound, PermissionDenied, ServiceError
from .scenarios import line_annual_cost
from .transaction import check_version, transactional

PHASE_ORDER = ("planning", "agreeing_contracts", "monitoring_contracts", "business_support")
STALE_STATEMENT = (
    "Somebody else changed this statement after you opened the page, so your change was not "
    "saved. Check the statement as it is now and make your change again."
)
EDITABLE = (StatementStatus.DRAFT, StatementStatus.READY)
MAX_TERM_MONTHS = 60
# The 2012 guidance: service level agreements of at most 18 months.
GUIDANCE_TERM_MONTHS = 18


# -- reading -----------------------------------------------------------------------------


def _is_current():
    return ServiceSpecification.retired_at.is_(None)


def current_specifications() -> list[ServiceSpecification]:
    """Specifications still open to offers, in commissioning-cycle order."""
    found = db.session.scalars(
        select(ServiceSpecification)
        .where(_is_current())
        .order_by(ServiceSpecification.code)
    ).all()
    return sorted(found, key=lambda spec: _phase_rank(spec.phase))


def current_specification_names():
    """The same specifications in the same order, as plain rows of id, name, code and phase
    (for pages that name them only, without loading each one's descriptions)."""
    found = db.session.execute(
        select(ServiceSpecification.id, ServiceSpecification.name, ServiceSpecification.code,
               ServiceSpecification.phase)
        .where(_is_current())
        .order_by(ServiceSpecification.code)
    ).all()
    return sorted(found, key=lambda spec: _phase_rank(spec.phase))


def _phase_rank(phase: str) -> int:
    return PHASE_ORDER.index(phase) if phase in PHASE_ORDER else len(PHASE_ORDER)


def statements_for(user: User) -> list[Statement]:
    """The statements the user's CCG takes part in (as lead, partner or invitee)."""
    if user.role != Role.CCG_USER:
        return []
    return db.session.scalars(
        select(Statement)
        .join(StatementParty, StatementParty.statement_id == Statement.id)
        .where(StatementParty.ccg_id == user.organisation_id)
        .options(selectinload(Statement.parties), selectinload(Statement.lines))
        .order_by(Statement.created_at.desc(), Statement.id.desc())
    ).all()


def statement_with_lines(statement_id: int) -> Statement | None:
    """The statement with its parties and their CCGs, and its lines with their
    specifications, which its page groups and names: a query each, not one a line."""
    return db.session.scalar(
        select(Statement).where(Statement.id == statement_id)
        .options(selectinload(Statement.parties).joinedload(StatementParty.ccg),
                 selectinload(Statement.lines).joinedload(StatementLine.specification)))


def statement_for(user: User, statement_id: int) -> Statement:
    """The statement if the user's CCG takes part in it; NotFound otherwise, so that other
    CCGs' statements are not even confirmed to exist."""
    statement = db.session.get(Statement, statement_id)
    if statement is None:
        raise NotFound("There is no such statement")
    return policies.require(user, "view", statement)


def line_for(statement: Statement, line_id: int) -> StatementLine:
    line = next((line for line in statement.lines if line.id == line_id), None)
    if line is None:
        raise NotFound("There is no such line")
    return line


def lines_by_ccg(statement: Statement) -> list[tuple[StatementParty, list[StatementLine]]]:
    grouped = defaultdict(list)
    for line in statement.lines:
        grouped[line.ccg_id].append(line)
    ordered = sorted(statement.parties, key=lambda party: (not party.is_lead, party.ccg.name))
    return [(party, sorted(grouped[party.ccg_id],
                           key=lambda line: (_phase_rank(line.specification.phase),
                                             line.specification.code)))
            for party in ordered]


def scenario_lines_for(ccg_id: int) -> list[ScenarioLine]:
    """The CCG's scenario lines a statement line could take its budget from."""
    from marketplace.models import Scenario

    return db.session.scalars(
        select(ScenarioLine).join(Scenario, ScenarioLine.scenario_id == Scenario.id)
        .where(Scenario.organisation_id == ccg_id)
        .options(contains_eager(ScenarioLine.scenario))  # each choice names its scenario
        .order_by(Scenario.name, Scenario.id, ScenarioLine.position)
    ).all()


def active_parties(statement: Statement) -> list[StatementParty]:
    return [party for party in statement.parties if party.status != PartyStatus.DECLINED]


@dataclass(frozen=True)
class PartySplit:
    party: StatementParty
    own_budget: Decimal  # what the CCG's own bought lines budget a year
    share_percent: Decimal  # population share (shown) or the agreed share
    part: Decimal | None  # its part of the joint budget, None when it cannot be split yet


@dataclass(frozen=True)
class BudgetSplit:
    method: str
    total: Decimal | None
    parties: tuple[PartySplit, ...]
    problem: str | None = None


def budget_split(statement: Statement) -> BudgetSplit:
    """The bought lines' annual budget and each CCG's part of it, by the statement's method."""
    total = statement_data.statement_budget(statement)
    parties = active_parties(statement)
    own = defaultdict(lambda: ZERO)
    for line in statement_data.bought_lines(statement):
        if line.budget_annual is not None:
            own[line.ccg_id] += line.budget_annual
    domain_parties = [rules.Party(str(p.ccg_id), p.ccg.population, p.agreed_share_percent)
                      for p in parties]
    if statement.split_method == SplitMethod.AGREED_SHARES:
        percents = {str(p.ccg_id): p.agreed_share_percent or ZERO for p in parties}
    else:
        percents = rules.population_percentages(domain_parties)
    parts, problem = {}, None
    if total is not None:
        try:
            parts = rules.split_between(total, domain_parties, statement.split_method)
        except rules.StatementInputError as error:
            problem = error.message
    return BudgetSplit(
        statement.split_method, total,
        tuple(PartySplit(p, round_money(own[p.ccg_id]), percents[str(p.ccg_id)],
                         parts.get(str(p.ccg_id))) for p in parties),
        problem)


def cost_split(statement: Statement, annual_cost: Decimal) -> dict[int, Decimal]:
    """An awarded annual cost split between the CCGs as the statement says: CCG id → pounds,
    adding up exactly to the cost."""
    parties = active_parties(statement)
    try:
        parts = rules.split_between(
            annual_cost,
            [rules.Party(str(p.ccg_id), p.ccg.population, p.agreed_share_percent)
             for p in parties],
            statement.split_method)
    except rules.StatementInputError as error:
        raise ServiceError(error.message, field=error.field) from error
    return {int(key): value for key, value in parts.items()}


ONLY_CCG_USERS = "Only CCG users can write statements of requirements"


# -- checks ------------------------------------------------------------------------------


def _require_ccg_user(actor: User) -> None:
    if actor.organisation is None:
        raise PermissionDenied(ONLY_CCG_USERS)
    policies.require(actor, "act_for_ccg", actor.organisation, ONLY_CCG_USERS)


def _party_of(actor: User, statement: Statement) -> StatementParty:
    _require_ccg_user(actor)
    policies.require(actor, "view", statement)
    return statement.party_for(actor.organisation_id)


def _require_lead(actor: User, statement: Statement) -> StatementParty:
    party = _party_of(actor, statement)
    policies.require(actor, "lead", statement,
                     "Only the lead CCG can change this part of the statement")
    return party


def _require_editable(statement: Statement) -> None:
    if statement.status not in EDITABLE:
        raise ServiceError(f"The statement is {statement.status_label.lower()}, so it can no "
                           "longer be changed")


def _changed(statement: Statement, expected_version: int | None) -> None:
    """Refuse a change drawn from an older page, and make this change bump the version."""
    check_version(statement, expected_version, STALE_STATEMENT)
    statement.updated_at = clock.now()


def _unconfirm(statement: Statement, parties: Iterable[StatementParty]) -> None:
    for party in parties:
        if party.status == PartyStatus.CONFIRMED:
            party.status = PartyStatus.INVITED
            party.confirmed_at = None
            party.confirmed_by = None
        for line in statement.lines:
            if line.ccg_id == party.ccg_id:
                line.confirmed_at = None
    if statement.status == StatementStatus.READY:
        statement.status = StatementStatus.DRAFT


def _all_confirmed(statement: Statement) -> bool:
    return all(party.status == PartyStatus.CONFIRMED for party in active_parties(statement))


# -- the statement's details (lead) ------------------------------------------------------


@dataclass(frozen=True)
class DetailsInput:
    title: str
    summary: str = ""
    wanted_from: date | None = None
    term_months: str | int = 12


def _check_details(data: DetailsInput) -> dict:
    errors, values = [], {}
    try:
        values["title"] = clean_text(data.title, "title", 200,
                                     required="Enter a title for the statement")
    except ServiceError as error:
        errors.append((error.field, error.message))
    try:
        values["summary"] = clean_text(data.summary, "summary", 4000)
    except ServiceError as error:
        errors.append((error.field, error.message))
    term = whole_number(str(data.term_months).strip())
    if term is None:
        errors.append(("term_months", "Enter the term as a whole number of months, like 18"))
    elif not 1 <= term <= MAX_TERM_MONTHS:
        errors.append(("term_months", f"Enter a term from 1 to {MAX_TERM_MONTHS} months"))
    else:
        values["term_months"] = term
    if data.wanted_from is not None and not date(2012, 1, 1) <= data.wanted_from \
            <= date(2030, 12, 31):
        errors.append(("wanted_from", "Enter a start date between 2012 and 2030"))
    values["wanted_from"] = data.wanted_from
    if errors:
        raise FieldErrors(errors)
    return values


@transactional
def create_statement(actor: User, data: DetailsInput) -> Statement:
    _require_ccg_user(actor)
    values = _check_details(data)
    ccg = actor.organisation
    statement = Statement(lead_ccg=ccg, created_by=actor, status=StatementStatus.DRAFT,
                          split_method=SplitMethod.POPULATION, **values)
    statement.parties.append(StatementParty(ccg=ccg, is_lead=True, status=PartyStatus.INVITED,
                                            invited_at=clock.now()))
    db.session.add(statement)
    record_event("statement.created", statement,
                 f"{ccg.name} started the statement “{statement.title}”",
                 changes=values, actor=actor)
    return statement


@transactional
def update_details(actor: User, statement: Statement, data: DetailsInput,
                   lock_version: int | None) -> bool:
    _require_lead(actor, statement)
    _require_editable(statement)
    values = _check_details(data)
    changes = {name: [getattr(statement, name), value] for name, value in values.items()
               if getattr(statement, name) != value}
    check_version(statement, lock_version, STALE_STATEMENT)
    if not changes:
        return False
    _changed(statement, lock_version)
    for name, (_old, value) in changes.items():
        setattr(statement, name, value)
    # Every CCG agreed to the old dates and words: each confirms again.
    _unconfirm(statement, statement.parties)
    record_event("statement.updated", statement,
                 f"{actor.organisation.name} changed the details of “{statement.title}”",
                 changes=changes, actor=actor)
    return True


@transactional
def withdraw_statement(actor: User, statement: Statement, lock_version: int | None) -> None:
    _require_lead(actor, statement)
    _require_editable(statement)
    _changed(statement, lock_version)
    statement.status = StatementStatus.WITHDRAWN
    for line in statement.lines:
        if line.scenario_line_id is not None:
            line.scenario_line_id = None  # the scenario line is free for another statement
    record_event("statement.withdrawn", statement,
                 f"{actor.organisation.name} withdrew the statement “{statement.title}”",
                 actor=actor)


# -- lines (each CCG its own) ------------------------------------------------------------


@dataclass(frozen=True)
class LineInput:
    specification_id: int | None
    mode: str = IntendedMode.BUY
    priority: str = Priority.MEDIUM
    population_covered: str = ""
    activity_per_year: str = ""
    days_per_year: str = ""
    local_service_levels: str = ""
    exclusions: str = ""
    notes: str = ""
    budget_annual: str = ""
    scenario_line_id: int | None = None


def _check_line(data: LineInput, ccg: Organisation, statement: Statement,
                line: StatementLine | None) -> dict:
    errors: list[tuple[str, str]] = []
    values: dict = {}

    def attempt(name, parse):
        try:
            values[name] = parse()
        except rules.StatementInputError as error:
            errors.append((error.field, error.message))
        except ServiceError as error:
            errors.append((error.field or name, error.message))

    specification = (db.session.get(ServiceSpecification, data.specification_id)
                     if data.specification_id is not None else None)
    if specification is None:
        errors.append(("specification_id", "Choose a specification from the catalogue"))
    elif specification.is_retired and (line is None or line.specification_id
                                       != specification.id):
        errors.append(("specification_id",
                       f"{specification.name} has been retired: choose another"))
    else:
        clash = next((other for other in statement.lines
                      if other.ccg_id == ccg.id and other.specification_id == specification.id
                      and other is not line), None)
        if clash is not None:
            errors.append(("specification_id",
                           f"Your CCG already has a line for {specification.name}: change "
                           "that line instead"))
        values["specification"] = specification
    if data.mode not in set(IntendedMode):
        errors.append(("mode", "Choose whether you will do it, buy it or share it"))
    else:
        values["mode"] = IntendedMode(data.mode).value
    if data.priority not in set(Priority):
        errors.append(("priority", "Choose a priority"))
    else:
        values["priority"] = Priority(data.priority).value
    attempt("population_covered",
            lambda: rules.parse_population(data.population_covered, ccg.population))
    attempt("activity_per_year", lambda: rules.parse_quantity(
        data.activity_per_year, "activity_per_year", rules.MAX_ACTIVITY, "cases a year"))
    attempt("days_per_year", lambda: rules.parse_quantity(
        data.days_per_year, "days_per_year", rules.MAX_DAYS, "days a year"))
    attempt("local_service_levels", lambda: rules.parse_service_levels(
        data.local_service_levels))
    attempt("exclusions", lambda: clean_text(data.exclusions, "exclusions", 4000))
    attempt("notes", lambda: clean_text(data.notes, "notes", 4000))
    attempt("budget_annual", lambda: rules.parse_budget(data.budget_annual))
    values["scenario_line"] = None
    if data.scenario_line_id is not None:
        scenario_line = db.session.get(ScenarioLine, data.scenario_line_id)
        if scenario_line is None or scenario_line.scenario.organisation_id != ccg.id:
            errors.append(("scenario_line_id", "Choose one of your CCG's scenario lines"))
        elif (scenario_line.statement_line is not None
              and scenario_line.statement_line is not line):
            errors.append(("scenario_line_id", "That scenario line already gives the budget "
                                               "of another statement line"))
        elif (specification is not None and scenario_line.specification_id is not None
              and scenario_line.specification_id != specification.id):
            errors.append(("scenario_line_id", "That scenario line costs a different "
                                               "specification"))
        else:
            values["scenario_line"] = scenario_line
            attempt("budget_annual", lambda: rules.check_budget(
                line_annual_cost(scenario_line)))
    if errors:
        raise FieldErrors(errors)
    return values


def _line_record(line: StatementLine) -> dict:
    return {
        "specification": line.specification.code, "mode": line.mode,
        "priority": line.priority, "population_covered": line.population_covered,
        "activity_per_year": line.activity_per_year, "days_per_year": line.days_per_year,
        "local_service_levels": line.local_service_levels, "exclusions": line.exclusions,
        "notes": line.notes, "budget_annual": line.budget_annual,
        "scenario_line_id": line.scenario_line_id,
    }


@transactional
def save_line(actor: User, statement: Statement, data: LineInput, lock_version: int | None,
              line: StatementLine | None = None) -> StatementLine:
    """Add a line for the actor's own CCG, or change one of its lines."""
    party = _party_of(actor, statement)
    _require_editable(statement)
    if party.status == PartyStatus.DECLINED:
        raise PermissionDenied("Your CCG declined to take part in this statement")
    if line is not None and line.ccg_id != actor.organisation_id:
        raise PermissionDenied("Each CCG changes only its own lines")
    values = _check_line(data, actor.organisation, statement, line)
    _changed(statement, lock_version)
    before = _line_record(line) if line is not None else None
    if line is None:
        line = StatementLine(ccg=actor.organisation)
        statement.lines.append(line)
    scenario_line = values.pop("scenario_line")
    for name, value in values.items():
        setattr(line, name, value)
    if line.scenario_line is not scenario_line:
        line.scenario_line = scenario_line
    _unconfirm(statement, [party])
    db.session.flush()
    after = _line_record(line)
    record_event(
        "statement.line_saved", statement,
        f"{actor.organisation.name} {'added' if before is None else 'changed'} its line for "
        f"{line.specification.name} in “{statement.title}”",
        changes={"line": line.id, "before": before, "after": after}, actor=actor)
    return line


@transactional
def remove_line(actor: User, statement: Statement, line: StatementLine,
                lock_version: int | None) -> None:
    party = _party_of(actor, statement)
    _require_editable(statement)
    if line.ccg_id != actor.organisation_id:
        raise PermissionDenied("Each CCG changes only its own lines")
    _changed(statement, lock_version)
    record = _line_record(line)
    name = line.specification.name
    statement.lines.remove(line)
    _unconfirm(statement, [party])
    record_event("statement.line_removed", statement,
                 f"{actor.organisation.name} removed its line for {name} from "
                 f"“{statement.title}”", changes={"removed": record}, actor=actor)


# -- joint statements --------------------------------------------------------------------


def partner_choices(statement: Statement) -> list[Organisation]:
    """CCGs the lead could invite: every CCG not already taking part, by name."""
    taking_part = {party.ccg_id for party in statement.parties}
    return [ccg for ccg in db.session.scalars(
        select(Organisation).where(Organisation.kind == OrganisationKind.CCG)
        .order_by(Organisation.name)) if ccg.id not in taking_part]


@transactional
def invite_partner(actor: User, statement: Statement, ccg_id: int | None,
                   lock_version: int | None) -> StatementParty:
    _require_lead(actor, statement)
    _require_editable(statement)
    partner = db.session.get(Organisation, ccg_id) if ccg_id is not None else None
    if partner is None or not partner.is_ccg:
        raise ServiceError("Choose a CCG to invite", field="ccg_id")
    if statement.party_for(partner.id) is not None:
        raise ServiceError(f"{partner.name} is already taking part", field="ccg_id")
    _changed(statement, lock_version)
    party = StatementParty(ccg=partner, status=PartyStatus.INVITED, invited_at=clock.now())
    statement.parties.append(party)
    if statement.status == StatementStatus.READY:
        statement.status = StatementStatus.DRAFT
    if statement.split_method == SplitMethod.AGREED_SHARES:
        # The shares agreed so far no longer add up with a new CCG: agree them again.
        for each in statement.parties:
            each.agreed_share_percent = None
        statement.split_method = SplitMethod.POPULATION
    record_event("statement.partner_invited", statement,
                 f"{actor.organisation.name} invited {partner.name} to the joint statement "
                 f"“{statement.title}”", changes={"partner": partner.ods_code}, actor=actor)
    return party


@transactional
def remove_partner(actor: User, statement: Statement, party_id: int,
                   lock_version: int | None) -> None:
    _require_lead(actor, statement)
    _require_editable(statement)
    party = next((p for p in statement.parties if p.id == party_id), None)
    if party is None:
        raise NotFound("There is no such partner")
    if party.is_lead:
        raise ServiceError("The lead CCG cannot leave its own statement")
    _changed(statement, lock_version)
    for line in [line for line in statement.lines if line.ccg_id == party.ccg_id]:
        statement.lines.remove(line)
    name = party.ccg.name
    statement.parties.remove(party)
    if statement.split_method == SplitMethod.AGREED_SHARES:
        for each in statement.parties:
            each.agreed_share_percent = None
        statement.split_method = SplitMethod.POPULATION
    if statement.status == StatementStatus.DRAFT and _all_confirmed(statement) \
            and statement.lines:
        statement.status = StatementStatus.READY
    record_event("statement.partner_removed", statement,
                 f"{actor.organisation.name} removed {name} from “{statement.title}”",
                 actor=actor)


@transactional
def set_split(actor: User, statement: Statement, method: str,
              shares: dict[int, str], lock_version: int | None) -> None:
    """How the joint budget and cost are split. ``shares``: party id → typed percentage,
    read only when splitting by agreed shares."""
    _require_lead(actor, statement)
    _require_editable(statement)
    if method not in set(SplitMethod):
        raise ServiceError("Choose how to split the budget", field="split_method")
    parties = active_parties(statement)
    new_shares: dict[int, Decimal | None] = {party.id: None for party in statement.parties}
    if method == SplitMethod.AGREED_SHARES:
        errors = []
        for party in parties:
            try:
                new_shares[party.id] = rules.parse_share(shares.get(party.id, ""),
                                                         f"share_{party.id}")
            except rules.StatementInputError as error:
                errors.append((error.field, error.message))
        if errors:
            raise FieldErrors(errors)
        try:
            rules.check_agreed_shares({str(p.id): new_shares[p.id] for p in parties})
        except rules.StatementInputError as error:
            raise ServiceError(error.message, field="shares") from error
    else:
        for party in parties:
            new_shares[party.id] = None
    old = {"split_method": statement.split_method,
           "shares": {p.ccg.ods_code: p.agreed_share_percent for p in statement.parties}}
    check_version(statement, lock_version, STALE_STATEMENT)
    if method == statement.split_method and all(
            party.agreed_share_percent == new_shares[party.id] for party in statement.parties):
        return
    _changed(statement, lock_version)
    statement.split_method = method
    for party in statement.parties:
        party.agreed_share_percent = new_shares[party.id]
    _unconfirm(statement, statement.parties)  # each CCG agrees to what it will pay
    record_event("statement.split_changed", statement,
                 f"{actor.organisation.name} set the split of “{statement.title}”: "
                 f"{SplitMethod(method).label.lower()}",
                 changes={"before": old, "after": {
                     "split_method": method,
                     "shares": {p.ccg.ods_code: p.agreed_share_percent
                                for p in statement.parties}}},
                 actor=actor)


@transactional
def confirm_lines(actor: User, statement: Statement, lock_version: int | None) -> None:
    """The actor's CCG confirms its lines (and, for a joint statement, the split); when
    every CCG taking part has confirmed, the statement is ready to buy."""
    party = _party_of(actor, statement)
    _require_editable(statement)
    if party.status == PartyStatus.DECLINED:
        raise PermissionDenied("Your CCG declined to take part in this statement")
    own = [line for line in statement.lines if line.ccg_id == party.ccg_id]
    if not own:
        raise ServiceError("Add at least one line for your CCG before confirming")
    if party.status == PartyStatus.CONFIRMED:
        check_version(statement, lock_version, STALE_STATEMENT)
        return
    if statement.split_method == SplitMethod.AGREED_SHARES and any(
            p.agreed_share_percent is None for p in active_parties(statement)):
        raise ServiceError("The lead CCG has not yet agreed every CCG's share")
    _changed(statement, lock_version)
    now = clock.now()
    party.status = PartyStatus.CONFIRMED
    party.confirmed_at = now
    party.confirmed_by = actor
    for line in own:
        line.confirmed_at = now
    ready = _all_confirmed(statement)
    if ready:
        statement.status = StatementStatus.READY
    record_event("statement.confirmed", statement,
                 f"{actor.organisation.name} confirmed its {len(own)} line"
                 f"{'' if len(own) == 1 else 's'} in “{statement.title}”"
                 + (": the statement is ready to buy" if ready else ""),
                 changes={"lines": [line.id for line in own], "ready": ready}, actor=actor)


@transactional
def decline(actor: User, statement: Statement, lock_version: int | None) -> None:
    """A partner declines: its lines leave the statement and it takes no share."""
    party = _party_of(actor, statement)
    _require_editable(statement)
    if party.is_lead:
        raise ServiceError("The lead CCG withdraws the statement instead of declining it")
    if party.status == PartyStatus.DECLINED:
        return
    _changed(statement, lock_version)
    for line in [line for line in statement.lines if line.ccg_id == party.ccg_id]:
        statement.lines.remove(line)
    party.status = PartyStatus.DECLINED
    party.confirmed_at = None
    party.agreed_share_percent = None
    if statement.split_method == SplitMethod.AGREED_SHARES:
        for each in statement.parties:
            each.agreed_share_percent = None
        statement.split_method = SplitMethod.POPULATION
    if _all_confirmed(statement) and statement.lines:
        statement.status = StatementStatus.READY
    record_event("statement.declined", statement,
                 f"{actor.organisation.name} declined to take part in “{statement.title}”",
                 actor=actor)


# -- aggregated demand (SHA clusters and the BDU) ----------------------------------------

DEMAND_STATUSES = (StatementStatus.DRAFT, StatementStatus.READY, StatementStatus.IN_PROCUREMENT)
DEMAND_MODES = (IntendedMode.BUY, IntendedMode.SHARE)


@dataclass(frozen=True)
class DemandLine:
    ccg: Organisation
    line: StatementLine
    statement: Statement
    population: int


@dataclass
class DemandGroup:
    """One specification needed in one PCT cluster, added up in SQL; its lines are loaded
    only once the view is narrowed (see Demand.detailed)."""

    specification: ServiceSpecification
    region: str
    cluster: str
    ccg_count: int
    population: int
    budget: Decimal
    statement_count: int
    lines: list[DemandLine] = field(default_factory=list)

    @property
    def joint_candidate(self) -> bool:
        """Two or more CCGs of one cluster need it and are not already in one statement."""
        return self.ccg_count >= 2 and self.statement_count > 1


@dataclass(frozen=True)
class DemandSummary:
    """One cluster, or one specification, added up over its groups."""

    label: str
    region: str
    ccg_count: int
    population: int
    budget: Decimal
    groups: int  # specifications needed (for a cluster) or clusters needing it
    joint_candidates: int
    specification_id: int | None = None


@dataclass(frozen=True)
class Demand:
    groups: list[DemandGroup]
    regions: list[Region]
    clusters: list[str]
    specifications: list[ServiceSpecification]
    region_id: int | None
    cluster: str | None
    specification_id: int | None
    region_fixed: bool  # an SHA cluster sees its own region only
    cluster_summaries: list[DemandSummary] = field(default_factory=list)
    specification_summaries: list[DemandSummary] = field(default_factory=list)

    @property
    def total_budget(self) -> Decimal:
        return round_money(sum((group.budget for group in self.groups), ZERO))

    @property
    def detailed(self) -> bool:
        """Each CCG's line is shown once the view is narrowed to a cluster or specification;
        across the country (3,700 lines in the demo at scale 100) only the totals are."""
        return self.cluster is not None or self.specification_id is not None

    def by_cluster(self) -> list[DemandSummary]:
        return self.cluster_summaries

    def by_specification(self) -> list[DemandSummary]:
        return self.specification_summaries


NO_REGION = "No region"
NO_CLUSTER = "No cluster recorded"


def demand_scope(actor: User) -> int | None:
    """None: every region; otherwise the only region the actor may see."""
    if actor.role in (Role.BDU_REVIEWER, Role.ADMIN):
        return None
    organisation = actor.organisation
    if (actor.role == Role.PEER_REVIEWER and organisation is not None
            and organisation.kind == OrganisationKind.SHA_CLUSTER
            and organisation.region_id is not None):
        return organisation.region_id
    raise PermissionDenied("Only the BDU and SHA clusters see the demand across CCGs")


def _demand_filters(region_id: int | None, cluster: str | None,
                    specification_id: int | None) -> list:
    """Lines to buy or share, of statements not withdrawn, in the region, cluster and
    specification asked for (the parties are filtered by ``_demand_parties``)."""
    filters = [Statement.status.in_([s.value for s in DEMAND_STATUSES]),
               StatementLine.mode.in_([m.value for m in DEMAND_MODES])]
    if region_id is not None:
        filters.append(Organisation.region_id == region_id)
    if cluster is not None:
        filters.append(Organisation.pct_cluster == cluster)
    if specification_id is not None:
        filters.append(StatementLine.specification_id == specification_id)
    return filters


def _demand_joins(query):
    return (query
            .join(Statement, StatementLine.statement_id == Statement.id)
            .join(Organisation, StatementLine.ccg_id == Organisation.id))


def _demand_parties(query, statement_id, ccg_id):
    """Only the lines of CCGs that have not declined to take part."""
    return (query
            .join(StatementParty, (StatementParty.statement_id == statement_id)
                  & (StatementParty.ccg_id == ccg_id))
            .where(StatementParty.status != PartyStatus.DECLINED))


GROUP_ROW, CCG_ROW = "group", "ccg"


DEMAND_ASKED = ("region_id", "cluster", "specification_id")


@cache  # one shape per combination of filters asked for (eight at most): values are bound
def _demand_groups_statement(region: bool, cluster: bool, specification: bool):
    """The groups and each CCG with lines, for ``_demand_groups``; the filters asked for
    are bound parameters named as in DEMAND_ASKED."""
    filters = _demand_filters(*(bindparam(name) if asked else None for name, asked
                                in zip(DEMAND_ASKED, (region, cluster, specification),
                                       strict=True)))
    # The lines are joined to their statement and CCG in a subquery of their own (OFFSET 0
    # keeps PostgreSQL from merging it), then to the parties: PostgreSQL takes the join on
    # both statement and CCG for nearly empty and, planned first, would look each line's
    # statement and CCG up one line at a time.
    lines = _demand_joins(select(
        StatementLine.specification_id, Organisation.region_id, Organisation.pct_cluster,
        StatementLine.ccg_id, Organisation.population, StatementLine.population_covered,
        # plain NUMERIC: the Money column's own check of each value is not needed to add up
        type_coerce(StatementLine.budget_annual, Numeric(14, 2, asdecimal=True))
        .label("budget_annual"),
        StatementLine.statement_id,
    ).select_from(StatementLine)).where(*filters).offset(0).subquery("lines")
    demand = _demand_parties(select(*lines.c), lines.c.statement_id, lines.c.ccg_id).cte("demand")
    line = demand.c
    return union_all(
        select(literal(GROUP_ROW), line.specification_id, line.region_id, line.pct_cluster,
               func.count(distinct(line.ccg_id)),
               func.sum(func.coalesce(line.population_covered, line.population, 0)),
               func.sum(line.budget_annual), func.count(distinct(line.statement_id)))
        .group_by(line.specification_id, line.region_id, line.pct_cluster),
        select(literal(CCG_ROW), cast(null(), Integer), line.region_id, line.pct_cluster,
               line.ccg_id, line.population, cast(null(), Numeric(14, 2)),
               cast(null(), Integer))
        .distinct(),
    )


def _demand_groups(
    asked: tuple, specifications: dict[int, ServiceSpecification], region_names: dict[int, str],
) -> tuple[list[DemandGroup], list[DemandSummary], list[DemandSummary]]:
    """The groups and both summaries from one statement of bare columns (no ORM objects):
    the lines added up per specification, region and cluster in SQL, and beside them each
    CCG with lines once, with its cluster and population (a CCG counts once in its cluster
    however many specifications it needs). A specification's CCGs are its groups' CCGs
    added up: a CCG is in one region and one cluster."""
    rows = db.session.execute(
        _demand_groups_statement(*(value is not None for value in asked)),
        {name: value for name, value in zip(DEMAND_ASKED, asked, strict=True)
         if value is not None},
    ).all()
    missing = {row[1] for row in rows if row[0] == GROUP_ROW} - specifications.keys()
    if missing:  # a retired specification still asked for in a statement
        specifications.update({spec.id: spec for spec in db.session.scalars(
            select(ServiceSpecification).where(ServiceSpecification.id.in_(missing)))})

    # per group: (CCGs, population, budget, statements)
    totals: dict[tuple, tuple] = {}
    cluster_ccgs: dict[tuple, dict[int, int]] = defaultdict(dict)
    for kind, spec_id, region_id, cluster, count, population, budget, statements in rows:
        place = (region_names.get(region_id, NO_REGION), cluster or NO_CLUSTER)
        if kind == GROUP_ROW:
            totals[(spec_id, *place)] = (count, population or 0, budget or ZERO, statements)
        else:  # a CCG: count is its id, population its registered population
            cluster_ccgs[place][count] = population or 0
    # Sorted on plain keys (each specification's rank and code read once), not on ORM
    # attributes read per group.
    spec_order = {spec_id: (_phase_rank(spec.phase), spec.code)
                  for spec_id, spec in specifications.items()}
    groups = [DemandGroup(specifications[spec_id], region, cluster, ccgs, population,
                          round_money(budget), statements)
              for (spec_id, region, cluster), (ccgs, population, budget, statements)
              in sorted(totals.items(), key=lambda item: (spec_order[item[0][0]], item[0][1:]))]

    by_cluster: dict[tuple, list[DemandGroup]] = defaultdict(list)
    by_specification: dict[int, list[DemandGroup]] = defaultdict(list)
    for group in groups:
        by_cluster[(group.region, group.cluster)].append(group)
        by_specification[group.specification.id].append(group)
    cluster_summaries = [
        DemandSummary(cluster, region, len(cluster_ccgs[(region, cluster)]),
                      sum(cluster_ccgs[(region, cluster)].values()),
                      round_money(sum((g.budget for g in found), ZERO)), len(found),
                      sum(1 for g in found if g.joint_candidate))
        for (region, cluster), found in sorted(by_cluster.items())]
    specification_summaries = [
        DemandSummary(found[0].specification.name, "", sum(g.ccg_count for g in found),
                      sum(g.population for g in found),
                      round_money(sum((g.budget for g in found), ZERO)), len(found),
                      sum(1 for g in found if g.joint_candidate), spec_id)
        for spec_id, found in by_specification.items()]
    return groups, cluster_summaries, specification_summaries


def _attach_demand_lines(groups: list[DemandGroup], filters: list) -> None:
    by_key = {(g.specification.id, g.region, g.cluster): g for g in groups}
    query = (_demand_parties(_demand_joins(select(StatementLine, Statement, Organisation)
                                           .select_from(StatementLine)),
                             StatementLine.statement_id, StatementLine.ccg_id)
             .where(*filters)
             .options(selectinload(Statement.parties), selectinload(Organisation.region))
             .order_by(Organisation.pct_cluster, Organisation.name, StatementLine.id))
    for line, statement, ccg in db.session.execute(query):
        key = (line.specification_id, ccg.region.name if ccg.region else NO_REGION,
               ccg.pct_cluster or NO_CLUSTER)
        by_key[key].lines.append(DemandLine(ccg, line, statement,
                                            line.population_covered or ccg.population or 0))


def aggregated_demand(actor: User, region_id: int | None = None,
                      cluster: str | None = None,
                      specification_id: int | None = None) -> Demand:
    """Which CCGs need which specification, how much and with what budget, grouped by
    specification, region and PCT cluster (statements not withdrawn; lines to buy or share,
    of CCGs that have not declined)."""
    fixed = demand_scope(actor)
    if fixed is not None:
        region_id = fixed
    scoped_clusters = select(Organisation.pct_cluster).distinct().where(
        Organisation.kind == OrganisationKind.CCG, Organisation.pct_cluster.is_not(None))
    if region_id is not None:
        scoped_clusters = scoped_clusters.where(Organisation.region_id == region_id)
    clusters = sorted(db.session.scalars(scoped_clusters))
    if cluster not in clusters:
        cluster = None
    specifications = current_specifications()
    if not any(spec.id == specification_id for spec in specifications):
        specification_id = None
    filters = _demand_filters(region_id, cluster, specification_id)
    regions = db.session.scalars(select(Region).order_by(Region.name)).all()
    groups, cluster_summaries, specification_summaries = _demand_groups(
        (region_id, cluster, specification_id), {spec.id: spec for spec in specifications},
        {region.id: region.name for region in regions})
    if fixed is not None:
        regions = [region for region in regions if region.id == fixed]
    demand = Demand(groups, list(regions), clusters, specifications, region_id, cluster,
                    specification_id, fixed is not None, cluster_summaries,
                    specification_summaries)
    if demand.detailed:
        _attach_demand_lines(groups, filters)
    return demand


def buying_ccg_codes() -> set[str]:
    """ODS codes of CCGs with a line to buy in a statement that is not withdrawn: the CCGs
    whose stated intentions stand behind a CSS's planned income."""
    return set(db.session.scalars(
        select(Organisation.ods_code).distinct()
        .join(StatementLine, StatementLine.ccg_id == Organisation.id)
        .join(Statement, StatementLine.statement_id == Statement.id)
        .join(StatementParty, (StatementParty.statement_id == Statement.id)
              & (StatementParty.ccg_id == StatementLine.ccg_id))
        .where(StatementLine.mode == IntendedMode.BUY,
               Statement.status != StatementStatus.WITHDRAWN,
               StatementParty.status != PartyStatus.DECLINED)
    ))
