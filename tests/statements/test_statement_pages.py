"""The statement pages per role and organisation: the lead, a partner, another CCG, a CSS,
and the BDU and SHA cluster on the demand page."""

from decimal import Decimal

import pytest
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import Statement, StatementLine, StatementStatus
from marketplace.services import statements

from ..conftest import html, text_of
from ..factories import make_scenario, mixed_lines
from .conftest import line, started


def lock(statement) -> str:
    db.session.expire_all()
    return str(db.session.get(Statement, statement.id).lock_version)


def test_the_old_requirements_address_leads_to_statements(ccg_client):
    response = ccg_client.get("/requirements")
    assert response.status_code == 301
    assert response.headers["Location"].endswith("/statements")


def test_navigation_offers_statements_to_ccgs_and_demand_to_the_bdu(ccg_client, bdu_client):
    assert "Statements" in [a.get_text(strip=True) for a in html(
        ccg_client.get("/dashboard")).select("header a")]
    assert "Demand" in [a.get_text(strip=True) for a in html(
        bdu_client.get("/dashboard")).select("header a")]


def test_a_ccg_starts_a_statement_and_adds_a_line(arden, ccg_client):
    response = ccg_client.post("/statements/new", data={
        "title": "Support from April 2013", "summary": "BI for Coventry",
        "wanted_from-day": "1", "wanted_from-month": "4", "wanted_from-year": "2013",
        "term_months": "18"})
    assert response.status_code == 302
    statement = db.session.scalar(select(Statement))
    page = ccg_client.get(response.headers["Location"])
    assert "Support from April 2013" in text_of(page)

    form = html(ccg_client.get(f"/statements/{statement.id}/lines/new"))
    assert form.select_one("label[for=budget_annual]") is not None
    assert form.select_one(f"option[value='{arden.market.bi.id}']") is not None
    response = ccg_client.post(f"/statements/{statement.id}/lines/new", data={
        "lock_version": lock(statement), "specification_id": str(arden.market.bi.id),
        "mode": "buy", "priority": "high", "population_covered": "400,000",
        "local_service_levels": "Dashboard: monthly", "budget_annual": "£120,000.50"})
    assert response.status_code == 302
    saved = db.session.scalar(select(StatementLine))
    assert saved.budget_annual == Decimal("120000.50") and saved.population_covered == 400_000
    shown = text_of(ccg_client.get(f"/statements/{statement.id}"))
    assert "£120,000.50" in shown and "Dashboard: monthly" in shown

    response = ccg_client.post(f"/statements/{statement.id}/confirm",
                               data={"lock_version": lock(statement)})
    assert response.status_code == 302
    assert db.session.get(Statement, statement.id).status == StatementStatus.READY
    # Ready statements are offered on the procurements page.
    assert "Start buying “Support from April 2013”" in text_of(ccg_client.get("/procurements"))


@pytest.mark.parametrize("fields, field_id, message", [
    ({"budget_annual": "25000000.01"}, "budget_annual", "£25,000,000 a year or less"),
    ({"budget_annual": "1²"}, "budget_annual", "Enter the budget in pounds"),
    ({"budget_annual": "<script>alert(1)</script>"}, "budget_annual", "Enter the budget"),
    ({"population_covered": "464597"}, "population_covered", "464,596"),
    ({"days_per_year": "١٢"}, "days_per_year", "days a year as a number"),
    ({"notes": "nul\x00here"}, "notes", "unusual characters"),
    ({"specification_id": "99999"}, "specification_id", "Choose a specification"),
    ({"specification_id": "𝟏"}, "specification_id", "Choose a specification"),
    ({"lock_version": "１"}, None, "Somebody else changed this statement"),
])
def test_bad_line_input_gets_a_message_at_the_field(arden, ccg_client, fields, field_id,
                                                    message):
    statement = started(arden)
    data = {"lock_version": lock(statement), "specification_id": str(arden.market.bi.id),
            "mode": "buy", "priority": "high", **fields}
    response = ccg_client.post(f"/statements/{statement.id}/lines/new", data=data)
    assert response.status_code in (400, 409)
    page = html(response)
    assert message in page.select_one(".nhsuk-error-summary").get_text()
    if field_id:
        assert page.select_one(f"a[href='#{field_id}']") is not None
        assert message in page.select_one(f"#{field_id}-error").get_text()
    assert "<script>alert(1)</script>" not in response.get_data(as_text=True)
    assert db.session.scalar(select(StatementLine)) is None


def test_the_details_form_refuses_a_stale_version_and_keeps_the_typing(arden, ccg_client):
    statement = started(arden)
    old = lock(statement)
    statements.update_details(arden.lead, statement, statements.DetailsInput(
        "Changed by a colleague", term_months="12"), None)
    response = ccg_client.post(f"/statements/{statement.id}/details", data={
        "lock_version": old, "title": "Mine", "term_months": "18"})
    assert response.status_code == 409
    assert "Somebody else changed this statement" in text_of(response)
    assert html(response).select_one("#title")["value"] == "Mine"
    assert db.session.get(Statement, statement.id).title == "Changed by a colleague"


def test_the_split_form_says_when_shares_do_not_total_100(arden, ccg_client):
    statement = started(arden)
    statements.invite_partner(arden.lead, statement, arden.south.id, None)
    lead_party, south_party = statement.parties
    response = ccg_client.post(f"/statements/{statement.id}/split", data={
        "lock_version": lock(statement), "split_method": "agreed_shares",
        f"share_{lead_party.id}": "60", f"share_{south_party.id}": "40.01"})
    assert response.status_code == 400
    page = html(response)
    assert "add up to 100.01%" in page.select_one(".nhsuk-error-summary").get_text()
    assert page.select_one("a[href='#shares']") is not None
    response = ccg_client.post(f"/statements/{statement.id}/split", data={
        "lock_version": lock(statement), "split_method": "agreed_shares",
        f"share_{lead_party.id}": "60", f"share_{south_party.id}": "40"})
    assert response.status_code == 302


def test_a_partner_confirms_its_own_lines(arden, sign_in):
    statement = started(arden)
    statements.save_line(arden.lead, statement, line(arden.market.bi, budget_annual="100"),
                         None)
    statements.invite_partner(arden.lead, statement, arden.south.id, None)
    statements.confirm_lines(arden.lead, statement, None)
    partner = sign_in("sam.south@example.nhs.uk")

    index = text_of(partner.get("/statements"))
    assert "Your CCG has been invited" in index and "Arden support" in index
    page = partner.get(f"/statements/{statement.id}")
    assert page.status_code == 200
    assert "Confirm our lines" in text_of(page)
    # It cannot change the lead's line, the details, the partners or the split.
    lead_line = statement.lines[0]
    assert partner.get(f"/statements/{statement.id}/lines/{lead_line.id}").status_code == 403
    assert partner.post(f"/statements/{statement.id}/lines/{lead_line.id}/remove",
                        data={"lock_version": lock(statement)}).status_code == 403
    for url in ("details", "partners", "split"):
        assert partner.get(f"/statements/{statement.id}/{url}").status_code == 403

    refused = partner.post(f"/statements/{statement.id}/confirm",
                           data={"lock_version": lock(statement)})
    # Back on the statement's page with the reason in the error summary, not a banner.
    assert refused.status_code == 400
    summary = html(refused).select_one(".nhsuk-error-summary")
    assert summary is not None and "Add at least one line for your CCG" in summary.text
    assert html(refused).select_one(".nhsuk-notification-banner") is None
    assert "Confirm our lines" in text_of(refused)
    assert partner.post(f"/statements/{statement.id}/lines/new", data={
        "lock_version": lock(statement), "specification_id": str(arden.market.bi.id),
        "mode": "buy", "priority": "medium", "budget_annual": "50000"}).status_code == 302
    assert partner.post(f"/statements/{statement.id}/confirm",
                        data={"lock_version": lock(statement)}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Statement, statement.id).status == StatementStatus.READY


def test_another_ccg_and_other_roles_are_kept_out(arden, sign_in):
    statement = started(arden)
    darlington = sign_in("ccg2@demo.test")
    assert darlington.get(f"/statements/{statement.id}").status_code == 404
    assert "Arden support" not in text_of(darlington.get("/statements"))
    for email in ("css@demo.test", "bdu@demo.test", "peer@demo.test", "admin@demo.test"):
        client = sign_in(email)
        assert client.get(f"/statements/{statement.id}").status_code == 403
        assert client.post("/statements/new", data={"title": "x"}).status_code == 403


def test_a_confirm_from_a_stale_page_is_refused(arden, ccg_client):
    statement = started(arden)
    statements.save_line(arden.lead, statement, line(arden.market.bi), None)
    response = ccg_client.post(f"/statements/{statement.id}/confirm",
                               data={"lock_version": "1"})
    assert response.status_code == 409
    assert db.session.get(Statement, statement.id).status == StatementStatus.DRAFT


def test_the_scenario_and_the_statement_show_each_other(arden, ccg_client):
    scenario = make_scenario("ccg@demo.test", name="Coventry baseline", lines=mixed_lines())
    statement = started(arden)
    saved = statements.save_line(arden.lead, statement, line(
        arden.market.bi, scenario_line_id=scenario.lines[1].id), None)
    shown = html(ccg_client.get(f"/statements/{statement.id}"))
    assert "from scenario “Coventry baseline”" in shown.get_text(" ")
    page = html(ccg_client.get(f"/scenarios/{scenario.id}"))
    link = page.select_one(f"#service-lines a[href$='#line-{saved.id}']")
    assert link is not None and "Arden support from April 2013" in link.get_text()


def test_a_refused_decline_comes_back_with_the_error_summary(arden, ccg_client):
    statement = started(arden)  # Coventry (ccg@) leads it, so withdraws rather than declines
    refused = ccg_client.post(f"/statements/{statement.id}/decline",
                              data={"lock_version": lock(statement)})
    assert refused.status_code == 400
    summary = html(refused).select_one(".nhsuk-error-summary")
    assert summary is not None and "withdraws the statement instead" in summary.text
    assert db.session.get(Statement, statement.id).status == StatementStatus.DRAFT
