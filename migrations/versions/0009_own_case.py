"""own case: who recorded each town-hall decision

A host who wrote or supports a proposal on the agenda may not record the meeting's decision on
it, so each decision names the host who did (decisions recorded before this revision are the
meeting's host's: the only one who could record them then).

Revision ID: 0009_own_case
Revises: 0008_sessions_inputs
Create Date: 2026-12-02 10:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0009_own_case'
down_revision = '0008_sessions_inputs'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('agenda_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('decided_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_agenda_items_decided_by_id_users'), 'users',
                                    ['decided_by_id'], ['id'])
    op.execute("UPDATE agenda_items SET decided_by_id = (SELECT host_id FROM meetings "
               "WHERE meetings.id = agenda_items.meeting_id) WHERE decision IS NOT NULL")
    with op.batch_alter_table('agenda_items', schema=None) as batch_op:
        batch_op.create_check_constraint(batch_op.f('ck_agenda_items_decision_has_decider'), 'decision IS NULL OR decided_by_id IS NOT NULL')


def downgrade():
    with op.batch_alter_table('agenda_items', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_agenda_items_decision_has_decider'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_agenda_items_decided_by_id_users'), type_='foreignkey')
        batch_op.drop_column('decided_by_id')
