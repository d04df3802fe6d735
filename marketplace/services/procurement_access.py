"""Who may see a procurement, and who may respond to it: the rules every buying page loads by.

- Users of the lead CCG run the procurement; users of partner CCGs that confirmed their lines
  read it; BDU reviewers read it too. Nobody else learns that it exists (NotFound).
- Providers (CSS leaders of a CSS or an independent provider) see a published opportunity
  when they may respond: every provider with a currently published offer for one of its
  specifications, or only the invited list. A provider that has a response keeps seeing it.
"""

from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import (
    PROVIDER_KINDS,
    Bid,
    Offer,
    Organisation,
    PartyStatus,
    Procurement,
    ProcurementStatus,
    ProspectusVersion,
    Role,
    Route,
    StatementParty,
    VersionStatus,
)

from . import statement_data
from .errors import NotFound, PermissionDenied

NOT_FOUND = "There is no procurement with that number"


def party_ccg_ids(procurement: Procurement) -> set[int]:
    return statement_data.party_ccg_ids(procurement.statement) | {procurement.lead_ccg_id}


def is_lead_user(user, procurement: Procurement) -> bool:
    return user.role == Role.CCG_USER and user.belongs_to(procurement.lead_ccg_id)


def is_party_user(user, procurement: Procurement) -> bool:
    return user.role == Role.CCG_USER and user.organisation_id in party_ccg_ids(procurement)


def may_read(user, procurement: Procurement) -> bool:
    # The BDU follows the market: what CCGs publish, not what they are still drafting.
    return is_party_user(user, procurement) or (
        user.role == Role.BDU_REVIEWER and procurement.status != ProcurementStatus.DRAFT)


def require_lead(user, procurement: Procurement) -> None:
    if not is_lead_user(user, procurement):
        raise PermissionDenied(
            f"Only users of {procurement.lead_ccg.name}, the lead CCG, can change this "
            "procurement"
        )


def procurement_for_buyer(user, procurement_id) -> Procurement:
    procurement = (db.session.get(Procurement, procurement_id)
                   if isinstance(procurement_id, int) else None)
    if procurement is None or not may_read(user, procurement):
        raise NotFound(NOT_FOUND)
    return procurement


def procurements_for_buyer(user) -> list[Procurement]:
    statement = select(Procurement).order_by(Procurement.created_at.desc(), Procurement.id.desc())
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


def offering_provider_ids(specification_ids) -> set[int]:
    """Providers with an offer on their current published prospectus for any of these."""
    ids = list(specification_ids)
    if not ids:
        return set()
    return set(db.session.scalars(
        select(Offer.organisation_id).distinct()
        .join(ProspectusVersion, Offer.prospectus_version_id == ProspectusVersion.id)
        .join(Organisation, Organisation.id == Offer.organisation_id)
        .where(
            ProspectusVersion.status == VersionStatus.PUBLISHED,
            Offer.specification_id.in_(ids),
            Organisation.kind.in_(PROVIDER_KINDS),
        )
    ))


def eligible_provider_ids(procurement: Procurement) -> set[int]:
    """Who may respond: every provider of the specifications, or the invited list."""
    if procurement.open_to_all_providers:
        specs = [spec.id for spec in statement_data.specifications(procurement.statement)]
        return offering_provider_ids(specs)
    return {organisation.id for organisation in procurement.invitees}


def is_provider_user(user) -> bool:
    return user.role == Role.CSS_LEADER and user.organisation.kind in PROVIDER_KINDS


def may_respond(user, procurement: Procurement) -> bool:
    return (
        procurement.is_competition
        and procurement.status != ProcurementStatus.DRAFT
        and is_provider_user(user)
        and user.organisation_id in eligible_provider_ids(procurement)
    )


def _has_response(organisation_id: int, procurement: Procurement) -> bool:
    return db.session.scalar(
        select(Bid.id).where(Bid.procurement_id == procurement.id,
                             Bid.provider_id == organisation_id)
    ) is not None


def may_see_opportunity(user, procurement: Procurement) -> bool:
    if not is_provider_user(user) or not procurement.is_competition:
        return False
    if procurement.status == ProcurementStatus.DRAFT:
        return False
    return may_respond(user, procurement) or _has_response(user.organisation_id, procurement)


def opportunity_for_provider(user, procurement_id) -> Procurement:
    procurement = (db.session.get(Procurement, procurement_id)
                   if isinstance(procurement_id, int) else None)
    if procurement is None or not may_see_opportunity(user, procurement):
        raise NotFound("There is no opportunity with that number")
    return procurement


def opportunities_for_provider(user) -> list[Procurement]:
    if not is_provider_user(user):
        return []
    published = db.session.scalars(
        select(Procurement)
        .where(Procurement.status != ProcurementStatus.DRAFT,
               Procurement.route == Route.FURTHER_COMPETITION)
        .order_by(Procurement.closes_at.desc(), Procurement.id.desc())
    ).all()
    return [p for p in published if may_see_opportunity(user, p)]
