import pytest
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import Checkpoint, Criterion

from .. import factories as build
from ..conftest import html, text_of

CHECKPOINT_4 = {
    "number": "4", "name": "Progress against the development plan", "description": "Nov 2012",
    "submission_kind": "business_plan", "rule_key": "gateway_overall", "rating_scale": "gateway",
    "reviewer_role": "bdu_reviewer", "due_date": "2012-11-30", "results_date": "2012-12-14",
}


def test_admin_sees_checkpoints_criteria_and_scales_in_words(admin_client):
    build.checkpoint(1)
    page = text_of(admin_client.get("/admin/checkpoints"))
    assert "Checkpoint 2: Outline business plan" in page
    assert "CCG customer focus" in page
    assert "Amber/Green" in page and "Good progress" in page


def test_admin_adds_checkpoint_4_and_a_criterion(admin_client):
    build.checkpoint(1)
    assert admin_client.post("/admin/checkpoints/new", data=CHECKPOINT_4).status_code == 302
    cp4 = db.session.scalar(select(Checkpoint).where(Checkpoint.number == 4))
    assert cp4.rule_key == "gateway_overall" and str(cp4.due_date) == "2012-11-30"
    response = admin_client.post(f"/admin/checkpoints/{cp4.id}/criteria/new", data={
        "key": "development_plan", "name": "Development plan progress", "guidance": "",
        "position": "1"})
    assert response.status_code == 302
    assert [c.key for c in cp4.criteria] == ["development_plan"]


def test_a_scale_that_does_not_fit_the_rule_is_refused(admin_client):
    build.checkpoint(1)
    response = admin_client.post("/admin/checkpoints/new",
                                 data=CHECKPOINT_4 | {"rating_scale": "domain"})
    assert "rates on the gateway scale" in html(response).select_one("#rating_scale-error").text
    response = admin_client.post("/admin/checkpoints/new", data=CHECKPOINT_4 | {"number": "2"})
    assert "Checkpoint 2 already exists" in html(response).select_one("#number-error").text


def test_criteria_of_a_fixed_rule_keep_their_keys(admin_client):
    cp2 = build.checkpoint(2)
    response = admin_client.post(f"/admin/checkpoints/{cp2.id}/criteria/new", data={
        "key": "finance", "name": "Finance", "guidance": "", "position": "4"})
    assert "rates exactly these criteria" in html(response).select_one("#key-error").text
    leadership = cp2.criteria[0]
    response = admin_client.post(f"/admin/checkpoints/criteria/{leadership.id}/edit", data={
        "key": "leadership", "name": "Leadership and governance", "guidance": "New words",
        "position": "1"})
    assert response.status_code == 302
    assert db.session.get(Criterion, leadership.id).name == "Leadership and governance"
    response = admin_client.post(f"/admin/checkpoints/criteria/{leadership.id}/delete")
    assert db.session.get(Criterion, leadership.id) is not None


@pytest.mark.parametrize("email", ["css@demo.test", "bdu@demo.test", "peer@demo.test",
                                   "ccg@demo.test"])
def test_only_admins_edit_checkpoints(sign_in, email):
    build.checkpoint(1)
    client = sign_in(email)
    assert client.get("/admin/checkpoints/new").status_code == 403
    assert client.post("/admin/checkpoints/new", data=CHECKPOINT_4).status_code == 403
    assert db.session.scalar(select(Checkpoint).where(Checkpoint.number == 4)) is None
