from flask import Blueprint

from marketplace.access import SIGNED_IN, protect

bp = protect(Blueprint("main", __name__), SIGNED_IN)

from . import views  # noqa: E402,F401
