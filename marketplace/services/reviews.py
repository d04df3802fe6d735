"""Reviewing a submission: assignment, ratings, outcome and override, sign-off.

Rules: a reviewer never comes from the organisation under review and holds the checkpoint's
reviewer role; the outcome comes from the ratings by the checkpoint's rule unless overridden
with a written reason; someone other than the author and the assigned reviewers signs off;
at sign-off the review's PDF is rendered and stored in the same transaction, so a review is
never signed off without its issued document; after sign-off the review cannot change; of
two saves based on the same read, the later is refused (lock_version) with the reviewer's
input kept by the view.
"""

from dataclasses import dataclass

from sqlalchemy import inspect, select
from sqlalchemy.orm import joinedload, selectinload

from marketplace.domain.checkpoints import (
    RATING_SCALES,
    RULES,
    CheckpointError,
    HostingDecision,
    HostingRecommendation,
    checkpoint3_rule,
    compute_outcome,
)
from marketplace.domain.plan_checks import Thresholds
from marketplace.extensions import db
from marketplace.models import (
    Checkpoint,
    Organisation,
    OrganisationKind,
    Rating,
    Review,
    ReviewAssignment,
    ReviewStatus,
    Role,
    Submission,
    User,
)
from marketplace.models.base import utcnow
from marketplace.policies import assessment as assessment_rules

from . import (
    notifications,
    plan_checks,
    review_documents,  # a module import: review_documents imports this one too
)
from .audit import record_event
from .catalogue_cache import catalogue_changed
from .checkpoints import outcome_label
from .errors import PermissionDenied, ServiceError
from .transaction import check_version, on_conflict, transactional

HOSTING_RULE = "cp3_hosting"
CONFLICT_MESSAGE = (
    "Another reviewer saved this review after you opened it, so your changes were not saved. "
    "Your entries are shown below: check them against the latest version and save again."
)
ALREADY_STARTED = (
    "This review was already started a moment ago, perhaps from another tab or by a "
    "colleague, so it was not started again. Check its reviewers below."
)
REVIEWERS_CHANGED = (
    "Someone else changed this review's reviewers a moment ago, so yours was not added. "
    "Check its reviewers below."
)


# Who reviews, edits and signs off: the assessment policy's rules, by the names the review
# services have always used.
may_review = assessment_rules.may_review
may_edit = assessment_rules.may_edit_review
may_sign_off = assessment_rules.may_sign_off


def _eligible(submission: Submission) -> tuple:
    """Who may be asked to review the submission: active users of the checkpoint's reviewer
    role, from another organisation."""
    return (User.role == submission.checkpoint.reviewer_role,
            User.is_active_user.is_(True),
            User.organisation_id != submission.organisation_id)


def eligible_reviewers(submission: Submission) -> list[User]:
    return list(db.session.scalars(
        select(User).where(*_eligible(submission)).order_by(User.full_name)))


def submission_for_review(submission_id: int) -> Submission | None:
    """A submission with what its review page always reads (its checkpoint and the
    checkpoint's criteria, its CSS and the CSS's region, which the print notes name, the
    prospectus version it submits if any, its review and that review's assignments) in one
    statement, where loading each when first read took seven more. The two lists are a few
    rows each, so their product is too."""
    return db.session.scalars(
        select(Submission).where(Submission.id == submission_id).options(
            joinedload(Submission.checkpoint).joinedload(Checkpoint.criteria),
            joinedload(Submission.organisation).joinedload(Organisation.region),
            joinedload(Submission.prospectus_version),
            joinedload(Submission.review).joinedload(Review.assignments))
    ).unique().one_or_none()


def review_with_submission(review_id: int) -> Review | None:
    """A review with its assignments, its submission and the submission's checkpoint (with
    its criteria, a few rows) and CSS in one statement: what the review's document and edit
    pages read first."""
    return db.session.scalars(
        select(Review).where(Review.id == review_id).options(
            joinedload(Review.assignments),
            joinedload(Review.submission).joinedload(Submission.checkpoint)
            .joinedload(Checkpoint.criteria),
            joinedload(Review.submission).joinedload(Submission.organisation))
    ).unique().one_or_none()


def load_people(review: Review) -> list[User]:
    """Everyone a review names (its author, its reviewers, its signatory) with their
    organisation, in one query however many they are, so that drawing their names and
    organisations loads nothing more; those already loaded are not asked for again.
    The caller holds the list while it draws them: the session keeps only weak references."""
    ids = review.reviewer_ids() | {review.signed_off_by_id} - {None}
    missing = [user_id for user_id in ids if not _loaded_with_organisation(user_id)]
    if not missing:
        return []
    return list(db.session.scalars(select(User).where(User.id.in_(sorted(missing)))
                                   .options(joinedload(User.organisation))))


def _loaded_with_organisation(user_id: int) -> bool:
    user = db.session.identity_map.get(db.session.identity_key(User, user_id))
    return user is not None and "organisation" not in inspect(user).unloaded


def eligible_reviewer_names(submission: Submission) -> list[tuple[int, str, str]]:
    """(id, full name, organisation name) of each eligible_reviewers user, in one query: a
    page's choice of reviewer names each one's organisation."""
    return [tuple(row) for row in db.session.execute(
        select(User.id, User.full_name, Organisation.name)
        .join(Organisation, Organisation.id == User.organisation_id)
        .where(*_eligible(submission)).order_by(User.full_name)
    )]


def _check_reviewer(reviewer: User, submission: Submission) -> None:
    if reviewer.belongs_to(submission.organisation_id):
        raise PermissionDenied(
            f"{reviewer.full_name} works for {submission.organisation.name} and cannot review it",
            field="reviewer_id",
        )
    if not may_review(reviewer, submission):
        raise PermissionDenied(
            f"{submission.checkpoint.title} is reviewed by a "
            f"{submission.checkpoint.reviewer_role_label.lower()}", field="reviewer_id",
        )


def _check_assigner(actor: User, reviewer: User) -> None:
    if actor.role in (Role.BDU_REVIEWER, Role.ADMIN) or actor.id == reviewer.id:
        return
    raise PermissionDenied("Only the BDU assigns reviewers to other people")


def _check_draft(review: Review) -> None:
    if review.is_signed_off:
        raise ServiceError("This review has been signed off and can no longer change")


@transactional
def assign_reviewer(actor: User, submission: Submission, reviewer: User) -> Review:
    """Start the review with its author, or add a reviewer to one already started."""
    _check_assigner(actor, reviewer)
    _check_reviewer(reviewer, submission)
    review = submission.review
    if review is None:
        review = Review(submission=submission, author=reviewer, status=ReviewStatus.DRAFT)
        db.session.add(review)
        on_conflict(Review, ALREADY_STARTED)  # one review per submission
    else:
        _check_draft(review)
        if reviewer.id in review.reviewer_ids():
            raise ServiceError(f"{reviewer.full_name} is already a reviewer", field="reviewer_id")
        review.updated_at = utcnow()  # moves the lock on: two assignments at once, one wins
        on_conflict(Review, REVIEWERS_CHANGED)
    review.assignments.append(ReviewAssignment(reviewer=reviewer, assigned_by_id=actor.id))
    record_event("review.reviewer_assigned", review,
                 f"{reviewer.full_name} assigned to review {submission.organisation.name} at "
                 f"{submission.checkpoint.title}", actor=actor)
    return review


@dataclass(frozen=True)
class RatingInput:
    value: str  # "" for not rated yet
    commentary: str


@transactional
def save_review(actor: User, review: Review, *, expected_lock_version: int,
                ratings: dict[int, RatingInput], summary: str, outcome_code: str = "",
                override_reason: str = "", merge_with_id: int | None = None) -> Review:
    if not may_edit(actor, review):
        raise PermissionDenied("Only a reviewer assigned to this review can change it")
    _check_draft(review)
    check_version(review, expected_lock_version, CONFLICT_MESSAGE)
    checkpoint = review.submission.checkpoint
    scale = RATING_SCALES[checkpoint.rating_scale]
    for criterion in checkpoint.criteria:
        entry = ratings.get(criterion.id, RatingInput("", ""))
        existing = review.rating_for(criterion.id)
        if entry.value and entry.value not in {member.value for member in scale}:
            raise ServiceError(f"Choose a rating for {criterion.name}",
                               field=f"rating-{criterion.id}")
        if not entry.value:
            if existing is not None:
                review.ratings.remove(existing)
            continue
        if existing is None:
            review.ratings.append(Rating(criterion=criterion, value=entry.value,
                                         commentary=entry.commentary))
        else:
            existing.value, existing.commentary = entry.value, entry.commentary
    review.summary = summary
    _record_thresholds(review)
    _set_outcome(review, outcome_code, override_reason.strip(), merge_with_id)
    review.updated_at = utcnow()  # every save moves lock_version on, ratings included
    record_event("review.saved", review,
                 f"{actor.full_name} saved the review of {review.submission.organisation.name}",
                 changes={"outcome": review.outcome_code,
                          "ratings": {r.criterion.key: r.value for r in review.ratings}},
                 actor=actor)
    return review


def thresholds_for(review: Review) -> Thresholds:
    """The values a signed-off review was judged against; a draft's are those in force."""
    if review.is_signed_off and review.thresholds_in_force:
        return Thresholds.from_values(review.thresholds_in_force)
    return plan_checks.thresholds_in_force()


def _record_thresholds(review: Review) -> None:
    review.thresholds_in_force = plan_checks.thresholds_in_force().values()


def computed_outcome(review: Review):
    """The rule's outcome for the ratings so far, or None until every criterion is rated."""
    checkpoint = review.submission.checkpoint
    values = {r.criterion.key: r.value for r in review.ratings}
    if not checkpoint.criteria or len(values) < len(checkpoint.criteria):
        return None
    # The hosting rule's thresholds are the BDU's data, not the code's defaults.
    policy = thresholds_for(review).hosting_policy
    rules = RULES | {HOSTING_RULE: checkpoint3_rule(policy, HOSTING_RULE)}
    try:
        return compute_outcome(checkpoint.rule_key, values, rules)
    except CheckpointError:
        return None


def _set_outcome(review: Review, outcome_code: str, override_reason: str,
                 merge_with_id: int | None) -> None:
    rule_key = review.submission.checkpoint.rule_key
    computed = computed_outcome(review)
    review.computed_outcome_code = computed.code if computed else None
    chosen = outcome_code or (computed.code if computed else None)
    if outcome_code and outcome_label(rule_key, outcome_code) is None:
        raise ServiceError("Choose one of the outcomes listed", field="outcome_code")
    if chosen and chosen != review.computed_outcome_code and not override_reason:
        raise ServiceError(
            "Give the reason for an outcome different from the one the ratings give",
            field="override_reason",
        )
    merge_with = _merge_partner(review, chosen, merge_with_id) if rule_key == HOSTING_RULE \
        else None
    review.outcome_code = chosen
    if computed is not None and chosen == computed.code:
        review.outcome_label = computed.label
        review.override_reason = ""
    else:
        review.outcome_label = outcome_label(rule_key, chosen)
        review.override_reason = override_reason if chosen else ""
    review.merge_with = merge_with


def _merge_partner(review: Review, chosen: str | None, merge_with_id: int | None):
    partner = db.session.get(Organisation, merge_with_id) if merge_with_id else None
    if partner is not None and (partner.kind != OrganisationKind.CSS
                                or partner.id == review.submission.organisation_id):
        raise ServiceError("Choose another CSS to merge with", field="merge_with_id")
    if chosen is None:
        return None
    try:
        HostingDecision(HostingRecommendation(chosen), partner.name if partner else None)
    except CheckpointError as error:
        message = str(error)
        raise ServiceError(message[:1].upper() + message[1:], field="merge_with_id") from None
    return partner


@transactional
def sign_off(actor: User, review: Review, *, expected_lock_version: int) -> Review:
    if actor.id in review.reviewer_ids():
        raise PermissionDenied("A second reviewer signs off: you cannot sign off a review "
                               "you wrote or were assigned to")
    if not may_review(actor, review.submission):
        raise PermissionDenied("You cannot sign off this review")
    _check_draft(review)
    check_version(review, expected_lock_version, CONFLICT_MESSAGE)
    checkpoint = review.submission.checkpoint
    if len(review.ratings) < len(checkpoint.criteria):
        raise ServiceError("Every criterion must be rated before sign-off")
    if not review.outcome_code:
        raise ServiceError("The review has no outcome yet")
    # The values in force now are the ones the issued document shows, and stay with it.
    _record_thresholds(review)
    review.status = ReviewStatus.SIGNED_OFF
    review.signed_off_by = actor
    review.signed_off_at = utcnow()
    # No autoflush while rendering: the review is written once, at commit, where a
    # concurrent change is caught as a conflict like any other save. A failed render rolls
    # the sign-off back, so the review stays a draft.
    with db.session.no_autoflush:
        document = review_documents.stage_issue(review)
    record_event("review.signed_off", review,
                 f"{actor.full_name} signed off {review.submission.organisation.name} at "
                 f"{checkpoint.title}: {review.outcome_label}",
                 changes={"document": document.filename, "sha256": document.sha256},
                 actor=actor)
    notifications.review_issued(review)
    catalogue_changed()  # the provider's assurance status, which search shows and counts
    return review


# What the review list shows of each submission, loaded with it: without these, every row
# cost three or four queries of its own (69 statements for the demo's 57 submissions).
# A list names each submission's CSS and checkpoint: joined in its one query, not a query each.
_SUBMISSION_SHOWN = (joinedload(Submission.checkpoint), joinedload(Submission.organisation))
_REVIEW_LISTED = (joinedload(Review.submission).options(*_SUBMISSION_SHOWN),)
# Whether its user may sign a review off depends on who reviewed it.
_REVIEW_SHOWN = (*_REVIEW_LISTED, selectinload(Review.assignments))


def reviews_for_user(user: User) -> list[Review]:
    return list(db.session.scalars(
        select(Review).join(ReviewAssignment).where(ReviewAssignment.reviewer_id == user.id)
        .options(*_REVIEW_LISTED)
        .order_by(Review.status, Review.id)
    ))


def waiting_for_a_reviewer(user: User) -> list[Submission]:
    """Submissions nobody has started to review that ``user`` may review, oldest first."""
    waiting = db.session.scalars(
        select(Submission).outerjoin(Review).where(Review.id.is_(None))
        .options(*_SUBMISSION_SHOWN)
        .order_by(Submission.submitted_at, Submission.id)
    )
    return [submission for submission in waiting if may_review(user, submission)]


def waiting_for_sign_off_by(user: User) -> list[Review]:
    """Draft reviews with an outcome that ``user`` may sign off."""
    drafts = db.session.scalars(
        # Drafts with no outcome yet are left out in SQL, so their submissions and
        # assignments are not loaded only to be dropped.
        select(Review).where(Review.status == ReviewStatus.DRAFT,
                             Review.outcome_code.is_not(None), Review.outcome_code != "")
        .options(*_REVIEW_SHOWN)
        .order_by(Review.id)
    )
    return [review for review in drafts if review.outcome_code and may_sign_off(user, review)]

