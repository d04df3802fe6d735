from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length, StopValidation

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


def one_of_the_choices(message: str):
    """A select's value must be one of its choices (blank: any), else ``message`` at the
    field: a shared link with a value no longer listed, or a hand-made one."""
    def check(form, field):
        if field.data is None:  # not in the URL: any
            field.data = ""
        elif field.data not in {value for value, _label in field.choices}:
            field.data = ""
            raise StopValidation(message)
    return check


class AuditFilterForm(BaseForm):
    class Meta:
        csrf = False  # a GET filter: nothing changes

    # Chosen from lists of plain labels (the view fills the choices); the values in the URL
    # are the event kind's key, the record's type and ids, so a filtered list can be shared.
    action = SelectField("What happened", validators=[one_of_the_choices(
        "Choose what happened from the list")], validate_choice=False)
    object_type = SelectField("Kind of record", validators=[one_of_the_choices(
        "Choose a kind of record from the list")], validate_choice=False)
    actor = SelectField("Who did it", validators=[one_of_the_choices(
        "Choose a person from the list")], validate_choice=False)
    organisation = SelectField("Their organisation", validators=[one_of_the_choices(
        "Choose an organisation from the list")], validate_choice=False)
