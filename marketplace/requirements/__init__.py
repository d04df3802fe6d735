"""The old per-specification requirements page, replaced by statements of requirements.

Its answers were carried into draft statements by the statements_from_requirements
migration; the address stays so that bookmarks and old links land on the statements.
"""

from flask import Blueprint, redirect, url_for

from marketplace.access import protect, roles
from marketplace.models import Role

bp = protect(Blueprint("requirements", __name__, url_prefix="/requirements"), roles(Role.CCG_USER))


@bp.route("")
def index():
    return redirect(url_for("statements.index"), code=301)
