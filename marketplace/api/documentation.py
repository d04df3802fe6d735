"""The API's documentation for people: an HTML page, outside /api/ so that its errors are pages.

Swagger UI (npm package swagger-ui-dist, served from /assets/swagger-ui/) renders the OpenAPI
document. The page lists the operations itself too, so that it says something without
JavaScript; the script hides that list once Swagger UI has drawn the full document.
"""

from flask import Blueprint, render_template

from marketplace.access import PUBLIC, protect

from .openapi import openapi_document

bp = protect(Blueprint("api_documentation", __name__), PUBLIC)


@bp.route("/api-documentation")
def index():
    document = openapi_document()
    operations = [
        {"method": method.upper(), "path": path, "summary": operation.get("summary", "")}
        for path, methods in document["paths"].items()
        for method, operation in methods.items()
    ]
    return render_template("api/documentation.html", document=document,
                           operations=operations)
