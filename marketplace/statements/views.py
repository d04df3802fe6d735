from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms.fields import SelectChoice

from marketplace.access import owns
from marketplace.confirmation import confirmation_page
from marketplace.domain.money import format_money
from marketplace.domain.whole_numbers import whole_number
from marketplace.models import PartyStatus, SplitMethod, Statement, StatementLine, StatementParty
from marketplace.services import statements as service
from marketplace.services.buying_common import FieldErrors, lock_version_from
from marketplace.services.errors import Conflict, NotFound, PermissionDenied, ServiceError

from . import bp
from .forms import ActionForm, DetailsForm, LineForm, PartnerForm, split_form_class

NEVER = -1  # a version no statement has: a form without a readable one is refused as stale


def _version(form) -> int:
    version = lock_version_from(form.lock_version.data)
    return NEVER if version is None else version


def _attempt(form, action, field_names: dict | None = None):
    """Run a service call for a form: (result, 200), or (None, status) with each refusal at
    its field. Forbidden and missing go on to the app-wide pages; the service has already
    rolled its transaction back."""
    names = field_names or {}
    try:
        return action(), 200
    except (PermissionDenied, NotFound):
        raise
    except Conflict as error:
        form.form_errors.append(error.message)
        return None, 409
    except ServiceError as error:
        errors = error.errors if isinstance(error, FieldErrors) else [(error.field,
                                                                       error.message)]
        for field, message in errors:
            form.set_error(names.get(field, field), message)
        return None, 400


def _status(form, status: int) -> int:
    if status != 200:
        return status
    return 400 if request.method == "POST" and (form.errors or form.form_errors) else 200


def _fresh_version(form, statement) -> None:
    """After a refusal, keep what was typed but against the version saved now."""
    form.lock_version.data = str(statement.lock_version)
    form.lock_version.raw_data = [str(statement.lock_version)]


@bp.route("")
def index():
    statements = service.statements_for(current_user)
    waiting = [s for s in statements
               if (party := s.party_for(current_user.organisation_id)) is not None
               and not party.is_lead and party.status == PartyStatus.INVITED]
    return render_template("statements/index.html", statements=statements, waiting=waiting,
                           title="Statements of requirements")


@bp.route("/new", methods=["GET", "POST"])
def new():
    form = DetailsForm()
    status = 200
    if form.validate_on_submit():
        statement, status = _attempt(form, lambda: service.create_statement(
            current_user, _details(form)))
        if statement is not None:
            flash("Statement started. Now add the specifications your CCG needs.", "success")
            return redirect(url_for("statements.show", statement_id=statement.id))
    return render_template("statements/details.html", form=form, statement=None,
                           title="Start a statement of requirements"), _status(form, status)


def _details(form) -> service.DetailsInput:
    return service.DetailsInput(title=form.title.data or "", summary=form.summary.data or "",
                                wanted_from=form.wanted_from.data,
                                term_months=form.term_months.data or "")


@bp.route("/<int:statement_id>")
@owns("statement_id", Statement, find=service.statement_with_lines)
def show(statement):
    return _show(statement)


def _show(statement, refused: ActionForm | None = None):
    """The statement's page; ``refused``: a button's form sent back with why, which the
    layout shows in the error summary (status 400)."""
    party = statement.party_for(current_user.organisation_id)
    action = ActionForm(formdata=None, data={"lock_version": str(statement.lock_version)})
    return render_template(
        "statements/show.html", statement=statement, party=party, action=action,
        groups=service.lines_by_ccg(statement), split=service.budget_split(statement),
        editable=statement.status in service.EDITABLE, title=statement.title,
        form=refused), 400 if refused is not None else 200


@bp.route("/<int:statement_id>/details", methods=["GET", "POST"])
@owns("statement_id", Statement, "lead")
def details(statement):
    form = DetailsForm(data={
        "title": statement.title, "summary": statement.summary,
        "wanted_from": statement.wanted_from, "term_months": str(statement.term_months),
        "lock_version": str(statement.lock_version)})
    status = 200
    if form.validate_on_submit():
        changed, status = _attempt(form, lambda: service.update_details(
            current_user, statement, _details(form), _version(form)))
        if status == 200:
            flash("The details have been saved." if changed
                  else "Nothing had changed, so nothing was saved.", "success")
            return redirect(url_for("statements.show", statement_id=statement.id))
        _fresh_version(form, statement)
    return render_template("statements/details.html", form=form, statement=statement,
                           title=f"Details of {statement.title}"), _status(form, status)


def _line_choices(form: LineForm, current, line=None) -> None:
    specifications = list(current)
    if line is not None and line.specification not in specifications:
        specifications.append(line.specification)  # retired since: still its own line
    form.specification_id.choices = [SelectChoice("", "Choose a specification")] + [
        SelectChoice(str(spec.id), f"{spec.name} ({spec.phase_label})")
        for spec in specifications]
    scenario_lines = service.scenario_lines_for(current_user.organisation_id)
    form.scenario_line_id.choices = [SelectChoice("", "No, I will type the budget")] + [
        SelectChoice(str(item.id), f"{item.scenario.name}: {item.service}")
        for item in scenario_lines]


def _id_or_none(value) -> int | None:
    return whole_number(value) if isinstance(value, str) else None


def _line_input(form: LineForm) -> service.LineInput:
    return service.LineInput(
        specification_id=_id_or_none(form.specification_id.data),
        mode=form.mode.data or "", priority=form.priority.data or "",
        population_covered=form.population_covered.data or "",
        activity_per_year=form.activity_per_year.data or "",
        days_per_year=form.days_per_year.data or "",
        local_service_levels=form.local_service_levels.data or "",
        exclusions=form.exclusions.data or "", notes=form.notes.data or "",
        budget_annual=form.budget_annual.data or "",
        scenario_line_id=_id_or_none(form.scenario_line_id.data))


def _line_page(statement, form, line, status):
    specifications = service.current_specifications()
    _line_choices(form, specifications, line)
    return render_template(
        "statements/line.html", statement=statement, form=form, line=line,
        specifications=specifications,
        title=("Change the line for " + line.specification.name) if line
        else f"Add a line to {statement.title}"), _status(form, status)


@bp.route("/<int:statement_id>/lines/new", methods=["GET", "POST"])
@owns("statement_id", Statement)
def line_new(statement):
    chosen = _id_or_none(request.args.get("specification"))
    form = LineForm(data={"lock_version": str(statement.lock_version),
                          "specification_id": str(chosen) if chosen else ""})
    status = 200
    if form.validate_on_submit():
        line, status = _attempt(form, lambda: service.save_line(
            current_user, statement, _line_input(form), _version(form)))
        if line is not None:
            flash(f"The line for {line.specification.name} has been saved.", "success")
            return redirect(url_for("statements.show", statement_id=statement.id,
                                    _anchor=f"line-{line.id}"))
        _fresh_version(form, statement)
    return _line_page(statement, form, None, status)


@bp.route("/<int:statement_id>/lines/<int:line_id>", methods=["GET", "POST"])
@owns("statement_id", Statement)
@owns("line_id", StatementLine, "edit", of="statement")
def line_edit(statement, line):
    form = LineForm(data={
        "lock_version": str(statement.lock_version),
        "specification_id": str(line.specification_id), "mode": line.mode,
        "priority": line.priority,
        "population_covered": str(line.population_covered or ""),
        "activity_per_year": f"{line.activity_per_year.normalize():f}"
        if line.activity_per_year is not None else "",
        "days_per_year": f"{line.days_per_year.normalize():f}"
        if line.days_per_year is not None else "",
        "local_service_levels": "\n".join(f"{level['measure']}: {level['target']}"
                                          for level in line.local_service_levels or []),
        "exclusions": line.exclusions, "notes": line.notes,
        "budget_annual": f"{line.budget_annual:f}" if line.budget_annual is not None
        and line.scenario_line_id is None else "",
        "scenario_line_id": str(line.scenario_line_id or "")})
    status = 200
    if form.validate_on_submit():
        saved, status = _attempt(form, lambda: service.save_line(
            current_user, statement, _line_input(form), _version(form), line=line))
        if saved is not None:
            flash(f"The line for {saved.specification.name} has been saved.", "success")
            return redirect(url_for("statements.show", statement_id=statement.id,
                                    _anchor=f"line-{saved.id}"))
        _fresh_version(form, statement)
    return _line_page(statement, form, line, status)


def _action(statement, call, success: str):
    """A button's action: done, or refused back on the statement's page with the reason in
    the error summary. Forbidden, missing and stale go on to their app-wide pages."""
    form = ActionForm()
    if not form.validate_on_submit():
        expired = ActionForm(formdata=None)
        expired.form_errors.append("The page had expired: please try again.")
        return _show(statement, refused=expired)
    try:
        call(_version(form))
    except ServiceError as error:
        form.refuse(error)
        return _show(statement, refused=form)
    flash(success, "success")
    return redirect(url_for("statements.show", statement_id=statement.id))


def _ask(statement, *, title, consequences, button_text, cancel_href=None, undo_note=None):
    """The GET of a statement's irreversible action: says what will happen, changes nothing."""
    return confirmation_page(
        title=title, consequences=consequences, button_text=button_text, undo_note=undo_note,
        cancel_href=cancel_href or url_for("statements.show", statement_id=statement.id),
        form=ActionForm(data={"lock_version": str(statement.lock_version)}),
    )


@bp.route("/<int:statement_id>/lines/<int:line_id>/remove", methods=["GET", "POST"])
@owns("statement_id", Statement)
@owns("line_id", StatementLine, "edit", of="statement")
def line_remove(statement, line):
    name = line.specification.name
    if request.method == "GET":
        return _ask(
            statement, title=f"Are you sure you want to remove the line for {name}?",
            consequences=[f"The line for {name}, with its volumes, budget and notes, is "
                          f"taken out of {statement.title}.",
                          "CCGs that had confirmed their lines are asked to confirm again."],
            undo_note="To ask for it again, add a new line.", button_text="Remove the line",
            cancel_href=url_for("statements.line_edit", statement_id=statement.id,
                                line_id=line.id))
    return _action(statement, lambda version: service.remove_line(
        current_user, statement, line, version), f"The line for {name} has been removed.")


@bp.route("/<int:statement_id>/confirm", methods=["POST"])
@owns("statement_id", Statement)
def confirm(statement):
    return _action(statement, lambda version: service.confirm_lines(
        current_user, statement, version), "Your CCG's lines are confirmed.")


@bp.route("/<int:statement_id>/decline", methods=["POST"])
@owns("statement_id", Statement)
def decline(statement):
    return _action(statement, lambda version: service.decline(
        current_user, statement, version), "Your CCG has declined to take part.")


@bp.route("/<int:statement_id>/withdraw", methods=["GET", "POST"])
@owns("statement_id", Statement)
def withdraw(statement):
    if request.method == "GET":
        return _ask(
            statement, title=f"Are you sure you want to withdraw {statement.title}?",
            consequences=["Nobody can change or confirm its lines any more, and it cannot "
                          "be used to start buying.",
                          "The CCGs taking part see it as withdrawn."],
            undo_note="To ask again, write a new statement.",
            button_text="Withdraw the statement")
    return _action(statement, lambda version: service.withdraw_statement(
        current_user, statement, version), "The statement has been withdrawn.")


@bp.route("/<int:statement_id>/partners", methods=["GET", "POST"])
@owns("statement_id", Statement, "lead")
def partners(statement):
    form = PartnerForm(data={"lock_version": str(statement.lock_version)})
    status = 200
    if form.validate_on_submit():
        party, status = _attempt(form, lambda: service.invite_partner(
            current_user, statement, _id_or_none(form.ccg_id.data), _version(form)))
        if party is not None:
            flash(f"{party.ccg.name} has been invited. Its users confirm its own lines.",
                  "success")
            return redirect(url_for("statements.partners", statement_id=statement.id))
        _fresh_version(form, statement)
    form.ccg_id.choices = [SelectChoice("", "Choose a CCG")] + [
        SelectChoice(str(ccg.id), f"{ccg.name} ({ccg.pct_cluster})" if ccg.pct_cluster
                     else ccg.name)
        for ccg in service.partner_choices(statement)]
    action = ActionForm(data={"lock_version": str(statement.lock_version)})
    return render_template("statements/partners.html", statement=statement, form=form,
                           action=action, title=f"CCGs taking part in {statement.title}"), \
        _status(form, status)


@bp.route("/<int:statement_id>/partners/<int:party_id>/remove", methods=["GET", "POST"])
@owns("statement_id", Statement)
@owns("party_id", StatementParty, of="statement")
def partner_remove(statement, party):
    if request.method == "GET":
        name = party.ccg.name
        return _ask(
            statement, title=f"Are you sure you want to remove {name} from {statement.title}?",
            consequences=[f"{name} no longer takes part, and its lines are taken out.",
                          f"{name}'s users can no longer see or confirm the statement."],
            undo_note=f"To bring {name} back, invite it again.", button_text=f"Remove {name}",
            cancel_href=url_for("statements.partners", statement_id=statement.id))
    return _action(statement, lambda version: service.remove_partner(
        current_user, statement, party.id, version), "The CCG has been removed.")


@bp.route("/<int:statement_id>/split", methods=["GET", "POST"])
@owns("statement_id", Statement, "lead", find=service.statement_with_lines)
def split(statement):
    parties = service.active_parties(statement)
    form_class = split_form_class(parties)
    data = {"lock_version": str(statement.lock_version),
            "split_method": statement.split_method}
    for party in parties:
        share = party.agreed_share_percent
        data[f"share_{party.id}"] = f"{share.normalize():f}" if share is not None else ""
    form = form_class(data=data)
    status = 200
    if form.validate_on_submit():
        shares = {party.id: getattr(form, f"share_{party.id}").data or "" for party in parties}
        _result, status = _attempt(form, lambda: service.set_split(
            current_user, statement, form.split_method.data or "", shares, _version(form)))
        if status == 200:
            flash("The split has been saved. Each CCG confirms its lines again.", "success")
            return redirect(url_for("statements.show", statement_id=statement.id))
        _fresh_version(form, statement)
    share_fields = [(party, getattr(form, f"share_{party.id}")) for party in parties]
    return render_template("statements/split.html", statement=statement, form=form,
                           share_fields=share_fields, split=service.budget_split(statement),
                           agreed=SplitMethod.AGREED_SHARES.value, format_money=format_money,
                           title=f"Split the budget of {statement.title}"), \
        _status(form, status)
