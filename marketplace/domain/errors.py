class ServiceError(Exception):
    """A workflow refused a change; views map it to a message next to the field."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class PermissionDenied(ServiceError):
    """The actor may not make this change."""


class NotFound(ServiceError):
    """The object does not exist, or not for this actor."""


class Conflict(ServiceError):
    """Somebody else changed the object first."""
