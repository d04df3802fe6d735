import pytest
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import AuditEvent, BusinessPlan, FrozenRecordError, Submission
from marketplace.services import business_plans
from marketplace.services.errors import ServiceError

from .. import factories as build
from ..conftest import html, text_of


def test_css_leader_submits_a_plan_and_that_version_freezes(css_client):
    build.checkpoint(2)
    plan = build.plan()
    page = text_of(css_client.get("/assurance/checkpoints/2/submit"))
    assert "Business plan version 1 (draft)" in page

    response = css_client.post("/assurance/checkpoints/2/submit", data={"document_id": plan.id})
    assert response.status_code == 302
    submission = db.session.scalar(select(Submission))
    assert submission.business_plan_id == plan.id
    db.session.refresh(plan)
    assert plan.is_submitted
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "submission.created"))
    # Submitting twice takes you to the submission, not a second one.
    again = css_client.get("/assurance/checkpoints/2/submit")
    assert again.headers["Location"].endswith(f"/assurance/submissions/{submission.id}")


def test_checkpoint_1_takes_a_published_prospectus(css_client):
    build.checkpoint(1)
    from marketplace.demo.assurance import ensure_prospectus_version

    version = ensure_prospectus_version(build.organisation(build.ARDEN))
    db.session.commit()
    response = css_client.post("/assurance/checkpoints/1/submit", data={"document_id": version.id})
    assert response.status_code == 302
    assert db.session.scalar(select(Submission)).prospectus_version_id == version.id


def test_an_incomplete_plan_cannot_be_submitted(css_client):
    build.checkpoint(3)
    plan = build.plan()
    plan.balanced_scorecard = None
    db.session.commit()
    response = css_client.post("/assurance/checkpoints/3/submit", data={"document_id": plan.id})
    assert response.status_code == 400
    assert "balanced scorecard" in html(response).select_one("#document_id-error").text
    assert db.session.scalar(select(Submission)) is None


def test_a_submitted_plan_cannot_change_and_a_new_version_shows_differences(css_client):
    plan = build.plan(submitted=True)
    response = css_client.get(f"/assurance/plans/{plan.id}/edit")
    assert response.status_code == 302
    with pytest.raises(ServiceError, match="cannot change"):
        business_plans.update_narrative(build.person("css@demo.test"), plan, {}, {})
    # The backstop refuses even code that skips the service.
    plan.risks = "changed behind the service's back"
    with pytest.raises(FrozenRecordError):
        db.session.flush()
    db.session.rollback()

    assert css_client.post("/assurance/plans/new").status_code == 302
    draft = db.session.scalar(select(BusinessPlan).where(BusinessPlan.version == 2))
    assert draft.leadership == plan.leadership  # copied from the latest version
    narrative = draft.narrative() | {"risks": "Losing two CCGs to in-house teams.",
                                     "lock_version": draft.lock_version}
    response = css_client.post(f"/assurance/plans/{draft.id}/edit", data=narrative)
    assert response.status_code == 302
    page = text_of(css_client.get(f"/assurance/plans/{draft.id}"))
    assert "Changes since version 1" in page and "Losing two CCGs to in-house teams." in page


def test_one_draft_at_a_time(css_client):
    build.plan()
    response = css_client.post("/assurance/plans/new")
    assert response.status_code == 302
    assert "already a draft" in text_of(css_client.get("/assurance/plans"))


def test_another_css_cannot_see_or_submit_arden_plans(sign_in):
    build.checkpoint(2)
    plan = build.plan()
    other = sign_in("css2@demo.test")
    assert other.get(f"/assurance/plans/{plan.id}").status_code == 404
    response = other.post("/assurance/checkpoints/2/submit", data={"document_id": plan.id})
    assert response.status_code == 400  # not one of their choices
    assert db.session.scalar(select(Submission)) is None


@pytest.mark.parametrize("email, expected", [
    ("css@demo.test", 200), ("css2@demo.test", 404), ("bdu@demo.test", 403),
    ("peer@demo.test", 403), ("admin@demo.test", 403), ("ccg@demo.test", 403),
])
def test_every_role_on_the_css_submission_page(sign_in, email, expected):
    submission = build.submission(2)
    assert sign_in(email).get(f"/assurance/submissions/{submission.id}").status_code == expected


def test_results_are_hidden_until_sign_off(css_client):
    review = build.started_review()
    build.rate(review, build.CP2_GOOD)
    page = text_of(css_client.get(f"/assurance/submissions/{review.submission_id}"))
    assert "not available yet" in page and "Scenario A" not in page
