"""WTForms validators shared by every feature's forms."""

from email_validator import EmailNotValidError, validate_email
from wtforms.validators import ValidationError

from .domain.inputs import NUL, NUL_MESSAGE


class EmailAddress:
    """A well-formed email address. The demo accounts use the reserved .test domain, which
    email-validator refuses unless told this is a test environment; we never check
    deliverability, so allowing it costs nothing."""

    def __init__(self, message: str = "Enter an email address in the correct format, "
                 "like name@example.nhs.uk"):
        self.message = message

    def __call__(self, form, field):
        try:
            validate_email(field.data or "", check_deliverability=False, test_environment=True)
        except EmailNotValidError as error:
            raise ValidationError(self.message) from error




def refuse_nul(value):
    """A field filter (every BaseForm field has it): a NUL in the text is an error at the
    field, before any validator or service sees the value (PostgreSQL cannot store it)."""
    values = value if isinstance(value, list | tuple) else [value]
    if any(isinstance(item, str) and NUL in item for item in values):
        raise ValueError(NUL_MESSAGE)
    return value
