"""The CCG customer survey: a window the BDU opens for a checkpoint, and each CCG's answer
about each CSS it buys from (services/customer_survey.py)."""

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from marketplace.domain.customer_survey import (
    QUESTION_KEYS,
    ScoreError,
    read_score,
    window_state,
)
from marketplace.extensions import db

from .assurance import Checkpoint
from .base import IdMixin, UTCDateTime
from .organisation import Organisation


class SurveyWindow(IdMixin, db.Model):
    """The days in which CCGs answer the survey for one checkpoint: one per checkpoint.
    Closed by its last day passing, or early by the BDU (closed_at)."""

    __tablename__ = "survey_window"
    __table_args__ = (
        UniqueConstraint("checkpoint_id", name="uq_survey_window_checkpoint_id"),
        CheckConstraint("closes_on >= opens_on", name="closes_after_opening"),
    )

    checkpoint_id: Mapped[int] = mapped_column(ForeignKey("checkpoint.id"))
    opens_on: Mapped[date] = mapped_column(Date)
    closes_on: Mapped[date] = mapped_column(Date)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    lock_version: Mapped[int] = mapped_column(default=1)

    checkpoint: Mapped[Checkpoint] = relationship()
    opened_by: Mapped["User | None"] = relationship(foreign_keys=[opened_by_id])  # noqa: F821
    closed_by: Mapped["User | None"] = relationship(foreign_keys=[closed_by_id])  # noqa: F821

    __mapper_args__ = {"version_id_col": lock_version}

    def state(self, today: date) -> str:
        return window_state(self.opens_on, self.closes_on, today, self.closed_at is not None)

    @property
    def title(self) -> str:
        return f"{self.checkpoint.title} customer survey"


class SurveyAnswer(IdMixin, db.Model):
    """One CCG's answer about one CSS in one window: never changed, never a second."""

    __tablename__ = "survey_answer"
    __table_args__ = (
        UniqueConstraint(
            "window_id",
            "ccg_id",
            "provider_id",
            name="uq_survey_answer_window_id_ccg_id_provider_id",
        ),
    )

    window_id: Mapped[int] = mapped_column(
        ForeignKey("survey_window.id", ondelete="CASCADE"), index=True
    )
    ccg_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    provider_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    window: Mapped[SurveyWindow] = relationship()
    ccg: Mapped[Organisation] = relationship(foreign_keys=[ccg_id])
    provider: Mapped[Organisation] = relationship(foreign_keys=[provider_id])
    scores: Mapped[list["SurveyScore"]] = relationship(
        back_populates="answer", order_by="SurveyScore.id", cascade="all, delete-orphan"
    )

    def as_scores(self) -> dict[str, int]:
        return {score.question: score.score for score in self.scores}


_KEYS = ", ".join(f"'{key}'" for key in QUESTION_KEYS)


class SurveyScore(IdMixin, db.Model):
    """The score (1 to 5) and comment one answer gives one standard question."""

    __tablename__ = "survey_score"
    __table_args__ = (
        UniqueConstraint("answer_id", "question", name="uq_survey_score_answer_id_question"),
        CheckConstraint("score BETWEEN 1 AND 5", name="score_one_to_five"),
        CheckConstraint(f"question IN ({_KEYS})", name="question_known"),
    )

    answer_id: Mapped[int] = mapped_column(
        ForeignKey("survey_answer.id", ondelete="CASCADE"), index=True
    )
    question: Mapped[str] = mapped_column(String(40))
    score: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")

    answer: Mapped[SurveyAnswer] = relationship(back_populates="scores")

    @validates("question")
    def _question(self, key, value):
        if value not in QUESTION_KEYS:
            raise ValueError(f"unknown survey question {value!r}")
        return value

    @validates("score")
    def _score(self, key, value):
        try:
            return read_score(value)
        except ScoreError as error:
            raise ValueError(str(error)) from None
