"""browser sign-in sessions in their own table

Earlier, sessions were rows of api_tokens labelled 'web session of token <id>'. Those rows are
deleted (their users sign in again); downgrading drops the table, which also signs everyone out.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 03:50:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('web_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_hash', sa.String(length=64), nullable=False),
    sa.Column('api_token_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['api_token_id'], ['api_tokens.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('session_hash')
    )
    op.create_index('ix_web_sessions_expires_at', 'web_sessions', ['expires_at'], unique=False)
    op.create_index('ix_web_sessions_api_token', 'web_sessions', ['api_token_id'], unique=False)
    op.execute("DELETE FROM api_tokens WHERE label LIKE 'web session of token %'")


def downgrade() -> None:
    op.drop_index('ix_web_sessions_api_token', table_name='web_sessions')
    op.drop_index('ix_web_sessions_expires_at', table_name='web_sessions')
    op.drop_table('web_sessions')
