from flask import Blueprint

from marketplace.access import PUBLIC, protect

bp = protect(Blueprint("auth", __name__), PUBLIC)

from . import views  # noqa: E402,F401
