"""The base form every feature's forms inherit from."""

from flask_wtf import FlaskForm
from wtforms import FieldList, FormField


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def bind_stripped(form, unbound_field, options):
    """Bind a field with whitespace stripped; lists of rows strip inside each row instead
    (WTForms refuses filters on FieldList and FormField)."""
    if not issubclass(unbound_field.field_class, FieldList | FormField):
        filters = unbound_field.kwargs.get("filters", ())
        unbound_field.kwargs["filters"] = (_strip, *filters)
    return unbound_field.bind(form=form, **options)


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

    def error_list(self) -> list[dict]:
        """The NHS.UK error summary's list: each message linking to its field."""
        items = [{"text": message, "href": "#main-content"} for message in self.form_errors]
        for field in self:
            for message in field.errors:
                if isinstance(message, str):
                    items.append({"text": message, "href": f"#{field.id}"})
        return items
