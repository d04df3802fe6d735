"""The buying pages' lists of procurements and opportunities, and the lead's refusal.

Who may see a procurement or respond to it is the procurement policy's
(marketplace/policies/procurements.py); its predicates are imported here for the services
that still ask them by these names.
"""

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from marketplace.extensions import db
from marketplace.models import (
    Bid,
    PartyStatus,
    Procurement,
    ProcurementStatus,
    Role,
    Route,
    Statement,
    StatementLine,
    StatementParty,
)
from marketplace.policies.procurements import (  # noqa: F401 (the rules, for the services)
    eligible_provider_ids,
    is_eligible,
    is_lead_user,
    is_party_user,
    is_provider_user,
    may_read,
    may_respond,
    may_see_opportunity,
    offered_specification_ids,
    offering_provider_ids,
    party_ccg_ids,
)

from .errors import PermissionDenied

NOT_FOUND = "There is no procurement with that number"


# The statement's lines with their specifications and CCGs, for the pages that show the
# services asked for and their populations, or on which a provider's eligibility turns: a
# query for them all, not one a line.
STATEMENT_LINES = joinedload(Procurement.statement).selectinload(Statement.lines).options(
    joinedload(StatementLine.specification), joinedload(StatementLine.ccg))


def procurement_by_id(procurement_id: int, *options) -> Procurement | None:
    """The procurement as a provider's pages read it, with its lead CCG and statement (not
    the statement's parties: whether a provider may see it turns on its lines and invitees).
    ``options`` load what one page reads besides (STATEMENT_LINES; at most one collection
    joined, say its handful of criteria, lest the rows multiply)."""
    return db.session.scalars(
        select(Procurement).where(Procurement.id == procurement_id)
        .options(joinedload(Procurement.lead_ccg), joinedload(Procurement.statement),
                 *options)).unique().one_or_none()


def procurement_to_check(procurement_id: int) -> Procurement | None:
    """The procurement with only what decides who may read it, its lead CCG, statement and
    the statement's parties, in one statement: a refused reader costs nothing more."""
    return db.session.scalars(
        select(Procurement).where(Procurement.id == procurement_id)
        .options(joinedload(Procurement.lead_ccg),
                 joinedload(Procurement.statement).joinedload(Statement.parties))
    ).unique().one_or_none()


def with_page_loads(procurement: Procurement, *options) -> Procurement:
    """``procurement`` (from procurement_to_check) with what one page reads besides, once
    the reader may: its row read again with ``options``, which fill only what is not yet
    loaded (STATEMENT_LINES; at most one collection joined)."""
    if not options:
        return procurement
    return db.session.scalars(
        select(Procurement).where(Procurement.id == procurement.id).options(*options)
    ).unique().one()


def require_lead(user, procurement: Procurement) -> None:
    if not is_lead_user(user, procurement):
        raise PermissionDenied(
            f"Only users of {procurement.lead_ccg.name}, the lead CCG, can change this "
            "procurement"
        )


def procurements_for_buyer(user) -> list[Procurement]:
    # With each one's lead CCG, which the list names: not a query a row.
    statement = (select(Procurement).options(joinedload(Procurement.lead_ccg))
                 .order_by(Procurement.created_at.desc(), Procurement.id.desc()))
    if user.role == Role.BDU_REVIEWER:
        return list(db.session.scalars(
            statement.where(Procurement.status != ProcurementStatus.DRAFT)))
    if user.role != Role.CCG_USER:
        return []
    partner_of = (select(StatementParty.statement_id)
                  .where(StatementParty.ccg_id == user.organisation_id,
                         StatementParty.status == PartyStatus.CONFIRMED))
    return list(db.session.scalars(statement.where(
        (Procurement.lead_ccg_id == user.organisation_id)
        | Procurement.statement_id.in_(partner_of))))


def opportunities_for_provider(user, status: str | None = None) -> list[Procurement]:
    """The published competitions this provider may see (may_see_opportunity), with their
    statement's lines, invitees and lead CCG: a handful of queries however many there are.
    With ``status``, only those in that status."""
    if not is_provider_user(user):
        return []
    published = db.session.scalars(
        select(Procurement)
        .where(Procurement.status != ProcurementStatus.DRAFT,
               Procurement.route == Route.FURTHER_COMPETITION,
               *([Procurement.status == status] if status else []))
        .options(joinedload(Procurement.statement).selectinload(Statement.lines),
                 selectinload(Procurement.invitees), joinedload(Procurement.lead_ccg))
        .order_by(Procurement.closes_at.desc(), Procurement.id.desc())
    ).all()
    if not published:
        return []
    offered = offered_specification_ids(user.organisation_id)
    responded = set(db.session.scalars(
        select(Bid.procurement_id).where(Bid.provider_id == user.organisation_id)))
    return [p for p in published
            if p.id in responded or is_eligible(user.organisation_id, p, offered)]
