"""Buy lines priced from marketplace offers: the link between the reckoner and the offers."""

from decimal import Decimal

from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import AuditEvent, Scenario

from ..conftest import text_of
from ..factories import (
    COVENTRY_POPULATION,
    create_draft_offer,
    create_prospectus_version_with_offers,
    create_specification,
    make_scenario,
    organisation,
)


def arden_offer(name="Business intelligence", price="0.85"):
    spec = create_specification(code="BI-TEST", name=name)
    version = create_prospectus_version_with_offers(
        organisation("Arden CSS"),
        [(spec, {"pricing_model": "per_head", "price": Decimal(price)})],
    )
    return version.offers[0]


def test_a_ccg_prices_an_existing_line_from_an_offer(ccg_client):
    scenario = make_scenario()  # has a "Business intelligence" line at £0.85 a head
    offer = arden_offer(price="1.10")
    response = ccg_client.post(f"/scenarios/{scenario.id}/offers", data={"offer_id": offer.id})
    assert response.status_code == 302

    db.session.expire_all()
    scenario = db.session.get(Scenario, scenario.id)
    lines = [line for line in scenario.lines if line.service == "Business intelligence"]
    assert len(lines) == 1  # replaced, not duplicated
    assert (lines[0].offer_id, lines[0].price, lines[0].pricing_model) == (
        offer.id, Decimal("1.10"), "per_head"
    )
    page = text_of(ccg_client.get(f"/scenarios/{scenario.id}"))
    assert f"priced from offer {offer.id}" in page
    # £1.10 a head at Coventry and Rugby's registered population, to the penny.
    assert f"£{Decimal('1.10') * COVENTRY_POPULATION:,.2f}" in page
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "scenario.offer_priced")
    )
    assert event.object_id == str(scenario.id)


def test_an_offer_for_a_new_service_adds_a_line(ccg_client):
    scenario = make_scenario()
    before = len(scenario.lines)
    offer = arden_offer(name="Medicines management")
    ccg_client.post(f"/scenarios/{scenario.id}/offers", data={"offer_id": offer.id})
    db.session.expire_all()
    assert len(db.session.get(Scenario, scenario.id).lines) == before + 1


def test_the_page_lists_shortlisted_offers(ccg_client):
    scenario = make_scenario()
    offer = arden_offer()
    ccg_client.post("/shortlists/add", data={"offer_id": offer.id})
    page = text_of(ccg_client.get(f"/scenarios/{scenario.id}/offers"))
    assert "Your shortlisted offers" in page
    assert offer.title in page


def test_draft_offers_and_unknown_numbers_are_refused_at_the_field(ccg_client):
    scenario = make_scenario()
    spec = create_specification(code="DRAFT-1", name="Draft only")
    draft = create_draft_offer(organisation("Arden CSS"), spec)
    for offer_id in (draft.id, 999999):
        response = ccg_client.post(f"/scenarios/{scenario.id}/offers",
                                   data={"offer_id": offer_id})
        assert response.status_code == 200
        assert "Choose an offer from a published prospectus" in text_of(response)
    db.session.expire_all()
    assert all(line.offer_id is None for line in db.session.get(Scenario, scenario.id).lines)


def test_other_ccgs_and_other_roles_cannot_price_a_scenario(sign_in):
    scenario = make_scenario()
    offer = arden_offer()
    other_ccg = sign_in("ccg2@demo.test")
    assert other_ccg.post(f"/scenarios/{scenario.id}/offers",
                          data={"offer_id": offer.id}).status_code == 404
    reviewer = sign_in("bdu@demo.test")
    assert reviewer.get(f"/scenarios/{scenario.id}/offers").status_code == 403
