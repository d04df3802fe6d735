"""JSON API v1. Every feature adds its routes in its own module and documents them in
the OpenAPI document (openapi.py) with ``document()``.

The blueprint's default rule is "signed in"; public endpoints say ``@allow(PUBLIC)``.
Forms' CSRF tokens do not apply here: writes must be JSON (see parse_json), which a
cross-site form cannot send without a CORS preflight that this API never grants.
"""

from flask import Blueprint

from marketplace.access import SIGNED_IN, protect
from marketplace.extensions import csrf

bp = protect(Blueprint("api", __name__, url_prefix="/api/v1"), SIGNED_IN)
csrf.exempt(bp)

from . import (  # noqa: E402,F401
    catalogue,
    checkpoints,
    ocds,
    openapi,
    opportunities,
    plan_checks,
    reckoner,
    sufficiency,
)
