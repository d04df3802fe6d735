"""Seeded 2012 reviews are issued at seeding, as of their sign-off date and from the data of
that date: not rendered from today's data at their first download."""

from datetime import UTC, datetime

from sqlalchemy import select

from marketplace import clock
from marketplace.demo import SEEDERS
from marketplace.demo.assurance import seed_assurance, seed_checkpoints, seed_review_documents
from marketplace.extensions import db
from marketplace.models import AuditEvent, Review, ReviewStatus
from marketplace.reports import storage
from marketplace.services import review_documents
from marketplace.services.agreements import customer_summary

from .. import factories as build
from ..factories import drafted_review, signed_off_without_document

SIGNED_OFF = datetime(2012, 5, 14, 9, 30, tzinfo=UTC)


def _agreement_signed_at(moment, ccg, offer):
    held = clock.pinned()
    clock.pin(moment)
    try:
        return build.create_agreement(ccg, [offer])
    finally:
        clock.pin(held)


def test_a_summary_as_of_a_date_counts_only_what_was_signed_by_then(app_context):
    market = build.build_market()
    _agreement_signed_at(datetime(2012, 3, 30, 12, tzinfo=UTC), build.ccg("05A"), market.arden_bi)
    _agreement_signed_at(datetime(2013, 2, 1, 12, tzinfo=UTC), build.ccg("05R"), market.arden_bi)
    then, now = customer_summary(market.arden, as_of=SIGNED_OFF), customer_summary(market.arden)
    assert then.contracted_income < now.contracted_income
    assert (then.share.ccgs_under_agreement, now.share.ccgs_under_agreement) == (1, 2)


def test_a_review_signed_off_without_a_document_is_issued_as_of_its_sign_off(app_context):
    review = signed_off_without_document(drafted_review(2))
    assert review.signed_off_at == SIGNED_OFF and storage.latest(review.id) is None

    document, issued_now = review_documents.issue_as_signed_off(review)

    assert issued_now and document.issued_at == SIGNED_OFF
    event = db.session.scalar(
        select(AuditEvent)
        .where(AuditEvent.action == "review.document_issued")
        .order_by(AuditEvent.id.desc())
    )
    assert event.occurred_at == SIGNED_OFF
    assert clock.pinned() is None  # the clock is put back
    # A second call (a download, the batch command) hands back the same document.
    again, issued_again = review_documents.issue_as_signed_off(review)
    assert (again.id, issued_again) == (document.id, False)


def test_seeding_issues_every_signed_off_review_in_order_of_sign_off(app, app_context, monkeypatch):
    seed_checkpoints()
    seed_assurance()
    db.session.commit()
    issued = []
    monkeypatch.setattr(
        review_documents,
        "issue_as_signed_off",
        lambda review: issued.append((review.signed_off_at, review.id)),
    )
    monkeypatch.setitem(app.config, "REVIEW_DOCUMENTS_AT_SEEDING", True)
    seed_review_documents()
    signed_off = db.session.scalars(
        select(Review).where(Review.status == ReviewStatus.SIGNED_OFF)
    ).all()
    assert len(issued) == len(signed_off) == 51  # 25 at Checkpoint 1, 26 at Checkpoint 2
    assert issued == sorted(issued)


def test_documents_are_issued_before_the_later_history_is_seeded():
    names = [seeder.__name__ for seeder in SEEDERS]
    issue = names.index("seed_review_documents")
    assert names.index("seed_assurance") < issue < names.index("seed_procurements")
