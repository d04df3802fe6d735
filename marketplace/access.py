"""Who may use which page, and which objects: two rules, each declared once.

Pages: one rule per blueprint, declared where the blueprint is made; a view may carry its own
rule (``@allow(PUBLIC)``) where it differs from its blueprint's. Endpoints without any rule are
refused.

Objects: a route whose URL names an object loads it with ``@owns`` (or ``load``), which asks
the object's policy (marketplace/policies/) whether the signed-in user may see it or act on
it, and answers 404 or 403 otherwise. Routes that deliberately show objects to everybody (the
public catalogue) say so with ``@owner_exempt(reason)``.

tests/test_access_rules.py walks the URL map and fails when a route has no page rule, or names
an object without ``@owns`` or ``@owner_exempt``, so forgetting either is caught before it ships.
"""

import functools
from dataclasses import dataclass, field
from operator import attrgetter

from flask import abort, current_app, jsonify, request
from flask_login import current_user

from marketplace.extensions import db, login_manager
from marketplace.models import Role
from marketplace.policies import may, policy_for, require
from marketplace.services.errors import NotFound


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


def load(model, object_id, action: str = "view", *, find=None, hide: bool = False,
         within=None, refused: str | None = None, missing: str | None = None):
    """The object if the signed-in user may ``action`` it; NotFound or PermissionDenied
    (404/403 app-wide) otherwise, as its policy says. ``within`` is a test the object must
    pass first (it belongs to the object the URL names before it), else NotFound; ``refused``
    and ``missing`` are what a 403 and a 404 say, where a page words them its own way."""
    if find is not None:
        obj = find(object_id)
    elif isinstance(object_id, int) and not isinstance(object_id, bool):
        obj = db.session.get(model, object_id)
    else:
        obj = None
    if obj is None or (within is not None and not within(obj)):
        raise NotFound(missing or policy_for(model).not_found)
    try:
        return require(current_user, action, obj, refused, hide=hide)
    except NotFound:
        if missing is None:
            raise
        raise NotFound(missing) from None


def _snake(name: str) -> str:
    return "".join("_" + c.lower() if c.isupper() else c for c in name).lstrip("_")


def owns(arg: str, model, action: str = "view", *, find=None, of: str | None = None,
         then=None, name: str | None = None, hide: bool = False, refused: str | None = None,
         missing: str | None = None):
    """Load the object the URL names by ``arg`` and hand it to the view, checked.

    The view receives it as ``name`` (``agreement_id`` → ``agreement``) instead of the id.
    ``find`` looks it up by something other than its primary key (``number``, ``code``);
    ``of`` names the attribute (dotted: ``bid.procurement``) that must be the object an outer
    ``@owns`` loaded; ``then`` is applied to it once checked (bring its status up to date);
    ``hide`` answers every refusal 404; ``refused`` and ``missing`` are what a 403 and a 404
    say.
    """
    name = name or (arg[:-3] if arg.endswith("_id") else _snake(model.__name__))

    def decorate(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            if kwargs.get(arg) is not None:
                within = None if of is None else (
                    lambda obj, outer=kwargs[of.rpartition(".")[2]]: attrgetter(of)(obj) is outer)
                obj = load(model, kwargs.pop(arg), action, find=find, hide=hide, within=within,
                           refused=refused, missing=missing)
                kwargs[name] = then(obj) if then is not None else obj
            elif arg in kwargs:
                kwargs.pop(arg)
                kwargs[name] = None
            return view(*args, **kwargs)

        wrapper.owner_checked = frozenset(getattr(view, "owner_checked", ())) | {arg}
        return wrapper

    return decorate


def owner_exempt(reason: str):
    """Declare that a route names objects without an ownership check, and why."""
    if not reason.strip():
        raise ValueError("say why the route is exempt")

    def decorate(view):
        view.owner_exempt = reason
        return view

    return decorate


def owner_rule_for(view, arguments) -> str | None:
    """How a route's URL arguments are checked: None if any goes unchecked."""
    if getattr(view, "owner_exempt", None):
        return "exempt: " + view.owner_exempt
    if set(arguments) <= set(getattr(view, "owner_checked", ())):
        return "owner-checked"
    return None


def allowed(what: str, obj=None) -> bool:
    """Templates' one permission check, from the declared rules.

    ``allowed("lead", procurement)`` asks the object's policy whether the signed-in user may
    take that action on it; ``allowed("shortlists.add")`` (an endpoint, no object) whether
    they may open that page. Templates never compare role names themselves."""
    if obj is not None:
        return may(current_user, what, obj)
    if what not in current_app.view_functions:
        return False
    rule = rule_for_endpoint(current_app, what)
    return rule is not None and rule.allows(current_user)
