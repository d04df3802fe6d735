"""The access convention: every route declares who may use it, and the rules hold per role."""

import re

import pytest
from flask import Blueprint

from marketplace import create_app
from marketplace.access import (
    PUBLIC,
    owner_exempt,
    owner_rule_for,
    owns,
    protect,
    rule_for_endpoint,
)
from marketplace.models import Agreement, Role

KEBAB_SEGMENT = re.compile(r"^([a-z0-9]+(-[a-z0-9]+)*|<[^>]+>)$")

# One signed-in page per area, with the roles that may see it. Features add rows here.
AREAS = {
    "/dashboard": set(Role),
    "/admin/users": {Role.ADMIN},
    "/admin/audit-events": {Role.ADMIN},
    "/account/password": set(Role),
    "/scenarios": {Role.CCG_USER, Role.BDU_REVIEWER},
    "/scenarios/new": {Role.CCG_USER},
    "/scenarios/compare": {Role.CCG_USER, Role.BDU_REVIEWER},
    "/admin/running-cost-allowances": {Role.ADMIN},
    "/statements": {Role.CCG_USER},
    "/statements/new": {Role.CCG_USER},
    "/demand": {Role.BDU_REVIEWER, Role.PEER_REVIEWER, Role.ADMIN},
    "/shortlists": {Role.CCG_USER},
    "/agreements": {Role.CCG_USER},
    "/customers": {Role.CSS_LEADER},
    "/assurance": {Role.CSS_LEADER},
    "/assurance/plans": {Role.CSS_LEADER},
    "/reviews": {Role.BDU_REVIEWER, Role.PEER_REVIEWER},
    "/tracker": {Role.BDU_REVIEWER, Role.ADMIN},
    "/tracker/export.csv": {Role.BDU_REVIEWER, Role.ADMIN},
    "/admin/checkpoints": {Role.ADMIN},
    "/prospectus": {Role.CSS_LEADER},
    "/prospectus/versions": {Role.CSS_LEADER},
    "/admin/specifications": {Role.ADMIN},
    "/procurements": {Role.CCG_USER, Role.BDU_REVIEWER},
    "/opportunities": {Role.CSS_LEADER},
    "/admin/procurement-thresholds": {Role.ADMIN},
    "/customer-surveys": {Role.BDU_REVIEWER, Role.PEER_REVIEWER},
    "/customer-surveys/new": {Role.BDU_REVIEWER},
    "/customer-survey": {Role.CCG_USER},
}

ROLE_EMAILS = {
    Role.CCG_USER: "ccg@demo.test",
    Role.CSS_LEADER: "css@demo.test",
    Role.BDU_REVIEWER: "bdu@demo.test",
    Role.PEER_REVIEWER: "peer@demo.test",
    Role.ADMIN: "admin@demo.test",
}


def test_every_route_declares_an_access_rule(app):
    missing = [
        rule.rule
        for rule in app.url_map.iter_rules()
        if rule_for_endpoint(app, rule.endpoint) is None
    ]
    assert missing == [], f"routes without an access rule: {missing}"


def _unchecked_object_routes(app) -> set[str]:
    return {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.arguments and rule.endpoint != "static"  # Flask's own files
        and owner_rule_for(app.view_functions[rule.endpoint], rule.arguments) is None
    }


def test_every_route_naming_an_object_is_owner_checked_or_exempt(app):
    assert _unchecked_object_routes(app) == set(), (
        "routes whose URL names an object need @owns(...) or @owner_exempt(why)")


def test_the_owner_test_would_catch_an_unchecked_route(database_url):
    app = create_app({"ENV_NAME": "test", "SQLALCHEMY_DATABASE_URI": database_url})
    careless = protect(Blueprint("careless", __name__), PUBLIC)
    careless.add_url_rule("/careless/<int:agreement_id>", "unchecked", lambda agreement_id: "x")
    careless.add_url_rule("/careless/<int:agreement_id>/checked", "checked",
                          owns("agreement_id", Agreement)(lambda agreement: "x"))
    careless.add_url_rule("/careless/<int:agreement_id>/exempt", "exempt",
                          owner_exempt("a test")(lambda agreement_id: "x"))
    careless.add_url_rule("/careless/<int:agreement_id>/<int:line_id>", "half",
                          owns("agreement_id", Agreement)(lambda agreement, line_id: "x"))
    app.register_blueprint(careless)
    unchecked = _unchecked_object_routes(app)
    assert {"careless.unchecked", "careless.half"} <= unchecked
    assert not {"careless.checked", "careless.exempt"} & unchecked


def test_every_url_is_kebab_case(app):
    bad = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in ("static", "assets.nhsuk"):
            continue
        for segment in rule.rule.strip("/").split("/"):
            if segment and not KEBAB_SEGMENT.match(segment) and "." not in segment:
                bad.append(rule.rule)
    assert bad == []


def test_the_rule_test_would_catch_an_unprotected_route(database_url):
    app = create_app({"ENV_NAME": "test", "SQLALCHEMY_DATABASE_URI": database_url})
    careless = Blueprint("careless", __name__)
    careless.add_url_rule("/careless", "page", lambda: "secret")
    app.register_blueprint(careless)

    assert rule_for_endpoint(app, "careless.page") is None
    response = app.test_client().get("/careless")
    assert response.status_code == 403  # fails closed at run time too


def test_a_blueprint_rule_covers_all_its_routes(database_url):
    app = create_app({"ENV_NAME": "test", "SQLALCHEMY_DATABASE_URI": database_url})
    open_area = protect(Blueprint("open_area", __name__), PUBLIC)
    open_area.add_url_rule("/open-area", "page", lambda: "hello")
    app.register_blueprint(open_area)
    assert app.test_client().get("/open-area").get_data(as_text=True) == "hello"


@pytest.mark.parametrize("path", sorted(AREAS))
def test_anonymous_visitors_are_sent_to_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in?next=")


@pytest.mark.parametrize("role", list(Role), ids=lambda role: role.value)
@pytest.mark.parametrize("path", sorted(AREAS))
def test_each_role_against_each_area(sign_in, role, path):
    client = sign_in(ROLE_EMAILS[role])
    response = client.get(path)
    expected = 200 if role in AREAS[path] else 403
    assert response.status_code == expected, f"{role} on {path}"


def test_public_pages_need_no_sign_in(client):
    assert client.get("/").status_code == 200
    assert client.get("/sign-in").status_code == 200
    assert client.get("/ready-reckoner").status_code == 200
    assert client.get("/api/v1/openapi.json").status_code == 200
    assert client.get("/specifications").status_code == 200
    assert client.get("/offers").status_code == 200
    assert client.get("/api/v1/offers").status_code == 200
