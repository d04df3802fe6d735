"""What the buying pages share: running a service call for a form, and lock versions."""

from marketplace.extensions import db
from marketplace.services.buying_common import FieldErrors, lock_version_from
from marketplace.services.errors import Conflict, NotFound, PermissionDenied, ServiceError

__all__ = ["attempt", "lock_version_from"]


def attempt(form, action, field_names: dict | None = None):
    """Call ``action``; on a refusal roll back, put each message at its field and return
    (None, status). Forbidden and missing objects go on to the blueprint's handlers."""
    names = field_names or {}
    try:
        return action(), 200
    except (PermissionDenied, NotFound):
        db.session.rollback()
        raise
    except ServiceError as error:
        db.session.rollback()
        errors = error.errors if isinstance(error, FieldErrors) else [(error.field,
                                                                       error.message)]
        for field, message in errors:
            form.set_error(names.get(field, field), message)
        return None, 409 if isinstance(error, Conflict) else 400
