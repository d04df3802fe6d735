from flask import Blueprint

from marketplace.access import protect, roles
from marketplace.models import Role

bp = protect(Blueprint("requirements", __name__, url_prefix="/requirements"), roles(Role.CCG_USER))

from . import views  # noqa: E402,F401
