"""Statements of requirements (/statements), for CCG users of the CCGs taking part, and the
aggregated demand across CCGs (/demand), for the BDU and SHA clusters.

The statement policy (marketplace/policies/procurements.py) says who may see and change
what: the lead CCG its details, partners and split, each CCG its own lines; pages load
statements through @owns, which answers 404 for a statement the user's CCG takes no part in.
"""

from flask import Blueprint

from marketplace.access import protect, roles
from marketplace.models import Role

bp = protect(Blueprint("statements", __name__, url_prefix="/statements"), roles(Role.CCG_USER))
demand_bp = protect(Blueprint("demand", __name__, url_prefix="/demand"),
                    roles(Role.BDU_REVIEWER, Role.PEER_REVIEWER, Role.ADMIN))

from . import demand, sufficiency, views  # noqa: E402,F401
