"""Opportunities as providers see them (/opportunities): CSS leaders of a CSS or an
independent provider read those open to them, ask questions and write their response.

Objects are loaded through @owns and the procurement policy, which answer 404 for an opportunity
the provider may not see; a provider's response is always its own (one per opportunity).
"""

from flask import Blueprint

from marketplace.access import protect, roles
from marketplace.models import Role

bp = protect(Blueprint("opportunities", __name__, url_prefix="/opportunities"),
             roles(Role.CSS_LEADER))

from . import decision_views, response_views, views  # noqa: E402,F401
