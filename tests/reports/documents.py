"""Builders and readers for review-document tests: signed-off reviews, PDF text."""

import io
import re
from datetime import UTC, date, datetime

from pypdf import PdfReader

from marketplace.services import follow_up, reviews

from .. import assurance as build

MIXED_CP2 = {"leadership": "good_progress", "business_plan": "marginal",
             "ccg_customer_focus": "failed"}


def drafted_review(number: int = 2, values: dict | None = None, commentary: dict | None = None,
                   name: str = build.ARDEN):
    """A review with every criterion rated, a condition and a development action."""
    author = "peer@demo.test" if number == 1 else "bdu@demo.test"
    review = build.started_review(number, name, author=author)
    criteria = review.submission.checkpoint.criteria
    values = values or (MIXED_CP2 if number == 2 else
                        {c.key: reviews_scale_first(review) for c in criteria})
    commentary = commentary or {}
    ratings = {c.id: reviews.RatingInput(values[c.key], commentary.get(c.key, f"On {c.name}."))
               for c in criteria}
    bdu = build.person(author)
    reviews.save_review(bdu, review, expected_lock_version=review.lock_version,
                        ratings=ratings, summary="Written by the reviewer.")
    follow_up.add_condition(bdu, review, "Revise the financial model by 30 June 2012.")
    follow_up.add_action(bdu, review, action="Appoint a permanent managing director.",
                         owner="Chair of the CSS board", due_date=date(2012, 7, 31))
    return review


def reviews_scale_first(review) -> str:
    from marketplace.domain.checkpoints import RATING_SCALES

    return next(iter(RATING_SCALES[review.submission.checkpoint.rating_scale])).value


def sign_off(review, signer: str = "bdu2@demo.test"):
    return reviews.sign_off(build.person(signer), review,
                            expected_lock_version=review.lock_version)


def pages_text(content: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(content))
    return [re.sub(r"\s+", " ", page.extract_text()) for page in reader.pages]


def text(content: bytes) -> str:
    return " ".join(pages_text(content))


def metadata(content: bytes) -> dict:
    return dict(PdfReader(io.BytesIO(content)).metadata)


def signed_off_without_document(review, signer: str = "bdu2@demo.test"):
    """As the 2012 demo results were: signed off before review documents existed."""
    from marketplace.extensions import db
    from marketplace.models import Review

    table = Review.__table__
    db.session.execute(table.update().where(table.c.id == review.id).values(
        status="signed_off", signed_off_by_id=build.person(signer).id,
        signed_off_at=datetime(2012, 5, 14, 9, 30, tzinfo=UTC)))
    db.session.commit()
    db.session.expire_all()
    return review
