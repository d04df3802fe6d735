"""Property test of the public reckoner API from its own OpenAPI document: whatever is
sent, the answer is a documented 200 or a 400 naming a field, never a server error."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from marketplace.api.openapi import openapi_document

schema = schemathesis.openapi.from_dict(openapi_document())


@pytest.fixture
def api_app(app):
    app.config["RECKONER_API_LIMIT"] = "100000 per minute"
    yield app
    app.config.pop("RECKONER_API_LIMIT")


@schema.include(operation_id="computeReckoner").parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_reckoner_never_fails_on_any_input(case, api_app):
    with api_app.test_client() as client:
        # Schemathesis also tries sending no body at all.
        sent = case.body if type(case.body).__name__ != "NotSet" else None
        if isinstance(sent, bytes | str):
            response = client.post("/api/v1/reckoner", data=sent,
                                   content_type="application/json")
        else:
            response = client.post("/api/v1/reckoner", json=sent)
    assert response.status_code in (200, 400), response.get_data(as_text=True)
    body = response.get_json()
    if response.status_code == 400:
        assert body["errors"][0]["field"]
    else:
        assert body["commissioning_support_budget"].count(".") == 1
