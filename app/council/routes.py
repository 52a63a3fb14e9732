"""The expert council's pages: the akimat sets it up and assigns proposals; a member judges."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from app.core.errors import ServiceError, refuse
from app.core.forms import CSRFOnlyForm, row_id
from app.core.permissions import Action, require, requires
from app.council import public, services
from app.council.forms import (
    AssignForm,
    CriterionForm,
    JudgeForm,
    MemberForm,
    RoundRobinForm,
    SettingsForm,
    read_scores,
)
from app.extensions import db
from app.models import Assignment, CouncilMember, Criterion, Process, Proposal, User
from app.proposals import own_case

bp = Blueprint("council", __name__)


def _process(process_id) -> Process:
    process = db.get_or_404(Process, process_id)
    require(Action.MANAGE_PROCESSES, process.area)
    return process


def _page(process_id):
    return redirect(url_for("council.manage", process_id=process_id))


def _act(process: Process, form, action, success: str):
    """Validate ``form``, call ``action(form)``, flash what happened, back to the council page."""
    if not form.validate_on_submit():
        flash(" ".join(str(e) for errors in form.errors.values() for e in errors)
              or _("Please fill in the form completely."), "error")
        return _page(process.id)
    try:
        result = action(form)
    except ServiceError as error:
        refuse(error)
    else:
        flash(success % {"n": result} if isinstance(result, int) else success, "success")
    return _page(process.id)


@bp.route("/admin/processes/<int:process_id>/council")
@requires(Action.MANAGE_PROCESSES)
def manage(process_id):
    process = _process(process_id)
    council = services.council_of(process)
    settings = SettingsForm(obj=council) if council else SettingsForm()
    assign_form = AssignForm()
    assign_form.member_id.choices = [(m.id, m.user.full_name) for m in (council.members if council else [])]
    proposals = list(db.session.scalars(select(Proposal).where(
        Proposal.process_id == process.id, Proposal.status != "draft").order_by(Proposal.id)))
    assignments = {}
    for a in db.session.scalars(select(Assignment).where(Assignment.proposal_id.in_([p.id for p in proposals]))):
        assignments.setdefault(a.proposal_id, []).append(a)
    return render_template(
        "council/manage.html", process=process, council=council, settings=settings, member_form=MemberForm(),
        criterion_form=CriterionForm(), assign_form=assign_form, round_form=RoundRobinForm(),
        button_form=CSRFOnlyForm(), proposals=[p for p in proposals if p.id in assignments or p.status == "submitted"],
        assignments=assignments, decisions=public.summaries([p.id for p in proposals]))


@bp.post("/admin/processes/<int:process_id>/council/settings")
@requires(Action.MANAGE_PROCESSES)
def settings(process_id):
    process = _process(process_id)
    return _act(process, SettingsForm(), lambda f: services.save_settings(
        process, rule=f.rule.data, revision_days=f.revision_days.data, names_public=f.names_public.data) and None,
        _("The council's settings are saved."))


@bp.post("/admin/processes/<int:process_id>/council/members")
@requires(Action.MANAGE_PROCESSES)
def add_member(process_id):
    process = _process(process_id)

    def act(form):
        email = form.email.data.strip().lower()
        services.add_member(process, db.session.scalar(select(User).where(User.email == email)))

    return _act(process, MemberForm(), act, _("The member is added to the council."))


@bp.post("/admin/council-members/<int:member_id>/remove")
@requires(Action.MANAGE_PROCESSES)
def remove_member(member_id):
    member = db.get_or_404(CouncilMember, member_id)
    process = _process(member.process_id)
    return _act(process, CSRFOnlyForm(), lambda f: services.remove_member(member),
                _("The member is removed from the council."))


@bp.post("/admin/processes/<int:process_id>/council/criteria")
@requires(Action.MANAGE_PROCESSES)
def add_criterion(process_id):
    process = _process(process_id)
    return _act(process, CriterionForm(), lambda f: services.add_criterion(
        process, scale=f.scale.data, names={"kk": f.name_kk.data, "ru": f.name_ru.data, "en": f.name_en.data})
        and None, _("The criterion is added."))


@bp.post("/admin/council-criteria/<int:criterion_id>/delete")
@requires(Action.MANAGE_PROCESSES)
def delete_criterion(criterion_id):
    criterion = db.get_or_404(Criterion, criterion_id)
    process = _process(criterion.process_id)
    return _act(process, CSRFOnlyForm(), lambda f: services.delete_criterion(criterion),
                _("The criterion is deleted."))


@bp.post("/admin/processes/<int:process_id>/council/assign")
@requires(Action.MANAGE_PROCESSES)
def assign(process_id):
    process = _process(process_id)
    form = AssignForm()
    council = services.council_of(process)
    form.member_id.choices = [(m.id, m.user.full_name) for m in (council.members if council else [])]
    return _act(process, form, lambda f: services.assign(
        process, db.session.get(Proposal, row_id(f.proposal.data)), db.session.get(CouncilMember, f.member_id.data))
        and None, _("The proposal is assigned to the member."))


@bp.post("/admin/processes/<int:process_id>/council/round-robin")
@requires(Action.MANAGE_PROCESSES)
def round_robin(process_id):
    process = _process(process_id)
    return _act(process, RoundRobinForm(), lambda f: services.assign_round_robin(process, f.per_proposal.data),
                _("Proposals assigned in turn: %(n)s."))


@bp.post("/admin/processes/<int:process_id>/council/finalize")
@requires(Action.MANAGE_PROCESSES)
def finalize(process_id):
    process = _process(process_id)
    return _act(process, CSRFOnlyForm(), lambda f: services.finalize_due(process),
                _("Decisions whose revision window has closed are final: %(n)s."))


@bp.route("/council")
@login_required
def mine():
    assignments = list(db.session.scalars(select(Assignment).join(Assignment.member).where(
        CouncilMember.user_id == current_user.id).order_by(Assignment.id.desc()).limit(200)))
    proposals = {p.id: p for p in db.session.scalars(select(Proposal).where(
        Proposal.id.in_([a.proposal_id for a in assignments])))}
    return render_template("council/mine.html", assignments=assignments, proposals=proposals)


@bp.route("/proposals/<int:proposal_id>/council", methods=["GET", "POST"])
@login_required
def judge(proposal_id):
    proposal = db.get_or_404(Proposal, proposal_id)
    assignment = services.assignment_of(current_user, proposal)
    if assignment is None:
        flash(_("Only the council members assigned to this proposal judge it."), "error")
        return redirect(url_for("proposals.detail", proposal_id=proposal.id))
    stake = own_case.refusal(current_user, proposal, own_case.REVIEW)
    if stake:  # a member who wrote or supports it: why not, and who else can
        flash(stake, "error")
        return redirect(url_for("proposals.detail", proposal_id=proposal.id))
    council = services.council_of(proposal.process)
    form = JudgeForm(obj=assignment)
    values = {s.criterion_id: s.value for s in assignment.scores}
    problems = {}
    if form.validate_on_submit():
        values = read_scores(request.form, council.criteria)
        try:
            services.judge(proposal, current_user, values=values, verdict=form.verdict.data or "",
                           remark=form.remark.data or "")
        except ServiceError as error:
            refuse(error, problems)
        else:
            flash(_("Your judgement is recorded."), "success")
            return redirect(url_for("council.mine"))
    return render_template("council/judge.html", proposal=proposal, council=council, form=form, values=values,
                           problems=problems, assignment=assignment)
