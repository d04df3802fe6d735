"""Responses to opportunities (Bid rows; "response" on screen).

A CSS leader of a provider that may respond writes one response per opportunity: a price
for every specification in one of the four pricing models (its annual cost to the buyers
worked out by the pricing rules at the population they buy for), an answer to every quality
criterion, and attachments under the evidence upload rules. It stays a draft until
submitted; a submitted response can be withdrawn, changed and submitted again, all before
the closing time. Every change checks the time when it is saved, so a form opened before
closing and sent after it is refused.

The buyer sees only how many responses were submitted until the closing time, then the
submitted ones; providers never see each other's.
"""

import hashlib
import os
import uuid
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from marketplace import clock, policies
from marketplace.domain import pricing
from marketplace.domain import procurement as rules
from marketplace.extensions import db
from marketplace.models import (
    Bid,
    BidAnswer,
    BidAttachment,
    BidLine,
    BidSource,
    BidStatus,
    CriterionKind,
    Offer,
    Procurement,
    ProcurementStatus,
    ProspectusVersion,
    ServiceSpecification,
    User,
    VersionStatus,
)
from marketplace.policies import procurements as procurement_rules

from . import catalogue_cache, evidence, statement_data
from .assurance_flags import AssuranceNote, assurance_note
from .audit import record_event
from .buying_common import (
    FieldErrors,
    check_fresh,
    clean_text,
    typed_number,
)
from .errors import Conflict, NotFound, PermissionDenied, ServiceError
from .procurement_access import is_party_user, may_respond
from .procurements import refresh_status
from .transaction import on_conflict, on_rollback, transactional

MAX_SUMMARY = 4000
MAX_ANSWER = 10000
MAX_ATTACHMENTS = 10
CLOSED = "The closing time has passed: responses can no longer be changed or submitted."
ALREADY = ("Your organisation already has a response to this opportunity: there is one "
           "response per provider. Change that one instead.")


# --- what a provider prices ------------------------------------------------------------


@dataclass(frozen=True)
class LineGuide:
    specification: ServiceSpecification
    population: int
    days: Decimal | None
    cases: Decimal | None
    offer: Offer | None  # the provider's current published offer for it, if any


def current_offers(provider_id: int, specification_ids) -> dict[int, Offer]:
    offers = db.session.scalars(
        select(Offer).join(ProspectusVersion, Offer.prospectus_version_id == ProspectusVersion.id)
        .where(Offer.organisation_id == provider_id,
               ProspectusVersion.status == VersionStatus.PUBLISHED,
               Offer.specification_id.in_(list(specification_ids)))
        .order_by(Offer.id))
    return {offer.specification_id: offer for offer in offers}


def line_guides(procurement: Procurement, provider_id: int | None = None) -> list[LineGuide]:
    statement = procurement.statement
    specs = statement_data.specifications(statement)
    populations = statement_data.populations(statement)
    quantities = statement_data.quantities(statement)
    offers = current_offers(provider_id, [s.id for s in specs]) if provider_id else {}
    return [
        LineGuide(spec, populations.get(spec.id, 0), quantities.get(spec.id, {}).get("days"),
                  quantities.get(spec.id, {}).get("cases"), offers.get(spec.id))
        for spec in specs
    ]


def quality_criteria(procurement: Procurement):
    return [c for c in procurement.criteria if c.kind == CriterionKind.QUALITY]


# --- reading ---------------------------------------------------------------------------


def response_for(organisation_id: int, procurement: Procurement, *options) -> Bid | None:
    """``options``: loader options for what the caller reads of the response."""
    return db.session.scalars(
        select(Bid).where(Bid.procurement_id == procurement.id,
                          Bid.provider_id == organisation_id).options(*options)
    ).unique().one_or_none()


# What a provider's page about its own response reads of it: its lines joined, its answers
# and attachments a query each (not one each as they are first read, after the lines').
WITH_CONTENT = (joinedload(Bid.lines), selectinload(Bid.answers), selectinload(Bid.attachments))


def responses_for(organisation_id: int, procurements) -> dict[int, Bid | None]:
    """Per procurement id, this provider's response to it or None: one query."""
    ids = [procurement.id for procurement in procurements]
    found = {bid.procurement_id: bid for bid in db.session.scalars(
        select(Bid).where(Bid.procurement_id.in_(ids), Bid.provider_id == organisation_id))
    } if ids else {}
    return {procurement_id: found.get(procurement_id) for procurement_id in ids}


def submitted_count(procurement: Procurement) -> int:
    return db.session.scalar(
        select(func.count(Bid.id))
        .where(Bid.procurement_id == procurement.id, Bid.status == BidStatus.SUBMITTED)
    ) or 0


def eligible_and_submitted_counts(procurement: Procurement) -> tuple[int, int]:
    """How many providers may respond now, and how many responses are submitted. Where every
    provider offering the services bought may respond, they are counted over the published
    catalogue (some two thousand providers at scale 100), so that count is kept until the
    catalogue changes (catalogue_cache); an invited list is counted in memory."""
    if not procurement.open_to_all_providers:
        eligible = len(procurement.invitees)
    else:
        ids = sorted(procurement_rules.bought_specification_ids(procurement))
        eligible = catalogue_cache.remembered(
            {"asked": "providers offering", "specifications": ids},
            lambda: procurement_rules.offering_provider_count(ids))
    return eligible, submitted_count(procurement)


def is_sealed(procurement: Procurement) -> bool:
    """Responses stay sealed from the buyer until the closing time."""
    return procurement_rules.is_sealed(procurement)


@dataclass(frozen=True)
class ResponseForBuyer:
    bid: Bid
    total_annual_cost: Decimal
    assurance: AssuranceNote  # as it is now


def total_annual_cost(bid: Bid) -> Decimal:
    return sum((line.annual_cost for line in bid.lines), Decimal(0))


def _require_unsealed(actor: User, procurement: Procurement) -> None:
    if not is_party_user(actor, procurement):
        raise PermissionDenied("Only the buying CCGs see the responses")
    refresh_status(procurement)
    if is_sealed(procurement):
        raise PermissionDenied("Responses are sealed until the closing time")


def responses_for_buyer(actor: User, procurement: Procurement) -> list[ResponseForBuyer]:
    """The submitted responses, once the competition has closed."""
    _require_unsealed(actor, procurement)
    # Each with its provider and lines: a query for each, not for each response.
    bids = db.session.scalars(
        select(Bid).where(Bid.procurement_id == procurement.id,
                          Bid.status == BidStatus.SUBMITTED)
        .options(joinedload(Bid.provider), selectinload(Bid.lines))).all()
    notes = assurance_note([bid.provider_id for bid in bids])
    return [ResponseForBuyer(bid, total_annual_cost(bid), notes[bid.provider_id])
            for bid in sorted(bids, key=lambda b: (b.provider.name, b.id))]


def bid_with_lines(bid_id: int) -> Bid | None:
    """The response with its provider and priced lines, which its page shows."""
    return db.session.scalars(
        select(Bid).where(Bid.id == bid_id)
        .options(joinedload(Bid.provider), joinedload(Bid.lines))).unique().one_or_none()


def response_for_buyer(actor: User, procurement: Procurement, bid: Bid) -> ResponseForBuyer:
    """One of responses_for_buyer, read alone: a page about one response does not load
    every response's lines and assurance."""
    _require_unsealed(actor, procurement)
    if bid.procurement_id != procurement.id or bid.status != BidStatus.SUBMITTED:
        raise NotFound("There is no response with that number")
    return ResponseForBuyer(bid, total_annual_cost(bid),
                            assurance_note([bid.provider_id])[bid.provider_id])


# --- changing --------------------------------------------------------------------------


def _check_provider(actor: User, bid: Bid) -> None:
    if not policies.may(actor, "edit", bid):
        raise PermissionDenied("Only the provider's own CSS leaders can change its response")


def _check_open(procurement: Procurement) -> None:
    refresh_status(procurement)
    if procurement.status != ProcurementStatus.OPEN or not rules.is_open_for_responses(
            clock.now(), procurement.closes_at):
        raise ServiceError(CLOSED)


def _check_editable(bid: Bid) -> None:
    if bid.status == BidStatus.SUBMITTED:
        raise ServiceError("Your response has been submitted. Withdraw it to change it; you "
                           "can submit it again before the closing time.")


@transactional
def start_response(actor: User, procurement: Procurement) -> Bid:
    """A draft response, its prices taken from the provider's current published offers."""
    if not may_respond(actor, procurement):
        raise PermissionDenied("Your organisation is not invited to respond")
    _check_open(procurement)
    if response_for(actor.organisation_id, procurement) is not None:
        raise Conflict(ALREADY)
    populations = statement_data.populations(procurement.statement)
    guides = line_guides(procurement, actor.organisation_id)
    bid = Bid(procurement=procurement, provider_id=actor.organisation_id,
              source=BidSource.RESPONSE, status=BidStatus.DRAFT, created_by_id=actor.id)
    db.session.add(bid)
    for guide in guides:
        offer = guide.offer
        if offer is None:
            continue
        try:
            cost = pricing.annual_cost(offer.pricing_model, offer.price,
                                       populations.get(offer.specification_id) or 0,
                                       offer.estimated_quantity)
        except pricing.PricingError:
            continue  # left for the provider to price
        bid.lines.append(BidLine(specification_id=offer.specification_id, offer_id=offer.id,
                                 pricing_model=offer.pricing_model, price=offer.price,
                                 estimated_quantity=offer.estimated_quantity,
                                 annual_cost=cost))
    db.session.add(bid)
    # A second request from the same provider may get there first (one response each).
    on_conflict(Bid, ALREADY)
    record_event("response.started", bid,
                 f"{actor.full_name} of {actor.organisation.name} started a response to "
                 f"opportunity {procurement.reference}", actor=actor)
    return bid


@dataclass(frozen=True)
class LineInput:
    specification_id: int
    pricing_model: str | None
    price: str | None  # as typed
    estimated_quantity: str | None = None


def _priced_lines(procurement: Procurement, provider_id: int, lines: list[LineInput]
                  ) -> tuple[dict[int, tuple], list[tuple[str, str]]]:
    """Specification id → (model, price, quantity, annual cost, offer id) for each priced
    line, and the errors, each naming its field."""
    guides = {guide.specification.id: guide for guide in line_guides(procurement, provider_id)}
    priced, errors = {}, []
    for line in lines:
        guide = guides.get(line.specification_id)
        if guide is None:
            raise ServiceError("A price was sent for a service this opportunity does not ask "
                               "for")
        spec_id = line.specification_id
        try:
            amount = typed_number(line.price)
        except ValueError:
            errors.append((f"price_{spec_id}", "Enter the price as an amount of money, like "
                                               "9.50"))
            continue
        try:
            quantity = typed_number(line.estimated_quantity)
        except ValueError:
            errors.append((f"estimated_quantity_{spec_id}", "Enter the estimate as a number, "
                                                            "like 200"))
            continue
        model = line.pricing_model or None
        if amount is None and model is None:
            continue  # not priced yet: a draft may leave it
        if amount is None:
            errors.append((f"price_{spec_id}", f"Enter a price for {guide.specification.name}"))
            continue
        problems = pricing.offer_term_errors(model or "", amount, quantity,
                                             population=guide.population or None)
        if problems:
            fields = {"amount": "price", "population": "price"}
            errors += [(f"{fields.get(p.field, p.field)}_{spec_id}", p.message)
                       for p in problems]
            continue
        quantity_value = quantity if model in pricing.QUANTITY_UNITS else None
        cost = pricing.annual_cost(model, amount, guide.population, quantity_value)
        offer = guide.offer
        same_as_offer = offer is not None and (
            offer.pricing_model, offer.price, offer.estimated_quantity) == (
            model, Decimal(amount), Decimal(quantity_value) if quantity_value else None)
        priced[spec_id] = (model, Decimal(amount),
                           Decimal(quantity_value) if quantity_value else None, cost,
                           offer.id if same_as_offer else None)
    return priced, errors


@transactional
def save_response(actor: User, bid: Bid, expected_lock_version, *, summary,
                  lines: list[LineInput], answers: dict) -> Bid:
    """Save a draft (or withdrawn) response's prices and answers; all or nothing."""
    _check_provider(actor, bid)
    procurement = bid.procurement
    _check_open(procurement)
    check_fresh(bid, expected_lock_version)
    _check_editable(bid)
    errors = []
    try:
        summary = clean_text(summary, "summary", MAX_SUMMARY)
    except ServiceError as error:
        errors.append((error.field, error.message))
    priced, line_errors = _priced_lines(procurement, bid.provider_id, lines)
    errors += line_errors
    criteria = {c.id: c for c in quality_criteria(procurement)}
    cleaned_answers = {}
    for criterion_id, text in (answers or {}).items():
        if criterion_id not in criteria:
            raise ServiceError("An answer was sent for a criterion this opportunity does not "
                               "have")
        try:
            cleaned_answers[criterion_id] = clean_text(text, f"answer_{criterion_id}",
                                                       MAX_ANSWER)
        except ServiceError as error:
            errors.append((error.field, error.message))
    if errors:
        raise FieldErrors(errors)
    existing = {line.specification_id: line for line in bid.lines}
    for spec_id, line in existing.items():
        if spec_id not in priced:
            bid.lines.remove(line)
    for spec_id, (model, amount, quantity, cost, offer_id) in priced.items():
        line = existing.get(spec_id)
        if line is None:
            line = BidLine(specification_id=spec_id)
            bid.lines.append(line)
        line.pricing_model, line.price, line.estimated_quantity = model, amount, quantity
        line.annual_cost, line.offer_id = cost, offer_id
    current = {answer.criterion_id: answer for answer in bid.answers}
    for criterion_id, text in cleaned_answers.items():
        if criterion_id in current:
            current[criterion_id].answer = text
        else:
            bid.answers.append(BidAnswer(criterion_id=criterion_id, answer=text))
    bid.summary = summary
    bid.updated_at = clock.now()  # moves the lock version even when only lines changed
    record_event("response.saved", bid,
                 f"{actor.full_name} of {actor.organisation.name} saved the response to "
                 f"opportunity {procurement.reference}",
                 changes={"annual_costs": {str(k): v[3] for k, v in priced.items()}},
                 actor=actor)
    return bid


def submission_problems(bid: Bid) -> list[tuple[str, str]]:
    procurement = bid.procurement
    priced = {line.specification_id for line in bid.lines}
    problems = [(f"price_{guide.specification.id}",
                 f"Enter a price for {guide.specification.name}")
                for guide in line_guides(procurement) if guide.specification.id not in priced]
    answered = {a.criterion_id for a in bid.answers if a.answer.strip()}
    problems += [(f"answer_{c.id}", f"Answer “{c.name}”") for c in quality_criteria(procurement)
                 if c.id not in answered]
    return problems


@transactional
def submit(actor: User, bid: Bid, expected_lock_version) -> Bid:
    _check_provider(actor, bid)
    procurement = bid.procurement
    _check_open(procurement)
    if bid.status == BidStatus.SUBMITTED:
        raise Conflict("Your response has already been submitted.")
    check_fresh(bid, expected_lock_version)
    problems = submission_problems(bid)
    if problems:
        raise FieldErrors(problems)
    note = assurance_note([bid.provider_id])[bid.provider_id]
    before = bid.status
    bid.status = BidStatus.SUBMITTED
    bid.submitted_at = clock.now()
    bid.submitted_by_id = actor.id
    bid.withdrawn_at = None
    bid.assurance_note = note.text
    record_event(
        "response.submitted", bid,
        f"{actor.full_name} of {actor.organisation.name} submitted a response to "
        f"opportunity {procurement.reference}",
        changes={"status": [before, "submitted"],
                 "total_annual_cost": total_annual_cost(bid),
                 "assurance_note": note.text},
        actor=actor)
    return bid


@transactional
def withdraw(actor: User, bid: Bid, expected_lock_version) -> Bid:
    _check_provider(actor, bid)
    procurement = bid.procurement
    _check_open(procurement)
    if bid.status == BidStatus.WITHDRAWN:
        raise Conflict("Your response has already been withdrawn.")
    if bid.status != BidStatus.SUBMITTED:
        raise ServiceError("Only a submitted response can be withdrawn.")
    check_fresh(bid, expected_lock_version)
    bid.status = BidStatus.WITHDRAWN
    bid.withdrawn_at = clock.now()
    record_event("response.withdrawn", bid,
                 f"{actor.full_name} of {actor.organisation.name} withdrew the response to "
                 f"opportunity {procurement.reference}",
                 changes={"status": ["submitted", "withdrawn"]}, actor=actor)
    return bid


# --- attachments -----------------------------------------------------------------------


@transactional
def add_attachment(actor: User, bid: Bid, *, filename: str, content: bytes) -> BidAttachment:
    _check_provider(actor, bid)
    _check_open(bid.procurement)
    _check_editable(bid)
    if len(bid.attachments) >= MAX_ATTACHMENTS:
        raise ServiceError(f"A response can have at most {MAX_ATTACHMENTS} attachments",
                           field="attachment")
    try:
        content_type = evidence.check_upload(filename, content)
    except ServiceError as error:
        raise ServiceError(error.message, field="attachment") from error
    safe_name = os.path.basename((filename or "").replace("\\", "/"))[:255]
    if "\x00" in safe_name:
        raise ServiceError("The file name has characters that cannot be stored",
                           field="attachment")
    attachment = BidAttachment(
        filename=safe_name, content_type=content_type, size_bytes=len(content),
        sha256=hashlib.sha256(content).hexdigest(), storage_name=uuid.uuid4().hex,
        uploaded_by_id=actor.id, uploaded_at=clock.now())
    bid.attachments.append(attachment)
    bid.updated_at = clock.now()
    record_event("response.attachment_added", bid,
                 f"{actor.full_name} attached {safe_name} to the response to opportunity "
                 f"{bid.procurement.reference}",
                 changes={"sha256": attachment.sha256, "size_bytes": len(content)},
                 actor=actor)
    folder = evidence.evidence_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / attachment.storage_name
    path.write_bytes(content)
    on_rollback(lambda: path.unlink(missing_ok=True))
    return attachment


def remove_attachment(actor: User, bid: Bid, attachment_id) -> None:
    """Remove the row, then (once that is committed) the file."""
    path = _remove_attachment_row(actor, bid, attachment_id)
    path.unlink(missing_ok=True)


@transactional
def _remove_attachment_row(actor: User, bid: Bid, attachment_id) -> Path:
    _check_provider(actor, bid)
    _check_open(bid.procurement)
    _check_editable(bid)
    attachment = next((a for a in bid.attachments if a.id == attachment_id), None)
    if attachment is None:
        raise NotFound("There is no attachment with that number")
    path = attachment_path(attachment)
    bid.attachments.remove(attachment)
    bid.updated_at = clock.now()
    record_event("response.attachment_removed", bid,
                 f"{actor.full_name} removed {attachment.filename} from the response to "
                 f"opportunity {bid.procurement.reference}", actor=actor)
    return path


def attachment_path(attachment: BidAttachment) -> Path:
    return evidence.evidence_dir() / attachment.storage_name


def may_download(user: User, attachment: BidAttachment) -> bool:
    """The provider's own leaders; the buying CCGs once the competition has closed."""
    return policies.may(user, "view", attachment)
