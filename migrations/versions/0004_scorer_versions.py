"""the scorer version each track's workers run, stored by the workers for the API

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03 08:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('scorer_versions',
    sa.Column('track', sa.String(length=32), nullable=False),
    sa.Column('version', sa.String(length=64), nullable=False),
    sa.Column('worker', sa.String(length=200), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('track')
    )
    # until a worker of the new code starts, rank with the newest version of any score row
    op.execute("INSERT INTO scorer_versions (track, version, worker, updated_at) "
               "SELECT p.track, s.score_version, 'migration 0004', CURRENT_TIMESTAMP FROM submissions s "
               "JOIN phases p ON p.id = s.phase_id WHERE s.score_version IS NOT NULL "
               "AND s.id = (SELECT s2.id FROM submissions s2 JOIN phases p2 ON p2.id = s2.phase_id "
               "WHERE p2.track = p.track AND s2.score_version IS NOT NULL ORDER BY s2.id DESC LIMIT 1)")


def downgrade() -> None:
    op.drop_table('scorer_versions')
