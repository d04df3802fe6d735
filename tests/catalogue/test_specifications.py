from datetime import date

from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import AuditEvent, ServiceSpecification
from marketplace.services import market_change, prospectuses

from .. import factories as build
from ..conftest import html, text_of, user
from ..factories import add_offer, create_spec, offer_data, organisation
from ..queries import counting_statements

FORM = {
    "code": "PLN-HNA", "name": "Health needs assessment", "description": "Needs and priorities",
    "phase": "planning", "nature": "transformational", "scale": "local",
    "expected_outputs": "Needs profile", "expected_service_levels": "Profile by quarter 3",
}


def spec(code):
    return db.session.scalar(select(ServiceSpecification).where(ServiceSpecification.code == code))


def test_the_public_catalogue_lists_specifications_by_phase(client):
    create_spec("PLN-HNA", "Health needs assessment", phase="planning", nature="transformational")
    create_spec("MON-QA", "Quality assurance", phase="monitoring_contracts")
    page = client.get("/specifications")
    assert page.status_code == 200
    headings = [h.get_text(strip=True) for h in html(page).select("h2")]
    assert headings[:2] == ["Planning", "Monitoring contracts"]
    detail = client.get("/specifications/PLN-HNA")
    assert detail.status_code == 200
    assert "Transformational" in text_of(detail)
    assert client.get("/specifications/NOPE").status_code == 404


def test_admin_creates_and_edits_a_specification(admin_client):
    response = admin_client.post("/admin/specifications/new", data=FORM)
    assert response.status_code == 302
    created = spec("PLN-HNA")
    assert created.name == "Health needs assessment"
    assert db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "specification.created")).actor.email == "admin@demo.test"
    response = admin_client.post("/admin/specifications/PLN-HNA/edit",
                                 data={**FORM, "name": "Joint strategic needs assessment"})
    assert response.status_code == 302
    assert spec("PLN-HNA").name == "Joint strategic needs assessment"


def test_bad_specification_input_is_shown_at_the_field(admin_client):
    create_spec("PLN-HNA", "Health needs assessment")
    response = admin_client.post("/admin/specifications/new",
                                 data={**FORM, "name": "Another name"})
    assert response.status_code == 200
    assert "Another specification already has this code" in text_of(response)
    response = admin_client.post("/admin/specifications/new",
                                 data={**FORM, "code": "bad code!", "name": "X"})
    assert "Enter a code of capital letters" in html(response).select_one("#code-error").text
    response = admin_client.post("/admin/specifications/new",
                                 data={**FORM, "code": "X-1", "name": "x" * 201})
    assert html(response).select_one("#name-error") is not None


def _refusal_at_the_row(response, code: str) -> str:
    """The manage page answering a refused button: the NHS.UK error summary links to the
    specification's row, where the same message stands; returns the message."""
    page = html(response)
    assert page.select_one("h1").get_text(strip=True) == "Manage specifications"
    assert page.title.get_text().startswith("Error: ")
    link = page.select_one(".nhsuk-error-summary a")
    assert link["href"] == f"#specification-{code}"
    target = page.select_one(f"#specification-{code}")
    assert target is not None and target.name == "button"
    at_row = page.select_one(f"#specification-{code}-error").get_text(" ", strip=True)
    assert at_row == "Error: " + link.get_text(strip=True)
    assert target.find_parent("tr").find(string=code) is not None
    return link.get_text(strip=True)


def test_a_used_specification_is_retired_not_deleted(admin_client):
    used = create_spec("BI-DSS", "Decision support")
    add_offer("Arden CSS", used)
    add_offer("Greater East Midlands CSS", used, title="Dashboards")
    events = db.session.scalar(select(func.count(AuditEvent.id)))
    response = admin_client.post("/admin/specifications/BI-DSS/delete")
    # Refused on the manage page with why, not on the app-wide "not saved" page.
    assert response.status_code == 409
    message = _refusal_at_the_row(response, "BI-DSS")
    assert message == (
        "BI-DSS Decision support cannot be deleted: it is used by offers from Arden CSS and "
        "Greater East Midlands CSS. Retire it instead, so that it takes no new offers and "
        "what uses it stays readable")
    assert "Your change was not saved" not in text_of(response)
    assert spec("BI-DSS") is not None
    assert db.session.scalar(select(func.count(AuditEvent.id))) == events
    # The confirmation page is not offered for it either: the same refusal, before asking.
    asked = admin_client.get("/admin/specifications/BI-DSS/delete")
    assert asked.status_code == 409
    assert _refusal_at_the_row(asked, "BI-DSS") == message
    admin_client.post("/admin/specifications/BI-DSS/retire")
    assert spec("BI-DSS").is_retired
    page = text_of(admin_client.get("/admin/specifications"))
    assert "Retired" in page
    admin_client.post("/admin/specifications/BI-DSS/reinstate")
    assert not spec("BI-DSS").is_retired


def test_an_unused_specification_can_be_deleted(admin_client):
    create_spec("BUS-LEG", "Legal services")
    admin_client.post("/admin/specifications/BUS-LEG/delete")
    assert spec("BUS-LEG") is None


def test_no_new_offer_against_a_retired_specification(css_client):
    retired = create_spec("BUS-LEG", "Legal services")
    retired.retired_at = retired.created_at
    db.session.commit()
    try:
        prospectuses.add_offer(None, organisation("Arden CSS"), offer_data(retired))
    except prospectuses.OfferInvalid as error:
        assert error.errors[0][0] == "specification_id"
        assert "retired" in error.errors[0][1]
    else:
        raise AssertionError("an offer against a retired specification was accepted")
    response = css_client.post("/prospectus/offers/new", data={
        "specification_id": retired.id, "title": "Legal", "delivery_model": "shared",
        "pricing_model": "fixed_annual", "price": "40000", "minimum_term_months": "12"})
    assert response.status_code == 400
    assert html(response).select_one("#specification_id-error") is not None


def test_only_administrators_edit_the_catalogue(client, sign_in):
    create_spec("BI-DSS", "Decision support")
    for email in ("ccg@demo.test", "css@demo.test", "bdu@demo.test", "peer@demo.test"):
        signed_in = sign_in(email)
        assert signed_in.get("/admin/specifications").status_code == 403
        assert signed_in.get("/admin/specifications/BI-DSS/edit").status_code == 403
        assert signed_in.post("/admin/specifications/BI-DSS/retire").status_code == 403
        assert signed_in.get("/specifications").status_code == 200
    assert client.get("/admin/specifications").status_code == 302
    assert not spec("BI-DSS").is_retired


def test_the_admin_list_asks_which_specifications_are_used_in_one_query(admin_client):
    def statements() -> int:
        db.session.expire_all()  # as in a new request: nothing loaded already
        with counting_statements() as count:
            assert admin_client.get("/admin/specifications").status_code == 200
        return len(count)

    create_spec("BI-DSS", "Decision support")
    with_one = statements()
    for code, name in (("BI-RPT", "Reporting"), ("BI-ANL", "Analysis")):
        add_offer("Arden CSS", create_spec(code, name))
    # Before, four EXISTS queries per specification: 30 statements for 27 at scale 100.
    assert statements() == with_one


def test_an_agreement_or_a_statement_keeps_its_specification(admin_client):
    """An agreement's or statement's line names the specification: what uses it is said in
    numbers, and deleting is refused at its row."""
    market = build.build_market()
    coventry = build.ccg("05A")
    build.make_statement(coventry, [(coventry, market.bi, "150000.00", None)])
    build.create_agreement(coventry, [market.arden_bi])
    db.session.commit()
    response = admin_client.post(f"/admin/specifications/{market.bi.code}/delete")
    assert response.status_code == 409
    message = _refusal_at_the_row(response, market.bi.code)
    assert "1 agreement" in message and "1 statement of requirements" in message
    assert "offers from Arden CSS" in message
    assert spec(market.bi.code) is not None


def test_retiring_twice_is_refused_at_the_row(admin_client):
    """A second Retire from a page drawn before the first (another tab, another
    administrator): the manage page as it is now, with why at the row, status 409."""
    create_spec("BI-DSS", "Decision support")
    assert admin_client.post("/admin/specifications/BI-DSS/retire").status_code == 302
    response = admin_client.post("/admin/specifications/BI-DSS/retire")
    assert response.status_code == 409
    assert "BI-DSS Decision support is already retired" in _refusal_at_the_row(
        response, "BI-DSS")
    assert html(response).select_one("#specification-BI-DSS").get_text(
        " ", strip=True) == "Reinstate BI-DSS"
    admin_client.post("/admin/specifications/BI-DSS/reinstate")
    response = admin_client.post("/admin/specifications/BI-DSS/reinstate")
    assert response.status_code == 409
    assert "is not retired" in _refusal_at_the_row(response, "BI-DSS")


def test_other_roles_cannot_delete_or_reinstate(client, sign_in):
    create_spec("BUS-LEG", "Legal services")
    db.session.commit()
    for email in ("ccg@demo.test", "css@demo.test", "bdu@demo.test", "peer@demo.test"):
        signed_in = sign_in(email)
        assert signed_in.get("/admin/specifications/BUS-LEG/delete").status_code == 403
        assert signed_in.post("/admin/specifications/BUS-LEG/delete").status_code == 403
        assert signed_in.post("/admin/specifications/BUS-LEG/reinstate").status_code == 403
    assert client.post("/admin/specifications/BUS-LEG/delete").status_code in (302, 400)
    assert spec("BUS-LEG") is not None


def _offer_counts(client) -> dict[str, str]:
    """Code -> the "Published offers" cell of each row of the public catalogue."""
    rows = html(client.get("/specifications")).select("tbody tr")
    return {cells[0].get_text(strip=True): cells[4].get_text(strip=True)
            for cells in (row.select("td") for row in rows)}


def test_the_catalogue_counts_each_specifications_published_offers(client):
    """Counted: offers in a provider's published prospectus. Not counted: a draft offer, an
    offer of a superseded version, or the offers of a CSS merged into another."""
    market = build.build_market()  # BI: Arden v1 (superseded), Arden, GEM, Meridian, a draft
    db.session.commit()
    assert _offer_counts(client) == {"BI-01": "3", "CM-01": "2", "BS-01": "1"}
    market_change.merge(user("bdu@demo.test"), market.gem, market.arden, kind="merger",
                        effective_on=date(2012, 8, 1))
    db.session.commit()
    assert _offer_counts(client) == {"BI-01": "2", "CM-01": "1", "BS-01": "1"}
