"""Discussion under a proposal, reports, and moderation."""
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from app.core.clock import utcnow
from app.core.errors import ServiceError
from app.core.markdown import render_markdown
from app.core.permissions import Action, can
from app.extensions import db
from app.models import Comment, CommentStance, CommentUseful, Proposal, ProposalStatus, Report, User
from app.notifications.models import NotificationKind
from app.notifications.services import notify
from app.proposals.timeline import record_event

EDIT_WINDOW = timedelta(minutes=15)


def add_comment(proposal: Proposal, author: User, *, body: str, stance: str, parent_id: int | None = None) -> Comment:
    if proposal.status == ProposalStatus.DRAFT or proposal.is_hidden:
        raise ServiceError(_l("This proposal is not open for comments."))
    if stance not in {s.value for s in CommentStance}:
        raise ServiceError(_l("Choose for, against or neutral."), field="stance")
    parent = None
    if parent_id:
        parent = db.session.get(Comment, parent_id)
        if parent is None or parent.proposal_id != proposal.id:
            raise ServiceError(_l("The comment you reply to does not exist."))
        if parent.parent_id is not None:
            parent = parent.parent  # replies stay one level deep: answer the thread
    comment = Comment(proposal_id=proposal.id, author=author, parent=parent, stance=stance,
                      body=body.strip(), body_html=render_markdown(body.strip()))
    db.session.add(comment)
    db.session.execute(update(Proposal).where(Proposal.id == proposal.id)
                       .values(comment_count=Proposal.comment_count + 1))
    db.session.flush()
    if proposal.author_id and proposal.author_id != author.id:
        notify([proposal.author_id], NotificationKind.COMMENTS, proposal=proposal, comment=comment,
               email_subject=_l("Qatysu: a new comment on your proposal"),
               email_body=lambda: f"{proposal.title}\n\n{comment.body}")
    db.session.commit()
    return comment


def may_edit_comment(user: User, comment: Comment, now=None) -> bool:
    now = now or utcnow()
    return (user.is_authenticated and comment.author_id == user.id and comment.deleted_at is None
            and not comment.is_hidden and now - comment.created_at <= EDIT_WINDOW)


def edit_comment(comment: Comment, user: User, body: str, stance: str) -> None:
    if not may_edit_comment(user, comment):
        raise ServiceError(_l("Comments can be edited by their author within 15 minutes."))
    if stance not in {s.value for s in CommentStance}:
        raise ServiceError(_l("Choose for, against or neutral."), field="stance")
    comment.body = body.strip()
    comment.body_html = render_markdown(comment.body)
    comment.stance = stance
    comment.edited_at = utcnow()
    db.session.commit()


def delete_comment(comment: Comment, user: User) -> None:
    if comment.author_id != user.id:
        raise ServiceError(_l("You can delete only your own comments."))
    if comment.deleted_at is None:
        comment.deleted_at = utcnow()
        # Kept as a row so replies keep their place; the text is gone.
        comment.body, comment.body_html = "", ""
        db.session.execute(update(Proposal).where(Proposal.id == comment.proposal_id)
                           .values(comment_count=Proposal.comment_count - 1))
        db.session.commit()


def mark_useful(comment: Comment, user: User) -> None:
    if comment.author_id == user.id:
        raise ServiceError(_l("You cannot mark your own comment as useful."))
    if not can(user, Action.SUPPORT, comment.proposal.area):
        raise ServiceError(_l("Only residents of the area can mark comments as useful."))
    db.session.add(CommentUseful(comment_id=comment.id, user_id=user.id))
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise ServiceError(_l("You already marked this comment as useful.")) from None
    db.session.execute(update(Comment).where(Comment.id == comment.id)
                       .values(useful_count=Comment.useful_count + 1))
    db.session.commit()


def stance_balance(proposal: Proposal) -> dict[str, int]:
    rows = db.session.execute(
        select(Comment.stance, func.count(Comment.id))
        .where(Comment.proposal_id == proposal.id, Comment.deleted_at.is_(None), Comment.hidden_at.is_(None))
        .group_by(Comment.stance)
    )
    balance = {s.value: 0 for s in CommentStance}
    balance.update(dict(rows.all()))
    return balance


# --- reports and moderation ---------------------------------------------------------------

def report(reporter: User, proposal: Proposal, reason: str, comment: Comment | None = None) -> Report:
    if len(reason.strip()) < 5:
        raise ServiceError(_l("Say what is wrong (at least 5 characters)."), field="reason")
    item = Report(proposal_id=proposal.id, comment_id=comment.id if comment else None,
                  reporter_id=reporter.id, reason=reason.strip())
    db.session.add(item)
    db.session.commit()
    return item


def _check_moderator(user: User, proposal: Proposal) -> None:
    if not can(user, Action.MODERATE, proposal.area):
        raise ServiceError(_l("Only moderators of this area can hide or restore content."))


def _resolve_reports(proposal: Proposal, comment: Comment | None, moderator: User, resolution: str) -> None:
    query = update(Report).where(Report.proposal_id == proposal.id, Report.resolved_at.is_(None))
    query = query.where(Report.comment_id == comment.id) if comment else query.where(Report.comment_id.is_(None))
    db.session.execute(query.values(resolved_at=utcnow(), resolved_by_id=moderator.id, resolution=resolution))


def set_hidden(moderator: User, proposal: Proposal, *, hidden: bool, reason: str, comment: Comment | None = None) -> None:
    """Hide or restore a proposal or one of its comments, with a reason shown in its place."""
    _check_moderator(moderator, proposal)
    if len(reason.strip()) < 5:
        raise ServiceError(_l("Give a reason of at least 5 characters."), field="reason")
    target = comment or proposal
    if hidden == target.is_hidden:
        raise ServiceError(_l("It is already hidden.") if hidden else _l("It is not hidden."))
    target.hidden_at = utcnow() if hidden else None
    target.hidden_reason = reason.strip() if hidden else None
    target.hidden_by_id = moderator.id if hidden else None
    if comment is None:
        record_event(proposal, "hidden" if hidden else "restored", moderator, role="moderator",
                     note=reason.strip())
    if hidden:
        _resolve_reports(proposal, comment, moderator, "hidden")
    db.session.commit()


def dismiss_report(moderator: User, item: Report) -> None:
    _check_moderator(moderator, item.proposal)
    item.resolved_at, item.resolved_by_id, item.resolution = utcnow(), moderator.id, "dismissed"
    db.session.commit()


def open_reports(moderator: User, limit: int = 100) -> list[Report]:
    reports = db.session.scalars(
        select(Report).where(Report.resolved_at.is_(None))
        .options(joinedload(Report.proposal).joinedload(Proposal.area), joinedload(Report.reporter))
        .order_by(Report.id).limit(limit * 4)
    )
    return [r for r in reports if can(moderator, Action.MODERATE, r.proposal.area)][:limit]


def marked_useful(user: User, proposal: Proposal) -> set[int]:
    """The comments of the proposal this visitor found useful (the page shows it was clicked)."""
    if not getattr(user, "is_authenticated", False):
        return set()
    return set(db.session.scalars(select(CommentUseful.comment_id).join(Comment, Comment.id == CommentUseful.comment_id)
                                  .where(CommentUseful.user_id == user.id, Comment.proposal_id == proposal.id)))
