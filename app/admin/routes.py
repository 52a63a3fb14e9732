"""Admin pages: areas, processes and phases, budgets, role grants, MCI rates.

Every route checks the permission for the exact area it touches (app.core.permissions); a change
made "nationwide or in this area" is checked by require_scope."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.admin import copying, services
from app.admin.forms import (
    AreaForm,
    BudgetForm,
    BulkForm,
    CategoryForm,
    CopyProcessForm,
    GrantForm,
    McIForm,
    PhaseChangeForm,
    ProcessForm,
)
from app.auth import invitations
from app.ballots import readiness
from app.core import audit
from app.core.areas import all_areas, area_label
from app.core.errors import ServiceError, refuse
from app.core.forms import CSRFOnlyForm as ConfirmForm
from app.core.forms import page_arg, row_id, whole_number
from app.core.labels import AREA_KIND_LABELS, PHASE_LABELS, ROLE_LABELS
from app.core.permissions import (
    Action,
    areas_in_scope,
    can,
    is_nationwide,
    require,
    require_scope,
    requires,
)
from app.extensions import db
from app.models import PHASE_ORDER, Area, Budget, Category, PhaseKind, Process, Proposal, RoleGrant
from app.proposals import bulk as bulk_service
from app.proposals.timeline import town_hall_rejections

bp = Blueprint("admin", __name__)


def _choices(action: Action, kinds: tuple[str, ...] | None = None) -> list[tuple[int, str]]:
    by_id = {a.id: a for a in all_areas()}
    return [(a.id, area_label(a, by_id)) for a in areas_in_scope(current_user, action)
            if kinds is None or a.kind in kinds]


def _area_or_404(area_id) -> Area:
    return db.get_or_404(Area, area_id, description=_("No such area."))


@bp.route("/")
def dashboard():
    if not current_user.is_authenticated:
        require(Action.MANAGE_PROCESSES, None)
    if not any(can(current_user, a) for a in (Action.MANAGE_AREAS, Action.MANAGE_PROCESSES, Action.GRANT_ROLES)):
        abort(403)
    return render_template("admin/dashboard.html", audit=is_nationwide(current_user, Action.GRANT_ROLES))


# --- areas -------------------------------------------------------------------------------

@bp.route("/areas")
@requires(Action.MANAGE_AREAS)
def areas():
    return render_template("admin/areas.html", areas=areas_in_scope(current_user, Action.MANAGE_AREAS),
                           kind_labels=AREA_KIND_LABELS)


@bp.route("/areas/new", methods=["GET", "POST"])
@bp.route("/areas/<int:area_id>/edit", methods=["GET", "POST"])
@requires(Action.MANAGE_AREAS)
def area_form(area_id=None):
    area = _area_or_404(area_id) if area_id else Area()
    if area_id:
        require(Action.MANAGE_AREAS, area)
    form = AreaForm(obj=area)
    nationwide = is_nationwide(current_user, Action.MANAGE_AREAS)
    form.parent_id.choices = ([(0, _("(top level)"))] if nationwide else []) + [
        c for c in _choices(Action.MANAGE_AREAS) if c[0] != area.id
    ]
    if form.validate_on_submit():
        parent = db.session.get(Area, form.parent_id.data) if form.parent_id.data else None
        require_scope(Action.MANAGE_AREAS, parent)  # a top-level area is a nationwide change
        try:
            services.save_area_from(area, parent, kato=form.kato.data or None,
                                    **{k: getattr(form, k).data for k in ("kind", "name_kk", "name_ru", "name_en")})
        except ServiceError as error:
            refuse(error, form)
        else:
            flash(_("The area is saved."), "success")
            return redirect(url_for("admin.areas"))
    elif not form.is_submitted():
        form.parent_id.data = area.parent_id or 0
    return render_template("admin/area_form.html", form=form, area=area)


# --- processes and phases ----------------------------------------------------------------

@bp.route("/processes")
@requires(Action.MANAGE_PROCESSES)
def processes():
    return render_template("admin/processes.html", processes=services.processes_in(
        areas_in_scope(current_user, Action.MANAGE_PROCESSES)), phase_labels=PHASE_LABELS)


@bp.route("/processes/new", methods=["GET", "POST"])
@bp.route("/processes/<int:process_id>/edit", methods=["GET", "POST"])
@requires(Action.MANAGE_PROCESSES)
def process_form(process_id=None):
    process = db.get_or_404(Process, process_id) if process_id else Process(voting_scope="one")
    if process_id:
        require(Action.MANAGE_PROCESSES, process.area)
    form = ProcessForm(obj=process, data=services.phase_days(process) if process_id else None)
    form.area_id.choices = _choices(Action.MANAGE_PROCESSES, ("region", "city", "district", "rural"))
    if form.validate_on_submit():
        area = _area_or_404(form.area_id.data)
        require(Action.MANAGE_PROCESSES, area)
        try:
            services.save_process(
                process, area, scope=form.voting_scope.data, year=form.year.data,
                titles={name: getattr(form, name).data for name in ("title_kk", "title_ru", "title_en")},
                description=form.description.data or "", support_threshold=form.support_threshold.data or 0,
                days={kind: (getattr(form, kind.value).starts_on.data, getattr(form, kind.value).ends_on.data)
                      for kind in PHASE_ORDER})
        except ServiceError as error:
            refuse(error, form)
        else:
            flash(_("The process is saved."), "success")
            return redirect(url_for("admin.process_detail", process_id=process.id))
    return render_template("admin/process_form.html", form=form, process=process)


@bp.route("/processes/<int:process_id>")
@requires(Action.MANAGE_PROCESSES)
def process_detail(process_id):
    process = db.get_or_404(Process, process_id)
    require(Action.MANAGE_PROCESSES, process.area)
    return render_template(
        "admin/process_detail.html", process=process, phase_labels=PHASE_LABELS,
        change_form=PhaseChangeForm(), now_phase=process.current_phase(),
        voting_is_open=services.voting_opened(process),
        openable={k.value: services.can_open_now(process, k) for k in PhaseKind},
        not_ready={k.value: readiness.problems(process, k) for k in (PhaseKind.REVIEW, PhaseKind.VOTING)},
    )


@bp.post("/processes/<int:process_id>/phases/<kind>/<action>")
@requires(Action.MANAGE_PROCESSES)
def change_phase(process_id, kind, action):
    process = db.get_or_404(Process, process_id)
    require(Action.MANAGE_PROCESSES, process.area)
    if kind not in {k.value for k in PhaseKind} or action not in ("open", "close"):
        abort(404)
    form = PhaseChangeForm()
    if not form.validate_on_submit():
        flash(_("Give a reason of at least 5 characters for changing a phase early."), "error")
    else:
        try:
            services.change_phase_early(process, PhaseKind(kind), action, form.reason.data, current_user,
                                        confirmed=form.confirm.data)
        except ServiceError as error:
            refuse(error)
        else:
            flash(_("The phase is changed and the reason recorded."), "success")
    return redirect(url_for("admin.process_detail", process_id=process.id))


@bp.route("/processes/<int:process_id>/categories", methods=["GET", "POST"])
@requires(Action.MANAGE_PROCESSES)
def categories(process_id):
    process = db.get_or_404(Process, process_id)
    require(Action.MANAGE_PROCESSES, process.area)
    form = CategoryForm()
    if form.validate_on_submit():
        try:
            services.add_category(process, **{k: getattr(form, k).data for k in ("code", "name_kk", "name_ru",
                                                                                 "name_en")})
        except ServiceError as error:
            refuse(error, form)
        else:
            flash(_("The category is added."), "success")
            return redirect(url_for("admin.categories", process_id=process.id))
    return render_template("admin/categories.html", process=process, form=form, used=services.categories_used(process),
                           delete_form=ConfirmForm())


@bp.post("/categories/<int:category_id>/delete")
@requires(Action.MANAGE_PROCESSES)
def delete_category(category_id):
    category = db.get_or_404(Category, category_id)
    require(Action.MANAGE_PROCESSES, category.process.area)
    process_id = category.process_id
    if ConfirmForm().validate_on_submit():
        try:
            services.delete_category(category)
        except ServiceError as error:
            refuse(error)
        else:
            flash(_("The category is removed."), "success")
    return redirect(url_for("admin.categories", process_id=process_id))


# --- budgets ------------------------------------------------------------------------------

@bp.route("/processes/<int:process_id>/budgets/new", methods=["GET", "POST"])
@bp.route("/budgets/<int:budget_id>/edit", methods=["GET", "POST"])
@requires(Action.MANAGE_PROCESSES)
def budget_form(process_id=None, budget_id=None):
    budget = db.get_or_404(Budget, budget_id) if budget_id else Budget()
    process = budget.process if budget_id else db.get_or_404(Process, process_id)
    require(Action.MANAGE_PROCESSES, process.area)
    form = BudgetForm(obj=budget)
    by_id = {a.id: a for a in all_areas()}
    form.area_id.choices = [
        (a.id, area_label(a, by_id)) for a in by_id.values() if a.is_within(process.area)
    ]
    if not form.is_submitted() and budget_id:
        form.limit_unit.data = "mci" if budget.project_limit_mci else "tenge"
        form.limit_value.data = budget.project_limit_mci or budget.project_limit_tenge
    if form.validate_on_submit():
        try:
            services.save_budget(
                budget, process, area=_area_or_404(form.area_id.data), amount=form.amount.data,
                limit_value=form.limit_value.data, limit_unit=form.limit_unit.data,
                names={k: getattr(form, k).data for k in ("name_kk", "name_ru", "name_en")},
            )
        except ServiceError as error:
            refuse(error, form)
        else:
            flash(_("The budget is saved."), "success")
            return redirect(url_for("admin.process_detail", process_id=process.id))
    return render_template("admin/budget_form.html", form=form, process=process, budget=budget,
                           locked=services.voting_opened(process))


# --- role grants --------------------------------------------------------------------------

@bp.route("/roles", methods=["GET", "POST"])
@requires(Action.GRANT_ROLES)
def roles():
    form = GrantForm()
    nationwide = is_nationwide(current_user, Action.GRANT_ROLES)
    form.area_id.choices = ([(0, _("Nationwide"))] if nationwide else []) + _choices(Action.GRANT_ROLES)
    if form.validate_on_submit():
        area = db.session.get(Area, form.area_id.data) if form.area_id.data else None
        require_scope(Action.GRANT_ROLES, area)
        try:
            done = services.grant_role(email=form.email.data, role=form.role.data, area=area,
                                       granted_by=current_user)
        except ServiceError as error:
            refuse(error, form)
        else:
            flash(_("The role is granted.") if isinstance(done, RoleGrant) else
                  _("No account has this email yet: an invitation is sent. The role is granted when this person "
                    "registers or signs in within %(n)s days.", n=invitations.INVITATION_DAYS), "success")
            return redirect(url_for("admin.roles"))
    return render_template(
        "admin/roles.html", form=form, role_labels=ROLE_LABELS, revoke_form=ConfirmForm(),
        grants=services.grants_in(None if nationwide else areas_in_scope(current_user, Action.GRANT_ROLES)),
        invitations=[i for i in invitations.open_invitations()
                     if nationwide or (i.area is not None and can(current_user, Action.GRANT_ROLES, i.area))],
    )


@bp.post("/roles/<int:grant_id>/revoke")
@requires(Action.GRANT_ROLES)
def revoke_role(grant_id):
    grant = db.get_or_404(RoleGrant, grant_id)
    require_scope(Action.GRANT_ROLES, grant.area)
    if ConfirmForm().validate_on_submit():
        services.revoke_role(grant)
        flash(_("The role is revoked."), "success")
    return redirect(url_for("admin.roles"))


# --- MCI ----------------------------------------------------------------------------------

@bp.route("/mci", methods=["GET", "POST"])
@requires(Action.MANAGE_AREAS)
def mci():
    # The MCI is set by national law, so only nationwide administrators change it.
    require_scope(Action.MANAGE_AREAS, None)
    form = McIForm()
    if form.validate_on_submit():
        services.save_mci(form.year.data, form.tenge.data)
        flash(_("The MCI rate is saved."), "success")
        return redirect(url_for("admin.mci"))
    return render_template("admin/mci.html", form=form, rates=services.mci_rates())


# --- audit log ------------------------------------------------------------------------------

@bp.route("/audit")
@requires(Action.GRANT_ROLES)
def audit_log():
    # The log covers every area and every official's changes, including their profile data, and
    # its entries carry no area to filter by: only nationwide administrators read it.
    require_scope(Action.GRANT_ROLES, None)
    actor = request.args.get("actor", type=int)
    object_type = request.args.get("type", "")[:50]
    page = audit.entries(actor=row_id(actor) if actor else None, object_type=object_type, page=page_arg())
    return render_template("admin/audit.html", page=page, types=audit.object_types(), object_type=object_type,
                           actor=actor)


# --- many proposals at once ------------------------------------------------------------------------

BULK_STATUSES = ("submitted", "feasible", "not_feasible")


@bp.route("/processes/<int:process_id>/proposals", methods=["GET", "POST"])
@requires(Action.PLACE_ON_BALLOT)
def bulk(process_id):
    """The process's proposals filtered by status and budget, ticked and acted on with one reason."""
    process = db.get_or_404(Process, process_id)
    require(Action.PLACE_ON_BALLOT, process.area)
    status = request.args.get("status", "submitted")
    status = status if status in BULK_STATUSES else "submitted"
    budget_id = row_id(request.args.get("budget", 0, type=int))
    form = BulkForm()
    if form.validate_on_submit():
        ids = [n for n in (row_id(whole_number(v, max_digits=10)) for v in request.form.getlist("ids")) if n]
        try:
            done = bulk_service.apply(process, current_user, ids, form.action.data, form.reason.data or "")
        except ServiceError as error:
            refuse(error)
        else:
            flash(_("Done for %(n)s proposals; each has its own timeline event.", n=done), "success")
        return redirect(url_for("admin.bulk", process_id=process.id, status=status, budget=budget_id or None))
    query = select(Proposal).where(Proposal.process_id == process.id, Proposal.status == status)
    if budget_id:
        query = query.where(Proposal.budget_id == budget_id)
    proposals = list(db.session.scalars(query.order_by(Proposal.id).limit(bulk_service.MAX_AT_ONCE)))
    return render_template("admin/bulk.html", process=process, form=form, proposals=proposals, status=status,
                           budget_id=budget_id, statuses=BULK_STATUSES,
                           rejections=town_hall_rejections(p.id for p in proposals))


@bp.route("/processes/<int:process_id>/copy", methods=["GET", "POST"])
@requires(Action.MANAGE_PROCESSES)
def copy_process(process_id):
    """Next year's process from this one: the same set-up, new year, titles and dates."""
    source = db.get_or_404(Process, process_id)
    require(Action.MANAGE_PROCESSES, source.area)
    next_year = {kind: {edge: _a_year_later(day) for edge, day in edges.items()}
                 for kind, edges in services.phase_days(source).items()}
    form = CopyProcessForm(data={"year": source.year + 1, **{f"title_{lang}": getattr(source, f"title_{lang}")
                                                             .replace(str(source.year), str(source.year + 1))
                                                             for lang in ("kk", "ru", "en")}, **next_year})
    if form.validate_on_submit():
        try:
            process = copying.copy_process(
                source, year=form.year.data,
                titles={name: getattr(form, name).data for name in ("title_kk", "title_ru", "title_en")},
                days={kind: (getattr(form, kind.value).starts_on.data, getattr(form, kind.value).ends_on.data)
                      for kind in PHASE_ORDER})
        except ServiceError as error:
            refuse(error, form)
        else:
            flash(_("The process is copied with its budgets, categories, ballot settings and expert council; "
                    "check its dates and amounts."), "success")
            return redirect(url_for("admin.process_detail", process_id=process.id))
    return render_template("admin/process_copy.html", form=form, source=source)


def _a_year_later(day):
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)
