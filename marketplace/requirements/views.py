from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from marketplace.refusals import is_about_the_input
from marketplace.services import requirements as service
from marketplace.services.errors import Conflict, ServiceError

from . import bp
from .forms import RequirementsForm


def _row_data(specification, requirement) -> dict:
    if requirement is None:
        return {"specification_id": specification.id, "lock_version": 0, "needed": ""}
    return {
        "specification_id": specification.id,
        "lock_version": requirement.lock_version,
        "needed": "yes" if requirement.needed else "no",
        "priority": requirement.priority,
        "intended_mode": requirement.intended_mode,
        "notes": requirement.notes,
    }


def _specification_id(row) -> int | None:
    value = str(row.form.specification_id.data or "")
    return int(value) if value.isdigit() else None


def _answers(form: RequirementsForm) -> list[service.RequirementAnswer]:
    answers = []
    for row in form.rows:
        data = row.form
        specification_id = _specification_id(row)
        if specification_id is None:
            continue
        answers.append(
            service.RequirementAnswer(
                specification_id=specification_id,
                needed={"yes": True, "no": False}.get(data.needed.data),
                priority=data.priority.data,
                intended_mode=data.intended_mode.data,
                notes=data.notes.data or "",
                lock_version=data.lock_version.data,
            )
        )
    return answers


def _show_current_locks(form: RequirementsForm, ccg) -> None:
    """After a conflict: keep the answers entered, against the versions now saved."""
    saved = service.requirements_by_specification(ccg)
    for row in form.rows:
        requirement = saved.get(_specification_id(row))
        version = requirement.lock_version if requirement is not None else 0
        row.form.lock_version.data = version
        row.form.lock_version.raw_data = [str(version)]


@bp.route("", methods=["GET", "POST"])
def index():
    ccg = current_user.organisation
    specifications = service.current_specifications()
    existing = service.requirements_by_specification(ccg)
    if request.method == "POST":
        form = RequirementsForm()
    else:
        form = RequirementsForm(
            data={"rows": [_row_data(spec, existing.get(spec.id)) for spec in specifications]}
        )
    conflict = False
    if form.validate_on_submit():
        try:
            changed = service.save_requirements(current_user, ccg, _answers(form))
        except Conflict as error:
            conflict = True
            form.form_errors.append(error.message)
            _show_current_locks(form, ccg)
        except ServiceError as error:
            if not is_about_the_input(error):
                raise
            form.set_error(None, error.message)  # it names its row: shown at the top
        else:
            flash(
                "Your requirements have been saved."
                if changed
                else "Nothing had changed, so nothing was saved.",
                "success",
            )
            return redirect(url_for("requirements.index"))
    by_id = {spec.id: spec for spec in specifications}
    rows = [
        (row, by_id[_specification_id(row)]) for row in form.rows if _specification_id(row) in by_id
    ]
    intention = service.ccg_intentions([ccg.id])[ccg.id]
    return render_template(
        "requirements/index.html",
        form=form,
        rows=rows,
        intention=intention,
        specification_count=len(specifications),
        title="Your requirements",
    ), (409 if conflict else 200 if not form.errors and not form.form_errors else 400)
