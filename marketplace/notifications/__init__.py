"""Each user's notifications, and which of them they receive by email."""

from flask import Blueprint

from marketplace.access import SIGNED_IN, protect

bp = protect(Blueprint("notifications", __name__, url_prefix="/notifications"), SIGNED_IN)

from . import views  # noqa: E402,F401
