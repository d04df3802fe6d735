from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from marketplace.access import owns
from marketplace.auth.recent_password import requires_recent_password
from marketplace.extensions import db
from marketplace.models import AuditEvent, Organisation, OrganisationKind, User
from marketplace.pagination import paginate
from marketplace.services import accounts, audit_words
from marketplace.services.errors import ServiceError

from . import bp
from .forms import AuditFilterForm, EditUserForm, NewUserForm

AUDIT_PAGE_SIZE = 50


def _organisation_choices():
    # Bare columns: every organisation (3,019 at seed-demo --scale 100) as a model object
    # took longer than the rest of the page together.
    labels = {kind.value: kind.label for kind in OrganisationKind}
    return [(org_id, f"{name} ({labels.get(kind, kind)})") for org_id, name, kind in
            db.session.execute(select(Organisation.id, Organisation.name, Organisation.kind)
                               .order_by(Organisation.name))]


@bp.route("/users")
def users():
    query = (request.args.get("q") or "").strip().lower()
    statement = select(User).join(User.organisation).order_by(User.email)
    if query:
        like = f"%{query}%"
        statement = statement.where(
            User.email.ilike(like) | User.full_name.ilike(like) | Organisation.name.ilike(like)
        )
    return render_template(
        "admin/users.html", users=db.session.scalars(statement).all(), query=query
    )


@bp.route("/users/new", methods=["GET", "POST"])
@requires_recent_password("add a user")
def new_user():
    form = NewUserForm()
    form.organisation_id.choices = _organisation_choices()
    if form.validate_on_submit():
        try:
            user = accounts.create_user(
                current_user,
                email=form.email.data,
                full_name=form.full_name.data,
                role=form.role.data,
                organisation=db.session.get(Organisation, form.organisation_id.data),
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
    form.organisation_id.choices = _organisation_choices()
    if form.validate_on_submit():
        try:
            accounts.update_user(
                current_user,
                user,
                role=form.role.data,
                organisation=db.session.get(Organisation, form.organisation_id.data),
                active=form.active.data,
            )
        except ServiceError as error:
            form.refuse(error)
        else:
            flash(f"{user.email} has been updated.", "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/user-form.html", form=form, user=user)


@bp.route("/audit-events")
def audit_events():
    form = AuditFilterForm(request.args)
    statement = (
        select(AuditEvent)
        .options(selectinload(AuditEvent.actor), selectinload(AuditEvent.organisation))
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
    )
    if form.action.data:
        statement = statement.where(AuditEvent.action.ilike(f"%{form.action.data}%"))
    if form.object_type.data:
        statement = statement.where(AuditEvent.object_type.ilike(f"%{form.object_type.data}%"))
    if form.actor.data:
        statement = statement.join(AuditEvent.actor).where(
            User.email.ilike(f"%{form.actor.data}%")
        )
    # Typed, not chosen from a list: a list of every organisation (3,019 at seed-demo
    # --scale 100) made the page 270 KB and 65 times slower to serve than the sign-in page.
    if form.organisation.data:
        statement = statement.join(AuditEvent.organisation).where(
            Organisation.name.ilike(f"%{form.organisation.data}%")
        )
    page = paginate(statement, per_page=AUDIT_PAGE_SIZE)
    filters = {key: value for key, value in request.args.items() if key != "page" and value}
    return render_template("admin/audit-events.html", form=form, page=page, filters=filters,
                           described=audit_words.describe_all(page.items))
