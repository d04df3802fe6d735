"""Who may read a review's documents: role × route, per the access convention."""

import pytest

from ..factories import drafted_review, sign_off

ISSUED = {  # who may read a signed-off checkpoint 2 review of Arden CSS
    "css@demo.test": 200,        # leads Arden, the CSS under review
    "bdu@demo.test": 200,
    "bdu2@demo.test": 200,
    "css2@demo.test": 404,       # another CSS is not told the review exists
    "peer@demo.test": 403,       # peers review checkpoint 1 only
    "ccg@demo.test": 403,
    "admin@demo.test": 403,
}


@pytest.fixture
def issued_review(app_context):
    return sign_off(drafted_review(2))


@pytest.mark.parametrize("email", sorted(ISSUED))
@pytest.mark.parametrize("route", ["", "/issued.pdf"])
def test_who_may_read_an_issued_review(sign_in, issued_review, email, route):
    response = sign_in(email).get(f"/review-documents/{issued_review.id}{route}")
    assert response.status_code == ISSUED[email]


@pytest.mark.parametrize("email,status", [
    ("bdu@demo.test", 200), ("bdu2@demo.test", 200),  # the reviewer and a possible signatory
    ("css@demo.test", 404),  # the CSS does not see its results before sign-off
    ("peer@demo.test", 403), ("ccg@demo.test", 403), ("admin@demo.test", 403),
])
def test_who_may_preview_a_draft(sign_in, email, status):
    review = drafted_review(2)
    assert sign_in(email).get(f"/review-documents/{review.id}").status_code == status


def test_peers_read_the_checkpoint_1_reviews_they_wrote_or_signed(sign_in):
    review = sign_off(drafted_review(1), signer="peer2@demo.test")
    for email, status in (("peer@demo.test", 200), ("peer2@demo.test", 200),
                          ("bdu@demo.test", 200), ("css@demo.test", 200)):
        assert sign_in(email).get(f"/review-documents/{review.id}").status_code == status


@pytest.mark.parametrize("email,status", [
    ("bdu@demo.test", 200), ("css@demo.test", 403), ("peer@demo.test", 403),
    ("ccg@demo.test", 403), ("admin@demo.test", 403),
])
def test_only_bdu_reviewers_download_a_checkpoints_zip(sign_in, email, status):
    from .. import factories as build

    build.checkpoint(2)
    assert sign_in(email).get("/review-documents/checkpoints/2/issued.zip").status_code == status


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/review-documents/1/issued.pdf")
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def test_review_documents_are_never_stored_by_caches(bdu_client):
    draft = drafted_review(2)
    responses = [bdu_client.get(f"/review-documents/{draft.id}/draft.pdf")]
    issued = sign_off(draft)
    responses += [bdu_client.get(f"/review-documents/{issued.id}/issued.pdf"),
                  bdu_client.get("/review-documents/checkpoints/2/issued.zip"),
                  bdu_client.get(f"/review-documents/{issued.id}")]
    for response in responses:
        assert response.status_code == 200
        assert "no-store" in response.headers["Cache-Control"]
        assert "no-cache" not in response.headers["Cache-Control"]
    assert [r.headers["Cache-Control"] for r in responses[:3]] == ["private, no-store"] * 3
