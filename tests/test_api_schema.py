"""Schemathesis over the whole OpenAPI document, in process: every operation, generated
inputs, signed out and signed in as each kind of user; no answer is ever a server error."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from marketplace.api.openapi import openapi_document
from marketplace.extensions import db
from marketplace.models import AgreementStatus

from .conftest import user
from .factories import build_market, create_agreement, make_scenario

schema = schemathesis.openapi.from_dict(openapi_document())

SIGNED_IN_AS = [None, "ccg@demo.test", "css@demo.test", "bdu@demo.test"]


@pytest.fixture
def api_world(app):
    """Offers, a scenario and an agreement to find, built in an app context of its own so
    that every generated request runs in a fresh one, as it would in production."""
    app.config["RECKONER_API_LIMIT"] = "100000 per minute"
    with app.app_context():
        market = build_market()
        make_scenario("ccg@demo.test")
        create_agreement(user("ccg@demo.test").organisation, [market.arden_bi],
                         status=AgreementStatus.SIGNED)
        db.session.remove()
    yield app
    app.config.pop("RECKONER_API_LIMIT")


@pytest.fixture
def cookies(api_world, email) -> dict:
    if email is None:
        return {}
    client = api_world.test_client()
    with api_world.app_context():
        client.sign_in_as(email)
        db.session.remove()
    return {"session": client.get_cookie("session").value}


@pytest.mark.parametrize("email", SIGNED_IN_AS)
@schema.parametrize()
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_operation_answers_with_a_server_error(case, api_world, cookies, email):
    response = case.call(app=api_world, cookies=cookies)
    said = f"{case.method} {case.formatted_path} as {email or 'nobody'}: {response.status_code}"
    assert response.status_code < 500, f"{said} {response.text[:500]}"
    if case.method != "OPTIONS":  # Flask answers OPTIONS itself, with no body
        assert response.headers["content-type"][0].startswith("application/json"), said
