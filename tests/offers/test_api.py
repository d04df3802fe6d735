from decimal import Decimal

from marketplace.api.openapi import openapi_document
from marketplace.domain.pricing import cost_per_head

from ..factories import create_spec, organisation, publish


def _market():
    bi = create_spec("BI-DSS", "Decision support")
    retired = create_spec("OLD-1", "Old line")
    publish("Arden CSS", (bi, {"title": "Dashboards", "price": "1.20"}),
            (retired, {"title": "Old offer", "pricing_model": "day_rate", "price": "600",
                       "estimated_quantity": Decimal("10")}))
    retired.retired_at = retired.created_at
    from marketplace.extensions import db

    db.session.commit()
    return bi


def test_specifications_api(client, app_context):
    _market()
    body = client.get("/api/v1/specifications").get_json()
    assert [item["code"] for item in body["items"]] == ["BI-DSS"]
    every = client.get("/api/v1/specifications?include_retired=true").get_json()
    assert {item["code"]: item["retired"] for item in every["items"]} == {
        "BI-DSS": False, "OLD-1": True}
    bad = client.get("/api/v1/specifications?include_retired=maybe")
    assert bad.status_code == 400
    assert bad.get_json()["errors"][0]["field"] == "include_retired"


def test_offers_api_searches_like_the_page(client, ccg_client, app_context):
    _market()
    body = client.get("/api/v1/offers?q=dashboards&per_page=5").get_json()
    assert body["total"] == 1 and body["per_page"] == 5
    offer = body["items"][0]
    assert offer["title"] == "Dashboards" and offer["price"] == "1.20"
    assert offer["provider"]["name"] == "Arden CSS"
    assert offer["assurance_status"] == "not_assessed"
    assert body["population_is_reference"] is True
    # Facets count every offer the words match, across the other facets.
    assert {o["key"]: o["count"] for o in body["facets"]["pricing_model"]} == {"per_head": 1}
    ccg = ccg_client.get("/api/v1/offers?pricing_model=day_rate").get_json()
    assert ccg["population"] == organisation("NHS Coventry and Rugby CCG").population
    expected = cost_per_head("day_rate", "600", ccg["population"], 10)
    assert ccg["items"][0]["cost_per_head"] == f"{expected:.2f}"
    assert ccg["items"][0]["estimated_quantity"] == "10"


def test_offers_api_names_the_bad_field(client, app_context):
    for query, field in [
        ("phase=bogus", "phase"), ("pricing_model=retainer", "pricing_model"),
        ("price_band=cheap", "price_band"), ("specification=NOPE", "specification"),
        ("per_page=0", "per_page"), ("per_page=101", "per_page"), ("page=-1", "page"),
        ("page=abc", "page"), ("q=" + "x" * 201, "q"), ("region=Mars", "region"),
    ]:
        response = client.get(f"/api/v1/offers?{query}")
        assert response.status_code == 400, query
        assert response.get_json()["errors"][0]["field"] == field, query


def test_provider_api(client, app_context):
    _market()
    arden = organisation("Arden CSS")
    body = client.get(f"/api/v1/providers/{arden.id}").get_json()
    assert body["name"] == "Arden CSS" and body["prospectus"]["number"] == 1
    assert [o["title"] for o in body["prospectus"]["offers"]] == ["Dashboards", "Old offer"]
    assert body["versions"] == [{"number": 1, "status": "published",
                                 "published_at": body["versions"][0]["published_at"]}]
    ccg = organisation("NHS Coventry and Rugby CCG")
    missing = client.get(f"/api/v1/providers/{ccg.id}")
    assert missing.status_code == 404 and missing.get_json()["errors"][0]["field"]


def test_the_catalogue_api_is_in_the_openapi_document(client, app_context):
    paths = openapi_document()["paths"]
    for path in ("/specifications", "/offers", "/providers/{provider_id}"):
        assert "get" in paths[path]
    parameters = {p["name"] for p in paths["/offers"]["get"]["parameters"]}
    assert {"q", "phase", "price_band", "page", "per_page", "assurance"} <= parameters
    assert client.get("/api/v1/openapi.json").get_json()["paths"]["/offers"]
