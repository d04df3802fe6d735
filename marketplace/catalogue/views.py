from collections import defaultdict

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from marketplace.access import PUBLIC, allow, owner_exempt, owns
from marketplace.confirmation import confirmation_page
from marketplace.models import Phase, ServiceSpecification
from marketplace.services import catalogue
from marketplace.services.errors import Conflict, NotFound, ServiceError

from . import bp
from .forms import SpecificationActionForm, SpecificationForm


def _spec_or_404(code: str):
    try:
        return catalogue.get_by_code(code)
    except NotFound:
        abort(404)


@bp.get("/specifications")
@allow(PUBLIC)
def specifications():
    by_phase = defaultdict(list)
    retired = []
    for spec in catalogue.list_specifications():
        (retired if spec.is_retired else by_phase[spec.phase]).append(spec)
    phases = [(phase, by_phase[phase.value]) for phase in Phase if by_phase[phase.value]]
    return render_template(
        "catalogue/specifications.html",
        phases=phases,
        retired=retired,
        offer_counts=catalogue.published_offer_counts(),
    )


@bp.get("/specifications/<code>")
@allow(PUBLIC)
@owner_exempt("the published catalogue is public: every specification, to everybody")
def specification(code: str):
    spec = _spec_or_404(code)
    return render_template(
        "catalogue/specification.html",
        spec=spec,
        offer_count=catalogue.published_offer_counts().get(spec.id, 0),
    )


@bp.get("/admin/specifications")
def manage():
    return _manage()


def _manage(refused: SpecificationActionForm | None = None, spec=None, status: int = 200):
    """The manage page; ``refused``: a button's refusal about ``spec``, shown at its row and
    in the NHS.UK error summary, with ``status`` (409: what the button was for has changed
    or cannot be done to it as it is now)."""
    specs = catalogue.list_specifications()
    return render_template(
        "catalogue/manage.html", specs=specs, used=catalogue.used_ids(specs),
        form=refused, refused_id=spec.id if refused is not None else None,
    ), status


def _form_data(form: SpecificationForm) -> dict:
    return {name: getattr(form, name).data for name in catalogue.FIELDS}


@bp.route("/admin/specifications/new", methods=["GET", "POST"])
def new():
    form = SpecificationForm()
    if form.validate_on_submit():
        try:
            spec = catalogue.create_specification(current_user, _form_data(form))
        except ServiceError as error:
            form.refuse(error)
        else:
            flash(f"{spec.code} {spec.name} is in the catalogue.", "success")
            return redirect(url_for("catalogue.manage"))
    return render_template("catalogue/specification-form.html", form=form, spec=None)


@bp.route("/admin/specifications/<code>/edit", methods=["GET", "POST"])
@owns("code", ServiceSpecification, "edit", find=catalogue.get_by_code, name="spec")
def edit(spec):
    form = SpecificationForm(obj=spec)
    if form.validate_on_submit():
        try:
            catalogue.update_specification(current_user, spec, _form_data(form))
        except ServiceError as error:
            form.refuse(error)
        else:
            flash(f"{spec.code} has been updated.", "success")
            return redirect(url_for("catalogue.manage"))
    return render_template("catalogue/specification-form.html", form=form, spec=spec)


def _act(spec, action, done: str):
    # CSRFProtect checks every POST app-wide, so a bare button form needs no WTForms class.
    try:
        action(current_user, spec)
    except ServiceError as error:
        return _refused(spec, error)
    flash(f"{spec.code} {spec.name} {done}.", "success")
    return redirect(url_for("catalogue.manage"))


def _refused(spec, error: ServiceError):
    """The manage page again, saying why at the specification's row (forbidden and missing go
    on to their app-wide pages). The service's transaction has rolled back already."""
    form = SpecificationActionForm(formdata=None)
    form.refuse(error, field="specification")
    form.specification.id = f"specification-{spec.code}"
    return _manage(form, spec, status=409 if isinstance(error, Conflict) else 400)


@bp.post("/admin/specifications/<code>/retire")
@owns("code", ServiceSpecification, "edit", find=catalogue.get_by_code, name="spec")
def retire(spec):
    return _act(spec, catalogue.retire_specification, "is retired: it takes no new offers")


@bp.post("/admin/specifications/<code>/reinstate")
@owns("code", ServiceSpecification, "edit", find=catalogue.get_by_code, name="spec")
def reinstate(spec):
    return _act(spec, catalogue.reinstate_specification, "takes offers again")


@bp.route("/admin/specifications/<code>/delete", methods=["GET", "POST"])
@owns("code", ServiceSpecification, "edit", find=catalogue.get_by_code, name="spec")
def delete(spec):
    used_by = catalogue.uses(spec)
    if request.method == "GET" and used_by:
        # The link is drawn only for a specification nothing uses; one used since is
        # refused before asking, with what uses it.
        try:
            catalogue.refuse_deleting(spec, used_by)
        except ServiceError as error:
            return _refused(spec, error)
    if request.method == "GET":
        return confirmation_page(
            title=f"Are you sure you want to delete {spec.code} {spec.name}?",
            consequences=[
                f"{spec.code} {spec.name} is taken out of the catalogue for good.",
                "No offer has been made against it, so no prospectus or agreement changes.",
            ],
            undo_note="To bring it back, add it again as a new specification.",
            button_text="Delete specification", cancel_href=url_for("catalogue.manage"),
        )
    return _act(spec, catalogue.delete_specification, "has been deleted")
