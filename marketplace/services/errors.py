"""The refusals services raise; defined in domain/ so that the ownership policies, which
services call, raise the same ones without importing services."""

from marketplace.domain.errors import Conflict, NotFound, PermissionDenied, ServiceError

__all__ = ["Conflict", "NotFound", "PermissionDenied", "ServiceError"]
