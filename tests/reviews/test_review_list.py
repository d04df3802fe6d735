"""The review list: what each reviewer sees, in a number of queries that does not grow."""

from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import Organisation, OrganisationKind

from .. import factories as build
from ..conftest import text_of
from ..queries import counting_statements


def _css_names(count: int) -> list[str]:
    return list(db.session.scalars(
        select(Organisation.name).where(Organisation.kind == OrganisationKind.CSS)
        .order_by(Organisation.name).limit(count)))


def _reviews_and_waiting_submissions(names: list[str]) -> None:
    """For each CSS: a checkpoint 2 review the BDU reviewer has started, and a checkpoint 3
    submission nobody has taken yet."""
    for name in names:
        build.started_review(2, name)
        build.submission(3, name)


def _statements_for_the_list(client) -> int:
    with counting_statements() as count:
        response = client.get("/reviews")
    assert response.status_code == 200
    return len(count)


def test_the_review_list_shows_every_review_and_waiting_submission(bdu_client):
    names = _css_names(3)
    _reviews_and_waiting_submissions(names)
    page = text_of(bdu_client.get("/reviews"))
    for name in names:
        assert page.count(name) == 2, name  # once among the reviews, once waiting


def test_the_review_list_runs_as_many_queries_for_ten_rows_as_for_one(bdu_client):
    names = _css_names(11)
    _reviews_and_waiting_submissions(names[:1])
    with_one = _statements_for_the_list(bdu_client)
    _reviews_and_waiting_submissions(names[1:])
    with_eleven = _statements_for_the_list(bdu_client)
    # Before the list loaded its submissions' checkpoints and organisations with it, each
    # row cost queries of its own: 11 statements for one of each, 41 for eleven.
    assert with_eleven == with_one, (with_one, with_eleven)
