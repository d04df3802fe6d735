"""Market change: view -> service (services/market_change.py) -> models."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import HiddenField, RadioField, SelectField, TextAreaField
from wtforms.fields import SelectChoice

from marketplace.access import owns
from marketplace.date_input import UKDateField
from marketplace.extensions import db
from marketplace.forms import BaseForm, whole_number_choice
from marketplace.models import (
    BOARD_DECISION_LABELS,
    Licence,
    LicenceCondition,
    MergerKind,
    Organisation,
)
from marketplace.refusals import attempt
from marketplace.services import market_change as service

from . import bp

NO_CHOICE = [(0, "Choose a CSS")]


def _css_choices(exclude: Organisation | None = None):
    return NO_CHOICE + [
        (o.id, o.name) for o in service.trading_csss() if exclude is None or o.id != exclude.id
    ]


def _chosen(form_field) -> Organisation | None:
    value = form_field.data
    return db.session.get(Organisation, value) if value else None


class BoardDecisionForm(BaseForm):
    decision = RadioField(
        "What the Board decided",
        choices=[SelectChoice(kind.value, label) for kind, label in BOARD_DECISION_LABELS.items()],
    )
    merge_with_id = SelectField(
        "CSS to merge with (if the Board decided a merger)", coerce=whole_number_choice
    )
    decided_on = UKDateField(
        "Date of the Board's decision", missing_message="Enter the date of the Board's decision"
    )
    reasons = TextAreaField("The Board's reasons", description="Optional.")


class LicenceForm(BaseForm):
    granted_on = UKDateField(
        "Date the licence was granted", missing_message="Enter the date the licence was granted"
    )
    condition = TextAreaField(
        "A condition of the licence", description="Optional. Add more once the licence is recorded."
    )
    condition_due_on = UKDateField("Condition due by", description="Optional.")


class ConditionForm(BaseForm):
    condition = TextAreaField("Condition")
    condition_due_on = UKDateField("Due by", description="Optional.")


class MergeForm(BaseForm):
    successor_id = SelectField("The CSS it merges into (the successor)", coerce=whole_number_choice)
    kind = RadioField(
        "Kind of change",
        choices=[
            SelectChoice(MergerKind.MERGER.value, "Merger: the two CSSs combine"),
            SelectChoice(MergerKind.TAKEOVER.value, "Takeover: the successor takes this CSS over"),
        ],
    )
    effective_on = UKDateField(
        "Date it takes effect", missing_message="Enter the date it takes effect"
    )
    confirmed = HiddenField()


@bp.route("")
def index():
    return render_template(
        "market/index.html", rows=service.market_overview(), mergers=service.mergers()
    )


@bp.route("/css/<int:organisation_id>")
@owns("organisation_id", Organisation, "record_market_change")
def css(organisation):
    return render_template(
        "market/css.html",
        organisation=organisation,
        recommendation=service.bdu_recommendation(organisation),
        decisions=service.board_decisions(organisation),
        licences=service.licences(organisation),
        answered=service.conditions_answered_by(organisation),
        merger=service.merger_of(organisation),
        predecessors=service.predecessors_of(organisation),
        condition_form=ConditionForm(),
    )


@bp.route("/css/<int:organisation_id>/board-decision", methods=["GET", "POST"])
@owns("organisation_id", Organisation, "record_market_change")
def board_decision(organisation):
    form = BoardDecisionForm()
    form.merge_with_id.choices = _css_choices(exclude=organisation)
    status = 200
    if form.validate_on_submit():
        saved, status = attempt(
            form,
            lambda: service.record_board_decision(
                current_user,
                organisation,
                decision=form.decision.data or "",
                decided_on=form.decided_on.data,
                reasons=form.reasons.data,
                merge_with=_chosen(form.merge_with_id),
            ),
        )
        if saved is not None:
            flash(f"The Board's decision for {organisation.name} has been recorded.", "success")
            return redirect(url_for("market.css", organisation_id=organisation.id))
    elif request.method == "POST":
        status = 400
    return render_template(
        "market/board-decision.html",
        form=form,
        organisation=organisation,
        recommendation=service.bdu_recommendation(organisation),
    ), status


@bp.route("/css/<int:organisation_id>/licence", methods=["GET", "POST"])
@owns("organisation_id", Organisation, "record_market_change")
def licence(organisation):
    form = LicenceForm()
    status = 200
    if form.validate_on_submit():
        conditions = (
            [(form.condition.data, form.condition_due_on.data)]
            if (form.condition.data or "").strip()
            else []
        )
        saved, status = attempt(
            form,
            lambda: service.grant_licence(
                current_user, organisation, granted_on=form.granted_on.data, conditions=conditions
            ),
        )
        if saved is not None:
            flash(f"{organisation.name}'s licence to operate has been recorded.", "success")
            return redirect(url_for("market.css", organisation_id=organisation.id))
    elif request.method == "POST":
        status = 400
    return render_template("market/licence.html", form=form, organisation=organisation), status


@bp.route("/licences/<int:licence_id>/conditions", methods=["POST"])
@owns("licence_id", Licence, "edit")
def add_condition(licence):
    form = ConditionForm()
    status = 400
    if form.validate_on_submit():
        saved, status = attempt(
            form,
            lambda: service.add_licence_condition(
                current_user, licence, text=form.condition.data, due_on=form.condition_due_on.data
            ),
        )
        if saved is not None:
            flash("The condition has been added to the licence.", "success")
            return redirect(url_for("market.css", organisation_id=licence.organisation_id))
    organisation = licence.organisation
    return render_template(
        "market/css.html",
        organisation=organisation,
        recommendation=service.bdu_recommendation(organisation),
        decisions=service.board_decisions(organisation),
        licences=service.licences(organisation),
        answered=service.conditions_answered_by(organisation),
        merger=service.merger_of(organisation),
        predecessors=service.predecessors_of(organisation),
        condition_form=form,
    ), status


@bp.route("/licence-conditions/<int:licence_condition_id>/met", methods=["POST"])
@owns("licence_condition_id", LicenceCondition, "edit", name="condition")
def condition_met(condition):
    form = BaseForm()
    if form.validate_on_submit():
        done, _status = attempt(
            form, lambda: service.mark_licence_condition_met(current_user, condition)
        )
        if done is not None:
            flash("The condition has been marked as met.", "success")
        else:
            flash(" ".join(form.form_errors) or "Nothing changed.", "error")
    return redirect(url_for("market.css", organisation_id=condition.organisation_id))


@bp.route("/css/<int:organisation_id>/merge", methods=["GET", "POST"])
@owns("organisation_id", Organisation, "record_market_change")
def merge(organisation):
    """Two steps: the form, then a confirmation page saying what will move; only the
    confirmed post moves anything."""
    form = MergeForm()
    form.successor_id.choices = _css_choices(exclude=organisation)
    status = 200
    if form.validate_on_submit():
        successor = _chosen(form.successor_id)
        if form.confirmed.data == "yes":
            saved, status = attempt(
                form,
                lambda: service.merge(
                    current_user,
                    organisation,
                    successor,
                    kind=form.kind.data or "",
                    effective_on=form.effective_on.data,
                ),
            )
            if saved is not None:
                flash(
                    f"{organisation.name} is now recorded as merged into {successor.name}; "
                    "its customers, agreements and open conditions are the successor's.",
                    "success",
                )
                return redirect(url_for("market.css", organisation_id=successor.id))
        elif successor is None:
            form.set_error("successor_id", "Choose the CSS it merges into")
            status = 400
        elif not form.kind.data:
            form.set_error("kind", "Choose a merger or a takeover")
            status = 400
        else:
            form.confirmed.data = "yes"
            return render_template(
                "market/merge-confirm.html",
                form=form,
                organisation=organisation,
                successor=successor,
                preview=service.merge_preview(organisation),
            )
    elif request.method == "POST":
        status = 400
    return render_template("market/merge.html", form=form, organisation=organisation), status
