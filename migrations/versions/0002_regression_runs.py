"""regression runs of the reference solutions

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 03:15:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('regression_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('budget', sa.String(length=8), nullable=False),
    sa.Column('tracks', sa.String(length=100), nullable=False),
    sa.Column('scorer_versions', sa.JSON(), nullable=False),
    sa.Column('rows', sa.JSON(), nullable=False),
    sa.Column('ordering', sa.JSON(), nullable=False),
    sa.Column('table', sa.Text(), nullable=False),
    sa.Column('error', sa.Text(), nullable=False),
    sa.Column('worker', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=True),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_regression_runs_created', 'regression_runs', ['created_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_regression_runs_created', table_name='regression_runs')
    op.drop_table('regression_runs')
