"""Third-party front-end files, served from the npm packages the set-up installs.

NHS.UK frontend's stylesheet asks for its images at /assets/images/..., so the images folder and
the compiled CSS/JS are both served under /assets. Swagger UI (the API documentation page) has
its own folder, and only the two files that page loads are served from its package.
"""

from pathlib import Path

from flask import Blueprint, abort, current_app, send_from_directory

from marketplace.access import PUBLIC, owner_exempt, protect

bp = protect(Blueprint("assets", __name__, url_prefix="/assets"), PUBLIC)

COMPILED_SUFFIXES = (".css", ".js", ".map")
SWAGGER_UI_FILES = frozenset({"swagger-ui-bundle.js", "swagger-ui.css"})


@bp.route("/<path:filename>")
@owner_exempt("the design system's public files, not anybody's object")
def nhsuk(filename: str):
    dist = Path(current_app.config["NHSUK_FRONTEND_DIR"])
    if (dist / "assets" / filename).is_file():
        return send_from_directory(dist / "assets", filename, max_age=86400)
    if filename.endswith(COMPILED_SUFFIXES) and "/" not in filename:
        return send_from_directory(dist, filename, max_age=86400)
    abort(404)


@bp.route("/swagger-ui/<filename>")
@owner_exempt("Swagger UI's public files, not anybody's object")
def swagger_ui(filename: str):
    # The package also holds an index.html and an initializer that would load the Petstore
    # example: only the bundle and its stylesheet are ours to serve.
    if filename not in SWAGGER_UI_FILES:
        abort(404)
    return send_from_directory(current_app.config["SWAGGER_UI_DIR"], filename, max_age=86400)
