"""A CCG's authorisation evidence pack: previewed, issued and downloaded by its own users."""

from flask import Blueprint

from marketplace.access import protect, roles
from marketplace.models import Role

bp = protect(
    Blueprint("authorisation", __name__, url_prefix="/authorisation-evidence"), roles(Role.CCG_USER)
)

from . import views  # noqa: E402,F401
