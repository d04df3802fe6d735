"""The customer survey's pages, per role and organisation: opening and closing (BDU),
answering (CCG), reading aggregates (CSS, reviewers), and the refusals with nothing saved."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import (
    AuditEvent,
    Notification,
    NotificationKind,
    SurveyAnswer,
    SurveyScore,
    SurveyWindow,
)
from marketplace.services import dashboards

from .. import factories as build
from ..conftest import html, text_of

IN_SEPTEMBER = datetime(2012, 9, 10, 9, 0, tzinfo=UTC)
FULL = {
    "score_responsiveness": "4",
    "score_quality": "5",
    "score_value_for_money": "3",
    "score_relationship": "4",
    "score_recommend": "5",
    "comment_quality": "Dashboards arrive on time.",
}


@pytest.fixture
def september(app):
    app.config["MARKETPLACE_TODAY"] = IN_SEPTEMBER
    yield
    app.config.pop("MARKETPLACE_TODAY", None)


@pytest.fixture
def survey(market, september):
    customers = build.survey_customers(market, 3)
    return build.survey_window(3), customers


def answers() -> int:
    return db.session.scalar(select(func.count()).select_from(SurveyAnswer))


def answer_url(window, provider) -> str:
    return f"/customer-survey/{window.id}/providers/{provider.id}"


# Opening and closing (BDU).


def test_the_bdu_opens_a_survey_and_ccg_customers_are_told(bdu_client, market, september):
    build.survey_customers(market, 1)
    cp2 = build.checkpoint(2)
    page = bdu_client.get("/customer-surveys/new")
    assert page.status_code == 200 and "Checkpoint 2" in text_of(page)
    response = bdu_client.post(
        "/customer-surveys/new",
        data={
            "checkpoint_id": str(cp2.id),
            "opens_on-day": "10",
            "opens_on-month": "9",
            "opens_on-year": "2012",
            "closes_on-day": "30",
            "closes_on-month": "9",
            "closes_on-year": "2012",
        },
    )
    assert response.status_code == 302, text_of(response)
    window = db.session.scalar(select(SurveyWindow))
    assert (window.checkpoint_id, window.opens_on, window.closes_on) == (
        cp2.id,
        date(2012, 9, 10),
        date(2012, 9, 30),
    )
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "survey_window.opened"))
    assert event.object_id == str(window.id)
    told = db.session.scalars(
        select(Notification).where(Notification.kind == NotificationKind.SURVEY_OPEN)
    ).all()
    assert {n.recipient.email for n in told} == {"ccg@demo.test"}
    assert "is open now" in told[0].sentence and told[0].link == "/customer-survey"


@pytest.mark.parametrize(
    "fields, field, message",
    [
        ({"opens_on-day": "1"}, "opens_on", "The survey must open today or later"),
        ({"closes_on-day": "5"}, "closes_on", "close on or after the day it opens"),
        ({"checkpoint_id": "0"}, "checkpoint_id", "Choose a checkpoint"),
        ({"checkpoint_id": "٣"}, "checkpoint_id", ""),
    ],
)
def test_a_window_with_wrong_dates_is_refused_at_the_field(
    bdu_client, market, september, fields, field, message
):
    data = {
        "checkpoint_id": str(build.checkpoint(3).id),
        "opens_on-day": "10",
        "opens_on-month": "9",
        "opens_on-year": "2012",
        "closes_on-day": "30",
        "closes_on-month": "9",
        "closes_on-year": "2012",
    } | fields
    response = bdu_client.post("/customer-surveys/new", data=data)
    assert response.status_code == 400
    page = html(response)
    assert page.select_one(".nhsuk-error-summary")
    assert message in page.select_one(f"#{field}-error, #{field}-error").get_text()
    assert db.session.scalar(select(func.count()).select_from(SurveyWindow)) == 0


def test_a_second_window_for_a_checkpoint_is_refused(bdu_client, survey):
    window, _ = survey
    response = bdu_client.post(
        "/customer-surveys/new",
        data={
            "checkpoint_id": str(window.checkpoint_id),
            "opens_on-day": "10",
            "opens_on-month": "9",
            "opens_on-year": "2012",
            "closes_on-day": "30",
            "closes_on-month": "9",
            "closes_on-year": "2012",
        },
    )
    assert response.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(SurveyWindow)) == 1


def test_the_bdu_closes_a_survey_early_and_ccgs_can_no_longer_answer(
    bdu_client, ccg_client, survey
):
    window, _ = survey
    response = bdu_client.post(
        f"/customer-surveys/{window.id}/close", data={"lock_version": str(window.lock_version)}
    )
    assert response.status_code == 302
    db.session.refresh(window)
    assert window.closed_at is not None
    assert db.session.scalar(
        select(AuditEvent.id).where(AuditEvent.action == "survey_window.closed")
    )
    refused = ccg_client.post(answer_url(window, build.organisation(build.ARDEN)), data=FULL)
    assert refused.status_code == 400 and "closed" in text_of(refused)
    assert answers() == 0
    stale = bdu_client.post(f"/customer-surveys/{window.id}/close", data={"lock_version": "1"})
    assert stale.status_code == 409


@pytest.mark.parametrize(
    "email", ["ccg@demo.test", "css@demo.test", "peer@demo.test", "admin@demo.test"]
)
def test_only_bdu_reviewers_open_or_close_surveys(sign_in, survey, email):
    window, _ = survey
    client = sign_in(email)
    assert client.get("/customer-surveys/new").status_code == 403
    assert (
        client.post(f"/customer-surveys/{window.id}/close", data={"lock_version": "1"}).status_code
        == 403
    )
    assert window.closed_at is None


# Answering (CCG).


def test_a_ccg_answers_once_about_a_css_it_buys_from(ccg_client, survey):
    window, _ = survey
    arden = build.organisation(build.ARDEN)
    listed = ccg_client.get("/customer-survey")
    assert "Answer about Arden CSS" in text_of(listed)
    page = ccg_client.get(answer_url(window, arden))
    assert page.status_code == 200
    assert len(html(page).select("input[type=radio][name=score_quality]")) == 5
    response = ccg_client.post(answer_url(window, arden), data=FULL)
    assert response.status_code == 302
    answer = db.session.scalar(select(SurveyAnswer))
    assert answer.as_scores() == {
        "responsiveness": 4,
        "quality": 5,
        "value_for_money": 3,
        "relationship": 4,
        "recommend": 5,
    }
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "survey_answer.submitted")
    )
    assert "Dashboards" not in event.summary  # the trail says who answered, not what
    again = ccg_client.post(answer_url(window, arden), data=FULL)
    assert again.status_code == 409
    assert "already answered" in text_of(again)
    assert answers() == 1
    assert "Answered" in text_of(ccg_client.get("/customer-survey"))


@pytest.mark.parametrize(
    "field, value",
    [
        ("score_quality", "6"),
        ("score_quality", "0"),
        ("score_quality", "٣"),
        ("score_quality", "３"),
        ("score_quality", ""),
        ("score_recommend", "4.0"),
        ("comment_quality", "x" * 2001),
        ("comment_relationship", "a\x00b"),
    ],
)
def test_a_bad_score_or_comment_is_refused_at_its_field_with_nothing_saved(
    ccg_client, survey, field, value
):
    window, _ = survey
    before = db.session.scalar(select(func.count()).select_from(SurveyScore))
    response = ccg_client.post(
        answer_url(window, build.organisation(build.ARDEN)), data=FULL | {field: value}
    )
    assert response.status_code == 400
    page = html(response)
    assert page.select_one(".nhsuk-error-summary")
    assert page.select_one(f"#{field}-error")
    assert answers() == 0
    assert db.session.scalar(select(func.count()).select_from(SurveyScore)) == before


def test_a_ccg_without_an_agreement_with_the_css_is_refused(sign_in, survey):
    window, _ = survey
    gem = build.organisation(build.GEM)
    client = sign_in("ccg@demo.test")
    assert client.get(answer_url(window, gem)).status_code == 403
    assert client.post(answer_url(window, gem), data=FULL).status_code == 403
    # Ealing has no agreement with anybody.
    ealing = sign_in("ccg3@demo.test")
    assert (
        ealing.post(answer_url(window, build.organisation(build.ARDEN)), data=FULL).status_code
        == 403
    )
    assert "no customer survey" in text_of(ealing.get("/customer-survey")).lower()
    assert answers() == 0


def test_an_answer_before_the_window_opens_or_after_it_closes_is_refused(
    app, ccg_client, market, september
):
    build.survey_customers(market, 1)
    window = build.survey_window(3, date(2012, 9, 11), date(2012, 9, 20))
    arden = build.organisation(build.ARDEN)
    early = ccg_client.post(answer_url(window, arden), data=FULL)
    assert early.status_code == 400 and "not open yet" in text_of(early)
    app.config["MARKETPLACE_TODAY"] = datetime(2012, 9, 21, 9, tzinfo=UTC)
    late = ccg_client.post(answer_url(window, arden), data=FULL)
    assert late.status_code == 400 and "closed" in text_of(late)
    assert answers() == 0


@pytest.mark.parametrize("email", ["css@demo.test", "bdu@demo.test", "peer@demo.test"])
def test_only_ccg_users_answer(sign_in, survey, email):
    window, _ = survey
    response = sign_in(email).post(answer_url(window, build.organisation(build.ARDEN)), data=FULL)
    assert response.status_code == 403
    assert answers() == 0


# Reading the results: aggregates only.


def _three_answers(survey):
    window, (coventry, warwickshire, darlington) = survey
    arden = build.organisation(build.ARDEN)
    build.survey_answer(window, coventry, arden, 5)
    build.survey_answer(window, warwickshire, arden, 4)
    build.survey_answer(window, darlington, arden, 2, quality=1)
    return window


def test_the_css_sees_its_own_aggregate_and_never_an_answer(css_client, survey):
    window, (coventry, warwickshire, _) = survey
    arden = build.organisation(build.ARDEN)
    build.survey_answer(window, coventry, arden, 5)
    build.survey_answer(window, warwickshire, arden, 4)
    two = text_of(css_client.get("/customers"))
    assert "Only 2 CCGs answered" in two and "out of 5" not in two
    _, _, darlington = survey[1]
    build.survey_answer(window, darlington, arden, 2, quality=1)
    page = css_client.get("/customers")
    words = text_of(page)
    assert "3.7 out of 5" in words  # quality: (5 + 4 + 1) / 3 = 3.3; responsiveness 3.7
    assert "3.3 out of 5" in words
    assert "About quality" not in words  # no comment, no single CCG's answer
    # Every customer row has its service level record and disputes.
    assert "No service levels agreed" in words


def test_a_css_does_not_see_another_csss_results(sign_in, survey):
    _three_answers(survey)
    gem = text_of(sign_in("css2@demo.test").get("/customers"))
    assert "out of 5" not in gem
    window = survey[0]
    # Nor the BDU's pages, which name every CSS.
    assert sign_in("css2@demo.test").get(f"/customer-surveys/{window.id}").status_code == 403
    assert sign_in("css@demo.test").get(f"/customer-surveys/{window.id}").status_code == 403


def test_the_bdu_sees_aggregates_per_css_with_the_contract_record(bdu_client, survey):
    window = _three_answers(survey)
    words = text_of(bdu_client.get(f"/customer-surveys/{window.id}"))
    assert "Arden CSS" in words and "3.3 out of 5" in words
    assert "Late returns" in words and "About quality" not in words
    assert "Customer survey" in text_of(bdu_client.get("/customer-surveys"))


def test_reviewers_see_the_aggregate_beside_the_customer_criterion(app, bdu_client, survey):
    _three_answers(survey)
    review = build.started_review(3, build.ARDEN)
    page = bdu_client.get(f"/reviews/submissions/{review.submission_id}")
    assert page.status_code == 200
    words = text_of(page)
    assert "Customer test: what customers say" in words
    assert "3.3 out of 5" in words and "Figures disputed by customers" in words
    form = text_of(bdu_client.get(f"/reviews/{review.id}/edit"))
    assert "3.3 out of 5" in form


def test_the_review_document_carries_the_survey_and_the_contract_record(app, survey):
    from marketplace.services.review_document_render import review_html

    _three_answers(survey)
    review = build.started_review(3, build.ARDEN)
    document = review_html(review)
    assert "What customers say" in document and "3.3 out of 5" in document
    assert "Late returns" in document


def test_checkpoint_two_shows_fewer_than_three_in_words(app, bdu_client, market, september):
    customers = build.survey_customers(market, 2)
    window = build.survey_window(2)
    arden = build.organisation(build.ARDEN)
    for ccg in customers:
        build.survey_answer(window, ccg, arden, 4)
    review = build.started_review(2, build.ARDEN)
    words = text_of(bdu_client.get(f"/reviews/submissions/{review.submission_id}"))
    assert "CCG customer focus: what customers say" in words
    assert "Only 2 CCGs answered" in words and "out of 5" not in words


def test_the_database_refuses_a_second_answer_and_an_out_of_range_score(survey):
    from sqlalchemy.exc import IntegrityError

    window, (coventry, *_rest) = survey
    arden = build.organisation(build.ARDEN)
    build.survey_answer(window, coventry, arden, 4)
    db.session.add(
        SurveyAnswer(
            window=window, ccg_id=coventry.id, provider_id=arden.id, answered_at=IN_SEPTEMBER
        )
    )
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    with pytest.raises(ValueError):
        SurveyScore(question="quality", score=6)
    with pytest.raises(ValueError):
        SurveyScore(question="quality", score="٣")


def test_peer_reviewers_read_the_aggregates_but_do_not_open_or_close(peer_client, survey):
    window = _three_answers(survey)
    listed = text_of(peer_client.get("/customer-surveys"))
    assert window.title in listed and "Open a customer survey" not in listed
    page = peer_client.get(f"/customer-surveys/{window.id}")
    words = text_of(page)
    assert page.status_code == 200 and "3.3 out of 5" in words
    assert "Close the survey now" not in words and "About quality" not in words


def test_ccg_users_choose_whether_the_survey_opening_is_emailed(ccg_client):
    words = text_of(ccg_client.get("/notifications/settings"))
    assert "A customer survey opens for your CCG to answer" in words


def test_the_issued_review_pdf_carries_the_survey(app, survey):
    from marketplace.services.review_document_render import render_review_pdf

    from ..reports.documents import text

    _three_answers(survey)
    review = build.started_review(3, build.ARDEN)
    words = text(render_review_pdf(review))
    assert "What customers say" in words and "3.3 out of 5" in words
    assert "Figures disputed by customers" in words


def test_two_answers_sent_at_once_cannot_both_be_saved(ccg_client, survey, monkeypatch):
    """The second request passed the "already answered?" check before the first was saved:
    the unique constraint refuses it, with the same words, and nothing of it is kept."""
    from marketplace.services import customer_survey

    window, (coventry, *_rest) = survey
    arden = build.organisation(build.ARDEN)
    build.survey_answer(window, coventry, arden, 4)
    monkeypatch.setattr(customer_survey, "answered", lambda *args: False)
    before = db.session.scalar(select(func.count()).select_from(SurveyScore))
    response = ccg_client.post(answer_url(window, arden), data=FULL)
    assert response.status_code == 409 and "already answered" in text_of(response)
    assert answers() == 1
    assert db.session.scalar(select(func.count()).select_from(SurveyScore)) == before


def test_the_ccg_dashboard_counts_the_answers_still_to_give(ccg_client, survey):
    window, (coventry, *_rest) = survey
    page = html(ccg_client.get("/dashboard"))
    task = page.find(string=lambda text: text and "Customer survey answers to give" in text)
    assert task is not None
    assert "1" in task.find_parent(["li", "tr", "div"]).get_text()
    build.survey_answer(window, coventry, build.organisation(build.ARDEN), 4)
    counts = {task.label: task.count for task in dashboards.for_ccg(build.person("ccg@demo.test"))}
    assert counts["Customer survey answers to give"] == 0


def test_the_results_page_runs_as_many_statements_for_three_answers_as_for_one(
    bdu_client, survey
):
    from ..queries import counting_statements

    window, (coventry, warwickshire, darlington) = survey
    arden = build.organisation(build.ARDEN)
    counts = []
    for ccg, score in ((coventry, 5), (warwickshire, 4), (darlington, 2)):
        build.survey_answer(window, ccg, arden, score)
        with counting_statements() as count:
            page = text_of(bdu_client.get(f"/customer-surveys/{window.id}"))
        assert "Arden CSS" in page
        counts.append(len(count))
    assert "3.7 out of 5" in page
    assert counts[0] == counts[2], counts


def test_a_csss_customer_page_reads_every_surveys_answers_in_one_query(css_client, survey):
    """/customers shows the CSS's aggregate in each survey: the answers and scores of all the
    windows are read together, and the windows with their checkpoints, not a query (and
    another for the scores, and one for the checkpoint's name) per window."""
    from ..queries import statements_for

    window, customers = survey
    arden = build.organisation(build.ARDEN)
    for ccg in customers:
        build.survey_answer(window, ccg, arden, 4)
    one = statements_for(css_client, "/customers")
    second = build.survey_window(2)
    for ccg, score in zip(customers, (5, 5, 2), strict=True):
        build.survey_answer(second, ccg, arden, score)
    two = statements_for(css_client, "/customers")
    assert two == one
    words = text_of(css_client.get("/customers"))
    assert words.count("mean scores from 3 CCGs") == 2
    assert window.title in words and second.title in words
