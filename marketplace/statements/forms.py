from wtforms import HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields import SelectChoice

from marketplace.date_input import UKDateField
from marketplace.forms import BaseForm
from marketplace.models import IntendedMode, Priority, SplitMethod


class LockedForm(BaseForm):
    # Read by the service (lock_version_from): text, so "٣" or "1e3" is simply no version.
    lock_version = HiddenField()


class DetailsForm(LockedForm):
    title = StringField("Title", description="Say what the statement is for, like "
                        "“Commissioning support from April 2013”.")
    summary = TextAreaField(
        "Summary", description="What you need overall, and anything providers should know "
        "about your CCG or CCGs.")
    wanted_from = UKDateField("When the support should start",
                              description="Leave blank if not yet known.")
    term_months = StringField(
        "Term in months", default="18",
        description="Guidance in 2012 was service level agreements of at most 18 months.")


class LineForm(LockedForm):
    specification_id = SelectField("Specification", choices=[], validate_choice=False)
    mode = RadioField("Will you do it, buy it or share it?",
                      choices=[SelectChoice(m.value, m.label) for m in IntendedMode],
                      default=IntendedMode.BUY.value, validate_choice=False)
    priority = RadioField("Priority", choices=[SelectChoice(p.value, p.label) for p in Priority],
                          default=Priority.MEDIUM.value, validate_choice=False)
    population_covered = StringField(
        "Population covered", description="Leave blank for your CCG's whole registered "
        "population.")
    activity_per_year = StringField(
        "Activity a year (cases)", description="For services priced by the case, like "
        "individual funding requests. Leave blank if not relevant.")
    days_per_year = StringField(
        "Days a year", description="For services priced by the day. Leave blank if not "
        "relevant.")
    local_service_levels = TextAreaField(
        "Local service levels", description="On top of the specification's own. One a line, "
        "a measure and a target separated by a colon, like “Monthly dashboard: by the 10th "
        "working day”.")
    exclusions = TextAreaField("Exclusions", description="What you do not want included.")
    notes = TextAreaField("Notes")
    budget_annual = StringField(
        "Budget a year (£)", description="What your CCG can spend on this a year. Leave blank "
        "if you take it from a scenario below, or do not know yet.")
    scenario_line_id = SelectField(
        "Take the budget from a scenario", choices=[], validate_choice=False,
        description="The line's annual cost in one of your scenarios becomes this budget, and "
        "the scenario line shows it is used here.")


class PartnerForm(LockedForm):
    ccg_id = SelectField("CCG to invite", choices=[], validate_choice=False)


def split_form_class(parties):
    """The split method and one share box per CCG taking part."""

    class SplitForm(LockedForm):
        split_method = RadioField(
            "How should the budget and the cost be split?",
            choices=[SelectChoice(m.value, m.label) for m in SplitMethod],
            validate_choice=False)
        shares = HiddenField()  # carries the message about the shares as a whole

    for party in parties:
        setattr(SplitForm, f"share_{party.id}", StringField(
            f"{party.ccg.name}: agreed share (%)"))
    return SplitForm


class ActionForm(LockedForm):
    """Confirm, decline, withdraw or remove: a button and the version it was drawn from."""
