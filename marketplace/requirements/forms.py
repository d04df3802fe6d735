from wtforms import FieldList, FormField, HiddenField, SelectField, TextAreaField
from wtforms.fields import SelectChoice
from wtforms.validators import Length

from marketplace.forms import BaseForm, LockVersionField
from marketplace.models import IntendedMode, Priority

NEEDED_CHOICES = [
    SelectChoice("", "Not answered yet"),
    SelectChoice("yes", "Yes, we need it"),
    SelectChoice("no", "No"),
]


class RequirementRowForm(BaseForm):
    """One specification's answer. Rendered inside a fieldset whose legend names it."""

    class Meta:
        csrf = False  # the page's form carries the token

    specification_id = HiddenField()
    lock_version = LockVersionField()  # 0: not answered when the page was drawn
    needed = SelectField("Do you need it?", choices=NEEDED_CHOICES)
    priority = SelectField("Priority", choices=[SelectChoice(p.value, p.label) for p in Priority])
    intended_mode = SelectField(
        "How you intend to get it", choices=[SelectChoice(m.value, m.label) for m in IntendedMode]
    )
    notes = TextAreaField(
        "Notes", validators=[Length(max=2000, message="Keep notes to 2,000 characters or fewer")]
    )


class RequirementsForm(BaseForm):
    class Meta:
        def bind_field(self, form, unbound_field, options):
            # BaseForm strips whitespace by adding a filter to every field, which the
            # enclosures refuse; the enclosed fields get it themselves.
            if issubclass(unbound_field.field_class, FieldList | FormField):
                return unbound_field.bind(form=form, **options)
            return super().bind_field(form, unbound_field, options)

    rows = FieldList(FormField(RequirementRowForm))

    def error_list(self) -> list[dict]:
        # The rows' errors sit one level down; link each to its own field.
        items = [{"text": message, "href": "#main-content"} for message in self.form_errors]
        for row in self.rows:
            for field in row.form:
                for message in field.errors:
                    items.append({"text": message, "href": f"#{field.id}"})
        return items
