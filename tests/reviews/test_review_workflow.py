import pytest
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import (
    FrozenRecordError,
    Organisation,
    Review,
    ReviewStatus,
    Role,
    User,
)
from marketplace.services import reviews
from marketplace.services.errors import PermissionDenied, ServiceError

from .. import factories as build
from ..conftest import html, text_of


def _form(review, values: dict[str, str], **extra) -> dict:
    data = {"lock_version": review.lock_version, "summary": "Written by the reviewer",
            "outcome_code": "", "override_reason": ""}
    for criterion in review.submission.checkpoint.criteria:
        data[f"rating_{criterion.id}"] = values.get(criterion.key, "")
        data[f"commentary_{criterion.id}"] = f"On {criterion.key}"
    return data | extra


def test_a_bdu_reviewer_takes_rates_and_gets_the_computed_scenario(bdu_client):
    submission = build.submission(2)
    response = bdu_client.post(f"/reviews/submissions/{submission.id}/reviewers",
                               data={"reviewer_id": build.person("bdu@demo.test").id})
    assert response.status_code == 302
    review = db.session.scalar(select(Review))
    values = build.CP2_GOOD | {"business_plan": "marginal"}
    response = bdu_client.post(f"/reviews/{review.id}/edit", data=_form(review, values))
    assert response.status_code == 302
    db.session.refresh(review)
    assert (review.outcome_code, review.computed_outcome_code) == ("B", "B")
    page = text_of(bdu_client.get(f"/reviews/submissions/{submission.id}"))
    assert "Scenario B: Proceed with issues needing rapid management" in page
    assert "Marginal" in page  # the rating in words, not colour alone


def test_an_override_needs_a_written_reason(bdu_client):
    review = build.started_review()
    response = bdu_client.post(f"/reviews/{review.id}/edit",
                               data=_form(review, build.CP2_GOOD, outcome_code="B"))
    assert "Give the reason" in html(response).select_one("#override_reason-error").text
    db.session.refresh(review)
    assert review.outcome_code is None
    response = bdu_client.post(f"/reviews/{review.id}/edit", data=_form(
        review, build.CP2_GOOD, outcome_code="B",
        override_reason="Customer survey contradicts the plan"))
    assert response.status_code == 302
    db.session.refresh(review)
    assert (review.outcome_code, review.computed_outcome_code) == ("B", "A")
    assert review.is_overridden and review.override_reason


def test_a_reviewer_from_the_organisation_under_review_is_refused(app_context):
    submission = build.submission(2)
    insider = User(email="insider@demo.test", full_name="In Sider", role=Role.BDU_REVIEWER,
                   organisation=build.organisation(build.ARDEN), password_hash="x")
    db.session.add(insider)
    db.session.commit()
    with pytest.raises(PermissionDenied, match="works for Arden CSS"):
        reviews.assign_reviewer(build.person("bdu@demo.test"), submission, insider)
    assert insider not in reviews.eligible_reviewers(submission)


def test_checkpoint_1_is_for_peer_reviewers(peer_client, bdu_client):
    submission = build.submission(1)
    assert bdu_client.get(f"/reviews/submissions/{submission.id}").status_code == 403
    assert peer_client.get(f"/reviews/submissions/{submission.id}").status_code == 200
    response = peer_client.post(f"/reviews/submissions/{submission.id}/reviewers",
                                data={"reviewer_id": build.person("peer@demo.test").id})
    assert response.status_code == 302
    assert db.session.scalar(select(Review)).author.email == "peer@demo.test"


def test_only_a_second_reviewer_signs_off_and_then_nothing_changes(bdu_client, sign_in):
    review = build.started_review()
    build.rate(review, build.CP2_GOOD)
    response = bdu_client.post(f"/reviews/{review.id}/sign-off",
                               data={"lock_version": review.lock_version})
    assert response.status_code == 403
    assert "you cannot sign off a review you wrote" in text_of(response)

    second = sign_in("bdu2@demo.test")
    response = second.post(f"/reviews/{review.id}/sign-off",
                           data={"lock_version": review.lock_version})
    assert response.status_code == 302
    db.session.refresh(review)
    assert review.status == ReviewStatus.SIGNED_OFF
    assert review.signed_off_by.email == "bdu2@demo.test"

    response = bdu_client.post(f"/reviews/{review.id}/edit", data=_form(review, build.CP2_GOOD))
    assert response.status_code == 302
    assert "can no longer change" in text_of(bdu_client.get(response.headers["Location"]))
    with pytest.raises(ServiceError, match="signed off"):
        build.rate(review, build.CP2_GOOD | {"leadership": "failed"})
    db.session.rollback()
    review.ratings[0].value = "failed"
    with pytest.raises(FrozenRecordError):
        db.session.flush()
    db.session.rollback()


def test_sign_off_needs_every_criterion_rated(sign_in):
    review = build.started_review()
    build.rate(review, {"leadership": "good_progress"})
    response = sign_in("bdu2@demo.test").post(f"/reviews/{review.id}/sign-off",
                                              data={"lock_version": review.lock_version})
    # Back on the submission's page with the reason in the NHS.UK error summary, not a banner.
    assert response.status_code == 400
    summary = html(response).select_one(".nhsuk-error-summary")
    assert summary is not None and "Every criterion must be rated" in summary.text
    assert html(response).select_one(".nhsuk-notification-banner") is None
    db.session.refresh(review)
    assert not review.is_signed_off


def test_two_reviewers_saving_at_once_the_later_save_is_refused(bdu_client, sign_in):
    review = build.started_review()
    bdu2 = build.person("bdu2@demo.test")
    reviews.assign_reviewer(build.person("bdu@demo.test"), review.submission, bdu2)
    db.session.refresh(review)
    opened = review.lock_version  # both open the form at this version
    first = _form(review, build.CP2_GOOD, lock_version=opened)
    later = _form(review, build.CP2_GOOD | {"leadership": "failed", "business_plan": "failed"},
                  lock_version=opened, summary="The later reviewer's careful words")
    assert bdu_client.post(f"/reviews/{review.id}/edit", data=first).status_code == 302
    response = sign_in("bdu2@demo.test").post(f"/reviews/{review.id}/edit", data=later)
    assert response.status_code == 409
    page = html(response)
    assert "Another reviewer saved this review" in page.select_one(".nhsuk-error-summary").text
    assert page.select_one("#summary").text == "The later reviewer's careful words"  # kept
    db.session.refresh(review)
    assert review.outcome_code == "A"  # the first save stands
    # Saving again after seeing the latest version is a deliberate overwrite.
    resave = later | {"lock_version": page.select_one("#lock_version")["value"]}
    assert sign_in("bdu2@demo.test").post(f"/reviews/{review.id}/edit",
                                          data=resave).status_code == 302
    db.session.refresh(review)
    assert review.outcome_code == "C"


def test_checkpoint_3_merge_names_another_css(bdu_client):
    review = build.started_review(3)
    values = {"leadership": "amber", "customer": "amber", "business": "amber_red",
              "delivery": "amber"}
    response = bdu_client.post(f"/reviews/{review.id}/edit", data=_form(
        review, values, outcome_code="merge", override_reason="Too small alone",
        merge_with_id="0"))
    assert "must name the CSS" in html(response).select_one("#merge_with_id-error").text
    partner = db.session.scalar(select(Organisation).where(Organisation.name == build.GEM))
    response = bdu_client.post(f"/reviews/{review.id}/edit", data=_form(
        review, values, outcome_code="merge", override_reason="Too small alone",
        merge_with_id=str(partner.id)))
    assert response.status_code == 302
    db.session.refresh(review)
    assert (review.computed_outcome_code, review.outcome_code) == ("host_with_conditions", "merge")
    assert review.merge_with.name == build.GEM


@pytest.mark.parametrize("email, expected", [
    ("bdu@demo.test", 200), ("bdu2@demo.test", 200), ("peer@demo.test", 403),
    ("css@demo.test", 403), ("admin@demo.test", 403), ("ccg@demo.test", 403),
])
def test_every_role_on_a_checkpoint_2_review_page(sign_in, email, expected):
    review = build.started_review()
    assert sign_in(email).get(f"/reviews/submissions/{review.submission_id}").status_code \
        == expected


@pytest.mark.parametrize("email, expected", [
    ("bdu@demo.test", 200), ("bdu2@demo.test", 403), ("peer@demo.test", 403),
    ("css@demo.test", 403),
])
def test_only_assigned_reviewers_open_the_rating_form(sign_in, email, expected):
    review = build.started_review()
    assert sign_in(email).get(f"/reviews/{review.id}/edit").status_code == expected


def test_the_reviewer_sees_the_analysis_flags_with_figures(bdu_client):
    review = build.started_review(2, build.GEM)
    plan = review.submission.business_plan
    plan_data = plan.financial_model
    assert plan_data  # built by the demo builder, not weak: no flat income
    db.session.rollback()
    weak = build.plan(build.GEM, 5, submitted=True, weak=True)
    review.submission.business_plan_id = weak.id
    db.session.commit()
    page = html(bdu_client.get(f"/reviews/submissions/{review.submission_id}"))
    flags = {card["data-flag"]: card.get_text(" ") for card in page.select(".analysis-flag")}
    assert "income_flat" in flags and "hardly changes" in flags["income_flat"]
    assert "income_without_backing" in flags and "nothing behind it" in flags[
        "income_without_backing"]
    # Plain words only: no internal key reaches the page.
    assert not any("_" in text for text in flags.values()), flags
    assert "Thresholds the checks used" in page.get_text()


@pytest.mark.parametrize("reviewer", ["bdu2@demo.test", None])
def test_a_failed_assignment_by_the_bdu_never_shows_a_peer_review_in_progress(
        bdu_client, reviewer):
    review = build.started_review(1, author="peer@demo.test")
    submission = review.submission
    peer = build.person("peer@demo.test")
    ratings = {c.id: reviews.RatingInput("", "Peer's private draft words on " + c.name)
               for c in submission.checkpoint.criteria}
    reviews.save_review(peer, review, expected_lock_version=review.lock_version,
                        ratings=ratings, summary="Unpublished peer summary")
    chosen = build.person(reviewer).id if reviewer else 999_999  # not eligible; not a choice
    response = bdu_client.post(f"/reviews/submissions/{submission.id}/reviewers",
                               data={"reviewer_id": chosen})
    assert response.status_code == 400
    page = text_of(response)
    assert "Peer's private draft words" not in page and "Unpublished peer summary" not in page
    assert "Not a valid choice" in page or "reviewed by a peer reviewer" in page
