from flask import current_app
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import Organisation, Role, User
from marketplace.security import hash_password
from marketplace.services.audit import record_event

from .organisations import BDU_NAME

# (email, full name, role, organisation name, active)
DEMO_LOGINS = [
    ("ccg@demo.test", "Priya Shah", Role.CCG_USER, "NHS Coventry and Rugby CCG", True),
    ("css@demo.test", "Tom Hughes", Role.CSS_LEADER, "Arden CSS", True),
    ("bdu@demo.test", "Helen Carter", Role.BDU_REVIEWER, BDU_NAME, True),
    ("peer@demo.test", "Martin Okafor", Role.PEER_REVIEWER,
     "NHS Midlands and East (SHA cluster)", True),
    ("admin@demo.test", "Alex Morgan", Role.ADMIN, BDU_NAME, True),
]

# Users in other organisations, so that access rules between organisations can be tried.
OTHER_USERS = [
    ("ccg2@demo.test", "Grace Lin", Role.CCG_USER, "NHS Darlington CCG", True),
    ("ccg3@demo.test", "Sam Patel", Role.CCG_USER, "NHS Ealing CCG", True),
    ("css2@demo.test", "Joanne Reid", Role.CSS_LEADER, "Greater East Midlands CSS", True),
    ("css3@demo.test", "Owen Price", Role.CSS_LEADER, "North West London CSS", True),
    ("indie@demo.test", "Ruth Adams", Role.CSS_LEADER, "Meridian Commissioning Partners Ltd",
     True),
    ("bdu2@demo.test", "David Evans", Role.BDU_REVIEWER, BDU_NAME, True),
    ("peer2@demo.test", "Fiona Walsh", Role.PEER_REVIEWER, "NHS London (SHA cluster)", True),
    ("inactive@demo.test", "Ian Former", Role.CCG_USER, "NHS Coventry and Rugby CCG", False),
]


def seed_users(scale: int = 1) -> None:
    password_hash = None
    for email, full_name, role, organisation_name, active in DEMO_LOGINS + OTHER_USERS:
        if db.session.scalar(select(User).where(User.email == email)) is not None:
            continue
        organisation = db.session.scalar(
            select(Organisation).where(Organisation.name == organisation_name)
        )
        # argon2 is slow on purpose; one hash serves every demo account.
        password_hash = password_hash or hash_password(current_app.config["DEMO_PASSWORD"])
        user = User(
            email=email,
            full_name=full_name,
            role=role,
            organisation=organisation,
            password_hash=password_hash,
            is_active_user=active,
        )
        db.session.add(user)
        record_event("user.created", user, f"Demo data: created {email}", actor=None)
