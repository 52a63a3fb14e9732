"""the expert council (settings, members, criteria, assignments, scores and decisions per process)
and invitations of officials by email

New tables only: nothing existing is copied, so no guard of app/models/guards.py is touched.

Revision ID: 0015_expert_council
Revises: 0014_resident
Create Date: 2026-12-02 01:20:21.610619

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015_expert_council'
down_revision = '0014_resident'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('role_invitations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=True),
    sa.Column('invited_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('accepted_at', sa.DateTime(), nullable=True),
    sa.Column('accepted_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("role IN ('deputy', 'akimat', 'expert', 'moderator', 'admin')", name=op.f('ck_role_invitations_role_known')),
    sa.CheckConstraint("area_id IS NOT NULL OR role = 'admin'", name=op.f('ck_role_invitations_only_admin_nationwide')),
    sa.CheckConstraint('(accepted_at IS NULL) = (accepted_by_id IS NULL)', name=op.f('ck_role_invitations_accepted_whole')),
    sa.CheckConstraint('length(email) <= 254', name=op.f('ck_role_invitations_email_length')),
    sa.ForeignKeyConstraint(['area_id'], ['areas.id'], name=op.f('fk_role_invitations_area_id_areas')),
    sa.ForeignKeyConstraint(['invited_by_id'], ['users.id'], name=op.f('fk_role_invitations_invited_by_id_users')),
    sa.ForeignKeyConstraint(['accepted_by_id'], ['users.id'], name=op.f('fk_role_invitations_accepted_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_role_invitations'))
    )
    with op.batch_alter_table('role_invitations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_role_invitations_email'), ['email'], unique=False)

    op.create_table('councils',
    sa.Column('process_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('rule', sa.String(length=16), server_default='majority', nullable=False),
    sa.Column('revision_days', sa.Integer(), server_default='4', nullable=False),
    sa.Column('names_public', sa.Boolean(), server_default='1', nullable=False),
    sa.CheckConstraint("rule IN ('majority', 'unanimous')", name=op.f('ck_councils_rule_known')),
    sa.CheckConstraint('revision_days BETWEEN 0 AND 30', name=op.f('ck_councils_revision_days_range')),
    sa.ForeignKeyConstraint(['process_id'], ['processes.id'], name=op.f('fk_councils_process_id_processes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('process_id', name=op.f('pk_councils'))
    )
    op.create_table('council_criteria',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('process_id', sa.Integer(), nullable=False),
    sa.Column('name_kk', sa.String(length=200), nullable=False),
    sa.Column('name_ru', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('scale', sa.String(length=12), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.CheckConstraint("scale IN ('pass_fail', 'score')", name=op.f('ck_council_criteria_scale_known')),
    sa.CheckConstraint('length(name_en) <= 200', name=op.f('ck_council_criteria_name_en_length')),
    sa.CheckConstraint('length(name_kk) <= 200', name=op.f('ck_council_criteria_name_kk_length')),
    sa.CheckConstraint('length(name_ru) <= 200', name=op.f('ck_council_criteria_name_ru_length')),
    sa.ForeignKeyConstraint(['process_id'], ['councils.process_id'], name=op.f('fk_council_criteria_process_id_councils'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_council_criteria'))
    )
    with op.batch_alter_table('council_criteria', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_council_criteria_process_id'), ['process_id'], unique=False)

    op.create_table('council_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('process_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['process_id'], ['councils.process_id'], name=op.f('fk_council_members_process_id_councils'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_council_members_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_council_members')),
    sa.UniqueConstraint('process_id', 'user_id', name=op.f('uq_council_members_process_id_user_id'))
    )
    with op.batch_alter_table('council_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_council_members_process_id'), ['process_id'], unique=False)

    op.create_table('council_assignments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('verdict', sa.String(length=8), nullable=True),
    sa.Column('remark', sa.Text(), nullable=True),
    sa.Column('scored_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("verdict IS NULL OR verdict IN ('approve', 'reject')", name=op.f('ck_council_assignments_verdict_known')),
    sa.CheckConstraint('(verdict IS NULL) = (scored_at IS NULL) AND (verdict IS NULL) = (remark IS NULL)', name=op.f('ck_council_assignments_scored_whole')),
    sa.CheckConstraint('length(remark) <= 3000', name=op.f('ck_council_assignments_remark_length')),
    sa.ForeignKeyConstraint(['member_id'], ['council_members.id'], name=op.f('fk_council_assignments_member_id_council_members'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_council_assignments_proposal_id_proposals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_council_assignments')),
    sa.UniqueConstraint('proposal_id', 'member_id', name=op.f('uq_council_assignments_proposal_id_member_id'))
    )
    with op.batch_alter_table('council_assignments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_council_assignments_member_id'), ['member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_council_assignments_proposal_id'), ['proposal_id'], unique=False)

    op.create_table('council_decisions',
    sa.Column('proposal_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('outcome', sa.String(length=8), nullable=False),
    sa.Column('decided_at', sa.DateTime(), nullable=False),
    sa.Column('revise_until', sa.Date(), nullable=False),
    sa.Column('final_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("outcome IN ('approve', 'reject')", name=op.f('ck_council_decisions_outcome_known')),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_council_decisions_proposal_id_proposals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('proposal_id', name=op.f('pk_council_decisions'))
    )
    op.create_table('council_scores',
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('criterion_id', sa.Integer(), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.CheckConstraint('value BETWEEN 0 AND 5', name=op.f('ck_council_scores_value_range')),
    sa.ForeignKeyConstraint(['assignment_id'], ['council_assignments.id'], name=op.f('fk_council_scores_assignment_id_council_assignments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['criterion_id'], ['council_criteria.id'], name=op.f('fk_council_scores_criterion_id_council_criteria'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('assignment_id', 'criterion_id', name=op.f('pk_council_scores'))
    )


def downgrade():
    with op.batch_alter_table('role_invitations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_role_invitations_email'))
    op.drop_table('role_invitations')
    op.drop_table('council_scores')
    op.drop_table('council_decisions')
    with op.batch_alter_table('council_assignments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_council_assignments_proposal_id'))
        batch_op.drop_index(batch_op.f('ix_council_assignments_member_id'))

    op.drop_table('council_assignments')
    with op.batch_alter_table('council_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_council_members_process_id'))

    op.drop_table('council_members')
    with op.batch_alter_table('council_criteria', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_council_criteria_process_id'))

    op.drop_table('council_criteria')
    op.drop_table('councils')
