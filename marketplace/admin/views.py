from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager

from marketplace.access import owns
from marketplace.auth.recent_password import requires_recent_password
from marketplace.extensions import db
from marketplace.models import AuditEvent, Organisation, User
from marketplace.pagination import page_number, paginate, paginate_counted
from marketplace.services import accounts, audit_words, market_cache
from marketplace.services.errors import ServiceError

from . import bp
from .forms import AuditFilterForm, EditUserForm, NewUserForm

AUDIT_PAGE_SIZE = 50
USERS_PAGE_SIZE = 50


NO_SUCH_ORGANISATION = ("No organisation has that name or ODS code: check the spelling, "
                        "or enter its ODS code")


def organisation_named(form) -> Organisation | None:
    """The organisation the form's organisation_name field names, by its full name or its ODS
    code, either in any case; None, with the refusal at the field, if there is none."""
    typed = (form.organisation_name.data or "").strip()
    found = db.session.scalar(select(Organisation).where(
        (func.lower(Organisation.name) == typed.lower())
        | (func.upper(Organisation.ods_code) == typed.upper())
    ).order_by(Organisation.id).limit(1)) if typed else None
    if found is None:
        form.set_error("organisation_name", NO_SUCH_ORGANISATION)
    return found


@bp.route("/users")
def users():
    query = (request.args.get("q") or "").strip().lower()
    statement = (select(User).join(User.organisation).options(contains_eager(User.organisation))
                 .order_by(User.email, User.id))
    if query:
        like = f"%{query}%"
        statement = statement.where(
            User.email.ilike(like) | User.full_name.ilike(like) | Organisation.name.ilike(like)
        )
    page = paginate(statement, per_page=USERS_PAGE_SIZE)
    return render_template("admin/users.html", page=page, query=query,
                           filters={"q": query} if query else {})


@bp.route("/users/new", methods=["GET", "POST"])
@requires_recent_password("add a user")
def new_user():
    form = NewUserForm()
    if form.validate_on_submit() and (organisation := organisation_named(form)) is not None:
        try:
            user = accounts.create_user(
                current_user,
                email=form.email.data,
                full_name=form.full_name.data,
                role=form.role.data,
                organisation=organisation,
                password=form.password.data,
            )
        except ServiceError as error:
            form.refuse(error)
        else:
            flash(f"{user.email} can now sign in.", "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/user-form.html", form=form, user=None)


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@requires_recent_password("change this user")
@owns("user_id", User, "edit")
def edit_user(user):
    form = EditUserForm(
        obj=user,
        data=None if request.method == "POST" else {"active": user.is_active_user},
    )
    if request.method != "POST":
        form.organisation_name.data = user.organisation.name
    if form.validate_on_submit() and (organisation := organisation_named(form)) is not None:
        try:
            accounts.update_user(
                current_user,
                user,
                role=form.role.data,
                organisation=organisation,
                active=form.active.data,
            )
        except ServiceError as error:
            form.refuse(error)
        else:
            flash(f"{user.email} has been updated.", "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/user-form.html", form=form, user=user)


def _audit_choices(form: AuditFilterForm) -> None:
    """The filter's lists: every event kind with words; the kinds of record, the people and
    the organisations that the trail names (not every organisation: 3,019 at seed-demo
    --scale 100 made a page of 270 KB), each by its name. The last three are read from the
    whole trail, which grows by an event with every change, so they are kept until the next
    one (services/market_cache.py: its token moves with every audit event)."""
    any_ = [("", "Any")]
    form.action.choices = any_ + audit_words.kind_choices()
    named = market_cache.remembered({"question": "audit trail names"}, _named_in_the_trail)
    form.object_type.choices = any_ + [tuple(pair) for pair in named["types"]]
    form.actor.choices = any_ + [tuple(pair) for pair in named["people"]]
    form.organisation.choices = any_ + [tuple(pair) for pair in named["organisations"]]


def _named_in_the_trail() -> dict:
    types = db.session.scalars(select(AuditEvent.object_type).distinct())
    people = db.session.execute(
        select(User.id, User.full_name, Organisation.name)
        .join(User.organisation)
        .where(User.id.in_(select(AuditEvent.actor_id).distinct()))
        .order_by(User.full_name, Organisation.name, User.id))
    organisations = db.session.execute(
        select(Organisation.id, Organisation.name)
        .where(Organisation.id.in_(select(AuditEvent.organisation_id).distinct()))
        .order_by(Organisation.name, Organisation.id))
    return {
        "types": sorted(((kind, audit_words.record_label(kind)) for kind in types),
                        key=lambda pair: pair[1]),
        "people": [(str(id_), f"{name} ({organisation})") for id_, name, organisation in people],
        "organisations": [(str(id_), name) for id_, name in organisations],
    }


@bp.route("/audit-events")
def audit_events():
    form = AuditFilterForm(request.args)
    _audit_choices(form)
    # A value not in its list is refused at its field (400) and not applied; the others are.
    status = 200 if form.validate() else 400
    statement = (
        # The actors and organisations come with the objects the events name
        # (audit_words.describe_all), in one query each.
        select(AuditEvent)
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
    )
    if form.action.data:
        statement = statement.where(AuditEvent.action == form.action.data)
    if form.object_type.data:
        statement = statement.where(AuditEvent.object_type == form.object_type.data)
    if form.actor.data:
        statement = statement.where(AuditEvent.actor_id == int(form.actor.data))
    if form.organisation.data:
        statement = statement.where(AuditEvent.organisation_id == int(form.organisation.data))
    filters = {field.name: field.data for field in form if field.data}
    # The trail changes only by an audit event, and each one moves the market's generation:
    # a page of it is kept, as drawn, until the next.
    table = market_cache.remembered(
        {"page": "admin.audit_events", "filters": filters,
         "number": page_number(request.args)},
        lambda: _audit_table(statement, filters))
    return render_template("admin/audit-events.html", form=form,
                           table=Markup(table)), status


def _audit_table(statement, filters: dict) -> str:
    page = paginate_counted(statement, per_page=AUDIT_PAGE_SIZE)
    return render_template("admin/audit-table.html", page=page, filters=filters,
                           described=audit_words.describe_all(page.items))
