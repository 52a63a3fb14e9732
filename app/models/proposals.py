"""Proposals and what residents do with them: supports, comments, reports, photos, the timeline."""
from datetime import datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.clock import utcnow
from app.core.i18n import locale_code
from app.extensions import db
from app.models.areas import Area
from app.models.processes import Budget, Process
from app.models.types import UTCDateTime, length_checks
from app.models.users import User


class ProposalStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    WITHDRAWN = "withdrawn"
    FEASIBLE = "feasible"
    NOT_FEASIBLE = "not_feasible"
    MERGED = "merged"
    ON_BALLOT = "on_ballot"
    FUNDED = "funded"
    NOT_FUNDED = "not_funded"
    IN_IMPLEMENTATION = "in_implementation"
    COMPLETED = "completed"


PUBLIC_STATUSES = [s.value for s in ProposalStatus if s is not ProposalStatus.DRAFT]
STATUS_CHECK = "status IN (" + ", ".join(f"'{s.value}'" for s in ProposalStatus) + ")"

# Kazakh cities' usual categories; every new process starts with these and may change them.
DEFAULT_CATEGORIES = [
    ("greening", "Көгалдандыру", "Озеленение", "Greening"),
    ("sidewalks", "Жаяу жүргіншілер жолдары мен пандустар", "Тротуары и пандусы", "Sidewalks and ramps"),
    ("aryks", "Арықтар", "Арыки", "Aryks"),
    ("lighting", "Жарықтандыру", "Освещение", "Lighting"),
    ("public_spaces", "Қоғамдық кеңістіктер", "Общественные пространства", "Public spaces"),
    ("playgrounds", "Балалар және спорт алаңдары", "Детские и спортивные площадки",
     "Playgrounds and sports grounds"),
    ("benches_bins", "Орындықтар, қоқыс жәшіктері", "Скамейки, урны", "Benches, bins and small structures"),
    ("dumps", "Қоқыс үйінділерін жою", "Ликвидация свалок", "Removing dumps"),
    ("sanitation", "Санитарлық тазарту", "Санитарная очистка", "Sanitation"),
]


class Category(db.Model):
    __tablename__ = "categories"
    __table_args__ = (UniqueConstraint("process_id", "code"),
                      *length_checks(code=40, name_kk=200, name_ru=200, name_en=200))

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(ForeignKey("processes.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    name_kk: Mapped[str] = mapped_column(String(200))
    name_ru: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(default=0)

    process: Mapped[Process] = relationship(back_populates="categories")

    @property
    def name(self) -> str:
        return getattr(self, f"name_{locale_code()}", None) or self.name_kk


class Proposal(db.Model):
    __tablename__ = "proposals"
    __table_args__ = (
        CheckConstraint(STATUS_CHECK, name="status_known"),
        CheckConstraint("estimated_cost > 0", name="cost_positive"),
        CheckConstraint("final_cost IS NULL OR final_cost > 0", name="final_cost_positive"),
        CheckConstraint("support_count >= 0 AND comment_count >= 0", name="counts_not_negative"),
        CheckConstraint("merged_into_id IS NULL OR merged_into_id <> id", name="not_merged_into_itself"),
        # The listing sorts by supports, newest or cost, optionally filtered by status, category
        # or budget: each combination has an index whose order is the sort's (status last, so
        # "status != draft" is checked from the index without reading the row).
        Index("ix_proposals_status_supports", "status", "support_count", "id"),
        Index("ix_proposals_status_created", "status", "created_at", "id"),
        Index("ix_proposals_status_cost", "status", "estimated_cost", "id"),
        Index("ix_proposals_supports", "support_count", "id", "status"),
        Index("ix_proposals_created", "created_at", "id", "status"),
        Index("ix_proposals_cost", "estimated_cost", "id", "status"),
        Index("ix_proposals_category_supports", "category_id", "support_count", "id", "status"),
        Index("ix_proposals_budget_supports", "budget_id", "support_count", "id", "status"),
        Index("ix_proposals_process_status", "process_id", "status"),
        *length_checks(title=200, description=10_000, address=300, status_reason=2000, hidden_reason=2000),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(ForeignKey("processes.id"))
    budget_id: Mapped[int] = mapped_column(ForeignKey("budgets.id"))
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)  # Markdown as written
    description_html: Mapped[str] = mapped_column(Text)  # sanitized once, at save
    address: Mapped[str] = mapped_column(String(300))
    estimated_cost: Mapped[int] = mapped_column(BigInteger)
    final_cost: Mapped[int | None] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(20), default=ProposalStatus.DRAFT.value)
    status_reason: Mapped[str | None] = mapped_column(Text)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("proposals.id"))
    # Kept by the services in the same transaction as the rows they count, so the listing can
    # sort by them without counting.
    support_count: Mapped[int] = mapped_column(default=0)
    comment_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hidden_reason: Mapped[str | None] = mapped_column(Text)
    hidden_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    process: Mapped[Process] = relationship()
    budget: Mapped[Budget] = relationship()
    area: Mapped[Area] = relationship()
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    category: Mapped[Category | None] = relationship()
    merged_into: Mapped["Proposal | None"] = relationship(remote_side=[id])
    photos: Mapped[list["ProposalPhoto"]] = relationship(
        back_populates="proposal", cascade="all, delete-orphan", order_by="ProposalPhoto.position"
    )
    events: Mapped[list["ProposalEvent"]] = relationship(
        back_populates="proposal", cascade="all, delete-orphan", order_by="ProposalEvent.id"
    )

    @property
    def cost(self) -> int:
        """The akimat's final estimate once reviewed, else the author's."""
        return self.final_cost or self.estimated_cost

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None

    @property
    def shown_title(self) -> str:
        """The title, or "Hidden by a moderator" once a moderator hid it (the title may be the
        very reason): what every page that names the proposal shows."""
        return str(_l("Hidden by a moderator")) if self.is_hidden else self.title


class ProposalPhoto(db.Model):
    __tablename__ = "proposal_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), index=True)
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)  # random; never the upload's name
    width: Mapped[int]
    height: Mapped[int]
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    proposal: Mapped[Proposal] = relationship(back_populates="photos")


class PendingPhoto(db.Model):
    """A photo sent with a form that another field refused: decoded, re-encoded and kept for the
    retry (the form carries its token), so the resident does not choose it again. Only its uploader
    can attach it; unclaimed ones are removed after a day."""
    __tablename__ = "pending_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(32), unique=True)  # random; what the form carries
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    width: Mapped[int]
    height: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Support(db.Model):
    __tablename__ = "supports"
    __table_args__ = (UniqueConstraint("proposal_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CommentStance(StrEnum):
    FOR = "for"
    AGAINST = "against"
    NEUTRAL = "neutral"


class Comment(db.Model):
    __tablename__ = "comments"
    __table_args__ = (
        CheckConstraint("stance IN ('for', 'against', 'neutral')", name="stance_known"),
        CheckConstraint("useful_count >= 0", name="useful_not_negative"),
        Index("ix_comments_proposal_parent_id", "proposal_id", "parent_id", "id"),
        *length_checks(body=5000, hidden_reason=2000),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id"), index=True)
    stance: Mapped[str] = mapped_column(String(8), default=CommentStance.NEUTRAL.value)
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    useful_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hidden_reason: Mapped[str | None] = mapped_column(Text)
    hidden_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    proposal: Mapped[Proposal] = relationship()
    author: Mapped[User] = relationship(foreign_keys=[author_id])
    parent: Mapped["Comment | None"] = relationship(remote_side=[id], back_populates="replies")
    replies: Mapped[list["Comment"]] = relationship(back_populates="parent", order_by="Comment.id")

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None


class CommentUseful(db.Model):
    """A resident found a comment useful (once each)."""

    __tablename__ = "comment_useful"
    __table_args__ = (UniqueConstraint("comment_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))


class Report(db.Model):
    """Someone reported a proposal or a comment to the moderators."""

    __tablename__ = "reports"
    __table_args__ = (
        CheckConstraint("(comment_id IS NULL) OR (proposal_id IS NOT NULL)", name="comment_has_proposal"),
        CheckConstraint(
            "resolution IS NULL OR resolution IN ('hidden', 'dismissed')", name="resolution_known"
        ),
        Index("ix_reports_open", "resolved_at", "id"),
        *length_checks(reason=2000),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), index=True)
    comment_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"))
    reporter_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolution: Mapped[str | None] = mapped_column(String(12))

    proposal: Mapped[Proposal] = relationship()
    comment: Mapped[Comment | None] = relationship()
    reporter: Mapped[User] = relationship(foreign_keys=[reporter_id])


class ProposalEvent(db.Model):
    """One entry of a proposal's public timeline: who did what, when, and why.

    ``kind`` selects the sentence shown (translated at display time) and ``data`` holds its
    values; ``note`` is free text written by the actor (a reason, a decision note)."""

    __tablename__ = "proposal_events"
    # A note is a reason, a decision note or a correction someone wrote (the longest: 3 000).
    __table_args__ = (Index("ix_proposal_events_proposal_id_id", "proposal_id", "id"), *length_checks(note=5000))

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_role: Mapped[str | None] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    proposal: Mapped[Proposal] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()
