"""People and the roles they hold in areas."""
from datetime import date, datetime
from enum import StrEnum

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from app.core.clock import utcnow
from app.extensions import db
from app.identity.iin import parse_iin
from app.models.areas import Area
from app.models.types import UTCDateTime, length_checks


class Role(StrEnum):
    RESIDENT = "resident"  # implicit from the home area; never stored as a grant
    DEPUTY = "deputy"  # maslikhat deputy, granted for an okrug
    AKIMAT = "akimat"  # akimat official
    EXPERT = "expert"  # expert-council member
    MODERATOR = "moderator"
    ADMIN = "admin"


GRANTABLE_ROLES = [r for r in Role if r is not Role.RESIDENT]


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        # Emails are unique case-insensitively: the service stores them lower-cased and the
        # database refuses anything else, so the unique index is enough.
        CheckConstraint("email = lower(email)", name="email_lowercase"),
        CheckConstraint("length(iin) = 12", name="iin_length"),
        CheckConstraint("locale IN ('kk', 'ru', 'en')", name="locale_known"),
        *length_checks(email=254, full_name=200, phone=32),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    iin: Mapped[str] = mapped_column(String(12), unique=True)
    phone: Mapped[str | None] = mapped_column(String(32))
    home_area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"), index=True)
    locale: Mapped[str] = mapped_column(String(2), default="kk")
    is_active_account: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    verification_method: Mapped[str | None] = mapped_column(String(32))

    home_area: Mapped[Area | None] = relationship()
    grants: Mapped[list["RoleGrant"]] = relationship(
        back_populates="user", cascade="all, delete-orphan", foreign_keys="RoleGrant.user_id"
    )

    # The token of the session this object was loaded for (app.auth.sessions); never stored.
    session_token = None

    @property
    def is_active(self) -> bool:  # Flask-Login: a deactivated account cannot log in
        return self.is_active_account

    def get_id(self) -> str:
        """What Flask-Login keeps in the session and the remember-me cookie: the session's token
        (an "alternative id"), so that ending the session on the server ends every copy."""
        if not self.session_token:
            raise RuntimeError("log in through app.auth.sessions.log_in, which starts a server-side session")
        return self.session_token

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def birth_date(self) -> date:
        return parse_iin(self.iin).birth_date

    @property
    def sex(self) -> str:
        return parse_iin(self.iin).sex

    def age_on(self, day: date) -> int:
        return parse_iin(self.iin).age_on(day)

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


class RoleGrant(db.Model):
    """A role held in an area (and everything inside it). ``area_id`` NULL = nationwide admin."""

    __tablename__ = "role_grants"
    __table_args__ = (
        UniqueConstraint("user_id", "role", "area_id"),
        CheckConstraint(
            "role IN ('deputy', 'akimat', 'expert', 'moderator', 'admin')", name="role_known"
        ),
        CheckConstraint("area_id IS NOT NULL OR role = 'admin'", name="only_admin_nationwide"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"), index=True)
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(back_populates="grants", foreign_keys=[user_id])
    area: Mapped[Area | None] = relationship()
    granted_by: Mapped[User | None] = relationship(foreign_keys=[granted_by_id])


class RoleInvitation(db.Model):
    """A role offered to an email that has no account yet: granted when that person registers or
    signs in before ``expires_at``."""

    __tablename__ = "role_invitations"
    __table_args__ = (
        CheckConstraint("role IN ('deputy', 'akimat', 'expert', 'moderator', 'admin')", name="role_known"),
        CheckConstraint("area_id IS NOT NULL OR role = 'admin'", name="only_admin_nationwide"),
        CheckConstraint("(accepted_at IS NULL) = (accepted_by_id IS NULL)", name="accepted_whole"),
        *length_checks(email=254),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    role: Mapped[str] = mapped_column(String(16))
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"))
    invited_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    area: Mapped[Area | None] = relationship()
    invited_by: Mapped[User] = relationship(foreign_keys=[invited_by_id])
