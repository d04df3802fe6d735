"""The submission page's record of its review (reviewers, outcome, ratings), what the CSS's
customers say and its evidence: kept in the shared cache under the market's generation
(reviews/views._kept_record), so shown as drawn until a change through the services
commits, and drawn afresh after it. The forms beside them are drawn on every request."""

from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import Rating, Review

from .. import factories as build
from ..conftest import html


def _ratings(client, submission_id: int) -> str:
    page = html(client.get(f"/reviews/submissions/{submission_id}"))
    table = next(t for t in page.select("table") if "Ratings" in t.caption.get_text())
    return table.get_text(" ", strip=True)


def test_the_review_record_is_kept_until_a_rating_is_saved(bdu_client, catalogue_cache_on):
    redis, prefix = catalogue_cache_on
    review = build.started_review(2)
    build.rate(review, build.CP2_GOOD)
    db.session.commit()
    submission_id = review.submission_id
    assert "leadership commentary" in _ratings(bdu_client, submission_id)
    assert sum(1 for _ in redis.scan_iter(f"{prefix}:*")) >= 1
    # Changed behind the services' back (no audit event): the page shows the record kept.
    rating = db.session.scalars(select(Rating).where(Rating.review_id == review.id)).first()
    rating.commentary = "Changed quietly"
    db.session.commit()
    assert "Changed quietly" not in _ratings(bdu_client, submission_id)
    # Saved through the service, with its audit event: drawn afresh.
    db.session.expire_all()
    review = db.session.get(Review, review.id)
    build.rate(review, {**build.CP2_GOOD, "leadership": "marginal"})
    db.session.commit()
    assert "Leadership Marginal" in _ratings(bdu_client, submission_id)


def test_without_the_cache_the_record_is_drawn_every_time(bdu_client):
    review = build.started_review(2)
    build.rate(review, build.CP2_GOOD)
    db.session.commit()
    assert "leadership commentary" in _ratings(bdu_client, review.submission_id)
    rating = db.session.scalars(select(Rating).where(Rating.review_id == review.id)).first()
    rating.commentary = "Changed quietly"
    db.session.commit()
    assert "Changed quietly" in _ratings(bdu_client, review.submission_id)
