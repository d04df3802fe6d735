"""The JSON API: the public ready reckoner, a CCG's own scenarios, and the OpenAPI document."""

import pytest

from ..factories import make_scenario, mixed_lines, scenario_counts

WORKED_EXAMPLE = {
    "population": 175000,
    "allowance_per_head": "20.00",
    "fixed_costs": [
        {"name": "Corporate base", "amount": "1500000.00"},
        {"name": "Nurse and secondary care doctor", "amount": "111000.00"},
    ],
}


def test_the_worked_example_through_the_api(client):
    response = client.post("/api/v1/reckoner", json=WORKED_EXAMPLE)
    assert response.status_code == 200
    assert response.get_json() == {
        "running_cost_allowance": "3500000.00",
        "fixed_costs_total": "1611000.00",
        "in_house_total": "0.00",
        "commissioning_support_budget": "1889000.00",
        "commissioning_support_per_head": "10.79",
        "warnings": [],
    }


def test_a_real_ccg_at_the_published_allowance_with_in_house_staff(client):
    response = client.post("/api/v1/reckoner", json={
        "population": 464596,
        "financial_year": "2013/14",
        "in_house": [{"role": "Commissioning managers", "wte": 3.6, "cost_per_wte": "52000"}],
        "non_pay": "60000",
    })
    body = response.get_json()
    assert body["running_cost_allowance"] == "11614900.00"
    assert body["fixed_costs_total"] == "1611000.00"  # the default corporate structure
    assert body["in_house_total"] == "247200.00"
    assert body["commissioning_support_budget"] == "9756700.00"


def test_warnings_come_with_codes_and_words(client):
    body = client.post("/api/v1/reckoner", json={
        "population": 50000, "financial_year": "2015/16",
        "fixed_costs": [{"name": "Everything", "amount": "1200000"}],
    }).get_json()
    codes = {warning["code"] for warning in body["warnings"]}
    assert codes == {"negative_headroom", "overheads_share"}
    assert all(warning["message"] for warning in body["warnings"])


def test_the_api_needs_no_csrf_token_and_no_sign_in(app):
    fresh = app.test_client()
    assert fresh.post("/api/v1/reckoner", json=WORKED_EXAMPLE).status_code == 200


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"population": 175000.5}, "population"),
        ({"population": "175000"}, "population"),
        ({"population": 0}, "population"),
        ({"population": -1}, "population"),
        ({"population": 10_000_001}, "population"),
        ({"allowance_per_head": "twenty"}, "allowance_per_head"),
        ({"allowance_per_head": "20.001"}, "allowance_per_head"),
        ({"allowance_per_head": 20.0}, "allowance_per_head"),
        ({"allowance_per_head": None, "financial_year": "2099/00"}, "financial_year"),
        ({"allowance_per_head": None}, "financial_year"),
        ({"financial_year": "2013/14"}, "allowance_per_head"),
        ({"fixed_costs": [{"name": "x", "amount": "-1.00"}]}, "fixed_costs[0].amount"),
        ({"fixed_costs": [{"name": "", "amount": "1.00"}]}, "fixed_costs[0].name"),
        ({"in_house": [{"role": "a", "wte": 1001, "cost_per_wte": "1"}]}, "in_house[0].wte"),
        ({"in_house": [{"role": "a", "wte": -0.5, "cost_per_wte": "1"}]}, "in_house[0].wte"),
        ({"in_house": [{"role": "a", "wte": "1", "cost_per_wte": "1e"}]},
         "in_house[0].cost_per_wte"),
        ({"non_pay": "-5"}, "non_pay"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(client, changes, field):
    body = {key: value for key, value in {**WORKED_EXAMPLE, **changes}.items()
            if value is not None}
    response = client.post("/api/v1/reckoner", json=body)
    assert response.status_code == 400
    errors = response.get_json()["errors"]
    assert errors[0]["field"] == field and errors[0]["message"]


@pytest.mark.parametrize("body", ["{not json", "[1, 2]", "", "null"])
def test_malformed_json_names_the_request(client, body):
    response = client.post("/api/v1/reckoner", data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["errors"][0]["field"] == "request"


def test_a_form_post_is_not_json(client):
    response = client.post("/api/v1/reckoner", data={"population": "1"}, csrf=False)
    assert response.status_code == 400
    assert response.get_json()["errors"][0]["field"] == "request"


def test_the_reckoner_saves_nothing(client):
    before = scenario_counts()
    client.post("/api/v1/reckoner", json=WORKED_EXAMPLE)
    assert scenario_counts() == before


def test_a_ccg_reads_its_own_scenario(ccg_client):
    scenario = make_scenario(lines=mixed_lines())
    response = ccg_client.get(f"/api/v1/scenarios/{scenario.id}")
    assert response.status_code == 200
    body = response.get_json()
    assert body["name"] == "Baseline" and body["organisation"]["ods_code"] == "05A"
    assert [year["financial_year"] for year in body["years"]] == ["2013/14", "2014/15",
                                                                  "2015/16"]
    first = body["years"][0]
    assert first["commissioning_support_budget"] == "10003900.00"
    assert first["totals_by_mode"] == {"do": "65000.00", "share": "151456.39",
                                       "buy": "407252.27"}
    assert first["total_spend"] == "623708.66"
    assert first["balance"] == "9380191.34"
    assert first["survey_split_percent"] == {"do": "32.0", "share": "15.0", "buy": "53.0"}
    assert {line["mode"] for line in first["lines"]} == {"do", "buy", "share"}


def test_another_ccgs_scenario_is_404(sign_in):
    scenario = make_scenario()
    for email in ("ccg2@demo.test", "bdu@demo.test", "css@demo.test"):
        response = sign_in(email).get(f"/api/v1/scenarios/{scenario.id}")
        assert response.status_code == 404
        assert response.get_json()["errors"]


def test_reading_a_scenario_needs_sign_in(client):
    scenario = make_scenario()
    response = client.get(f"/api/v1/scenarios/{scenario.id}")
    assert response.status_code == 401
    assert response.get_json()["errors"][0]["message"]


def test_the_openapi_document_describes_both_endpoints(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    assert document["openapi"].startswith("3.")
    assert "post" in document["paths"]["/reckoner"]
    assert "get" in document["paths"]["/scenarios/{scenario_id}"]
    schemas = document["components"]["schemas"]
    assert set(schemas["ReckonerRequest"]["properties"]) == {
        "population", "financial_year", "allowance_per_head", "fixed_costs", "in_house",
        "non_pay"}
    assert set(schemas["ReckonerResult"]["required"]) == {
        "running_cost_allowance", "fixed_costs_total", "in_house_total",
        "commissioning_support_budget", "commissioning_support_per_head", "warnings"}


def test_every_reference_in_the_openapi_document_resolves():
    from marketplace.api.openapi import openapi_document

    whole = openapi_document()

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "$ref":
                    target = whole
                    for part in value.removeprefix("#/").split("/"):
                        target = target[part]  # KeyError names a dangling reference
                else:
                    walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(whole)
    for path, operations in whole["paths"].items():
        for operation in operations.values():
            assert operation["responses"], path
            assert operation["operationId"], path


def test_warning_thresholds_come_from_configuration(app, client):
    body = {"population": 175000, "allowance_per_head": "20.00",
            "fixed_costs": [{"name": "Corporate", "amount": "1611000"}]}
    # £1,611,000 of £3,500,000 is 46%: under the default 50% share, over a 40% one.
    codes = {w["code"] for w in client.post("/api/v1/reckoner", json=body).get_json()["warnings"]}
    assert "overheads_share" not in codes
    app.config["RECKONER_OVERHEADS_SHARE"] = "0.40"
    try:
        response = client.post("/api/v1/reckoner", json=body).get_json()
    finally:
        app.config["RECKONER_OVERHEADS_SHARE"] = "0.5"
    assert "overheads_share" in {w["code"] for w in response["warnings"]}
