"""Procurements: a lead CCG buys what a ready statement asks for, by one of two routes.

Each entry point checks the actor (a user of the lead CCG), changes what it must, writes its
audit event and commits once. The procurement's status only moves as the domain's
TRANSITIONS table allows (domain/procurement.py: check_move).

Time comes from marketplace.clock: a competition whose closing time has passed is moved to
evaluation when it is next read or acted on (``refresh_status``), or by
``flask procurements close-due``; nothing runs in the background.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select

from marketplace import clock, policies
from marketplace.domain import procurement as rules
from marketplace.domain.agreement_terms import add_months
from marketplace.domain.money import format_money
from marketplace.extensions import db
from marketplace.models import (
    PROVIDER_KINDS,
    Bid,
    CriterionKind,
    DecisionOutcome,
    EvaluationCriterion,
    Organisation,
    Procurement,
    ProcurementDecision,
    ProcurementEvaluator,
    ProcurementStatus,
    ProcurementThreshold,
    Role,
    Route,
    Score,
    Statement,
    StatementStatus,
    User,
)

from . import notifications, statement_data
from .audit import record_event
from .buying_common import FieldErrors, check_fresh, clean_text
from .errors import Conflict, PermissionDenied, ServiceError
from .procurement_access import (
    eligible_provider_ids,
    offering_provider_ids,
    party_ccg_ids,
    require_lead,
)
from .transaction import on_conflict, transaction, transactional

MAX_REASON = 4000
VOLUNTARY_STANDSTILL_DAYS = 10
MAX_TITLE = 200
MAX_DESCRIPTION = 10000
MAX_GUIDANCE = 2000
# Offered when a competition is started, so that publishing needs no set-up beyond dates.
DEFAULT_CRITERIA = (
    (CriterionKind.QUALITY, "How you will deliver the service", "Your approach, team and "
     "how you will meet the service levels.", 60),
    (CriterionKind.PRICE, "Price", "The total annual cost to the buyers.", 40),
)


def _move(procurement: Procurement, target: str, action: str) -> str:
    before = procurement.status
    try:
        rules.check_move(procurement.route, before, target, action)
    except rules.ProcurementRuleError as error:
        raise ServiceError(error.message, field="status") from error
    procurement.status = target
    return before


# --- thresholds and the route ------------------------------------------------------------


def _as_rule(row: ProcurementThreshold) -> rules.Threshold:
    return rules.Threshold(
        id=row.id, name=row.name, amount=row.amount, required_route=row.required_route,
        standstill_days=row.standstill_days, applies_from=row.applies_from,
        applies_until=row.applies_until,
    )


def thresholds() -> list[ProcurementThreshold]:
    return list(db.session.scalars(
        select(ProcurementThreshold).order_by(ProcurementThreshold.applies_from.desc(),
                                              ProcurementThreshold.amount.desc())
    ))


def _threshold_for(value: Decimal | None, on: date) -> ProcurementThreshold | None:
    rows = {row.id: row for row in thresholds()}
    found = rules.threshold_for([_as_rule(row) for row in rows.values()], value, on)
    return rows[found.id] if found else None


@dataclass(frozen=True)
class RouteCheck:
    annual_budget: Decimal | None
    value_over_term: Decimal | None
    term_months: int
    threshold: ProcurementThreshold | None
    warning: str | None

    @property
    def explanation(self) -> str:
        if self.value_over_term is None:
            return ("No budget is recorded on the statement, so its value over the term cannot "
                    "be checked against the procurement thresholds.")
        text = (f"{format_money(self.annual_budget)} a year for {self.term_months} months is "
                f"{format_money(self.value_over_term)} over the full term.")
        if self.threshold is None:
            return text + " That is below every procurement threshold in force."
        return (text + f" The {self.threshold.name} of {format_money(self.threshold.amount)} "
                "applies.")


def route_check(statement: Statement, route: str, on: date | None = None) -> RouteCheck:
    """What the statement's value means for a route chosen on ``on`` (default today)."""
    budget = statement_data.statement_budget(statement)
    value = rules.value_over_term(budget, statement.term_months) if budget is not None else None
    threshold = _threshold_for(value, on or clock.today_in_uk())
    warning = rules.route_warning(_as_rule(threshold) if threshold else None, route, value)
    return RouteCheck(budget, value, statement.term_months, threshold, warning)


def recorded_route_check(procurement: Procurement) -> RouteCheck:
    """The check as recorded on the procurement when its route was chosen or it was
    published, so later edits to the thresholds do not rewrite what was decided."""
    threshold = procurement.threshold
    warning = rules.route_warning(_as_rule(threshold) if threshold else None, procurement.route,
                                  procurement.estimated_value_full_term)
    return RouteCheck(procurement.budget_annual, procurement.estimated_value_full_term,
                      procurement.statement.term_months, threshold, warning)


def _record_check(procurement: Procurement, check: RouteCheck) -> None:
    procurement.budget_annual = check.annual_budget
    procurement.estimated_value_full_term = check.value_over_term
    procurement.threshold = check.threshold
    # Below every threshold no standstill is required by law; we keep the voluntary ten
    # days the model defaults to, so every bidder can still question a decision.
    procurement.standstill_days = (check.threshold.standstill_days if check.threshold
                                   else VOLUNTARY_STANDSTILL_DAYS)


def _route(value) -> Route:
    try:
        return Route(value)
    except ValueError as error:
        raise ServiceError("Choose a direct award or a further competition",
                           field="route") from error


# --- starting ----------------------------------------------------------------------------


def _new_reference(ccg: Organisation) -> str:
    # Two users of one CCG starting at once would both count the same references; locking
    # the CCG's row until the transaction ends numbers one at a time (PostgreSQL; SQLite
    # writes one at a time anyway).
    db.session.execute(select(Organisation.id).where(Organisation.id == ccg.id)
                       .with_for_update())
    prefix = f"PROC-{ccg.ods_code or ccg.id}-"
    taken = set(db.session.scalars(
        select(Procurement.reference).where(Procurement.reference.like(prefix + "%"))))
    number = len(taken) + 1
    while f"{prefix}{number:03d}" in taken:
        number += 1
    return f"{prefix}{number:03d}"


def _contract_dates(statement: Statement) -> tuple[date | None, date | None]:
    if statement.wanted_from is None:
        return None, None
    end = add_months(statement.wanted_from, statement.term_months) - timedelta(days=1)
    return statement.wanted_from, end


@transactional
def start_procurement(actor: User, statement: Statement, route, reason) -> Procurement:
    """Start buying a ready statement, by the chosen route, recording why."""
    lead = statement.lead_ccg
    if not policies.may(actor, "start", statement):
        raise PermissionDenied(f"Only users of {lead.name}, the lead CCG, can start buying "
                               "this statement")
    if statement.status != StatementStatus.READY:
        raise ServiceError(
            f"The statement is {statement.status_label.lower()}: a procurement can only start "
            "once every CCG has confirmed its lines.", field="route")
    route = _route(route)
    reason = clean_text(reason, "route_reason", MAX_REASON,
                        required="Say why this route is right for this purchase")
    if not statement_data.specifications(statement):
        raise ServiceError("The statement has no lines to buy", field="route")
    check = route_check(statement, route)
    start, end = _contract_dates(statement)
    procurement = Procurement(
        reference=_new_reference(lead), statement=statement, lead_ccg=lead, route=route,
        route_reason=reason, title=statement.title[:MAX_TITLE],
        description=statement.summary or "", status=ProcurementStatus.DRAFT,
        contract_start=start, contract_end=end, created_by_id=actor.id,
    )
    _record_check(procurement, check)
    for position, (kind, name, guidance, weight) in enumerate(DEFAULT_CRITERIA):
        procurement.criteria.append(EvaluationCriterion(
            position=position, kind=kind, name=name, guidance=guidance, weight=weight))
    db.session.add(procurement)
    on_conflict(Statement, "Somebody else started buying this statement first.")
    statement.status = StatementStatus.IN_PROCUREMENT
    db.session.flush()
    if route == Route.DIRECT_AWARD:
        from .direct_award import add_shortlist_candidates

        add_shortlist_candidates(procurement)
    record_event(
        "procurement.started", procurement,
        f"{actor.full_name} of {lead.name} started procurement {procurement.reference} "
        f"({route.label.lower()}) for statement “{statement.title}”",
        changes={"route": route.value, "route_reason": reason,
                 "value_over_term": check.value_over_term,
                 "threshold": check.threshold.name if check.threshold else None,
                 "warning": check.warning},
        actor=actor,
    )
    return procurement


def _require_draft(procurement: Procurement, what: str) -> None:
    if procurement.status != ProcurementStatus.DRAFT:
        raise ServiceError(
            f"Procurement {procurement.reference} is {procurement.status_label.lower()}: "
            f"{what} can only change while it is a draft.")


@transactional
def change_route(actor: User, procurement: Procurement, expected_lock_version, route,
                 reason) -> Procurement:
    require_lead(actor, procurement)
    check_fresh(procurement, expected_lock_version)
    _require_draft(procurement, "the route")
    route = _route(route)
    reason = clean_text(reason, "route_reason", MAX_REASON,
                        required="Say why this route is right for this purchase")
    before = (procurement.route, procurement.route_reason)
    check = route_check(procurement.statement, route)
    if route != procurement.route:
        from .direct_award import add_shortlist_candidates, remove_shortlist_candidates

        procurement.route = route
        if route == Route.DIRECT_AWARD:
            add_shortlist_candidates(procurement)
        else:
            remove_shortlist_candidates(procurement)
    procurement.route_reason = reason
    _record_check(procurement, check)
    record_event(
        "procurement.route_changed", procurement,
        f"{actor.full_name} of {procurement.lead_ccg.name} chose "
        f"{route.label.lower()} for procurement {procurement.reference}",
        changes={"route": [before[0], route.value], "route_reason": [before[1], reason],
                 "warning": check.warning},
        actor=actor,
    )
    return procurement


# --- setting a competition up -----------------------------------------------------------


def _require_competition_draft(procurement: Procurement, what: str) -> None:
    if not procurement.is_competition:
        raise ServiceError("Only a further competition has " + what)
    _require_draft(procurement, what)


@transactional
def set_details(actor: User, procurement: Procurement, expected_lock_version, *, title,
                description, budget_shown: bool, clarifications_close_at: datetime | None,
                closes_at: datetime | None) -> Procurement:
    """Title, description, whether the budget is shown, the question cut-off and closing."""
    require_lead(actor, procurement)
    check_fresh(procurement, expected_lock_version)
    _require_competition_draft(procurement, "dates and a description")
    errors = []
    try:
        title = clean_text(title, "title", MAX_TITLE, required="Enter a title")
    except ServiceError as error:
        errors.append((error.field, error.message))
    try:
        description = clean_text(description, "description", MAX_DESCRIPTION)
    except ServiceError as error:
        errors.append((error.field, error.message))
    errors += rules.date_errors(clock.now(), clarifications_close_at, closes_at)
    if errors:
        raise FieldErrors(errors)
    new = {"title": title, "description": description, "budget_shown": bool(budget_shown),
           "clarifications_close_at": clarifications_close_at, "closes_at": closes_at}
    changes = {key: [getattr(procurement, key), value] for key, value in new.items()
               if getattr(procurement, key) != value}
    if not changes:
        return procurement
    for key, (_old, value) in changes.items():
        setattr(procurement, key, value)
    record_event("procurement.details_changed", procurement,
                 f"{actor.full_name} changed the details of procurement "
                 f"{procurement.reference}", changes=changes, actor=actor)
    return procurement


@dataclass(frozen=True)
class CriterionInput:
    kind: str
    name: str
    weight: object  # as typed; the domain checks it
    guidance: str = ""


@transactional
def set_criteria(actor: User, procurement: Procurement, expected_lock_version,
                 criteria: list[CriterionInput]) -> Procurement:
    """Replace the evaluation criteria and weights (one price criterion, totalling 100)."""
    require_lead(actor, procurement)
    check_fresh(procurement, expected_lock_version)
    _require_draft(procurement, "the criteria and weights")
    errors = rules.weight_errors([rules.CriterionWeight(c.kind, c.name, c.weight)
                                  for c in criteria])
    cleaned = []
    for index, criterion in enumerate(criteria):
        try:
            name = clean_text(criterion.name, f"name-{index}", 200)
            guidance = clean_text(criterion.guidance, f"guidance-{index}", MAX_GUIDANCE)
        except ServiceError as error:
            errors.append((error.field, error.message))
            continue
        weight = rules.whole_weight(criterion.weight)
        cleaned.append((CriterionKind(criterion.kind), name, guidance, weight))
    if errors:
        raise FieldErrors(errors)
    existing = list(procurement.criteria)
    scored = set(db.session.scalars(
        select(Score.criterion_id).where(Score.criterion_id.in_([c.id for c in existing]))))
    if len(cleaned) < len(existing) and any(c.id in scored for c in existing[len(cleaned):]):
        raise ServiceError("A criterion that has been scored cannot be removed",
                           field="weights")
    before = [(c.kind, c.name, c.weight) for c in existing]
    for position, (kind, name, guidance, weight) in enumerate(cleaned):
        if position < len(existing):
            row = existing[position]
            row.kind, row.name, row.guidance, row.weight = kind, name, guidance, weight
            row.position = position
        else:
            procurement.criteria.append(EvaluationCriterion(
                position=position, kind=kind, name=name, guidance=guidance, weight=weight))
    for row in existing[len(cleaned):]:
        procurement.criteria.remove(row)
    procurement.updated_at = clock.now()  # the criteria are part of the procurement
    record_event(
        "procurement.criteria_changed", procurement,
        f"{actor.full_name} set the evaluation criteria of procurement "
        f"{procurement.reference}: " + ", ".join(f"{n} {w}" for _k, n, _g, w in cleaned),
        changes={"before": before,
                 "after": [(k.value, n, w) for k, n, _g, w in cleaned]},
        actor=actor,
    )
    return procurement


def evaluator_choices(procurement: Procurement) -> list[User]:
    """Active CCG users of the lead and the confirmed partner CCGs."""
    return list(db.session.scalars(
        select(User).join(User.organisation)
        .where(User.role == Role.CCG_USER, User.is_active_user.is_(True),
               User.organisation_id.in_(party_ccg_ids(procurement)))
        .order_by(Organisation.name, User.full_name)
    ))


@transactional
def set_evaluators(actor: User, procurement: Procurement, expected_lock_version,
                   user_ids) -> Procurement:
    require_lead(actor, procurement)
    check_fresh(procurement, expected_lock_version)
    if procurement.status not in (ProcurementStatus.DRAFT, ProcurementStatus.OPEN,
                                  ProcurementStatus.EVALUATION):
        raise ServiceError(f"Procurement {procurement.reference} is "
                           f"{procurement.status_label.lower()}: its evaluators are settled.",
                           field="user_ids")
    allowed = {user.id: user for user in evaluator_choices(procurement)}
    wanted = list(dict.fromkeys(user_ids or []))
    if any(user_id not in allowed for user_id in wanted):
        raise ServiceError("Evaluators must be CCG users of the lead or a partner CCG",
                           field="user_ids")
    if not wanted:
        raise ServiceError("Choose at least one evaluator", field="user_ids")
    current = {row.user_id: row for row in procurement.evaluators}
    removed = [row for user_id, row in current.items() if user_id not in wanted]
    scored = set(db.session.scalars(
        select(Score.evaluator_id).join(Bid).where(Bid.procurement_id == procurement.id)))
    if any(row.user_id in scored for row in removed):
        raise ServiceError("An evaluator who has scored cannot be removed", field="user_ids")
    added = [user_id for user_id in wanted if user_id not in current]
    if not added and not removed:
        return procurement
    for row in removed:
        procurement.evaluators.remove(row)
    for user_id in added:
        procurement.evaluators.append(ProcurementEvaluator(user_id=user_id,
                                                           named_at=clock.now()))
    procurement.updated_at = clock.now()
    record_event(
        "procurement.evaluators_changed", procurement,
        f"{actor.full_name} named the evaluators of procurement {procurement.reference}: "
        + ", ".join(allowed[user_id].full_name for user_id in wanted),
        changes={"added": added, "removed": [row.user_id for row in removed]},
        actor=actor,
    )
    return procurement


def invitee_choices() -> list[Organisation]:
    return list(db.session.scalars(
        select(Organisation).where(Organisation.kind.in_(PROVIDER_KINDS))
        .order_by(Organisation.name)))


def providers_of_the_specifications(procurement: Procurement) -> set[int]:
    specs = statement_data.specifications(procurement.statement)
    return offering_provider_ids([spec.id for spec in specs])


@transactional
def set_invitees(actor: User, procurement: Procurement, expected_lock_version, *,
                 open_to_all: bool, organisation_ids) -> Procurement:
    require_lead(actor, procurement)
    check_fresh(procurement, expected_lock_version)
    _require_competition_draft(procurement, "who may respond")
    chosen = []
    if not open_to_all:
        allowed = {org.id: org for org in invitee_choices()}
        ids = list(dict.fromkeys(organisation_ids or []))
        if any(org_id not in allowed for org_id in ids):
            raise ServiceError("Choose providers from the list", field="organisation_ids")
        if not ids:
            raise ServiceError("Choose at least one provider to invite",
                               field="organisation_ids")
        chosen = [allowed[org_id] for org_id in ids]
    procurement.open_to_all_providers = bool(open_to_all)
    procurement.invitees = chosen
    procurement.updated_at = clock.now()
    summary = ("every provider of the specifications" if open_to_all
               else ", ".join(org.name for org in chosen))
    record_event("procurement.invitees_changed", procurement,
                 f"{actor.full_name} opened procurement {procurement.reference} to "
                 f"{summary}",
                 changes={"open_to_all": bool(open_to_all),
                          "invitees": [org.id for org in chosen]},
                 actor=actor)
    return procurement


# --- publishing, closing, cancelling -----------------------------------------------------


def publication_problems(procurement: Procurement, now: datetime | None = None
                         ) -> list[tuple[str, str]]:
    """What stops the competition being published now: (field, message) pairs."""
    now = now or clock.now()
    problems = []
    if not procurement.title.strip():
        problems.append(("title", "Give the opportunity a title"))
    problems += rules.date_errors(now, procurement.clarifications_close_at,
                                  procurement.closes_at)
    criteria = [rules.CriterionWeight(c.kind, c.name, c.weight) for c in procurement.criteria]
    if rules.weight_errors(criteria):
        problems.append(("weights", "Set evaluation criteria whose weights total 100, with "
                                    "one price criterion"))
    if not procurement.evaluators:
        problems.append(("user_ids", "Name at least one evaluator"))
    if not eligible_provider_ids(procurement):
        problems.append(("organisation_ids", "No provider could respond: invite at least one, "
                                             "or open it to every provider of the "
                                             "specifications"))
    return problems


@transactional
def publish(actor: User, procurement: Procurement, expected_lock_version) -> Procurement:
    """Publish a competition: providers may ask questions and respond until it closes."""
    from .ocds_releases import record_tender_release

    require_lead(actor, procurement)
    check_fresh(procurement, expected_lock_version)
    if procurement.status != ProcurementStatus.DRAFT:
        raise Conflict(f"Procurement {procurement.reference} is already "
                       f"{procurement.status_label.lower()}.")
    if not procurement.is_competition:
        raise ServiceError("A direct award is not published for responses", field="status")
    now = clock.now()
    problems = publication_problems(procurement, now)
    if problems:
        raise FieldErrors(problems)
    check = route_check(procurement.statement, procurement.route)
    _move(procurement, ProcurementStatus.OPEN, "published")
    _record_check(procurement, check)
    procurement.published_at = now
    db.session.flush()
    record_tender_release(procurement)
    record_event(
        "procurement.published", procurement,
        f"{actor.full_name} of {procurement.lead_ccg.name} published opportunity "
        f"{procurement.reference}, closing {clock.in_words(procurement.closes_at)}",
        changes={"status": ["draft", "open"], "closes_at": procurement.closes_at,
                 "warning": check.warning},
        actor=actor,
    )
    notifications.opportunity_published(procurement)
    return procurement


def _close(procurement: Procurement) -> None:
    _move(procurement, ProcurementStatus.EVALUATION, "closed")
    procurement.closed_at = procurement.closes_at
    record_event(
        "procurement.closed", procurement,
        f"Opportunity {procurement.reference} closed for responses at its closing time",
        changes={"status": ["open", "evaluation"]}, system=True,
    )
    notifications.bids_closed(procurement)


def _is_due(procurement: Procurement, now: datetime) -> bool:
    return (procurement.status == ProcurementStatus.OPEN
            and not rules.is_open_for_responses(now, procurement.closes_at))


def refresh_status(procurement: Procurement) -> Procurement:
    """Move an open competition past its closing time to evaluation, and an award past its
    standstill to awarded (each in its own transaction)."""
    if not _is_due(procurement, clock.now()):
        from .awards import end_standstill_if_due

        return end_standstill_if_due(procurement)
    try:
        with transaction():
            _close(procurement)
    except Conflict:
        # Another request closed it at the same moment: read it as it now is.
        db.session.refresh(procurement)
    return procurement


@transactional
def close_due() -> list[str]:
    """Close every open competition whose closing time has passed; their references."""
    now = clock.now()
    due = db.session.scalars(
        select(Procurement).where(Procurement.status == ProcurementStatus.OPEN,
                                  Procurement.closes_at <= now)
        .order_by(Procurement.closes_at, Procurement.id)).all()
    closed = []
    for procurement in due:
        if _is_due(procurement, now):
            _close(procurement)
            closed.append(procurement.reference)
    return closed


@transactional
def cancel(actor: User, procurement: Procurement, expected_lock_version, reason) -> Procurement:
    """Cancel before award, with the reason; the statement can then be bought again."""
    from .ocds_releases import record_tender_release

    require_lead(actor, procurement)
    check_fresh(procurement, expected_lock_version)
    reason = clean_text(reason, "reason", MAX_REASON,
                        required="Say why the procurement is cancelled")
    was_published = procurement.published_at is not None
    before = _move(procurement, ProcurementStatus.CANCELLED, "cancelled")
    db.session.add(ProcurementDecision(
        procurement=procurement, outcome=DecisionOutcome.CANCELLED, rationale=reason,
        decided_by_id=actor.id, decided_at=clock.now(), results=[]))
    statement = procurement.statement
    if statement.status == StatementStatus.IN_PROCUREMENT:
        statement.status = StatementStatus.READY
    db.session.flush()
    if was_published:
        record_tender_release(procurement)
    record_event(
        "procurement.cancelled", procurement,
        f"{actor.full_name} of {procurement.lead_ccg.name} cancelled procurement "
        f"{procurement.reference}",
        changes={"status": [before, "cancelled"], "reason": reason}, actor=actor,
    )
    return procurement
