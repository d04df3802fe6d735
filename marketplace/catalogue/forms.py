from wtforms import HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from marketplace.forms import BaseForm
from marketplace.models import Nature, Phase, Scale


class SpecificationForm(BaseForm):
    code = StringField(
        "Code",
        description="Capital letters and numbers, parts joined by hyphens, like BI-01. "
        "Offers and links use it.",
        validators=[DataRequired("Enter a code"), Length(max=20)],
    )
    name = StringField("Name", validators=[DataRequired("Enter a name"), Length(max=200)])
    description = TextAreaField(
        "Description", validators=[DataRequired("Enter a description"), Length(max=5000)]
    )
    phase = SelectField(
        "Phase of the commissioning cycle",
        choices=[(p.value, p.label) for p in Phase],
        validators=[DataRequired("Choose a phase")],
    )
    nature = RadioField(
        "Nature",
        choices=[(n.value, n.label) for n in Nature],
        validators=[DataRequired("Choose whether it is transformational or transactional")],
    )
    scale = RadioField(
        "Natural scale",
        choices=[(s.value, s.label) for s in Scale],
        validators=[DataRequired("Choose the scale it is naturally delivered at")],
    )
    expected_outputs = TextAreaField(
        "Outputs a CCG should expect", description="One per line.",
        validators=[Length(max=5000)],
    )
    expected_service_levels = TextAreaField(
        "Service levels a CCG should expect", description="One per line: the measure and target.",
        validators=[Length(max=5000)],
    )


class SpecificationActionForm(BaseForm):
    """A manage-page button's refusal (retire, reinstate, delete): the message goes at the
    specification's row, whose button carries the field's id, and in the error summary."""

    specification = HiddenField()
