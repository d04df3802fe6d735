"""market change: the Board's hosting decision, licences to operate and their conditions,
and mergers between CSSs with what each moved

Revision ID: market_change
Revises: market_scenario_final_figures
Create Date: 2026-12-03 07:50:00.000000

organisation.merged_into_id / merged_on mark a CSS that merged into another;
review_condition.answered_by_id names the successor that answers a moved condition.
"""

import sqlalchemy as sa
from alembic import op

import marketplace.models.base

revision = "market_change"
down_revision = "market_scenario_final_figures"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("organisation") as batch_op:
        batch_op.add_column(sa.Column("merged_into_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("merged_on", sa.Date(), nullable=True))
        batch_op.create_foreign_key(
            "fk_organisation_merged_into_id_organisation",
            "organisation",
            ["merged_into_id"],
            ["id"],
        )
    with op.batch_alter_table("agreement") as batch_op:
        batch_op.add_column(sa.Column("novated_from_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_agreement_novated_from_id_organisation", "organisation", ["novated_from_id"], ["id"]
        )
    with op.batch_alter_table("review_condition") as batch_op:
        batch_op.add_column(sa.Column("answered_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_review_condition_answered_by_id_organisation",
            "organisation",
            ["answered_by_id"],
            ["id"],
        )
    op.create_table(
        "board_hosting_decision",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "organisation_id", sa.Integer(), sa.ForeignKey("organisation.id"), nullable=False
        ),
        sa.Column("review_id", sa.Integer(), sa.ForeignKey("review.id"), nullable=True),
        sa.Column("decision", sa.String(length=32), nullable=False),
        sa.Column("merge_with_id", sa.Integer(), sa.ForeignKey("organisation.id"), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), sa.ForeignKey("user_account.id"), nullable=True),
        sa.Column("created_at", marketplace.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", marketplace.models.base.UTCDateTime(timezone=True), nullable=False),
    )
    op.create_index(
        "ix_board_hosting_decision_organisation_id", "board_hosting_decision", ["organisation_id"]
    )
    op.create_table(
        "licence",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "organisation_id", sa.Integer(), sa.ForeignKey("organisation.id"), nullable=False
        ),
        sa.Column("granted_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), sa.ForeignKey("user_account.id"), nullable=True),
        sa.Column("created_at", marketplace.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", marketplace.models.base.UTCDateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_licence_organisation_id", "licence", ["organisation_id"])
    op.create_table(
        "licence_condition",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("licence_id", sa.Integer(), sa.ForeignKey("licence.id"), nullable=False),
        sa.Column(
            "organisation_id", sa.Integer(), sa.ForeignKey("organisation.id"), nullable=False
        ),
        sa.Column("moved_from_id", sa.Integer(), sa.ForeignKey("organisation.id"), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", marketplace.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", marketplace.models.base.UTCDateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_licence_condition_licence_id", "licence_condition", ["licence_id"])
    op.create_index(
        "ix_licence_condition_organisation_id", "licence_condition", ["organisation_id"]
    )
    op.create_table(
        "css_merger",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("predecessor_id", sa.Integer(), sa.ForeignKey("organisation.id"), nullable=False),
        sa.Column("successor_id", sa.Integer(), sa.ForeignKey("organisation.id"), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), sa.ForeignKey("user_account.id"), nullable=True),
        sa.Column(
            "recorded_at", marketplace.models.base.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("moved", sa.JSON(), nullable=False),
        sa.UniqueConstraint("predecessor_id", name="uq_css_merger_predecessor_id"),
    )
    op.create_index("ix_css_merger_successor_id", "css_merger", ["successor_id"])


def downgrade():
    op.drop_table("css_merger")
    op.drop_table("licence_condition")
    op.drop_table("licence")
    op.drop_table("board_hosting_decision")
    with op.batch_alter_table("review_condition") as batch_op:
        batch_op.drop_constraint(
            "fk_review_condition_answered_by_id_organisation", type_="foreignkey"
        )
        batch_op.drop_column("answered_by_id")
    with op.batch_alter_table("agreement") as batch_op:
        batch_op.drop_constraint("fk_agreement_novated_from_id_organisation", type_="foreignkey")
        batch_op.drop_column("novated_from_id")
    with op.batch_alter_table("organisation") as batch_op:
        batch_op.drop_constraint("fk_organisation_merged_into_id_organisation", type_="foreignkey")
        batch_op.drop_column("merged_on")
        batch_op.drop_column("merged_into_id")
