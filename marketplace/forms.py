"""The base form every feature's forms inherit from."""

from flask_wtf import FlaskForm
from wtforms import FieldList, Form, FormField, IntegerField
from wtforms.validators import InputRequired, NumberRange
from wtforms.widgets import HiddenInput

from .domain.whole_numbers import whole_number
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
        # Given to this binding only: the unbound field is the form class's, shared by every
        # form made from it, so adding to its kwargs would add the filters again each time.
        filters = unbound_field.kwargs.get("filters", ())
        options = {**options, "filters": (_strip, refuse_nul, *filters)}
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


def whole_number_choice(value) -> int:
    """SelectField(coerce=...) for choices keyed by id: int() would take "٣" or "-1"."""
    number = whole_number(value)
    if number is None:
        raise ValueError(f"{str(value)[:20]!r} is not one of the choices")
    return number


class WholeNumberField(IntegerField):
    """An IntegerField read by domain/whole_numbers.py: ASCII digits only, at most a
    PostgreSQL integer, so "٣" is not 3 and 99999999999 is a message at the field rather
    than a database error."""

    def __init__(self, label=None, validators=None, *,
                 message: str = "Enter a whole number, like 12", **kwargs):
        super().__init__(label, validators, **kwargs)
        self.message = message

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        text = valuelist[0].strip() if isinstance(valuelist[0], str) else valuelist[0]
        if text == "":
            super().process_formdata([""])  # blank as WTForms has it: the validators say
            return
        self.data = whole_number(text)
        if self.data is None:
            raise ValueError(self.message)


class LockVersionField(WholeNumberField):
    """The lock_version a form was drawn from (0: the record did not exist yet), sent back
    with the save so that a save based on an older page is refused, not lost."""

    widget = HiddenInput()

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators or [InputRequired(), NumberRange(min=0)], **kwargs)
