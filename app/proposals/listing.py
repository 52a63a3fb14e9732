"""Finding proposals: search, filters, sorting and pagination that stay fast as data grows.

Pages are fetched with LIMIT n+1 instead of counting every match, and each sort has an index."""
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import defer, selectinload

from app.core.forms import whole_number
from app.extensions import db
from app.models import PUBLIC_STATUSES, Area, Category, Proposal, ProposalStatus
from app.proposals import search as full_text

SORTS = {
    "supports": (Proposal.support_count.desc(), Proposal.id.desc()),
    "newest": (Proposal.created_at.desc(), Proposal.id.desc()),
    "cost": (Proposal.estimated_cost.asc(), Proposal.id.asc()),
}
PER_PAGE = 20


@dataclass
class Filters:
    q: str = ""
    area_id: int | None = None
    category: str = ""
    status: str = ""
    budget_id: int | None = None
    sort: str = "supports"
    page: int = 1

    @classmethod
    def from_args(cls, args) -> "Filters":
        def as_int(name):
            value = args.get(name, "")
            return whole_number(value, max_digits=9)

        sort = args.get("sort", "supports")
        status = args.get("status", "")
        return cls(
            q=args.get("q", "").strip()[:100], area_id=as_int("area"), category=args.get("category", "")[:40],
            status=status if status in PUBLIC_STATUSES else "", budget_id=as_int("budget"),
            sort=sort if sort in SORTS else "supports", page=max(1, min(as_int("page") or 1, 10_000)),
        )

    def args(self, **changes) -> dict:
        """Query-string arguments for a link with some values changed (shareable URLs)."""
        values = {"q": self.q, "area": self.area_id, "category": self.category, "status": self.status,
                  "budget": self.budget_id, "sort": self.sort, "page": self.page}
        values.update(changes)
        return {k: v for k, v in values.items() if v not in (None, "") and not (k == "page" and v == 1)}


@dataclass
class Page:
    items: list = field(default_factory=list)
    page: int = 1
    has_next: bool = False

    @property
    def has_prev(self) -> bool:
        return self.page > 1


def search(filters: Filters) -> Page:
    query = select(Proposal)
    # "!= draft" rather than "IN (public statuses)": it lets SQLite walk the sort's own index.
    query = query.where(Proposal.status == filters.status) if filters.status else \
        query.where(Proposal.status != ProposalStatus.DRAFT.value)
    if filters.area_id:
        area = db.session.get(Area, filters.area_id)
        query = query.where(Proposal.area_id.in_(area.subtree_select())) if area else query.where(False)
    if filters.budget_id:
        query = query.where(Proposal.budget_id == filters.budget_id)
    if filters.category:
        query = query.where(Proposal.category_id.in_(select(Category.id).where(Category.code == filters.category)))
    order = SORTS[filters.sort]
    if filters.q:
        found = full_text.conditions(filters.q)
        if found is None:
            query = query.where(full_text.substring(filters.q))
        else:
            match, relevance = found
            query = query.where(match)
            if filters.sort == "supports":  # a search is ranked by relevance first, then as sorted
                order = (relevance.desc(), *order)
    query = (query.order_by(*order)
             # Area and category names come from the small lists the page loads for its filters.
             .options(selectinload(Proposal.photos), defer(Proposal.description), defer(Proposal.description_html))
             .limit(PER_PAGE + 1).offset((filters.page - 1) * PER_PAGE))
    rows = list(db.session.scalars(query))
    return Page(items=rows[:PER_PAGE], page=filters.page, has_next=len(rows) > PER_PAGE)
