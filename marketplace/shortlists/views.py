from flask import Response, flash, redirect, render_template, request, url_for
from flask_login import current_user

from marketplace.access import owns
from marketplace.confirmation import confirmation_page
from marketplace.models import ShortlistEntry
from marketplace.security import is_safe_next
from marketplace.services import shortlists as service
from marketplace.services.errors import NotFound, ServiceError

from . import bp, exports
from .forms import AddToShortlistForm, RemoveFromShortlistForm

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _back(form_next: str | None):
    return redirect(form_next if is_safe_next(form_next) else url_for("shortlists.index"))


@bp.route("")
def index():
    return _shortlists_page()


def _shortlists_page(refused: AddToShortlistForm | None = None):
    """``refused``: an offer number that could not be added, with the reason at its field
    and in the error summary; the form is open so the person can correct it."""
    ccg = current_user.organisation
    return render_template(
        "shortlists/index.html",
        shortlists=service.shortlist_views(ccg),
        population=ccg.population,
        add_form=refused or AddToShortlistForm(formdata=None),
        form=refused,
        max_compared=service.MAX_COMPARED,
    ), 400 if refused else 200


@bp.post("/add")
def add():
    """The "Add to shortlist" button on offer and search pages posts here."""
    form = AddToShortlistForm()
    if not form.validate_on_submit():
        return _shortlists_page(refused=form)
    try:
        shortlist, added = service.add_offer(
            current_user, current_user.organisation, form.offer_id.data
        )
    except NotFound:
        raise  # no such published offer: the 404 page, though the refusal names its field
    except ServiceError as error:
        form.refuse(error, "offer_id")
        return _shortlists_page(refused=form)
    name = shortlist.specification.name
    flash(
        f"Added to your shortlist for {name}."
        if added
        else f"That offer is already on your shortlist for {name}.",
        "success",
    )
    return _back(form.next.data)


@bp.route("/entries/<int:entry_id>/remove", methods=["GET", "POST"])
@owns("entry_id", ShortlistEntry, "edit")
def remove(entry):
    form = RemoveFromShortlistForm()
    if not form.validate_on_submit():  # the GET, or a POST without its token: ask first
        offer = entry.offer
        name = f"{offer.title} from {offer.organisation.name}"
        return confirmation_page(
            title=f"Are you sure you want to take {name} off your shortlist?",
            consequences=[
                f"{name} is no longer on your shortlist for {offer.specification.name}.",
                "Nothing changes for the provider, and no agreement or competition changes.",
            ],
            undo_note="To shortlist it again, add it from the offer's page.",
            button_text="Take it off the shortlist",
            cancel_href=url_for("shortlists.index"),
            form=form,
            status=400 if form.is_submitted() else 200,
        )
    offer = service.remove_entry(current_user, current_user.organisation, entry.id)
    flash(f"{offer.title} from {offer.organisation.name} was taken off your shortlist.", "success")
    return redirect(url_for("shortlists.index"))


def _comparison():
    """The comparison for ?offer=... or the error to show instead."""
    try:
        offer_ids = service.parse_offer_ids(request.args.getlist("offer"))
        return service.compare(current_user.organisation, offer_ids), None
    except ServiceError as error:
        return None, error


@bp.route("/compare")
def compare():
    comparison, error = _comparison()
    offer_ids = [row.offer.id for row in comparison.offers] if comparison else []
    status = 200 if error is None else (404 if isinstance(error, NotFound) else 400)
    return render_template(
        "shortlists/compare.html",
        comparison=comparison,
        error=error,
        offer_ids=offer_ids,
        shortlisted=service.shortlisted_offer_ids(current_user.organisation),
        max_compared=service.MAX_COMPARED,
    ), status


def _export(render, extension: str, mimetype: str):
    comparison, error = _comparison()
    if error is not None:
        return render_template(
            "shortlists/compare.html",
            comparison=None,
            error=error,
            offer_ids=[],
            shortlisted=set(),
            max_compared=service.MAX_COMPARED,
        ), (404 if isinstance(error, NotFound) else 400)
    disposition = f'attachment; filename="{exports.filename(comparison, extension)}"'
    return Response(
        render(comparison), mimetype=mimetype, headers={"Content-Disposition": disposition}
    )


@bp.route("/compare.csv")
def compare_csv():
    return _export(exports.comparison_csv, "csv", "text/csv; charset=utf-8")


@bp.route("/compare.xlsx")
def compare_xlsx():
    return _export(exports.comparison_xlsx, "xlsx", XLSX_MIMETYPE)
