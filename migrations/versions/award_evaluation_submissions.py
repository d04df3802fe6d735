"""evaluators submit their scores; a departure from the ranking is recorded

Revision ID: award_evaluation_submissions
Revises: contract_decline_countersign
Create Date: 2026-12-03 00:00:00.000000

An evaluator's scores stay theirs to change, and hidden from the other evaluators, until they
submit them all (procurement_evaluator.scores_submitted_at); the lead moderates only once
every evaluator has. An award to a response other than the highest-ranked one records why
(procurement_decision.departure_reason), apart from the rationale for the decision itself.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'award_evaluation_submissions'
down_revision = 'contract_decline_countersign'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("procurement_evaluator",
                  sa.Column("scores_submitted_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("procurement_decision",
                  sa.Column("departure_reason", sa.Text(), nullable=False, server_default=""))


def downgrade():
    op.drop_column("procurement_decision", "departure_reason")
    op.drop_column("procurement_evaluator", "scores_submitted_at")
