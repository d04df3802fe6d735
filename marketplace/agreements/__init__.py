"""Service level agreements: the CCG's pages (/agreements) and the CSS's (/customers)."""

from flask import Blueprint

from marketplace.access import protect, roles
from marketplace.models import Role

bp = protect(Blueprint("agreements", __name__, url_prefix="/agreements"), roles(Role.CCG_USER))
customers_bp = protect(
    Blueprint("customers", __name__, url_prefix="/customers"), roles(Role.CSS_LEADER)
)

from . import customers, ending, kpis, performance, service_reviews, variations, views  # noqa: E402,F401
