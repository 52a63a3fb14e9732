"""the minutes and implementation items of issue #18: corrections name their proposals, the hosts'
messages to registrants

- ``minutes_correction_proposals``: which agenda proposals a correction concerns (before, every
  correction was copied onto every agenda proposal; old corrections keep their timeline events and
  name no proposal).
- ``meeting_messages``: what the hosts wrote to a meeting's registrants.
- ``implementations`` gains the procurement: the lot on the public procurement portal, the
  contractor's BIN, the contract's amount and date (all empty for the projects already there).
- ``implementation_updates.corrects_id``: a report that corrects another (once: unique); the
  corrected report is kept as it was.

SQLite adds the columns with their CHECKs by copying ``implementations`` and
``implementation_updates`` (batch mode); no other table references them and no trigger of
app/models/guards.py guards them, so the copies lose nothing.

Revision ID: 0013_minutes_implementation
Revises: 0012_city_scale
Create Date: 2026-12-02 01:45:00.000000
"""
import sqlalchemy as sa
from alembic import op

revision = '0013_minutes_implementation'
down_revision = '0012_city_scale'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('minutes_correction_proposals',
    sa.Column('correction_id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['correction_id'], ['minutes_corrections.id'],
                            name=op.f('fk_minutes_correction_proposals_correction_id_minutes_corrections'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'],
                            name=op.f('fk_minutes_correction_proposals_proposal_id_proposals')),
    sa.PrimaryKeyConstraint('correction_id', 'proposal_id', name=op.f('pk_minutes_correction_proposals'))
    )
    op.create_table('meeting_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('length(text) <= 2000', name=op.f('ck_meeting_messages_text_length')),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_meeting_messages_author_id_users')),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_meeting_messages_meeting_id_meetings'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_messages'))
    )
    with op.batch_alter_table('meeting_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_messages_meeting_id'), ['meeting_id'], unique=False)
    with op.batch_alter_table('implementations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('procurement_lot', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('contractor_bin', sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column('contract_amount', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('contract_signed_on', sa.Date(), nullable=True))
        batch_op.create_check_constraint(batch_op.f('ck_implementations_contractor_bin_12_digits'),
                                         'contractor_bin IS NULL OR length(contractor_bin) = 12')
        batch_op.create_check_constraint(batch_op.f('ck_implementations_contract_amount_positive'),
                                         'contract_amount IS NULL OR contract_amount > 0')
        batch_op.create_check_constraint(batch_op.f('ck_implementations_procurement_lot_length'),
                                         'length(procurement_lot) <= 40')
    with op.batch_alter_table('implementation_updates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('corrects_id', sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_implementation_updates_corrects_id'), ['corrects_id'])
        batch_op.create_foreign_key(batch_op.f('fk_implementation_updates_corrects_id_implementation_updates'),
                                    'implementation_updates', ['corrects_id'], ['id'])


def downgrade():
    with op.batch_alter_table('implementation_updates', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_implementation_updates_corrects_id_implementation_updates'),
                                 type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_implementation_updates_corrects_id'), type_='unique')
        batch_op.drop_column('corrects_id')
    with op.batch_alter_table('implementations', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_implementations_procurement_lot_length'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_implementations_contract_amount_positive'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_implementations_contractor_bin_12_digits'), type_='check')
        batch_op.drop_column('contract_signed_on')
        batch_op.drop_column('contract_amount')
        batch_op.drop_column('contractor_bin')
        batch_op.drop_column('procurement_lot')
    with op.batch_alter_table('meeting_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_messages_meeting_id'))
    op.drop_table('meeting_messages')
    op.drop_table('minutes_correction_proposals')
