"""a final scenario keeps the allowances and thresholds it was finalised with

Revision ID: market_scenario_final_figures
Revises: connected_plan_income
Create Date: 2026-12-03 07:40:00.000000

scenario.final_figures is set when a scenario is marked final. Scenarios already final
get today's allowances and the default thresholds, which are what they show now.
"""

import json
from decimal import Decimal

import sqlalchemy as sa
from alembic import op

revision = "market_scenario_final_figures"
down_revision = 'connected_plan_income'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("scenario") as batch_op:
        batch_op.add_column(sa.Column("final_figures", sa.JSON(), nullable=True))
    connection = op.get_bind()
    rows = connection.execute(
        sa.text(
            "SELECT financial_year, allowance_per_head FROM financial_year_allowance "
            "ORDER BY financial_year"
        )
    ).all()
    figures = json.dumps(
        {
            "allowances": {year: f"{Decimal(str(amount)):.2f}" for year, amount in rows},
            "benchmark_per_head": "9.00",
            "overheads_share": "0.5",
        }
    )
    connection.execute(
        sa.text("UPDATE scenario SET final_figures = :figures WHERE status = 'final'"),
        {"figures": figures},
    )


def downgrade():
    with op.batch_alter_table("scenario") as batch_op:
        batch_op.drop_column("final_figures")
