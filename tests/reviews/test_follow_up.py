import pytest

from marketplace.extensions import db
from marketplace.models import ActionStatus, ConditionStatus
from marketplace.services import follow_up, reviews

from .. import factories as build
from ..conftest import html, text_of


def prefixed(client, prefix: str, **fields) -> dict:
    """Per-item forms carry a prefix, their CSRF token included."""
    return {f"{prefix}-{k}": v for k, v in fields.items()} | {
        f"{prefix}-csrf_token": client.csrf_token()}


@pytest.fixture
def signed_off_review(bdu_client):
    review = build.started_review()
    build.rate(review, build.CP2_GOOD | {"business_plan": "marginal"})
    bdu_client.post(f"/reviews/{review.id}/conditions",
                    data={"text": "Link income to CCG intentions"})
    bdu_client.post(f"/reviews/{review.id}/actions", data={
        "action": "Appoint a finance director", "owner": "Chair", "due_date": "2012-07-31"})
    db.session.refresh(review)
    reviews.sign_off(build.person("bdu2@demo.test"), review,
                     expected_lock_version=review.lock_version)
    return review


def test_reviewers_add_conditions_and_actions_while_drafting(bdu_client, signed_off_review):
    review = signed_off_review
    assert [c.text for c in review.conditions] == ["Link income to CCG intentions"]
    assert review.actions[0].owner == "Chair"
    # After sign-off nothing more can be added.
    response = bdu_client.post(f"/reviews/{review.id}/conditions", data={"text": "Late"})
    assert response.status_code == 400
    assert "signed off" in text_of(response)
    assert len(review.conditions) == 1


def test_condition_response_then_acceptance(css_client, sign_in, signed_off_review):
    condition = signed_off_review.conditions[0]
    page = text_of(css_client.get(f"/assurance/submissions/{signed_off_review.submission_id}"))
    assert "Scenario B" in page and "Link income to CCG intentions" in page
    prefix = f"condition-{condition.id}"
    response = css_client.post(f"/assurance/conditions/{condition.id}/response",
                               data=prefixed(css_client, prefix, response="Done: see annex"))
    assert response.status_code == 302
    db.session.refresh(condition)
    assert condition.status == ConditionStatus.RESPONDED

    bdu2 = sign_in("bdu2@demo.test")
    prefix = f"Condition-{condition.id}"
    response = bdu2.post(f"/reviews/conditions/{condition.id}/decision",
                         data=prefixed(bdu2, prefix, decision="reopen", note=""))
    db.session.refresh(condition)
    assert condition.status == ConditionStatus.RESPONDED  # reopening needs a reason
    bdu2.post(f"/reviews/conditions/{condition.id}/decision",
              data=prefixed(bdu2, prefix, decision="reopen", note="Annex missing"))
    db.session.refresh(condition)
    assert condition.status == ConditionStatus.REOPENED

    css_client.post(f"/assurance/conditions/{condition.id}/response",
                    data=prefixed(css_client, f"condition-{condition.id}",
                                  response="Annex attached"))
    bdu2.post(f"/reviews/conditions/{condition.id}/decision",
              data=prefixed(bdu2, prefix, decision="accept", note=""))
    db.session.refresh(condition)
    assert condition.status == ConditionStatus.ACCEPTED


def test_action_done_with_evidence_then_accepted(css_client, bdu_client, signed_off_review):
    item = signed_off_review.actions[0]
    css_client.post(f"/assurance/actions/{item.id}/done",
                    data=prefixed(css_client, f"action-{item.id}", evidence_note=""))
    db.session.refresh(item)
    assert item.status == ActionStatus.OPEN
    css_client.post(f"/assurance/actions/{item.id}/done", data=prefixed(
        css_client, f"action-{item.id}", evidence_note="Appointed 1 July 2012"))
    db.session.refresh(item)
    assert item.status == ActionStatus.DONE
    bdu_client.post(f"/reviews/actions/{item.id}/decision", data=prefixed(
        bdu_client, f"DevelopmentAction-{item.id}", decision="accept", note=""))
    db.session.refresh(item)
    assert item.status == ActionStatus.ACCEPTED


def test_other_organisations_cannot_answer_or_decide(sign_in, signed_off_review):
    condition = signed_off_review.conditions[0]
    other = sign_in("css2@demo.test")
    response = other.post(f"/assurance/conditions/{condition.id}/response",
                          data=prefixed(other, f"condition-{condition.id}", response="Hijack"))
    assert response.status_code == 404
    for email in ("css@demo.test", "ccg@demo.test", "peer@demo.test"):
        client = sign_in(email)
        response = client.post(f"/reviews/conditions/{condition.id}/decision", data=prefixed(
            client, f"Condition-{condition.id}", decision="accept", note=""))
        assert response.status_code == 403
    db.session.refresh(condition)
    assert condition.status == ConditionStatus.OPEN


def test_a_css_cannot_answer_before_sign_off(app_context):
    review = build.started_review()
    condition = follow_up.add_condition(build.person("bdu@demo.test"), review, "Do better")
    with pytest.raises(Exception, match="not been released"):
        follow_up.respond_to_condition(build.person("css@demo.test"), condition, "We will")


# A refused response, evidence note or decision comes back on the same page, with the
# NHS.UK error summary linking to its field and the message at the field, never a banner.

def _summary_links(response) -> dict[str, str]:
    page = html(response)
    assert not page.select(".nhsuk-notification-banner"), "a refusal is not a banner"
    summary = page.select_one(".nhsuk-error-summary")
    assert summary is not None
    return {a["href"]: a.get_text(strip=True) for a in summary.select("a")}


def test_an_empty_condition_response_is_refused_at_its_field(css_client, signed_off_review):
    condition = signed_off_review.conditions[0]
    prefix = f"condition-{condition.id}"
    response = css_client.post(f"/assurance/conditions/{condition.id}/response",
                               data=prefixed(css_client, prefix, response=""))
    assert response.status_code == 400
    links = _summary_links(response)
    assert f"#{prefix}-response" in links
    assert html(response).select_one(f"#{prefix}-response-error") is not None
    db.session.refresh(condition)
    assert condition.status == ConditionStatus.OPEN


def test_an_action_done_without_evidence_is_refused_at_its_field(css_client,
                                                                  signed_off_review):
    item = signed_off_review.actions[0]
    prefix = f"action-{item.id}"
    response = css_client.post(f"/assurance/actions/{item.id}/done",
                               data=prefixed(css_client, prefix, evidence_note=""))
    assert response.status_code == 400
    assert f"#{prefix}-evidence_note" in _summary_links(response)
    db.session.refresh(item)
    assert item.status == ActionStatus.OPEN


def test_reopening_without_a_reason_is_refused_at_the_note(css_client, sign_in,
                                                            signed_off_review):
    condition = signed_off_review.conditions[0]
    css_client.post(f"/assurance/conditions/{condition.id}/response",
                    data=prefixed(css_client, f"condition-{condition.id}", response="Done"))
    bdu2 = sign_in("bdu2@demo.test")
    prefix = f"Condition-{condition.id}"
    response = bdu2.post(f"/reviews/conditions/{condition.id}/decision",
                         data=prefixed(bdu2, prefix, decision="reopen", note=""))
    assert response.status_code == 400
    links = _summary_links(response)
    assert list(links) == [f"#{prefix}-note"], links
    db.session.refresh(condition)
    assert condition.status == ConditionStatus.RESPONDED
