"""The BDU's thresholds for business-plan checks and the Checkpoint 3 hosting policy.

One row per threshold named in marketplace/domain/plan_checks.THRESHOLD_SPECS; the spec
gives its words and range, the row its value in force. A review records the values it was
judged against (Review.thresholds_in_force), so a change here never rewrites a review.
"""

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from marketplace.domain.plan_checks import SPECS_BY_KEY
from marketplace.extensions import db

from .base import IdMixin, UTCDateTime, utcnow
from .user import User


class PlanCheckThreshold(IdMixin, db.Model):
    __tablename__ = "plan_check_threshold"

    key: Mapped[str] = mapped_column(String(64), unique=True)
    # As the BDU entered it, read through its spec ("40.0", "18", "amber_green").
    value: Mapped[str] = mapped_column(String(40))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    updated_by: Mapped[User | None] = relationship()

    @validates("key")
    def _key(self, key, value):
        if value not in SPECS_BY_KEY:
            raise ValueError(f"unknown plan check threshold {value!r}")
        return value

    def __repr__(self) -> str:
        return f"<PlanCheckThreshold {self.key}={self.value}>"
