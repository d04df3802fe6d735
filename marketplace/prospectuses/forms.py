from wtforms import (
    DateField,
    DecimalField,
    FieldList,
    FormField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from marketplace.domain.pricing import MAX_MINIMUM_TERM_MONTHS, MINIMUM_TERM_PROBLEM
from marketplace.forms import (
    BaseForm,
    LockVersionField,
    RowForm,
    WholeNumberField,
    whole_number_choice,
)
from marketplace.models import DeliveryModel, PricingModel
from marketplace.services.prospectuses import (
    MAX_CONTENT_LENGTH,
    MAX_DESCRIPTION_LENGTH,
    MAX_SERVICE_LEVEL_LENGTH,
    MAX_TITLE_LENGTH,
    OFFER_REQUIRED,
)

SERVICE_LEVEL_ROWS = 5


def _text(label, description=None, max_length=MAX_CONTENT_LENGTH):
    return TextAreaField(label, description=description, validators=[Length(max=max_length)])


class ProspectusForm(BaseForm):
    lock_version = LockVersionField()
    vision = _text("Vision", "What you offer CCGs and why they should choose you.")
    operating_model = _text("Operating model", "How you are organised to deliver: local teams, "
                            "shared services, partners.")
    geography = _text("Geography", "Where you work.")
    ccgs_served = SelectMultipleField(
        "CCGs served", coerce=whole_number_choice, option_widget=CheckboxInput(),
        widget=ListWidget(),
        validators=[Optional()],
    )
    leadership_team = _text("Leadership team", "Names and roles, one a line.")
    partnerships = _text("Partnerships", "Other CSSs, local authorities, independent and "
                         "voluntary sector partners.")


class ServiceLevelForm(RowForm):
    measure = StringField("Measure", validators=[Length(max=MAX_SERVICE_LEVEL_LENGTH)])
    target = StringField("Target", validators=[Length(max=MAX_SERVICE_LEVEL_LENGTH)])


class OfferForm(BaseForm):
    specification_id = SelectField(
        "Service specification", coerce=whole_number_choice,
        validators=[DataRequired(OFFER_REQUIRED["specification_id"])],
    )
    title = StringField(
        "Title", validators=[DataRequired(OFFER_REQUIRED["title"]),
                             Length(max=MAX_TITLE_LENGTH)],
    )
    description = TextAreaField(
        "Description", description="What the CCG gets, and how.",
        validators=[Length(max=MAX_DESCRIPTION_LENGTH)],
    )
    delivery_model = RadioField(
        "Delivery model", choices=[(m.value, m.label) for m in DeliveryModel],
        validators=[DataRequired(OFFER_REQUIRED["delivery_model"])],
    )
    pricing_model = RadioField(
        "Pricing model", choices=[(m.value, m.label) for m in PricingModel],
        validators=[DataRequired(OFFER_REQUIRED["pricing_model"])],
    )
    price = DecimalField(
        "Price in pounds",
        description="Per head of population a year, per year, per day or per case, as the "
        "pricing model says. For example 9.50.",
        places=2,
        validators=[InputRequired(OFFER_REQUIRED["price"])],
    )
    estimated_quantity = DecimalField(
        "Estimated days or cases a year",
        description="Only for a day rate (days) or a per-case price (cases).",
        validators=[Optional()],
    )
    minimum_term_months = WholeNumberField(
        "Minimum term in months",
        validators=[
            InputRequired(OFFER_REQUIRED["minimum_term_months"]),
            NumberRange(0, MAX_MINIMUM_TERM_MONTHS, MINIMUM_TERM_PROBLEM),
        ],
    )
    available_from = DateField("Available from", validators=[Optional()])
    service_levels = FieldList(FormField(ServiceLevelForm),
                               min_entries=SERVICE_LEVEL_ROWS, max_entries=10)


class EditOfferForm(OfferForm):
    lock_version = LockVersionField()


class PublishForm(BaseForm):
    lock_version = LockVersionField()
    change_note = TextAreaField(
        "What changed in this version (optional)", validators=[Length(max=MAX_CONTENT_LENGTH)]
    )


class WithdrawForm(BaseForm):
    reason = TextAreaField("Why are you withdrawing it? (optional)",
                           validators=[Length(max=1000)])
