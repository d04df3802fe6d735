"""A CSS leader's assurance: progress, submitting, evidence, results and follow-up."""

from flask import abort, flash, redirect, render_template, send_file, url_for
from flask_login import current_user
from sqlalchemy import select

from marketplace.access import allow, get_for_organisation_or_404, get_or_404, roles
from marketplace.auth.recent_password import requires_recent_password
from marketplace.extensions import db
from marketplace.models import (
    BusinessPlan,
    Condition,
    DevelopmentAction,
    EvidenceDocument,
    ProspectusVersion,
    Role,
    Submission,
    VersionStatus,
)
from marketplace.refusals import flash_refusal
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


def _checkpoint_or_404(number: int):
    checkpoint = checkpoint_service.checkpoint_by_number(number)
    if checkpoint is None:
        abort(404)
    return checkpoint


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


@bp.route("/checkpoints/<int:number>/submit", methods=["GET", "POST"])
@requires_recent_password("submit to this checkpoint")
def submit(number: int):
    checkpoint = _checkpoint_or_404(number)
    existing = checkpoint_service.submission_for(checkpoint, current_user.organisation_id)
    if existing is not None:
        return redirect(url_for("checkpoints.submission", submission_id=existing.id))
    form = SubmitForm()
    form.document_id.choices = _document_choices(checkpoint)
    if form.validate_on_submit():
        try:
            if checkpoint.takes_business_plan:
                plan = get_for_organisation_or_404(BusinessPlan, form.document_id.data)
                submission = checkpoint_service.submit_business_plan(
                    current_user, checkpoint, plan)
            else:
                version = get_for_organisation_or_404(ProspectusVersion, form.document_id.data)
                submission = checkpoint_service.submit_prospectus(
                    current_user, checkpoint, version)
        except ServiceError as error:
            form.refuse(error, error.field or "document_id")
        else:
            flash(f"Submitted to {checkpoint.title}.", "success")
            return redirect(url_for("checkpoints.submission", submission_id=submission.id))
    status = 400 if form.is_submitted() else 200
    return render_template("checkpoints/submit.html", title=f"Submit to {checkpoint.title}",
                           checkpoint=checkpoint, form=form), status


def _own_submission(submission_id: int) -> Submission:
    return get_for_organisation_or_404(Submission, submission_id)


def _render_submission(submission, evidence_form=None, status=200):
    review = submission.review
    signed_off = review is not None and review.is_signed_off
    return render_template(
        "checkpoints/submission.html", title=submission.checkpoint.title,
        submission=submission, review=review if signed_off else None,
        issued=storage.latest(review.id) if signed_off else None,
        evidence_form=evidence_form or EvidenceForm(), form=evidence_form,
        response_form_for=lambda c: ConditionResponseForm(prefix=f"condition-{c.id}"),
        done_form_for=lambda a: ActionDoneForm(prefix=f"action-{a.id}"),
    ), status


@bp.route("/submissions/<int:submission_id>")
def submission(submission_id: int):
    return _render_submission(_own_submission(submission_id))


@bp.post("/submissions/<int:submission_id>/evidence")
def upload_evidence(submission_id: int):
    submission = _own_submission(submission_id)
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
def download_evidence(document_id: int):
    document = get_or_404(EvidenceDocument, document_id)
    if not evidence_service.may_download(current_user, document):
        abort(404)  # not even confirmed to exist
    response = send_file(evidence_service.path_of(document),
                         mimetype=evidence_service.served_content_type(document),
                         as_attachment=True, download_name=document.filename)
    # One CSS's evidence: neither a shared cache nor the browser's disk keeps it.
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _follow_up_target(model, object_id):
    item = get_or_404(model, object_id)
    if not current_user.belongs_to(item.review.submission.organisation_id):
        abort(404)
    return item


@bp.post("/conditions/<int:condition_id>/response")
def respond_to_condition(condition_id: int):
    condition = _follow_up_target(Condition, condition_id)
    form = ConditionResponseForm(prefix=f"condition-{condition.id}")
    if form.validate_on_submit():
        try:
            follow_up.respond_to_condition(current_user, condition, form.response.data)
        except ServiceError as error:
            flash_refusal(error)
        else:
            flash("Your response has been sent to the reviewers.", "success")
    else:
        flash(" ".join(sum(form.errors.values(), [])), "error")
    return redirect(url_for("checkpoints.submission",
                            submission_id=condition.review.submission_id))


@bp.post("/actions/<int:action_id>/done")
def mark_action_done(action_id: int):
    item = _follow_up_target(DevelopmentAction, action_id)
    form = ActionDoneForm(prefix=f"action-{item.id}")
    if form.validate_on_submit():
        try:
            follow_up.mark_action_done(current_user, item, form.evidence_note.data)
        except ServiceError as error:
            flash_refusal(error)
        else:
            flash("The action has been marked done.", "success")
    else:
        flash(" ".join(sum(form.errors.values(), [])), "error")
    return redirect(url_for("checkpoints.submission", submission_id=item.review.submission_id))
