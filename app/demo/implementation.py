"""The funded projects of the finished process at various stages: milestones (one of them late),
procurement, works under way, one completed — reported as the akimat reports them."""
import random
from datetime import date, timedelta

from app.demo.data.implementation import COMPLETED_NOTE, MILESTONES, PROCUREMENT_NOTE, STAGES, WORKING_NOTE
from app.implementation import services as implementation_service
from app.models import Proposal, User


def load_demo_implementation(rng: random.Random, akimat: User, funded: list[Proposal], start: date) -> None:
    for i, proposal in enumerate(funded):
        status, progress, share = STAGES[i % len(STAGES)]
        for title, begins, due in MILESTONES:
            implementation_service.add_milestone(proposal, akimat, title=title, starts_on=start + timedelta(days=begins),
                                                 planned_on=start + timedelta(days=due))
        if status == "planned":
            continue
        implementation_service.report(proposal, akimat, status="procurement", progress=5, spent=0, note=PROCUREMENT_NOTE)
        if status != "procurement":
            spent = int(proposal.cost * share * rng.uniform(0.9, 1.05))
            implementation_service.report(proposal, akimat, status=status, progress=progress, spent=spent,
                                          note=COMPLETED_NOTE if status == "completed" else WORKING_NOTE)
