"""Evaluation: independent scores, moderation by the lead, and the ranking they give.

- Evaluators (CCG users the lead named) score every quality criterion of every submitted
  response from 0 to 5 with a reason. Until an evaluator submits their scores, they are
  theirs to change and they see nobody else's; once submitted, they are fixed and the
  evaluator may read the others' submitted scores and the ranking.
- Nobody scores or moderates a response from their own organisation.
- The lead CCG's users moderate once every evaluator has submitted: one agreed score and
  reason per criterion per response. Only the agreed scores count. Two lead users moderating
  the same response at once: the second save is refused (the response's lock_version).
- The ranking is domain/procurement.rank_bids on the agreed scores and each response's
  total annual cost (the one price formula, PRICE_FORMULA).

Scoring happens while a competition is closed for evaluation, or while a direct award is a
draft (its candidates are the shortlisted offers).
"""

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.orm.attributes import flag_modified

from marketplace import clock
from marketplace.domain import procurement as rules
from marketplace.models import (
    Bid,
    BidStatus,
    CriterionKind,
    EvaluationCriterion,
    ModeratedScore,
    Procurement,
    ProcurementEvaluator,
    ProcurementStatus,
    Role,
    Score,
    User,
)
from marketplace.policies import procurements as procurement_rules

from .audit import record_event
from .bids import total_annual_cost
from .buying_common import FieldErrors, clean_text
from .errors import Conflict, NotFound, PermissionDenied, ServiceError
from .procurement_access import require_lead
from .transaction import check_version, on_conflict, transactional

MAX_REASON = 4000
OWN_ORGANISATION = "Nobody may score or moderate a response from their own organisation"
MODERATED_MEANWHILE = ("Somebody else moderated this response after you opened it, so your "
                       "scores were not saved. Check them as they are now.")


def check_page_version(obj, expected_lock_version, message: str) -> None:
    """check_version for a decision made on a page: a form sent without the version it was
    drawn from (or with a garbled one) is refused, never taken as "no check"."""
    if expected_lock_version is None:
        raise Conflict(message)
    check_version(obj, expected_lock_version, message)


@dataclass(frozen=True)
class ScoreInput:
    criterion_id: int
    score: object  # as typed
    reason: object  # as typed


def quality_criteria(procurement: Procurement) -> list[EvaluationCriterion]:
    return [c for c in procurement.criteria if c.kind == CriterionKind.QUALITY]


def price_criterion(procurement: Procurement) -> EvaluationCriterion | None:
    return next((c for c in procurement.criteria if c.kind == CriterionKind.PRICE), None)


def scoring_open(procurement: Procurement) -> bool:
    if procurement.is_competition:
        return procurement.status == ProcurementStatus.EVALUATION
    return procurement.status == ProcurementStatus.DRAFT


def bids_to_evaluate(procurement: Procurement) -> list[Bid]:
    """The submitted responses (or a direct award's candidates), by provider name."""
    found = [bid for bid in procurement.bids if bid.status == BidStatus.SUBMITTED]
    return sorted(found, key=lambda bid: (bid.provider.name, bid.id))


def bid_to_evaluate(procurement: Procurement, bid_id) -> Bid:
    for bid in bids_to_evaluate(procurement):
        if bid.id == bid_id:
            return bid
    raise NotFound("There is no response with that number")


def evaluator_row(user: User, procurement: Procurement) -> ProcurementEvaluator | None:
    if user.role != Role.CCG_USER:
        return None
    return next((row for row in procurement.evaluators if row.user_id == user.id), None)


def has_submitted(user: User, procurement: Procurement) -> bool:
    row = evaluator_row(user, procurement)
    return row is not None and row.scores_submitted_at is not None


# Who reads every evaluator's scores: the procurement policy's rule.
may_see_all_scores = procurement_rules.may_see_all_scores


def _require_evaluator(actor: User, procurement: Procurement) -> ProcurementEvaluator:
    row = evaluator_row(actor, procurement)
    if row is None:
        raise PermissionDenied(f"Only the evaluators named for {procurement.reference} score "
                               "its responses")
    return row


def _require_scoring_open(procurement: Procurement) -> None:
    if not scoring_open(procurement):
        raise ServiceError(f"Procurement {procurement.reference} is "
                           f"{procurement.status_label.lower()}: its scores are settled.")


def _require_not_own(actor: User, bid: Bid) -> None:
    if actor.belongs_to(bid.provider_id):
        raise PermissionDenied(OWN_ORGANISATION)


def _cleaned(procurement: Procurement, inputs: list[ScoreInput], *, every_criterion: bool
             ) -> dict[int, tuple[int, str]]:
    """Criterion id → (score, reason). A row left wholly blank is skipped unless
    ``every_criterion``; half a row, a bad score or reason is named at its field."""
    criteria = {c.id: c for c in quality_criteria(procurement)}
    given = {}
    for item in inputs:
        if item.criterion_id not in criteria:
            raise ServiceError("A score was sent for a criterion this procurement does not "
                               "have")
        given[item.criterion_id] = item
    cleaned, errors = {}, []
    for criterion_id, criterion in criteria.items():
        item = given.get(criterion_id)
        typed_score = item.score if item else None
        typed_reason = item.reason if item else None
        blank = (typed_score in (None, "") and not (isinstance(typed_reason, str)
                                                    and typed_reason.strip()))
        if blank and not every_criterion:
            continue
        score = rules.whole_score(typed_score)
        if score is None:
            errors.append((f"score_{criterion_id}",
                           f"{rules.SCORE_MESSAGE} for “{criterion.name}”"))
        try:
            reason = clean_text(typed_reason, f"reason_{criterion_id}", MAX_REASON,
                                required=f"Give the reason for the score for “{criterion.name}”")
        except ServiceError as error:
            errors.append((error.field, error.message))
            continue
        if score is not None:
            cleaned[criterion_id] = (score, reason)
    if errors:
        raise FieldErrors(errors)
    return cleaned


# --- an evaluator's own scores -------------------------------------------------------------


def own_scores(user: User, bid: Bid) -> dict[int, Score]:
    return {s.criterion_id: s for s in bid.scores if s.evaluator_id == user.id}


def progress(user: User, procurement: Procurement) -> dict[int, int]:
    """Bid id → how many of its quality criteria this evaluator has scored."""
    return {bid.id: len(own_scores(user, bid)) for bid in bids_to_evaluate(procurement)}


@transactional
def save_scores(actor: User, procurement: Procurement, bid: Bid,
                inputs: list[ScoreInput]) -> list[Score]:
    """Save an evaluator's scores for one response (rows left blank are not scored yet)."""
    row = _require_evaluator(actor, procurement)
    _require_not_own(actor, bid)
    if bid.procurement_id != procurement.id or bid.status != BidStatus.SUBMITTED:
        raise NotFound("There is no response with that number")
    if row.scores_submitted_at is not None:
        raise Conflict("You have submitted your scores, so they can no longer change.")
    _require_scoring_open(procurement)
    cleaned = _cleaned(procurement, inputs, every_criterion=False)
    if not cleaned:
        raise ServiceError("Score at least one criterion", field="form")
    on_conflict(Score, "You saved these scores twice at the same moment; the first was "
                       "kept. Check them as they are now.")
    current = own_scores(actor, bid)
    changes = {}
    now = clock.now()
    for criterion_id, (score, reason) in cleaned.items():
        found = current.get(criterion_id)
        if found is None:
            bid.scores.append(Score(criterion_id=criterion_id, evaluator_id=actor.id,
                                    score=score, reason=reason, scored_at=now))
            changes[str(criterion_id)] = [None, score]
        elif (found.score, found.reason) != (score, reason):
            changes[str(criterion_id)] = [found.score, score]
            found.score, found.reason, found.scored_at = score, reason, now
    record_event("evaluation.scored", bid,
                 f"{actor.full_name} scored the response from {bid.provider.name} to "
                 f"{procurement.reference}", changes=changes or None, actor=actor)
    return [s for s in bid.scores if s.evaluator_id == actor.id]


def missing_scores(user: User, procurement: Procurement) -> list[tuple[Bid, EvaluationCriterion]]:
    """What this evaluator has still to score (never their own organisation's response)."""
    criteria = quality_criteria(procurement)
    return [(bid, criterion) for bid in bids_to_evaluate(procurement)
            if not user.belongs_to(bid.provider_id)
            for criterion in criteria if criterion.id not in own_scores(user, bid)]


@transactional
def submit_scores(actor: User, procurement: Procurement) -> ProcurementEvaluator:
    """Fix the evaluator's scores; from now they may see the others' submitted scores."""
    row = _require_evaluator(actor, procurement)
    if row.scores_submitted_at is not None:
        raise Conflict("You have already submitted your scores.")
    _require_scoring_open(procurement)
    if not bids_to_evaluate(procurement):
        raise ServiceError("There are no responses to score")
    missing = missing_scores(actor, procurement)
    if missing:
        bid, criterion = missing[0]
        raise ServiceError(
            f"Score every criterion of every response first: {len(missing)} still to score, "
            f"starting with “{criterion.name}” for {bid.provider.name}", field="form")
    row.scores_submitted_at = clock.now()
    procurement.updated_at = clock.now()  # other pages drawn before this are now stale
    record_event("evaluation.submitted", procurement,
                 f"{actor.full_name} submitted their scores for {procurement.reference}",
                 actor=actor)
    return row


# --- reading every evaluator's scores ----------------------------------------------------


def pending_evaluators(procurement: Procurement) -> list[ProcurementEvaluator]:
    return [row for row in procurement.evaluators if row.scores_submitted_at is None]


@dataclass(frozen=True)
class ScoreSheet:
    """One response's scores, criterion by criterion: the submitted ones and the agreed."""

    bid: Bid
    total_annual_cost: Decimal
    rows: list  # [(criterion, [Score of submitted evaluators], ModeratedScore | None)]

    @property
    def is_moderated(self) -> bool:
        return all(moderated is not None for _c, _s, moderated in self.rows)


def score_sheets(viewer: User, procurement: Procurement) -> list[ScoreSheet]:
    if not may_see_all_scores(viewer, procurement):
        raise PermissionDenied("You can see the other evaluators' scores once you have "
                               "submitted your own")
    submitted = {row.user_id for row in procurement.evaluators
                 if row.scores_submitted_at is not None}
    sheets = []
    for bid in bids_to_evaluate(procurement):
        moderated = {m.criterion_id: m for m in bid.moderated_scores}
        rows = [(criterion,
                 sorted((s for s in bid.scores
                         if s.criterion_id == criterion.id and s.evaluator_id in submitted),
                        key=lambda s: (s.evaluator.full_name, s.id)),
                 moderated.get(criterion.id))
                for criterion in quality_criteria(procurement)]
        sheets.append(ScoreSheet(bid, total_annual_cost(bid), rows))
    return sheets


# --- moderation ------------------------------------------------------------------------------


@transactional
def moderate(actor: User, procurement: Procurement, bid: Bid, expected_lock_version,
             inputs: list[ScoreInput]) -> list[ModeratedScore]:
    """The lead's agreed score and reason for every quality criterion of one response."""
    require_lead(actor, procurement)
    _require_not_own(actor, bid)
    if bid.procurement_id != procurement.id or bid.status != BidStatus.SUBMITTED:
        raise NotFound("There is no response with that number")
    if not may_see_all_scores(actor, procurement):
        raise PermissionDenied("Submit your own scores before you moderate")
    _require_scoring_open(procurement)
    waiting = pending_evaluators(procurement)
    if waiting:
        raise ServiceError("Every evaluator must submit their scores before moderation. "
                           "Still to submit: "
                           + ", ".join(row.user.full_name for row in waiting), field="form")
    check_page_version(bid, expected_lock_version, MODERATED_MEANWHILE)
    cleaned = _cleaned(procurement, inputs, every_criterion=True)
    current = {m.criterion_id: m for m in bid.moderated_scores}
    changes = {}
    now = clock.now()
    for criterion_id, (score, reason) in cleaned.items():
        found = current.get(criterion_id)
        if found is None:
            bid.moderated_scores.append(ModeratedScore(
                criterion_id=criterion_id, score=score, reason=reason,
                moderated_by_id=actor.id, moderated_at=now))
            changes[str(criterion_id)] = [None, score]
        elif (found.score, found.reason) != (score, reason):
            changes[str(criterion_id)] = [found.score, score]
            found.score, found.reason = score, reason
            found.moderated_by_id, found.moderated_at = actor.id, now
    # Always an UPDATE of the response, so its lock_version moves and a second moderator
    # working from the same page is refused (the clock may read the same as last time).
    bid.updated_at = now
    flag_modified(bid, "updated_at")
    record_event("evaluation.moderated", bid,
                 f"{actor.full_name} of {procurement.lead_ccg.name} agreed the scores for the "
                 f"response from {bid.provider.name} to {procurement.reference}",
                 changes=changes or None, actor=actor)
    return list(bid.moderated_scores)


# --- the ranking -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Ranking:
    ranked: list  # [(Bid, RankedBid)] best first; empty until every response is moderated
    unmoderated: list  # [Bid] still without every agreed score
    criteria: list  # quality criteria, in order
    price_weight: int

    @property
    def is_complete(self) -> bool:
        return bool(self.ranked) and not self.unmoderated


def ranking(procurement: Procurement) -> Ranking:
    criteria = quality_criteria(procurement)
    price = price_criterion(procurement)
    price_weight = price.weight if price else 0
    bids = bids_to_evaluate(procurement)
    unmoderated = [bid for bid in bids
                   if {m.criterion_id for m in bid.moderated_scores}
                   < {c.id for c in criteria}]
    if unmoderated or not bids:
        return Ranking([], unmoderated, criteria, price_weight)
    by_id = {bid.id: bid for bid in bids}
    ranked = rules.rank_bids(
        [rules.BidToRank(bid.id, total_annual_cost(bid),
                         {m.criterion_id: m.score for m in bid.moderated_scores},
                         bid.submitted_at or bid.created_at)
         for bid in bids],
        {c.id: c.weight for c in criteria}, price_weight)
    return Ranking([(by_id[r.key], r) for r in ranked], [], criteria, price_weight)


def ranking_for(viewer: User, procurement: Procurement) -> Ranking:
    if not may_see_all_scores(viewer, procurement):
        raise PermissionDenied("The ranking is for the lead CCG and for evaluators who have "
                               "submitted their scores")
    return ranking(procurement)


def letter_results(procurement: Procurement, found: Ranking) -> list[dict]:
    """The ranking as the decision records it (and the letters report it): plain JSON."""
    results = []
    for bid, ranked in found.ranked:
        moderated = {m.criterion_id: m for m in bid.moderated_scores}
        results.append({
            "bid_id": bid.id,
            "provider": bid.provider.name,
            "rank": ranked.rank,
            "total_annual_cost": str(ranked.total_annual_cost),
            "quality": str(ranked.quality),
            "price": str(ranked.price),
            "total": str(ranked.total),
            "criteria": [{"criterion_id": c.id, "name": c.name, "weight": c.weight,
                          "score": moderated[c.id].score,
                          "points": str(ranked.criteria[c.id]),
                          "reason": moderated[c.id].reason}
                         for c in found.criteria],
        })
    return results

