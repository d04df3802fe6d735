from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from marketplace.access import allow, owns, roles
from marketplace.auth.recent_password import requires_recent_password
from marketplace.confirmation import confirmation_page
from marketplace.models import Agreement, AgreementStatus, Role
from marketplace.policies import may
from marketplace.refusals import is_about_the_input
from marketplace.services import affordability, ending, performance_returns, variations
from marketplace.services import agreements as service
from marketplace.services.errors import Conflict, ServiceError

from . import bp
from .forms import EditAgreementForm, SignForm, StatusForm

# The buttons a CCG sees for a signed agreement: (target status, button text). Signing itself
# is its own page (sign), and the provider's countersignature is the provider's.
ACTIONS = {
    AgreementStatus.DRAFT: [],
    AgreementStatus.AWAITING_COUNTERSIGNATURE: [],
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
    agreements, ends = service.agreements_for_ccg(current_user.organisation)
    return render_template(
        "agreements/index.html",
        agreements=agreements,
        warnings={a.id: service.term_warning(a) for a in agreements},
        expiry=ending.expiry_warnings(agreements, ends),
    )


@bp.route("/new", methods=["GET", "POST"])
def new():
    # Agreements used to be drafted here straight from offers, with no competition and no
    # recorded reason. They now come only from an award: a further competition, or a direct
    # award from the shortlist with its rationale. Old links and bookmarks land there.
    flash("Agreements are made from a procurement: a further competition, or a direct award "
          "from your shortlist with the reason for it. Start buying from a statement of "
          "requirements that is ready; the agreement is drafted from the award.", "info")
    return redirect(url_for("procurements.index"), 303)


def _render_show(agreement, error: str | None = None, status: int = 200, *,
                 read_only: bool = False):
    notice = ending.end_if_notice_ran_out(agreement)
    agreement = service.with_lines(agreement)  # before its terms: they name the KPIs
    current = variations.versions(agreement)[-1]
    return render_template(
        "agreements/show.html",
        agreement=agreement,
        warning=service.term_warning(agreement),
        status_form=StatusForm(formdata=None, data={"lock_version": agreement.lock_version}),
        actions=[] if read_only else ACTIONS[AgreementStatus(agreement.status)],
        error=error,
        editable=not read_only and agreement.status == AgreementStatus.DRAFT,
        for_provider=False,
        read_only=read_only,
        late_returns=performance_returns.late_rows(agreement, end_date=current.terms.end_date),
        expiry=ending.expiry_warning_as_read(agreement, notice, current.terms.end_date),
        ending=notice,
        current=current,
        can_end=not read_only and agreement.status in ending.RUNNING,
    ), status


@bp.route("/<int:agreement_id>")
@allow(roles(Role.CCG_USER, Role.BDU_REVIEWER))
@owns("agreement_id", Agreement)
def show(agreement: Agreement):
    # The BDU follows the market (what CSSs are contracted for): it reads, never acts.
    return _render_show(agreement, read_only=not may(current_user, "edit", agreement))


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


@bp.route("/<int:agreement_id>/sign", methods=["GET", "POST"])
@requires_recent_password("sign this agreement for your CCG")
@owns("agreement_id", Agreement, "edit")
def sign(agreement: Agreement):
    """A confirmation page showing exactly what is signed, then the CCG's signature."""
    form = SignForm(data={"lock_version": agreement.lock_version})
    status = 200
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        try:
            service.sign_for_ccg(current_user, agreement, form.lock_version.data)
        except Conflict:
            raise
        except ServiceError as error:
            if not is_about_the_input(error):
                raise
            form.form_errors.append(error.message)
            status = 400
        else:
            flash(f"You signed agreement {agreement.reference}. {agreement.provider.name} "
                  "now has to countersign it in its own account.", "success")
            return redirect(url_for("agreements.show", agreement_id=agreement.id))
    elif agreement.status != AgreementStatus.DRAFT:
        flash(f"Agreement {agreement.reference} is {agreement.status_label.lower()}: there "
              "is nothing for your CCG to sign.", "info")
        return redirect(url_for("agreements.show", agreement_id=agreement.id))
    service.with_lines(agreement)  # before its terms: they name the lines and KPIs
    return render_template("agreements/sign.html", agreement=agreement, form=form,
                           warning=service.term_warning(agreement), party="ccg",
                           gate=affordability.for_signing(agreement)), status


STATUS_CONSEQUENCES = {
    AgreementStatus.FINAL: [
        "The agreement is recorded as final: its terms stay as signed.",
        "Both parties see it as final; it can still be ended later.",
    ],
    AgreementStatus.ENDED: [
        "The agreement is recorded as ended today, for both parties.",
        "No more performance returns or variations can be made under it.",
    ],
}


def _confirm_status(agreement: Agreement):
    """The GET: which change was chosen (?status=final or ended), what it does; nothing
    changes until the button posts it."""
    back = url_for("agreements.show", agreement_id=agreement.id)
    choices = dict(ACTIONS[AgreementStatus(agreement.status)])
    try:
        target = AgreementStatus(request.args.get("status", ""))
    except ValueError:
        target = None
    if target not in choices:
        flash(f"Agreement {agreement.reference} is {agreement.status_label.lower()}: choose "
              "what to do from its page.", "info")
        return redirect(back)
    verb = {AgreementStatus.FINAL: "record agreement {} as final",
            AgreementStatus.ENDED: "end agreement {}"}[target].format(agreement.reference)
    return confirmation_page(
        title=f"Are you sure you want to {verb}?", consequences=STATUS_CONSEQUENCES[target],
        button_text=choices[target], cancel_href=back,
        form=StatusForm(data={"lock_version": agreement.lock_version}),
        hidden={"status": target.value},
        undo_note="To end it later instead, go back and choose “Give notice on or terminate "
                  "the agreement”." if target is AgreementStatus.ENDED else None,
    )


@bp.route("/<int:agreement_id>/status", methods=["GET", "POST"])
@requires_recent_password("change the status of this agreement")
@owns("agreement_id", Agreement, "edit")
def change_status(agreement: Agreement):
    if request.method == "GET":
        return _confirm_status(agreement)
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
