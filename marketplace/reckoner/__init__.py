"""The ready reckoner and a CCG's do / buy / share scenarios.

CCG users work on their own CCG's scenarios; BDU reviewers read any CCG's. The public ready
reckoner page and the administrators' allowance page carry their own rules.
"""

from flask import Blueprint

from marketplace.access import protect, roles
from marketplace.models import Role

bp = protect(Blueprint("reckoner", __name__), roles(Role.CCG_USER, Role.BDU_REVIEWER))

from . import views  # noqa: E402,F401
