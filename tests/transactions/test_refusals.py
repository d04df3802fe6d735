"""Refusals: the app-wide 403, 404 and 409 pages (and JSON under /api/), and that a refused
change leaves nothing saved: no half-written rows, no audit event without its change."""

import pytest
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import (
    AuditEvent,
    Condition,
    Prospectus,
    Rating,
    Statement,
    StatementLine,
    VersionStatus,
)
from marketplace.services import prospectuses, statements
from marketplace.services.errors import Conflict, NotFound, PermissionDenied, ServiceError

from .. import factories as build
from ..conftest import html, text_of, user
from ..factories import create_spec, organisation, publish


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_permission_denied_by_a_service_is_a_403_page_with_its_message(sign_in):
    review = build.started_review()  # bdu@ is its reviewer; bdu2@ is not
    response = sign_in("bdu2@demo.test").post(f"/reviews/{review.id}/conditions",
                                              data={"text": "Appoint a finance director"})
    assert response.status_code == 403
    assert "Only a reviewer assigned to this review can change it" in text_of(response)
    assert count(Condition) == 0


def test_not_found_by_a_service_is_a_404_page_with_its_message(ccg_client):
    response = ccg_client.post("/shortlists/entries/999999/remove")
    assert response.status_code == 404
    assert "That offer is not on your shortlists" in text_of(response)


def test_a_conflict_is_a_409_page_naming_what_happened(css_client):
    spec = create_spec()
    publish("Arden CSS", (spec, {}))
    publish("Arden CSS")  # v1 is superseded now
    before = count(AuditEvent)

    response = css_client.post("/prospectus/versions/1/withdraw", data={},
                               headers={"Referer": "http://localhost/prospectus/versions"})

    assert response.status_code == 409
    page = html(response)
    assert page.select_one("h1").get_text(strip=True) == "Your change was not saved"
    assert "Only the published version can be withdrawn; v1 is superseded" in text_of(response)
    assert page.select_one('a[href="/prospectus/versions"]') is not None  # back to look again
    assert prospectuses.get_version(organisation("Arden CSS").id, 1).status \
        == VersionStatus.SUPERSEDED
    assert count(AuditEvent) == before


@pytest.mark.parametrize(("error", "status"), [
    (PermissionDenied("Only the CCG's own users can change its scenarios"), 403),
    (NotFound("No such version"), 404),
    (Conflict("Someone else saved this scenario", field="name"), 409),
    (ServiceError("Enter a name", field="name"), 400),
])
def test_under_the_api_a_refusal_is_json_naming_the_field(app, error, status):
    with app.test_request_context("/api/v1/scenarios/1"):
        response = app.make_response(app.handle_user_exception(error))
    assert response.status_code == status
    assert response.get_json() == {"errors": [{"field": error.field, "message": error.message}]}


def test_a_refused_review_save_writes_no_ratings_and_no_event(bdu_client):
    review = build.started_review()
    data = {"lock_version": review.lock_version, "summary": "Strong", "merge_with_id": "0",
            # an outcome other than the ratings give, without the reason that needs
            "outcome_code": "C", "override_reason": ""}
    for criterion in review.submission.checkpoint.criteria:
        data[f"rating_{criterion.id}"] = "good_progress"
        data[f"commentary_{criterion.id}"] = "Good"

    response = bdu_client.post(f"/reviews/{review.id}/edit", data=data)

    assert response.status_code == 200
    assert "Give the reason for an outcome different" in text_of(response)
    assert count(Rating) == 0
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "review.saved")) == 0


def test_a_refused_statement_line_keeps_nothing(app_context, market):
    ccg_user = user("ccg@demo.test")
    statement = statements.create_statement(ccg_user, statements.DetailsInput("Support"))
    before = count(AuditEvent)
    with pytest.raises(ServiceError) as refused:
        statements.save_line(ccg_user, statement, statements.LineInput(
            market.retired.id, budget_annual="25000000.01"), statement.lock_version)
    assert {field for field, _ in refused.value.errors} == {"specification_id",
                                                            "budget_annual"}
    db.session.expire_all()
    assert count(StatementLine) == 0
    assert count(AuditEvent) == before
    assert db.session.get(Statement, statement.id).lock_version == 1


def test_a_refused_first_draft_leaves_no_draft_behind(app_context):
    # The draft is written (flushed) before its content is checked; the refusal undoes it.
    with pytest.raises(ServiceError, match="10,000 characters"):
        prospectuses.save_draft(user("css@demo.test"), organisation("Arden CSS"),
                                lock_version=0, content={"vision": "x" * 10_001}, ccg_ids=[])
    assert count(Prospectus) == 0
    assert count(AuditEvent) == 0
