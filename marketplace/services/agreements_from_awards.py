"""From an award to draft agreements: the contract both parties then sign.

When a procurement's standstill is over (status AWARDED, its decision naming the winning
bid), each CCG that bought gets one draft agreement with the winner, pre-filled from the
winning bid: one line per specification it asked for, naming the specification, the offer the
price came from, the bid line and its own statement line; the term is the procurement's
contract period (the statement's start and length), warned about when it runs past the 2012
guidance of 18 months; the value over the full term follows from it. A joint procurement's
costs are split between the CCGs as the statement says (domain/joint_costs.py), to the penny.

The route and its rationale travel with the agreements: the procurement's reason for the route
and the award's rationale, so a direct award is never an agreement without its reason.
"""

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from marketplace import clock
from marketplace.domain import agreement_terms, joint_costs
from marketplace.domain.money import format_money, round_money
from marketplace.extensions import db
from marketplace.models import (
    Agreement,
    AgreementLine,
    AgreementStatus,
    Bid,
    BidStatus,
    DecisionOutcome,
    Organisation,
    Procurement,
    ProcurementStatus,
    SplitMethod,
)

from . import statement_data
from .agreements import new_reference
from .audit import record_event
from .errors import ServiceError
from .service_levels import kpis_from_offer
from .transaction import on_conflict, transactional

ALREADY_DRAFTED = "The agreements for this award have already been drafted."


def agreements_for_procurement(procurement: Procurement) -> list[Agreement]:
    if procurement.decision is None:
        return []  # they are drafted from an award: none before the decision
    return list(db.session.scalars(
        select(Agreement).where(Agreement.procurement_id == procurement.id)
        .order_by(Agreement.id)))


def winning_bid(procurement: Procurement) -> Bid:
    decision = procurement.decision
    if (decision is None or decision.outcome != DecisionOutcome.AWARDED
            or decision.winning_bid is None):
        raise ServiceError(f"Procurement {procurement.reference} has no award to a provider")
    bid = decision.winning_bid
    if bid.procurement_id != procurement.id or bid.status != BidStatus.SUBMITTED:
        raise ServiceError(f"The winning bid of procurement {procurement.reference} is not a "
                           "submitted bid for it")
    return bid


def contract_period(procurement: Procurement):
    """The first and last day the agreements cover: the procurement's contract period, or the
    statement's term from the day after the standstill (or today) when it has none."""
    if procurement.contract_start and procurement.contract_end:
        return procurement.contract_start, procurement.contract_end
    statement = procurement.statement
    start = statement.wanted_from
    if start is None:
        decision = procurement.decision
        start = (decision.standstill_ends_on + timedelta(days=1)
                 if decision is not None and decision.standstill_ends_on else clock.today_in_uk())
    return agreement_terms.period_for(start, statement.term_months)


def _ccg_key(organisation_id: int) -> str:
    # Zero-padded so that a tie in the split goes the same way as the CCGs' ids.
    return f"{organisation_id:012d}"


def cost_by_ccg(procurement: Procurement, bid: Bid) -> dict[int, dict[int, Decimal]]:
    """CCG id → {bid line id → the CCG's annual cost of it}."""
    statement = procurement.statement
    bought = statement_data.bought_lines(statement)
    awarded = []
    for bid_line in bid.lines:
        buyers = tuple(
            joint_costs.LineBuyer(_ccg_key(line.ccg_id),
                                  line.population_covered or line.ccg.population or 0)
            for line in sorted(bought, key=lambda line: line.ccg_id)
            if line.specification_id == bid_line.specification_id)
        if not buyers:  # priced, but nobody asked for it: nobody pays for it
            continue
        awarded.append(joint_costs.AwardedLine(bid_line.id, bid_line.annual_cost, buyers))
    shares = None
    method = joint_costs.POPULATION
    if statement.split_method == SplitMethod.AGREED_SHARES and statement.is_joint:
        method = joint_costs.AGREED_SHARES
        paying = statement_data.party_ccg_ids(statement)
        shares = {_ccg_key(party.ccg_id): party.agreed_share_percent
                  for party in statement.parties if party.ccg_id in paying}
    try:
        split = joint_costs.split_award(awarded, method, shares)
    except joint_costs.SplitError as error:
        raise ServiceError(f"The cost cannot be split between the CCGs: {error.message}",
                           field="split_method") from error
    return {int(key): amounts for key, amounts in split.items()}


def _rationale(procurement: Procurement) -> str:
    decision = procurement.decision
    return (f"{procurement.route_label}. Why this route: {procurement.route_reason.strip()}\n"
            f"Why this provider: {decision.rationale.strip()}")


@transactional
def draft_agreements_from_award(procurement: Procurement, *, actor=None) -> list[Agreement]:
    """One draft agreement per CCG that bought, with the winner, pre-filled from its bid.

    Called once the standstill is over. Returns the drafts; calling it again for the same
    award changes nothing and returns the agreements already drafted."""
    if procurement.status != ProcurementStatus.AWARDED:
        raise ServiceError(
            f"Procurement {procurement.reference} is {procurement.status_label.lower()}: "
            "agreements are drafted once it is awarded and the standstill is over")
    existing = agreements_for_procurement(procurement)
    if existing:
        return existing
    bid = winning_bid(procurement)
    start, end = contract_period(procurement)
    date_errors = agreement_terms.date_errors(start, end)
    if date_errors:
        raise ServiceError(date_errors[0][1], field="contract_end")
    warning = agreement_terms.term_warning(start, end)
    statement_lines = {(line.ccg_id, line.specification_id): line
                       for line in statement_data.bought_lines(procurement.statement)}
    bid_lines = {line.id: line for line in bid.lines}
    on_conflict(Agreement, ALREADY_DRAFTED)
    drafted = []
    for ccg_id, amounts in sorted(cost_by_ccg(procurement, bid).items()):
        ccg = db.session.get(Organisation, ccg_id)
        lines = []
        for bid_line_id, amount in amounts.items():
            bid_line = bid_lines[bid_line_id]
            statement_line = statement_lines.get((ccg_id, bid_line.specification_id))
            lines.append(AgreementLine(
                specification_id=bid_line.specification_id, offer_id=bid_line.offer_id,
                bid_line_id=bid_line.id,
                statement_line_id=statement_line.id if statement_line else None,
                annual_cost=amount, kpis=kpis_from_offer(bid_line.offer)))
        annual = round_money(sum((line.annual_cost for line in lines), Decimal(0)))
        agreement = Agreement(
            reference=new_reference(ccg), ccg=ccg, provider_id=bid.provider_id,
            status=AgreementStatus.DRAFT, start_date=start, end_date=end,
            computed_annual_value=annual, annual_value=annual, value_change_reason="",
            route=procurement.route, route_rationale=_rationale(procurement),
            procurement_id=procurement.id, bid_id=bid.id, lines=lines,
            created_at=clock.now())
        db.session.add(agreement)
        db.session.flush()
        full_term = agreement.value_over_term
        record_event(
            "agreement.drafted_from_award", agreement,
            f"Draft agreement {agreement.reference} between {ccg.name} and "
            f"{bid.provider.name} from procurement {procurement.reference}: "
            f"{format_money(annual)} a year, {format_money(full_term)} over the full term",
            changes={"procurement": procurement.reference, "bid_id": bid.id,
                     "start_date": start, "end_date": end, "annual_value": annual,
                     "value_over_term": full_term,
                     "lines": {str(line.specification_id): line.annual_cost for line in lines},
                     "kpis": sum(len(line.kpis) for line in lines),
                     "term_warning": warning},
            actor=actor, system=actor is None)
        drafted.append(agreement)
    if not drafted:
        raise ServiceError("The winning bid prices none of the lines the CCGs asked to buy")
    return drafted
