"""Who may use which page: one rule per blueprint, declared where the blueprint is made.

A view may carry its own rule (``@allow(PUBLIC)``) where it differs from its blueprint's.
Endpoints without any rule are refused: tests/test_access_rules.py walks the URL map and
fails when a route has none, so forgetting a rule is caught before it ships.
"""

from dataclasses import dataclass, field

from flask import abort, current_app, jsonify, request
from flask_login import current_user

from marketplace.extensions import db, login_manager
from marketplace.models import Role


@dataclass(frozen=True)
class AccessRule:
    public: bool = False
    roles: frozenset[str] = field(default_factory=frozenset)

    def allows(self, user) -> bool:
        if self.public:
            return True
        return bool(user.is_authenticated and user.role in self.roles)

    def describe(self) -> str:
        return "public" if self.public else "signed in as " + ", ".join(sorted(self.roles))


PUBLIC = AccessRule(public=True)


def roles(*names: str) -> AccessRule:
    unknown = set(names) - set(Role)
    if unknown or not names:
        raise ValueError(f"unknown roles {sorted(unknown)}")
    return AccessRule(roles=frozenset(names))


SIGNED_IN = roles(*Role)


def protect(blueprint, rule: AccessRule):
    """Declare the rule for every route of a blueprint (the one place it is said)."""
    blueprint.access_rule = rule
    return blueprint


def allow(rule: AccessRule):
    """Give one view a rule different from its blueprint's."""

    def decorate(view):
        view.access_rule = rule
        return view

    return decorate


def rule_for_endpoint(app, endpoint: str) -> AccessRule | None:
    view = app.view_functions.get(endpoint)
    if view is not None and getattr(view, "access_rule", None) is not None:
        return view.access_rule
    if endpoint == "static":
        return PUBLIC
    blueprint_name = endpoint.rpartition(".")[0]
    while blueprint_name:
        blueprint = app.blueprints.get(blueprint_name)
        rule = getattr(blueprint, "access_rule", None)
        if rule is not None:
            return rule
        blueprint_name = blueprint_name.rpartition(".")[0]
    return None


def wants_json() -> bool:
    return request.path.startswith("/api/")


def enforce_access():
    """before_request for the whole app."""
    if request.endpoint is None:  # no route: let Flask answer 404/405
        return None
    rule = rule_for_endpoint(current_app, request.endpoint)
    if rule is None:
        current_app.logger.error("route %s has no access rule; refusing", request.endpoint)
        abort(403)
    if rule.public:
        return None
    if not current_user.is_authenticated:
        if wants_json():
            response = jsonify(
                errors=[{"field": None, "message": "Sign in to use this part of the API."}]
            )
            response.status_code = 401
            return response
        return login_manager.unauthorized()
    if not rule.allows(current_user):
        abort(403)
    return None


def get_for_organisation_or_404(model, object_id, organisation_attr: str = "organisation_id"):
    """Load an object that belongs to the signed-in user's organisation, or answer 404.

    404 rather than 403, so that another organisation's objects are not even confirmed to exist.
    """
    obj = db.session.get(model, object_id)
    if obj is None or not current_user.belongs_to(getattr(obj, organisation_attr)):
        abort(404)
    return obj


def get_or_404(model, object_id):
    obj = db.session.get(model, object_id)
    if obj is None:
        abort(404)
    return obj
