from flask_wtf.file import FileField
from wtforms import SelectField, TextAreaField
from wtforms.validators import DataRequired, Length

from marketplace.forms import BaseForm, LockVersionField, whole_number_choice
from marketplace.models import NARRATIVE_SECTIONS, SCORECARD_PERSPECTIVES


class SubmitForm(BaseForm):
    document_id = SelectField("What are you submitting?", coerce=whole_number_choice,
                              validators=[DataRequired("Choose what to submit")])


class EvidenceForm(BaseForm):
    document = FileField("Evidence document",
                         description="A PDF or OpenDocument file (.odt, .ods, .odp), "
                                     "10 MB or smaller.")


class WorkbookForm(BaseForm):
    workbook = FileField("Completed financial model template (.xlsx)")


class ConditionResponseForm(BaseForm):
    response = TextAreaField("Your response",
                             validators=[DataRequired("Enter your response"), Length(max=5000)])


class ActionDoneForm(BaseForm):
    evidence_note = TextAreaField(
        "What shows this action is done?",
        validators=[DataRequired("Say what shows the action is done"), Length(max=5000)])


class ConfirmForm(BaseForm):
    """Only the CSRF token, for a button that changes something."""


# The grid of figures is read by financial_form.grid_from_form; the form carries CSRF.
FinancialModelForm = ConfirmForm


def _narrative_fields():
    fields = {key: TextAreaField(label, validators=[Length(max=20000)])
              for key, label in NARRATIVE_SECTIONS.items()}
    fields.update({f"scorecard_{key}": TextAreaField(
        f"Balanced scorecard: {label}", validators=[Length(max=5000)],
        description="Measures and targets. Needed at checkpoint 3.")
        for key, label in SCORECARD_PERSPECTIVES.items()})
    fields["lock_version"] = LockVersionField()
    return fields


PlanNarrativeForm = type("PlanNarrativeForm", (BaseForm,), _narrative_fields())
