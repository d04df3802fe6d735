"""The buying CCGs' side of procurements (/procurements) and the administrators' threshold
reference data (/admin/procurement-thresholds).

CCG users of the lead and partner CCGs (and BDU reviewers, read-only) use the pages; the
services decide who may change what, and objects are loaded through procurement_for_buyer,
which answers 404 for a procurement the user may not see.
"""

from flask import Blueprint, render_template

from marketplace.access import protect, roles
from marketplace.models import Role
from marketplace.services.errors import NotFound, PermissionDenied

bp = protect(Blueprint("procurements", __name__, url_prefix="/procurements"),
             roles(Role.CCG_USER, Role.BDU_REVIEWER))
thresholds_bp = protect(
    Blueprint("procurement_thresholds", __name__, url_prefix="/admin/procurement-thresholds"),
    roles(Role.ADMIN))


def _not_found(error):
    return render_template("errors/404.html", title="Page not found"), 404


def _forbidden(error):
    return render_template("errors/403.html",
                           title="You do not have permission to see this page"), 403


# Until the app-wide handlers for service errors land, this blueprint maps its own.
bp.register_error_handler(NotFound, _not_found)
bp.register_error_handler(PermissionDenied, _forbidden)

from . import setup_views, thresholds, views  # noqa: E402,F401
