"""Who a user is, in the words the policies use."""

from marketplace.models import PROVIDER_KINDS, Role


def ccg_user_of(user, organisation_id) -> bool:
    return user.role == Role.CCG_USER and user.belongs_to(organisation_id)


def leader_of(user, organisation_id) -> bool:
    return user.role == Role.CSS_LEADER and user.belongs_to(organisation_id)


def is_admin(user, obj=None) -> bool:
    return user.role == Role.ADMIN


def is_provider_user(user) -> bool:
    return user.role == Role.CSS_LEADER and user.organisation.kind in PROVIDER_KINDS


def is_css_leader(user, obj=None) -> bool:
    return user.role == Role.CSS_LEADER
