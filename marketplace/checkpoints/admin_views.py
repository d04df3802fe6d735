"""Administrators edit checkpoints, their criteria, scales and dates."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from marketplace.access import owns
from marketplace.confirmation import confirmation_page
from marketplace.domain.checkpoints import RATING_SCALES, RULES
from marketplace.models import Checkpoint, Criterion
from marketplace.refusals import flash_refusal
from marketplace.services import checkpoints as checkpoint_service
from marketplace.services.errors import ServiceError

from . import admin_bp
from .admin_forms import CheckpointForm, CriterionForm
from .forms import ConfirmForm


@admin_bp.route("")
def index():
    return render_template("checkpoints/admin-checkpoints.html", title="Checkpoints",
                           checkpoints=checkpoint_service.checkpoints(), scales=RATING_SCALES,
                           rules=RULES)


@admin_bp.route("/new", methods=["GET", "POST"])
@admin_bp.route("/<int:checkpoint_id>/edit", methods=["GET", "POST"])
@owns("checkpoint_id", Checkpoint, "edit")
def edit(checkpoint=None):
    form = CheckpointForm(obj=checkpoint)
    if form.validate_on_submit():
        try:
            saved = checkpoint_service.save_checkpoint(current_user, checkpoint, **form.values())
        except ServiceError as error:
            form.refuse(error)
        else:
            flash(f"{saved.title} has been saved.", "success")
            return redirect(url_for("checkpoint_admin.index"))
    return render_template("checkpoints/admin-checkpoint-form.html", form=form,
                           checkpoint=checkpoint,
                           title=f"Edit {checkpoint.title}" if checkpoint else "Add a checkpoint"
                           ), 400 if form.is_submitted() else 200


@admin_bp.route("/<int:checkpoint_id>/criteria/new", methods=["GET", "POST"])
@admin_bp.route("/criteria/<int:criterion_id>/edit", methods=["GET", "POST"])
@owns("checkpoint_id", Checkpoint, "edit")
@owns("criterion_id", Criterion, "edit")
def edit_criterion(checkpoint=None, criterion=None):
    checkpoint = criterion.checkpoint if criterion else checkpoint
    form = CriterionForm(obj=criterion)
    if criterion is None and not form.is_submitted():
        form.position.data = len(checkpoint.criteria) + 1
    if form.validate_on_submit():
        try:
            checkpoint_service.save_criterion(
                current_user, checkpoint, criterion, key=form.key.data, name=form.name.data,
                guidance=form.guidance.data or "", position=form.position.data)
        except ServiceError as error:
            form.refuse(error)
        else:
            flash(f"Criterion {form.key.data} has been saved.", "success")
            return redirect(url_for("checkpoint_admin.index"))
    return render_template(
        "checkpoints/admin-criterion-form.html", form=form, checkpoint=checkpoint,
        criterion=criterion,
        title=f"Edit {criterion.name}" if criterion else f"Add a criterion to {checkpoint.title}",
    ), 400 if form.is_submitted() else 200


@admin_bp.route("/criteria/<int:criterion_id>/delete", methods=["GET", "POST"])
@owns("criterion_id", Criterion, "edit")
def delete_criterion(criterion):
    if request.method == "GET":
        checkpoint = criterion.checkpoint
        return confirmation_page(
            title=f"Are you sure you want to remove “{criterion.name}” from "
                  f"{checkpoint.title}?",
            consequences=[
                f"Reviewers no longer rate “{criterion.name}” at {checkpoint.title}.",
                "Reviews already signed off keep the ratings they were issued with.",
            ],
            undo_note="To ask for it again, add it as a new criterion.",
            button_text="Remove criterion", form=ConfirmForm(),
            cancel_href=url_for("checkpoint_admin.edit_criterion", criterion_id=criterion.id),
        )
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        checkpoint_service.delete_criterion(current_user, criterion)
    except ServiceError as error:
        flash_refusal(error)
    else:
        flash("The criterion has been removed.", "success")
    return redirect(url_for("checkpoint_admin.index"))
