"""Market change pages for the BDU and administrators: the Board's hosting decisions,
licences to operate and their conditions, and CSS mergers and takeovers."""

from flask import Blueprint

from marketplace.access import protect, roles
from marketplace.models import Role

bp = protect(
    Blueprint("market", __name__, url_prefix="/market-change"), roles(Role.BDU_REVIEWER, Role.ADMIN)
)

from . import views  # noqa: E402,F401
