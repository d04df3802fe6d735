"""The RQ job that issues one review's document. `rq worker` imports this by name.

A worker started outside Flask builds the app from the environment (MARKETPLACE_ENV,
DATABASE_URL, SECRET_KEY ...), once per process; inside an app context (tests, or a
burst worker started by the app itself) it uses the app it is in.
"""

from __future__ import annotations

from functools import cache

from flask import has_app_context

from marketplace.extensions import db
from marketplace.models import Review


@cache
def worker_app():
    from marketplace import create_app

    return create_app()


def issue_review_document(review_id: int) -> dict:
    if has_app_context():
        return _issue(review_id)
    with worker_app().app_context():
        return _issue(review_id)


def _issue(review_id: int) -> dict:
    from marketplace.services.review_documents import ensure_issued

    review = db.session.get(Review, review_id)
    if review is None or not review.is_signed_off:
        raise LookupError(f"review {review_id} is not a signed-off review")
    document, issued_now = ensure_issued(review)
    return {"review_id": review_id, "filename": document.filename, "sha256": document.sha256,
            "issued_now": issued_now}
