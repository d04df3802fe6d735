"""the CCG customer survey: a window per checkpoint, one answer per CCG per CSS

Revision ID: survey_customer_survey
Revises: notify_notifications
Create Date: 2026-12-03 07:40:00.000000

The BDU opens a survey window for a checkpoint; each CCG answers once about each CSS it has
an agreement with (a unique constraint, so two answers sent at once cannot both be saved),
scoring the five standard questions 1 to 5 (a check constraint) with comments.
"""
import sqlalchemy as sa
from alembic import op

revision = 'survey_customer_survey'
down_revision = 'notify_notifications'
branch_labels = None
depends_on = None

QUESTIONS = ("'responsiveness', 'quality', 'value_for_money', 'relationship', "
             "'recommend'")


def upgrade():
    op.create_table(
        'survey_window',
        sa.Column('checkpoint_id', sa.Integer(), nullable=False),
        sa.Column('opens_on', sa.Date(), nullable=False),
        sa.Column('closes_on', sa.Date(), nullable=False),
        sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('opened_by_id', sa.Integer(), nullable=True),
        sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('closed_by_id', sa.Integer(), nullable=True),
        sa.Column('lock_version', sa.Integer(), nullable=False),
        sa.Column('id', sa.Integer(), nullable=False),
        sa.CheckConstraint('closes_on >= opens_on',
                           name=op.f('ck_survey_window_closes_after_opening')),
        sa.ForeignKeyConstraint(['checkpoint_id'], ['checkpoint.id'],
                                name=op.f('fk_survey_window_checkpoint_id_checkpoint')),
        sa.ForeignKeyConstraint(['opened_by_id'], ['user_account.id'],
                                name=op.f('fk_survey_window_opened_by_id_user_account')),
        sa.ForeignKeyConstraint(['closed_by_id'], ['user_account.id'],
                                name=op.f('fk_survey_window_closed_by_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_window')),
        sa.UniqueConstraint('checkpoint_id', name='uq_survey_window_checkpoint_id'),
    )
    op.create_table(
        'survey_answer',
        sa.Column('window_id', sa.Integer(), nullable=False),
        sa.Column('ccg_id', sa.Integer(), nullable=False),
        sa.Column('provider_id', sa.Integer(), nullable=False),
        sa.Column('answered_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('answered_by_id', sa.Integer(), nullable=True),
        sa.Column('id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['window_id'], ['survey_window.id'],
                                name=op.f('fk_survey_answer_window_id_survey_window'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['ccg_id'], ['organisation.id'],
                                name=op.f('fk_survey_answer_ccg_id_organisation')),
        sa.ForeignKeyConstraint(['provider_id'], ['organisation.id'],
                                name=op.f('fk_survey_answer_provider_id_organisation')),
        sa.ForeignKeyConstraint(['answered_by_id'], ['user_account.id'],
                                name=op.f('fk_survey_answer_answered_by_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_answer')),
        sa.UniqueConstraint('window_id', 'ccg_id', 'provider_id',
                            name='uq_survey_answer_window_id_ccg_id_provider_id'),
    )
    with op.batch_alter_table('survey_answer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_answer_window_id'), ['window_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_survey_answer_provider_id'), ['provider_id'],
                              unique=False)
    op.create_table(
        'survey_score',
        sa.Column('answer_id', sa.Integer(), nullable=False),
        sa.Column('question', sa.String(length=40), nullable=False),
        sa.Column('score', sa.Integer(), nullable=False),
        sa.Column('comment', sa.Text(), nullable=False),
        sa.Column('id', sa.Integer(), nullable=False),
        sa.CheckConstraint('score BETWEEN 1 AND 5', name=op.f('ck_survey_score_score_one_to_five')),
        sa.CheckConstraint(f'question IN ({QUESTIONS})',
                           name=op.f('ck_survey_score_question_known')),
        sa.ForeignKeyConstraint(['answer_id'], ['survey_answer.id'],
                                name=op.f('fk_survey_score_answer_id_survey_answer'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_score')),
        sa.UniqueConstraint('answer_id', 'question', name='uq_survey_score_answer_id_question'),
    )
    with op.batch_alter_table('survey_score', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_score_answer_id'), ['answer_id'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('survey_score', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_score_answer_id'))
    op.drop_table('survey_score')
    with op.batch_alter_table('survey_answer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_answer_provider_id'))
        batch_op.drop_index(batch_op.f('ix_survey_answer_window_id'))
    op.drop_table('survey_answer')
    op.drop_table('survey_window')
