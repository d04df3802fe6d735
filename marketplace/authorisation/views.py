"""/authorisation-evidence: what the pack would say now, the packs issued, and each PDF."""

from io import BytesIO

from flask import flash, redirect, render_template, send_file, url_for
from flask_login import current_user

from marketplace import clock
from marketplace.access import owns
from marketplace.models import AuthorisationPack
from marketplace.services import authorisation_packs as service

from . import bp

# A CCG's own evidence: neither a shared cache nor the browser's disk keeps it.
PRIVATE_DOWNLOAD = "private, no-store"


@bp.route("")
def index():
    ccg = current_user.organisation
    return render_template(
        "authorisation/index.html",
        title="Authorisation evidence",
        packs=service.packs_of(ccg),
        **service.pack_context(ccg, version=0, issued_at=clock.now()),
    )


@bp.post("/issue")
def issue():
    # CSRFProtect has checked the token before this runs; the service checks the user.
    pack = service.issue(current_user._get_current_object(), current_user.organisation)
    flash(
        f"Version {pack.version} of your authorisation evidence pack is issued. Download "
        "it below; it will not change.",
        "success",
    )
    return redirect(url_for("authorisation.index"), 303)


@bp.route("/<int:pack_id>/pack.pdf")
@owns("pack_id", AuthorisationPack, name="pack")
def download(pack: AuthorisationPack):
    response = send_file(
        BytesIO(pack.content),
        mimetype=pack.content_type,
        download_name=pack.filename,
        etag=pack.sha256,
        last_modified=pack.issued_at,
        conditional=True,
    )
    response.headers["Cache-Control"] = PRIVATE_DOWNLOAD
    response.headers["X-Content-SHA256"] = pack.sha256
    return response
