from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields import SelectChoice
from wtforms.validators import InputRequired, Length

from marketplace.date_input import UKDateTimeField
from marketplace.forms import BaseForm, whole_number_choice

ROUTE_CHOICES = [
    SelectChoice("further_competition", "Further competition: publish an opportunity and "
                 "compare responses"),
    SelectChoice("direct_award", "Direct award: choose from the offers on your shortlist"),
]
MAX_QUALITY_ROWS = 6


class LockedForm(BaseForm):
    lock_version = HiddenField()


class RouteForm(LockedForm):
    route = RadioField("How will you buy it?", choices=ROUTE_CHOICES,
                       validators=[InputRequired("Choose a direct award or a further "
                                                 "competition")])
    route_reason = TextAreaField(
        "Why is this route right?",
        description="Recorded with the procurement, and shown to auditors. For a direct award, "
        "say why no competition is needed.",
        validators=[Length(max=4000, message="Keep the reason to 4,000 characters or fewer")])


class DetailsForm(LockedForm):
    title = StringField("Title of the opportunity")
    description = TextAreaField(
        "What providers need to know", description="What you are buying, the outcomes you "
        "want and anything special about the CCGs. The statement's lines are shown with it.")
    budget_shown = BooleanField("Show the budget to providers")
    clarifications_close_at = UKDateTimeField(
        "Last date and time for questions", missing_message="Enter the last date for questions")
    closes_at = UKDateTimeField(
        "Closing date and time", missing_message="Enter the closing date and time",
        description="At least 10 days after you publish.")


def criteria_form_class():
    """Rows for the price criterion and up to six quality criteria; blank rows are left out."""

    class CriteriaForm(LockedForm):
        price_name = StringField("Name", default="Price")
        price_weight = StringField("Weight (%)")

    for index in range(MAX_QUALITY_ROWS):
        setattr(CriteriaForm, f"name_{index}", StringField("Name"))
        setattr(CriteriaForm, f"guidance_{index}", TextAreaField("What a good answer covers"))
        setattr(CriteriaForm, f"weight_{index}", StringField("Weight (%)"))
    CriteriaForm.weights = HiddenField()  # carries the message about the set as a whole
    return CriteriaForm


class EvaluatorsForm(LockedForm):
    user_ids = SelectMultipleField("Evaluators", coerce=whole_number_choice, validate_choice=False)


class InviteesForm(LockedForm):
    open_to = RadioField(
        "Who may respond?",
        choices=[SelectChoice("all", "Every provider with a published offer for these "
                              "services"),
                 SelectChoice("chosen", "Only the providers I choose")],
        validators=[InputRequired("Choose who may respond")])
    organisation_ids = SelectMultipleField("Providers to invite", coerce=whole_number_choice,
                                           validate_choice=False)


class ConfirmForm(LockedForm):
    pass


class CancelForm(LockedForm):
    reason = TextAreaField("Why are you cancelling?", description="Recorded with the "
                           "procurement. A published opportunity is shown as cancelled to "
                           "providers and in the open data.")


class AnswerForm(BaseForm):
    answer = TextAreaField("Your answer", description="Published to every provider who may "
                           "respond, with the question. The provider who asked is not named.")
