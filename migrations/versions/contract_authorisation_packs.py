"""a CCG's authorisation evidence packs, issued as immutable versioned PDFs

Revision ID: contract_authorisation_packs
Revises: contract_one_open_variation
Create Date: 2026-12-03 07:45:00.000000
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "contract_authorisation_packs"
down_revision = "contract_one_open_variation"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "authorisation_pack",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ccg_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("issued_by_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ccg_id"], ["organisation.id"], name=op.f("fk_authorisation_pack_ccg_id_organisation")
        ),
        sa.ForeignKeyConstraint(
            ["issued_by_id"],
            ["user_account.id"],
            name=op.f("fk_authorisation_pack_issued_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_authorisation_pack")),
        sa.UniqueConstraint("ccg_id", "version", name="uq_authorisation_pack_version"),
    )
    with op.batch_alter_table("authorisation_pack", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_authorisation_pack_ccg_id"), ["ccg_id"], unique=False)


def downgrade():
    with op.batch_alter_table("authorisation_pack", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_authorisation_pack_ccg_id"))
    op.drop_table("authorisation_pack")
