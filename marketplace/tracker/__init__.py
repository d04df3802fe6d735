"""The BDU tracker: every CSS against every checkpoint, overdue milestones, open conditions."""

from flask import Blueprint

from marketplace.access import protect, roles
from marketplace.models import Role

bp = protect(Blueprint("tracker", __name__, url_prefix="/tracker"),
             roles(Role.BDU_REVIEWER, Role.ADMIN))

from . import views  # noqa: E402,F401
