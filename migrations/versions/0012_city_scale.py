"""every page at city scale: stored participation statistics, full-text search, indexes

- ``participation_stats``: the turnout aggregated once per budget (when voting closes, at the
  count, on publication and annulment), so that a results page reads one row instead of the
  whole electoral roll. Budgets already counted get theirs now.
- The full-text index of proposals (app/models/search.py, the same DDL ``create_all`` runs):
  on SQLite an FTS5 table with the trigram tokenizer, filled from the proposals and kept current
  by triggers on ``proposals``; on PostgreSQL the pg_trgm extension and a GIN trigram index.
  No table is copied, so no guard of app/models/guards.py is dropped.

Revision ID: 0012_city_scale
Revises: 0011_notification_subjects
Create Date: 2026-12-02 01:30:00.000000
"""
import json

import sqlalchemy as sa
from alembic import op

from app.models import search

revision = '0012_city_scale'
down_revision = '0011_notification_subjects'
branch_labels = None
depends_on = None

CELLS = sa.text(
    "SELECT r.district_id, r.age_band, r.sex, count(*), "
    "sum(CASE WHEN p.channel = 'online' THEN 1 ELSE 0 END), sum(CASE WHEN p.channel = 'paper' THEN 1 ELSE 0 END) "
    "FROM electoral_roll r LEFT OUTER JOIN voter_participations p "
    "ON p.budget_id = r.budget_id AND p.voter_key = r.voter_key "
    "WHERE r.budget_id = :budget GROUP BY r.district_id, r.age_band, r.sex "
    "ORDER BY r.district_id, r.age_band, r.sex")


def upgrade():
    op.create_table('participation_stats',
    sa.Column('budget_id', sa.Integer(), nullable=False),
    sa.Column('cells', sa.JSON(), nullable=False),
    sa.Column('computed_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['budget_id'], ['budgets.id'], name=op.f('fk_participation_stats_budget_id_budgets'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('budget_id', name=op.f('pk_participation_stats'))
    )
    bind = op.get_bind()
    stats = sa.table('participation_stats', sa.column('budget_id', sa.Integer), sa.column('cells', sa.JSON),
                     sa.column('computed_at', sa.DateTime))
    counted = bind.execute(sa.text("SELECT DISTINCT budget_id FROM results")).scalars().all()
    for budget_id in counted:
        cells = [[d, band, sex, int(n), int(online or 0), int(paper or 0)]
                 for d, band, sex, n, online, paper in bind.execute(CELLS, {"budget": budget_id})]
        bind.execute(stats.insert().values(budget_id=budget_id, cells=json.loads(json.dumps(cells)),
                                           computed_at=sa.func.current_timestamp()))
    search.install(bind)


def downgrade():
    search.remove(op.get_bind())
    op.drop_table('participation_stats')
