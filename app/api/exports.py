"""Open-data exports of a process, in the shape data.egov.kz publishes: one flat table per
dataset, names in kk / ru / en columns, integer tenge, ISO 8601 dates. CSV and JSON carry the
same columns; the column meanings are documented in README.md."""
import csv
import io

from flask import Response, abort, jsonify
from sqlalchemy import select

from app.api.routes import bp
from app.core.spreadsheet import spreadsheet_safe
from app.council.public import export_rows as council_rows
from app.extensions import db
from app.models import Area, Budget, Category, Implementation, Process, Proposal, ProposalStatus, Result
from app.proposals.services import public_titles


def _area_names(area_ids) -> dict:
    return {a.id: a for a in db.session.scalars(select(Area).where(Area.id.in_(set(area_ids))))}


def _proposals(process: Process) -> list[dict]:
    rows = list(db.session.scalars(select(Proposal).where(Proposal.process_id == process.id,
                                                          Proposal.status != ProposalStatus.DRAFT.value)
                                   .order_by(Proposal.id)))
    areas = _area_names(p.area_id for p in rows)
    categories = {c.id: c for c in db.session.scalars(select(Category).where(Category.process_id == process.id))}
    return [{
        "id": p.id, "process_id": process.id, "budget_id": p.budget_id,
        "area_name_kk": areas[p.area_id].name_kk, "area_name_ru": areas[p.area_id].name_ru,
        "area_name_en": areas[p.area_id].name_en, "area_kato": areas[p.area_id].kato or "",
        **_category_columns(categories.get(p.category_id)),
        "title": "" if p.is_hidden else p.title, "address": "" if p.is_hidden else p.address,
        "status": p.status, "estimated_cost_kzt": p.estimated_cost, "final_cost_kzt": p.final_cost or "",
        "supports": p.support_count, "comments": p.comment_count,
        "submitted_at": p.submitted_at.isoformat() if p.submitted_at else "",
    } for p in rows]


def _category_columns(category: Category | None) -> dict:
    return {"category_code": category.code if category else "",
            **{f"category_name_{lang}": getattr(category, f"name_{lang}") if category else "" for lang in ("kk", "ru", "en")}}


def _results(process: Process) -> list[dict]:
    out = []
    for budget in db.session.scalars(select(Budget).where(Budget.process_id == process.id).order_by(Budget.id)):
        result = db.session.scalar(select(Result).where(Result.budget_id == budget.id, Result.published_at.is_not(None)))
        if result is None:
            continue
        titles = public_titles(int(p) for p in result.projects)
        for pid, data in result.projects.items():
            out.append({
                "budget_id": budget.id, "budget_name_kk": budget.name_kk, "budget_name_ru": budget.name_ru,
                "budget_name_en": budget.name_en, "budget_kzt": budget.amount, "proposal_id": int(pid),
                "title": titles.get(int(pid)) or "", "votes": data["votes"], "cost_kzt": int(data["cost"]),
                "funded": int(data["funded"]), "rule": result.rule, "ballots_sha256": result.ballots_sha256,
                "published_at": result.published_at.isoformat(),
            })
    return out


def _implementation(process: Process) -> list[dict]:
    rows = db.session.execute(select(Proposal, Implementation).outerjoin(
        Implementation, Implementation.proposal_id == Proposal.id).where(
        Proposal.process_id == process.id,
        Proposal.status.in_([ProposalStatus.FUNDED.value, ProposalStatus.IN_IMPLEMENTATION.value,
                             ProposalStatus.COMPLETED.value])).order_by(Proposal.id)).all()
    return [{
        "proposal_id": p.id, "title": "" if p.is_hidden else p.title, "allocated_kzt": p.cost,
        "status": impl.status if impl else "planned", "progress_percent": impl.progress if impl else 0,
        "spent_kzt": impl.spent if impl else 0, "overspent_kzt": impl.overspent if impl else 0,
        "updated_at": impl.updated_at.isoformat() if impl else "",
    } for p, impl in rows]


BUILDERS = {"proposals": _proposals, "results": _results, "implementation": _implementation,
            "council": lambda process: council_rows(process.id)[0],
            "council_remarks": lambda process: council_rows(process.id)[1]}
COUNCIL_HEAD = ["proposal_id", "title", "outcome", "final", "revise_until"]
COLUMNS = {
    "proposals": ["id", "process_id", "budget_id", "area_name_kk", "area_name_ru", "area_name_en", "area_kato",
                  "category_code", "category_name_kk", "category_name_ru", "category_name_en", "title", "address",
                  "status", "estimated_cost_kzt", "final_cost_kzt", "supports", "comments", "submitted_at"],
    "results": ["budget_id", "budget_name_kk", "budget_name_ru", "budget_name_en", "budget_kzt", "proposal_id",
                "title", "votes", "cost_kzt", "funded", "rule", "ballots_sha256", "published_at"],
    "implementation": ["proposal_id", "title", "allocated_kzt", "status", "progress_percent", "spent_kzt",
                       "overspent_kzt", "updated_at"],
    "council": COUNCIL_HEAD + ["criterion_kk", "criterion_ru", "criterion_en", "scale", "judged", "passed", "average"],
    "council_remarks": COUNCIL_HEAD + ["member", "verdict", "remark"],
}


@bp.get("/processes/<int:process_id>/export/<dataset>.<fmt>")
def export(process_id, dataset, fmt):
    process = db.session.get(Process, process_id)
    if process is None or dataset not in BUILDERS or fmt not in ("csv", "json"):
        abort(404)
    rows = BUILDERS[dataset](process)
    filename = f"qatysu_process_{process.id}_{dataset}.{fmt}"
    if fmt == "json":
        response = jsonify(dataset=dataset, process_id=process.id, rows=rows)
    else:
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=COLUMNS[dataset])
        writer.writeheader()
        writer.writerows({key: spreadsheet_safe(value) for key, value in row.items()} for row in rows)
        response = Response("\ufeff" + out.getvalue(), mimetype="text/csv; charset=utf-8")  # BOM: Excel reads UTF-8
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
