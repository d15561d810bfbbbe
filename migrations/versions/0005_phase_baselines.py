"""baseline rows on a phase's leaderboard (reference solutions, flagged submissions)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 11:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('phase_baselines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('phase_id', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=100), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=True),
    sa.Column('regression_run_id', sa.Integer(), nullable=True),
    sa.Column('regression_row', sa.String(length=300), nullable=False),
    sa.Column('total', sa.Float(), nullable=True),
    sa.Column('columns', sa.JSON(), nullable=False),
    sa.Column('scorer_version', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['phase_id'], ['phases.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['submission_id'], ['submissions.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('phase_id', 'label', name='uq_phase_baseline_label'),
    sa.UniqueConstraint('submission_id', name='uq_phase_baseline_submission')
    )


def downgrade() -> None:
    op.drop_table('phase_baselines')
