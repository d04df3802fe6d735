from wtforms import SelectMultipleField

from marketplace.forms import BaseForm
from marketplace.models import NotificationKind


class EmailChoicesForm(BaseForm):
    kinds = SelectMultipleField(
        "Email me when",
        choices=[(kind.value, kind.label) for kind in NotificationKind],
        description="You see every notification here whichever you choose. Select all that "
                    "apply.")
