"""A provider's own response: start, edit, attach, submit and withdraw (each confirmed)."""

from flask import flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload

from marketplace import clock
from marketplace.access import owns
from marketplace.confirmation import confirmation_page
from marketplace.extensions import db
from marketplace.models import BidAttachment, Procurement
from marketplace.refusals import attempt
from marketplace.services import bids
from marketplace.services.buying_common import lock_version_from
from marketplace.services.errors import NotFound
from marketplace.services.evidence import MAX_EVIDENCE_BYTES

from . import bp
from .forms import AttachmentForm, ConfirmForm, response_form_class
from .views import owned_opportunity


def _own(procurement, *options):
    response = bids.response_for(current_user.organisation_id, procurement, *options)
    if response is None:
        raise NotFound("You have no response to this opportunity")
    return response


def _to_response(procurement, message: str | None = None):
    if message:
        flash(message, "success")
    return redirect(url_for("opportunities.response", procurement_id=procurement.id))


@bp.post("/<int:procurement_id>/response/start")
@owned_opportunity()
def start_response(procurement):
    form = ConfirmForm()
    if not form.validate_on_submit():
        return redirect(url_for("opportunities.show", procurement_id=procurement.id))
    done, status = attempt(form, lambda: bids.start_response(current_user, procurement))
    if done is None:
        return render_template("opportunities/refused.html", procurement=procurement,
                               messages=form.form_errors), status
    return redirect(url_for("opportunities.edit_response", procurement_id=procurement.id))


@bp.route("/<int:procurement_id>/response")
@owned_opportunity(load=(joinedload(Procurement.criteria),))
def response(procurement):
    bid = _own(procurement, *bids.WITH_CONTENT)
    return render_template(
        "opportunities/response.html", procurement=procurement, bid=bid,
        guides=bids.line_guides(procurement), criteria=bids.quality_criteria(procurement),
        attachment_form=AttachmentForm(formdata=None),
        confirm=ConfirmForm(formdata=None, data={"lock_version": str(bid.lock_version)}),
        editable=_editable(procurement, bid),
        problems=bids.submission_problems(bid))


def _editable(procurement, bid) -> bool:
    return (procurement.status == "open" and bid.status != "submitted"
            and clock.now() < procurement.closes_at)


def _form_data(bid, guides, criteria) -> dict:
    lines = {line.specification_id: line for line in bid.lines}
    data = {"summary": bid.summary, "lock_version": str(bid.lock_version)}
    for guide in guides:
        line = lines.get(guide.specification.id)
        if line is not None:
            spec_id = guide.specification.id
            data[f"pricing_model_{spec_id}"] = line.pricing_model
            data[f"price_{spec_id}"] = f"{line.price:.2f}"
            if line.estimated_quantity is not None:
                data[f"estimated_quantity_{spec_id}"] = f"{line.estimated_quantity.normalize():f}"
    answers = {answer.criterion_id: answer.answer for answer in bid.answers}
    for criterion in criteria:
        data[f"answer_{criterion.id}"] = answers.get(criterion.id, "")
    return data


@bp.route("/<int:procurement_id>/response/edit", methods=["GET", "POST"])
@owned_opportunity()
def edit_response(procurement):
    bid = _own(procurement)
    guides = bids.line_guides(procurement, bid.provider_id)
    criteria = bids.quality_criteria(procurement)
    form = response_form_class(guides, criteria)(
        data=_form_data(bid, guides, criteria) if request.method == "GET" else None)
    status = 200
    if form.validate_on_submit():
        lines = [bids.LineInput(g.specification.id,
                                form[f"pricing_model_{g.specification.id}"].data,
                                form[f"price_{g.specification.id}"].data,
                                form[f"estimated_quantity_{g.specification.id}"].data)
                 for g in guides]
        answers = {c.id: form[f"answer_{c.id}"].data for c in criteria}
        done, status = attempt(form, lambda: bids.save_response(
            current_user, bid, lock_version_from(form.lock_version.data),
            summary=form.summary.data, lines=lines, answers=answers))
        if done is not None:
            return _to_response(procurement, "Your response has been saved. It is not "
                                "submitted until you submit it.")
    elif request.method == "POST":
        status = 400
    if status == 409:
        form.lock_version.data = str(bid.lock_version)
    return render_template("opportunities/edit.html", form=form, procurement=procurement,
                           bid=bid, guides=guides, criteria=criteria), status


@bp.post("/<int:procurement_id>/response/attachments")
@owned_opportunity()
def add_attachment(procurement):
    bid = _own(procurement)
    form = AttachmentForm()
    upload = request.files.get("attachment")
    status = 400
    if form.validate_on_submit() and upload is not None and upload.filename:
        content = upload.read(MAX_EVIDENCE_BYTES + 1)
        done, status = attempt(form, lambda: bids.add_attachment(
            current_user, bid, filename=upload.filename, content=content))
        if done is not None:
            return _to_response(procurement, f"{done.filename} is attached.")
    elif not form.attachment.errors:
        form.set_error("attachment", "Choose a file to attach")
    db.session.refresh(bid)
    return render_template(
        "opportunities/response.html", procurement=procurement, bid=bid,
        guides=bids.line_guides(procurement), criteria=bids.quality_criteria(procurement),
        attachment_form=form,
        confirm=ConfirmForm(formdata=None, data={"lock_version": str(bid.lock_version)}),
        editable=True, problems=bids.submission_problems(bid)), status


@bp.route("/<int:procurement_id>/response/attachments/<int:attachment_id>/remove",
          methods=["GET", "POST"])
@owned_opportunity()
@owns("attachment_id", BidAttachment, of="bid.procurement", name="item")
def remove_attachment(procurement, item):
    bid = _own(procurement)
    if item.bid_id != bid.id:
        raise NotFound("There is no attachment with that number")
    filename = item.filename
    form = ConfirmForm()
    if form.validate_on_submit():
        done, status = attempt(form, lambda: bids.remove_attachment(current_user, bid,
                                                                    item.id) or True)
        if done is not None:
            return _to_response(procurement, f"{filename} has been removed.")
        return render_template("opportunities/refused.html", procurement=procurement,
                               messages=form.form_errors), status
    if not _editable(procurement, bid):  # nothing to ask: the response is no longer open
        return _to_response(procurement)
    # The GET, or a POST without its token: ask first, changing nothing.
    return confirmation_page(
        title=f"Are you sure you want to remove {item.filename} from your response?",
        consequences=[
            f"{item.filename} is taken out of your response to opportunity "
            f"{procurement.reference} and its copy is deleted.",
            "The buying CCGs will not see it when bids close.",
        ],
        undo_note="To include it again, attach the file again before the closing time.",
        button_text="Remove the attachment",
        cancel_href=url_for("opportunities.response", procurement_id=procurement.id),
        form=ConfirmForm(formdata=None, data={"lock_version": str(bid.lock_version)}),
        status=400 if form.is_submitted() else 200,
    )


@bp.route("/<int:procurement_id>/response/attachments/<int:attachment_id>")
@owned_opportunity()
@owns("attachment_id", BidAttachment, of="bid.procurement", name="item")
def attachment(procurement, item):
    return send_file(bids.attachment_path(item), mimetype=item.content_type,
                     as_attachment=True, download_name=item.filename)


def _confirm(procurement, action, template: str, message: str):
    bid = _own(procurement)
    form = ConfirmForm(data={"lock_version": str(bid.lock_version)}
                       if request.method == "GET" else None)
    status = 200
    if form.validate_on_submit():
        done, status = attempt(form, lambda: action(
            current_user, bid, lock_version_from(form.lock_version.data)))
        if done is not None:
            return _to_response(procurement, message)
        form.lock_version.data = str(bid.lock_version)
    elif request.method == "POST":
        status = 400
    return render_template(template, form=form, procurement=procurement, bid=bid,
                           problems=bids.submission_problems(bid),
                           total=bids.total_annual_cost(bid)), status


@bp.route("/<int:procurement_id>/response/submit", methods=["GET", "POST"])
@owned_opportunity()
def submit_response(procurement):
    return _confirm(procurement, bids.submit, "opportunities/submit.html",
                    "Your response is submitted. You can withdraw it before the closing time.")


@bp.route("/<int:procurement_id>/response/withdraw", methods=["GET", "POST"])
@owned_opportunity()
def withdraw_response(procurement):
    return _confirm(procurement, bids.withdraw, "opportunities/withdraw.html",
                    "Your response is withdrawn. You can change it and submit it again before "
                    "the closing time.")
