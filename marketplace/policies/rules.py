"""The registry behind ``may`` and ``require``: each model family declares its rules once.

A rule is a function ``(user, obj) -> bool`` for one action on one model. Every model has a
``view`` rule; other actions (``edit``, ``lead``, ``download`` ...) are declared where a
family needs them. Refusing ``view`` answers 404 by default, so that another organisation's
objects are not even confirmed to exist; a family may say that some users are told 403
instead (``hidden``), where that is what its pages have always answered.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from marketplace.domain.errors import NotFound, PermissionDenied

Check = Callable[[object, object], bool]


@dataclass(frozen=True)
class Policy:
    model: type
    actions: dict[str, Check]
    # Whether a refusal to this user answers 404 (True) or 403 (False).
    hidden: Callable[[object, object], bool] = field(default=lambda user, obj: True)
    not_found: str = "Page not found"


_POLICIES: dict[type, Policy] = {}


def declare(model: type, *, hidden: Callable | bool = True, not_found: str | None = None,
            **actions: Check) -> Policy:
    if "view" not in actions:
        raise ValueError(f"{model.__name__}: every policy declares who may view")
    if model in _POLICIES:
        raise ValueError(f"{model.__name__}: declared twice")
    hide = hidden if callable(hidden) else (lambda user, obj, _hidden=hidden: _hidden)
    policy = Policy(model, dict(actions), hide,
                    not_found or f"There is no {_words(model.__name__)} with that number")
    _POLICIES[model] = policy
    return policy


def _words(name: str) -> str:
    return "".join(" " + c.lower() if c.isupper() else c for c in name).strip()


def policy_for(model: type) -> Policy:
    for kind in model.__mro__:
        if kind in _POLICIES:
            return _POLICIES[kind]
    raise LookupError(f"no policy declared for {model.__name__}")


def declared_models() -> set[type]:
    return set(_POLICIES)


def may(user, action: str, obj) -> bool:
    """Whether ``user`` may do ``action`` to ``obj`` (never for visitors or unknown actions)."""
    if obj is None or user is None or not getattr(user, "is_authenticated", False):
        return False
    check = policy_for(type(obj)).actions.get(action)
    if check is None:
        raise LookupError(f"{type(obj).__name__} has no rule for {action!r}")
    return bool(check(user, obj))


def require(user, action: str, obj, message: str | None = None, *, hide: bool = False):
    """``obj`` if ``user`` may do ``action`` to it; NotFound or PermissionDenied otherwise.

    ``hide`` answers NotFound to every refusal (an API that only ever shows one's own)."""
    if obj is None:
        raise NotFound(message or "Page not found")
    if may(user, action, obj):
        return obj
    policy = policy_for(type(obj))
    if hide or (policy.hidden(user, obj)
                and (action == "view" or not may(user, "view", obj))):
        raise NotFound(policy.not_found)
    raise PermissionDenied(message or "You do not have permission to do that")
