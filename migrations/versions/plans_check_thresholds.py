"""plan check thresholds the BDU edits, and the values in force on each review

Revision ID: plans_check_thresholds
Revises: search_plain_sql
Create Date: 2026-12-03 04:30:00.000000

plan_check_threshold holds one row per threshold of the business-plan checks and of the
Checkpoint 3 hosting policy (marketplace/domain/plan_checks.THRESHOLD_SPECS), seeded with the
defaults. review.thresholds_in_force records the values a review was judged against.
The seed values are written out here, not imported, so this migration never changes.
"""
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = 'plans_check_thresholds'
down_revision = 'search_plain_sql'
branch_labels = None
depends_on = None

SEED = {
    "flat_income_tolerance_percent": "1.0",
    "allowance_growth_tolerance_percent": "0.0",
    "cost_per_wte_min": "25000",
    "cost_per_wte_max": "75000",
    "cost_per_wte_change_percent": "5.0",
    "workforce_match_tolerance_percent": "2.0",
    "concentration_percent": "40.0",
    "agreement_break_months": "18",
    "stress_cost_saving_percent": "50.0",
    "stress_deficit_percent": "10.0",
    "unbacked_income_tolerance_percent": "10.0",
    "host_if_all_at_least": "amber_green",
    "do_not_host_if_any_at": "red",
    "do_not_host_if_amber_red_count": "2",
}


def upgrade():
    table = op.create_table(
        'plan_check_threshold',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=64), nullable=False),
        sa.Column('value', sa.String(length=40), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['updated_by_id'], ['user_account.id'],
                                name=op.f('fk_plan_check_threshold_updated_by_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_check_threshold')),
        sa.UniqueConstraint('key', name=op.f('uq_plan_check_threshold_key')),
    )
    now = datetime.now(UTC)
    op.bulk_insert(table, [{"key": key, "value": value, "updated_at": now}
                           for key, value in SEED.items()])
    op.add_column('review', sa.Column('thresholds_in_force', sa.JSON(), nullable=True))


def downgrade():
    op.drop_column('review', 'thresholds_in_force')
    op.drop_table('plan_check_threshold')
