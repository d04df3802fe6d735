from datetime import date
from decimal import Decimal, InvalidOperation

from flask_wtf.file import FileField
from wtforms import (
    DateField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Length, ValidationError
from wtforms.widgets import HiddenInput

from marketplace.date_input import UKDateField
from marketplace.domain.inputs import money_problem
from marketplace.domain.service_levels import Direction, Frequency, Unit
from marketplace.forms import BaseForm, LockVersionField


class DayField(DateField):
    """A date input whose messages say which date is wrong, as the NHS.UK pattern asks."""

    def __init__(self, label, missing_message: str, **kwargs):
        super().__init__(label, **kwargs)
        self.type = "DateField"  # render_field draws a date input for this type
        self.missing_message = missing_message

    def process_formdata(self, valuelist):
        text = " ".join(valuelist).strip() if valuelist else ""
        if not text:
            self.data = None
            return
        try:
            self.data = date.fromisoformat(text)
        except ValueError:
            self.data = None
            raise ValueError(f"{self.label.text} must be a real date, like 2013-04-01") from None

    def pre_validate(self, form):
        if self.data is None and not self.process_errors:
            raise ValidationError(self.missing_message)


class AgreementTermsForm(BaseForm):
    start_date = DayField("Start date", "Enter the start date")
    end_date = DayField(
        "End date",
        "Enter the end date",
        description="The last day the agreement covers. The NHS Commissioning Board's 2012 "
        "guidance is at most 18 months.",
    )
    annual_value = StringField(
        "Agreed annual value (£)",
        description="Leave blank to use what the winning bid comes to for your CCG.",
    )
    value_change_reason = TextAreaField(
        "Reason for a different annual value",
        description="Needed when the agreed value differs from the value the offers come to.",
        validators=[Length(max=2000, message="Keep the reason to 2,000 characters or fewer")],
    )


class EditAgreementForm(AgreementTermsForm):
    lock_version = LockVersionField()


class StatusForm(BaseForm):
    lock_version = LockVersionField()
    status = HiddenField()  # the pressed button's value


class SignForm(BaseForm):
    lock_version = LockVersionField()


class DeclineForm(BaseForm):
    lock_version = LockVersionField()
    reason = TextAreaField(
        "Why are you not countersigning?",
        description="The CCG sees this. Say what would need to change, for example the dates "
        "or a line's value.",
        validators=[Length(max=2000, message="Keep the reason to 2,000 characters or fewer")],
    )


UNIT_CHOICES = [(unit.value, unit.label) for unit in Unit]
DIRECTION_CHOICES = [(direction.value, direction.label) for direction in Direction]
FREQUENCY_CHOICES = [(frequency.value, frequency.label) for frequency in Frequency]


class KpiForm(BaseForm):
    """One service level of an agreement line; the service checks the ranges for the unit."""

    lock_version = LockVersionField()
    line_id = SelectField("Line of the agreement", coerce=int, validate_choice=False)
    measure = StringField(
        "What is measured",
        description="For example, “Monthly dashboard delivered” or “Queries answered "
        "within 2 days”.",
        validators=[Length(max=200, message="Keep what is measured to 200 characters or "
                                            "fewer")],
    )
    unit = SelectField("Unit", choices=UNIT_CHOICES, validate_choice=False)
    target = StringField(
        "Target",
        description="A number in the unit: 0 to 100 for a percentage, 0 to 999999.99 "
        "otherwise, at most two decimal places.",
    )
    direction = RadioField("Which is better?", choices=DIRECTION_CHOICES,
                           validate_choice=False)
    tolerance = StringField(
        "Tolerance",
        description="How far short of the target still counts as within tolerance, in the "
        "same unit (percentage points for a percentage). Leave blank for none.",
    )
    frequency = RadioField("How often it is reported", choices=FREQUENCY_CHOICES,
                           validate_choice=False,
                           description="Quarterly service levels are reported in the "
                           "return for every third month of the agreement.")


class RemoveKpiForm(BaseForm):
    lock_version = LockVersionField()


def return_form(kpis, formdata=None, **data) -> BaseForm:
    """A form with a figure and a commentary for each KPI due in the month."""

    class ReturnForm(BaseForm):
        period = IntegerField(widget=HiddenInput())

    for kpi in kpis:
        range_hint = ("0 to 100" if kpi.unit == Unit.PERCENT.value else "0 to 999999.99")
        setattr(ReturnForm, f"figure_{kpi.id}", StringField(
            f"{kpi.measure}: figure in {kpi.unit_label.lower()}",
            description=f"Target {kpi.target_text} ({kpi.direction_label.lower()}). "
            f"A number from {range_hint}, at most two decimal places."))
        setattr(ReturnForm, f"commentary_{kpi.id}", TextAreaField(
            f"{kpi.measure}: commentary (optional)",
            validators=[Length(max=2000, message="Keep the commentary to 2,000 characters "
                                                 "or fewer")]))
    return ReturnForm(formdata=formdata, data=data) if formdata is not None else ReturnForm(
        data=data)


class ReviewFigureForm(BaseForm):
    lock_version = LockVersionField()
    decision = RadioField("Do you accept this figure?", choices=[
        ("accepted", "Accept the figure"), ("disputed", "Dispute the figure")],
        validate_choice=False)
    reason = TextAreaField(
        "Why do you dispute it?",
        description="Needed to dispute. The provider sees this and resubmits the figure.",
        validators=[Length(max=2000, message="Keep the reason to 2,000 characters or fewer")])


class ReturnWorkbookForm(BaseForm):
    period = IntegerField(widget=HiddenInput())
    workbook = FileField("Completed return spreadsheet (.xlsx)",
                         description="Downloaded from this page, with the figures in column E.")


# Service reviews: the date the NHS.UK way, who attended, notes, and up to ACTION_ROWS actions
# (rows left blank are no action; a page without JavaScript cannot add rows, so it offers
# enough for one meeting).
ACTION_ROWS = 5


class ServiceReviewForm(BaseForm):
    held_on = UKDateField("Date of the review", missing_message="Enter the date of the review")
    attendees = TextAreaField("Who attended", description="Names and organisations, one a line",
                              validators=[Length(max=2000)])
    notes = TextAreaField("Notes", description="What was discussed and agreed (optional)",
                          validators=[Length(max=10000)])

    def action_rows(self):
        return [(number, getattr(self, f"action_{number}_description"),
                 getattr(self, f"action_{number}_owner"), getattr(self, f"action_{number}_due"))
                for number in range(1, ACTION_ROWS + 1)]


for _number in range(1, ACTION_ROWS + 1):
    setattr(ServiceReviewForm, f"action_{_number}_description",
            TextAreaField(f"Action {_number}", validators=[Length(max=1000)]))
    setattr(ServiceReviewForm, f"action_{_number}_owner",
            StringField(f"Owner of action {_number}", validators=[Length(max=200)]))
    setattr(ServiceReviewForm, f"action_{_number}_due",
            UKDateField(f"Date action {_number} is due"))


class ActionDoneForm(BaseForm):
    lock_version = LockVersionField()


class VariationForm(BaseForm):
    annual_value = StringField(
        "New annual value (£)", description="Leave blank to keep the current annual value.")
    end_date = UKDateField(
        "New end date", description="The last day the agreement would cover. Leave blank to "
        "keep the current end date. A varied agreement runs at most 18 months from its start.")
    reason = TextAreaField("Why vary the agreement?", validators=[
        Length(max=2000, message="Keep the reason to 2,000 characters or fewer")])

    def validate_annual_value(self, field):
        field.amount = None
        text = (field.data or "").replace(",", "").replace("£", "").strip()
        if not text:
            return
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise ValidationError("Enter the new annual value as an amount, like 125000") \
                from None
        problem = money_problem(amount) if amount.is_finite() else "Enter an amount"
        if problem:
            raise ValidationError(problem)
        field.amount = amount


class VariationAnswerForm(BaseForm):
    lock_version = LockVersionField()
    decision = RadioField("Your answer", choices=[
        ("agree", "Agree: the agreement is varied"),
        ("decline", "Decline the variation")],
        validate_choice=False)
    decline_reason = TextAreaField("If you decline, why?", validators=[
        Length(max=2000, message="Keep the reason to 2,000 characters or fewer")])


class EndingForm(BaseForm):
    lock_version = LockVersionField()
    kind = RadioField("How do you want to end the agreement?", choices=[
        ("notice", "Give notice: the agreement ends when the notice runs out"),
        ("termination", "Terminate it today, saying why")], validate_choice=False)
    reason = TextAreaField("Reason", description="Needed to terminate; optional with notice.",
                           validators=[Length(max=2000, message="Keep the reason to 2,000 "
                                                                "characters or fewer")])
