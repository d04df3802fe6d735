"""Audit events are added to the session of the change they describe, never committed alone."""

from flask_login import current_user

from marketplace.extensions import db
from marketplace.models import AuditEvent

from .market_cache import market_changed


def _jsonable(value):
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, bool | int | str):
        return value
    return str(value)


def record_event(action: str, obj, summary: str, *, changes: dict | None = None, actor=None,
                 system: bool = False):
    """Stage an audit event in the current transaction; the caller commits both together.

    ``system``: the event is the service's own doing (a closing time passing), so it names
    no actor even when somebody's request happened to trigger it."""
    if actor is None and not system and current_user and current_user.is_authenticated:
        actor = current_user._get_current_object()
    # current_user passed as the object or actor: record the user, not Werkzeug's proxy
    # (events once named their object type "LocalProxy").
    obj = obj._get_current_object() if hasattr(obj, "_get_current_object") else obj
    if hasattr(actor, "_get_current_object"):
        actor = actor._get_current_object()
    if obj is not None and getattr(obj, "id", None) is None:
        db.session.flush()  # the event names the object's id, so it needs one
    event = AuditEvent(
        actor_id=actor.id if actor is not None else None,
        organisation_id=actor.organisation_id if actor is not None else None,
        action=action,
        object_type=type(obj).__name__ if obj is not None else "System",
        object_id=str(obj.id) if obj is not None else None,
        summary=summary,
        changes=_jsonable(changes) if changes else None,
    )
    db.session.add(event)
    market_changed()
    return event
