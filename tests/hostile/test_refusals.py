"""Input that used to crash a page (500) is refused with a message (4xx), issue 14:
Unicode digits, NUL characters, JSON nested too deep, absurd numbers, odd evidence types."""

import copy
import io
import zipfile

import pytest
from sqlalchemy import func, select

from marketplace.domain.whole_numbers import MAX_ID, whole_number
from marketplace.extensions import db
from marketplace.models import BusinessPlan, EvidenceDocument, Offer, Scenario

from .. import factories as build
from ..checkpoints.test_financial_model import _grid
from ..conftest import html, text_of, user
from ..prospectuses.test_prospectus import OFFER_FORM

NUL_WORDS = "Remove the unusual characters"


def _field_error(response, field_id: str) -> str:
    """The message shown at a field (NHS.UK: an error message inside its form group)."""
    page = html(response)
    summary = page.select_one(".nhsuk-error-summary")
    assert summary is not None, "no error summary"
    link = summary.select_one(f'a[href="#{field_id}"]')
    assert link is not None, f"no error linked to #{field_id}: {summary.get_text(' ')}"
    return link.get_text(" ", strip=True)


# Whole numbers: one reader, ASCII digits only.


@pytest.mark.parametrize("value, expected", [
    ("0", 0), ("12", 12), (12, 12), (str(MAX_ID), MAX_ID),
    ("²", None), ("٣", None), ("４", None), ("1²", None), (" 1", None), ("-1", None),
    ("+1", None), ("1.0", None), ("1e3", None), ("", None), ("9" * 5000, None),
    (str(MAX_ID + 1), None), (True, None), (None, None), (1.0, None), ("1\n", None),
])
def test_whole_numbers_are_ascii_digits_in_range(value, expected):
    assert whole_number(value) == expected


def test_whole_numbers_keep_to_the_range_asked_for():
    assert whole_number("0", minimum=1) is None
    assert whole_number("61", maximum=60) is None
    assert whole_number("60", maximum=60) == 60


UNICODE_DIGIT_PAGES = [
    "/offers?page=²", "/offers?page=٣", "/specifications?page=²", "/opportunities?page=²",
    "/prospectus/compare?from=²&to=1", "/prospectus/offers/new?specification=²",
    "/providers/1/compare?from=²&to=1", "/tracker?region=²", "/demand?region=²&specification=٣",
    "/scenarios/compare?a=²&b=1", "/shortlists/compare?offer=²",
    "/assurance/financial-model-template.xlsx?plan_id=²", "/statements/new?specification=²",
    "/admin/audit-events?page=²", f"/offers?page={'9' * 5000}",
    f"/opportunities?page={'9' * 5000}", f"/scenarios/compare?a={'9' * 30}&b=1",
]


@pytest.mark.parametrize("who", ["client", "ccg_client", "css_client", "bdu_client",
                                 "admin_client"])
def test_unicode_digits_and_huge_numbers_in_the_query_never_fail_a_page(request, who):
    client = request.getfixturevalue(who)
    failed = [(url, status) for url in UNICODE_DIGIT_PAGES
              if (status := client.get(url).status_code) >= 500]
    assert failed == []


def test_a_list_page_shows_its_first_page_for_a_page_that_is_not_a_number(client):
    # The convention of every list page (marketplace/pagination.py): a shared link with a
    # mangled page number still shows the list.
    assert client.get("/offers?page=²").status_code == 200
    assert client.get("/specifications?page=٣").status_code == 200


@pytest.mark.parametrize("url", ["/api/v1/offers?page=²", "/api/v1/opportunities?page=²",
                                 "/api/v1/offers?per_page=٣",
                                 f"/api/v1/opportunities?page={'9' * 5000}"])
def test_the_api_refuses_a_page_that_is_not_a_number_naming_the_parameter(client, url):
    response = client.get(url)
    assert response.status_code == 400
    assert response.get_json()["errors"][0]["field"] in ("page", "per_page")


def test_a_scenario_comparison_with_a_unicode_digit_is_refused_at_the_field(ccg_client):
    first, second = build.make_scenario(name="One"), build.make_scenario(name="Two")
    response = ccg_client.get(f"/scenarios/compare?a={first.id}&b=²{second.id}")
    assert response.status_code == 400
    assert "Choose a scenario from the list" in text_of(response)


# NUL characters: PostgreSQL cannot store them; every field says so itself.


def test_a_nul_in_the_sign_in_email_is_refused_at_the_field(client):
    response = client.post("/sign-in", data={"email": "ccg\x00@demo.test", "password": "x"})
    assert response.status_code == 400
    assert NUL_WORDS in _field_error(response, "email")


def test_a_nul_in_a_form_field_is_refused_at_that_field_and_nothing_is_saved(ccg_client):
    response = ccg_client.post("/scenarios/new", data=build.scenario_form(name="Base\x00line"))
    assert response.status_code == 400
    assert NUL_WORDS in _field_error(response, "name")
    assert db.session.scalar(select(func.count(Scenario.id))) == 0


def test_a_nul_in_a_row_of_a_list_of_fields_is_refused_at_that_field(css_client):
    spec = build.create_spec()
    response = css_client.post("/prospectus/offers/new", data={
        **OFFER_FORM, "specification_id": spec.id, "service_levels-0-measure": "Re\x00fresh"})
    assert response.status_code == 400
    assert NUL_WORDS in text_of(response)
    assert db.session.scalar(select(func.count(Offer.id))) == 0


@pytest.mark.parametrize("url", ["/offers?q=bi%00", "/admin/audit-events?action=a%00",
                                 "/offers?page=1&%00=1"])
def test_a_nul_in_a_query_parameter_is_a_bad_request_naming_it(admin_client, url):
    response = admin_client.get(url)
    assert response.status_code == 400
    assert NUL_WORDS in text_of(response)


def test_a_nul_in_the_path_names_nothing(client):
    assert client.get("/specifications/BI%00").status_code == 404


def test_a_nul_in_api_json_is_refused_naming_the_field(client):
    response = client.post("/api/v1/reckoner", json={
        "population": 175000, "allowance_per_head": "20.00",
        "fixed_costs": [{"name": "Corporate\x00base", "amount": "1500000.00"}]})
    assert response.status_code == 400
    assert response.get_json()["errors"] == [
        {"field": "fixed_costs[0].name", "message": response.get_json()["errors"][0]["message"]}]
    assert NUL_WORDS in response.get_json()["errors"][0]["message"]


def test_a_nul_in_the_financial_model_grid_is_refused(css_client):
    plan = build.plan()
    before = copy.deepcopy(plan.financial_model)
    form = _grid(before) | {"line-0-key": "bi\x00"}
    response = css_client.post(f"/assurance/plans/{plan.id}/financial-model", data=form)
    assert response.status_code == 400
    assert NUL_WORDS in text_of(response)
    db.session.refresh(plan)
    assert plan.financial_model == before


# JSON the parser cannot hold.


@pytest.mark.parametrize("body", ["[" * 100_000, '{"a":' * 100_000, "NaN", "[Infinity]",
                                  '{"population": 1e400}', '{"population": -Infinity}',
                                  "1" * 5000])
def test_json_python_cannot_hold_is_a_400_not_a_crash(client, body):
    response = client.post("/api/v1/reckoner", data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["errors"][0]["field"] == "request"


# Absurd numbers in money and quantity fields.

ABSURD = ["1e30", "1e100000", "NaN", "Infinity", "-Infinity", "1" * 29, "1" * 40,
          "0.000000000000000000000000000001", "1e-100000"]


@pytest.mark.parametrize("absurd", ABSURD)
def test_absurd_figures_in_a_financial_model_are_refused_and_not_saved(css_client, absurd):
    plan = build.plan()
    before = copy.deepcopy(plan.financial_model)
    for field in ("spend-pay-0", "wte-1", "customer-0-2"):
        response = css_client.post(f"/assurance/plans/{plan.id}/financial-model",
                                   data=_grid(before) | {field: absurd})
        assert response.status_code == 400, (field, absurd)
        assert html(response).select_one(".nhsuk-error-summary") is not None
    db.session.refresh(plan)
    assert plan.financial_model == before


@pytest.mark.parametrize("absurd", ABSURD)
def test_absurd_offer_prices_and_quantities_are_refused_at_the_field(css_client, absurd):
    spec = build.create_spec()
    for field in ("price", "estimated_quantity"):
        response = css_client.post("/prospectus/offers/new", data={
            **OFFER_FORM, "specification_id": spec.id, "pricing_model": "day_rate",
            "price": "650", "estimated_quantity": "40", field: absurd})
        assert response.status_code == 400, (field, absurd)
        assert _field_error(response, field)
    assert db.session.scalar(select(func.count(Offer.id))) == 0


@pytest.mark.parametrize("absurd", ABSURD)
def test_absurd_scenario_figures_are_refused_at_the_field(ccg_client, absurd):
    for field in ("population", "allowance_per_head_override", "fixed_costs-0-amount"):
        response = ccg_client.post("/scenarios/new", data=build.scenario_form(**{field: absurd}))
        assert response.status_code == 400, (field, absurd)
    assert db.session.scalar(select(func.count(Scenario.id))) == 0


@pytest.mark.parametrize("absurd", ["1e30", "1E+100000", "NaN", "-5", "1" * 40, "lots"])
def test_a_stored_absurd_figure_shows_flagged_on_every_page_of_its_submission(
        bdu_client, css_client, absurd):
    review = build.started_review(2)
    plan = review.submission.business_plan
    data = copy.deepcopy(plan.financial_model)
    data["expenditure"][data["years"][0]]["pay"] = absurd
    # As a row written before these checks: the model refuses to change a submitted plan.
    table = BusinessPlan.__table__
    db.session.execute(table.update().where(table.c.id == plan.id).values(financial_model=data))
    db.session.commit()
    db.session.expire_all()
    pages = [(bdu_client, f"/reviews/submissions/{review.submission_id}"),
             (bdu_client, f"/reviews/{review.id}/edit"),
             (bdu_client, f"/review-documents/{review.id}"),
             (bdu_client, "/reviews"), (bdu_client, "/tracker"),
             (css_client, f"/assurance/plans/{plan.id}"),
             (css_client, f"/assurance/submissions/{review.submission_id}")]
    for client, url in pages:
        assert client.get(url).status_code == 200, url
    page = text_of(bdu_client.get(f"/reviews/submissions/{review.submission_id}"))
    # The analysis names the figure it cannot read instead of the checks' results.
    assert f"expenditure[{data['years'][0]}][pay]" in page
    if absurd in ("1e30", "NaN", "lots"):
        assert f"{absurd} (not a figure this service can show)" in page


# Evidence whose type entry is not a type.


def _odt(declared: bytes) -> bytes:
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as archive:
        archive.writestr("mimetype", declared, compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xml", b"<office:document-content/>")
    return output.getvalue()


@pytest.mark.parametrize("declared", [
    b"application/vnd.oasis.opendocument." + b"t" * 70,
    b"application/vnd.oasis.opendocument.text\nX-Injected: 1",
    b"application/vnd.oasis.opendocument.text\x00",
    b"application/vnd.oasis.opendocument.text; charset=<b>",
])
def test_an_evidence_type_too_long_or_with_a_newline_is_refused_at_the_field(
        css_client, declared):
    submission = build.submission(2)
    response = css_client.post(f"/assurance/submissions/{submission.id}/evidence",
                               data={"document": (io.BytesIO(_odt(declared)), "survey.odt")},
                               content_type="multipart/form-data")
    assert response.status_code == 400
    assert "OpenDocument" in _field_error(response, "document")
    assert db.session.scalar(select(func.count(EvidenceDocument.id))) == 0


# Whole-number form fields and id choices read ASCII digits only, within an integer column.


@pytest.mark.parametrize("position", ["٣", "²", "-1", "99999999999", "1" * 5000])
def test_a_whole_number_field_refuses_other_digits_and_huge_numbers_at_the_field(
        admin_client, position):
    checkpoint = build.checkpoint(2)
    response = admin_client.post(f"/admin/checkpoints/{checkpoint.id}/criteria/new", data={
        "key": "hostile", "name": "Hostile", "guidance": "", "position": position})
    assert response.status_code == 400
    assert _field_error(response, "position")
    assert all(criterion.key != "hostile" for criterion in build.checkpoint(2).criteria)


def test_an_organisation_that_does_not_exist_is_refused_at_its_field(admin_client):
    response = admin_client.post("/admin/users/new", data={
        "email": "new.person@demo.test", "full_name": "New Person", "role": "ccg_user",
        "password": "temporary-password-1", "organisation_name": "٣"})
    assert response.status_code in (200, 400)
    assert "#organisation_name" in str(html(response).select_one(".nhsuk-error-summary"))
    assert user("new.person@demo.test") is None
