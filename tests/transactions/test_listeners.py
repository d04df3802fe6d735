"""The models' session listeners: attached by create_app, never by importing the models."""

import subprocess
import sys

import pytest

from marketplace.extensions import db
from marketplace.models import FrozenRecordError

from .. import factories as build


def test_importing_the_models_attaches_no_listeners_create_app_does():
    script = """
from sqlalchemy import event
from marketplace.models import LISTENERS
assert not any(event.contains(*listener) for listener in LISTENERS), "attached at import"
from marketplace import create_app
create_app({"ENV_NAME": "test", "TESTING": True, "SECRET_KEY": "x",
            "SQLALCHEMY_DATABASE_URI": "sqlite://", "REDIS_URL": None})
assert all(event.contains(*listener) for listener in LISTENERS), "not attached by create_app"
"""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr


def test_a_submitted_plan_stays_frozen_after_a_commit_expired_it(app_context):
    plan = build.plan(submitted=True)
    db.session.expire_all()  # as any commit or rollback leaves it: its status not loaded
    plan.risks = "changed behind the service's back"
    with pytest.raises(FrozenRecordError):
        db.session.flush()
    db.session.rollback()
