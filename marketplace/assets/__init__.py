"""NHS.UK frontend CSS, JS and images, served from the npm package the set-up installs.

The package's stylesheet asks for its images at /assets/images/..., so the images folder and
the compiled CSS/JS are both served under /assets.
"""

from pathlib import Path

from flask import Blueprint, abort, current_app, send_from_directory

from marketplace.access import PUBLIC, owner_exempt, protect

bp = protect(Blueprint("assets", __name__, url_prefix="/assets"), PUBLIC)

COMPILED_SUFFIXES = (".css", ".js", ".map")


@bp.route("/<path:filename>")
@owner_exempt("the design system's public files, not anybody's object")
def nhsuk(filename: str):
    dist = Path(current_app.config["NHSUK_FRONTEND_DIR"])
    if (dist / "assets" / filename).is_file():
        return send_from_directory(dist / "assets", filename, max_age=86400)
    if filename.endswith(COMPILED_SUFFIXES) and "/" not in filename:
        return send_from_directory(dist, filename, max_age=86400)
    abort(404)
