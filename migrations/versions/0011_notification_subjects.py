"""notifications point at a component's subject by kind and id, not by a foreign key to meetings

The app must not depend on the town-hall component (meetings depends on the app, never the
reverse), so ``notifications.meeting_id`` — a foreign key into ``meetings`` — becomes a generic
subject: ``subject_kind`` ('meeting') and ``subject_id`` (the meeting's id); the component
describes its subjects through app.notifications.subjects. Every notification is kept: those
about a meeting get ('meeting', meeting_id). The downgrade puts the meeting ids back (subjects of
another kind, or of a meeting that no longer exists, lose their subject; the rows stay).

SQLite drops a column and its foreign key by copying the table (batch mode). ``notifications`` is
referenced by no table and guarded by no trigger (app/models/guards.py), so the copy loses nothing.

Revision ID: 0011_notification_subjects
Revises: 0010_sealed_ballots
Create Date: 2026-12-05 10:00:00.000000
"""
import sqlalchemy as sa
from alembic import op

revision = '0011_notification_subjects'
down_revision = '0010_sealed_ballots'
branch_labels = None
depends_on = None

SUBJECT_WHOLE = '(subject_kind IS NULL) = (subject_id IS NULL)'


def upgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('subject_kind', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('subject_id', sa.Integer(), nullable=True))
    op.execute("UPDATE notifications SET subject_kind = 'meeting', subject_id = meeting_id WHERE meeting_id IS NOT NULL")
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_notifications_meeting_id_meetings'), type_='foreignkey')
        batch_op.drop_column('meeting_id')
        batch_op.create_check_constraint(batch_op.f('ck_notifications_subject_whole'), SUBJECT_WHOLE)


def downgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('meeting_id', sa.Integer(), nullable=True))
    op.execute("UPDATE notifications SET meeting_id = subject_id WHERE subject_kind = 'meeting' "
               "AND subject_id IN (SELECT id FROM meetings)")
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_notifications_subject_whole'), type_='check')
        batch_op.drop_column('subject_id')
        batch_op.drop_column('subject_kind')
        batch_op.create_foreign_key(batch_op.f('fk_notifications_meeting_id_meetings'), 'meetings', ['meeting_id'],
                                    ['id'], ondelete='CASCADE')
