"""Issuing review documents and deciding who may read them.

A review's PDF is rendered and stored when it is signed off, in the sign-off's transaction
(services/reviews.sign_off calls stage_issue), so a failed render leaves the review a draft
and nothing stored. Reviews signed off without one (the 2012 demo results, written as rows)
are issued by issue_as_signed_off when they are seeded: on the one clock put back to the
sign-off, so the document, its date and its audit entry, and the figures it shows (the
market as it stood then) are those of that day. ensure_issued, from `flask reviews render`
or on first download, covers any review still without a document.
"""

from __future__ import annotations

from collections.abc import Callable

from markupsafe import Markup
from sqlalchemy import select

from marketplace import clock
from marketplace.extensions import db
from marketplace.models import (
    Checkpoint,
    IssuedDocument,
    Review,
    ReviewStatus,
    Submission,
)
from marketplace.policies import assessment as assessment_rules
from marketplace.reports import storage
from marketplace.reports.archive import deterministic_zip
from marketplace.reports.pdf import RenderError
from marketplace.reports.printable import Replacement
from marketplace.services.review_document_render import (
    document_context,
    document_filename,
    printable_review_html,
    render_review_pdf,
)

from . import market_cache
from .audit import record_event
from .errors import Conflict, ServiceError
from .transaction import transaction


class DocumentNotRendered(ServiceError):
    """The review's PDF could not be rendered, so nothing was issued."""


# The issued document and a draft's preview: the assessment policy's rules.
may_read = assessment_rules.may_read_document
may_preview = assessment_rules.may_preview_document


def _render(review: Review, version: int) -> bytes:
    try:
        return render_review_pdf(review, version=version)
    except RenderError as error:
        raise DocumentNotRendered(
            f"The review document could not be rendered, so nothing was issued: {error}"
        ) from error


def stage_issue(review: Review) -> IssuedDocument:
    """Render the signed-off review and stage its document; the caller commits."""
    if not review.is_signed_off:
        raise ServiceError("Only a signed-off review is issued")
    version = storage.next_version(review.id)
    content = _render(review, version)
    return storage.store(review, content, filename=document_filename(review, version),
                         issued_at=review.signed_off_at, version=version)


def ensure_issued(review: Review) -> tuple[IssuedDocument, bool]:
    """The review's issued document, issuing it first if it has none. (document, issued now)

    Called on its own (a download, a batch render), never inside another transaction: losing
    the race to issue is expected here and answered with the winner's document."""
    existing = storage.latest(review.id)
    if existing is not None:
        return existing, False
    try:
        with transaction():
            document = stage_issue(review)
            record_event("review.document_issued", review,
                         f"Review document {document.filename} issued for "
                         f"{review.submission.organisation.name}",
                         changes={"sha256": document.sha256, "version": document.version})
    except Conflict:
        # Another worker or download issued it first: theirs is the document, and it is
        # byte-for-byte what this render made.
        winner = storage.latest(review.id)
        if winner is None:
            raise
        return winner, False
    return document, True


def issue_as_signed_off(review: Review) -> tuple[IssuedDocument, bool]:
    """Issue a signed-off review's document as of its sign-off: rendered, stored and audited
    with "now" put at the sign-off moment, then the clock put back as it was."""
    held = clock.pinned()
    clock.pin(review.signed_off_at)
    try:
        db.session.flush()
        return ensure_issued(review)
    finally:
        clock.pin(held)


def print_notes(review: Review, context: dict | None = None) -> tuple[Replacement, ...]:
    """The characters the review's PDF prints differently from how they were typed, so the
    reviewers can change them before sign-off (reports/printable.py). ``context``: the
    review's document_context, if the page has built it already."""
    try:
        return printable_review_html(review, context=context).replacements
    except RenderError:
        return ()  # missing fonts: rendering itself will say so, at preview or sign-off


def _kept_notes(kept: list) -> tuple[Replacement, ...]:
    return tuple(Replacement(character, count) for character, count in kept)


def _notes_to_keep(notes: tuple[Replacement, ...]) -> list:
    return [[note.character, note.count] for note in notes]


# Drawing a review's document runs the plan checks, the market-share chart and two
# templates (the document and its print layout, which the print notes are read from): more
# than the rest of a review's page. It is the same until the review, its plan, its customers
# or the market change, and each of those writes an audit event, so it is kept under the
# market's generation (services/market_cache.py), and the day (the charts read the market
# as it stands today until sign-off).


def kept_document(review: Review, version: int) -> tuple[Markup, tuple[Replacement, ...]]:
    """The review's document as the page shows it (document_context's document_body), and
    its print notes."""
    def draw() -> dict:
        context = document_context(review, version=version)
        return {"body": str(context["document_body"]),
                "notes": _notes_to_keep(print_notes(review, context))}

    kept = market_cache.remembered(
        {"question": "review document", "review": review.id, "version": version,
         "today": clock.today_in_uk().isoformat()}, draw)
    return Markup(kept["body"]), _kept_notes(kept["notes"])


def kept_analysis_html(review: Review | None, plan) -> Markup:
    """The plan checks' tables and flags for a submission's business plan (of its review,
    with the thresholds in force on it, once there is one), drawn by analysis_html and kept
    as kept_document is: the checks read the plan's customers, their allowances and
    contracts, the same between two changes."""
    from .assurance import analysis_for, analysis_for_review
    from .review_document_render import analysis_html

    return Markup(market_cache.remembered(
        {"question": "plan analysis", "review": review.id if review else None,
         "plan": plan.id, "today": clock.today_in_uk().isoformat()},
        lambda: str(analysis_html(analysis_for_review(review) if review
                                  else analysis_for(plan)))))


def kept_print_notes(review: Review, context: Callable[[], dict]) -> tuple[Replacement, ...]:
    """print_notes, kept as kept_document is; ``context`` draws the document_context when
    they are not."""
    return _kept_notes(market_cache.remembered(
        {"question": "print notes", "review": review.id,
         "today": clock.today_in_uk().isoformat()},
        lambda: _notes_to_keep(print_notes(review, context()))))


def preview(review: Review) -> bytes:
    """A DRAFT-marked PDF of a review in progress; never stored."""
    if review.is_signed_off:
        raise ServiceError("A signed-off review has an issued document, not a preview")
    return _render(review, version=storage.next_version(review.id))


def signed_off_reviews(checkpoint: Checkpoint) -> list[Review]:
    return list(db.session.scalars(
        select(Review).join(Submission).where(
            Submission.checkpoint_id == checkpoint.id,
            Review.status == ReviewStatus.SIGNED_OFF,
        ).order_by(Review.id)))


def checkpoint_archive(checkpoint: Checkpoint) -> tuple[bytes, int]:
    """A ZIP of every issued review document of a checkpoint, and how many it holds."""
    documents = storage.latest_for_checkpoint(checkpoint.id, with_content=True)
    archive = deterministic_zip(
        (document.filename, document.issued_at, storage.read(document))
        for document in documents)
    return archive, len(documents)
