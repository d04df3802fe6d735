"""Statements, procurements and the responses to them.

- Users of the lead CCG run the procurement (``lead``); users of partner CCGs that confirmed
  their lines read it; BDU reviewers read it once published. Nobody else learns that it
  exists (404).
- Providers (CSS leaders of a CSS or an independent provider) see a published opportunity
  when they may respond (``respond``): every provider with a currently published offer for
  one of its specifications, or only the invited list. A provider that has a response keeps
  seeing it.
- A response (bid) is its provider's; the buying CCGs read submitted responses once the
  competition has closed, and its attachments with them.
"""

from sqlalchemy import distinct, func, select

from marketplace.extensions import db
from marketplace.models import (
    PROVIDER_KINDS,
    Bid,
    BidAttachment,
    BidSource,
    BidStatus,
    Clarification,
    ClarificationStage,
    DecisionLetter,
    Offer,
    Organisation,
    Procurement,
    ProcurementStatus,
    ProspectusVersion,
    Role,
    Statement,
    StatementLine,
    StatementParty,
    VersionStatus,
)

from .people import ccg_user_of, is_provider_user, leader_of
from .rules import declare


def party_ccg_ids(procurement: Procurement) -> set[int]:
    return procurement.statement.party_ccg_ids | {procurement.lead_ccg_id}


def is_lead_user(user, procurement: Procurement) -> bool:
    return ccg_user_of(user, procurement.lead_ccg_id)


def is_party_user(user, procurement: Procurement) -> bool:
    return user.role == Role.CCG_USER and user.organisation_id in party_ccg_ids(procurement)


def may_read(user, procurement: Procurement) -> bool:
    # The BDU follows the market: what CCGs publish, not what they are still drafting.
    return is_party_user(user, procurement) or (
        user.role == Role.BDU_REVIEWER and procurement.status != ProcurementStatus.DRAFT)


def _offering(specification_ids: list[int]):
    """The providers' ids of every offer on a current published prospectus for any of these
    specifications (one row per offer)."""
    return (
        select(Offer.organisation_id)
        .join(ProspectusVersion, Offer.prospectus_version_id == ProspectusVersion.id)
        .join(Organisation, Organisation.id == Offer.organisation_id)
        .where(
            ProspectusVersion.status == VersionStatus.PUBLISHED,
            Offer.specification_id.in_(specification_ids),
            Organisation.kind.in_(PROVIDER_KINDS),
        )
    )


def offering_provider_ids(specification_ids, among=None) -> set[int]:
    """Providers with an offer on their current published prospectus for any of these;
    with ``among``, only those of these organisations (one provider's question reads its
    own dozen offers, not every provider's)."""
    ids = list(specification_ids)
    if not ids:
        return set()
    statement = _offering(ids).distinct()
    if among is not None:
        statement = statement.where(Offer.organisation_id.in_(list(among)))
    return set(db.session.scalars(statement))


def offering_provider_count(specification_ids) -> int:
    """len(offering_provider_ids(specification_ids)), counted by the database (at scale 100
    some two thousand providers offer a competition's services)."""
    ids = list(specification_ids)
    if not ids:
        return 0
    providers = _offering(ids).with_only_columns(func.count(distinct(Offer.organisation_id)))
    return db.session.scalar(providers) or 0


def offered_specification_ids(organisation_id: int) -> set[int]:
    """The specifications a provider offers on its current published prospectus."""
    return set(db.session.scalars(
        select(Offer.specification_id).distinct()
        .join(ProspectusVersion, Offer.prospectus_version_id == ProspectusVersion.id)
        .join(Organisation, Organisation.id == Offer.organisation_id)
        .where(
            ProspectusVersion.status == VersionStatus.PUBLISHED,
            Offer.organisation_id == organisation_id,
            Organisation.kind.in_(PROVIDER_KINDS),
        )
    ))


def bought_specification_ids(procurement: Procurement) -> set[int]:
    return {line.specification_id for line in procurement.statement.bought_lines}


def eligible_provider_ids(procurement: Procurement) -> set[int]:
    """Who may respond: every provider of the specifications, or the invited list."""
    if procurement.open_to_all_providers:
        return offering_provider_ids(bought_specification_ids(procurement))
    return {organisation.id for organisation in procurement.invitees}


def is_eligible(organisation_id: int, procurement: Procurement,
                offered: set[int] | None = None) -> bool:
    """Whether this provider is one of eligible_provider_ids(procurement); ``offered``, its
    offered_specification_ids when the caller asks about many procurements."""
    if not procurement.open_to_all_providers:
        return organisation_id in {organisation.id for organisation in procurement.invitees}
    if offered is None:
        return organisation_id in offering_provider_ids(
            bought_specification_ids(procurement), among=[organisation_id])
    return bool(offered & bought_specification_ids(procurement))


def may_respond(user, procurement: Procurement) -> bool:
    return (
        procurement.is_competition
        and procurement.status != ProcurementStatus.DRAFT
        and is_provider_user(user)
        and is_eligible(user.organisation_id, procurement)
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


def is_sealed(procurement: Procurement) -> bool:
    """Responses stay sealed from the buyers until the competition has closed."""
    return procurement.is_competition and procurement.status in (ProcurementStatus.DRAFT,
                                                                 ProcurementStatus.OPEN)


def _party_user(user, statement: Statement) -> bool:
    return (user.role == Role.CCG_USER
            and statement.party_for(user.organisation_id) is not None)


def _lead_of(user, statement: Statement) -> bool:
    return ccg_user_of(user, statement.lead_ccg_id)


declare(
    Statement,
    # Every CCG taking part reads it (and confirms or declines its own lines); the lead CCG
    # changes its details, partners and split, and starts its procurement.
    view=_party_user,
    lead=_lead_of,
    start=_lead_of,
    not_found="There is no such statement",
)

declare(
    StatementLine,
    view=lambda user, line: _party_user(user, line.statement),
    # Each CCG changes only its own lines.
    edit=lambda user, line: ccg_user_of(user, line.ccg_id),
    not_found="There is no such line",
)

declare(
    StatementParty,
    view=lambda user, party: _party_user(user, party.statement),
    remove=lambda user, party: _lead_of(user, party.statement),
    not_found="There is no such partner",
)

def may_see_all_scores(user, procurement: Procurement) -> bool:
    """Every evaluator's scores: the lead's users (to moderate), and evaluators who have
    submitted their own. An evaluator who has not submitted sees only their own, even when
    they are a lead user too."""
    row = next((row for row in procurement.evaluators if row.user_id == user.id), None) \
        if user.role == Role.CCG_USER else None
    if row is not None and row.scores_submitted_at is None:
        return False
    return is_lead_user(user, procurement) or row is not None


declare(
    Procurement,
    view=lambda user, procurement: may_read(user, procurement)
    or may_see_opportunity(user, procurement),
    lead=is_lead_user,
    see_all_scores=may_see_all_scores,
    # The buying CCGs: the lead and the partners that confirmed their lines.
    party=is_party_user,
    respond=may_respond,
    not_found="There is no procurement with that number",
)


def _question_visible(user, question: Clarification) -> bool:
    # The questions a buyer answers: those asked while the tender is open (read by whoever
    # reads the procurement), and those about the decision (the buying CCGs only).
    if question.stage == ClarificationStage.TENDER:
        return may_read(user, question.procurement)
    return is_party_user(user, question.procurement)


declare(
    Clarification,
    view=_question_visible,
    answer=lambda user, question: _question_visible(user, question)
    and is_lead_user(user, question.procurement),
    not_found="There is no question with that number",
)


def _own_response(user, bid: Bid) -> bool:
    return leader_of(user, bid.provider_id) and bid.source == BidSource.RESPONSE


def _buyer_reads(user, bid: Bid) -> bool:
    procurement = bid.procurement
    return (is_party_user(user, procurement) and not is_sealed(procurement)
            and bid.status == BidStatus.SUBMITTED)


def _response_hidden(user, bid: Bid) -> bool:
    # Whoever reads the procurement is told 403 (the BDU; the buying CCGs while responses
    # are sealed); anybody else 404, and the buying CCGs 404 for a response never submitted
    # once they are unsealed.
    procurement = bid.procurement
    if not may_read(user, procurement):
        return True
    return (is_party_user(user, procurement) and not is_sealed(procurement)
            and bid.status != BidStatus.SUBMITTED)


def may_download(user, attachment: BidAttachment) -> bool:
    """The provider's own leaders; the buying CCGs once the competition has closed."""
    return leader_of(user, attachment.bid.provider_id) or _buyer_reads(user, attachment.bid)


def may_read_letter(user, letter: DecisionLetter) -> bool:
    """The bidder's own CSS leaders, and the buying CCGs' users."""
    if not user.is_active_user:
        return False
    if user.role == Role.CSS_LEADER:
        return user.belongs_to(letter.bid.provider_id)
    return is_party_user(user, letter.procurement)


declare(Bid, hidden=_response_hidden,
        view=lambda user, bid: leader_of(user, bid.provider_id) or _buyer_reads(user, bid),
        edit=_own_response, not_found="There is no response with that number")

declare(BidAttachment, view=may_download, not_found="There is no attachment with that number")

declare(DecisionLetter, view=may_read_letter, not_found="There is no letter with that number")
