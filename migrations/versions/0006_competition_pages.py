"""competition pages: the organizer's Markdown texts and each track's page

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 11:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('competitions') as batch:
        batch.add_column(sa.Column('description', sa.Text(), server_default='', nullable=False))
        batch.add_column(sa.Column('rules', sa.Text(), server_default='', nullable=False))
        batch.add_column(sa.Column('terms', sa.Text(), server_default='', nullable=False))
        batch.add_column(sa.Column('track_pages', sa.JSON(), server_default=sa.text("'{}'"), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('competitions') as batch:
        for name in ('track_pages', 'terms', 'rules', 'description'):
            batch.drop_column(name)
