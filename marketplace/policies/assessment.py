"""Business plans, checkpoint submissions, their evidence, reviews and follow-up.

- A CSS's leaders read and change their own plans and submissions, add evidence and answer
  conditions and development actions; another CSS's answers 404.
- A reviewer reviews a submission when they hold the checkpoint's reviewer role and are not
  from the organisation under review (``review``). Reviewers refused are told 403, as the
  review pages always have; CSS leaders are told 404.
- The issued review document is read by the CSS under review, BDU reviewers and, at a peer
  checkpoint, the peers who reviewed or signed it off; a draft's preview by its reviewers.
"""

from marketplace.extensions import db
from marketplace.models import (
    BusinessPlan,
    Condition,
    DevelopmentAction,
    EvidenceDocument,
    Review,
    Role,
    Submission,
)

from .people import leader_of
from .rules import declare


def may_review(user, submission: Submission) -> bool:
    """Holds the checkpoint's reviewer role and is not from the organisation under review."""
    return (
        user.is_active_user
        and user.role == submission.checkpoint.reviewer_role
        and not user.belongs_to(submission.organisation_id)
    )


def may_edit_review(user, review: Review) -> bool:
    return may_review(user, review.submission) and user.id in review.reviewer_ids()


def may_sign_off(user, review: Review) -> bool:
    return may_review(user, review.submission) and user.id not in review.reviewer_ids()


def may_read_document(user, review: Review) -> bool:
    """The issued document: the CSS under review, BDU reviewers, and at a checkpoint that
    peer reviewers assess, the peers who reviewed or signed off this one."""
    if not (user.is_active_user and review.is_signed_off):
        return False
    if user.role == Role.BDU_REVIEWER:
        return True
    if user.role == Role.CSS_LEADER:
        return user.belongs_to(review.submission.organisation_id)
    if user.role == Role.PEER_REVIEWER:
        return (review.submission.checkpoint.reviewer_role == Role.PEER_REVIEWER
                and user.id in review.reviewer_ids() | {review.signed_off_by_id})
    return False


def may_preview_document(user, review: Review) -> bool:
    """A draft's preview: whoever may review or sign it off, never the CSS under review."""
    return not review.is_signed_off and may_review(user, review.submission)


def may_download_evidence(user, document: EvidenceDocument) -> bool:
    """The CSS's own leaders, and the reviewers of what the document is evidence for."""
    if leader_of(user, document.organisation_id):
        return True
    submissions = [document.submission] if document.submission else (
        db.session.query(Submission).filter_by(business_plan_id=document.business_plan_id).all()
    )
    for submission in submissions:
        review = submission.review
        if review is not None and user.id in review.reviewer_ids():
            return True
        # The BDU signs off and follows up, so its reviewers may read the evidence too.
        if user.role == Role.BDU_REVIEWER and may_review(user, submission):
            return True
    return False


def _told_not_found(user, obj) -> bool:
    return user.role == Role.CSS_LEADER


def _own(user, obj) -> bool:
    return leader_of(user, obj.organisation_id)


declare(BusinessPlan, view=_own, edit=_own, not_found="There is no business plan with that number")

declare(
    Submission,
    hidden=_told_not_found,
    view=lambda user, submission: _own(user, submission) or may_review(user, submission),
    add_evidence=_own,
    review=may_review,
    # The BDU assigns the peer reviewers of checkpoints it does not review itself.
    assign=lambda user, submission: user.role == Role.BDU_REVIEWER
    or may_review(user, submission),
    # ... any eligible reviewer; a peer reviewer only takes a review on themselves.
    assign_anyone=lambda user, submission: user.role == Role.BDU_REVIEWER,
    not_found="There is no submission with that number",
)

declare(EvidenceDocument, view=may_download_evidence,
        not_found="There is no document with that number")

declare(
    Review,
    hidden=_told_not_found,
    view=lambda user, review: may_review(user, review.submission),
    # Conditions and development actions are added by whoever may review it.
    follow_up=lambda user, review: may_review(user, review.submission),
    edit=may_edit_review,
    sign_off=may_sign_off,
    read_document=lambda user, review: may_read_document(user, review)
    or may_preview_document(user, review),
    not_found="There is no review with that number",
)


def _under_review(user, item) -> bool:
    return leader_of(user, item.review.submission.organisation_id)


def _answers(user, item) -> bool:
    """A condition is answered by the CSS reviewed or, once it has merged, its successor."""
    organisation_id = getattr(item, "answering_organisation_id", None) \
        or item.review.submission.organisation_id
    return leader_of(user, organisation_id)


def _reviewer(user, item) -> bool:
    return may_review(user, item.review.submission)


for _follow_up in (Condition, DevelopmentAction):
    declare(_follow_up, hidden=_told_not_found,
            view=lambda user, item: _answers(user, item) or _under_review(user, item)
            or _reviewer(user, item),
            respond=_answers, decide=_reviewer)
