"""Ending a signed agreement, for both sides: notice or termination at
/agreements/<id>/ending (the CCG) and /customers/agreements/<id>/ending (the provider)."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from marketplace.access import owns
from marketplace.auth.recent_password import requires_recent_password
from marketplace.models import Agreement
from marketplace.services import ending as service
from marketplace.services.errors import Conflict, ServiceError

from . import bp, customers_bp
from .forms import EndingForm


def _end(agreement: Agreement, side: str):
    form = EndingForm(data=None if request.method == "POST"
                      else {"lock_version": agreement.lock_version})
    status = 200
    error = None
    if form.validate_on_submit():
        try:
            ending = service.end(current_user, agreement, form.lock_version.data,
                                 form.kind.data or "", form.reason.data or "")
        except Conflict as conflict:
            status, error = 409, conflict.message
            form = EndingForm(formdata=None, data={"lock_version": agreement.lock_version})
        except ServiceError as refusal:
            status = 400
            form.refuse(refusal)
        else:
            flash(f"Agreement {agreement.reference} ends on "
                  f"{ending.ends_on.day} {ending.ends_on:%B %Y}.", "success")
            return redirect(url_for("customers.agreement" if side == "customers"
                                    else "agreements.show", agreement_id=agreement.id))
    elif request.method == "POST":
        status = 400
    return render_template("agreements/ending.html", agreement=agreement, form=form, side=side,
                           for_provider=side == "customers", error=error,
                           notice_ends_on=service.notice_ends_on(agreement),
                           ending=service.ending_of(agreement)), status


@bp.route("/<int:agreement_id>/ending", methods=["GET", "POST"])
@requires_recent_password("end this agreement")
@owns("agreement_id", Agreement, "party")
def ending(agreement: Agreement):
    return _end(agreement, "agreements")


@customers_bp.route("/agreements/<int:agreement_id>/ending", methods=["GET", "POST"],
                    endpoint="ending")
@requires_recent_password("end this agreement")
@owns("agreement_id", Agreement, "party")
def ending_for_provider(agreement: Agreement):
    return _end(agreement, "customers")
