from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from marketplace.access import owns
from marketplace.confirmation import confirmation_page
from marketplace.domain.whole_numbers import whole_number
from marketplace.extensions import db
from marketplace.forms import BaseForm
from marketplace.models import (
    Offer,
    Organisation,
    OrganisationKind,
    ProspectusVersion,
    ServiceSpecification,
)
from marketplace.refusals import flash_refusal
from marketplace.services import prospectuses
from marketplace.services.errors import Conflict, NotFound, ServiceError
from marketplace.services.prospectuses import OFFER_FIELD_LABELS, OfferInvalid

from . import bp
from .forms import (
    SERVICE_LEVEL_ROWS,
    EditOfferForm,
    OfferForm,
    ProspectusForm,
    PublishForm,
    WithdrawForm,
)

PUBLISHED_IS_IMMUTABLE = (
    "Published versions cannot be changed. Change the offer in your draft, then publish a "
    "new version."
)


def _organisation() -> Organisation:
    return current_user.organisation


def _show_current_lock(form, lock_version: int) -> None:
    """After a conflict: keep what the person entered, but against the version now saved,
    so that saving again (having looked) goes through."""
    form.lock_version.data = lock_version
    form.lock_version.raw_data = [str(lock_version)]


@bp.get("")
def overview():
    organisation = _organisation()
    draft = prospectuses.draft_for(organisation.id, with_content=True)
    versions = prospectuses.versions_for(organisation.id)
    current = prospectuses.published_of(versions)  # named, without its content
    return render_template(
        "prospectuses/overview.html",
        organisation=organisation,
        draft=draft,
        current=current,
        versions=versions,
    )


def _ccg_choices(organisation: Organisation):
    ccgs = db.session.scalars(
        select(Organisation).where(Organisation.kind == OrganisationKind.CCG)
        .order_by(Organisation.region_id != organisation.region_id, Organisation.name)
    )
    return [(ccg.id, ccg.name) for ccg in ccgs]


@bp.route("/edit", methods=["GET", "POST"])
def edit():
    organisation = _organisation()
    draft = prospectuses.draft_for(organisation.id)
    form = ProspectusForm(obj=draft)
    form.ccgs_served.choices = _ccg_choices(organisation)
    if request.method == "GET":
        form.ccgs_served.data = [ccg.id for ccg in draft.ccgs_served] if draft else []
        form.lock_version.data = draft.lock_version if draft else 0
    status = 200
    if form.validate_on_submit():
        try:
            prospectuses.save_draft(
                current_user, organisation, lock_version=form.lock_version.data,
                content={name: getattr(form, name).data for name in prospectuses.CONTENT_FIELDS},
                ccg_ids=form.ccgs_served.data or [],
            )
        except Conflict as error:
            status = 409
            form.form_errors.append(error.message)
            current = prospectuses.draft_for(organisation.id)
            _show_current_lock(form, current.lock_version if current else 0)
        except ServiceError as error:
            status = 400
            form.refuse(error)
        else:
            flash("Your draft prospectus has been saved. Publish it when it is ready.", "success")
            return redirect(url_for("prospectuses.overview"))
    elif form.is_submitted():
        status = 400
    return render_template("prospectuses/edit.html", form=form,
                           organisation=organisation), status


def _specification_choices(current_id: int | None = None):
    specs = db.session.scalars(
        select(ServiceSpecification).order_by(ServiceSpecification.code)
    )
    choices = [(0, "Choose a specification")]
    for spec in specs:
        if spec.is_retired and spec.id != current_id:
            continue
        suffix = " (retired)" if spec.is_retired else ""
        choices.append((spec.id, f"{spec.code} {spec.name}{suffix}"))
    return choices


def _offer_data(form: OfferForm) -> dict:
    data = {name: getattr(form, name).data for name in (
        "specification_id", "title", "description", "delivery_model", "pricing_model", "price",
        "estimated_quantity", "minimum_term_months", "available_from",
    )}
    data["service_levels"] = [dict(entry.data) for entry in form.service_levels]
    return data


def _show_errors(form: OfferForm, error: ServiceError) -> None:
    if not isinstance(error, OfferInvalid):
        form.refuse(error)
        return
    for field, message in error.errors:
        form.set_error(field, message)


def _pad_service_levels(form: OfferForm) -> None:
    while len(form.service_levels) < SERVICE_LEVEL_ROWS:
        form.service_levels.append_entry()


@bp.route("/offers/new", methods=["GET", "POST"])
def new_offer():
    form = OfferForm()
    form.specification_id.choices = _specification_choices()
    if request.method == "GET":
        form.specification_id.data = whole_number(request.args.get("specification", ""))
    status = 200
    if form.validate_on_submit():
        try:
            offer = prospectuses.add_offer(current_user, _organisation(), _offer_data(form))
        except ServiceError as error:
            status = 400
            _show_errors(form, error)
        else:
            flash(f"{offer.title} has been added to your draft.", "success")
            return redirect(url_for("prospectuses.overview"))
    elif form.is_submitted():
        status = 400
    return render_template("prospectuses/offer-form.html", form=form, offer=None), status


def _own_version(number: int) -> ProspectusVersion:
    # Versions are numbered per provider: the URL's number is one of the user's own.
    return prospectuses.get_version(current_user.organisation_id, number)


@bp.route("/offers/<int:offer_id>/edit", methods=["GET", "POST"])
@owns("offer_id", Offer, "edit")
def edit_offer(offer):
    offer_id = offer.id  # read now: a conflict may come from its removal meanwhile
    if not offer.is_draft:
        flash(PUBLISHED_IS_IMMUTABLE, "error")
        return redirect(url_for("prospectuses.overview"), code=303)
    form = EditOfferForm(obj=offer)
    form.specification_id.choices = _specification_choices(offer.specification_id)
    if request.method == "GET":
        form.service_levels.entries = []
        for level in offer.service_levels or []:
            form.service_levels.append_entry(level)
        _pad_service_levels(form)
    status = 200
    if form.validate_on_submit():
        try:
            prospectuses.update_offer(current_user, offer, _offer_data(form),
                                      lock_version=form.lock_version.data)
        except Conflict as error:
            if db.session.get(Offer, offer_id) is None:  # removed meanwhile: nothing to redo
                flash(error.message, "error")
                return redirect(url_for("prospectuses.overview"), code=303)
            status = 409
            form.form_errors.append(error.message)
            _show_current_lock(form, offer.lock_version)
        except ServiceError as error:
            status = 400
            _show_errors(form, error)
        else:
            flash(f"{offer.title} has been saved in your draft.", "success")
            return redirect(url_for("prospectuses.overview"))
    elif form.is_submitted():
        status = 400
    return render_template("prospectuses/offer-form.html", form=form, offer=offer), status


@bp.route("/offers/<int:offer_id>/remove", methods=["GET", "POST"])
@owns("offer_id", Offer, "edit")
def remove_offer(offer):
    if request.method == "GET" and not offer.is_draft:
        flash(PUBLISHED_IS_IMMUTABLE, "error")
        return redirect(url_for("prospectuses.overview"), code=303)
    form = BaseForm()
    if not form.validate_on_submit():  # the GET, or a POST without its token: ask first
        return confirmation_page(
            title=f"Are you sure you want to remove {offer.title} from your draft?",
            consequences=[
                f"{offer.title} and its service levels are taken out of your draft prospectus.",
                "Your published prospectus does not change until you publish the draft.",
            ],
            undo_note="To offer it again, add it to your draft as a new offer.",
            button_text="Remove offer", cancel_href=url_for("prospectuses.overview"),
            form=form, status=400 if form.is_submitted() else 200,
        )
    title = offer.title
    try:
        prospectuses.remove_offer(current_user, offer)
    except ServiceError as error:
        flash_refusal(error)
    else:
        flash(f"{title} has been removed from your draft.", "success")
    return redirect(url_for("prospectuses.overview"))


@bp.route("/publish", methods=["GET", "POST"])
def publish():
    organisation = _organisation()
    draft = prospectuses.draft_for(organisation.id, with_content=True)
    if draft is None:
        flash("Write your prospectus before publishing it.", "error")
        return redirect(url_for("prospectuses.overview"))
    form = PublishForm()
    if request.method == "GET":
        form.lock_version.data = draft.lock_version
    status = 200
    if form.validate_on_submit():
        try:
            version = prospectuses.publish(
                current_user, organisation, lock_version=form.lock_version.data,
                change_note=form.change_note.data or "",
            )
        except Conflict as error:
            # Show what is there now (perhaps the version just published), to confirm again.
            status = 409
            form.form_errors.append(error.message)
            _show_current_lock(form, draft.lock_version)
        except ServiceError as error:
            status = 400
            form.refuse(error)
        else:
            flash(f"Version {version.number} of your prospectus is published.", "success")
            return redirect(url_for("prospectuses.versions"))
    elif form.is_submitted():
        status = 400
    current = prospectuses.current_version(organisation.id, with_content=True)
    diff = prospectuses.compare(current, draft) if current else None
    return render_template(
        "prospectuses/publish.html", form=form, draft=draft, current=current, diff=diff,
        labels={**prospectuses.CONTENT_LABELS, **OFFER_FIELD_LABELS},
    ), status


@bp.get("/versions")
def versions():
    organisation = _organisation()
    versions = prospectuses.versions_for(organisation.id)
    return render_template(
        "prospectuses/versions.html",
        organisation=organisation,
        versions=versions,
        offer_counts=prospectuses.offer_counts(versions),
    )


@bp.route("/versions/<int:number>/withdraw", methods=["GET", "POST"])
@owns("number", ProspectusVersion, "withdraw", find=_own_version, name="version")
def withdraw(version):
    form = WithdrawForm()
    if request.method == "GET" or not form.validate_on_submit():
        return confirmation_page(
            title=f"Are you sure you want to withdraw version {version.number} "
                  "of your prospectus?",
            consequences=[
                f"The {len(version.offers)} offers in version {version.number} stop appearing "
                "in search and cannot be added to shortlists or statements.",
                "Agreements already signed for them carry on.",
                "CCGs see the version as withdrawn, with your reason if you give one.",
            ],
            undo_note="To offer again, publish a new version from your draft.",
            button_text=f"Withdraw version {version.number}",
            cancel_href=url_for("prospectuses.versions"), form=form, fields=["reason"],
            status=400 if form.is_submitted() else 200,
        )
    # Withdrawing a version that is no longer the published one is a Conflict: the 409 page.
    prospectuses.withdraw(current_user, version, form.reason.data or "")
    flash(f"Version {version.number} is withdrawn: its offers no longer appear in search.",
          "success")
    return redirect(url_for("prospectuses.versions"))


@bp.get("/compare")
def compare():
    """Two versions side by side; "draft" stands for the draft, for its own provider only."""
    organisation = _organisation()
    sources = {}
    for name in ("from", "to"):
        value = request.args.get(name, "")
        if value == "draft":
            sources[name] = prospectuses.draft_for(organisation.id)
        elif (number := whole_number(value)) is not None:
            try:
                sources[name] = prospectuses.get_version(organisation.id, number)
            except NotFound:
                abort(404)
        else:
            sources[name] = None
        if sources[name] is None:
            flash("Choose two versions to compare.", "error")
            return redirect(url_for("prospectuses.versions"))
    return render_template(
        "prospectuses/compare.html",
        old=sources["from"], new=sources["to"],
        diff=prospectuses.compare(sources["from"], sources["to"]),
        labels={**prospectuses.CONTENT_LABELS, **OFFER_FIELD_LABELS},
        back=url_for("prospectuses.versions"),
    )
