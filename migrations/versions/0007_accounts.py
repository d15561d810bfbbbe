"""participant accounts: users with argon2 password hashes, team invite codes, competition
registration policy (the terms column comes with 0006), enrollments, and password sign-in sessions

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 11:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('competitions') as b:
        b.add_column(sa.Column('registration', sa.String(length=16), nullable=False, server_default='open'))
    with op.batch_alter_table('teams') as b:
        b.add_column(sa.Column('self_registered', sa.Boolean(), nullable=False, server_default=sa.false()))
        b.add_column(sa.Column('invite_code', sa.String(length=64), nullable=True))
        b.create_unique_constraint('uq_teams_invite_code', ['invite_code'])
    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('email')
    )
    op.create_index('ix_users_team_id', 'users', ['team_id'], unique=False)
    op.create_table('enrollments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('competition_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('accepted_by', sa.Integer(), nullable=True),
    sa.Column('terms_accepted_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['competition_id'], ['competitions.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['accepted_by'], ['users.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('team_id', 'competition_id', name='uq_enrollment')
    )
    with op.batch_alter_table('web_sessions') as b:
        b.alter_column('api_token_id', existing_type=sa.Integer(), nullable=True)
        b.add_column(sa.Column('user_id', sa.Integer(), nullable=True))
        b.create_foreign_key('fk_web_sessions_user', 'users', ['user_id'], ['id'], ondelete='CASCADE')


def downgrade() -> None:
    op.execute("DELETE FROM web_sessions WHERE api_token_id IS NULL")
    with op.batch_alter_table('web_sessions') as b:
        b.drop_constraint('fk_web_sessions_user', type_='foreignkey')
        b.drop_column('user_id')
        b.alter_column('api_token_id', existing_type=sa.Integer(), nullable=False)
    op.drop_table('enrollments')
    op.drop_index('ix_users_team_id', table_name='users')
    op.drop_table('users')
    with op.batch_alter_table('teams') as b:
        b.drop_constraint('uq_teams_invite_code', type_='unique')
        b.drop_column('invite_code')
        b.drop_column('self_registered')
    with op.batch_alter_table('competitions') as b:
        b.drop_column('registration')
