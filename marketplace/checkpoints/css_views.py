"""A CSS leader's assurance: progress, submitting, evidence, results and follow-up."""

from flask import flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from sqlalchemy import select

from marketplace.access import allow, load, owns, roles
from marketplace.auth.recent_password import requires_recent_password
from marketplace.confirmation import confirmation_page
from marketplace.extensions import db
from marketplace.models import (
    BusinessPlan,
    Checkpoint,
    Condition,
    DevelopmentAction,
    EvidenceDocument,
    ProspectusVersion,
    Role,
    Submission,
    VersionStatus,
)
from marketplace.reports import storage
from marketplace.services import checkpoints as checkpoint_service
from marketplace.services import evidence as evidence_service
from marketplace.services import follow_up, tracker
from marketplace.services.errors import ServiceError

from . import bp
from .forms import ActionDoneForm, ConditionResponseForm, EvidenceForm, SubmitForm


@bp.route("")
def progress():
    rows = tracker.progress(organisation_id=current_user.organisation_id)
    return render_template("checkpoints/progress.html", title="Assurance",
                           row=rows[0] if rows else None, as_of=tracker.as_of_date())


def _document_choices(checkpoint) -> list[tuple[int, str]]:
    organisation_id = current_user.organisation_id
    if checkpoint.takes_business_plan:
        plans = db.session.scalars(select(BusinessPlan).where(
            BusinessPlan.organisation_id == organisation_id).order_by(BusinessPlan.version.desc()))
        return [(p.id, f"Business plan version {p.version} ({p.status_label.lower()})")
                for p in plans]
    versions = db.session.scalars(select(ProspectusVersion).where(
        ProspectusVersion.organisation_id == organisation_id,
        ProspectusVersion.status == VersionStatus.PUBLISHED,
    ).order_by(ProspectusVersion.number.desc()))
    return [(v.id, f"Published prospectus {v.label}") for v in versions]


def _confirm_submit(checkpoint):
    """Choosing the document is a GET, so the page that asks "are you sure" changes nothing;
    its button posts the choice to the submit route."""
    form = SubmitForm(request.args, meta={"csrf": False})
    form.document_id.choices = choices = _document_choices(checkpoint)
    if not form.validate():
        return render_template("checkpoints/submit.html", title=f"Submit to {checkpoint.title}",
                               checkpoint=checkpoint, form=form), 400
    label = dict(choices)[form.document_id.data]
    consequences = [f"{label} goes to the {checkpoint.title} reviewers."]
    if checkpoint.takes_business_plan:
        consequences.append("That version of the plan is frozen: later changes start a new "
                            "version, which is not part of this submission.")
    consequences.append("You can add evidence afterwards, but not change what you submitted.")
    return confirmation_page(
        title=f"Are you sure you want to submit to {checkpoint.title}?",
        consequences=consequences, button_text=f"Submit to {checkpoint.title}",
        cancel_href=url_for("checkpoints.submit", number=checkpoint.number),
        hidden={"document_id": form.document_id.data}, form=SubmitForm(),
        undo_note="There is one submission per checkpoint; it cannot be withdrawn.",
    )


@bp.route("/checkpoints/<int:number>/submit", methods=["GET", "POST"])
@requires_recent_password("submit to this checkpoint")
@owns("number", Checkpoint, "submit", find=checkpoint_service.checkpoint_by_number,
      name="checkpoint")
def submit(checkpoint):
    existing = checkpoint_service.submission_for(checkpoint, current_user.organisation_id)
    if existing is not None:
        return redirect(url_for("checkpoints.submission", submission_id=existing.id))
    if request.method == "GET" and "document_id" in request.args:
        return _confirm_submit(checkpoint)
    form = SubmitForm()
    form.document_id.choices = _document_choices(checkpoint)
    if form.validate_on_submit():
        # The chosen document must be one's own: 404 otherwise, as for a URL.
        document = load(BusinessPlan if checkpoint.takes_business_plan else ProspectusVersion,
                        form.document_id.data)
        try:
            if checkpoint.takes_business_plan:
                submission = checkpoint_service.submit_business_plan(
                    current_user, checkpoint, document)
            else:
                submission = checkpoint_service.submit_prospectus(
                    current_user, checkpoint, document)
        except ServiceError as error:
            form.refuse(error, error.field or "document_id")
        else:
            flash(f"Submitted to {checkpoint.title}.", "success")
            return redirect(url_for("checkpoints.submission", submission_id=submission.id))
    status = 400 if form.is_submitted() else 200
    return render_template("checkpoints/submit.html", title=f"Submit to {checkpoint.title}",
                           checkpoint=checkpoint, form=form), status


def _render_submission(submission, evidence_form=None, status=200, refused=None):
    """``refused``: a condition response or action form sent back with its errors, drawn in
    place of its blank form and summarised at the top of the page."""
    review = submission.review
    signed_off = review is not None and review.is_signed_off

    def form_for(form_class, prefix):
        if refused is not None and refused._prefix == f"{prefix}-":
            return refused
        return form_class(prefix=prefix)

    return render_template(
        "checkpoints/submission.html", title=submission.checkpoint.title,
        submission=submission, review=review if signed_off else None,
        issued=storage.latest(review.id) if signed_off else None,
        evidence_form=evidence_form or EvidenceForm(), form=refused or evidence_form,
        response_form_for=lambda c: form_for(ConditionResponseForm, f"condition-{c.id}"),
        done_form_for=lambda a: form_for(ActionDoneForm, f"action-{a.id}"),
    ), status


@bp.route("/submissions/<int:submission_id>")
@owns("submission_id", Submission)
def submission(submission):
    return _render_submission(submission)


@bp.post("/submissions/<int:submission_id>/evidence")
@owns("submission_id", Submission, "add_evidence")
def upload_evidence(submission):
    form = EvidenceForm()
    if form.validate_on_submit():
        upload = form.document.data
        try:
            if not upload or not upload.filename:
                raise ServiceError("Choose a file to upload", field="document")
            content = upload.read(evidence_service.MAX_EVIDENCE_BYTES + 1)
            document = evidence_service.add_evidence(
                current_user, filename=upload.filename, content=content, submission=submission)
        except ServiceError as error:
            form.refuse(error, error.field or "document")
        else:
            flash(f"{document.filename} has been added.", "success")
            return redirect(url_for("checkpoints.submission", submission_id=submission.id))
    return _render_submission(submission, form, 400)


@bp.route("/evidence/<int:document_id>")
@allow(roles(Role.CSS_LEADER, Role.BDU_REVIEWER, Role.PEER_REVIEWER))
@owns("document_id", EvidenceDocument)
def download_evidence(document):
    response = send_file(evidence_service.path_of(document),
                         mimetype=evidence_service.served_content_type(document),
                         as_attachment=True, download_name=document.filename)
    # One CSS's evidence: neither a shared cache nor the browser's disk keeps it.
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/conditions/<int:condition_id>/response")
@owns("condition_id", Condition, "respond")
def respond_to_condition(condition):
    form = ConditionResponseForm(prefix=f"condition-{condition.id}")
    submission = condition.review.submission
    if form.validate_on_submit():
        try:
            follow_up.respond_to_condition(current_user, condition, form.response.data)
        except ServiceError as error:
            form.refuse(error, error.field or "response")
        else:
            flash("Your response has been sent to the reviewers.", "success")
            return redirect(url_for("checkpoints.submission", submission_id=submission.id))
    return _render_submission(submission, status=400, refused=form)


@bp.post("/actions/<int:action_id>/done")
@owns("action_id", DevelopmentAction, "respond", name="item")
def mark_action_done(item):
    form = ActionDoneForm(prefix=f"action-{item.id}")
    submission = item.review.submission
    if form.validate_on_submit():
        try:
            follow_up.mark_action_done(current_user, item, form.evidence_note.data)
        except ServiceError as error:
            form.refuse(error, error.field or "evidence_note")
        else:
            flash("The action has been marked done.", "success")
            return redirect(url_for("checkpoints.submission", submission_id=submission.id))
    return _render_submission(submission, status=400, refused=form)
