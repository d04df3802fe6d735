"""A review's document and print notes kept in the shared cache (Redis) under the market's
generation (services.review_documents.kept_document and kept_print_notes): shown as drawn
until a change commits with its audit event, and then drawn afresh. These tests use the
Redis at 127.0.0.1:6379 that CI and `make test` run, under a prefix of their own."""

from marketplace.extensions import db
from marketplace.services import reviews

from ..conftest import html, text_of
from ..factories import drafted_review, person
from ..queries import counting_statements
from .test_review_documents import PASTED_FROM_WORD


def _summary_quietly(review, summary: str) -> None:
    """A change behind the services' back, with no audit event: what the cache cannot see,
    so that a test can tell a kept document from one drawn afresh."""
    review.summary = summary
    db.session.commit()


def _summary_through_the_service(review, summary: str) -> None:
    ratings = {rating.criterion_id: reviews.RatingInput(rating.value, rating.commentary)
               for rating in review.ratings}
    reviews.save_review(person("bdu@demo.test"), review,
                        expected_lock_version=review.lock_version, ratings=ratings,
                        summary=summary)


def _document(client, review) -> str:
    page = html(client.get(f"/review-documents/{review.id}"))
    return page.select_one("article.review-document").get_text(" ", strip=True)


def test_the_document_is_kept_until_the_review_changes(bdu_client, catalogue_cache_on):
    review = drafted_review(2)
    assert "Written by the reviewer." in _document(bdu_client, review)
    _summary_quietly(review, "Changed quietly.")
    assert "Written by the reviewer." in _document(bdu_client, review)  # as drawn, kept
    _summary_through_the_service(review, "Changed through the service.")
    shown = _document(bdu_client, review)
    assert "Changed through the service." in shown and "Written by" not in shown


def test_the_print_notes_are_kept_until_the_review_changes(bdu_client, catalogue_cache_on):
    review = drafted_review(2, commentary={"leadership": PASTED_FROM_WORD})
    page = f"/reviews/submissions/{review.submission_id}"
    told = "vertical tab (Word's line break) (U+000B), printed as a new line"
    assert told in text_of(bdu_client.get(page))
    assert told in text_of(bdu_client.get(f"/review-documents/{review.id}"))
    rating = next(r for r in review.ratings if r.commentary == PASTED_FROM_WORD)
    rating.commentary = "Plain words."
    db.session.commit()
    assert told in text_of(bdu_client.get(page))  # kept: nothing said the review changed
    _summary_through_the_service(review, "Saved again.")
    assert told not in text_of(bdu_client.get(page))
    assert told not in text_of(bdu_client.get(f"/review-documents/{review.id}"))


def test_without_redis_the_document_is_drawn_every_time(bdu_client):
    review = drafted_review(2)
    _document(bdu_client, review)
    _summary_quietly(review, "Changed quietly.")
    assert "Changed quietly." in _document(bdu_client, review)


def _plan_checks_read(client, url: str) -> bool:
    """Whether GET ``url`` ran the plan checks (they read the thresholds in force)."""
    db.session.expire_all()
    with counting_statements() as count:
        assert client.get(url).status_code == 200
    return any("plan_check_threshold" in statement for statement in count.statements)


def test_the_plan_analysis_is_kept_until_the_market_changes(bdu_client, catalogue_cache_on):
    review = drafted_review(2)
    page = f"/reviews/submissions/{review.submission_id}"
    first = html(bdu_client.get(page))
    assert _plan_checks_read(bdu_client, page) is False  # kept from the first
    assert html(bdu_client.get(page)).select_one("main").get_text(" ", strip=True) == \
        first.select_one("main").get_text(" ", strip=True)
    _summary_through_the_service(review, "Saved again.")
    assert _plan_checks_read(bdu_client, page) is True
