"""What a CSS sees of its customers: agreements, contracted income and market share; and
where it countersigns (or declines) an agreement a CCG has signed, in its own account."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from marketplace.access import owns
from marketplace.auth.recent_password import requires_recent_password
from marketplace.models import Agreement, AgreementStatus
from marketplace.refusals import is_about_the_input
from marketplace.services import agreements as service
from marketplace.services import (
    contract_record,
    customer_survey,
    ending,
    performance_returns,
    variations,
)
from marketplace.services.errors import Conflict, ServiceError

from . import customers_bp as bp
from .forms import DeclineForm, SignForm


@bp.route("")
def index():
    summary = service.customer_summary(current_user.organisation)
    return render_template(
        "agreements/customers.html",
        summary=summary,
        # Per agreement: KPI figures rated and disputed; the survey only as aggregates.
        records=contract_record.provider_record(current_user.organisation).by_agreement,
        surveys=customer_survey.latest_results(current_user.organisation_id),
        warnings={a.id: service.term_warning(a) for a in summary.agreements},
        expiry=ending.expiry_warnings(summary.agreements, summary.ends),
    )


@bp.route("/agreements/<int:agreement_id>")
@owns("agreement_id", Agreement)
def agreement(agreement: Agreement):
    notice = ending.end_if_notice_ran_out(agreement)
    agreement = service.with_lines(agreement)  # before its terms: they name the KPIs
    current = variations.versions(agreement)[-1]
    return render_template(
        "agreements/show.html",
        agreement=agreement,
        warning=service.term_warning(agreement),
        status_form=None,
        actions=[],
        error=None,
        editable=False,
        for_provider=True,
        read_only=False,
        late_returns=performance_returns.late_rows(agreement, end_date=current.terms.end_date),
        expiry=ending.expiry_warning_as_read(agreement, notice, current.terms.end_date),
        ending=notice,
        current=current,
        can_end=agreement.status in ending.RUNNING,
    )


def _not_awaiting(agreement: Agreement):
    flash(f"Agreement {agreement.reference} is {agreement.status_label.lower()}: there is "
          "nothing for you to countersign.", "info")
    return redirect(url_for("customers.agreement", agreement_id=agreement.id))


@bp.route("/agreements/<int:agreement_id>/countersign", methods=["GET", "POST"])
@requires_recent_password("countersign this agreement")
@owns("agreement_id", Agreement, "countersign")
def countersign(agreement: Agreement):
    form = SignForm(data={"lock_version": agreement.lock_version})
    status = 200
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        try:
            service.countersign(current_user, agreement, form.lock_version.data)
        except Conflict:
            raise
        except ServiceError as error:
            if not is_about_the_input(error):
                raise
            form.form_errors.append(error.message)
            status = 400
        else:
            flash(f"You countersigned agreement {agreement.reference}: it is signed by both "
                  "parties and published as open contracting data.", "success")
            return redirect(url_for("customers.agreement", agreement_id=agreement.id))
    elif agreement.status != AgreementStatus.AWAITING_COUNTERSIGNATURE:
        return _not_awaiting(agreement)
    service.with_lines(agreement)  # before its terms: they name the lines and KPIs
    return render_template("agreements/sign.html", agreement=agreement, form=form,
                           warning=service.term_warning(agreement), party="provider"), status


@bp.route("/agreements/<int:agreement_id>/decline", methods=["GET", "POST"])
@owns("agreement_id", Agreement, "countersign")
def decline(agreement: Agreement):
    if request.method == "GET" and agreement.status != AgreementStatus.AWAITING_COUNTERSIGNATURE:
        return _not_awaiting(agreement)
    form = DeclineForm(data=None if request.method == "POST"
                       else {"lock_version": agreement.lock_version})
    status = 200
    if form.validate_on_submit():
        try:
            service.decline_to_countersign(current_user, agreement, form.lock_version.data,
                                           form.reason.data)
        except Conflict:
            raise
        except ServiceError as error:
            status = 400
            form.refuse(error)
        else:
            flash(f"You declined to countersign agreement {agreement.reference}. "
                  f"{agreement.ccg.name} has it back as a draft, with your reason.", "success")
            return redirect(url_for("customers.agreement", agreement_id=agreement.id))
    elif request.method == "POST":
        status = 400
    return render_template("agreements/decline.html", agreement=agreement, form=form), status
