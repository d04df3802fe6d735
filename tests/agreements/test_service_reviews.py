"""Service reviews: either party records one (date, attendees, notes, actions with owners
and due dates) on a signed agreement; either party marks an action done; overdue in words.

The agreement runs from 1 April 2013; "today" is Monday 20 May 2013.
"""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import AgreementStatus, AuditEvent, ServiceReview, ServiceReviewAction
from marketplace.services import service_reviews as service
from marketplace.services.errors import ServiceError

from ..conftest import html, text_of, user
from ..factories import create_agreement
from ..races import meanwhile

TODAY = datetime(2013, 5, 20, 9, 0, tzinfo=UTC)


@pytest.fixture
def agreement(market, clock):
    clock.set(TODAY)
    return create_agreement(user("ccg@demo.test").organisation, [market.arden_bi])


def review_form(day="14", month="5", year="2013", **extra):
    data = {"held_on-day": day, "held_on-month": month, "held_on-year": year,
            "attendees": "Jo Bloggs, NHS Coventry CCG\nSam Patel, Arden CSS",
            "notes": "Dashboard late twice; agreed a fix.",
            "action_1_description": "Send the revised dashboard timetable",
            "action_1_owner": "Sam Patel", "action_1_due-day": "17",
            "action_1_due-month": "5", "action_1_due-year": "2013",
            "action_2_description": "Confirm the CCG's board dates",
            "action_2_owner": "Jo Bloggs", "action_2_due-day": "31",
            "action_2_due-month": "5", "action_2_due-year": "2013"}
    data.update(extra)
    return data


def reviews():
    return db.session.scalars(select(ServiceReview).order_by(ServiceReview.id)).all()


def events(action):
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


def error_at(response, field_id):
    element = html(response).select_one(f"#{field_id}-error")
    return element.get_text(" ", strip=True) if element else None


def test_the_ccg_records_a_review_with_two_actions_and_sees_one_overdue(ccg_client,
                                                                      agreement):
    response = ccg_client.post(f"/agreements/{agreement.id}/service-reviews/new",
                               data=review_form())
    assert response.status_code == 302
    [review] = reviews()
    assert review.held_on == date(2013, 5, 14)
    assert review.recorded_for == agreement.ccg
    assert [(a.owner, a.due_on) for a in review.actions] == [
        ("Sam Patel", date(2013, 5, 17)), ("Jo Bloggs", date(2013, 5, 31))]
    [event] = events("service_review.recorded")
    assert "2 actions" in event.summary
    page = text_of(ccg_client.get(f"/agreements/{agreement.id}/service-reviews"))
    assert "Overdue by 3 days" in page  # due Friday 17 May, today Monday 20 May
    assert "Due in 11 days" in page


def test_the_provider_records_a_review_and_the_ccg_marks_its_action_done(
        css_client, ccg_client, agreement):
    assert css_client.post(f"/customers/agreements/{agreement.id}/service-reviews/new",
                           data=review_form()).status_code == 302
    action = reviews()[0].actions[0]
    assert reviews()[0].recorded_for == agreement.provider
    # The CCG sees the provider's review and marks the first action done.
    response = ccg_client.post(
        f"/agreements/{agreement.id}/review-actions/{action.id}/done",
        data={f"action-{action.id}-lock_version": action.lock_version})
    assert response.status_code == 302
    db.session.refresh(action)
    assert action.done_on == date(2013, 5, 20)
    assert len(events("service_review_action.done")) == 1
    page = text_of(css_client.get(f"/customers/agreements/{agreement.id}/service-reviews"))
    assert "Done on 20 May 2013" in page


def test_marking_done_from_an_old_page_is_refused_once_done(css_client, ccg_client,
                                                             agreement):
    css_client.post(f"/customers/agreements/{agreement.id}/service-reviews/new",
                    data=review_form())
    action = reviews()[0].actions[0]
    seen = action.lock_version
    data = {f"action-{action.id}-lock_version": seen}
    assert ccg_client.post(f"/agreements/{agreement.id}/review-actions/{action.id}/done",
                           data=data).status_code == 302
    again = css_client.post(
        f"/customers/agreements/{agreement.id}/review-actions/{action.id}/done", data=data)
    assert again.status_code == 409
    assert "Somebody else marked this action done" in text_of(again)
    assert len(events("service_review_action.done")) == 1


@pytest.mark.parametrize(("fields", "field_id", "message"), [
    ({"held_on-day": "21", "held_on-month": "5"}, "held_on",
     "The date of the review must be today or in the past"),  # tomorrow: a near miss
    ({"held_on-day": "31", "held_on-month": "3"}, "held_on",
     "on or after the start of the agreement"),  # the day before it started
    ({"held_on-day": "30", "held_on-month": "2"}, "held_on", "must be a real date"),
    ({"attendees": "  "}, "attendees", "Say who attended the review"),
    ({"action_2_owner": ""}, "action_2_owner", "Say who owns action 2"),
    ({"action_1_due-day": "13"}, "action_1_due", "cannot be due before the review"),
    ({"action_3_description": "Orphan action"}, "action_3_due",
     "Enter the date action 3 is due"),
])
def test_bad_input_is_refused_at_the_field_and_nothing_is_saved(ccg_client, agreement,
                                                                fields, field_id, message):
    response = ccg_client.post(f"/agreements/{agreement.id}/service-reviews/new",
                               data=review_form(**fields))
    assert response.status_code == 400
    assert message in (error_at(response, field_id) or "")
    assert reviews() == []
    assert events("service_review.recorded") == []


def test_a_review_held_today_with_an_action_due_the_same_day_is_accepted(ccg_client,
                                                                        agreement):
    response = ccg_client.post(
        f"/agreements/{agreement.id}/service-reviews/new",
        data=review_form(day="20", **{"action_1_due-day": "20", "action_2_description": "",
                                      "action_2_owner": "", "action_2_due-day": "",
                                      "action_2_due-month": "", "action_2_due-year": ""}))
    assert response.status_code == 302
    assert len(reviews()[0].actions) == 1
    assert "Due today" in text_of(ccg_client.get(f"/agreements/{agreement.id}/service-reviews"))


def test_no_review_before_both_parties_sign(market, clock):
    clock.set(TODAY)
    draft = create_agreement(user("ccg@demo.test").organisation, [market.arden_bi],
                             status=AgreementStatus.DRAFT)
    with pytest.raises(ServiceError, match="not signed by both parties"):
        service.record_review(user("ccg@demo.test"), draft, date(2013, 5, 14), "Jo", "", [])
    assert reviews() == []


@pytest.mark.parametrize(("email", "ccg_side", "provider_side"), [
    ("ccg@demo.test", 200, 403),   # the agreement's CCG
    ("ccg2@demo.test", 404, 403),  # another CCG
    ("css@demo.test", 403, 200),   # the agreement's CSS
    ("css2@demo.test", 403, 404),  # a rival CSS
    ("bdu@demo.test", 200, 403),   # the BDU reads
])
def test_who_reads_the_service_reviews(sign_in, agreement, email, ccg_side, provider_side):
    service.record_review(user("ccg@demo.test"), agreement, date(2013, 5, 14), "Jo", "",
                          [service.ActionInput("Do it", "Sam", date(2013, 6, 1))])
    client = sign_in(email)
    assert client.get(f"/agreements/{agreement.id}/service-reviews").status_code == ccg_side
    assert client.get(f"/customers/agreements/{agreement.id}/service-reviews"
                      ).status_code == provider_side


def test_the_bdu_reads_without_buttons(bdu_client, agreement):
    service.record_review(user("ccg@demo.test"), agreement, date(2013, 5, 14), "Jo", "",
                          [service.ActionInput("Do it", "Sam", date(2013, 6, 1))])
    page = html(bdu_client.get(f"/agreements/{agreement.id}/service-reviews"))
    assert page.find("form") is None or not page.select("form[action*='/done']")
    assert "Record a service review" not in page.get_text()


@pytest.mark.parametrize(("email", "ccg_side", "provider_side"), [
    ("ccg@demo.test", 302, 403),
    ("ccg2@demo.test", 404, 403),
    ("css@demo.test", 403, 302),
    ("css2@demo.test", 403, 404),
    ("bdu@demo.test", 403, 403),
])
def test_who_records_reviews_and_marks_actions_done(sign_in, agreement, email, ccg_side,
                                                    provider_side):
    client = sign_in(email)
    assert client.post(f"/agreements/{agreement.id}/service-reviews/new",
                       data=review_form()).status_code == ccg_side
    assert client.post(f"/customers/agreements/{agreement.id}/service-reviews/new",
                       data=review_form()).status_code == provider_side
    expected = [s for s in (ccg_side, provider_side) if s == 302]
    assert len(reviews()) == len(expected)
    made = service.record_review(user("ccg@demo.test"), agreement, date(2013, 5, 14), "Jo",
                                 "", [service.ActionInput("Do it", "Sam", date(2013, 6, 1))])
    action = made.actions[0]
    data = {f"action-{action.id}-lock_version": action.lock_version}
    done_ccg = client.post(f"/agreements/{agreement.id}/review-actions/{action.id}/done",
                           data=data).status_code
    assert done_ccg == ccg_side
    db.session.refresh(action)
    if ccg_side != 302:
        done_provider = client.post(
            f"/customers/agreements/{agreement.id}/review-actions/{action.id}/done",
            data=data).status_code
        assert done_provider == provider_side
        db.session.refresh(action)
    assert (action.done_on is not None) == (302 in (ccg_side, provider_side))
    with pytest.raises(ServiceError):
        if email in ("ccg@demo.test", "css@demo.test"):
            raise ServiceError("a party may")
        service.mark_action_done(user(email), action, None)


def test_an_action_of_another_agreement_is_not_found_through_this_one(ccg_client, agreement,
                                                                     market):
    other = create_agreement(user("ccg@demo.test").organisation, [market.arden_bi])
    made = service.record_review(user("ccg@demo.test"), other, date(2013, 5, 14), "Jo", "",
                                 [service.ActionInput("Do it", "Sam", date(2013, 6, 1))])
    action = made.actions[0]
    response = ccg_client.post(f"/agreements/{agreement.id}/review-actions/{action.id}/done",
                               data={f"action-{action.id}-lock_version": 1})
    assert response.status_code == 404


def test_two_people_marking_one_action_done_at_once_cannot_both_win(app, sign_in, agreement):
    made = service.record_review(user("ccg@demo.test"), agreement, date(2013, 5, 14), "Jo", "",
                                 [service.ActionInput("Do it", "Sam", date(2013, 6, 1))])
    action = made.actions[0]
    provider, ccg = sign_in("css@demo.test"), sign_in("ccg@demo.test")
    data = {f"action-{action.id}-lock_version": action.lock_version}
    with meanwhile(app, lambda: provider.post(
            f"/customers/agreements/{agreement.id}/review-actions/{action.id}/done",
            data=data)) as other:
        response = ccg.post(f"/agreements/{agreement.id}/review-actions/{action.id}/done",
                            data=data)
    assert other[1].status_code == 302
    assert response.status_code == 409
    db.session.expire_all()
    assert db.session.get(ServiceReviewAction, action.id).done_by_id == user("css@demo.test").id
    assert len(events("service_review_action.done")) == 1
