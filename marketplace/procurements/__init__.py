"""The buying CCGs' side of procurements (/procurements) and the administrators' threshold
reference data (/admin/procurement-thresholds).

CCG users of the lead and partner CCGs (and BDU reviewers, read-only) use the pages; the
procurement policy (marketplace/policies/procurements.py) says who may see and change what,
and pages load objects through @owns, which answers 404 for a procurement the user may not
see.
"""

from flask import Blueprint

from marketplace.access import protect, roles
from marketplace.models import Role

bp = protect(Blueprint("procurements", __name__, url_prefix="/procurements"),
             roles(Role.CCG_USER, Role.BDU_REVIEWER))
thresholds_bp = protect(
    Blueprint("procurement_thresholds", __name__, url_prefix="/admin/procurement-thresholds"),
    roles(Role.ADMIN))

from . import award_views, setup_views, thresholds, views  # noqa: E402,F401
