"""The base form every feature's forms inherit from."""

from flask_wtf import FlaskForm
from wtforms import FieldList, Form, FormField, IntegerField
from wtforms.validators import InputRequired, NumberRange
from wtforms.widgets import HiddenInput

from .refusals import is_about_the_input
from .services.errors import ServiceError
from .validators import refuse_nul


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def bind_stripped(form, unbound_field, options):
    """Bind a field with whitespace stripped and a NUL character refused at the field; lists
    of rows do both inside each row instead (WTForms refuses filters on FieldList and
    FormField)."""
    if not issubclass(unbound_field.field_class, FieldList | FormField):
        filters = unbound_field.kwargs.get("filters", ())
        unbound_field.kwargs["filters"] = (_strip, refuse_nul, *filters)
    return unbound_field.bind(form=form, **options)


class RowForm(Form):
    """One row of a FieldList(FormField(...)): its fields are bound as BaseForm's are."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            return bind_stripped(form, unbound_field, options)


class BaseForm(FlaskForm):
    class Meta:
        def bind_field(self, form, unbound_field, options):
            return bind_stripped(form, unbound_field, options)

    def set_error(self, field_name: str | None, message: str) -> None:
        """Put a service's refusal next to the field it is about (or on the form)."""
        field = getattr(self, field_name, None) if field_name else None
        if field is None:
            self.form_errors.append(message)
        else:
            field.errors = [*field.errors, message]

    def refuse(self, error: ServiceError, field: str | None = None) -> None:
        """Show a service's refusal of this form's input, next to ``field`` if given, else
        the field the service named; any other refusal goes on up to its app-wide page
        (marketplace/refusals.py)."""
        if not is_about_the_input(error):
            raise error
        self.set_error(field or error.field, error.message)

    def error_list(self) -> list[dict]:
        """The NHS.UK error summary's list: each message linking to its field."""
        items = [{"text": message, "href": "#main-content"} for message in self.form_errors]
        for field in self:
            for message in field.errors:
                if isinstance(message, str):
                    items.append({"text": message, "href": f"#{field.id}"})
        return items


class LockVersionField(IntegerField):
    """The lock_version a form was drawn from (0: the record did not exist yet), sent back
    with the save so that a save based on an older page is refused, not lost."""

    widget = HiddenInput()

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators or [InputRequired(), NumberRange(min=0)], **kwargs)
