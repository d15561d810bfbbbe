"""give every team an invite code: teams made before codes existed (0007) or by organizers
before their teams got one have none, so their members could not join them on /team

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 14:30:00
"""
import secrets

from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

teams = sa.table('teams', sa.column('id', sa.Integer), sa.column('invite_code', sa.String))


def upgrade() -> None:
    conn = op.get_bind()
    missing = conn.execute(sa.select(teams.c.id).where(teams.c.invite_code.is_(None))).scalars().all()
    for team_id in missing:
        # the format of core.tokens.new_invite_code at this revision: 'join_' + 96 random bits
        conn.execute(teams.update().where(teams.c.id == team_id)
                     .values(invite_code='join_' + secrets.token_urlsafe(12)))


def downgrade() -> None:
    # the backfilled codes cannot be told from the others, and a code is harmless: keep them
    pass
