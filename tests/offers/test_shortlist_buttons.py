"""The "Add to shortlist" buttons on search results and offer pages, and the agreement link."""

import pytest

from marketplace.services import prospectuses

from ..conftest import html, text_of
from ..factories import create_spec, publish


@pytest.fixture
def offers(app_context):
    risk = create_spec("PLN-RSK", "Risk stratification", phase="planning")
    bi = create_spec("BI-DSS", "Decision support")
    arden = publish("Arden CSS", (risk, {"title": "Risk stratification for practices"}),
                    (bi, {"title": "Dashboards"}))
    gem = publish("Greater East Midlands CSS", (risk, {"title": "Case finding"}))
    return {offer.title: offer for version in (arden, gem) for offer in version.offers}


def shortlist_forms(page):
    return page.select("form[action='/shortlists/add']")


def test_a_ccg_user_gets_a_button_on_every_search_result(ccg_client, offers):
    page = html(ccg_client.get("/offers?q=risk"))
    forms = shortlist_forms(page)
    assert len(forms) == 2
    # Each result's form stands alone: the search form no longer wraps the results.
    assert all(form.find_parent("form") is None for form in forms)
    form = forms[0]
    assert form.select_one("input[name=next]")["value"] == "/offers?q=risk"
    assert form.select_one("input[name=csrf_token]")["value"]
    ids = {int(f.select_one("input[name=offer_id]")["value"]) for f in forms}
    assert ids == {offers["Risk stratification for practices"].id, offers["Case finding"].id}


def test_the_button_shortlists_and_comes_back_to_the_search(ccg_client, offers):
    offer = offers["Case finding"]
    response = ccg_client.post("/shortlists/add", data={"offer_id": offer.id,
                                                        "next": "/offers?q=risk"})
    assert response.status_code == 302 and response.location.endswith("/offers?q=risk")
    page = ccg_client.get("/offers?q=risk")
    assert "Added to your shortlist for Risk stratification" in text_of(page)
    # The shortlisted offer says so instead of offering the button again.
    assert len(shortlist_forms(html(page))) == 1
    assert text_of(page).count("On your shortlist") == 1
    offer_page = ccg_client.get(f"/offers/{offer.id}")
    assert "On your shortlist" in text_of(offer_page)
    assert not shortlist_forms(html(offer_page))


def test_the_offer_page_offers_shortlisting_and_an_agreement(ccg_client, offers):
    offer = offers["Dashboards"]
    page = html(ccg_client.get(f"/offers/{offer.id}"))
    form = shortlist_forms(page)[0]
    assert form.select_one("input[name=offer_id]")["value"] == str(offer.id)
    assert form.select_one("input[name=next]")["value"] == f"/offers/{offer.id}"
    # Agreements come only from a procurement (a direct award records why): the link goes
    # there, not to a form that drafts an agreement from the offer.
    link = page.find("a", string=lambda s: s and "Buy from this provider" in s)
    assert link["href"] == "/procurements"
    assert ccg_client.get(link["href"]).status_code == 200


@pytest.mark.parametrize("who", ["anonymous", "css", "bdu"])
def test_only_ccg_users_see_the_buttons(client, css_client, bdu_client, offers, who):
    browser = {"anonymous": client, "css": css_client, "bdu": bdu_client}[who]
    offer = offers["Dashboards"]
    for url in ("/offers", f"/offers/{offer.id}"):
        page = html(browser.get(url))
        assert not shortlist_forms(page)
        assert "Agree with this provider" not in page.get_text()


def test_superseded_offers_cannot_be_shortlisted_from_their_page(ccg_client, offers):
    old = offers["Dashboards"]
    prospectuses.withdraw(None, old.prospectus_version)
    page = html(ccg_client.get(f"/offers/{old.id}"))
    assert not shortlist_forms(page)
    assert "Agree with this provider" not in page.get_text()
