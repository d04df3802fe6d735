from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from marketplace.forms import BaseForm
from marketplace.models import Role
from marketplace.security import MIN_PASSWORD_LENGTH
from marketplace.validators import EmailAddress

ROLE_CHOICES = [(role.value, role.label) for role in Role]


class UserForm(BaseForm):
    role = SelectField("Role", choices=ROLE_CHOICES, validators=[DataRequired("Choose a role")])
    # Typed, not chosen from a list: a list of every organisation (3,019 at seed-demo
    # --scale 100) made the page 250 KB. The view finds the organisation (organisation_named).
    organisation_name = StringField(
        "Organisation",
        description="Its full name as the marketplace spells it, or its ODS code (for "
        "example 05A).",
        validators=[DataRequired("Enter the user's organisation"), Length(max=200)],
    )


class NewUserForm(UserForm):
    full_name = StringField(
        "Full name", validators=[DataRequired("Enter the user's full name"), Length(max=200)]
    )
    email = EmailField(
        "Email address",
        validators=[DataRequired("Enter an email address"), EmailAddress()],
    )
    password = PasswordField(
        "Temporary password",
        description=f"{MIN_PASSWORD_LENGTH} characters or more. Tell the user to change it.",
        validators=[
            DataRequired("Enter a temporary password"),
            Length(min=MIN_PASSWORD_LENGTH, message=f"Password must be {MIN_PASSWORD_LENGTH} "
                   "characters or more"),
        ],
    )


class EditUserForm(UserForm):
    active = BooleanField("Account is active (the user can sign in)")


class AuditFilterForm(BaseForm):
    class Meta:
        csrf = False  # a GET filter: nothing changes

    action = StringField("Action", validators=[Optional()])
    object_type = StringField("Object type", validators=[Optional()])
    actor = StringField("User email", validators=[Optional()])
    organisation = StringField("Organisation name", validators=[Optional()])
