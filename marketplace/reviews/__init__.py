"""Reviewers (BDU, and SHA-cluster peers at checkpoint 1): rate, set conditions, sign off."""

from flask import Blueprint

from marketplace.access import protect, roles
from marketplace.models import Role

bp = protect(Blueprint("reviews", __name__, url_prefix="/reviews"),
             roles(Role.BDU_REVIEWER, Role.PEER_REVIEWER))

from . import follow_up_views, views  # noqa: E402,F401
