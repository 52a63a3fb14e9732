"""Read-only open data under /api/v1: areas, processes, proposals with their timelines,
meetings with minutes, and implementation. Stable ids, ISO 8601 times, integer tenge, names
in kk/ru/en. Bad parameters get 400 with a JSON error; unknown ids 404."""
from flask import abort, jsonify, request
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value

import meetings
from app.api.routes import bp
from app.core.forms import whole_number
from app.council.public import for_api as council_summary
from app.extensions import db
from app.models import Area, Category, Process, Proposal, ProposalEvent, ProposalStatus
from app.proposals import listing
from app.proposals.timeline import event_text

MAX_PER_PAGE = 100


class BadParameter(Exception):
    def __init__(self, name: str, message: str):
        super().__init__(message)
        self.name, self.message = name, message


@bp.errorhandler(BadParameter)
def bad_parameter(error: BadParameter):
    return jsonify(error="bad_parameter", parameter=error.name, message=error.message), 400


def _int_arg(name: str, default=None, *, minimum=1, maximum=2**31 - 1):
    raw = request.args.get(name)
    if raw is None:
        return default
    number = whole_number(raw)
    if number is None or not minimum <= number <= maximum:
        raise BadParameter(name, f"{name} must be a whole number from {minimum} to {maximum}")
    return int(raw)


def _names(obj, prefix: str) -> dict:
    return {lang: getattr(obj, f"{prefix}_{lang}") for lang in ("kk", "ru", "en")}


def _time(value):
    return value.isoformat() if value is not None else None


def _page(items, page, per_page, has_next, serialize):
    return jsonify(items=[serialize(i) for i in items], page=page, per_page=per_page, has_next=has_next)


def _area(a: Area) -> dict:
    return {"id": a.id, "parent_id": a.parent_id, "kind": a.kind, "kato": a.kato, "name": _names(a, "name")}


@bp.get("/areas")
def areas():
    return jsonify(items=[_area(a) for a in db.session.scalars(select(Area).order_by(Area.path))])


@bp.get("/areas/<int:area_id>")
def area(area_id):
    a = db.session.get(Area, area_id) or abort(404)
    return jsonify(_area(a))


def _process(p: Process) -> dict:
    return {"id": p.id, "area_id": p.area_id, "year": p.year, "title": _names(p, "title"), "status": p.status(),
            "support_threshold": p.support_threshold,
            "phases": [{"kind": ph.kind, "starts_at": _time(ph.starts_at), "ends_at": _time(ph.ends_at)}
                       for ph in p.phases],
            "budgets": [{"id": b.id, "area_id": b.area_id, "name": _names(b, "name"), "amount": b.amount,
                         "project_limit": b.project_limit()} for b in p.budgets]}


@bp.get("/processes")
def processes():
    query = (select(Process).options(selectinload(Process.phases), selectinload(Process.budgets))
             .order_by(Process.year.desc(), Process.id))
    area_id = _int_arg("area")
    if area_id:
        area_obj = db.session.get(Area, area_id) or abort(404)
        query = query.where(Process.area_id.in_(area_obj.ancestor_ids + [area_id]))
    return jsonify(items=[_process(p) for p in db.session.scalars(query)])


@bp.get("/processes/<int:process_id>")
def process(process_id):
    p = db.session.get(Process, process_id) or abort(404)
    return jsonify(_process(p))


def _proposal(p: Proposal, *, full: bool = False) -> dict:
    data = {"id": p.id, "process_id": p.process_id, "budget_id": p.budget_id, "area_id": p.area_id,
            "status": p.status, "category": p.category.code if p.category else None,
            "title": None if p.is_hidden else p.title, "estimated_cost": p.estimated_cost, "final_cost": p.final_cost,
            "supports": p.support_count, "comments": p.comment_count, "created_at": _time(p.created_at),
            "hidden": p.is_hidden}
    if full:
        data["description"] = None if p.is_hidden else p.description
        data["address"] = None if p.is_hidden else p.address
        data["merged_into"] = p.merged_into_id
        data["timeline"] = [{"id": e.id, "kind": e.kind, "at": _time(e.created_at), "actor_role": e.actor_role,
                             "text": event_text(e), "note": e.note, "data": e.data} for e in p.events]
        data["council"] = council_summary(p)
        implementation = p.implementation
        data["implementation"] = None if implementation is None else {
            "status": implementation.status, "progress": implementation.progress, "spent": implementation.spent,
            "updated_at": _time(implementation.updated_at),
            "milestones": [{"title": m.title, "starts_on": m.starts_on.isoformat(), "planned_on": m.planned_on.isoformat(),
                            "done_on": m.done_on.isoformat() if m.done_on else None} for m in implementation.milestones]}
    return data


@bp.get("/proposals")
def proposals():
    args = request.args
    if "sort" in args and args["sort"] not in listing.SORTS:
        raise BadParameter("sort", "sort must be one of: " + ", ".join(listing.SORTS))
    if "status" in args and args["status"] not in {s.value for s in ProposalStatus} - {"draft"}:
        raise BadParameter("status", "unknown status")
    for name, longest in (("q", 100), ("category", 40)):
        if len(args.get(name, "")) > longest:
            raise BadParameter(name, f"{name} may be at most {longest} characters")
    for name in ("area", "budget", "page"):
        _int_arg(name, maximum=10_000 if name == "page" else 2**31 - 1)
    filters = listing.Filters.from_args(args)
    page = listing.search(filters)
    # The API names each category's code: the page's categories in one query (the listing does not load them).
    ids = {p.category_id for p in page.items if p.category_id}
    categories = {c.id: c for c in db.session.scalars(select(Category).where(Category.id.in_(ids)))} if ids else {}
    for p in page.items:
        set_committed_value(p, "category", categories.get(p.category_id))
    return _page(page.items, page.page, listing.PER_PAGE, page.has_next, _proposal)


@bp.get("/proposals/<int:proposal_id>")
def proposal(proposal_id):
    p = db.session.scalar(select(Proposal).where(Proposal.id == proposal_id)
                          .options(selectinload(Proposal.events).selectinload(ProposalEvent.actor)))
    if p is None or p.status == ProposalStatus.DRAFT.value:
        abort(404)
    return jsonify(_proposal(p, full=True))


@bp.get("/meetings", endpoint="meetings")
def meetings_list():
    page = _int_arg("page", 1, maximum=10_000)
    area_id = _int_arg("area")
    area = (db.session.get(Area, area_id) or abort(404)) if area_id else None
    items, has_next = meetings.meetings_page(area, page, MAX_PER_PAGE)
    return jsonify(items=items, page=page, per_page=MAX_PER_PAGE, has_next=has_next)


@bp.get("/meetings/<int:meeting_id>")
def meeting(meeting_id):
    return jsonify(meetings.meeting_record(meeting_id) or abort(404))
