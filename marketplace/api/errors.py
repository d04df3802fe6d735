"""JSON errors that name the field at fault: {"errors": [{"field": ..., "message": ...}]}."""

from flask import jsonify, request


class ApiError(Exception):
    def __init__(self, field: str | None, message: str, status: int = 400):
        super().__init__(message)
        self.field = field
        self.message = message
        self.status = status


def error_response(errors: list[tuple[str | None, str]], status: int = 400):
    response = jsonify(errors=[{"field": field, "message": message} for field, message in errors])
    response.status_code = status
    return response


def parse_json() -> dict:
    """The request body as a JSON object, or an ApiError naming the field "request"."""
    if not request.is_json:
        raise ApiError("request", "Send the request body as JSON (Content-Type: application/json)")
    data = request.get_json(silent=True)
    if data is None:
        raise ApiError("request", "The request body is not valid JSON")
    if not isinstance(data, dict):
        raise ApiError("request", "The request body must be a JSON object")
    return data


def register_api_errors(bp) -> None:
    @bp.errorhandler(ApiError)
    def _api_error(error: ApiError):
        return error_response([(error.field, error.message)], error.status)
