"""Proposal pages: list, write, read, support, discuss, review, moderate."""
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.core.areas import all_areas
from app.core.errors import ServiceError, refuse
from app.core.forms import CSRFOnlyForm, page_arg, row_id, whole_number
from app.core.permissions import Action, can
from app.extensions import db
from app.models import (
    Budget,
    Category,
    Comment,
    Proposal,
    ProposalEvent,
    ProposalPhoto,
    ProposalStatus,
    Report,
)
from app.proposals import comments as comment_service
from app.proposals import forms as proposal_forms
from app.proposals import listing, own_case
from app.proposals import review as review_service
from app.proposals import services as proposal_service
from app.proposals.forms import CommentForm, MergeForm, ProposalForm, ReasonForm, ReviewForm
from app.proposals.timeline import event_text, town_hall_rejections

bp = Blueprint("proposals", __name__)
COMMENTS_PER_PAGE = 20


def _load(proposal_id: int) -> Proposal:
    proposal = db.get_or_404(Proposal, proposal_id, description=_("No such proposal."))
    if proposal.status == ProposalStatus.DRAFT and not (
        current_user.is_authenticated and proposal.author_id == current_user.id
    ):
        abort(404)  # drafts are private to their author
    return proposal


def _back(proposal: Proposal, anchor: str = ""):
    return redirect(url_for("proposals.detail", proposal_id=proposal.id) + anchor)


@bp.route("/proposals")
def index():
    filters = listing.Filters.from_args(request.args)
    page = listing.search(filters)
    categories = list(db.session.scalars(select(Category).order_by(Category.code, Category.id)))
    filter_categories = list({c.code: c for c in categories}.values())
    budgets = list(db.session.scalars(
        select(Budget).options(selectinload(Budget.process)).order_by(Budget.id.desc()).limit(100)))
    areas = all_areas()
    return render_template(
        "proposals/index.html", page=page, filters=filters, categories=filter_categories, budgets=budgets,
        areas=[a for a in areas if a.kind != "okrug"], area_names={a.id: a.name for a in areas},
        category_names={c.id: c.name for c in categories},
        may_propose=current_user.is_authenticated and bool(proposal_service.budgets_open_to(current_user)))


def _form_choices(form: ProposalForm, budgets: list[Budget], process_id: int | None) -> None:
    form.budget_id.choices = [(b.id, f"{b.name} — {b.process.title}") for b in budgets]
    process_ids = {process_id} if process_id else {b.process_id for b in budgets}
    categories = db.session.scalars(
        select(Category).where(Category.process_id.in_(process_ids)).order_by(Category.position)
    )
    form.category_id.choices = [(0, _("(choose a category)"))] + [(c.id, c.name) for c in categories]


def _category(form: ProposalForm) -> Category | None:
    return db.session.get(Category, form.category_id.data) if form.category_id.data else None


@bp.route("/proposals/new", methods=["GET", "POST"])
@login_required
def new():
    budgets = proposal_service.budgets_open_to(current_user)
    if not budgets:
        flash(_("No participatory budget of your area takes proposals now."), "info")
        return redirect(url_for("proposals.index"))
    form = ProposalForm()
    _form_choices(form, budgets, None)
    valid, kept = proposal_forms.validate_keeping_photos(form)
    if valid:
        budget = db.session.get(Budget, form.budget_id.data)
        try:
            proposal = proposal_service.create_proposal(
                current_user, budget, title=form.title.data, description=form.description.data,
                category=_category(form), address=form.address.data, cost=form.estimated_cost.data,
                pending=kept, submit=form.submit.data,
            )
        except ServiceError as error:
            refuse(error, form)
        else:
            flash(_("Your proposal is submitted and public.") if form.submit.data
                  else _("Your draft is saved. Only you can see it."), "success")
            return _back(proposal)
    return render_template("proposals/form.html", form=form, proposal=None, kept=proposal_forms.still_kept(kept),
                           limits={b.id: b.project_limit() for b in budgets})



@bp.route("/proposals/<int:proposal_id>/edit", methods=["GET", "POST"])
@login_required
def edit(proposal_id):
    proposal = _load(proposal_id)
    if proposal.author_id != current_user.id:
        abort(403)
    if not proposal_service.may_edit(current_user, proposal):
        flash(_("This proposal can no longer be edited: its review has started."), "error")
        return _back(proposal)
    form = ProposalForm(obj=proposal)
    _form_choices(form, [proposal.budget], proposal.process_id)
    form.remove_photos.choices = [(p.id, str(p.position + 1)) for p in proposal.photos]
    if request.method == "GET":
        form.category_id.data = proposal.category_id or 0
    valid, kept = proposal_forms.validate_keeping_photos(form)
    if valid:
        try:
            proposal_service.edit_proposal(
                proposal, current_user, title=form.title.data, description=form.description.data,
                category=_category(form), address=form.address.data, cost=form.estimated_cost.data,
                pending=kept, remove_photo_ids=form.remove_photos.data or [],
            )
            if form.submit.data and proposal.status == ProposalStatus.DRAFT:
                proposal_service.submit_draft(proposal, current_user)
        except ServiceError as error:
            refuse(error, form)
        else:
            flash(_("Your changes are saved."), "success")
            return _back(proposal)
    return render_template("proposals/form.html", form=form, proposal=proposal, kept=proposal_forms.still_kept(kept),
                           limits={proposal.budget_id: proposal.budget.project_limit()})


@bp.route("/proposals/<int:proposal_id>")
def detail(proposal_id):
    proposal = _load(proposal_id)
    page = page_arg("comments")
    top_level = db.paginate(
        select(Comment).where(Comment.proposal_id == proposal.id, Comment.parent_id.is_(None))
        .options(selectinload(Comment.author), selectinload(Comment.replies).selectinload(Comment.author))
        .order_by(Comment.id), page=page, per_page=COMMENTS_PER_PAGE, error_out=False,
    )
    events = list(db.session.scalars(
        select(ProposalEvent).where(ProposalEvent.proposal_id == proposal.id)
        .options(selectinload(ProposalEvent.actor)).order_by(ProposalEvent.id)
    ))
    user = current_user
    may_review = user.is_authenticated and can(user, Action.REVIEW_PROPOSALS, proposal.area)
    may_place = user.is_authenticated and can(user, Action.PLACE_ON_BALLOT, proposal.area)
    # An official who wrote or supports the proposal gets, instead of the forms, why not and who can.
    reviewing = own_case.REVIEW if proposal.status in (ProposalStatus.SUBMITTED, ProposalStatus.NOT_FEASIBLE) \
        else own_case.MERGE
    return render_template(
        "proposals/detail.html", proposal=proposal, comments=top_level, events=events, event_text=event_text,
        balance=comment_service.stance_balance(proposal),
        supported=proposal_service.supports(user, proposal),
        support_refusal=proposal_service.support_refusal(proposal, user),
        supports_until=proposal_service.supports_until(proposal),
        may_edit=proposal_service.may_edit(user, proposal),
        may_review=may_review, may_place=may_place,
        review_refusal=own_case.refusal(user, proposal, reviewing) if may_review else None,
        ballot_refusal=own_case.refusal(user, proposal, own_case.BALLOT) if may_place else None,
        town_hall_rejection=town_hall_rejections([proposal.id]).get(proposal.id) if may_place else None,
        may_moderate=user.is_authenticated and can(user, Action.MODERATE, proposal.area),
        may_edit_comment=lambda c: comment_service.may_edit_comment(user, c),
        comment_form=CommentForm(), reason_form=ReasonForm(), review_form=ReviewForm(), merge_form=MergeForm(),
        button_form=CSRFOnlyForm(), useful_ids=comment_service.marked_useful(user, proposal),
    )


def _post_action(proposal_id, action, success: str, form_class=CSRFOnlyForm, anchor=""):
    proposal = _load(proposal_id)
    form = form_class()
    if not form.validate_on_submit():
        flash(_("Please fill in the form completely."), "error")
        return _back(proposal, anchor)
    try:
        action(proposal, form)
    except ServiceError as error:
        refuse(error)
    else:
        flash(success, "success")
    return _back(proposal, anchor)


@bp.post("/proposals/<int:proposal_id>/submit")
@login_required
def submit(proposal_id):
    return _post_action(proposal_id, lambda p, f: proposal_service.submit_draft(p, current_user),
                        _("Your proposal is submitted and public."))


@bp.post("/proposals/<int:proposal_id>/withdraw")
@login_required
def withdraw(proposal_id):
    return _post_action(proposal_id, lambda p, f: proposal_service.withdraw(p, current_user, f.reason.data),
                        _("Your proposal is withdrawn."), ReasonForm)


@bp.post("/proposals/<int:proposal_id>/support")
@login_required
def support(proposal_id):
    return _post_action(proposal_id, lambda p, f: proposal_service.support(p, current_user),
                        _("Thank you: your support is counted."), anchor="#support")


@bp.post("/proposals/<int:proposal_id>/unsupport")
@login_required
def unsupport(proposal_id):
    return _post_action(proposal_id, lambda p, f: proposal_service.withdraw_support(p, current_user),
                        _("Your support is withdrawn."), anchor="#support")


@bp.post("/proposals/<int:proposal_id>/review")
@login_required
def review(proposal_id):
    def act(proposal, form):
        review_service.review(proposal, current_user, feasible=form.decision.data == "feasible",
                                final_cost=form.final_cost.data, reason=form.reason.data or "")

    return _post_action(proposal_id, act, _("The review is recorded on the timeline."), ReviewForm)


@bp.post("/proposals/<int:proposal_id>/merge")
@login_required
def merge(proposal_id):
    def act(proposal, form):
        review_service.merge(proposal, db.session.get(Proposal, row_id(form.into.data)), current_user,
                             form.note.data or "")

    return _post_action(proposal_id, act, _("The proposals are merged."), MergeForm)


@bp.post("/proposals/<int:proposal_id>/ballot")
@login_required
def place_on_ballot(proposal_id):
    return _post_action(proposal_id, lambda p, f: review_service.place_on_ballot(p, current_user),
                        _("The proposal is on the ballot."))


@bp.post("/proposals/<int:proposal_id>/report")
@login_required
def report(proposal_id):
    return _post_action(proposal_id, lambda p, f: comment_service.report(current_user, p, f.reason.data),
                        _("Thank you. The moderators will look at it."), ReasonForm)


@bp.post("/proposals/<int:proposal_id>/hide")
@login_required
def hide(proposal_id):
    return _post_action(proposal_id, lambda p, f: comment_service.set_hidden(
        current_user, p, hidden=True, reason=f.reason.data), _("Hidden."), ReasonForm)


@bp.post("/proposals/<int:proposal_id>/restore")
@login_required
def restore(proposal_id):
    return _post_action(proposal_id, lambda p, f: comment_service.set_hidden(
        current_user, p, hidden=False, reason=f.reason.data), _("Restored."), ReasonForm)


# --- comments ---------------------------------------------------------------------------

@bp.post("/proposals/<int:proposal_id>/comments")
@login_required
def add_comment(proposal_id):
    def act(proposal, form):
        parent = whole_number(form.parent_id.data)
        comment_service.add_comment(proposal, current_user, body=form.body.data, stance=form.stance.data,
                                    parent_id=parent)

    return _post_action(proposal_id, act, _("Your comment is published."), CommentForm, "#comments")


def _comment(comment_id) -> Comment:
    comment = db.get_or_404(Comment, comment_id)
    _load(comment.proposal_id)
    return comment


@bp.route("/comments/<int:comment_id>/edit", methods=["GET", "POST"])
@login_required
def edit_comment(comment_id):
    comment = _comment(comment_id)
    if comment.author_id != current_user.id:
        abort(403)
    form = CommentForm(obj=comment)
    if form.validate_on_submit():
        try:
            comment_service.edit_comment(comment, current_user, form.body.data, form.stance.data)
        except ServiceError as error:
            refuse(error)
        else:
            flash(_("Your comment is updated."), "success")
        return _back(comment.proposal, f"#comment-{comment.id}")
    return render_template("proposals/comment_edit.html", form=form, comment=comment)


def _comment_action(comment_id, action, success, form_class=CSRFOnlyForm):
    comment = _comment(comment_id)
    form = form_class()
    if not form.validate_on_submit():
        flash(_("Please fill in the form completely."), "error")
    else:
        try:
            action(comment, form)
        except ServiceError as error:
            refuse(error)
        else:
            flash(success, "success")
    return _back(comment.proposal, f"#comment-{comment.id}")


@bp.post("/comments/<int:comment_id>/delete")
@login_required
def delete_comment(comment_id):
    return _comment_action(comment_id, lambda c, f: comment_service.delete_comment(c, current_user),
                           _("Your comment is deleted."))


@bp.post("/comments/<int:comment_id>/useful")
@login_required
def useful(comment_id):
    return _comment_action(comment_id, lambda c, f: comment_service.mark_useful(c, current_user),
                           _("Marked as useful."))


@bp.post("/comments/<int:comment_id>/report")
@login_required
def report_comment(comment_id):
    return _comment_action(comment_id, lambda c, f: comment_service.report(
        current_user, c.proposal, f.reason.data, comment=c), _("Thank you. The moderators will look at it."),
        ReasonForm)


@bp.post("/comments/<int:comment_id>/hide")
@login_required
def hide_comment(comment_id):
    return _comment_action(comment_id, lambda c, f: comment_service.set_hidden(
        current_user, c.proposal, hidden=True, reason=f.reason.data, comment=c), _("Hidden."), ReasonForm)


@bp.post("/comments/<int:comment_id>/restore")
@login_required
def restore_comment(comment_id):
    return _comment_action(comment_id, lambda c, f: comment_service.set_hidden(
        current_user, c.proposal, hidden=False, reason=f.reason.data, comment=c), _("Restored."), ReasonForm)


# --- moderation queue and photos ------------------------------------------------------------

@bp.route("/moderation")
@login_required
def moderation():
    if not can(current_user, Action.MODERATE):
        abort(403)
    return render_template("proposals/moderation.html", reports=comment_service.open_reports(current_user),
                           reason_form=ReasonForm(), button_form=CSRFOnlyForm())


@bp.post("/moderation/reports/<int:report_id>/dismiss")
@login_required
def dismiss_report(report_id):
    item = db.get_or_404(Report, report_id)
    if CSRFOnlyForm().validate_on_submit():
        try:
            comment_service.dismiss_report(current_user, item)
        except ServiceError as error:
            abort(403, str(error.message))
        flash(_("The report is dismissed."), "success")
    return redirect(url_for("proposals.moderation"))


@bp.route("/photos/<name>")
def photo(name):
    # Only names we generated are served, and only for proposals the visitor may see: not a
    # draft of someone else, and not a proposal a moderator hid (the pages show the reason instead).

    item = db.session.scalar(select(ProposalPhoto).where(ProposalPhoto.stored_name == name))
    if item is None or _load(item.proposal_id).is_hidden:
        abort(404)
    response = send_from_directory(current_app.config["UPLOAD_FOLDER"], name, mimetype="image/jpeg")
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.cache_control.max_age = 86400
    return response
