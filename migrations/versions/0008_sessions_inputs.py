"""server-side login sessions

Revision ID: 0008_sessions_inputs
Revises: 0007_audit_log
Create Date: 2026-12-01 10:00:00.000000

Sessions: a login writes a row of ``login_sessions`` and the cookie carries its token, so a
logout, a password change or reset, or "log out everywhere" ends the session on every server.
Cookies from before this migration name a user id, not a session: everyone logs in again once.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008_sessions_inputs'
down_revision = '0007_audit_log'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('login_sessions',
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('length(token_hash) = 64', name=op.f('ck_login_sessions_token_hash_length')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_login_sessions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('token_hash', name=op.f('pk_login_sessions'))
    )
    with op.batch_alter_table('login_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_sessions_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('login_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_sessions_user_id'))

    op.drop_table('login_sessions')
