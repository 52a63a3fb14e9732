"""photos sent with a refused form are kept for the retry (issue #19)

``pending_photos``: a photo decoded and re-encoded when another field of its form was refused,
kept under a random token the form carries, so the resident does not choose the file again. Only
its uploader can attach it to a proposal; unclaimed ones are removed after a day. A new table,
referenced by none and guarded by no trigger: no batch copy of anything.

Revision ID: 0014_resident
Revises: 0013_minutes_implementation
Create Date: 2026-12-06 10:00:00.000000
"""
import sqlalchemy as sa
from alembic import op

revision = '0014_resident'
down_revision = '0013_minutes_implementation'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'pending_photos',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token', sa.String(length=32), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('stored_name', sa.String(length=80), nullable=False),
        sa.Column('width', sa.Integer(), nullable=False),
        sa.Column('height', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_pending_photos_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_pending_photos')),
        sa.UniqueConstraint('stored_name', name=op.f('uq_pending_photos_stored_name')),
        sa.UniqueConstraint('token', name=op.f('uq_pending_photos_token')),
    )
    with op.batch_alter_table('pending_photos', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pending_photos_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('pending_photos', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pending_photos_user_id'))
    op.drop_table('pending_photos')
