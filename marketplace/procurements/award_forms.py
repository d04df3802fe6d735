"""Forms for scoring, moderating and deciding. Scores arrive as typed (validate_choice off)
so that the service, not WTForms, refuses a bad one at its field."""

from wtforms import HiddenField, RadioField, TextAreaField
from wtforms.fields import SelectChoice

from marketplace.domain.procurement import MAX_QUALITY_SCORE
from marketplace.forms import BaseForm

SCORE_WORDS = {0: "no answer, or unacceptable", 1: "poor", 2: "weak", 3: "satisfactory",
               4: "good", 5: "excellent"}
SCORE_CHOICES = [SelectChoice(str(n), f"{n}: {SCORE_WORDS[n]}")
                 for n in range(MAX_QUALITY_SCORE + 1)]


def scores_form_class(criteria):
    """A score and a reason for each quality criterion, and the response's lock version."""

    class ScoresForm(BaseForm):
        lock_version = HiddenField()

    for criterion in criteria:
        setattr(ScoresForm, f"score_{criterion.id}", RadioField(
            f"Score for “{criterion.name}” ({criterion.weight}%)", choices=SCORE_CHOICES,
            validate_choice=False))
        setattr(ScoresForm, f"reason_{criterion.id}", TextAreaField(
            f"Reason for the score for “{criterion.name}”",
            description="What in the response earns this score. Recorded and shown in the "
            "decision letter once moderated."))
    ScoresForm.form = HiddenField()  # carries messages about the form as a whole
    return ScoresForm


class ConfirmForm(BaseForm):
    lock_version = HiddenField()


class AwardForm(BaseForm):
    lock_version = HiddenField()
    bid_id = HiddenField()
    rationale = TextAreaField(
        "Why is this response chosen?", description="Recorded with the decision and quoted in "
        "every bidder's decision letter.")
    departure_reason = TextAreaField(
        "Why not the highest-ranked response?", description="Needed only when this is not the "
        "response that ranked first. Quoted in every letter.")


class NoneSuitableForm(BaseForm):
    lock_version = HiddenField()
    rationale = TextAreaField(
        "Why is none of the responses suitable?", description="Recorded with the decision "
        "and quoted in every bidder's decision letter.")


class DecisionAnswerForm(BaseForm):
    answer = TextAreaField("Your answer", description="Given to the provider who asked, and "
                           "to nobody else.")

