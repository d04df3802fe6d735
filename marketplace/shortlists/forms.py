from wtforms import HiddenField
from wtforms.validators import DataRequired

from marketplace.forms import BaseForm, WholeNumberField


class AddToShortlistForm(BaseForm):
    offer_id = WholeNumberField(
        "Offer number",
        description="Every published offer has a number, shown with it.",
        validators=[DataRequired("Enter the number of an offer to shortlist")],
    )
    next = HiddenField()


class RemoveFromShortlistForm(BaseForm):
    """Only the CSRF token: the entry is in the URL."""
