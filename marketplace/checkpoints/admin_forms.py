from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from marketplace.domain.checkpoints import RATING_SCALES, RULES
from marketplace.forms import BaseForm, WholeNumberField
from marketplace.models import Role, SubmissionKind


class CheckpointForm(BaseForm):
    number = WholeNumberField("Number", validators=[
        DataRequired("Enter the checkpoint number"), NumberRange(min=1, max=99)])
    name = StringField("Name", validators=[DataRequired("Enter a name"), Length(max=200)])
    description = TextAreaField("Description", validators=[Length(max=5000)])
    submission_kind = SelectField("What CSSs submit",
                                  choices=[(k.value, k.label) for k in SubmissionKind])
    rule_key = SelectField("Outcome rule", choices=[(k, r.name) for k, r in RULES.items()])
    rating_scale = SelectField(
        "Rating scale",
        choices=[(key, ", ".join(m.label for m in scale)) for key, scale in RATING_SCALES.items()])
    reviewer_role = SelectField("Reviewed by", choices=[
        (Role.BDU_REVIEWER.value, Role.BDU_REVIEWER.label),
        (Role.PEER_REVIEWER.value, Role.PEER_REVIEWER.label)])
    due_date = DateField("Submissions due", validators=[Optional()],
                         description="For example, 2012-11-30")
    results_date = DateField("Results due", validators=[Optional()])
    requires_scorecard = BooleanField("A balanced scorecard is required")

    FIELDS = ("number", "name", "description", "submission_kind", "rule_key", "rating_scale",
              "reviewer_role", "due_date", "results_date", "requires_scorecard")

    def values(self) -> dict:
        return {name: self[name].data for name in self.FIELDS} | {
            "description": self.description.data or ""}


class CriterionForm(BaseForm):
    key = StringField("Key", description="Lower case letters and underscores, like leadership",
                      validators=[DataRequired("Enter a key"), Length(max=60),
                                  Regexp(r"^[a-z][a-z0-9_]*$", message="Use lower case letters, "
                                         "digits and underscores, starting with a letter")])
    name = StringField("Name", validators=[DataRequired("Enter a name"), Length(max=200)])
    guidance = TextAreaField("Guidance for reviewers", validators=[Length(max=5000)])
    position = WholeNumberField("Position in the list", default=1,
                                validators=[DataRequired("Enter a position"), NumberRange(min=1)])
