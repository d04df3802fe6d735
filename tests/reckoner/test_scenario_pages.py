"""The scenario pages, per role: build, view, edit, copy, finalise, delete, compare."""

from decimal import Decimal

import pytest
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import AuditEvent, Scenario

from ..conftest import html, text_of
from ..factories import (
    COVENTRY_POPULATION,
    MIXED_LINES_FORM,
    make_scenario,
    mixed_lines,
    scenario_counts,
    scenario_form,
)


def only_scenario() -> Scenario:
    return db.session.scalars(select(Scenario)).one()


def test_new_scenario_is_prefilled_with_the_ccg_population_and_default_costs(ccg_client):
    page = html(ccg_client.get("/scenarios/new"))
    assert page.select_one("#population")["value"] == str(COVENTRY_POPULATION)
    assert page.select_one("#fixed_costs-0-name")["value"] == "Accountable officer"
    assert page.select_one("#fixed_costs-0-amount")["value"] == "350000.00"
    # every input has a label
    for element in page.select("form input:not([type=hidden]), form select"):
        assert page.select_one(f'label[for="{element["id"]}"]') or element.get("aria-hidden")


def test_a_ccg_builds_the_worked_example(ccg_client):
    response = ccg_client.post("/scenarios/new", data=scenario_form())
    assert response.status_code == 302
    scenario = only_scenario()
    assert response.headers["Location"] == f"/scenarios/{scenario.id}"
    assert scenario.organisation.name == "NHS Coventry and Rugby CCG"
    assert scenario.status == "draft" and scenario.population == 175_000

    page = text_of(ccg_client.get(f"/scenarios/{scenario.id}"))
    assert "Running cost allowance £3,500,000.00" in page
    assert "Money for commissioning support £1,889,000.00" in page
    assert "Money for commissioning support per head £10.79" in page
    assert "No warnings" in page
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "scenario.created"))
    assert event.object_id == str(scenario.id) and event.actor.email == "ccg@demo.test"


def test_do_share_and_buy_lines_are_costed(ccg_client):
    response = ccg_client.post("/scenarios/new", data=scenario_form(**MIXED_LINES_FORM))
    assert response.status_code == 302, text_of(response)
    scenario = only_scenario()
    shared = scenario.lines[2]
    assert {p.ods_code for p in shared.partners} == {"05H", "05R"}
    page = html(ccg_client.get(f"/scenarios/{scenario.id}"))
    lines = {
        row.select("td")[0].text: (row.select("td")[1].text, row.select("td")[2].text)
        for row in page.select("#service-lines tbody tr")
    }
    assert lines == {
        "Contract management": ("Do in-house", "£65,000.00"),
        "Business intelligence": ("Buy", "£148,750.00"),
        # 175,000 of 175,000 + 183,852 + 271,809 registered people
        "Individual funding requests": ("Share with other CCGs", "£83,245.99"),
    }
    split = text_of(ccg_client.get(f"/scenarios/{scenario.id}"))
    assert "Total spend £296,995.99" in split
    assert "Surplus £1,592,004.01" in split
    assert "2012 survey" in split
    svg = page.select("svg.marketplace-chart")
    assert len(svg) == 2 and svg[0].find("title").text.startswith("Spend by mode")


def test_add_more_rows_re_renders_and_saves_nothing(ccg_client):
    before = scenario_counts()
    blank_rows = {f"lines-{i}-service": "" for i in range(3)}
    response = ccg_client.post("/scenarios/new", data=scenario_form(add_rows="lines", **blank_rows))
    assert response.status_code == 200
    page = html(response)
    assert len(page.select("fieldset.marketplace-line")) == 6
    assert page.select_one("#fixed_costs-0-amount")["value"] == "1,500,000"
    assert scenario_counts() == before


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("population", "abc", "whole number"),
        ("population", "175000.5", "whole number"),
        ("population", "0", "between 1 and 10,000,000"),
        ("population", "-5", "between 1 and 10,000,000"),
        ("population", "10000001", "between 1 and 10,000,000"),
        ("population", "", "Enter the registered population"),
        ("financial_year", "2099/00", "Choose a financial year"),
        ("allowance_per_head_override", "12.3.4", "Enter an amount in pounds"),
        ("allowance_per_head_override", "0", "more than £0"),
        ("fixed_costs-1-amount", "-1", "cannot be negative"),
        ("fixed_costs-1-amount", "1.234", "2 decimal places"),
        ("in_house_non_pay", "lots", "Enter an amount in pounds"),
        ("name", "", "Enter a name"),
    ],
)
def test_bad_input_is_refused_at_the_field_and_nothing_is_saved(ccg_client, field, value,
                                                                 message):
    before = scenario_counts()
    response = ccg_client.post("/scenarios/new", data=scenario_form(**{field: value}))
    assert response.status_code == 400  # a refusal is a 4xx, as on every other form
    page = html(response)
    error = page.select_one(f"#{field}-error")
    assert error is not None and message in error.text, text_of(response)[:600]
    assert page.select_one(f'.nhsuk-error-summary a[href="#{field}"]')
    assert scenario_counts() == before


@pytest.mark.parametrize(
    "values, field, message",
    [
        ({"in_house-0-role": "Analyst", "in_house-0-wte": "1001",
          "in_house-0-cost_per_wte": "40000"}, "in_house-0-wte", "between 0 and 1,000"),
        ({"in_house-0-role": "Analyst", "in_house-0-wte": "-0.5",
          "in_house-0-cost_per_wte": "40000"}, "in_house-0-wte", "between 0 and 1,000"),
        ({"in_house-0-role": "Analyst", "in_house-0-wte": "1"}, "in_house-0-cost_per_wte",
         "Enter the cost per WTE"),
        ({"lines-0-service": "BI", "lines-0-mode": "buy"}, "lines-0-manual_amount",
         "or enter an amount"),
        ({"lines-0-service": "BI", "lines-0-mode": "buy", "lines-0-manual_amount": "-3"},
         "lines-0-manual_amount", "cannot be negative"),
        ({"lines-0-service": "IFR", "lines-0-mode": "share", "lines-0-shared_total": "1000",
          "lines-0-partners": "ZZZ"}, "lines-0-partners", "No CCG has the ODS code ZZZ"),
        ({"lines-0-service": "IFR", "lines-0-mode": "share", "lines-0-shared_total": "1000",
          "lines-0-partners": "05A"}, "lines-0-partners", "Leave your own CCG out"),
        ({"lines-0-service": "IFR", "lines-0-mode": "chance"}, "lines-0-mode",
         "Choose do, share or buy"),
        ({"lines-0-service": "X", "lines-0-mode": "do", "lines-0-wte": "1",
          "lines-0-cost_per_wte": "1", "lines-1-service": "x", "lines-1-mode": "do",
          "lines-1-wte": "1", "lines-1-cost_per_wte": "1"}, "lines-1-service",
         "one line"),
    ],
)
def test_bad_rows_are_refused_at_the_field(ccg_client, values, field, message):
    before = scenario_counts()
    response = ccg_client.post("/scenarios/new", data=scenario_form(**values))
    assert response.status_code == 400
    error = html(response).select_one(f"#{field}-error")
    assert error is not None and message in error.text, text_of(response)[:800]
    assert scenario_counts() == before


def test_a_ccg_edits_its_draft(ccg_client):
    scenario = make_scenario(lines=mixed_lines())
    page = html(ccg_client.get(f"/scenarios/{scenario.id}/edit"))
    assert set(page.select_one("#lines-3-partners")["value"].split(", ")) == {"05H", "05R"}
    assert page.select_one("#lines-1-price")["value"] == "0.85"
    # the saved lines plus three blank ones
    assert len(page.select("fieldset.marketplace-line")) == 7

    response = ccg_client.post(f"/scenarios/{scenario.id}/edit",
                               data=scenario_form(name="Leaner", population="200000",
                                         lock_version=page.select_one("#lock_version")["value"]))
    assert response.status_code == 302
    db.session.expire_all()
    edited = db.session.get(Scenario, scenario.id)
    assert (edited.name, edited.population, len(edited.lines)) == ("Leaner", 200_000, 0)
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "scenario.updated"))


def test_copy_makes_a_new_draft_with_the_same_lines(ccg_client):
    scenario = make_scenario(lines=mixed_lines())
    response = ccg_client.post(f"/scenarios/{scenario.id}/copy")
    assert response.status_code == 302
    copy = db.session.scalars(select(Scenario).where(Scenario.id != scenario.id)).one()
    assert copy.name == "Copy of Baseline" and copy.status == "draft"
    assert [line.service for line in copy.lines] == [line.service for line in scenario.lines]
    assert {p.ods_code for p in copy.lines[3].partners} == {"05H", "05R"}
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "scenario.copied"))


def test_a_final_scenario_cannot_be_edited_or_deleted(ccg_client):
    scenario = make_scenario()
    assert ccg_client.post(f"/scenarios/{scenario.id}/finalise").status_code == 302
    assert "Final" in text_of(ccg_client.get(f"/scenarios/{scenario.id}"))
    assert ccg_client.get(f"/scenarios/{scenario.id}/edit").status_code == 302
    ccg_client.post(f"/scenarios/{scenario.id}/delete")
    assert db.session.get(Scenario, scenario.id) is not None


def test_a_ccg_deletes_a_draft(ccg_client):
    scenario = make_scenario(lines=mixed_lines())
    assert "cannot be undone" in text_of(ccg_client.get(f"/scenarios/{scenario.id}/delete"))
    response = ccg_client.post(f"/scenarios/{scenario.id}/delete")
    assert response.status_code == 302
    assert db.session.scalar(select(Scenario)) is None
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "scenario.deleted"))


def test_delete_without_csrf_is_refused(ccg_client):
    scenario = make_scenario()
    response = ccg_client.post(f"/scenarios/{scenario.id}/delete", csrf=False)
    assert response.status_code == 400
    assert db.session.get(Scenario, scenario.id) is not None


def test_the_list_shows_only_the_ccgs_own_scenarios(ccg_client):
    make_scenario(name="Ours")
    make_scenario(email="ccg2@demo.test", name="Darlington's", population=106_079)
    page = text_of(ccg_client.get("/scenarios"))
    assert "Ours" in page and "Darlington's" not in page


def test_compare_two_scenarios_side_by_side(ccg_client):
    first = make_scenario(name="All bought")
    second = make_scenario(name="Mixed", lines=mixed_lines())
    page = html(ccg_client.get(f"/scenarios/compare?a={first.id}&b={second.id}"))
    rows = {row.th.text.strip(): [td.text.strip() for td in row.select("td")]
            for row in page.select("#comparison tbody tr")}
    assert rows["Money for commissioning support"] == ["£10,003,900.00", "£10,003,900.00"]
    assert rows["Total spend"] == ["£0.00", "£623,708.66"]
    assert rows["Do in-house"] == ["£0.00", "£65,000.00"]


def test_compare_refuses_another_ccgs_scenario(ccg_client):
    ours = make_scenario()
    theirs = make_scenario(email="ccg2@demo.test", population=106_079)
    assert ccg_client.get(f"/scenarios/compare?a={ours.id}&b={theirs.id}").status_code == 404
    # refused at the field
    assert ccg_client.get(f"/scenarios/compare?a={ours.id}&b=x").status_code == 400


# --- who may do what -------------------------------------------------------------------------

CHANGES = ["/scenarios/{id}/edit", "/scenarios/{id}/delete"]
POSTS = ["/scenarios/{id}/copy", "/scenarios/{id}/finalise", "/scenarios/{id}/delete",
         "/scenarios/{id}/edit"]
READS = ["/scenarios/{id}", "/scenarios/{id}/export.xlsx", "/scenarios/{id}/export.csv"]


@pytest.mark.parametrize("path", CHANGES + READS)
def test_another_ccg_gets_404(sign_in, path):
    scenario = make_scenario()
    assert sign_in("ccg2@demo.test").get(path.format(id=scenario.id)).status_code == 404


@pytest.mark.parametrize("path", POSTS)
def test_another_ccg_cannot_post(sign_in, path):
    scenario = make_scenario()
    before = scenario_counts()
    response = sign_in("ccg2@demo.test").post(path.format(id=scenario.id), data=scenario_form())
    assert response.status_code == 404
    assert scenario_counts() == before


@pytest.mark.parametrize("path", READS)
def test_bdu_reviewers_read_any_scenario(bdu_client, path):
    scenario = make_scenario()
    assert bdu_client.get(path.format(id=scenario.id)).status_code == 200


def test_bdu_reviewers_see_every_ccgs_scenarios_without_changing_them(bdu_client):
    scenario = make_scenario(name="Coventry plan")
    page = html(bdu_client.get("/scenarios"))
    assert "NHS Coventry and Rugby CCG" in page.text and "Coventry plan" in page.text
    assert page.find("a", string="Create a scenario") is None
    view = html(bdu_client.get(f"/scenarios/{scenario.id}"))
    assert view.find("a", string="Edit this scenario") is None
    assert "Copy as a new draft" not in view.text


@pytest.mark.parametrize("path", ["/scenarios/new", *CHANGES])
def test_bdu_reviewers_are_refused_changes(bdu_client, path):
    scenario = make_scenario()
    assert bdu_client.get(path.format(id=scenario.id)).status_code == 403


@pytest.mark.parametrize("path", POSTS)
def test_bdu_reviewers_cannot_post_changes(bdu_client, path):
    scenario = make_scenario()
    before = scenario_counts()
    assert bdu_client.post(path.format(id=scenario.id), data=scenario_form()).status_code == 403
    assert scenario_counts() == before


@pytest.mark.parametrize("email", ["css@demo.test", "peer@demo.test", "admin@demo.test"])
@pytest.mark.parametrize("path", ["/scenarios", "/scenarios/new", "/scenarios/compare",
                                  *CHANGES, *READS])
def test_other_roles_are_refused(sign_in, email, path):
    scenario = make_scenario()
    assert sign_in(email).get(path.format(id=scenario.id)).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client):
    scenario = make_scenario()
    response = client.get(f"/scenarios/{scenario.id}")
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def test_a_refused_finalise_is_not_a_banner(ccg_client):
    scenario = make_scenario()
    expired = ccg_client.post(f"/scenarios/{scenario.id}/finalise", csrf=False)
    assert expired.status_code == 400
    assert html(expired).select_one(".nhsuk-notification-banner") is None
    assert db.session.get(Scenario, scenario.id).status == "draft"
    assert ccg_client.post(f"/scenarios/{scenario.id}/finalise").status_code == 302
    again = ccg_client.post(f"/scenarios/{scenario.id}/finalise")
    assert again.status_code == 409 and "already final" in text_of(again)


def test_a_scenario_page_runs_as_many_statements_for_four_shared_lines_as_for_two(ccg_client):
    from marketplace.services.scenarios import LineInput

    from ..queries import counting_statements

    def shared(count: int) -> list[LineInput]:
        return mixed_lines() + [
            LineInput(f"Shared service {number}", "share", shared_total=Decimal("1000"),
                      split_method="population", partner_ods_codes=("05H", "05R"))
            for number in range(count)]

    counts = []
    for count in (2, 4):
        scenario = make_scenario(name=f"With {count} shared", lines=shared(count))
        ccg_client.get(f"/scenarios/{scenario.id}")
        with counting_statements() as statements:
            page = text_of(ccg_client.get(f"/scenarios/{scenario.id}"))
        assert f"Shared service {count - 1}" in page
        counts.append(len(statements))
    assert counts[0] == counts[1], counts


def test_the_bdus_scenario_page_runs_as_many_statements_for_twice_the_rows(bdu_client):
    """The page reads the scenario with its CCG and fixed costs in one query, then its
    in-house roles, lines and partners in one each: twice the costs, roles and lines (and
    another CCG's scenario, whose CCG is not the reader's) cost no more statements."""
    from dataclasses import replace

    from marketplace.services.scenarios import FixedCostInput, InHouseInput

    from ..queries import statements_for

    def scenario(count: int) -> Scenario:
        lines = [replace(line, service=f"{line.service} {n}")
                 for n in range(count) for line in mixed_lines()]
        made = make_scenario(
            name=f"{count} of each", lines=lines,
            fixed_costs=tuple(FixedCostInput(f"Cost {n}", Decimal("1000")) for n in range(count)),
            in_house=tuple(InHouseInput(f"Role {n}", Decimal("1"), Decimal("30000"))
                           for n in range(count)))
        db.session.commit()
        return made

    few, many = scenario(2), scenario(4)
    assert statements_for(bdu_client, f"/scenarios/{few.id}") == \
        statements_for(bdu_client, f"/scenarios/{many.id}")
