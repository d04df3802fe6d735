"""What a CSS sees of its customers: agreements, contracted income and market share."""

from flask import render_template
from flask_login import current_user

from marketplace.access import owns
from marketplace.models import Agreement
from marketplace.services import agreements as service

from . import customers_bp as bp


@bp.route("")
def index():
    summary = service.customer_summary(current_user.organisation)
    return render_template(
        "agreements/customers.html",
        summary=summary,
        warnings={a.id: service.term_warning(a) for a in summary.agreements},
    )


@bp.route("/agreements/<int:agreement_id>")
@owns("agreement_id", Agreement)
def agreement(agreement: Agreement):
    return render_template(
        "agreements/show.html",
        agreement=agreement,
        warning=service.term_warning(agreement),
        status_form=None,
        actions=[],
        error=None,
        editable=False,
        for_provider=True,
    )
