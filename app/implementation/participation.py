""""My participation": everything a resident did and what became of it — their proposals,
supports and comments with the timeline of each, the budgets they follow, their votes (that
they voted, never how) and their town-hall registrations."""
from sqlalchemy import select
from sqlalchemy.orm import selectinload

import meetings
from app.ballots.services import votes_of
from app.extensions import db
from app.implementation.services import TRACKED, followed_budgets
from app.models import Budget, Comment, Proposal, ProposalEvent, Result, Support, User

LATEST_EVENTS = 60
LATEST_COMMENTS = 30


def participation_of(user: User) -> dict:
    """What the page shows, by name (see templates/implementation/me.html)."""
    authored = set(db.session.scalars(select(Proposal.id).where(Proposal.author_id == user.id)))
    supported = set(db.session.scalars(select(Support.proposal_id).where(Support.user_id == user.id)))
    commented = set(db.session.scalars(select(Comment.proposal_id).where(Comment.author_id == user.id)))
    budgets = followed_budgets(user)
    followed = set(db.session.scalars(select(Proposal.id).where(
        Proposal.budget_id.in_([b.id for b in budgets]), Proposal.status.in_(TRACKED)))) if budgets else set()
    ids = authored | supported | commented | followed
    events = list(db.session.scalars(
        select(ProposalEvent).where(ProposalEvent.proposal_id.in_(ids))
        .options(selectinload(ProposalEvent.proposal)).order_by(ProposalEvent.created_at.desc(), ProposalEvent.id.desc())
        .limit(LATEST_EVENTS))) if ids else []
    proposals = list(db.session.scalars(select(Proposal).where(Proposal.id.in_(ids))
                                        .order_by(Proposal.id.desc()))) if ids else []
    votes = votes_of(user)
    vote_budgets = {b.id: b for b in db.session.scalars(select(Budget).options(selectinload(Budget.process))
                                                         .where(Budget.id.in_([v.budget_id for v in votes])))}
    # A link to results only where there are results to see (before publishing it was a 404).
    published = set(db.session.scalars(select(Result.budget_id).where(
        Result.budget_id.in_(list(vote_budgets)), Result.published_at.is_not(None), Result.annulled_at.is_(None))))
    comments = list(db.session.scalars(
        select(Comment).where(Comment.author_id == user.id).options(selectinload(Comment.proposal))
        .order_by(Comment.id.desc()).limit(LATEST_COMMENTS)))
    return {"comments": comments, "published": published,"events": events, "proposals": proposals, "authored": authored, "supported": supported,
            "commented": commented, "followed": followed, "votes": votes, "vote_budgets": vote_budgets,
            "followed_budgets": budgets, "registrations": meetings.registrations_of(user)}
