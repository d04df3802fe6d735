"""The submission under review and the review document, in a number of queries that does not
grow with the reviewers who could be assigned or who wrote the review."""

from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import Organisation, OrganisationKind, Role
from marketplace.services import reviews

from .. import factories as build
from ..conftest import text_of
from ..queries import counting_statements


def _peers_from_other_organisations(count: int, start: int = 0) -> list:
    """Peer reviewers, each from a CSS of their own (so each names another organisation)."""
    organisations = list(db.session.scalars(
        select(Organisation).where(Organisation.kind == OrganisationKind.CSS,
                                   Organisation.name != build.ARDEN)
        .order_by(Organisation.name).offset(start).limit(count)))
    assert len(organisations) == count
    return [build.make_user(f"peer-{start + n}@demo.test", f"Peer Reviewer {start + n}",
                            organisation, Role.PEER_REVIEWER)
            for n, organisation in enumerate(organisations)]


def _statements(client, url: str) -> int:
    with counting_statements() as count:
        response = client.get(url)
    assert response.status_code == 200
    return len(count)


def test_the_reviewers_to_choose_from_are_named_in_a_fixed_number_of_queries(peer_client):
    submission = build.submission(1)
    url = f"/reviews/submissions/{submission.id}"
    few_peers = _peers_from_other_organisations(2)
    few = _statements(peer_client, url)
    many_peers = _peers_from_other_organisations(4, start=2)
    many = _statements(peer_client, url)
    assert many == few
    named = {(user_id, f"{name}, {organisation}")
             for user_id, name, organisation in reviews.eligible_reviewer_names(submission)}
    assert {(peer.id, f"{peer.full_name}, {peer.organisation.name}")
            for peer in few_peers + many_peers} <= named


def test_the_review_document_names_its_reviewers_in_a_fixed_number_of_queries(peer_client):
    author = build.person("peer@demo.test")
    review = build.started_review(1, author="peer@demo.test")
    bdu = build.person("bdu@demo.test")
    url = f"/review-documents/{review.id}"
    reviews.assign_reviewer(bdu, review.submission, _peers_from_other_organisations(1)[0])
    db.session.commit()
    few = _statements(peer_client, url)
    added = _peers_from_other_organisations(3, start=1)
    for peer in added:
        reviews.assign_reviewer(bdu, review.submission, peer)
    db.session.commit()
    db.session.expire_all()
    many = _statements(peer_client, url)
    assert many == few
    page = text_of(peer_client.get(url))
    for person in [author, *added]:
        assert f"{person.full_name} ({person.organisation.name})" in page
