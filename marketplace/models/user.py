from enum import StrEnum

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from marketplace.extensions import db

from .base import IdMixin, TimestampMixin
from .organisation import Organisation, OrganisationKind


class Role(StrEnum):
    CCG_USER = "ccg_user"
    CSS_LEADER = "css_leader"
    BDU_REVIEWER = "bdu_reviewer"
    PEER_REVIEWER = "peer_reviewer"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.CCG_USER: "CCG user",
    Role.CSS_LEADER: "CSS leader",
    Role.BDU_REVIEWER: "BDU reviewer",
    Role.PEER_REVIEWER: "Peer reviewer",
    Role.ADMIN: "Administrator",
}

# Which kinds of organisation a role can belong to: a CCG user works for a CCG, and so on.
ROLE_ORGANISATION_KINDS = {
    Role.CCG_USER: {OrganisationKind.CCG},
    Role.CSS_LEADER: {OrganisationKind.CSS, OrganisationKind.INDEPENDENT_PROVIDER},
    Role.BDU_REVIEWER: {OrganisationKind.BDU},
    Role.PEER_REVIEWER: {
        OrganisationKind.SHA_CLUSTER,
        OrganisationKind.CCG,
        OrganisationKind.LOCAL_AUTHORITY,
    },
    Role.ADMIN: {OrganisationKind.BDU},
}


class User(UserMixin, IdMixin, TimestampMixin, db.Model):
    __tablename__ = "user_account"

    email: Mapped[str] = mapped_column(String(254), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(32), index=True)
    is_active_user: Mapped[bool] = mapped_column(default=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)

    organisation: Mapped[Organisation] = relationship(back_populates="users")

    @validates("email")
    def _normalise_email(self, key, value: str) -> str:
        return value.strip().lower()

    @validates("role")
    def _validate_role(self, key, value):
        return Role(value).value

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.is_active_user

    def get_id(self) -> str:
        # Which session this is, and whether it still holds, is the user_session row's
        # business (marketplace/auth/sessions.py).
        return str(self.id)

    @property
    def role_label(self) -> str:
        return Role(self.role).label

    def has_role(self, *roles: str) -> bool:
        return self.role in roles

    def belongs_to(self, organisation_id: int | None) -> bool:
        return organisation_id is not None and organisation_id == self.organisation_id

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"
