"""Rules for setting up processes, phases, budgets and role grants."""
from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.auth import invitations
from app.ballots import readiness
from app.ballots.snapshot import forget
from app.core.areas import save_area
from app.core.clock import almaty_moment, local_date, utcnow
from app.core.errors import ServiceError
from app.core.forms import FIRST_DAY, LAST_DAY, date_range_message
from app.extensions import db
from app.models import (
    PHASE_ORDER,
    Area,
    BallotOpening,
    Budget,
    Category,
    CountKey,
    McIRate,
    Phase,
    PhaseChange,
    PhaseKind,
    Process,
    Proposal,
    RoleGrant,
    RoleInvitation,
    User,
    mci_for_year,
)
from app.proposals.services import ensure_default_categories
from app.results.participation import store as store_participation


def voting_opened(process: Process) -> bool:
    """Has the process's voting been opened (a count key confirmed, the roll fixed)?"""
    if process.id is None:
        return False
    return db.session.scalar(select(CountKey.budget_id).join(Budget, Budget.id == CountKey.budget_id).where(
        Budget.process_id == process.id, CountKey.confirmed_at.is_not(None)).limit(1)) is not None


def ballots_opened(process: Process) -> bool:
    """Has the count opened the envelopes of any budget of the process?"""
    if process.id is None:
        return False
    return db.session.scalar(select(BallotOpening.budget_id).join(Budget, Budget.id == BallotOpening.budget_id)
                             .where(Budget.process_id == process.id).limit(1)) is not None


def _check_locked_dates(process: Process, kind: PhaseKind, starts: datetime, ends: datetime, now: datetime) -> None:
    """Published is final: once voting opened, the phases before it and its start are fixed; once
    it has closed (or the ballots are opened), its end is fixed too."""
    phase = process.phase(kind)
    if phase is None or not voting_opened(process):
        return
    moved_start, moved_end = phase.starts_at != starts, phase.ends_at != ends
    if kind in (PhaseKind.PROPOSALS, PhaseKind.REVIEW) and (moved_start or moved_end):
        raise ServiceError(_l("Voting has opened: the phases before it are fixed."), field=kind.value)
    if kind == PhaseKind.VOTING:
        if moved_start:
            raise ServiceError(_l("Voting has opened: its start is fixed."), field=kind.value)
        if moved_end and (phase.ends_at <= now or ballots_opened(process)):
            raise ServiceError(_l("Voting has closed: its end is fixed, so no ballot can be added to the count."),
                             field=kind.value)
        if moved_end and ends <= now:
            raise ServiceError(_l("To close voting now, use «Close now» on the process page."), field=kind.value)


def processes_in(areas: list[Area]) -> list[Process]:
    """The processes of these areas, newest year first."""
    return list(db.session.scalars(select(Process).where(Process.area_id.in_([a.id for a in areas]))
                                   .order_by(Process.year.desc(), Process.id)))


def save_process(process: Process, area: Area, *, scope: str, year: int, titles: dict[str, str], description: str,
                 support_threshold: int, days: dict[PhaseKind, tuple[date, date]]) -> Process:
    """Create or update a process with its phase dates (see :func:`set_phase_dates`) and, for a
    new one, the default categories."""
    process.year, process.description, process.support_threshold = year, description, support_threshold
    for name, title in titles.items():
        setattr(process, name, title)
    set_area_and_scope(process, area, scope)
    set_phase_dates(process, days)
    ensure_default_categories(process)
    db.session.add(process)
    db.session.commit()
    return process


def set_area_and_scope(process: Process, area: Area, scope: str) -> None:
    """The process's area and how many ballots a voter casts: fixed once voting has opened (the
    roll was drawn from them)."""
    if voting_opened(process) and (process.area_id != area.id or process.voting_scope != scope):
        raise ServiceError(_l("Voting has opened: the area and the ballots per voter are fixed."), field="voting_scope")
    process.area = area
    process.voting_scope = scope


def set_phase_dates(process: Process, days: dict[PhaseKind, tuple[date, date]], now: datetime | None = None) -> None:
    """Give each phase its dates: from 00:00 of the first day to the end of the last day
    (Almaty time). Phases must come in order and may not overlap; what the count rests on cannot
    move (see :func:`_check_locked_dates`)."""
    now = now or utcnow()
    previous_end = None
    for kind in PHASE_ORDER:
        first, last = days[kind]
        if not (FIRST_DAY <= first <= LAST_DAY and FIRST_DAY <= last <= LAST_DAY):
            raise ServiceError(date_range_message(), field=kind.value)  # 9999-12-31 would overflow below
        if last < first:
            raise ServiceError(_l("A phase cannot end before it starts."), field=kind.value)
        starts, ends = almaty_moment(first), almaty_moment(last + timedelta(days=1))
        if previous_end is not None and starts < previous_end:
            raise ServiceError(
                _l("Each phase must start after the previous one ends."), field=kind.value
            )
        previous_end = ends
        phase = process.phase(kind)
        _check_locked_dates(process, kind, starts, ends, now)
        if phase is None:
            process.phases.append(Phase(kind=kind.value, starts_at=starts, ends_at=ends))
        else:
            phase.starts_at, phase.ends_at = starts, ends


def phase_days(process: Process) -> dict[str, dict[str, date]]:
    """Form data for the phase date fields."""
    return {
        p.kind: {"starts_on": local_date(p.starts_at), "ends_on": local_date(p.ends_at - timedelta(seconds=1))}
        for p in process.phases
    }


def can_open_now(process: Process, kind: PhaseKind, now: datetime | None = None) -> bool:
    """May ``kind`` be opened early now: not started yet, and every phase before it has started
    (voting also needs its count keys; it opens on its own page)."""
    now = now or utcnow()
    phase = process.phase(kind)
    if phase is None or phase.starts_at <= now or (kind == PhaseKind.VOTING and voting_opened(process)):
        return False
    earlier = [process.phase(k) for k in PHASE_ORDER[:PHASE_ORDER.index(kind)]]
    return all(p is None or p.starts_at <= now for p in earlier)


def change_phase_early(process: Process, kind: PhaseKind, action: str, reason: str, actor: User,
                       now: datetime | None = None, confirmed: bool = False) -> PhaseChange:
    """Open a phase before its date (closing the running one) or close the running phase now.
    The replaced dates and the reason are kept in a :class:`PhaseChange`. Opening the review while
    something is not ready needs ``confirmed`` (see app.ballots.readiness)."""
    now = now or utcnow()
    phase = process.phase(kind)
    if phase is None:
        raise ServiceError(_l("This process has no such phase."))
    current = process.current_phase(now)
    change = PhaseChange(
        phase_kind=kind.value, action=action, reason=reason.strip(), actor=actor,
        previous_starts_at=phase.starts_at, previous_ends_at=phase.ends_at, changed_at=now,
    )
    if kind == PhaseKind.VOTING and action == "open":
        raise ServiceError(_l("Voting opens with the count keys: use «Open voting» on the process page."))
    if action == "close":
        if current is not phase:
            raise ServiceError(_l("Only the phase that is running now can be closed early."))
        phase.ends_at = now
    elif action == "open":
        if phase.starts_at <= now:
            raise ServiceError(_l("This phase has already started."))
        index = PHASE_ORDER.index(kind)
        for earlier in PHASE_ORDER[:index]:
            before = process.phase(earlier)
            if before is not None and before.starts_at > now:
                raise ServiceError(_l("Open the phases before this one first."))
        readiness.check_confirmed(process, kind, confirmed)
        if current is not None:
            current.ends_at = now
        phase.starts_at = now
    else:
        raise ServiceError(_l("Unknown phase action."))
    process.phase_changes.append(change)
    voting = process.phase(PhaseKind.VOTING)
    if voting is not None and voting.ends_at == now and voting.starts_at < now:
        for budget in process.budgets:  # the turnout is final: aggregate it once, for the results pages
            store_participation(budget)
    db.session.commit()

    forget()  # voting windows changed
    return change


def save_area_from(area: Area, parent: Area | None, *, kato: str | None, kind: str, name_kk: str, name_ru: str,
                   name_en: str) -> Area:
    """Create or update an area from the form. Refuses a KATO code another area has (the unique
    constraint decides a race) and a parent inside the area itself."""
    taken = kato and db.session.scalar(select(Area.id).where(Area.kato == kato, Area.id != (area.id or -1)))
    if taken:
        raise ServiceError(_l("Another area already has this KATO code."), field="kato")
    area.kind, area.kato, area.name_kk, area.name_ru, area.name_en = kind, kato, name_kk, name_ru, name_en
    area.parent_id = parent.id if parent else None
    try:
        save_area(area)
        db.session.commit()
    except ValueError:
        raise ServiceError(_l("An area cannot be placed inside itself."), field="parent_id") from None
    except IntegrityError:
        raise ServiceError(_l("Another area already has this KATO code."), field="kato") from None
    return area


def add_category(process: Process, *, code: str, name_kk: str, name_ru: str, name_en: str) -> Category:
    if any(c.code == code for c in process.categories):
        raise ServiceError(_l("This process already has a category with this code."), field="code")
    category = Category(code=code, name_kk=name_kk, name_ru=name_ru, name_en=name_en,
                        position=len(process.categories))
    process.categories.append(category)
    db.session.commit()
    return category


def categories_used(process: Process) -> set[int]:
    """The ids of the process's categories some proposal uses (those cannot be removed)."""
    return set(db.session.scalars(select(Proposal.category_id).where(Proposal.process_id == process.id)))


def delete_category(category: Category) -> None:
    if db.session.scalar(select(Proposal.id).where(Proposal.category_id == category.id).limit(1)):
        raise ServiceError(_l("Proposals use this category, so it stays."))
    db.session.delete(category)
    db.session.commit()


def save_budget(budget: Budget, process: Process, *, area: Area, amount: int,
                limit_value: int | None, limit_unit: str, names: dict[str, str]) -> Budget:
    """Create or update a budget; its area must lie within the process's area and the
    per-project limit may not exceed the budget."""
    if not area.is_within(process.area):
        raise ServiceError(_l("The budget's area must lie within the process's area."), field="area_id")
    if voting_opened(process):
        raise ServiceError(_l("Voting on this process has opened: its budgets, their amounts and limits are fixed."))
    budget.process = process
    budget.area = area
    budget.amount = amount
    budget.project_limit_tenge = limit_value if limit_value and limit_unit == "tenge" else None
    budget.project_limit_mci = limit_value if limit_value and limit_unit == "mci" else None
    for key, value in names.items():
        setattr(budget, key, value.strip())
    budget.project_limit_fixed = None
    limit = budget.project_limit()
    budget.project_limit_fixed = limit if budget.project_limit_mci is not None else None
    if limit is not None and limit > amount:
        raise ServiceError(
            _l("The per-project limit cannot be more than the whole budget."), field="limit_value"
        )
    db.session.add(budget)
    db.session.commit()
    return budget


def grant_role(*, email: str, role: str, area: Area | None, granted_by: User) -> RoleGrant | RoleInvitation:
    """Grant ``role`` in ``area`` to the account with ``email``; with no such account yet, invite
    the address (the role is granted when its owner registers or signs in, see app.auth.invitations)."""
    email = email.strip().lower()
    if role == "deputy" and (area is None or area.kind != "okrug"):
        raise ServiceError(_l("A deputy is granted for a maslikhat okrug."), field="area_id")
    if area is None and role != "admin":
        raise ServiceError(_l("Only administrators are granted nationwide: choose an area."), field="area_id")
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        if "@" not in email or len(email) > 254:
            raise ServiceError(_l("Enter a valid email address, like name@example.kz."), field="email")
        if any(i.role == role and i.area_id == (area.id if area else None) for i in invitations.pending_for(email)):
            raise ServiceError(_l("This email is already invited to this role here."), field="email")
        invitation = invitations.invite(email, role, area, granted_by)
        db.session.commit()
        return invitation
    existing = db.session.scalar(
        select(RoleGrant).where(
            RoleGrant.user_id == user.id, RoleGrant.role == role,
            RoleGrant.area_id.is_(None) if area is None else RoleGrant.area_id == area.id,
        )
    )
    if existing:
        raise ServiceError(_l("This user already holds this role here."), field="role")
    grant = RoleGrant(user=user, role=role, area=area, granted_by=granted_by)
    db.session.add(grant)
    db.session.commit()
    return grant


def grants_in(areas: list[Area] | None) -> list[RoleGrant]:
    """The role grants in these areas, newest first (``areas`` None: every grant, nationwide ones too)."""
    query = select(RoleGrant).order_by(RoleGrant.granted_at.desc())
    if areas is not None:
        query = query.where(RoleGrant.area_id.in_([a.id for a in areas]))
    return list(db.session.scalars(query))


def revoke_role(grant: RoleGrant) -> None:
    db.session.delete(grant)
    db.session.commit()


def mci_rates() -> list[McIRate]:
    return list(db.session.scalars(select(McIRate).order_by(McIRate.year.desc())))


def save_mci(year: int, tenge: int, now: datetime | None = None) -> McIRate:
    """Save a year's MCI rate. Budgets with a limit in MCI follow it only while their process has
    not yet opened for proposals: from then on the limit residents were told is fixed."""
    now = now or utcnow()
    rate = db.session.get(McIRate, year) or McIRate(year=year)
    rate.tenge = tenge
    db.session.add(rate)
    db.session.flush()
    for budget in db.session.scalars(select(Budget).where(Budget.project_limit_mci.is_not(None))):
        proposals = budget.process.phase(PhaseKind.PROPOSALS)
        if proposals is None or proposals.starts_at > now:
            budget.project_limit_fixed = budget.project_limit_mci * mci_for_year(budget.process.year)
    db.session.commit()
    return rate
