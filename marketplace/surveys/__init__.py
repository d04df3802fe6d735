"""The CCG customer survey: the reviewers' pages (/customer-surveys: results, read by BDU and
peer reviewers; opened and closed by the BDU only) and the CCG's (/customer-survey: what to
answer, and answering). A CSS reads its own results on its customers page; reviewers also
beside the customer criterion of a review."""

from flask import Blueprint

from marketplace.access import protect, roles
from marketplace.models import Role

bp = protect(
    Blueprint("surveys", __name__, url_prefix="/customer-surveys"),
    roles(Role.BDU_REVIEWER, Role.PEER_REVIEWER),
)
BDU_ONLY = roles(Role.BDU_REVIEWER)
answers_bp = protect(
    Blueprint("survey_answers", __name__, url_prefix="/customer-survey"), roles(Role.CCG_USER)
)

from . import views  # noqa: E402,F401
