"""A provider's prospectus: its versions and offers are its CSS leaders' to change.

Another provider's offer or version (draft or not) answers 404 on the prospectus pages, as
if it did not exist; published offers are shown to everybody by the public catalogue pages,
which are exempt from ownership.
"""

from marketplace.models import Offer, ProspectusVersion

from .people import leader_of
from .rules import declare


def _own(user, obj) -> bool:
    return leader_of(user, obj.organisation_id)


declare(Offer, view=_own, edit=_own, not_found="There is no offer with that number")
declare(ProspectusVersion, view=_own, withdraw=_own, submit=_own,
        not_found="There is no version with that number")
