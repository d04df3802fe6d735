from wtforms import FileField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields import SelectChoice

from marketplace.domain.pricing import PRICING_MODELS
from marketplace.forms import BaseForm

MODEL_CHOICES = [SelectChoice("", "Choose a pricing model")] + [
    SelectChoice(key, label) for key, label in PRICING_MODELS.items()]


class QuestionForm(BaseForm):
    question = TextAreaField(
        "Ask a question", description="The answer is published to every provider who may "
        "respond, with your question. Your organisation is not named.")


class ConfirmForm(BaseForm):
    lock_version = HiddenField()


class AttachmentForm(BaseForm):
    attachment = FileField("Attach a document", description="PDF or OpenDocument (.odt, .ods, "
                           ".odp or .odg), 10 MB or smaller.")


def response_form_class(guides, criteria):
    """Fields for every service's price and every quality criterion's answer."""

    class ResponseForm(BaseForm):
        lock_version = HiddenField()
        summary = TextAreaField("Summary of your response", description="Optional. Shown "
                                "to the buyers first.")

    for guide in guides:
        spec = guide.specification
        setattr(ResponseForm, f"pricing_model_{spec.id}",
                SelectField(f"Pricing model for {spec.name}", choices=MODEL_CHOICES,
                            validate_choice=False))
        setattr(ResponseForm, f"price_{spec.id}", StringField(f"Price for {spec.name} (£)"))
        setattr(ResponseForm, f"estimated_quantity_{spec.id}", StringField(
            "Estimated days or cases a year", description="Only for a day rate or a price per "
            "case."))
    for criterion in criteria:
        setattr(ResponseForm, f"answer_{criterion.id}", TextAreaField(
            f"{criterion.name} ({criterion.weight}%)", description=criterion.guidance or None))
    return ResponseForm


class DecisionQuestionForm(BaseForm):
    question = TextAreaField(
        "Ask about the decision", description="Only the buying CCG reads your question, and "
        "its answer is given to you alone.")
