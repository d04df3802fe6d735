"""The OpenAPI 3 document for API v1, served at /api/v1/openapi.json.

Each API module describes its own routes by calling add_path / add_schema at import time,
so the document grows with the API and lives next to the code it describes.
"""

import copy

from flask import jsonify

from marketplace.access import PUBLIC, allow

from . import bp
from .errors import register_api_errors

register_api_errors(bp)

DOCUMENT: dict = {
    "openapi": "3.0.3",
    "info": {
        "title": "CSS Marketplace API",
        "version": "1.0.0",
        "description": "Commissioning support for English CCGs, 2012–13. Money is a decimal "
                       "string in pounds to the penny, for example \"1889000.00\".",
    },
    "servers": [{"url": "/api/v1"}],
    "paths": {},
    "components": {
        "schemas": {
            "Error": {
                "type": "object",
                "required": ["field", "message"],
                "properties": {
                    "field": {"type": "string", "nullable": True,
                              "description": "The input at fault, e.g. in_house[0].wte; "
                                             "request for a body that is not JSON."},
                    "message": {"type": "string"},
                },
            },
            "Errors": {
                "type": "object",
                "required": ["errors"],
                "properties": {"errors": {"type": "array",
                                          "items": {"$ref": "#/components/schemas/Error"}}},
            },
            "Money": {"type": "string", "pattern": r"^-?[0-9]+\.[0-9]{2}$",
                      "example": "1889000.00"},
        },
        "securitySchemes": {
            "session": {"type": "apiKey", "in": "cookie", "name": "session",
                        "description": "The session cookie from signing in to the service."},
        },
        "responses": {
            "BadRequest": {"description": "The input was not valid; each error names its field.",
                           "content": {"application/json": {
                               "schema": {"$ref": "#/components/schemas/Errors"}}}},
            "Unauthorised": {"description": "Not signed in.",
                             "content": {"application/json": {
                                 "schema": {"$ref": "#/components/schemas/Errors"}}}},
            "NotFound": {"description": "No such object for this user.",
                         "content": {"application/json": {
                             "schema": {"$ref": "#/components/schemas/Errors"}}}},
        },
    },
}


def document(path: str, method: str, operation: dict) -> None:
    """Describe one operation; ``path`` is relative to /api/v1, e.g. "/offers"."""
    DOCUMENT["paths"].setdefault(path, {})[method.lower()] = operation


add_path = document


def add_schema(name: str, schema: dict) -> None:
    DOCUMENT["components"]["schemas"][name] = schema


def openapi_document() -> dict:
    return copy.deepcopy(DOCUMENT)


@bp.route("/openapi.json")
@allow(PUBLIC)
def openapi_json():
    return jsonify(openapi_document())


add_path("/openapi.json", "get", {
    "summary": "This document",
    "operationId": "getOpenApi",
    "security": [],
    "responses": {"200": {"description": "The OpenAPI 3 document",
                          "content": {"application/json": {"schema": {"type": "object"}}}}},
})
