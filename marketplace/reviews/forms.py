from wtforms import (
    DateField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from marketplace.domain.checkpoints import scale_choices
from marketplace.forms import BaseForm, WholeNumberField, whole_number_choice
from marketplace.services.checkpoints import outcome_choices


class AssignForm(BaseForm):
    reviewer_id = SelectField("Reviewer", coerce=whole_number_choice,
                              validators=[DataRequired("Choose a reviewer")])


class SignOffForm(BaseForm):
    lock_version = WholeNumberField(widget=HiddenField.widget, validators=[InputRequired()])


class ConditionForm(BaseForm):
    text = TextAreaField("Condition", validators=[DataRequired("Enter the condition"),
                                                  Length(max=5000)])


class ActionForm(BaseForm):
    action = TextAreaField("Development action",
                           validators=[DataRequired("Enter the action"), Length(max=5000)])
    owner = StringField("Owner", validators=[DataRequired("Enter who owns the action"),
                                             Length(max=200)])
    due_date = DateField("Due date", description="For example, 2012-07-31",
                         validators=[DataRequired("Enter a due date as YYYY-MM-DD")])


class DecisionForm(BaseForm):
    decision = RadioField("Decision", choices=[("accept", "Accept"), ("reopen", "Reopen")],
                          validators=[DataRequired("Choose accept or reopen")])
    note = TextAreaField("Note to the CSS", validators=[Optional(), Length(max=5000)],
                         description="Needed when you reopen.")


def review_form_class(checkpoint, merge_choices: list[tuple[int, str]]):
    """A form with a rating and commentary per criterion, built from the checkpoint's data."""
    fields = {
        "lock_version": WholeNumberField(widget=HiddenField.widget, validators=[InputRequired()]),
        "summary": TextAreaField("Summary", validators=[Length(max=10000)]),
        "outcome_code": SelectField(
            "Outcome", choices=[("", "The outcome the ratings give")]
            + outcome_choices(checkpoint.rule_key), validators=[Optional()]),
        "override_reason": TextAreaField(
            "Reason for a different outcome", validators=[Length(max=5000)],
            description="Needed only when you choose an outcome other than the ratings give."),
    }
    if checkpoint.rule_key == "cp3_hosting":
        fields["merge_with_id"] = SelectField(
            "Merge with (for a merge recommendation)", coerce=whole_number_choice,
            choices=[(0, "No merge")] + merge_choices, validators=[Optional()])
    for criterion in checkpoint.criteria:
        fields[f"rating_{criterion.id}"] = RadioField(
            criterion.name, choices=scale_choices(checkpoint.rating_scale),
            description=criterion.guidance, validators=[Optional()])
        fields[f"commentary_{criterion.id}"] = TextAreaField(
            f"Commentary on {criterion.name.lower()}", validators=[Length(max=10000)])
    return type("ReviewForm", (BaseForm,), fields)
