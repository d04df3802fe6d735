"""Assurance for CSS leaders (submit, plans, evidence, results) and its admin reference data."""

from flask import Blueprint

from marketplace.access import protect, roles
from marketplace.models import Role

bp = protect(Blueprint("checkpoints", __name__, url_prefix="/assurance"),
             roles(Role.CSS_LEADER))
admin_bp = protect(Blueprint("checkpoint_admin", __name__, url_prefix="/admin/checkpoints"),
                   roles(Role.ADMIN))
# The BDU keeps the thresholds of its own checks; administrators may too.
thresholds_bp = protect(
    Blueprint("plan_check_thresholds", __name__, url_prefix="/assurance/plan-check-thresholds"),
    roles(Role.BDU_REVIEWER, Role.ADMIN))

from . import admin_views, css_views, plan_views, threshold_views  # noqa: E402,F401


@bp.app_template_global("rating_words")
def rating_words(scale_key: str, value: str | None) -> dict:
    """{"text", "colour"} for a rating tag: the words always, the colour only repeating them."""
    from marketplace.domain.checkpoints import RATING_SCALES

    try:
        member = RATING_SCALES[scale_key](value)
    except (KeyError, ValueError):
        return {"text": "Not rated", "colour": "grey"}
    return {"text": member.label, "colour": member.colour}


@bp.app_template_global("assurance_colour")
def assurance_colour(status: str | None, code: str | None = None) -> str:
    from marketplace.domain.checkpoints import assurance_colour as colour

    return colour(code) if code else colour(status)


@bp.app_template_global("outcome_words")
def outcome_words(code: str | None, label: str | None) -> dict:
    from marketplace.services.checkpoints import outcome_colour

    return {"text": label or "No outcome yet", "colour": outcome_colour(code)}
