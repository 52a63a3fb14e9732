"""Admin pages: areas, processes and phases, budgets, role grants, MCI rates.

Every route checks the permission for the exact area it touches (app.permissions)."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_, select

from app.admin import services
from app.admin.forms import (
    AreaForm,
    BudgetForm,
    CategoryForm,
    GrantForm,
    McIForm,
    PhaseChangeForm,
    ProcessForm,
)
from app.core.areas import all_areas, area_label
from app.core.forms import CSRFOnlyForm as ConfirmForm
from app.core.forms import page_arg, row_id
from app.core.labels import AREA_KIND_LABELS, PHASE_LABELS, ROLE_LABELS
from app.core.permissions import Action, areas_where, can, is_nationwide, require, requires
from app.extensions import db
from app.models import PHASE_ORDER, Area, Budget, Category, McIRate, PhaseKind, Process, Proposal, RoleGrant
from app.proposals.services import ensure_default_categories

bp = Blueprint("admin", __name__)


def _scope(action: Action) -> list[Area]:
    """Areas the current user may act on for ``action`` (whole subtrees of their grants)."""
    tops = areas_where(current_user, action)
    areas = all_areas()
    if any(top is None for top in tops):
        return areas
    return [a for a in areas if any(a.is_within(top) for top in tops)]


def _choices(action: Action, kinds: tuple[str, ...] | None = None) -> list[tuple[int, str]]:
    by_id = {a.id: a for a in all_areas()}
    return [(a.id, area_label(a, by_id)) for a in _scope(action) if kinds is None or a.kind in kinds]


def _area_or_404(area_id) -> Area:
    return db.get_or_404(Area, area_id, description=_("No such area."))


def _fail(form, error: services.AdminError) -> None:
    field = getattr(form, error.field, None) if error.field else None
    if field is not None and hasattr(field, "errors") and isinstance(field.errors, list):
        field.errors.append(error.message)
    else:
        flash(str(error.message), "error")


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
    scope = _scope(Action.MANAGE_AREAS)
    return render_template("admin/areas.html", areas=scope, kind_labels=AREA_KIND_LABELS)


@bp.route("/areas/new", methods=["GET", "POST"])
@bp.route("/areas/<int:area_id>/edit", methods=["GET", "POST"])
@requires(Action.MANAGE_AREAS)
def area_form(area_id=None):
    area = _area_or_404(area_id) if area_id else Area()
    if area_id:
        require(Action.MANAGE_AREAS, area)
    form = AreaForm(obj=area)
    nationwide = None in areas_where(current_user, Action.MANAGE_AREAS)
    parent_choices = _choices(Action.MANAGE_AREAS)
    form.parent_id.choices = ([(0, _("(top level)"))] if nationwide else []) + [
        c for c in parent_choices if c[0] != area.id
    ]
    if form.validate_on_submit():
        parent = db.session.get(Area, form.parent_id.data) if form.parent_id.data else None
        if parent is None and not nationwide:
            abort(403)
        if parent is not None:
            require(Action.MANAGE_AREAS, parent)
        try:
            services.save_area_from(area, parent, kato=form.kato.data or None,
                                    **{k: getattr(form, k).data for k in ("kind", "name_kk", "name_ru", "name_en")})
        except services.AdminError as error:
            db.session.rollback()
            _fail(form, error)
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
    scope_ids = [a.id for a in _scope(Action.MANAGE_PROCESSES)]
    items = db.session.scalars(
        select(Process).where(Process.area_id.in_(scope_ids)).order_by(Process.year.desc(), Process.id)
    )
    return render_template("admin/processes.html", processes=list(items), phase_labels=PHASE_LABELS)


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
        for name in ("year", "title_kk", "title_ru", "title_en"):
            setattr(process, name, getattr(form, name).data)
        process.support_threshold = form.support_threshold.data or 0
        process.description = form.description.data or ""
        days = {
            kind: (getattr(form, kind.value).starts_on.data, getattr(form, kind.value).ends_on.data)
            for kind in PHASE_ORDER
        }
        try:
            services.set_area_and_scope(process, area, form.voting_scope.data)
            services.set_phase_dates(process, days)
        except services.AdminError as error:
            db.session.rollback()
            target = getattr(form, error.field) if error.field else None
            if target is not None and hasattr(target, "form"):
                target.form.ends_on.errors.append(error.message)
            elif target is not None:
                target.errors = list(target.errors) + [error.message]
            else:
                flash(str(error.message), "error")
        else:
            ensure_default_categories(process)
            db.session.add(process)
            db.session.commit()
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
            services.change_phase_early(process, PhaseKind(kind), action, form.reason.data, current_user)
        except services.AdminError as error:
            db.session.rollback()
            flash(str(error.message), "error")
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
        if any(c.code == form.code.data for c in process.categories):
            form.code.errors.append(_("This process already has a category with this code."))
        else:
            process.categories.append(Category(
                code=form.code.data, name_kk=form.name_kk.data, name_ru=form.name_ru.data,
                name_en=form.name_en.data, position=len(process.categories)))
            db.session.commit()
            flash(_("The category is added."), "success")
            return redirect(url_for("admin.categories", process_id=process.id))
    used = set(db.session.scalars(select(Proposal.category_id).where(Proposal.process_id == process.id)))
    return render_template("admin/categories.html", process=process, form=form, used=used,
                           delete_form=ConfirmForm())


@bp.post("/categories/<int:category_id>/delete")
@requires(Action.MANAGE_PROCESSES)
def delete_category(category_id):
    category = db.get_or_404(Category, category_id)
    require(Action.MANAGE_PROCESSES, category.process.area)
    if ConfirmForm().validate_on_submit():
        in_use = db.session.scalar(select(Proposal.id).where(Proposal.category_id == category.id).limit(1))
        if in_use:
            flash(_("Proposals use this category, so it stays."), "error")
        else:
            db.session.delete(category)
            db.session.commit()
            flash(_("The category is removed."), "success")
    return redirect(url_for("admin.categories", process_id=category.process_id))


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
        except services.AdminError as error:
            db.session.rollback()
            _fail(form, error)
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
    nationwide = None in areas_where(current_user, Action.GRANT_ROLES)
    form.area_id.choices = ([(0, _("Nationwide"))] if nationwide else []) + _choices(Action.GRANT_ROLES)
    if form.validate_on_submit():
        area = db.session.get(Area, form.area_id.data) if form.area_id.data else None
        if area is None and not nationwide:
            abort(403)
        if area is not None:
            require(Action.GRANT_ROLES, area)
        try:
            services.grant_role(email=form.email.data, role=form.role.data, area=area, granted_by=current_user)
        except services.AdminError as error:
            db.session.rollback()
            _fail(form, error)
        else:
            flash(_("The role is granted."), "success")
            return redirect(url_for("admin.roles"))
    scope_ids = [a.id for a in _scope(Action.GRANT_ROLES)]
    query = select(RoleGrant).order_by(RoleGrant.granted_at.desc())
    query = query if nationwide else query.where(or_(RoleGrant.area_id.in_(scope_ids)))
    return render_template(
        "admin/roles.html", form=form, grants=list(db.session.scalars(query)),
        role_labels=ROLE_LABELS, revoke_form=ConfirmForm(),
    )


@bp.post("/roles/<int:grant_id>/revoke")
@requires(Action.GRANT_ROLES)
def revoke_role(grant_id):
    grant = db.get_or_404(RoleGrant, grant_id)
    if grant.area is None:
        if None not in areas_where(current_user, Action.GRANT_ROLES):
            abort(403)
    else:
        require(Action.GRANT_ROLES, grant.area)
    if ConfirmForm().validate_on_submit():
        db.session.delete(grant)
        db.session.commit()
        flash(_("The role is revoked."), "success")
    return redirect(url_for("admin.roles"))


# --- MCI ----------------------------------------------------------------------------------

@bp.route("/mci", methods=["GET", "POST"])
@requires(Action.MANAGE_AREAS)
def mci():
    # The MCI is set by national law, so only nationwide administrators change it.
    if not is_nationwide(current_user, Action.MANAGE_AREAS):
        abort(403)
    form = McIForm()
    if form.validate_on_submit():
        services.save_mci(form.year.data, form.tenge.data)
        flash(_("The MCI rate is saved."), "success")
        return redirect(url_for("admin.mci"))
    rates = list(db.session.scalars(select(McIRate).order_by(McIRate.year.desc())))
    return render_template("admin/mci.html", form=form, rates=rates)


# --- audit log ------------------------------------------------------------------------------

@bp.route("/audit")
@requires(Action.GRANT_ROLES)
def audit_log():
    # The log covers every area and every official's changes, including their profile data, and
    # its entries carry no area to filter by: only nationwide administrators read it.
    if not is_nationwide(current_user, Action.GRANT_ROLES):
        abort(403)
    from app.models import AuditEntry

    query = select(AuditEntry).order_by(AuditEntry.id.desc())
    actor = request.args.get("actor", type=int)
    object_type = request.args.get("type", "")[:50]
    if actor:
        query = query.where(AuditEntry.actor_id == row_id(actor))
    if object_type:
        query = query.where(AuditEntry.object_type == object_type)
    page = db.paginate(query, page=page_arg(), per_page=50, error_out=False)
    types = list(db.session.scalars(select(AuditEntry.object_type).distinct().order_by(AuditEntry.object_type)))
    return render_template("admin/audit.html", page=page, types=types, object_type=object_type, actor=actor)
