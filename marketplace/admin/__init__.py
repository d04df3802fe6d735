from flask import Blueprint

from marketplace.access import protect, roles
from marketplace.models import Role

bp = protect(Blueprint("admin", __name__, url_prefix="/admin"), roles(Role.ADMIN))

from . import views  # noqa: E402,F401
