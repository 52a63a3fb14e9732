"""Administrative areas: region → city → district → rural district / maslikhat okrug."""
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, String, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.i18n import locale_code
from app.extensions import db
from app.models.types import length_checks


class AreaKind(StrEnum):
    REGION = "region"
    CITY = "city"
    DISTRICT = "district"
    RURAL = "rural"
    OKRUG = "okrug"  # a single-member maslikhat electoral okrug


class Area(db.Model):
    __tablename__ = "areas"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('region', 'city', 'district', 'rural', 'okrug')", name="kind_known"
        ),
        CheckConstraint("parent_id IS NULL OR parent_id <> id", name="not_own_parent"),
        *length_checks(kato=9, name_kk=200, name_ru=200, name_en=200),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    # KATO: the national classifier of administrative-territorial objects (9 digits).
    kato: Mapped[str | None] = mapped_column(String(9), unique=True)
    name_kk: Mapped[str] = mapped_column(String(200))
    name_ru: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    # Materialized path "/1/4/12/" so a subtree is one indexed prefix query.
    path: Mapped[str] = mapped_column(String(255), index=True, default="/")

    parent: Mapped["Area | None"] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list["Area"]] = relationship(back_populates="parent", order_by="Area.id")

    def name_in(self, locale: str) -> str:
        return getattr(self, f"name_{locale}", None) or self.name_kk

    @property
    def name(self) -> str:
        """The name in the current request's language."""
        return self.name_in(locale_code())

    @property
    def ancestor_ids(self) -> list[int]:
        """Ids from the root down to this area, inclusive."""
        return [int(part) for part in self.path.strip("/").split("/") if part]

    def is_within(self, other: "Area") -> bool:
        """True when this area is ``other`` or lies inside it."""
        return other.id in self.ancestor_ids

    def subtree_select(self):
        """SELECT of every area id inside this one (itself included)."""
        return select(Area.id).where(Area.path.startswith(self.path))

    def __repr__(self) -> str:
        return f"<Area {self.id} {self.kind} {self.name_en}>"
