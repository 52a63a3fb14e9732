"""Open data under /api/v1: budgets, anonymized ballots and results anyone can recount."""
import csv
import io

from flask import Blueprint, Response, abort, jsonify, url_for
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.ballots.adapter import ballots_file as build_ballots_file
from app.core.http_cache import open_data
from app.core.spreadsheet import spreadsheet_safe
from app.extensions import db
from app.models import Budget, Result
from app.proposals.services import public_titles
from app.results import services
from app.results.explanations import explanation_text

bp = Blueprint("api", __name__, url_prefix="/api/v1")
# Open data is the same for everyone: any cache may keep it a minute, and revalidate it with 304.
bp.after_request(open_data)


def _published(budget_id: int):
    budget = db.session.get(Budget, budget_id)
    if budget is None:
        abort(404)
    result = services.published_result(budget)
    if result is None:
        abort(404)  # ballots and results become public together, after voting
    return budget, result


@bp.get("/budgets")
def budgets():
    items = []
    published_ids = set(db.session.scalars(select(Result.budget_id).where(Result.published_at.is_not(None),
                                                                          Result.annulled_at.is_(None))))
    for budget in db.session.scalars(select(Budget).options(joinedload(Budget.area), joinedload(Budget.process))
                                     .order_by(Budget.id)):
        published = budget.id in published_ids
        items.append({
            "id": budget.id, "name": {"kk": budget.name_kk, "ru": budget.name_ru, "en": budget.name_en},
            "amount": budget.amount, "area": {"id": budget.area_id, "name": budget.area.name_en},
            "process": {"id": budget.process_id, "year": budget.process.year, "title": budget.process.title_en},
            "results_published": published,
            "results_url": url_for("api.results", budget_id=budget.id, _external=True) if published else None,
        })
    return jsonify(budgets=items)


@bp.get("/budgets/<int:budget_id>/ballots.pb")
def ballots_file(budget_id):
    budget, result = _published(budget_id)
    text, sha = build_ballots_file(budget)
    response = Response(text, mimetype="text/plain; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="qatysu_budget_{budget.id}_ballots.pb"'
    response.headers["X-Ballots-SHA256"] = sha
    response.last_modified = result.published_at  # the published ballots never change
    return response


@bp.get("/budgets/<int:budget_id>/results")
def results(budget_id):
    budget, result = _published(budget_id)
    titles = public_titles(int(p) for p in result.projects)
    response = jsonify(
        budget_id=budget.id, rule=result.rule, options=result.options, tie_break=result.tie_break,
        voting_version=result.voting_version, selected=result.selected, ballots_sha256=result.ballots_sha256,
        n_ballots=result.n_ballots, published_at=result.published_at.isoformat(),
        projects={pid: {"title": titles.get(int(pid)), "votes": data["votes"], "cost": data["cost"],
                        "funded": data["funded"], "explanation": explanation_text(data),
                        "reason": data.get("reason"),
                        # equalshares.net's report numbers, for a count with the Method of Equal Shares
                        **{key: data[key] for key in ("effective_vote_count", "money_behind") if key in data}}
                  for pid, data in result.projects.items()},
        comparison_step=(result.comparison or {}).get("step"),
    )
    response.last_modified = result.published_at
    return response


@bp.get("/budgets/<int:budget_id>/results.csv")
def results_csv(budget_id):
    budget, result = _published(budget_id)
    titles = public_titles(int(p) for p in result.projects)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["project_id", "title", "votes", "cost", "funded", "explanation"])
    for pid, data in result.projects.items():
        writer.writerow([pid, spreadsheet_safe(titles.get(int(pid)) or ""), data["votes"], data["cost"],
                         int(data["funded"]), spreadsheet_safe(explanation_text(data))])
    response = Response(out.getvalue(), mimetype="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="qatysu_budget_{budget.id}_results.csv"'
    response.last_modified = result.published_at
    return response


from app.api import exports, open_data, openapi  # noqa: E402,F401  (register their routes on bp)
