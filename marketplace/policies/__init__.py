"""Who may see and change which object, by organisation and role: one module per family.

``may(user, action, obj)`` answers the question; ``require(user, action, obj)`` returns the
object or raises NotFound (another organisation's object, not even confirmed to exist) or
PermissionDenied. Views load objects through ``marketplace.access.owns`` / ``load``, services
check their actor with ``require``, templates ask ``allowed(action, obj)`` (a template global
in marketplace/access.py). The policies read models only (an import-linter contract), so
services may import them and not the other way round.
"""

from . import (  # noqa: E402,F401,I001
    agreements,
    assessment,
    catalogue,
    market,
    organisations,
    procurements,
    prospectuses,
    reckoner,  # noqa: E402,F401
    surveys,
)
from .rules import declare, declared_models, may, policy_for, require

__all__ = ["declare", "declared_models", "may", "policy_for", "require"]
