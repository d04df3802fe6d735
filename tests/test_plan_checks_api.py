"""POST /api/v1/business-plans/analysis: who may call it, the worked example, bad input."""

import copy
import json
from decimal import Decimal

import pytest

from marketplace.api.openapi import openapi_document
from marketplace.api.plan_checks import EXAMPLE_REQUEST
from marketplace.demo.specifications import seed_specifications
from marketplace.extensions import db
from marketplace.services import plan_checks

from . import factories as build
from .conftest import html

URL = "/api/v1/business-plans/analysis"


@pytest.fixture(autouse=True)
def catalogue(request):
    """The worked example's service lines are catalogue specifications."""
    if "app" in request.fixturenames:
        with request.getfixturevalue("app").app_context():
            seed_specifications()
            db.session.commit()


def _post(client, body, **kwargs):
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(URL, data=data, content_type=kwargs.pop("content_type",
                                                               "application/json"), **kwargs)


def _model(**changes) -> dict:
    return copy.deepcopy(EXAMPLE_REQUEST) | changes


@pytest.mark.parametrize(("email", "status"), [
    ("css@demo.test", 200), ("bdu@demo.test", 200), ("ccg@demo.test", 403),
    ("peer@demo.test", 403), ("admin@demo.test", 403),
])
def test_css_leaders_and_the_bdu_may_check_a_model(sign_in, email, status):
    response = _post(sign_in(email), EXAMPLE_REQUEST)
    assert response.status_code == status
    assert response.is_json


def test_signed_out_callers_are_told_to_sign_in(client):
    response = _post(client, EXAMPLE_REQUEST)
    assert response.status_code == 401
    assert response.json["errors"][0]["message"] == "Sign in to use this part of the API."


def test_the_worked_example(css_client):
    body = _post(css_client, EXAMPLE_REQUEST).json
    assert [row["surplus"] for row in body["years"]] == ["100000.00"] * 4
    assert body["cumulative"] == "400000.00"
    assert body["years"][0]["cost_per_wte"] == "45000.00"
    assert body["stress_test"]["customer"] == "00C"
    assert body["stress_test"]["cumulative"] == "-3408000.00"
    assert body["thresholds"]["concentration_percent"] == "40.0"
    # No CCG in this database has said it will buy anything: each CCG's income is unbacked.
    flags = {(f["code"], f["figures"][0]["value"]) for f in body["flags"]}
    assert flags == {("income_without_backing", ccg) for ccg in ("00C", "00D", "01A")} | {
        ("service_line_without_backing", spec) for spec in ("BI-DSS", "MON-CTM")}
    flag = body["flags"][0]
    assert flag["severity"] == "high"
    assert flag["message"].startswith("Planned income from NHS Darlington CCG (00C) has "
                                      "nothing behind it")
    lines = {(line["customer"], line["specification"]): line for line in body["lines"]}
    assert set(lines) == {(c, s) for c in ("00C", "00D", "01A") for s in ("BI-DSS", "MON-CTM")}
    darlington = lines[("00C", "BI-DSS")]
    assert darlington["customer_name"] == "NHS Darlington CCG"
    assert darlington["specification_name"] == "Decision support, dashboards and benchmarking"
    # 32% of £10,000,000, half of it for BI-DSS; nothing intended or signed.
    assert darlington["planned"]["2013/14"] == "1600000.00"
    assert darlington["intends_to_buy"] is False and darlington["intended_annual"] is None
    assert darlington["agreed"]["2013/14"] == "0.00"
    assert flag["figures"][1] == {"key": "planned[2013/14]", "label": "Planned income, 2013/14",
                                  "value": "3200000.00", "unit": "money",
                                  "text": "£3,200,000.00"}


def test_flat_income_and_a_copied_workforce_are_flagged_with_their_figures(bdu_client):
    body = _model()
    for year in body["years"]:
        body["income_by_customer"][year] = EXAMPLE_REQUEST["income_by_customer"]["2013/14"]
        body["income_by_service_line"][year] = EXAMPLE_REQUEST["income_by_service_line"][
            "2013/14"]
        body["expenditure"][year] = EXAMPLE_REQUEST["expenditure"]["2013/14"]
        body["wte"][year] = "154"
    body["pct_baseline"] = {"wte": 154, "pay": "6930000"}
    flags = {f["code"]: f for f in _post(bdu_client, body).json["flags"]}
    assert {"income_flat", "workforce_copied"} <= set(flags)
    figures = {f["label"]: f["text"] for f in flags["income_flat"]["figures"]}
    assert figures["Largest change in a year"] == "0.0%"
    assert "_" not in flags["workforce_copied"]["message"]


def test_json_numbers_are_read_exactly_and_the_bdus_thresholds_apply(bdu_client):
    plan_checks.update_thresholds(build.person("bdu@demo.test"),
                                  plan_checks.thresholds_in_force().values()
                                  | {"stress_deficit_percent": "8"})
    body = _model()
    body["expenditure"]["2013/14"] = {"pay": 6930000, "non_pay": 1980000.00,
                                      "overheads": 990000}
    result = _post(bdu_client, body).json
    assert result["thresholds"]["stress_deficit_percent"] == "8"
    assert "largest_customer_exit" in {f["code"] for f in result["flags"]}


def test_a_css_leaders_agreements_back_its_income(css_client):
    # Arden's leader: agreements of any other CSS are not Arden's, so naming one is refused.
    other = build.organisation(build.GEM)
    response = _post(css_client, _model(provider_id=other.id))
    assert response.status_code == 400
    assert response.json["errors"][0]["field"] == "provider_id"


@pytest.mark.parametrize(("body", "field", "message"), [
    (_model(years="2013/14"), "years", "must be a list of 4"),
    (_model(years=["2013/14", "2014/15", "2015/16", 2016]), "years", "must be a list"),
    (_model(income_by_customer=[]), "income_by_customer", "must be a JSON object"),
    (_model(wte={"2013/14": True}), "wte[2013/14]", "must be an amount"),
    (_model(wte={"2013/14": {"a": 1}}), "wte[2013/14]", "must be an amount"),
    (_model(pct_baseline={"wte": "x", "pay": "1"}), "pct_baseline[wte]", "not a decimal"),
    (_model(pct_baseline={"wte": "1", "pay": "1", "bands": []}), "pct_baseline[bands]",
     "must be wte or pay"),
    (_model(surplus_kept="1"), "surplus_kept", "is not a field"),
    (_model(provider_id="Arden"), "provider_id", None),
])
def test_wrong_types_are_refused_naming_the_field(bdu_client, body, field, message):
    response = _post(bdu_client, body)
    assert response.status_code == 400, response.json
    error = response.json["errors"][0]
    assert error["field"] == field
    if message:
        assert message in error["message"]


def _with_amount(amount):
    body = _model()
    body["income_by_customer"]["2013/14"]["00C"] = amount
    return body


@pytest.mark.parametrize(("amount", "message"), [
    ("3200000.00\u0000", "unusual characters"),  # the NUL message of every field
    ("1e30", "finite number of at most"),
    (Decimal("1E+30"), "finite number of at most"),
    ("0.001", "two decimal places"),
    ("٣٠٠", "not a decimal number"),
    (None, "must be an amount"),
    ("-1", "must not be negative"),
])
def test_bad_amounts_are_refused_naming_the_field(bdu_client, amount, message):
    body = _with_amount(amount)
    text = json.dumps(body, default=str) if not isinstance(amount, Decimal) else \
        json.dumps(body, default=str).replace('"1E+30"', "1E+30")
    response = _post(bdu_client, text)
    assert response.status_code == 400
    error = response.json["errors"][0]
    assert error["field"] == "income_by_customer[2013/14][00C]"
    assert message in error["message"]


def test_a_nul_in_a_customer_code_is_refused(bdu_client):
    body = _model()
    body["income_by_customer"]["2013/14"]["00\u0000C"] = body["income_by_customer"][
        "2013/14"].pop("00C")
    response = _post(bdu_client, body)
    assert response.status_code == 400
    assert response.json["errors"][0]["field"] == "income_by_customer[2013/14]"


@pytest.mark.parametrize(("text", "status", "message"), [
    ("[" * 5000 + "]" * 5000, 400, "nests deeper"),
    ('{"years": NaN}', 400, "not valid JSON"),
    ('{"years": ', 400, "not valid JSON"),
    ('{"years": ' + "9" * 5000 + "}", 400, "must be a list"),
    ("[]", 400, "must be a JSON object"),
    ('{"a": "' + "x" * 300_000 + '"}', 413, "larger than 256 KB"),
])
def test_bodies_that_are_not_a_model_are_refused(bdu_client, text, status, message):
    response = _post(bdu_client, text)
    assert response.status_code == status
    assert response.json["errors"][0]["field"] == "request" or status == 400
    assert message in response.json["errors"][0]["message"]


def test_a_body_that_is_not_json(bdu_client):
    response = _post(bdu_client, "years=2013", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert response.json["errors"][0]["field"] == "request"


def test_the_models_own_rules_name_their_fields(bdu_client):
    body = _model()
    body["income_by_service_line"]["2014/15"]["BI-DSS"] = "1.00"
    body["income_by_customer"]["2015/16"]["ZZZ"] = "0"
    response = _post(bdu_client, body)
    assert response.status_code == 400
    fields = [error["field"] for error in response.json["errors"]]
    assert "income_by_service_line[2014/15]" in fields


def test_an_unknown_ccg_is_named(bdu_client):
    body = _model()
    for year in body["years"]:
        body["income_by_customer"][year]["99Z"] = body["income_by_customer"][year].pop("01A")
    response = _post(bdu_client, body)
    assert response.status_code == 400
    assert response.json["errors"][0] == {"field": "income_by_customer[2013/14][99Z]",
                                          "message": "there is no CCG with ODS code 99Z"}


def test_the_openapi_document_describes_the_operation_with_a_worked_example(css_client):
    operation = openapi_document()["paths"]["/business-plans/analysis"]["post"]
    example = operation["requestBody"]["content"]["application/json"]["examples"]["worked"]
    assert example["value"] == EXAMPLE_REQUEST
    assert set(operation["responses"]) == {"200", "400", "401", "403", "413"}
    answer = operation["responses"]["200"]["content"]["application/json"]["examples"]["worked"]
    # The documented answer is the one the API gives.
    assert answer["value"] == _post(css_client, EXAMPLE_REQUEST).json


# --- the same check on the plan page --------------------------------------------------------


def test_a_css_checks_its_draft_on_the_plan_page(css_client):
    plan = build.plan(weak=True)
    page = html(css_client.get(f"/assurance/plans/{plan.id}"))
    assert page.select_one(f"form[action^='/assurance/plans/{plan.id}/check'] button")
    assert not page.select(".analysis-flag")
    page = html(css_client.get(f"/assurance/plans/{plan.id}/check"))
    flags = {card["data-flag"] for card in page.select("#analysis .analysis-flag")}
    assert "income_flat" in flags
    assert "Thresholds the checks used" in page.select_one("#analysis").get_text()


def test_another_css_cannot_check_this_plan(sign_in):
    plan = build.plan()
    db.session.commit()
    assert sign_in("css2@demo.test").get(f"/assurance/plans/{plan.id}/check").status_code == 404
