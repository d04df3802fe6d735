"""Review documents: the issued PDF of a signed-off review, draft previews, checkpoint ZIPs.

Readers differ per review (the CSS under review, BDU reviewers, a checkpoint 1 review's
peers), so the blueprint admits those roles and each view asks services/review_documents.
"""

from flask import Blueprint

from marketplace.access import protect, roles
from marketplace.models import Role

bp = protect(Blueprint("review_documents", __name__, url_prefix="/review-documents"),
             roles(Role.CSS_LEADER, Role.BDU_REVIEWER, Role.PEER_REVIEWER))

from . import views  # noqa: E402,F401
