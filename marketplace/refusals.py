"""How a page shows a service's refusal.

A refusal about the input (it names a field, or it is a plain ServiceError such as "add at
least one offer before publishing") is shown with the form, next to its field or at the top.
Not allowed, not found and changed-by-somebody-else are about the request as a whole: they go
on up to the app-wide 403, 404 and 409 pages (marketplace/errors.py). The transaction has
already been rolled back by the service (services/transaction.py).
"""

from flask import flash

from .extensions import db
from .services.buying_common import FieldErrors
from .services.errors import Conflict, NotFound, PermissionDenied, ServiceError

APP_WIDE = (PermissionDenied, NotFound, Conflict)


def is_about_the_input(error: ServiceError) -> bool:
    return error.field is not None or not isinstance(error, APP_WIDE)


def flash_refusal(error: ServiceError) -> None:
    """For pages that redirect after an action: say why it was refused on the next page."""
    if not is_about_the_input(error):
        raise error
    flash(error.message, "error")


def attempt(form, action, field_names: dict | None = None):
    """Call ``action``; on a refusal roll back, put each message at its field and return
    (None, status). Forbidden and missing objects go on to the app-wide handlers."""
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
