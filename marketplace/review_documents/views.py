"""The review document on screen, its issued PDF, a draft's preview, a checkpoint's ZIP."""

from io import BytesIO

from flask import abort, render_template, send_file

from marketplace.access import allow, owns, roles
from marketplace.models import Checkpoint, Review, Role
from marketplace.reports import storage
from marketplace.services import review_documents, reviews
from marketplace.services.checkpoints import checkpoint_by_number
from marketplace.services.errors import ServiceError
from marketplace.services.review_document_render import document_filename

from . import bp

# Reviews are one CSS's business: neither a shared cache nor the browser's disk keeps them.
PRIVATE_DOWNLOAD = "private, no-store"


@bp.route("/<int:review_id>")
@owns("review_id", Review, "read_document", find=reviews.review_with_submission)
def document(review):
    issued = storage.latest(review.id) if review.is_signed_off else None
    version = issued.version if issued else storage.next_version(review.id)
    body, notes = review_documents.kept_document(review, version)
    return render_template("reviews/document.html", title=f"Review {review.reference}",
                           issued=issued, print_notes=notes, document_body=body,
                           review=review, submission=review.submission)


@bp.route("/<int:review_id>/issued.pdf")
@owns("review_id", Review, "read_document")
def issued_pdf(review):
    if not review.is_signed_off:
        abort(404)
    try:
        # Reviews signed off before documents existed are issued on their first download.
        document, _ = review_documents.ensure_issued(review)
    except ServiceError as error:
        abort(500, error.message)
    response = send_file(BytesIO(storage.read(document)), mimetype=document.content_type,
                         download_name=document.filename, etag=document.sha256,
                         last_modified=document.issued_at, conditional=True)
    response.headers["Cache-Control"] = PRIVATE_DOWNLOAD
    response.headers["X-Content-SHA256"] = document.sha256
    return response


@bp.route("/<int:review_id>/draft.pdf")
@owns("review_id", Review, "read_document")
def draft_pdf(review):
    if review.is_signed_off:
        abort(404)
    try:
        content = review_documents.preview(review)
    except ServiceError as error:
        abort(500, error.message)
    response = send_file(BytesIO(content), mimetype="application/pdf",
                         download_name=document_filename(review).replace(".pdf", "-DRAFT.pdf"))
    response.headers["Cache-Control"] = PRIVATE_DOWNLOAD
    return response


@bp.route("/checkpoints/<int:number>/issued.zip")
@allow(roles(Role.BDU_REVIEWER))
@owns("number", Checkpoint, find=checkpoint_by_number, name="checkpoint")
def checkpoint_zip(checkpoint):
    archive, _count = review_documents.checkpoint_archive(checkpoint)
    response = send_file(BytesIO(archive), mimetype="application/zip", as_attachment=True,
                         download_name=f"checkpoint-{checkpoint.number}-issued-reviews.zip")
    response.headers["Cache-Control"] = PRIVATE_DOWNLOAD
    return response
