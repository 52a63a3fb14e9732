"""sealed ballots: the electoral roll, count keys, sealed envelopes, anonymous ballots, annulment

Participations name voters by a keyed hash of the IIN (VOTER_KEY_SECRET) instead of the IIN, and
only voters on a roll can have one; ballots are sealed envelopes until the count opens them into
anonymous ballots (random ids, receipt hashes). Results can be annulled; the database's guards
(app/models/guards.py, version 1) are installed.

Ballots cast before this revision are already readable: they become opened anonymous ballots
(receipt -> its hash), their voters a roll, and their budget a throwaway confirmed key, so what
was counted stays countable. "Follow the projects I voted for" becomes following the budget.
The downgrade drops the new tables and recreates the old ones empty (the IINs are gone).

Revision ID: 0010_sealed_ballots
Revises: 0009_own_case
Create Date: 2026-12-01 21:44:57.627402

"""
import hashlib
import json
import random
import secrets
from datetime import UTC, date, datetime

import sqlalchemy as sa
from alembic import op
from nacl.public import PrivateKey

from app.ballots.sealing import fingerprint
from app.identity.voter_key import voter_key
from app.models import guards

revision = '0010_sealed_ballots'
down_revision = '0009_own_case'
branch_labels = None
depends_on = None

DEFAULT_MCI = {2024: 3692, 2025: 3932, 2026: 4325}


def _new_tables():
    op.create_table('count_keys',
    sa.Column('budget_id', sa.Integer(), nullable=False),
    sa.Column('public_key', sa.String(length=64), nullable=False),
    sa.Column('fingerprint', sa.String(length=32), nullable=False),
    sa.Column('envelope_size', sa.Integer(), nullable=True),
    sa.Column('prepared_by_id', sa.Integer(), nullable=True),
    sa.Column('prepared_at', sa.DateTime(), nullable=False),
    sa.Column('confirmed_by_id', sa.Integer(), nullable=True),
    sa.Column('confirmed_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['budget_id'], ['budgets.id'], name=op.f('fk_count_keys_budget_id_budgets'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['confirmed_by_id'], ['users.id'], name=op.f('fk_count_keys_confirmed_by_id_users')),
    sa.ForeignKeyConstraint(['prepared_by_id'], ['users.id'], name=op.f('fk_count_keys_prepared_by_id_users')),
    sa.PrimaryKeyConstraint('budget_id', name=op.f('pk_count_keys'))
    )
    op.create_table('electoral_roll',
    sa.Column('budget_id', sa.Integer(), nullable=False),
    sa.Column('voter_key', sa.String(length=64), nullable=False),
    sa.Column('process_id', sa.Integer(), nullable=False),
    sa.Column('tier', sa.Integer(), nullable=False),
    sa.Column('district_id', sa.Integer(), nullable=True),
    sa.Column('age_band', sa.String(length=8), nullable=False),
    sa.Column('sex', sa.String(length=8), nullable=False),
    sa.Column('added_reason', sa.Text(), nullable=True),
    sa.Column('added_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("sex IN ('male', 'female')", name=op.f('ck_electoral_roll_sex_known')),
    sa.CheckConstraint('length(added_reason) <= 500', name=op.f('ck_electoral_roll_added_reason_length')),
    sa.CheckConstraint('tier IN (0, 1)', name=op.f('ck_electoral_roll_tier_known')),
    sa.ForeignKeyConstraint(['added_by_id'], ['users.id'], name=op.f('fk_electoral_roll_added_by_id_users')),
    sa.ForeignKeyConstraint(['budget_id'], ['budgets.id'], name=op.f('fk_electoral_roll_budget_id_budgets'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['district_id'], ['areas.id'], name=op.f('fk_electoral_roll_district_id_areas')),
    sa.ForeignKeyConstraint(['process_id'], ['processes.id'], name=op.f('fk_electoral_roll_process_id_processes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('budget_id', 'voter_key', name=op.f('pk_electoral_roll')),
    sa.UniqueConstraint('process_id', 'voter_key', 'tier', name='uq_roll_one_budget_per_tier')
    )
    op.create_index('ix_roll_process_voter', 'electoral_roll', ['process_id', 'voter_key'], unique=False)
    op.create_table('voter_participations',
    sa.Column('budget_id', sa.Integer(), nullable=False),
    sa.Column('voter_key', sa.String(length=64), nullable=False),
    sa.Column('channel', sa.String(length=8), nullable=False),
    sa.Column('voted_on', sa.Date(), nullable=False),
    sa.Column('entered_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("channel IN ('online', 'paper')", name=op.f('ck_voter_participations_channel_known')),
    sa.ForeignKeyConstraint(['budget_id', 'voter_key'], ['electoral_roll.budget_id', 'electoral_roll.voter_key'], name='fk_participation_on_roll', ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['entered_by_id'], ['users.id'], name=op.f('fk_voter_participations_entered_by_id_users')),
    sa.PrimaryKeyConstraint('budget_id', 'voter_key', name=op.f('pk_voter_participations'))
    )
    op.create_table('sealed_envelopes',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('budget_id', sa.Integer(), nullable=False),
    sa.Column('sealed', sa.LargeBinary(), nullable=False),
    sa.Column('change_key_hash', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['budget_id'], ['budgets.id'], name=op.f('fk_sealed_envelopes_budget_id_budgets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sealed_envelopes')),
    sa.UniqueConstraint('budget_id', 'change_key_hash', name='uq_envelope_change_key'),
    sqlite_with_rowid=False
    )
    op.create_index(op.f('ix_sealed_envelopes_budget_id'), 'sealed_envelopes', ['budget_id'], unique=False)
    op.create_table('ballots',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('budget_id', sa.Integer(), nullable=False),
    sa.Column('choices', sa.JSON(), nullable=False),
    sa.Column('channel', sa.String(length=8), nullable=False),
    sa.Column('receipt_hash', sa.String(length=64), nullable=False),
    sa.CheckConstraint("channel IN ('online', 'paper')", name=op.f('ck_ballots_channel_known')),
    sa.ForeignKeyConstraint(['budget_id'], ['budgets.id'], name=op.f('fk_ballots_budget_id_budgets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ballots')),
    sa.UniqueConstraint('budget_id', 'receipt_hash', name='uq_ballot_receipt'),
    sqlite_with_rowid=False
    )
    op.create_index(op.f('ix_ballots_budget_id'), 'ballots', ['budget_id'], unique=False)
    op.create_table('ballot_openings',
    sa.Column('budget_id', sa.Integer(), nullable=False),
    sa.Column('envelopes', sa.Integer(), nullable=False),
    sa.Column('spoiled', sa.Integer(), nullable=False),
    sa.Column('fingerprint', sa.String(length=32), nullable=False),
    sa.Column('opened_by_id', sa.Integer(), nullable=True),
    sa.Column('opened_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('spoiled >= 0 AND spoiled <= envelopes', name=op.f('ck_ballot_openings_spoiled_within')),
    sa.ForeignKeyConstraint(['budget_id'], ['budgets.id'], name=op.f('fk_ballot_openings_budget_id_budgets'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['opened_by_id'], ['users.id'], name=op.f('fk_ballot_openings_opened_by_id_users')),
    sa.PrimaryKeyConstraint('budget_id', name=op.f('pk_ballot_openings'))
    )
    op.create_table('paper_tallies',
    sa.Column('budget_id', sa.Integer(), nullable=False),
    sa.Column('voters_marked', sa.Integer(), nullable=False),
    sa.Column('papers_entered', sa.Integer(), nullable=False),
    sa.CheckConstraint('papers_entered >= 0 AND papers_entered <= voters_marked', name=op.f('ck_paper_tallies_papers_within_voters')),
    sa.ForeignKeyConstraint(['budget_id'], ['budgets.id'], name=op.f('fk_paper_tallies_budget_id_budgets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('budget_id', name=op.f('pk_paper_tallies'))
    )
    op.create_table('budget_follows',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('budget_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['budget_id'], ['budgets.id'], name=op.f('fk_budget_follows_budget_id_budgets'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_budget_follows_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_budget_follows')),
    sa.UniqueConstraint('budget_id', 'user_id', name=op.f('uq_budget_follows_budget_id_user_id'))
    )
    op.create_index(op.f('ix_budget_follows_budget_id'), 'budget_follows', ['budget_id'], unique=False)
    op.create_index(op.f('ix_budget_follows_user_id'), 'budget_follows', ['user_id'], unique=False)


def _old_rows(conn):
    participations = conn.execute(sa.text(
        "SELECT p.budget_id, p.iin, p.channel, p.voted_on, p.district_id, p.age_band, p.sex, p.entered_by_id, "
        "b.process_id FROM voter_participations p JOIN budgets b ON b.id = p.budget_id")).all()
    ballots = conn.execute(sa.text("SELECT receipt, budget_id, choices, channel FROM ballots")).all()
    follows = conn.execute(sa.text(
        "SELECT DISTINCT f.user_id, p.budget_id FROM proposal_follows f JOIN proposals p ON p.id = f.proposal_id "
        "WHERE p.budget_id IS NOT NULL")).all()
    return participations, ballots, follows


def _carry_over(conn, participations, ballots, follows):
    now = datetime.now(UTC).replace(tzinfo=None)  # stored as naive UTC, as app.models.types does
    roll, votes, tiers = [], [], {}
    for budget_id, iin, channel, voted_on, district_id, age_band, sex, entered_by_id, process_id in participations:
        key = voter_key(iin)
        tier = tiers.get((process_id, key), -1) + 1
        if tier > 1:  # the same person on more than two budgets of a process: not carried over
            continue
        tiers[(process_id, key)] = tier
        roll.append({"budget_id": budget_id, "voter_key": key, "process_id": process_id, "tier": tier,
                     "district_id": district_id, "age_band": age_band, "sex": sex})
        if isinstance(voted_on, str):  # SQLite hands a raw SELECT's dates back as text
            voted_on = date.fromisoformat(voted_on)
        votes.append({"budget_id": budget_id, "voter_key": key, "channel": channel, "voted_on": voted_on,
                      "entered_by_id": entered_by_id})
    meta = sa.MetaData()
    tables = {name: sa.Table(name, meta, autoload_with=conn) for name in (
        "electoral_roll", "voter_participations", "count_keys", "ballot_openings", "ballots", "budget_follows")}
    if roll:
        conn.execute(sa.insert(tables["electoral_roll"]), roll)
        conn.execute(sa.insert(tables["voter_participations"]), votes)
    budgets = sorted({row["budget_id"] for row in roll} | {b[1] for b in ballots})
    rows = []
    for receipt, budget_id, choices, channel in ballots:
        choices = json.loads(choices) if isinstance(choices, str) else choices
        rows.append({"id": secrets.token_hex(16), "budget_id": budget_id, "choices": choices, "channel": channel,
                     "receipt_hash": hashlib.sha256(receipt.encode("ascii")).hexdigest()})
    random.SystemRandom().shuffle(rows)
    for budget_id in budgets:
        public = bytes(PrivateKey.generate().public_key).hex()  # the private half is never kept
        conn.execute(sa.insert(tables["count_keys"]).values(
            budget_id=budget_id, public_key=public, fingerprint=fingerprint(public), prepared_at=now,
            confirmed_at=now))
        conn.execute(sa.insert(tables["ballot_openings"]).values(
            budget_id=budget_id, envelopes=sum(1 for r in rows if r["budget_id"] == budget_id), spoiled=0,
            fingerprint=fingerprint(public), opened_at=now))
    if rows:
        conn.execute(sa.insert(tables["ballots"]), rows)
    if follows:
        conn.execute(sa.insert(tables["budget_follows"]), [{"user_id": u, "budget_id": b} for u, b in follows])


def _fix_mci_limits(conn):
    rates = dict(conn.execute(sa.text("SELECT year, tenge FROM mci_rates")).all())
    for budget_id, mci, year in conn.execute(sa.text(
            "SELECT b.id, b.project_limit_mci, p.year FROM budgets b JOIN processes p ON p.id = b.process_id "
            "WHERE b.project_limit_mci IS NOT NULL")).all():
        known = [y for y in DEFAULT_MCI if y <= year]
        rate = rates.get(year) or DEFAULT_MCI[max(known) if known else min(DEFAULT_MCI)]
        conn.execute(sa.text("UPDATE budgets SET project_limit_fixed = :v WHERE id = :id"),
                     {"v": mci * rate, "id": budget_id})


def upgrade():
    conn = op.get_bind()
    participations, ballots, follows = _old_rows(conn)
    op.drop_index(op.f('ix_voter_participations_user_id'), table_name='voter_participations')
    op.drop_table('voter_participations')
    op.drop_index(op.f('ix_ballots_budget_id'), table_name='ballots')
    op.drop_table('ballots')
    op.drop_index(op.f('ix_proposal_follows_proposal_id'), table_name='proposal_follows')
    op.drop_index(op.f('ix_proposal_follows_user_id'), table_name='proposal_follows')
    op.drop_table('proposal_follows')
    _new_tables()

    with op.batch_alter_table('ballot_configs', schema=None) as batch_op:
        batch_op.drop_column('show_running_counts')
    # Plain ADD COLUMN, not a batch copy: SQLite cannot drop and recreate tables that others reference.
    op.add_column('budgets', sa.Column('project_limit_fixed', sa.BigInteger(), nullable=True))
    scope_check = sa.CheckConstraint("voting_scope IN ('one', 'district_and_city')",
                                     name=op.f('ck_processes_voting_scope_known'))
    if conn.dialect.name == "sqlite":
        op.add_column('processes', sa.Column('voting_scope', sa.String(length=24), scope_check, server_default='one',
                                             nullable=False))
    else:
        op.add_column('processes', sa.Column('voting_scope', sa.String(length=24), server_default='one',
                                             nullable=False))
        op.create_check_constraint(op.f('ck_processes_voting_scope_known'), 'processes',
                                   "voting_scope IN ('one', 'district_and_city')")
    with op.batch_alter_table('results', schema=None) as batch_op:
        batch_op.add_column(sa.Column('spoiled', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('annulled_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('annulled_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('annul_reason', sa.Text(), nullable=True))
        batch_op.create_check_constraint(op.f('ck_results_annul_reason_length'), 'length(annul_reason) <= 1000')
        batch_op.create_foreign_key(batch_op.f('fk_results_annulled_by_id_users'), 'users', ['annulled_by_id'], ['id'])
    op.create_index('uq_results_one_published', 'results', ['budget_id'], unique=True,
                    sqlite_where=sa.text('published_at IS NOT NULL AND annulled_at IS NULL'),
                    postgresql_where=sa.text('published_at IS NOT NULL AND annulled_at IS NULL'))

    _carry_over(conn, participations, ballots, follows)
    _fix_mci_limits(conn)
    guards.install(conn, version=1)


def downgrade():
    conn = op.get_bind()
    guards.remove(conn, version=1)
    op.drop_index('uq_results_one_published', table_name='results')
    with op.batch_alter_table('results', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_results_annulled_by_id_users'), type_='foreignkey')
        batch_op.drop_constraint(op.f('ck_results_annul_reason_length'), type_='check')
        batch_op.drop_column('annul_reason')
        batch_op.drop_column('annulled_by_id')
        batch_op.drop_column('annulled_at')
        batch_op.drop_column('spoiled')
    if conn.dialect.name != "sqlite":
        op.drop_constraint(op.f('ck_processes_voting_scope_known'), 'processes', type_='check')
    op.drop_column('processes', 'voting_scope')
    op.drop_column('budgets', 'project_limit_fixed')
    with op.batch_alter_table('ballot_configs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('show_running_counts', sa.Boolean(), server_default=sa.false(), nullable=False))

    for index, table in (('ix_budget_follows_user_id', 'budget_follows'), ('ix_budget_follows_budget_id', 'budget_follows'),
                         ('ix_ballots_budget_id', 'ballots'), ('ix_sealed_envelopes_budget_id', 'sealed_envelopes'),
                         ('ix_roll_process_voter', 'electoral_roll')):
        op.drop_index(index, table_name=table)
    for table in ('budget_follows', 'paper_tallies', 'ballot_openings', 'ballots', 'sealed_envelopes',
                  'voter_participations', 'electoral_roll', 'count_keys'):
        op.drop_table(table)

    op.create_table('ballots',
    sa.Column('receipt', sa.String(length=24), nullable=False),
    sa.Column('budget_id', sa.Integer(), nullable=False),
    sa.Column('choices', sa.JSON(), nullable=False),
    sa.Column('channel', sa.String(length=8), nullable=False),
    sa.Column('change_key_hash', sa.String(length=64), nullable=True),
    sa.CheckConstraint("channel IN ('online', 'paper')", name=op.f('ck_ballots_channel_known')),
    sa.ForeignKeyConstraint(['budget_id'], ['budgets.id'], name=op.f('fk_ballots_budget_id_budgets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('receipt', name=op.f('pk_ballots'))
    )
    op.create_index(op.f('ix_ballots_budget_id'), 'ballots', ['budget_id'], unique=False)
    op.create_table('voter_participations',
    sa.Column('budget_id', sa.Integer(), nullable=False),
    sa.Column('iin', sa.String(length=12), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('channel', sa.String(length=8), nullable=False),
    sa.Column('voted_on', sa.Date(), nullable=False),
    sa.Column('district_id', sa.Integer(), nullable=True),
    sa.Column('age_band', sa.String(length=8), nullable=False),
    sa.Column('sex', sa.String(length=8), nullable=False),
    sa.Column('entered_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("channel IN ('online', 'paper')", name=op.f('ck_voter_participations_channel_known')),
    sa.CheckConstraint("sex IN ('male', 'female')", name=op.f('ck_voter_participations_sex_known')),
    sa.ForeignKeyConstraint(['budget_id'], ['budgets.id'], name=op.f('fk_voter_participations_budget_id_budgets'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['district_id'], ['areas.id'], name=op.f('fk_voter_participations_district_id_areas')),
    sa.ForeignKeyConstraint(['entered_by_id'], ['users.id'], name=op.f('fk_voter_participations_entered_by_id_users')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_voter_participations_user_id_users')),
    sa.PrimaryKeyConstraint('budget_id', 'iin', name=op.f('pk_voter_participations'))
    )
    op.create_index(op.f('ix_voter_participations_user_id'), 'voter_participations', ['user_id'], unique=False)
    op.create_table('proposal_follows',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_proposal_follows_proposal_id_proposals'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_proposal_follows_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposal_follows')),
    sa.UniqueConstraint('proposal_id', 'user_id', name=op.f('uq_proposal_follows_proposal_id_user_id'))
    )
    op.create_index(op.f('ix_proposal_follows_user_id'), 'proposal_follows', ['user_id'], unique=False)
    op.create_index(op.f('ix_proposal_follows_proposal_id'), 'proposal_follows', ['proposal_id'], unique=False)
