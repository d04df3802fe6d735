"""Published opportunities as open data: what anyone may know about a competition.

Every further competition once published, whatever became of it (open, closed under
evaluation, awarded, none suitable, cancelled): its buyer, what it buys, dates, criteria and
weights, the budget only when the CCG chose to show it, and after award the supplier and the
value over the full term (as the OCDS award release says). Never a bid's contents, nor who
responded or asked a question.
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, select

from marketplace import clock
from marketplace.domain import procurement as rules
from marketplace.domain.whole_numbers import whole_number
from marketplace.extensions import db
from marketplace.models import (
    DecisionOutcome,
    Procurement,
    ProcurementStatus,
    Route,
)

from . import statement_data
from .errors import ServiceError
from .ocds_releases import award_value_over_term, ocid_for

MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 20
MAX_PAGE = 10_000
# What a listing can be narrowed to: the status as the public sees it.
STATUSES = tuple(s.value for s in ProcurementStatus if s != ProcurementStatus.DRAFT)


@dataclass(frozen=True)
class OpportunityPage:
    opportunities: list[dict]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def _whole_number(value, field: str, low: int, high: int, default: int) -> int:
    if value is None or value == "":
        return default
    number = whole_number(str(value).strip(), minimum=low, maximum=high)
    if number is None:
        raise ServiceError(f"{field} must be a whole number from {low:,} to {high:,}",
                           field=field)
    return number


def parse_listing(args) -> tuple[str | None, int, int]:
    status = (args.get("status") or "").strip() or None
    if status is not None and status not in STATUSES:
        raise ServiceError("status must be one of " + ", ".join(STATUSES), field="status")
    page = _whole_number(args.get("page"), "page", 1, MAX_PAGE, 1)
    per_page = _whole_number(args.get("per_page"), "per_page", 1, MAX_PER_PAGE,
                             DEFAULT_PER_PAGE)
    return status, page, per_page


def public_status(procurement: Procurement, now: datetime) -> str:
    """Open until its closing time, whether or not the clock job has closed it yet."""
    if (procurement.status == ProcurementStatus.OPEN
            and not rules.is_open_for_responses(now, procurement.closes_at)):
        return ProcurementStatus.EVALUATION.value
    return procurement.status


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def _iso(moment) -> str | None:
    return None if moment is None else moment.isoformat()


def opportunity_json(procurement: Procurement, now: datetime) -> dict:
    status = public_status(procurement, now)
    statement = procurement.statement
    buyers = sorted((org for org in (party.ccg for party in statement.parties)
                     if org.id in statement_data.party_ccg_ids(statement)),
                    key=lambda org: (org.id != procurement.lead_ccg_id, org.name))
    found = {
        "reference": procurement.reference,
        "ocid": ocid_for(procurement),
        "title": procurement.title,
        "description": procurement.description,
        "status": status,
        "status_label": ProcurementStatus(status).label,
        "buyers": [{"name": org.name, "ods_code": org.ods_code,
                    "lead": org.id == procurement.lead_ccg_id} for org in buyers],
        "specifications": [{"code": spec.code, "name": spec.name}
                           for spec in statement_data.specifications(statement)],
        "open_to": ("every provider with a published offer for the specifications"
                    if procurement.open_to_all_providers else "providers invited by the buyer"),
        "published_at": _iso(procurement.published_at),
        "questions_close_at": _iso(procurement.clarifications_close_at),
        "closes_at": _iso(procurement.closes_at),
        "contract_start": _iso(procurement.contract_start),
        "contract_end": _iso(procurement.contract_end),
        "budget_over_full_term": (_money(procurement.estimated_value_full_term)
                                  if procurement.budget_shown else None),
        "criteria": [{"name": c.name, "kind": c.kind, "weight": c.weight}
                     for c in procurement.criteria],
        "award": None,
    }
    decision = procurement.decision
    if (status in (ProcurementStatus.STANDSTILL, ProcurementStatus.AWARDED)
            and decision is not None and decision.outcome == DecisionOutcome.AWARDED
            and decision.winning_bid is not None):
        found["award"] = {
            "supplier": decision.winning_bid.provider.name,
            "decided_at": _iso(decision.decided_at),
            "standstill_ends_on": _iso(decision.standstill_ends_on),
            "value_over_full_term": _money(award_value_over_term(procurement)),
        }
    return found


def published_opportunities(status: str | None, page: int, per_page: int) -> OpportunityPage:
    query = select(Procurement).where(Procurement.route == Route.FURTHER_COMPETITION,
                                      Procurement.published_at.is_not(None))
    now = clock.now()
    if status == ProcurementStatus.OPEN:
        query = query.where(Procurement.status == ProcurementStatus.OPEN,
                            Procurement.closes_at > now)
    elif status == ProcurementStatus.EVALUATION:
        query = query.where(
            (Procurement.status == ProcurementStatus.EVALUATION)
            | ((Procurement.status == ProcurementStatus.OPEN) & (Procurement.closes_at <= now)))
    elif status is not None:
        query = query.where(Procurement.status == status)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    rows = db.session.scalars(
        query.order_by(Procurement.published_at.desc(), Procurement.id.desc())
        .limit(per_page).offset((page - 1) * per_page)).all()
    return OpportunityPage([opportunity_json(p, now) for p in rows], page, per_page, total)
