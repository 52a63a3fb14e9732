"""A city's worth of data for benchmarks/pages.py, bulk-inserted (not the services one by one).

On top of the vote day of ``_vote_day.build`` (the whole demo, a process whose voting is open
with a booth budget and a budget of sealed envelopes) this adds, for a size:

- residents (users) and, for the demo's finished budget, their electoral roll, participations
  and anonymous ballots (the published result's page, protocol and ballots.pb read them), with
  the participation statistics stored as the count stores them;
- proposals with power-law supports, comments and timeline events in the open process;
- funded projects with implementation reports and milestones in the finished process;
- a town hall with its registrants, agenda and action items;
- a very active resident (the demo's): the same activity at every size, as a real one has."""
import random
from datetime import UTC, date, datetime, timedelta

CHUNK = 20_000
SIZES = {
    "small": {"residents": 1_000, "proposals": 1_000, "supports": 10_000, "ballots": 1_000, "funded": 10,
              "registrants": 10},
    "city": {"residents": 500_000, "proposals": 100_000, "supports": 1_000_000, "ballots": 200_000, "funded": 300,
             "registrants": 500},
}
ACTIVE_SUPPORTS, ACTIVE_COMMENTS = 300, 50
TITLES = [
    "{street}, {house} үй ауласына балалар алаңы", "{street} бойындағы жаяу жүргіншілер жолын жарықтандыру",
    "{street}, {house} үй маңында ағаш отырғызу", "{street} бойындағы арықтарды тазалау",
    "Детская площадка во дворе: {street}, {house}", "Освещение тротуара: {street}, дома {house}",
    "Пандус у подъездов: {street}, {house}", "Скамейки и урны в сквере: {street}, {house}",
]
STREETS = ["Сарыарқа даңғылы", "Тұран даңғылы", "Қабанбай батыр даңғылы", "Сығанақ көшесі", "ул. Кунаева",
           "пр. Абылай хана", "ул. Иманова", "Жеңіс даңғылы", "ул. Бейбитшилик", "Ұлы Дала даңғылы"]
DESCRIPTIONS = ["Біздің аулада балалар көп, бірақ алаң жоқ немесе ескірген. Кешке қараңғы, қыста тайғанақ.",
                "Во дворе много детей и пожилых, а площадки нет или всё сломано. Вечером темно, зимой скользко."]
STATUSES = ["submitted"] * 70 + ["feasible"] * 20 + ["not_feasible"] * 4 + ["withdrawn"] * 3 + ["on_ballot"] * 2


def _insert(db, table, rows) -> None:
    for start in range(0, len(rows), CHUNK):
        db.session.execute(table.insert(), rows[start:start + CHUNK])


def _power_law(rng: random.Random, n: int, total: int, cap: int) -> list[int]:
    weights = [1.0 / (rank + 1) ** 0.7 for rank in range(n)]
    scale = total / sum(weights)
    counts = [min(cap, int(w * scale)) for w in weights]
    rng.shuffle(counts)
    return counts


def add_city(db, size: dict, rng: random.Random) -> dict:
    """Bulk-insert a city of ``size`` into the database of the current app context; returns ids."""
    from sqlalchemy import func, select, text

    from app.core.markdown import render_markdown
    from app.models import (
        Ballot,
        Budget,
        Comment,
        Implementation,
        Milestone,
        Process,
        Proposal,
        ProposalEvent,
        Result,
        RollEntry,
        Support,
        User,
        VoterParticipation,
        guards,
    )
    from app.models.ballots import random_id
    from app.results.participation import store
    from meetings.models import ActionItem, AgendaItem, Meeting, Registration

    now = datetime.now(UTC)
    users = {u.email: u for u in db.session.scalars(select(User).where(User.email.like("%@qatysu.kz")))}
    resident, deputy = users["resident@qatysu.kz"], users["deputy@qatysu.kz"]
    processes = list(db.session.scalars(select(Process).order_by(Process.id)))
    open_process = next(p for p in processes if p.title_en == "Astana participatory budget")
    finished = next(p for p in processes if "previous cycle" in p.title_en)

    # Residents: accounts only (their IINs are not parsed by any page measured).
    n_users = size["residents"]
    first_user = (db.session.scalar(select(func.max(User.id))) or 0) + 1
    okrugs = [a.id for a in resident.home_area.parent.children] or [resident.home_area_id]
    password_hash = "pbkdf2:sha256:1$bench$" + "0" * 64  # never used to log in
    _insert(db, User.__table__, [
        {"id": first_user + i, "email": f"city.{i}@bench.qatysu.kz", "full_name": f"Тұрғын {i}",
         "password_hash": password_hash, "iin": f"B{i:011d}", "home_area_id": okrugs[i % len(okrugs)],
         "locale": ("kk", "ru")[i % 2], "is_active_account": True, "created_at": now} for i in range(n_users)])
    db.session.commit()

    # The finished budget's published result, with every resident on its roll and the voters'
    # ballots: the guards refuse rows added after the count, so they are lifted for the load.
    budget = db.session.scalar(select(Budget).join(Result, Result.budget_id == Budget.id)
                               .where(Result.published_at.is_not(None), Result.annulled_at.is_(None),
                                      Budget.process_id == finished.id).limit(1))
    result = db.session.scalar(select(Result).where(Result.budget_id == budget.id, Result.published_at.is_not(None),
                                                    Result.annulled_at.is_(None)))
    ids = list(result.projects)
    bands = ["18-29", "30-44", "45-59", "60+"]
    districts = [a.id for a in budget.area.children] or [budget.area_id]
    guards.remove(db.session.connection())
    roll, participations, ballots = [], [], []
    for i in range(n_users):
        key = f"{i:064x}"
        roll.append({"budget_id": budget.id, "voter_key": key, "process_id": finished.id, "tier": 0,
                     "district_id": districts[i % len(districts)], "age_band": bands[i % 4],
                     "sex": ("female", "male")[i % 2]})
        if i < size["ballots"]:
            channel = "paper" if i % 12 == 0 else "online"
            participations.append({"budget_id": budget.id, "voter_key": key, "channel": channel,
                                   "voted_on": date.today()})
            chosen = rng.sample(ids, k=min(len(ids), rng.choice((1, 2, 3))))
            ballots.append({"id": random_id(), "budget_id": budget.id, "choices": {pid: 1 for pid in chosen},
                            "channel": channel, "receipt_hash": f"{i:064x}"})
        if len(roll) >= CHUNK:
            _insert(db, RollEntry.__table__, roll)
            _insert(db, VoterParticipation.__table__, participations)
            _insert(db, Ballot.__table__, ballots)
            roll, participations, ballots = [], [], []
    _insert(db, RollEntry.__table__, roll)
    _insert(db, VoterParticipation.__table__, participations)
    _insert(db, Ballot.__table__, ballots)
    store(budget)
    guards.install(db.session.connection())
    db.session.commit()

    # Proposals in the open process, with supports, comments and events.
    n = size["proposals"]
    budgets = [(b.id, b.area_id) for b in open_process.budgets]
    categories = [c.id for c in open_process.categories]
    first = (db.session.scalar(select(func.max(Proposal.id))) or 0) + 1
    supports = _power_law(rng, n, size["supports"], n_users)
    html = [render_markdown(d) for d in DESCRIPTIONS]
    rows, events, comments = [], [], []
    for i in range(n):
        budget_id, area_id = rng.choice(budgets)
        street, house = rng.choice(STREETS), rng.randint(1, 120)
        created = now - timedelta(days=60) + timedelta(seconds=i * 5_000_000 / n)
        author = first_user + rng.randrange(n_users)
        rows.append({"id": first + i, "process_id": open_process.id, "budget_id": budget_id, "area_id": area_id,
                     "author_id": author, "category_id": rng.choice(categories),
                     "title": TITLES[i % len(TITLES)].format(street=street, house=house),
                     "description": DESCRIPTIONS[i % 8 // 4], "description_html": html[i % 8 // 4],
                     "address": f"{street}, {house}", "estimated_cost": rng.randrange(1_500_000, 20_000_000, 10_000),
                     "final_cost": None, "status": rng.choice(STATUSES), "status_reason": None, "merged_into_id": None,
                     "support_count": supports[i], "comment_count": 1 if i % 20 == 0 else 0, "created_at": created,
                     "submitted_at": created, "updated_at": created, "hidden_at": None, "hidden_reason": None,
                     "hidden_by_id": None})
        events.append({"proposal_id": first + i, "kind": "submitted", "actor_id": author, "actor_role": "resident",
                       "note": None, "data": {}, "created_at": created})
        if i % 20 == 0:
            comments.append({"proposal_id": first + i, "author_id": first_user + rng.randrange(n_users),
                             "parent_id": None, "stance": "for", "body": "Қолдаймын!", "body_html": "<p>Қолдаймын!</p>",
                             "useful_count": 0, "created_at": created, "edited_at": None, "deleted_at": None,
                             "hidden_at": None, "hidden_reason": None, "hidden_by_id": None})
    _insert(db, Proposal.__table__, rows)  # the search index follows by its triggers (SQLite) or GIN index
    _insert(db, ProposalEvent.__table__, events)
    _insert(db, Comment.__table__, comments)
    del rows, events, comments
    chunk = []
    for i, count in enumerate(supports):
        start = rng.randrange(n_users)
        chunk.extend({"proposal_id": first + i, "user_id": first_user + (start + j) % n_users, "created_at": now}
                     for j in range(count))
        if len(chunk) >= CHUNK:
            _insert(db, Support.__table__, chunk)
            chunk = []
    _insert(db, Support.__table__, chunk)
    db.session.commit()
    detail = first + max(range(n), key=supports.__getitem__)

    # The very active resident: supports, comments, the same at every size.
    active = rng.sample(range(n), k=min(n, ACTIVE_SUPPORTS))
    db.session.execute(text("DELETE FROM supports WHERE user_id = :u"), {"u": resident.id})
    _insert(db, Support.__table__, [{"proposal_id": first + i, "user_id": resident.id, "created_at": now}
                                    for i in active])
    _insert(db, Comment.__table__, [
        {"proposal_id": first + i, "author_id": resident.id, "parent_id": None, "stance": "for", "body": "Иә",
         "body_html": "<p>Иә</p>", "useful_count": 0, "created_at": now, "edited_at": None, "deleted_at": None,
         "hidden_at": None, "hidden_reason": None, "hidden_by_id": None} for i in active[:ACTIVE_COMMENTS]])

    # Funded projects of the finished process, with implementation reports and milestones.
    fbudget = finished.budgets[0]
    funded_first = first + n
    _insert(db, Proposal.__table__, [
        {"id": funded_first + i, "process_id": finished.id, "budget_id": fbudget.id, "area_id": fbudget.area_id,
         "author_id": first_user + i, "category_id": finished.categories[0].id if finished.categories else None,
         "title": f"Іске асырылып жатқан жоба {i}", "description": "Жоба", "description_html": "<p>Жоба</p>",
         "address": "Астана", "estimated_cost": 5_000_000, "final_cost": 5_000_000, "status": "in_implementation",
         "status_reason": None, "merged_into_id": None, "support_count": 0, "comment_count": 0, "created_at": now,
         "submitted_at": now, "updated_at": now, "hidden_at": None, "hidden_reason": None, "hidden_by_id": None}
        for i in range(size["funded"])])
    _insert(db, Implementation.__table__, [
        {"proposal_id": funded_first + i, "status": "in_progress", "progress": i % 100, "spent": 1_000_000 + i,
         "updated_at": now} for i in range(size["funded"])])
    _insert(db, Milestone.__table__, [
        {"proposal_id": funded_first + i, "title": title, "starts_on": date.today() - timedelta(days=60),
         "planned_on": date.today() + timedelta(days=delta), "done_on": None}
        for i in range(size["funded"]) for title, delta in (("Жобалау", -5), ("Құрылыс", 60))])

    # A town hall with its registrants, agenda and action items, hosted by the demo deputy.
    meeting = Meeting(area_id=resident.home_area_id, host_id=deputy.id, title="Қала шаруашылығы: кездесу",
                      description="", description_html="", starts_at=now + timedelta(days=3),
                      ends_at=now + timedelta(days=3, hours=2), capacity=size["registrants"] + 100)
    db.session.add(meeting)
    db.session.flush()
    _insert(db, Registration.__table__, [
        {"meeting_id": meeting.id, "user_id": first_user + i, "status": "registered", "attended": False,
         "created_at": now} for i in range(size["registrants"])])
    _insert(db, AgendaItem.__table__, [{"meeting_id": meeting.id, "position": i, "proposal_id": first + i}
                                       for i in range(10)])
    _insert(db, ActionItem.__table__, [{"meeting_id": meeting.id, "what": "Тексеру", "owner_id": first_user + i,
                                        "due_on": date.today() + timedelta(days=30), "status": "open"}
                                       for i in range(10)])
    db.session.commit()
    return {"results_budget": budget.id, "detail": detail, "meeting": meeting.id,
            "area": open_process.area_id, "residents": n_users, "proposals": n,
            "supports": db.session.scalar(select(func.count()).select_from(Support)),
            "ballots": db.session.scalar(select(func.count()).select_from(Ballot).where(Ballot.budget_id == budget.id))}
