"""From the procurement to its agreements: the buyers' procurement page lists the agreements
drafted from its award (each CCG opens its own), and the winner's opportunity page links its
own to countersign. The opportunity's tables scroll sideways on a phone instead of widening
the page."""

from datetime import timedelta

from marketplace.services import agreements, awards, procurements
from marketplace.services.agreements_from_awards import agreements_for_procurement

from ..conftest import html
from ..factories import published_competition
from .evaluation import moderated_competition

LEAD, PARTNER, ARDEN, GEM, BDU = ("ccg@demo.test", "ruth.partner@example.nhs.uk",
                                  "css@demo.test", "css2@demo.test", "bdu@demo.test")


def _after_standstill(b, clock):
    procurement, found = moderated_competition(b, clock)
    awards.award(b.lead_user, procurement, procurement.lock_version,
                 bid_id=found["arden_user"].id, rationale="Best value.")
    clock.set(clock.now + timedelta(days=20))
    procurements.refresh_status(procurement)
    assert procurement.status == "awarded"
    return procurement


def _agreement_rows(page):
    section = page.find(id="agreements")
    assert section is not None, "no agreements section"
    table = section.find_next("table")
    return [[cell.get_text(" ", strip=True) for cell in row.find_all("td")]
            for row in table.select("tbody tr")], table


def test_the_procurement_page_lists_its_agreements_and_each_ccg_opens_its_own(
        buying, clock, sign_in):
    b = buying
    procurement = _after_standstill(b, clock)
    coventry, warwickshire = sorted(agreements_for_procurement(procurement),
                                    key=lambda a: a.ccg.name)
    agreements.sign_for_ccg(b.lead_user, coventry, coventry.lock_version)

    page = html(sign_in(LEAD).get(f"/procurements/{procurement.id}"))
    rows, table = _agreement_rows(page)
    assert [row[:3] for row in rows] == [
        [coventry.reference, "NHS Coventry and Rugby CCG", "Awaiting countersignature"],
        [warwickshire.reference, "NHS South Warwickshire CCG", "Draft"]]
    assert table.parent.get("class") == ["marketplace-table-scroll"]
    links = [a["href"] for a in table.select("a")]
    assert links == [f"/agreements/{coventry.id}"]  # the partner's is named, not linked

    # ... and each agreement links back to the procurement it came from.
    back = html(sign_in(LEAD).get(f"/agreements/{coventry.id}")).find(id="from-procurement")
    assert back.a["href"] == f"/procurements/{procurement.id}"
    assert procurement.reference in back.get_text()

    partner_page = html(sign_in(PARTNER).get(f"/procurements/{procurement.id}"))
    rows, table = _agreement_rows(partner_page)
    assert [a["href"] for a in table.select("a")] == [f"/agreements/{warwickshire.id}"]
    assert sign_in(PARTNER).get(f"/agreements/{warwickshire.id}").status_code == 200


def test_the_winner_finds_its_agreements_to_countersign_on_the_opportunity(
        buying, clock, sign_in):
    b = buying
    procurement = _after_standstill(b, clock)
    coventry = next(a for a in agreements_for_procurement(procurement)
                    if a.ccg == b.coventry)
    agreements.sign_for_ccg(b.lead_user, coventry, coventry.lock_version)

    page = html(sign_in(ARDEN).get(f"/opportunities/{procurement.id}"))
    section = page.find(id="agreements")
    hrefs = [a["href"] for a in section.find_next("ul").select("a")]
    assert f"/customers/agreements/{coventry.id}" in hrefs
    assert f"/customers/agreements/{coventry.id}/countersign" in hrefs
    back = html(sign_in(ARDEN).get(f"/customers/agreements/{coventry.id}")).find(
        id="from-procurement")
    assert back.a["href"] == f"/opportunities/{procurement.id}"

    loser = html(sign_in(GEM).get(f"/opportunities/{procurement.id}"))
    assert loser.find(id="agreements") is None


def test_before_the_standstill_ends_the_page_says_when_agreements_come(buying, clock,
                                                                       sign_in):
    b = buying
    procurement, found = moderated_competition(b, clock)
    awards.award(b.lead_user, procurement, procurement.lock_version,
                 bid_id=found["arden_user"].id, rationale="Best value.")
    text = html(sign_in(LEAD).get(f"/procurements/{procurement.id}")).get_text(" ")
    assert "The agreements are drafted from the winning response when the standstill ends" \
        in text


def test_the_services_to_price_table_scrolls_on_a_phone(buying, sign_in):
    procurement = published_competition(buying)
    page = html(sign_in(ARDEN).get(f"/opportunities/{procurement.id}"))
    caption = page.find("caption", string="Services to price")
    table = caption.find_parent("table")
    assert table.parent.name == "div"
    assert "marketplace-table-scroll" in table.parent["class"]
    css = open("static/css/marketplace.css").read()
    assert ".marketplace-table-scroll { overflow-x: auto; }" in css
