from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms.fields import SelectChoice

from marketplace.access import owns
from marketplace.auth.recent_password import requires_recent_password
from marketplace.domain.money import format_money
from marketplace.models import Agreement, AgreementStatus
from marketplace.refusals import is_about_the_input
from marketplace.services import agreements as service
from marketplace.services.errors import Conflict, ServiceError
from marketplace.services.shortlists import parse_offer_ids

from . import bp
from .forms import EditAgreementForm, NewAgreementForm, StatusForm

# The buttons a CCG sees for each status: (target status, button text).
ACTIONS = {
    AgreementStatus.DRAFT: [(AgreementStatus.SIGNED, "Record as signed")],
    AgreementStatus.SIGNED: [
        (AgreementStatus.FINAL, "Record as final"),
        (AgreementStatus.ENDED, "End the agreement"),
    ],
    AgreementStatus.FINAL: [(AgreementStatus.ENDED, "End the agreement")],
    AgreementStatus.ENDED: [],
}


def _terms(form) -> service.AgreementTerms:
    return service.AgreementTerms(
        start_date=form.start_date.data,
        end_date=form.end_date.data,
        annual_value=form.annual_value.data or None,
        value_change_reason=form.value_change_reason.data or "",
    )


def _flash_saved(agreement, message: str) -> None:
    flash(message, "success")
    warning = service.term_warning(agreement)
    if warning:
        flash(warning, "warning")


@bp.route("")
def index():
    agreements = service.agreements_for_ccg(current_user.organisation)
    return render_template(
        "agreements/index.html",
        agreements=agreements,
        warnings={a.id: service.term_warning(a) for a in agreements},
    )


@bp.route("/new", methods=["GET", "POST"])
def new():
    ccg = current_user.organisation
    preselected = [int(value) for value in request.args.getlist("offer") if value.isdigit()]
    form = NewAgreementForm(data=None if request.method == "POST" else {"offer_ids": preselected})
    choices = service.offer_choices(ccg, preselected + (form.offer_ids.data or []))
    form.offer_ids.choices = [
        SelectChoice(
            item.offer.id,
            f"{item.offer.title} – {item.offer.organisation.name} "
            f"{item.offer.prospectus_version.label} – {format_money(item.annual_cost)} a year "
            f"(offer {item.offer.id})",
        )
        for item in choices
    ]
    if form.validate_on_submit():
        # A refusal about the offers belongs next to whichever way they were given.
        offers_field = (
            "offer_numbers"
            if not choices or (form.offer_numbers.data and not form.offer_ids.data)
            else "offer_ids"
        )
        try:
            offer_ids = list(form.offer_ids.data or []) + parse_offer_ids(
                [form.offer_numbers.data or ""]
            )
            agreement = service.create_agreement(current_user, ccg, offer_ids, _terms(form))
        except ServiceError as error:
            form.refuse(error, {"offer": "offer_numbers", "offer_ids": offers_field}.get(
                error.field, error.field
            ))
        else:
            _flash_saved(agreement, f"Draft agreement {agreement.reference} saved.")
            return redirect(url_for("agreements.show", agreement_id=agreement.id))
    status = 400 if request.method == "POST" else 200
    return render_template("agreements/new.html", form=form, has_choices=bool(choices)), status


def _render_show(agreement, error: str | None = None, status: int = 200):
    return render_template(
        "agreements/show.html",
        agreement=agreement,
        warning=service.term_warning(agreement),
        status_form=StatusForm(formdata=None, data={"lock_version": agreement.lock_version}),
        actions=ACTIONS[AgreementStatus(agreement.status)],
        error=error,
        editable=agreement.status == AgreementStatus.DRAFT,
        for_provider=False,
    ), status


@bp.route("/<int:agreement_id>")
@owns("agreement_id", Agreement)
def show(agreement: Agreement):
    return _render_show(agreement)


@bp.route("/<int:agreement_id>/edit", methods=["GET", "POST"])
@owns("agreement_id", Agreement, "edit")
def edit(agreement: Agreement):
    if agreement.status != AgreementStatus.DRAFT:
        flash(
            f"Agreement {agreement.reference} is {agreement.status_label.lower()}: its terms "
            "cannot change any more, only its status.",
            "error",
        )
        return redirect(url_for("agreements.show", agreement_id=agreement.id))
    form = EditAgreementForm(obj=agreement if request.method == "GET" else None)
    status = 200
    if form.validate_on_submit():
        try:
            service.update_agreement(current_user, agreement, form.lock_version.data,
                                     _terms(form))
        except Conflict as error:
            # Show the agreement as it is now, with the change entered, to make it again.
            status = 409
            form.form_errors.append(error.message)
            form.lock_version.data = agreement.lock_version
            form.lock_version.raw_data = [str(agreement.lock_version)]
        except ServiceError as error:
            status = 400
            form.refuse(error)
        else:
            _flash_saved(agreement, f"Agreement {agreement.reference} updated.")
            return redirect(url_for("agreements.show", agreement_id=agreement.id))
    elif request.method == "POST":
        status = 400
    return render_template("agreements/edit.html", form=form, agreement=agreement), status


@bp.post("/<int:agreement_id>/status")
@requires_recent_password("change the status of this agreement")
@owns("agreement_id", Agreement, "edit")
def change_status(agreement: Agreement):
    form = StatusForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        service.change_status(current_user, agreement, form.lock_version.data, form.status.data)
    except Conflict as error:
        return _render_show(agreement, error.message, 409)  # as it is now, to choose again
    except ServiceError as error:
        if not is_about_the_input(error):
            raise
        return _render_show(agreement, error.message, 400)
    flash(f"Agreement {agreement.reference} is now {agreement.status_label.lower()}.", "success")
    return redirect(url_for("agreements.show", agreement_id=agreement.id))
