"""public/private split inside a phase: the phase's split and private ids, each score's parts

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 14:40:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('phases') as batch:
        batch.add_column(sa.Column('split', sa.JSON(), nullable=True))
        batch.add_column(sa.Column('split_private', sa.JSON(), nullable=True))
    with op.batch_alter_table('scores') as batch:
        batch.add_column(sa.Column('parts', sa.JSON(), server_default=sa.text("'{}'"), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('scores') as batch:
        batch.drop_column('parts')
    with op.batch_alter_table('phases') as batch:
        batch.drop_column('split_private')
        batch.drop_column('split')
