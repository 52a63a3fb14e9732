"""Demo proposals for the open Astana process: residents write proposals in Kazakh and Russian,
support and discuss them; the expert council and the akimat review them and merge one duplicate.

Everything goes through the real services (so the timeline and notifications are written as in
real use); only the dates are spread afterwards over the days the proposals phase has been open.
Idempotent: nothing is done when the open process already has proposals. Deterministic: one
``random.Random(2026)`` drives every choice."""
import random
from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy import func, select, text, update

from app.core.clock import utcnow
from app.core.errors import ServiceError
from app.demo.data.city import DISTRICTS
from app.demo.data.proposals import (
    CATEGORY_TEXT,
    CLOSING,
    COMMENTS,
    DUPLICATE,
    DUPLICATE_INTO,
    FEASIBLE,
    IDEAS,
    MERGE_NOTE,
    NOT_FEASIBLE,
    REPLIES,
    RESIDENT_IDEAS,
    WORKS,
    Idea,
)
from app.demo.residents import load_residents
from app.extensions import db
from app.models import Area, Budget, Comment, PhaseKind, Process, Proposal, ProposalEvent, Support, User
from app.proposals import comments as comment_service
from app.proposals import review as review_service
from app.proposals import services as proposal_service


def _description(rng: random.Random, idea: Idea) -> str:
    """2–4 Markdown paragraphs: the author's own words, the category's details, maybe a list."""
    parts = [idea.lead]
    variants = CATEGORY_TEXT[idea.category][idea.lang]
    parts.append(rng.choice(variants))
    if rng.random() < 0.5:
        heading, items = WORKS[idea.lang]
        chosen = rng.sample(items, k=3)
        parts.append(heading + "\n\n" + "\n".join(f"- {item}" for item in chosen))
    if rng.random() < 0.7:
        parts.append(rng.choice(CLOSING[idea.lang]))
    return "\n\n".join(parts)


# --- loading ----------------------------------------------------------------------------------

def _power_law(rng: random.Random, count: int) -> list[float]:
    """Popularity weights: a few proposals are much more popular than most."""
    return [1.0 / (rank + 1) ** 1.2 * (0.6 + 0.4 * rng.random()) for rank in range(count)]


def load_demo_proposals(users: dict[str, User], areas: dict[str, Area], processes: dict[str, Process]) -> int:
    """Fill the open process with demo proposals; returns how many were created (0 if it already has some)."""
    process = processes["open"]
    if db.session.scalar(select(func.count(Proposal.id)).where(Proposal.process_id == process.id)):
        return 0
    with _fast_sqlite_commits():
        return _load(users, areas, process)


@contextmanager
def _fast_sqlite_commits():
    """The services commit after every action (~300 here); on SQLite each commit waits for the
    disk. While loading demo data that wait buys nothing, so this connection skips it, then
    goes back to the previous setting."""
    if db.engine.dialect.name != "sqlite":
        yield
        return
    previous = db.session.execute(text("PRAGMA synchronous")).scalar()
    db.session.execute(text("PRAGMA synchronous = OFF"))
    try:
        yield
    finally:
        db.session.rollback()  # nothing is pending after a successful load; after a failure, drop it
        db.session.execute(text(f"PRAGMA synchronous = {int(previous)}"))
        db.session.commit()


def _load(users: dict[str, User], areas: dict[str, Area], process: Process) -> int:
    rng = random.Random(2026)
    budgets: dict[str, Budget] = {b.area.name_en: b for b in process.budgets}
    categories = {c.code: c for c in process.categories}
    residents = load_residents(rng, areas)
    demo_resident = users["resident@qatysu.kz"]
    residents["Esil district"].append(demo_resident)
    db.session.commit()

    # Proposals, each by a resident of its district (the demo resident writes two in Esil).
    created: dict[str, Proposal] = {}
    languages: dict[int, str] = {}
    by_district: dict[str, list[Proposal]] = {d: [] for d in DISTRICTS}
    authors_left = {d: rng.sample([u for u in people if u is not demo_resident], k=len(people) - 1)
                    for d, people in residents.items()}
    for idea in IDEAS:
        budget = budgets[idea.district]
        author = demo_resident if idea.key in RESIDENT_IDEAS else authors_left[idea.district].pop()
        proposal = proposal_service.create_proposal(
            author, budget, title=idea.title, description=_description(rng, idea),
            category=categories[idea.category], address=idea.address, cost=idea.cost, photos=(), submit=True,
        )
        created[idea.key] = proposal
        languages[proposal.id] = idea.lang
        by_district[idea.district].append(proposal)

    # Supports from neighbours in the district: a few proposals gather most of them (power law).
    for district, proposals in by_district.items():
        popularity = _power_law(rng, len(proposals))
        top = max(popularity)
        for proposal, weight in zip(rng.sample(proposals, k=len(proposals)), popularity):
            eligible = [u for u in residents[district] if u.id != proposal.author_id]
            wanted = min(len(eligible), round(len(eligible) * 0.95 * weight / top * rng.uniform(0.7, 1.0)))
            for person in rng.sample(eligible, k=wanted):
                proposal_service.support(proposal, person)
    # The demo resident supports a few neighbours' proposals, so their page shows something.
    supported = set(db.session.scalars(select(Support.proposal_id).where(Support.user_id == demo_resident.id)))
    for proposal in by_district["Esil district"]:
        if len(supported) >= 4:
            break
        if proposal.author_id != demo_resident.id and proposal.id not in supported:
            proposal_service.support(proposal, demo_resident)
            supported.add(proposal.id)

    # Discussion: a few comments on most proposals, some replies by the author, "useful" marks.
    for district, proposals in by_district.items():
        neighbours = residents[district]
        for proposal in proposals:
            thread: list[Comment] = []
            for _ in range(rng.choice([0, 1, 2, 2, 3, 3, 4])):
                commenter = rng.choice([u for u in neighbours if u.id != proposal.author_id])
                stance = rng.choices(["for", "against", "neutral"], weights=[6, 2, 3])[0]
                lang = commenter.locale if commenter.locale in ("kk", "ru") else "ru"
                thread.append(comment_service.add_comment(
                    proposal, commenter, body=rng.choice(COMMENTS[(stance, lang)]), stance=stance))
            questions = [c for c in thread if c.stance != "for"]
            if questions and rng.random() < 0.6:
                question = questions[0]
                lang = languages[proposal.id]
                comment_service.add_comment(proposal, proposal.author, body=rng.choice(REPLIES[lang]),
                                            stance="neutral", parent_id=question.id)
            for comment in thread:
                if rng.random() < 0.35:
                    marker = rng.choice([u for u in neighbours if u.id != comment.author_id])
                    try:
                        comment_service.mark_useful(comment, marker)
                    except ServiceError:  # the same neighbour twice: once is enough
                        pass

    # Reviews by the expert council and the akimat, then one merge of a genuine duplicate.
    for key, (email, factor, note) in FEASIBLE.items():
        proposal = created[key]
        limit = proposal.budget.project_limit() or proposal.estimated_cost
        final = min(limit, int(round(proposal.estimated_cost * factor, -4)))
        review_service.review(proposal, users[email], feasible=True, final_cost=final, reason=note)
    for key, (email, reason) in NOT_FEASIBLE.items():
        review_service.review(created[key], users[email], feasible=False, final_cost=None, reason=reason)
    review_service.merge(created[DUPLICATE], created[DUPLICATE_INTO], users["akimat@qatysu.kz"], MERGE_NOTE)

    _spread_dates(rng, process, list(created.values()))
    return len(created)


def _spread_dates(rng: random.Random, process: Process, proposals: list[Proposal]) -> None:
    """Everything above happened within a second; spread it over the days the phase has been
    open so "newest" means something: proposals in the order written, comments and supports after
    their proposal."""

    now = utcnow()
    phase = process.phase(PhaseKind.PROPOSALS)
    start = max(phase.starts_at, now - timedelta(days=30)) + timedelta(hours=6)
    span = (now - timedelta(hours=3) - start).total_seconds()
    for position, proposal in enumerate(proposals):
        at = start + timedelta(seconds=span * (position + rng.random() * 0.8) / len(proposals))
        db.session.execute(update(Proposal).where(Proposal.id == proposal.id)
                           .values(created_at=at, submitted_at=at, updated_at=at))
        db.session.execute(update(ProposalEvent).where(ProposalEvent.proposal_id == proposal.id,
                                                       ProposalEvent.kind == "submitted").values(created_at=at))
        left = (now - at).total_seconds()
        for model in (Support, Comment):
            ids = list(db.session.scalars(select(model.id).where(model.proposal_id == proposal.id)
                                          .order_by(model.id)))
            offsets = sorted(rng.random() * left * 0.9 for _ in ids)
            for row_id, offset in zip(ids, offsets):
                db.session.execute(update(model).where(model.id == row_id)
                                   .values(created_at=at + timedelta(seconds=offset)))
    db.session.commit()
