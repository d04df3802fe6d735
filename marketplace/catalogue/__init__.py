"""The service specification catalogue: public pages by phase, and the administrator's editing."""

from flask import Blueprint

from marketplace.access import protect, roles
from marketplace.models import Role

# Editing is for administrators; the public pages say @allow(PUBLIC).
bp = protect(Blueprint("catalogue", __name__), roles(Role.ADMIN))

from . import views  # noqa: E402,F401
