"""The buying CCGs' pages, per role and organisation, with bad input at each field."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import AuditEvent, OcdsRelease, Procurement
from marketplace.services import bids, clarifications, procurements

from ..conftest import html, text_of
from ..factories import published_competition, set_up_competition, shortlist


def _date(name: str, day: date, at: str = "17:00") -> dict:
    return {f"{name}-day": str(day.day), f"{name}-month": str(day.month),
            f"{name}-year": str(day.year), f"{name}-time": at}


def _errors(response) -> list[str]:
    page = html(response)
    return [a.get_text(" ", strip=True) for a in page.select(".nhsuk-error-summary__list a")]


def test_the_lead_starts_a_procurement_from_its_statement(buying, ccg_client):
    page = ccg_client.get("/procurements")
    assert page.status_code == 200
    link = f"/procurements/start/{buying.statement.id}"
    assert html(page).find("a", href=link) is not None
    form = ccg_client.get(link)
    assert "£330,000.00 a year for 18 months is £495,000.00 over the full term" in text_of(form)
    assert "A direct award would not fit the threshold" in text_of(form)
    response = ccg_client.post(link, data={"route": "further_competition",
                                           "route_reason": "Above the EU threshold."})
    assert response.status_code == 302
    procurement = db.session.scalar(select(Procurement))
    assert response.headers["Location"] == f"/procurements/{procurement.id}"
    shown = text_of(ccg_client.get(response.headers["Location"]))
    assert "PROC-05A-001" in shown and "Further competition" in shown
    assert "Before you can publish" in shown


def test_a_route_without_a_reason_is_refused_at_the_field(buying, ccg_client):
    response = ccg_client.post(f"/procurements/start/{buying.statement.id}",
                               data={"route": "direct_award", "route_reason": ""})
    assert response.status_code == 400
    assert _errors(response) == ["Say why this route is right for this purchase"]
    assert db.session.scalar(select(func.count(Procurement.id))) == 0


def test_a_direct_award_above_the_threshold_shows_the_warning(buying, ccg_client):
    shortlist(buying.coventry, buying.market.arden_bi)
    response = ccg_client.post(f"/procurements/start/{buying.statement.id}",
                               data={"route": "direct_award",
                                     "route_reason": "Arden runs it today."},
                               follow_redirects=True)
    assert response.status_code == 200
    shown = text_of(response)
    assert "The route does not fit the threshold" in shown
    assert "calls for a further competition, not a direct award" in shown
    assert "Candidates from your shortlist" in shown and "Arden CSS" in shown


@pytest.mark.parametrize("email", ["ccg2@demo.test", "css@demo.test"])
def test_another_organisation_cannot_start_or_see(buying, sign_in, email):
    procurement = set_up_competition(buying)
    client = sign_in(email)
    expected = 404 if email.startswith("ccg") else 403
    assert client.get(f"/procurements/start/{buying.statement.id}").status_code == expected
    assert client.get(f"/procurements/{procurement.id}").status_code == expected


def test_partner_and_bdu_read_but_do_not_change(buying, sign_in, bdu_client):
    procurement = set_up_competition(buying)
    partner = sign_in("ruth.partner@example.nhs.uk")
    page = partner.get(f"/procurements/{procurement.id}")
    assert page.status_code == 200 and "What you can do" not in text_of(page)
    response = partner.post(f"/procurements/{procurement.id}/cancel",
                            data={"reason": "No", "lock_version": procurement.lock_version})
    assert response.status_code == 403
    assert bdu_client.get(f"/procurements/{procurement.id}").status_code == 404  # a draft
    procurements.publish(buying.lead_user, procurement, procurement.lock_version)
    assert bdu_client.get(f"/procurements/{procurement.id}").status_code == 200


def test_details_with_dates_in_the_past_save_nothing(buying, ccg_client):
    procurement = procurements.start_procurement(buying.lead_user, buying.statement,
                                                 "further_competition", "Competition.")
    url = f"/procurements/{procurement.id}/details"
    form = ccg_client.get(url)
    assert html(form).find("input", {"name": "closes_at-day"}) is not None
    data = {"title": "BI", "description": "", "lock_version": procurement.lock_version,
            **_date("clarifications_close_at", date(2013, 1, 14)),
            **_date("closes_at", date(2012, 12, 31))}
    response = ccg_client.post(url, data=data)
    assert response.status_code == 400
    assert _errors(response) == ["The last date for questions must be before the closing date",
                                 "The closing date must be in the future"]
    db.session.refresh(procurement)
    assert procurement.closes_at is None


@pytest.mark.parametrize("parts, message", [
    ({"closes_at-day": "31", "closes_at-month": "2"}, "The closing date and time must be a "
                                                      "real date"),
    ({"closes_at-day": "²"}, "The closing date and time must be a real date"),
    ({"closes_at-time": "25:00"}, "Enter the time as hours and minutes"),
    ({"closes_at-day": "", "closes_at-month": "", "closes_at-year": ""},
     "Enter the closing date and time"),
])
def test_unreal_dates_are_refused_at_the_field(buying, ccg_client, parts, message):
    procurement = procurements.start_procurement(buying.lead_user, buying.statement,
                                                 "further_competition", "Competition.")
    data = {"title": "BI", "lock_version": procurement.lock_version,
            **_date("clarifications_close_at", date(2013, 1, 14)),
            **_date("closes_at", date(2013, 1, 21)), **parts}
    response = ccg_client.post(f"/procurements/{procurement.id}/details", data=data)
    assert response.status_code == 400
    assert any(message in error for error in _errors(response))


def test_details_saved_in_uk_time(buying, ccg_client):
    procurement = procurements.start_procurement(buying.lead_user, buying.statement,
                                                 "further_competition", "Competition.")
    data = {"title": "Business intelligence", "description": "From April.",
            "budget_shown": "y", "lock_version": procurement.lock_version,
            **_date("clarifications_close_at", date(2013, 1, 14), "12:00"),
            **_date("closes_at", date(2013, 6, 21), "17:30")}
    response = ccg_client.post(f"/procurements/{procurement.id}/details", data=data)
    assert response.status_code == 302
    db.session.refresh(procurement)
    # 17:30 in June is British Summer Time: 16:30 UTC.
    assert procurement.closes_at.isoformat() == "2013-06-21T16:30:00+00:00"
    assert procurement.budget_shown is True
    shown = text_of(ccg_client.get(f"/procurements/{procurement.id}"))
    assert "21 June 2013 at 5:30pm" in shown


@pytest.mark.parametrize("price, quality, message", [
    ("39", "60", "The weights must total 100; they total 99"),
    ("40", "6O", "Enter the weight as a whole number from 0 to 100"),
    ("9", "91", "Price must carry a weight of at least 10"),
    ("４0", "60", "Enter the weight as a whole number from 0 to 100"),
])
def test_criteria_with_bad_weights_save_nothing(buying, ccg_client, price, quality, message):
    procurement = procurements.start_procurement(buying.lead_user, buying.statement,
                                                 "further_competition", "Competition.")
    response = ccg_client.post(f"/procurements/{procurement.id}/criteria", data={
        "lock_version": procurement.lock_version, "price_name": "Price",
        "price_weight": price, "name_0": "Approach", "weight_0": quality})
    assert response.status_code == 400
    assert any(message in error for error in _errors(response))
    db.session.refresh(procurement)
    assert [c.weight for c in procurement.criteria] == [60, 40]


def test_criteria_saved(buying, ccg_client):
    procurement = procurements.start_procurement(buying.lead_user, buying.statement,
                                                 "further_competition", "Competition.")
    response = ccg_client.post(f"/procurements/{procurement.id}/criteria", data={
        "lock_version": procurement.lock_version, "price_name": "Price", "price_weight": "40",
        "name_0": "Approach", "weight_0": "35", "name_1": "Team", "weight_1": "25"})
    assert response.status_code == 302
    db.session.refresh(procurement)
    assert [(c.name, c.weight) for c in procurement.criteria] == [
        ("Price", 40), ("Approach", 35), ("Team", 25)]


def test_publish_after_a_confirmation_page_and_twice_is_a_conflict(buying, ccg_client):
    procurement = set_up_competition(buying)
    url = f"/procurements/{procurement.id}/publish"
    confirmation = ccg_client.get(url)
    assert "Publish the opportunity" in text_of(confirmation)
    lock = html(confirmation).find("input", {"name": "lock_version"})["value"]
    assert ccg_client.post(url, data={"lock_version": lock}).status_code == 302
    again = ccg_client.post(url, data={"lock_version": lock})
    assert again.status_code == 409
    assert db.session.scalar(select(func.count(OcdsRelease.id))) == 1


def test_the_lead_answers_a_question_and_it_is_published(buying, ccg_client):
    procurement = published_competition(buying)
    asked = clarifications.ask(buying.arden_user, procurement, "Weekly or monthly?")
    page = text_of(ccg_client.get(f"/procurements/{procurement.id}"))
    assert "Asked by Arden CSS" in page  # the buyers see who asked
    url = f"/procurements/{procurement.id}/questions/{asked.id}/answer"
    assert ccg_client.post(url, data={"answer": ""}).status_code == 400
    assert ccg_client.post(url, data={"answer": "Monthly."}).status_code == 302
    assert ccg_client.post(url, data={"answer": "Weekly."}).status_code == 409
    db.session.refresh(asked)
    assert asked.answer == "Monthly."


def test_responses_are_sealed_until_closing(buying, ccg_client, clock):
    procurement = published_competition(buying)
    bid = bids.start_response(buying.gem_user, procurement)
    page = text_of(ccg_client.get(f"/procurements/{procurement.id}"))
    assert "0 responses submitted so far. Responses are sealed" in page
    assert ccg_client.get(f"/procurements/{procurement.id}/responses").status_code == 403
    assert ccg_client.get(
        f"/procurements/{procurement.id}/responses/{bid.id}").status_code == 403
    clock.set(procurement.closes_at + timedelta(minutes=1))
    listing = ccg_client.get(f"/procurements/{procurement.id}/responses")
    assert listing.status_code == 200
    assert "0 responses submitted" in text_of(listing)  # a draft is never shown


def test_cancel_needs_a_reason(buying, ccg_client):
    procurement = published_competition(buying)
    url = f"/procurements/{procurement.id}/cancel"
    response = ccg_client.post(url, data={"reason": "", "lock_version":
                                          procurement.lock_version})
    assert response.status_code == 400
    assert _errors(response) == ["Say why the procurement is cancelled"]
    response = ccg_client.post(url, data={"reason": "Needs changed.",
                                          "lock_version": procurement.lock_version})
    assert response.status_code == 302
    db.session.refresh(procurement)
    assert procurement.status == "cancelled"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action
                                                       == "procurement.cancelled"))
    assert "Priya Shah of NHS Coventry and Rugby CCG cancelled" in event.summary


def test_a_stale_form_gets_409_and_saves_nothing(buying, ccg_client):
    procurement = procurements.start_procurement(buying.lead_user, buying.statement,
                                                 "further_competition", "Competition.")
    stale = procurement.lock_version
    procurements.change_route(buying.lead_user, procurement, stale, "further_competition",
                              "Changed by somebody else.")
    response = ccg_client.post(f"/procurements/{procurement.id}/route", data={
        "route": "further_competition", "route_reason": "Mine", "lock_version": stale})
    assert response.status_code == 409
    db.session.refresh(procurement)
    assert procurement.route_reason == "Changed by somebody else."


def test_closing_is_recorded_as_the_services_own_doing(buying, sign_in, clock):
    procurement = published_competition(buying)
    clock.set(procurement.closes_at)
    assert sign_in("css@demo.test").get(f"/opportunities/{procurement.id}").status_code == 200
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action
                                                       == "procurement.closed"))
    assert event.actor_id is None  # the provider's visit only noticed the time
    assert event.summary == "Opportunity PROC-05A-001 closed for responses at its closing time"


def test_partners_and_the_bdu_find_it_in_their_lists(buying, sign_in, bdu_client):
    procurement = published_competition(buying)
    partner = text_of(sign_in("ruth.partner@example.nhs.uk").get("/procurements"))
    assert procurement.reference in partner
    assert procurement.reference in text_of(bdu_client.get("/procurements"))
    assert procurement.reference not in text_of(sign_in("ccg2@demo.test").get("/procurements"))
