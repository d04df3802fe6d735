"""A provider's own prospectus: the draft, its offers, publishing, history and comparison."""

from flask import Blueprint

from marketplace.access import protect, roles
from marketplace.models import Role

bp = protect(Blueprint("prospectuses", __name__, url_prefix="/prospectus"),
             roles(Role.CSS_LEADER))

from . import views  # noqa: E402,F401
