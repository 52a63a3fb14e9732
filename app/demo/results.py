"""Demo results: the finished Astana process gets its projects on the ballot, about 3,000
synthetic voters across its districts, and the whole count a real city would run: the count keys
(made and used in memory here), the electoral roll, sealed envelopes, the opening of the
envelopes, a count with the Method of Equal Shares and published results — so `make run` shows
the end state of a real process.

Idempotent (nothing happens once the finished process has a result); the ballots are
deterministic, the keys and envelope order are not (they must not be)."""
import random
from datetime import date, timedelta

from sqlalchemy import insert, select
from werkzeug.security import generate_password_hash

from app.ballots import opening
from app.ballots.sealing import seal
from app.ballots.services import new_code, receipt_hash, stored_choices
from app.core.markdown import render_markdown
from app.demo.data.city import DEMO_PASSWORD
from app.demo.data.people import RESIDENT_EMAIL, VOTER_EMAIL, VOTERS_PER_DISTRICT
from app.demo.data.proposals import IDEAS
from app.demo.implementation import load_demo_implementation
from app.extensions import db
from app.identity.iin import make_iin
from app.identity.voter_key import voter_key
from app.implementation.services import follow_budget
from app.models import (
    Area,
    BallotConfig,
    CountKey,
    PaperTally,
    PhaseKind,
    Process,
    Proposal,
    ProposalEvent,
    Result,
    SealedEnvelope,
    User,
    VoterParticipation,
)
from app.models.ballots import random_id
from app.results import services as result_service


def load_demo_results(users: dict[str, User], areas: dict[str, Area], processes: dict[str, Process]) -> int:
    """Returns the number of ballots created (0 when already loaded)."""
    process = processes["finished"]
    budget_ids = [b.id for b in process.budgets]
    if db.session.scalar(select(Result.id).where(Result.budget_id.in_(budget_ids)).limit(1)):
        return 0
    rng = random.Random(2025)
    akimat = users["akimat@qatysu.kz"]
    voting = process.phase(PhaseKind.VOTING)
    reviewed_at = process.phase(PhaseKind.REVIEW).starts_at + timedelta(days=3)
    authors = list(db.session.scalars(select(User).where(User.email.like(RESIDENT_EMAIL.replace("{n}", "%")))))
    password_hash = generate_password_hash(DEMO_PASSWORD)
    plans = []
    for budget in process.budgets:
        db.session.add(BallotConfig(budget_id=budget.id, ballot_type="approval", min_projects=1, max_projects=3,
                                    rule="mes", rule_options={"completion": "add1-greedy"}, tie_break="id",
                                    min_votes=1, allow_change=False, min_age=16))
        ideas = [i for i in IDEAS if i.district == budget.area.name_en][:7]
        local_authors = [u for u in authors if u.home_area and u.home_area.is_within(budget.area)] or [None]
        proposals = []
        for idea in ideas:
            proposal = Proposal(
                process=process, budget=budget, area=budget.area, author=rng.choice(local_authors),
                category=next((c for c in process.categories if c.code == idea.category), None),
                title=idea.title, description=idea.lead, description_html=render_markdown(idea.lead),
                address=idea.address, estimated_cost=idea.cost, final_cost=idea.cost, status="on_ballot",
                created_at=process.phases[0].starts_at + timedelta(days=rng.randint(1, 20)),
            )
            proposal.submitted_at = proposal.created_at
            db.session.add(proposal)
            proposals.append(proposal)
        db.session.flush()
        for proposal in proposals:
            db.session.add_all([
                ProposalEvent(proposal=proposal, kind="submitted", actor=proposal.author, actor_role="resident",
                              data={}, created_at=proposal.created_at),
                ProposalEvent(proposal=proposal, kind="reviewed_feasible", actor=akimat, actor_role="akimat",
                              data={"cost": proposal.final_cost}, created_at=reviewed_at),
                ProposalEvent(proposal=proposal, kind="placed_on_ballot", actor=akimat, actor_role="akimat",
                              data={"budget": budget.id}, created_at=reviewed_at + timedelta(days=1)),
            ])
        plans.append((budget, proposals, _voters(rng, budget, areas, password_hash, len(plans) * VOTERS_PER_DISTRICT)))
    db.session.commit()
    # Voting opens as the akimat would open it: keys for the counting commission, then the roll.
    key_file = opening.prepare_keys(process, akimat, now=voting.starts_at)
    opening.open_voting(process, akimat, key_file, now=voting.starts_at)
    total = 0
    for budget, proposals, voters in plans:
        total += _cast(rng, budget, proposals, voters, voting.starts_at.date())
        db.session.commit()
    for budget, proposals, _ in plans:
        result = result_service.count(budget, akimat, key_file=key_file)
        result_service.publish(result, akimat)
        load_demo_implementation(rng, akimat, [p for p in proposals if str(p.id) in result.selected],
                                 voting.ends_at.date())
    resident = users["resident@qatysu.kz"]  # follows their district's result and its funded projects
    follow_budget(resident, next(b for b, _, _ in plans if resident.home_area.is_within(b.area)))
    return total


def _voters(rng, budget, areas, password_hash: str, offset: int) -> list[dict]:
    """Synthetic voters of the district: accounts without activity, on the roll once voting opens."""
    okrugs = [a for a in areas.values() if a.kind == "okrug" and a.is_within(budget.area)]
    users = []
    for i in range(VOTERS_PER_DISTRICT):
        n = offset + i + 1
        born = date(rng.randint(1950, 2008), rng.randint(1, 12), rng.randint(1, 28))
        iin = make_iin(born, rng.choice(("male", "female")), 3000 + n)
        users.append({"email": VOTER_EMAIL.format(n=n), "full_name": f"Voter {n}", "password_hash": password_hash,
                      "iin": iin, "home_area_id": rng.choice(okrugs).id, "locale": rng.choice(("kk", "ru")),
                      "is_active_account": True, "verification_method": "iin-declared"})
    db.session.execute(insert(User), users)
    return users


def _cast(rng, budget, proposals, voters, voting_day: date) -> int:
    """Each voter approves 1 to 3 projects drawn by their popularity, online or (8 %) on paper:
    a participation and a sealed envelope each, as the booth and the polling point write them."""
    key = db.session.get(CountKey, budget.id)
    popularity = [rng.uniform(0.3, 3.0) for _ in proposals]
    participations, envelopes, papers = [], [], 0
    for voter in voters:
        k = rng.choice((1, 2, 2, 3, 3, 3))
        chosen = set()
        while len(chosen) < k:
            chosen.add(rng.choices(range(len(proposals)), weights=popularity)[0])
        channel = "paper" if rng.random() < 0.08 else "online"
        papers += channel == "paper"
        participations.append({"budget_id": budget.id, "voter_key": voter_key(voter["iin"]), "channel": channel,
                               "voted_on": voting_day + timedelta(days=rng.randint(0, 6))})
        choices = stored_choices("approval", [str(proposals[j].id) for j in sorted(chosen)])
        receipt = new_code()
        envelopes.append({"id": random_id(), "budget_id": budget.id,
                          "sealed": seal(key.public_key, choices, receipt_hash(receipt), channel, key.envelope_size)})
    rng.shuffle(envelopes)  # a real box has no order either (and the count shuffles again)
    db.session.execute(insert(VoterParticipation), participations)
    db.session.add(PaperTally(budget_id=budget.id, voters_marked=papers, papers_entered=papers))
    db.session.flush()
    db.session.execute(insert(SealedEnvelope), envelopes)
    return len(envelopes)
