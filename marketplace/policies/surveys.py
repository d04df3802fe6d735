"""The customer survey: a window is the BDU's to open and close; reviewers (BDU and peer)
read its results; CCG users see it to answer it. Nobody reads one CCG's answer through a
page: results are aggregates (services/customer_survey.py)."""

from marketplace.models import Role, SurveyWindow

from .rules import declare

declare(
    SurveyWindow,
    view=lambda user, window: user.role in (Role.BDU_REVIEWER, Role.PEER_REVIEWER, Role.CCG_USER),
    close=lambda user, window: user.role == Role.BDU_REVIEWER,
    # A CCG user answers for the CCG (the service checks its agreement with the CSS).
    answer=lambda user, window: user.role == Role.CCG_USER,
    not_found="There is no customer survey with that number",
)
