from decimal import Decimal

import pytest
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import AuditEvent, Shortlist, ShortlistEntry
from marketplace.services import shortlists as service
from marketplace.services.errors import NotFound, PermissionDenied, ServiceError

from ..conftest import html, text_of, user
from ..factories import create_prospectus_version_with_offers


def entries_of(ccg_email):
    organisation_id = user(ccg_email).organisation_id
    return db.session.scalars(
        select(ShortlistEntry).join(Shortlist).where(Shortlist.organisation_id == organisation_id)
    ).all()


def test_a_ccg_user_adds_an_offer_and_is_sent_back(ccg_client, market):
    response = ccg_client.post(
        "/shortlists/add", data={"offer_id": market.arden_bi.id, "next": "/offers?q=data"}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/offers?q=data"
    [entry] = entries_of("ccg@demo.test")
    assert entry.offer_id == market.arden_bi.id
    assert entry.shortlist.specification == market.bi
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "shortlist.offer_added")
    )
    assert event.actor.email == "ccg@demo.test"


def test_adding_twice_keeps_one_entry(ccg_client, market):
    ccg_client.post("/shortlists/add", data={"offer_id": market.arden_bi.id})
    response = ccg_client.post(
        "/shortlists/add", data={"offer_id": market.arden_bi.id}, follow_redirects=True
    )
    assert "already on your shortlist for Business intelligence" in text_of(response)
    assert len(entries_of("ccg@demo.test")) == 1


def test_an_offsite_next_is_ignored(ccg_client, market):
    response = ccg_client.post(
        "/shortlists/add", data={"offer_id": market.arden_bi.id, "next": "https://evil.example/"}
    )
    assert response.headers["Location"] == "/shortlists"


def test_one_shortlist_per_specification(ccg_client, market):
    for offer in (market.arden_bi, market.gem_bi, market.arden_contracts):
        ccg_client.post("/shortlists/add", data={"offer_id": offer.id})
    page = ccg_client.get("/shortlists")
    assert page.status_code == 200
    headings = [h.get_text(strip=True) for h in html(page).select("h2[id^=shortlist-]")]
    assert headings == ["Business intelligence", "Contract monitoring"]


def test_a_draft_offer_cannot_be_shortlisted(ccg_client, market):
    response = ccg_client.post("/shortlists/add", data={"offer_id": market.arden_draft_bi.id})
    assert response.status_code == 404
    assert entries_of("ccg@demo.test") == []


def test_an_offer_from_a_superseded_version_is_refused_with_a_message(ccg_client, market):
    response = ccg_client.post(
        "/shortlists/add", data={"offer_id": market.arden_old_bi.id}, follow_redirects=True
    )
    assert "which has been superseded" in text_of(response)
    assert entries_of("ccg@demo.test") == []


def test_without_csrf_token_nothing_is_added(ccg_client, market):
    response = ccg_client.post("/shortlists/add", data={"offer_id": market.arden_bi.id}, csrf=False)
    assert response.status_code == 400
    assert entries_of("ccg@demo.test") == []


@pytest.mark.parametrize(
    "email", ["css@demo.test", "bdu@demo.test", "admin@demo.test", "peer@demo.test"]
)
def test_other_roles_cannot_shortlist(sign_in, market, email):
    client = sign_in(email)
    assert client.post("/shortlists/add", data={"offer_id": market.arden_bi.id}).status_code == 403
    assert client.get("/shortlists").status_code == 403


def test_the_shortlist_shows_cost_at_the_ccgs_population(ccg_client, market):
    ccg_client.post("/shortlists/add", data={"offer_id": market.arden_bi.id})
    page = text_of(ccg_client.get("/shortlists"))
    assert "464,596" in page
    assert "£12.00 per head a year" in page
    assert "£5,575,152.00" in page  # 464,596 × £12


def test_a_shortlist_keeps_the_exact_version_after_a_new_one_is_published(ccg_client, market):
    ccg_client.post("/shortlists/add", data={"offer_id": market.gem_bi.id})
    create_prospectus_version_with_offers(market.gem, [(market.bi, {"price": "8.00"})])
    [entry] = entries_of("ccg@demo.test")
    assert entry.offer_id == market.gem_bi.id and entry.offer.price == Decimal("9.50")
    page = text_of(ccg_client.get("/shortlists"))
    assert "v1" in page and "Version superseded" in page


def test_removing_an_entry(ccg_client, market):
    ccg_client.post("/shortlists/add", data={"offer_id": market.arden_bi.id})
    ccg_client.post("/shortlists/add", data={"offer_id": market.gem_bi.id})
    first, second = entries_of("ccg@demo.test")
    response = ccg_client.post(f"/shortlists/entries/{first.id}/remove", follow_redirects=True)
    assert "was taken off your shortlist" in text_of(response)
    assert [e.id for e in entries_of("ccg@demo.test")] == [second.id]
    ccg_client.post(f"/shortlists/entries/{second.id}/remove")
    assert db.session.scalars(select(Shortlist)).all() == []  # an empty shortlist goes


def test_another_ccgs_entry_is_not_found(ccg_client, sign_in, market):
    other = sign_in("ccg2@demo.test")
    other.post("/shortlists/add", data={"offer_id": market.arden_bi.id})
    [entry] = entries_of("ccg2@demo.test")
    assert ccg_client.post(f"/shortlists/entries/{entry.id}/remove").status_code == 404
    assert len(entries_of("ccg2@demo.test")) == 1
    assert "Arden business intelligence" not in text_of(ccg_client.get("/shortlists"))


def test_the_service_refuses_another_organisations_user(app_context, market):
    ccg_user = user("ccg@demo.test")
    darlington = user("ccg2@demo.test").organisation
    with pytest.raises(PermissionDenied):
        service.add_offer(ccg_user, darlington, market.arden_bi.id)
    with pytest.raises(NotFound):
        service.add_offer(ccg_user, ccg_user.organisation, 999_999)
    with pytest.raises(ServiceError):
        service.add_offer(ccg_user, ccg_user.organisation, market.arden_old_bi.id)


def test_the_add_button_macro_posts_to_the_endpoint(app, ccg_client, market):
    from flask import render_template_string
    from flask_login import login_user

    template = (
        '{% from "shortlists/add-button.html" import add_to_shortlist_button with context %}'
        "{{ add_to_shortlist_button(offer) }}"
    )
    with app.test_request_context("/offers?q=data"):
        login_user(user("ccg@demo.test"))
        rendered = render_template_string(template, offer=market.arden_bi)
    from bs4 import BeautifulSoup

    form = BeautifulSoup(rendered, "html.parser").select_one("form")
    assert form["action"] == "/shortlists/add" and form["method"] == "post"
    fields = {i["name"]: i.get("value") for i in form.select("input")}
    assert fields["offer_id"] == str(market.arden_bi.id)
    assert fields["next"] == "/offers?q=data"
    assert fields["csrf_token"]
    assert "Add to shortlist" in form.get_text()

    with app.test_request_context("/offers"):
        login_user(user("css@demo.test"))
        assert render_template_string(template, offer=market.arden_bi).strip() == ""


def test_adding_by_number_from_the_shortlists_page(ccg_client, market):
    page = html(ccg_client.get("/shortlists"))
    form = page.select_one("details form")
    assert form["action"] == "/shortlists/add"
    assert page.select_one('label[for="offer_id"]').get_text(strip=True) == "Offer number"
    response = ccg_client.post("/shortlists/add", data={"offer_id": "", "next": "/shortlists"})
    assert response.status_code == 400
    summary = html(response).select_one(".nhsuk-error-summary")
    assert summary.find("a", href="#offer_id").get_text(strip=True) == (
        "Enter the number of an offer to shortlist"
    )
    assert html(response).select_one("details").has_attr("open")
    assert entries_of("ccg@demo.test") == []
