"""The September 2012 CCG customer survey, completed: the window the BDU opened for
Checkpoint 3 (1 to 30 September 2012, closed by the demo's "now") and each CCG's answer about
each CSS it had signed with.

The answers follow the CSSs' assurance so far: a CSS rated A at Checkpoint 2 (and those whose
Checkpoint 3 review is under way, all A-rated) is scored around 4 by its customers, a B
around 3, a C around 2, each CCG's scores a step either side by a seeded draw. So the
reviewers' pages show the better-rated CSSs scoring higher. Written straight to the tables:
the service would refuse answers in a window that closed months before the demo's "now".

Idempotent and deterministic: the window is made once, and a CCG's answer about a CSS once,
its scores drawn from random.Random seeded with the CCG's and CSS's names.
"""

import random
from datetime import UTC, date, datetime

from sqlalchemy import select

from marketplace.data import read_csv
from marketplace.domain.customer_survey import MAX_SCORE, MIN_SCORE, QUESTION_KEYS
from marketplace.extensions import db
from marketplace.models import (
    Agreement,
    Organisation,
    OrganisationKind,
    Role,
    SurveyAnswer,
    SurveyScore,
    SurveyWindow,
    User,
)
from marketplace.services.checkpoints import checkpoint_by_number, ensure_standard_checkpoints
from marketplace.services.customer_survey import CUSTOMER_STATUSES

from .organisations import css_display_name

OPENS_ON, CLOSES_ON = date(2012, 9, 1), date(2012, 9, 30)
BASE_SCORE = {"A": 4, "B": 3, "C": 2}
COMMENTS = {
    5: "Consistently good: we would not look elsewhere.",
    4: "Reliable, and quick to put things right.",
    3: "Adequate, though reports often arrive late.",
    2: "We have had to chase too often this year.",
    1: "Not meeting what we agreed.",
}


def _window() -> SurveyWindow:
    checkpoint = checkpoint_by_number(3)
    window = db.session.scalar(
        select(SurveyWindow).where(SurveyWindow.checkpoint_id == checkpoint.id)
    )
    if window is None:
        bdu = db.session.scalar(select(User).where(User.email == "bdu@demo.test"))
        window = SurveyWindow(
            checkpoint=checkpoint,
            opens_on=OPENS_ON,
            closes_on=CLOSES_ON,
            opened_at=datetime(2012, 8, 28, 10, tzinfo=UTC),
            opened_by_id=bdu.id if bdu else None,
        )
        db.session.add(window)
        db.session.flush()
    return window


def _customers(provider: Organisation) -> list[Organisation]:
    return list(
        db.session.scalars(
            select(Organisation)
            .join(Agreement, Agreement.ccg_id == Organisation.id)
            .where(
                Agreement.provider_id == provider.id,
                Agreement.status.in_(CUSTOMER_STATUSES),
                Agreement.signed_at < datetime(2012, 9, 1, tzinfo=UTC),
            )
            .distinct()
            .order_by(Organisation.ods_code)
        )
    )


def _scores(rng: random.Random, base: int) -> dict[str, int]:
    return {
        key: min(MAX_SCORE, max(MIN_SCORE, base + rng.choice((-1, 0, 0, 0, 1))))
        for key in QUESTION_KEYS
    }


def seed_survey(scale: int = 1) -> None:
    ensure_standard_checkpoints()
    window = _window()
    done = {
        (ccg_id, provider_id)
        for ccg_id, provider_id in db.session.execute(
            select(SurveyAnswer.ccg_id, SurveyAnswer.provider_id).where(
                SurveyAnswer.window_id == window.id
            )
        )
    }
    ccg_users = {
        user.organisation_id: user
        for user in db.session.scalars(
            select(User).where(User.role == Role.CCG_USER).order_by(User.id.desc())
        )
    }
    for row in read_csv("checkpoint2_outcomes_2012.csv"):
        provider = db.session.scalar(
            select(Organisation).where(
                Organisation.name == css_display_name(row["css_name"]),
                Organisation.kind == OrganisationKind.CSS,
            )
        )
        if provider is None:
            continue
        for day, ccg in enumerate(_customers(provider)):
            if (ccg.id, provider.id) in done:
                continue
            rng = random.Random(f"survey-2012-{ccg.ods_code}-{provider.name}")
            scores = _scores(rng, BASE_SCORE[row["scenario"]])
            user = ccg_users.get(ccg.id)
            db.session.add(
                SurveyAnswer(
                    window=window,
                    ccg_id=ccg.id,
                    provider_id=provider.id,
                    answered_at=datetime(2012, 9, 3 + day % 25, 11, tzinfo=UTC),
                    answered_by_id=user.id if user else None,
                    scores=[
                        SurveyScore(
                            question=key,
                            score=score,
                            comment=COMMENTS[score] if key == "quality" else "",
                        )
                        for key, score in scores.items()
                    ],
                )
            )
