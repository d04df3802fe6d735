from wtforms import RadioField, SelectField, TextAreaField
from wtforms.validators import Length

from marketplace.date_input import UKDateField
from marketplace.domain.customer_survey import QUESTIONS
from marketplace.forms import BaseForm, LockVersionField, whole_number_choice


class OpenSurveyForm(BaseForm):
    checkpoint_id = SelectField(
        "Checkpoint",
        coerce=whole_number_choice,
        validate_choice=False,
        description="Each checkpoint has one customer survey.",
    )
    opens_on = UKDateField(
        "Date the survey opens", missing_message="Enter the date the survey opens"
    )
    closes_on = UKDateField(
        "Date the survey closes",
        description="The last day CCGs can answer.",
        missing_message="Enter the date the survey closes",
    )


class CloseSurveyForm(BaseForm):
    lock_version = LockVersionField()


class AnswerForm(BaseForm):
    """One radio group (1 to 5) and one comment per standard question. The scores are read
    by the service (domain/customer_survey.py), which refuses "٣" or "6" at the field."""

    def rows(self):
        return [
            (question, self[f"score_{question.key}"], self[f"comment_{question.key}"])
            for question in QUESTIONS
        ]

    def scores(self) -> dict[str, str]:
        return {question.key: self[f"score_{question.key}"].data for question in QUESTIONS}

    def comments(self) -> dict[str, str]:
        return {question.key: self[f"comment_{question.key}"].data or "" for question in QUESTIONS}


for _question in QUESTIONS:
    setattr(
        AnswerForm,
        f"score_{_question.key}",
        RadioField(
            _question.text,
            validate_choice=False,
            choices=[
                (str(score), f"{score} – {words}")
                for score, words in sorted(_question.scale.items())
            ],
        ),
    )
    setattr(
        AnswerForm,
        f"comment_{_question.key}",
        TextAreaField(
            f"Comment on {_question.short.lower()} (optional)", validators=[Length(max=2000)]
        ),
    )
