"""server-side login sessions; length checks on every column of user text; web-only meeting links

Revision ID: 0008_sessions_inputs
Revises: 0007_audit_log
Create Date: 2026-12-01 10:00:00.000000

Sessions: a login writes a row of ``login_sessions`` and the cookie carries its token, so a
logout, a password change or reset, or "log out everywhere" ends the session on every server.
Cookies from before this migration name a user id, not a session: everyone logs in again once.

Inputs: SQLite ignores VARCHAR(n) and Text has no limit, so each column of text a person types
gets ``CHECK (length(col) <= n)`` (the limits the forms state). Values already longer — which
only a crafted request could store, or a hand-written form that had no limit — are cut to the
limit first, and a meeting link that is not http(s) is removed (it was shown as a link), since
the new constraints would otherwise refuse the existing rows.

SQLite cannot add a constraint to a table, so batch mode copies each table into a new one and
drops the old. With foreign keys on, that DROP would first delete the old rows and cascade to
their children, so foreign keys are switched off for this migration (SQLite ignores the pragma
inside a transaction; an upgrade from 0007 runs it before any other statement).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008_sessions_inputs'
down_revision = '0007_audit_log'
branch_labels = None
depends_on = None

# The same limits as the models' length_checks(); written out, as migrations never import app code.
LIMITS = {
    'users': {'email': 254, 'full_name': 200, 'phone': 32},
    'areas': {'kato': 9, 'name_kk': 200, 'name_ru': 200, 'name_en': 200},
    'processes': {'title_kk': 200, 'title_ru': 200, 'title_en': 200, 'description': 5000},
    'phase_changes': {'reason': 1000},
    'budgets': {'name_kk': 200, 'name_ru': 200, 'name_en': 200},
    'categories': {'code': 40, 'name_kk': 200, 'name_ru': 200, 'name_en': 200},
    'proposals': {'title': 200, 'description': 10000, 'address': 300, 'status_reason': 2000,
                  'hidden_reason': 2000},
    'comments': {'body': 5000, 'hidden_reason': 2000},
    'reports': {'reason': 2000},
    'proposal_events': {'note': 5000},
    'implementation_updates': {'note': 2000},
    'milestones': {'title': 200},
    'meetings': {'title': 200, 'description': 5000, 'venue': 200, 'address': 300, 'online_link': 500,
                 'status_reason': 1000, 'summary': 20000},
    'agenda_items': {'title': 300, 'note': 2000, 'amended_title': 200, 'amended_description': 10000},
    'action_items': {'what': 1000},
    'minutes_corrections': {'text': 3000},
}
WEB_LINK = "online_link IS NULL OR online_link LIKE 'https://%' OR online_link LIKE 'http://%'"


def _foreign_keys_off():
    bind = op.get_bind()
    if bind.dialect.name == 'sqlite':
        bind.exec_driver_sql('PRAGMA foreign_keys=OFF')


def upgrade():
    _foreign_keys_off()
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

    # Links are stored with the scheme in lower case; anything else that is not http(s) goes.
    for scheme in ('https://', 'http://'):
        op.execute(f"UPDATE meetings SET online_link = '{scheme}' || substr(online_link, {len(scheme) + 1}) "
                   f"WHERE lower(substr(online_link, 1, {len(scheme)})) = '{scheme}'")
    op.execute(f"UPDATE meetings SET online_link = NULL WHERE NOT ({WEB_LINK})")
    for table, limits in LIMITS.items():
        for column, limit in limits.items():
            op.execute(f"UPDATE {table} SET {column} = substr({column}, 1, {limit}) WHERE length({column}) > {limit}")
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column, limit in limits.items():
                batch_op.create_check_constraint(op.f(f'ck_{table}_{column}_length'), f'length({column}) <= {limit}')
            if table == 'meetings':
                batch_op.create_check_constraint(op.f('ck_meetings_online_link_web'), WEB_LINK)


def downgrade():
    _foreign_keys_off()
    for table, limits in reversed(LIMITS.items()):
        with op.batch_alter_table(table, schema=None) as batch_op:
            if table == 'meetings':
                batch_op.drop_constraint(op.f('ck_meetings_online_link_web'), type_='check')
            for column in reversed(limits):
                batch_op.drop_constraint(op.f(f'ck_{table}_{column}_length'), type_='check')
    with op.batch_alter_table('login_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_sessions_user_id'))

    op.drop_table('login_sessions')
