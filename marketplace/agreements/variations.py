"""Variations of a signed agreement, for both sides: the CCG's at /agreements/<id>/variations,
the provider's at /customers/agreements/<id>/variations; the BDU reads the CCG's pages.
``side`` is the blueprint's name, for the links."""

from decimal import Decimal, InvalidOperation

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup

from marketplace import clock
from marketplace.access import allow, owns, roles
from marketplace.models import Agreement, AgreementVariation, Role
from marketplace.policies import may
from marketplace.services import affordability, market_cache
from marketplace.services import variations as service
from marketplace.services.buying_common import FieldErrors
from marketplace.services.errors import Conflict, ServiceError

from . import bp, customers_bp
from .forms import VariationAnswerForm, VariationForm


def _list(agreement: Agreement, side: str):
    service.with_kpis(agreement)
    found = service.variations_of(agreement)
    return render_template(
        "agreements/variations.html", agreement=agreement, side=side,
        for_provider=side == "customers", versions=service.versions(agreement, found),
        variations=found, changes_of=service.changes_of,
        open_proposal=service.open_proposal(agreement, found),
        can_propose=may(current_user, "party", agreement)
        and agreement.status in service.VARIED)


def _gate(agreement: Agreement, side: str, variation: AgreementVariation | None = None):
    """The affordability gate, drawn: every agreement of the CCG costed against its ready
    reckoner's headroom (five statements and three years of sums), the same until the market
    changes, so kept per agreement, variation and day."""
    # The CCG's headroom is its own business: the provider's pages do not show it.
    if side != "agreements":
        return None
    lead = "With this variation agreed" if variation else "As your agreements stand"
    return Markup(market_cache.remembered(
        {"page": "agreements.variation gate", "agreement": agreement.id,
         "variation": variation.id if variation else None,
         "today": clock.today_in_uk().isoformat()},
        lambda: render_template("agreements/kept-gate.html", lead=lead, varied=bool(variation),
                                gate=affordability.for_variation(agreement, variation))))


def _kpi_targets(agreement: Agreement, form: VariationForm) -> tuple[dict, dict]:
    """New targets typed for the agreement's KPIs (blank: unchanged), and what was typed."""
    typed, targets = {}, {}
    for kpi in service.kpis_of(agreement):
        text = (request.form.get(f"kpi_{kpi.id}") or "").strip()[:20]
        typed[kpi.id] = text
        if not text:
            continue
        try:
            value = Decimal(text)
        except InvalidOperation:
            value = None
        if value is None or not value.is_finite():
            form.form_errors.append(f"Enter the new target for {kpi.measure} as a number")
        else:
            targets[kpi.id] = value
    return targets, typed


def _new(agreement: Agreement, side: str):
    service.with_kpis(agreement)
    form = VariationForm()
    status = 200
    targets, typed = _kpi_targets(agreement, form) if request.method == "POST" else ({}, {})
    if form.validate_on_submit() and not form.form_errors:
        try:
            variation = service.propose(current_user, agreement, form.annual_value.amount,
                                        form.end_date.data, form.reason.data or "",
                                        targets or None)
        except FieldErrors as errors:
            status = 400
            for field, message in errors.errors:
                form.set_error(field, message)
        except ServiceError as error:
            status = 400
            form.refuse(error)
        else:
            flash("The variation is proposed. The other party agrees or declines it.", "success")
            return redirect(url_for(f"{side}.variation", agreement_id=agreement.id,
                                    variation_id=variation.id))
    elif request.method == "POST":
        status = 400
    terms = service.current_terms(agreement)
    return render_template("agreements/variation-form.html", agreement=agreement, form=form,
                           side=side, for_provider=side == "customers", terms=terms,
                           kpis=service.kpis_of(agreement), targets=dict(terms.targets),
                           typed=typed, gate=_gate(agreement, side)), status


def _show(agreement: Agreement, variation: AgreementVariation, side: str,
          form: VariationAnswerForm | None = None, status: int = 200,
          error: str | None = None):
    service.with_kpis(agreement)
    can_answer = may(current_user, "answer", variation) and variation.status == "proposed"
    if can_answer and form is None:
        form = VariationAnswerForm(formdata=None, data={"lock_version": variation.lock_version})
    return render_template(
        "agreements/variation.html", agreement=agreement, variation=variation, side=side,
        for_provider=side == "customers", changes=service.changes_of(variation),
        form=form if can_answer else None, error=error,
        gate=_gate(agreement, side, variation) if variation.status == "proposed" else None
    ), status


def _answer(agreement: Agreement, variation: AgreementVariation, side: str):
    form = VariationAnswerForm()
    if not form.validate_on_submit():
        if form.lock_version.errors:
            abort(400)
        return _show(agreement, variation, side, form, 400)
    if form.decision.data not in ("agree", "decline"):
        form.decision.errors = ["Choose whether you agree or decline the variation"]
        return _show(agreement, variation, side, form, 400)
    try:
        service.answer(current_user, variation, form.lock_version.data,
                       form.decision.data == "agree", form.decline_reason.data or "")
    except Conflict as error:
        # Shown as the variation is now (it may have been answered), with why nothing saved.
        return _show(agreement, variation, side, None, 409, error=error.message)
    except ServiceError as error:
        form.refuse(error)
        return _show(agreement, variation, side, form, 400)
    flash(f"You {variation.status} the variation." + (
        f" Agreement {agreement.reference} is now at version {variation.version}."
        if variation.version else ""), "success")
    return redirect(url_for(f"{side}.variation", agreement_id=agreement.id,
                            variation_id=variation.id))


# The CCG's side (and the BDU's, reading).


@bp.route("/<int:agreement_id>/variations")
@allow(roles(Role.CCG_USER, Role.BDU_REVIEWER))
@owns("agreement_id", Agreement)
def variations(agreement: Agreement):
    return _list(agreement, "agreements")


@bp.route("/<int:agreement_id>/variations/new", methods=["GET", "POST"])
@owns("agreement_id", Agreement, "party")
def new_variation(agreement: Agreement):
    return _new(agreement, "agreements")


@bp.route("/<int:agreement_id>/variations/<int:variation_id>")
@allow(roles(Role.CCG_USER, Role.BDU_REVIEWER))
@owns("agreement_id", Agreement)
@owns("variation_id", AgreementVariation, of="agreement")
def variation(agreement: Agreement, variation: AgreementVariation):
    return _show(agreement, variation, "agreements")


@bp.post("/<int:agreement_id>/variations/<int:variation_id>/answer")
@owns("agreement_id", Agreement, "party")
@owns("variation_id", AgreementVariation, "answer", of="agreement")
def answer_variation(agreement: Agreement, variation: AgreementVariation):
    return _answer(agreement, variation, "agreements")


# The provider's side.


@customers_bp.route("/agreements/<int:agreement_id>/variations", endpoint="variations")
@owns("agreement_id", Agreement)
def variations_for_provider(agreement: Agreement):
    return _list(agreement, "customers")


@customers_bp.route("/agreements/<int:agreement_id>/variations/new", methods=["GET", "POST"],
                    endpoint="new_variation")
@owns("agreement_id", Agreement, "party")
def new_variation_for_provider(agreement: Agreement):
    return _new(agreement, "customers")


@customers_bp.route("/agreements/<int:agreement_id>/variations/<int:variation_id>",
                    endpoint="variation")
@owns("agreement_id", Agreement)
@owns("variation_id", AgreementVariation, of="agreement")
def variation_for_provider(agreement: Agreement, variation: AgreementVariation):
    return _show(agreement, variation, "customers")


@customers_bp.post("/agreements/<int:agreement_id>/variations/<int:variation_id>/answer",
                   endpoint="answer_variation")
@owns("agreement_id", Agreement, "party")
@owns("variation_id", AgreementVariation, "answer", of="agreement")
def answer_variation_for_provider(agreement: Agreement, variation: AgreementVariation):
    return _answer(agreement, variation, "customers")
