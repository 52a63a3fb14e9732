"""The authorization matrix: every route of ``app.url_map`` × every method × every role.

``MATRIX`` below is the one explicit table of who may do what. Each row names a route (its rule
and method), the roles that are *allowed*, how everybody else is *refused*, which objects fill
the URL, the form body of a POST, and which allowed roles *change the database* with it.

The roles: a visitor; a resident of okrug 7 and one of Almaty district; the deputy of okrug 7 and
the deputy of okrug 8; an akimat official of Esil district and one of Almaty district; a moderator
for Astana; a nationwide administrator and an administrator of Almaty district; and two
stakeholder officials, who may do what their role allows except decide on a proposal they wrote
or support (issue #13: no one judges their own case): an akimat official of Esil district who
supports the proposals the other officials review, place on the ballot and report on, and wrote
the duplicate they merge; and the deputy of okrug 8, co-host of the held meeting, who supports the
proposal on its agenda.

What the walk asserts for each (route, role), as a person using the site would notice it:

* allowed: a 2xx answer, or a redirect that is not to the login page and carries no error
  message (a row's ``done`` names the two exceptions: logging out says "You are logged out."
  and a password reset ends on the login page). A POST whose form comes back (200) with a
  validation message counts as allowed: the role was let in, and the form — not the permission
  — said no (e.g. a deputy of another okrug gets the meeting form back because okrug 7 is not
  among the areas offered to him); ``changes`` then says that nothing may be stored.
* refused, one kind per row, the same for every refused role of that row:
  ``403``; ``404`` where the app hides that the object exists (a draft and its photo are private
  to the author); ``400`` where a form is not for this person (the booth's "check my ballot" for
  someone who may not vote); ``flash`` where an action button answers by sending the person back
  to the page with an error message (the proposal, comment, meeting and casting actions do this;
  the message says who may do it); ``info`` for "new proposal" when no budget of the person's
  area takes proposals. A row's ``stake`` names how a stakeholder official is refused where the
  role lets them in and the stake does not (the service's message instead of a 403). An anonymous visitor is sent to the login page instead, except on the
  public routes, where the row says what a visitor gets.
* the database: every table is compared row by row before and after each request. Only the roles
  in a row's ``changes`` may change anything; every other request — refused or allowed but with
  nothing to do — must leave every row as it was.

URL parameters are filled from one world in Esil district / okrug 7 (``build_world``): a process
in each phase, proposals in every state the actions need, comments, a report, a photo, meetings
(upcoming, held, with published minutes), an action item, ballots, a counted and a published
result, a funded project with a milestone. After a request that changed the database the world
is rebuilt, so every request meets the same state.
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import pytest
from PIL import Image
from sqlalchemy import select

from app.ballots import opening
from app.ballots import paper as paper_service
from app.ballots import services as ballot_service
from app.ballots.snapshot import snapshot as ballot_snapshot
from app.extensions import db
from app.identity.iin import make_iin
from app.implementation import services as implementation_service
from app.markdown import render_markdown
from app.models import (
    BallotConfig,
    Budget,
    Comment,
    PhaseKind,
    Process,
    Proposal,
    ProposalPhoto,
    Report,
    RoleGrant,
    Support,
)
from app.models.types import utcnow
from app.uploads import store_photo
from meetings.models import ActionItem, AgendaItem, Meeting, Registration

from .conftest import count_votes, empty_every_table, make_user, move_to_phase, open_voting

ANON, RES, RES_ELSE = "anonymous", "resident", "resident_elsewhere"
DEP, DEP_ELSE = "deputy", "deputy_elsewhere"
AKI, AKI_ELSE = "akimat", "akimat_elsewhere"
MOD, ADM, ADM_ELSE = "moderator", "admin", "admin_elsewhere"
AKI_STAKE, DEP_STAKE = "akimat_stakeholder", "deputy_stakeholder"  # wrote or support what they would decide on
ROLES = (ANON, RES, RES_ELSE, DEP, DEP_ELSE, AKI, AKI_ELSE, MOD, ADM, ADM_ELSE, AKI_STAKE, DEP_STAKE)
STAKEHOLDERS = frozenset({AKI_STAKE, DEP_STAKE})
EVERYONE = frozenset(ROLES)
LOGGED_IN = EVERYONE - {ANON}


@dataclass(frozen=True)
class Row:
    allow: frozenset
    refuse: str = "403"           # how a logged-in refused role is answered: 403, 404, 400, flash, info
    anon: str = "login"           # how a refused anonymous visitor is answered
    args: dict = field(default_factory=dict)   # URL parameter -> key in the world, or "=literal"
    data: dict | None = None      # form body (POST); values may be callables of the world
    query: str = ""
    changes: frozenset = frozenset()  # allowed roles whose request must change the database
    done: str = "ok"              # what an allowed role gets when it is not plainly "ok"
    stake: dict = field(default_factory=dict)  # stakeholder role -> its refusal, when not as ``refuse``


def R(*roles, **kwargs) -> Row:  # noqa: N802  (reads like the table it builds)
    allow = frozenset().union(*(r if isinstance(r, frozenset) else {r} for r in roles))
    changes = kwargs.pop("changes", frozenset())
    changes = allow if changes == "all" else frozenset(changes)
    return Row(allow=allow, changes=changes, **kwargs)


def _w(key, attr="id"):
    """A form value taken from the world when the request is made."""
    return lambda world: str(getattr(world[key], attr)) if attr else world[key]


REASON = {"reason": "A reason long enough for every form"}
PROPOSAL_BODY = {"budget_id": _w("budget_prop"), "title": "Benches on Turan avenue",
                 "description": "Ten benches along the avenue, with bins, where older residents walk.",
                 "category_id": _w("category"), "address": "Turan avenue 20", "estimated_cost": "3000000",
                 "submit": "1"}
TOMORROW = (date.today() + timedelta(days=2)).isoformat()
MEETING_BODY = {"area_id": _w("okrug"), "title": "Courtyards of okrug 7", "description": "Benches and lights",
                "kind": "in_person", "venue": "School No. 12, hall", "address": "Turan avenue 5",
                "day": TOMORROW, "starts": "10:00", "ends": "11:00", "reason": "The school hall is free earlier"}
PROCESS_FORM = {"area_id": _w("esil"), "year": "2031", "title_kk": "Жоба", "title_ru": "Проект", "title_en": "Project",
                "support_threshold": "0", "voting_scope": "one",
                **{f"{kind}-{edge}": (date.today() + timedelta(days=400 + 30 * i + (29 if edge == "ends_on" else 0)))
                   .isoformat() for i, kind in enumerate(("proposals", "review", "voting", "results",
                                                           "implementation"))
                   for edge in ("starts_on", "ends_on")}}
BUDGET_FORM = {"area_id": _w("esil"), "name_kk": "Бюджет", "name_ru": "Бюджет", "name_en": "Budget",
               "amount": "50000000", "limit_value": "", "limit_unit": "tenge"}
AREA_FORM = {"parent_id": _w("esil"), "kind": "okrug", "kato": "", "name_kk": "Округ 99", "name_ru": "Округ 99",
             "name_en": "Okrug 99"}
BALLOT_CONFIG = {"ballot_type": "approval", "min_projects": "1", "max_projects": "2", "rule": "greedy",
                 "tie_break": "id", "min_votes": "1", "min_age": "16"}


def _minutes_body(world):
    item = world["meeting_held"].agenda[0]
    return {"attendance_count": "12", "summary": "Residents asked for benches.",
            f"decision-{item.id}": "endorsed", "action_rows": "0"}


def _open_voting_body(world):
    return {"key_file": (io.BytesIO(world["ready_key_file"]), "qatysu-count-keys.json"), "saved": "y"}


def _registration_body(world):
    return {"full_name": "Aigerim Nurlanovna", "email": "aigerim.new@example.kz",
            "iin": make_iin(date(1995, 4, 4), "female", 987), "home_area": str(world["okrug"].id),
            "locale": "en", "password": "a-long-enough-password-9", "confirm": "a-long-enough-password-9",
            "declare_residence": "y"}


# Every route and method of the app. Keys are (rule, method); the walk fails if a route is
# missing here or a row names a route that no longer exists.
MATRIX: dict[tuple[str, str], Row] = {
    # --- public pages, open data and calendars -------------------------------------------------
    ("/", "GET"): R(EVERYONE),
    ("/healthz", "GET"): R(EVERYONE),
    ("/static/<path:filename>", "GET"): R(EVERYONE, args={"filename": "static_file"}),
    ("/language", "POST"): R(EVERYONE, data={"locale": "ru"}, changes=LOGGED_IN),  # saved to the profile
    ("/proposals", "GET"): R(EVERYONE, query="?q=playground"),
    ("/proposals/<int:proposal_id>", "GET"): R(EVERYONE, args={"proposal_id": "submitted"}),
    ("/meetings", "GET"): R(EVERYONE),
    ("/meetings/<int:meeting_id>", "GET"): R(EVERYONE, args={"meeting_id": "meeting_upcoming"}),
    ("/meetings/<int:meeting_id>.ics", "GET"): R(EVERYONE, args={"meeting_id": "meeting_upcoming"}),
    ("/areas/<int:area_id>/meetings.ics", "GET"): R(EVERYONE, args={"area_id": "okrug"}),
    ("/areas/<int:area_id>/dashboard", "GET"): R(EVERYONE, args={"area_id": "esil"}),
    ("/deputies/<int:user_id>", "GET"): R(EVERYONE, args={"user_id": DEP}),
    ("/budgets/<int:budget_id>/ballot-lookup", "GET"): R(EVERYONE, args={"budget_id": "budget_vote"},
                                                         query="?receipt=NOSUCHCODE"),
    ("/budgets/<int:budget_id>/results", "GET"): R(EVERYONE, args={"budget_id": "budget_done"}),
    ("/budgets/<int:budget_id>/results/protocol", "GET"): R(EVERYONE, args={"budget_id": "budget_done"}),
    ("/api/v1/areas", "GET"): R(EVERYONE),
    ("/api/v1/areas/<int:area_id>", "GET"): R(EVERYONE, args={"area_id": "okrug"}),
    ("/api/v1/budgets", "GET"): R(EVERYONE),
    ("/api/v1/budgets/<int:budget_id>/ballots.pb", "GET"): R(EVERYONE, args={"budget_id": "budget_done"}),
    ("/api/v1/budgets/<int:budget_id>/results", "GET"): R(EVERYONE, args={"budget_id": "budget_done"}),
    ("/api/v1/budgets/<int:budget_id>/results.csv", "GET"): R(EVERYONE, args={"budget_id": "budget_done"}),
    ("/api/v1/processes/<int:process_id>/export/<dataset>.<fmt>", "GET"): R(
        EVERYONE, args={"process_id": "process_done", "dataset": "=proposals", "fmt": "=csv"}),
    ("/api/v1/meetings", "GET"): R(EVERYONE),
    ("/api/v1/meetings/<int:meeting_id>", "GET"): R(EVERYONE, args={"meeting_id": "meeting_published"}),
    ("/api/v1/openapi.json", "GET"): R(EVERYONE),
    ("/api/v1/processes", "GET"): R(EVERYONE),
    ("/api/v1/processes/<int:process_id>", "GET"): R(EVERYONE, args={"process_id": "process_prop"}),
    ("/api/v1/proposals", "GET"): R(EVERYONE),
    ("/api/v1/proposals/<int:proposal_id>", "GET"): R(EVERYONE, args={"proposal_id": "submitted"}),

    # --- accounts --------------------------------------------------------------------------------
    ("/auth/login", "GET"): R(EVERYONE),
    # A wrong password: the form comes back with the message, for everybody.
    ("/auth/login", "POST"): R(EVERYONE, data={"email": _w(RES, "email"), "password": "not-the-password"}),
    ("/auth/register", "GET"): R(EVERYONE),
    ("/auth/register", "POST"): R(EVERYONE, data=_registration_body, changes={ANON}),  # logged in: sent home
    ("/auth/reset", "GET"): R(EVERYONE),
    # Done, the person is sent to the login page with "a link is on its way" / "log in with the new one".
    ("/auth/reset", "POST"): R(EVERYONE, data={"email": _w(RES, "email")}, changes=EVERYONE, done="login"),
    ("/auth/reset/<token>", "GET"): R(EVERYONE, args={"token": "reset_token"}),
    # The token is the permission: whoever holds the emailed link sets the resident's password.
    ("/auth/reset/<token>", "POST"): R(EVERYONE, args={"token": "reset_token"},
                                       data={"password": "another-long-password-7",
                                             "confirm": "another-long-password-7"}, changes=EVERYONE,
                                       done="login"),
    # "You are logged out." / "... on every device.": the session's row (or all the person's) goes.
    ("/auth/logout", "POST"): R(LOGGED_IN, done="info", changes="all"),
    ("/auth/logout-everywhere", "POST"): R(LOGGED_IN, done="info", changes="all"),
    ("/auth/profile", "GET"): R(LOGGED_IN),
    ("/auth/profile", "POST"): R(LOGGED_IN, data={"profile-full_name": "Renamed Person", "profile-phone": "",
                                                  "profile-home_area": _w("okrug"), "profile-locale": "en",
                                                  "profile-submit": "1"}, changes="all"),
    ("/notifications", "GET"): R(LOGGED_IN),
    ("/notifications/read", "POST"): R(LOGGED_IN, changes={RES}),  # the resident has an unread notification
    ("/notifications/settings", "GET"): R(LOGGED_IN),
    ("/notifications/settings", "POST"): R(LOGGED_IN, data={"comments-in_app": "y"}, changes="all"),
    ("/me", "GET"): R(LOGGED_IN),

    # --- proposals ---------------------------------------------------------------------------------
    # Someone whose area has no budget taking proposals is sent to the list with that explanation.
    ("/proposals/new", "GET"): R(RES, refuse="info"),
    ("/proposals/new", "POST"): R(RES, refuse="info", data=PROPOSAL_BODY, changes="all"),
    # Drafts are private: to anyone but the author they do not exist.
    ("/proposals/<int:proposal_id>/edit", "GET"): R(RES, refuse="404", args={"proposal_id": "draft"}),
    ("/proposals/<int:proposal_id>/edit", "POST"): R(RES, refuse="404", args={"proposal_id": "draft"},
                                                     data={**PROPOSAL_BODY, "submit": ""}, changes="all"),
    ("/proposals/<int:proposal_id>/submit", "POST"): R(RES, refuse="404", args={"proposal_id": "draft"},
                                                       changes="all"),
    ("/photos/<name>", "GET"): R(RES, refuse="404", anon="404", args={"name": "draft_photo"}),
    ("/proposals/<int:proposal_id>/withdraw", "POST"): R(RES, refuse="flash", args={"proposal_id": "own_submitted"},
                                                         data=REASON, changes="all"),
    ("/proposals/<int:proposal_id>/support", "POST"): R(RES, refuse="flash", args={"proposal_id": "submitted"},
                                                        changes="all"),
    # Withdrawing a support one never gave does nothing, and says so politely.
    ("/proposals/<int:proposal_id>/unsupport", "POST"): R(LOGGED_IN, args={"proposal_id": "supported"},
                                                          changes={RES}),
    # The stakeholder official holds the role but supports "submitted" and "feasible" and wrote
    # "duplicate": refused with the service's message (who else can), like everybody refused here.
    ("/proposals/<int:proposal_id>/review", "POST"): R(AKI, refuse="flash", args={"proposal_id": "submitted"},
                                                       data={"decision": "feasible", "final_cost": "4000000",
                                                             "reason": "Fits the courtyard plan"}, changes="all"),
    ("/proposals/<int:proposal_id>/merge", "POST"): R(AKI, refuse="flash", args={"proposal_id": "duplicate"},
                                                      data={"into": _w("submitted"), "note": "Same courtyard"},
                                                      changes="all"),
    ("/proposals/<int:proposal_id>/ballot", "POST"): R(AKI, refuse="flash", args={"proposal_id": "feasible"},
                                                       changes="all"),
    ("/proposals/<int:proposal_id>/report", "POST"): R(LOGGED_IN, args={"proposal_id": "submitted"}, data=REASON,
                                                       changes="all"),
    ("/proposals/<int:proposal_id>/hide", "POST"): R(MOD, ADM, refuse="flash", args={"proposal_id": "submitted"},
                                                     data=REASON, changes="all"),
    ("/proposals/<int:proposal_id>/restore", "POST"): R(MOD, ADM, refuse="flash", args={"proposal_id": "hidden"},
                                                        data=REASON, changes="all"),
    ("/proposals/<int:proposal_id>/comments", "POST"): R(LOGGED_IN, args={"proposal_id": "submitted"},
                                                         data={"body": "Good idea", "stance": "for"}, changes="all"),
    ("/comments/<int:comment_id>/edit", "GET"): R(RES, args={"comment_id": "own_comment"}),
    ("/comments/<int:comment_id>/edit", "POST"): R(RES, args={"comment_id": "own_comment"},
                                                   data={"body": "Changed my mind", "stance": "against"},
                                                   changes="all"),
    ("/comments/<int:comment_id>/delete", "POST"): R(RES, refuse="flash", args={"comment_id": "own_comment"},
                                                     changes="all"),
    ("/comments/<int:comment_id>/useful", "POST"): R(RES, refuse="flash", args={"comment_id": "comment"},
                                                     changes="all"),
    ("/comments/<int:comment_id>/report", "POST"): R(LOGGED_IN, args={"comment_id": "comment"}, data=REASON,
                                                     changes="all"),
    ("/comments/<int:comment_id>/hide", "POST"): R(MOD, ADM, refuse="flash", args={"comment_id": "comment"},
                                                   data=REASON, changes="all"),
    ("/comments/<int:comment_id>/restore", "POST"): R(MOD, ADM, refuse="flash", args={"comment_id": "hidden_comment"},
                                                      data=REASON, changes="all"),
    ("/moderation", "GET"): R(MOD, ADM, ADM_ELSE),  # the queue lists only their own area's reports
    ("/moderation/reports/<int:report_id>/dismiss", "POST"): R(MOD, ADM, args={"report_id": "report"},
                                                               changes="all"),

    # --- town halls --------------------------------------------------------------------------------
    # Deputies and akimat officials may schedule somewhere; only okrug 7's deputy and Esil's akimat
    # here, the others get the form back (okrug 7 is not offered to them) and nothing is stored.
    ("/meetings/new", "GET"): R(DEP, DEP_ELSE, AKI, AKI_ELSE, AKI_STAKE, DEP_STAKE),
    ("/meetings/new", "POST"): R(DEP, DEP_ELSE, AKI, AKI_ELSE, AKI_STAKE, DEP_STAKE, data=MEETING_BODY,
                                 changes={DEP, AKI, AKI_STAKE}),
    ("/meetings/<int:meeting_id>/edit", "GET"): R(DEP, args={"meeting_id": "meeting_upcoming"}),
    ("/meetings/<int:meeting_id>/edit", "POST"): R(DEP, args={"meeting_id": "meeting_upcoming"}, data=MEETING_BODY,
                                                   changes="all"),
    ("/meetings/<int:meeting_id>/register", "POST"): R(LOGGED_IN, args={"meeting_id": "meeting_upcoming"},
                                                       changes="all"),
    ("/meetings/<int:meeting_id>/unregister", "POST"): R(RES, refuse="flash", args={"meeting_id": "meeting_upcoming2"},
                                                         changes="all"),
    ("/meetings/<int:meeting_id>/cancel", "POST"): R(DEP, refuse="flash", args={"meeting_id": "meeting_upcoming"},
                                                     data=REASON, changes="all"),
    # The co-host who supports the agenda's proposal sees the minutes without its decision fields
    # (and who else may record it); posting its decision brings the form back with that message.
    ("/meetings/<int:meeting_id>/minutes", "GET"): R(DEP, DEP_STAKE, args={"meeting_id": "meeting_held"}),
    ("/meetings/<int:meeting_id>/minutes", "POST"): R(DEP, DEP_STAKE, args={"meeting_id": "meeting_held"},
                                                      data=_minutes_body, changes={DEP}),
    ("/meetings/<int:meeting_id>/corrections", "POST"): R(DEP, refuse="flash",
                                                          args={"meeting_id": "meeting_published"},
                                                          data={"text": "The hall was No. 12, not No. 21"},
                                                          changes="all"),
    # The owner (Esil's akimat) or the meeting's host.
    ("/action-items/<int:item_id>/status", "POST"): R(DEP, AKI, refuse="flash", args={"item_id": "action_item"},
                                                      data={"status": "done"}, changes="all"),
    ("/meetings/<int:meeting_id>/raise", "GET"): R(DEP, DEP_STAKE, args={"meeting_id": "meeting_held"}),
    ("/meetings/<int:meeting_id>/raise", "POST"): R(
        DEP, DEP_STAKE, args={"meeting_id": "meeting_held"},
        data={"budget_id": _w("budget_prop"), "title": "Ramps at the clinic", "category_id": _w("category"),
              "description": "Two ramps at the clinic entrance, asked for by residents at the meeting.",
              "address": "Clinic No. 3", "estimated_cost": "2000000"}, changes="all"),
    ("/action-items/overdue", "GET"): R(AKI, AKI_ELSE, AKI_STAKE),

    # --- voting --------------------------------------------------------------------------------------
    # Anyone logged in sees the booth (with the reason if they may not vote); the check is the voter's.
    ("/budgets/<int:budget_id>/vote", "GET"): R(LOGGED_IN, args={"budget_id": "budget_vote"}),
    ("/budgets/<int:budget_id>/vote", "POST"): R(RES, refuse="400", args={"budget_id": "budget_vote"},
                                                 data={"chosen": _w("on_ballot"), "action": "review"}),
    ("/budgets/<int:budget_id>/vote/cast", "POST"): R(RES, refuse="flash", args={"budget_id": "budget_vote"},
                                                      data={"chosen": _w("on_ballot")}, changes="all"),
    # Without a fresh receipt in the session the page sends one back to the booth.
    ("/budgets/<int:budget_id>/receipt", "GET"): R(LOGGED_IN, args={"budget_id": "budget_vote"}),
    # Paper: step 1 marks a voter on the roll by IIN, step 2 enters anonymous ballot papers.
    ("/budgets/<int:budget_id>/paper", "GET"): R(AKI, AKI_STAKE, args={"budget_id": "budget_vote"}),
    ("/budgets/<int:budget_id>/paper", "POST"): R(AKI, AKI_STAKE, args={"budget_id": "budget_vote"},
                                                  data={"iin": _w("paper_voter", "iin")}, changes="all"),
    ("/budgets/<int:budget_id>/paper/ballots", "GET"): R(AKI, AKI_STAKE, args={"budget_id": "budget_vote"}),
    ("/budgets/<int:budget_id>/paper/ballots", "POST"): R(AKI, AKI_STAKE, args={"budget_id": "budget_vote"},
                                                          data={"chosen": _w("on_ballot")}, changes="all"),
    # Opening voting: the akimat of the process's area makes the count keys, then confirms them with
    # the saved file (which fixes the roll and opens voting).
    ("/processes/<int:process_id>/voting", "GET"): R(AKI, AKI_STAKE, args={"process_id": "process_ready"}),
    ("/processes/<int:process_id>/voting/keys", "POST"): R(AKI, AKI_STAKE, args={"process_id": "process_ready"},
                                                           changes="all"),
    ("/processes/<int:process_id>/voting/open", "POST"): R(AKI, AKI_STAKE, args={"process_id": "process_ready"},
                                                           data=_open_voting_body, changes="all"),
    ("/budgets/<int:budget_id>/ballot-config", "GET"): R(AKI, AKI_STAKE, ADM, args={"budget_id": "budget_prop"}),
    ("/budgets/<int:budget_id>/ballot-config", "POST"): R(AKI, AKI_STAKE, ADM, args={"budget_id": "budget_prop"},
                                                          data=BALLOT_CONFIG, changes="all"),
    ("/budgets/<int:budget_id>/results/manage", "GET"): R(AKI, AKI_STAKE, args={"budget_id": "budget_counted"}),
    ("/budgets/<int:budget_id>/count", "POST"): R(AKI, AKI_STAKE, args={"budget_id": "budget_counted"}, changes="all"),
    ("/results/<int:result_id>/publish", "POST"): R(AKI, AKI_STAKE, args={"result_id": "result_unpublished"}, changes="all"),
    # Published is final; only a nationwide administrator annuls, with a reason shown to all.
    ("/results/<int:result_id>/annul", "POST"): R(ADM, args={"result_id": "result_published"}, data=REASON,
                                                  changes="all"),
    # Following a budget's result says nothing about a ballot: open to everyone logged in.
    ("/budgets/<int:budget_id>/follow", "POST"): R(LOGGED_IN, args={"budget_id": "budget_done"},
                                                   changes=LOGGED_IN - {RES}),  # the resident follows it already
    ("/budgets/<int:budget_id>/unfollow", "POST"): R(LOGGED_IN, args={"budget_id": "budget_done"}, changes={RES}),

    # --- implementation -------------------------------------------------------------------------------
    # The stakeholder official (a supporter of "funded") gets the page with why not and who can,
    # instead of its forms; a report posted anyway comes back with that message, nothing stored.
    ("/proposals/<int:proposal_id>/implementation", "GET"): R(AKI, AKI_STAKE, args={"proposal_id": "funded"}),
    ("/proposals/<int:proposal_id>/implementation", "POST"): R(
        AKI, AKI_STAKE, args={"proposal_id": "funded"},
        data={"status": "in_progress", "progress": "30", "spent": "1000000", "note": "Works started"},
        changes={AKI}),
    ("/milestones/<int:milestone_id>/done", "POST"): R(AKI, args={"milestone_id": "milestone"}, changes="all",
                                                       stake={AKI_STAKE: "flash"}),

    # --- administration ----------------------------------------------------------------------------------
    # Officials and administrators of another area reach the lists and the "new" forms, which
    # offer only their own area: an Esil parent or area_id brings the form back and stores nothing.
    ("/admin/", "GET"): R(AKI, AKI_STAKE, AKI_ELSE, ADM, ADM_ELSE),
    ("/admin/areas", "GET"): R(ADM, ADM_ELSE),
    ("/admin/areas/new", "GET"): R(ADM, ADM_ELSE),
    ("/admin/areas/new", "POST"): R(ADM, ADM_ELSE, data=AREA_FORM, changes={ADM}),
    ("/admin/areas/<int:area_id>/edit", "GET"): R(ADM, args={"area_id": "okrug"}),
    ("/admin/areas/<int:area_id>/edit", "POST"): R(ADM, args={"area_id": "okrug"},
                                                   data={**AREA_FORM, "name_en": "Okrug seven"}, changes="all"),
    ("/admin/audit", "GET"): R(ADM),  # every area's log: nationwide administrators only
    ("/admin/processes", "GET"): R(AKI, AKI_STAKE, AKI_ELSE, ADM, ADM_ELSE),
    ("/admin/processes/new", "GET"): R(AKI, AKI_STAKE, AKI_ELSE, ADM, ADM_ELSE),
    ("/admin/processes/new", "POST"): R(AKI, AKI_STAKE, AKI_ELSE, ADM, ADM_ELSE, data=PROCESS_FORM, changes={AKI, AKI_STAKE, ADM}),
    ("/admin/processes/<int:process_id>", "GET"): R(AKI, AKI_STAKE, ADM, args={"process_id": "process_prop"}),
    ("/admin/processes/<int:process_id>/edit", "GET"): R(AKI, AKI_STAKE, ADM, args={"process_id": "process_prop"}),
    ("/admin/processes/<int:process_id>/edit", "POST"): R(AKI, AKI_STAKE, ADM, args={"process_id": "process_prop"},
                                                          data={**PROCESS_FORM, "year": "2032"}, changes="all"),
    ("/admin/processes/<int:process_id>/phases/<kind>/<action>", "POST"): R(
        AKI, AKI_STAKE, ADM, args={"process_id": "process_prop", "kind": "=proposals", "action": "=close"}, data=REASON,
        changes="all"),
    ("/admin/processes/<int:process_id>/categories", "GET"): R(AKI, AKI_STAKE, ADM, args={"process_id": "process_prop"}),
    ("/admin/processes/<int:process_id>/categories", "POST"): R(
        AKI, AKI_STAKE, ADM, args={"process_id": "process_prop"},
        data={"code": "wifi", "name_kk": "Wi-Fi", "name_ru": "Wi-Fi", "name_en": "Wi-Fi"}, changes="all"),
    ("/admin/categories/<int:category_id>/delete", "POST"): R(AKI, AKI_STAKE, ADM, args={"category_id": "unused_category"},
                                                              changes="all"),
    ("/admin/processes/<int:process_id>/budgets/new", "GET"): R(AKI, AKI_STAKE, ADM, args={"process_id": "process_prop"}),
    ("/admin/processes/<int:process_id>/budgets/new", "POST"): R(AKI, AKI_STAKE, ADM, args={"process_id": "process_prop"},
                                                                 data=BUDGET_FORM, changes="all"),
    ("/admin/budgets/<int:budget_id>/edit", "GET"): R(AKI, AKI_STAKE, ADM, args={"budget_id": "budget_prop"}),
    ("/admin/budgets/<int:budget_id>/edit", "POST"): R(AKI, AKI_STAKE, ADM, args={"budget_id": "budget_prop"},
                                                       data={**BUDGET_FORM, "amount": "120000000"}, changes="all"),
    ("/admin/roles", "GET"): R(ADM, ADM_ELSE),
    ("/admin/roles", "POST"): R(ADM, ADM_ELSE, data={"email": _w(RES_ELSE, "email"), "role": "expert",
                                                     "area_id": _w("esil")}, changes={ADM}),
    ("/admin/roles/<int:grant_id>/revoke", "POST"): R(ADM, args={"grant_id": "expert_grant"}, changes="all"),
    ("/admin/mci", "GET"): R(ADM),
    ("/admin/mci", "POST"): R(ADM, data={"year": "2031", "tenge": "5000"}, changes="all"),
}


# --- the world -------------------------------------------------------------------------------------

def _people(areas) -> dict:
    """One person per role. Officials live outside Esil district, so that what they may do there
    comes from their role, not from being residents."""
    elsewhere = areas["Almaty district / okrug 1"]
    return {
        RES: make_user(home=areas["Esil district / okrug 7"]),
        RES_ELSE: make_user(home=elsewhere),
        DEP: make_user(home=elsewhere, role="deputy", area=areas["Esil district / okrug 7"]),
        DEP_ELSE: make_user(home=elsewhere, role="deputy", area=areas["Esil district / okrug 8"]),
        AKI: make_user(home=elsewhere, role="akimat", area=areas["Esil district"]),
        AKI_ELSE: make_user(home=elsewhere, role="akimat", area=areas["Almaty district"]),
        MOD: make_user(home=elsewhere, role="moderator", area=areas["Astana"]),
        ADM: make_user(home=elsewhere, role="admin", area=None),
        ADM_ELSE: make_user(home=elsewhere, role="admin", area=areas["Almaty district"]),
        AKI_STAKE: make_user(home=elsewhere, role="akimat", area=areas["Esil district"]),
        DEP_STAKE: make_user(home=elsewhere, role="deputy", area=areas["Esil district / okrug 8"]),
    }


def _process(esil, title: str, phase: PhaseKind) -> tuple[Process, Budget]:
    from app.admin.services import set_phase_dates
    from app.models import PHASE_ORDER
    from app.proposals.services import ensure_default_categories

    process = Process(area=esil, year=2027, title_kk=title, title_ru=title, title_en=title)
    start = date.today() - timedelta(days=5)
    set_phase_dates(process, {k: (start + timedelta(days=30 * i), start + timedelta(days=30 * i + 29))
                              for i, k in enumerate(PHASE_ORDER)})
    ensure_default_categories(process)
    db.session.add(process)
    budget = Budget(process=process, area=esil, name_kk=title, name_ru=title, name_en=title, amount=100_000_000,
                    project_limit_tenge=20_000_000)
    db.session.add(budget)
    db.session.flush()
    if phase != PhaseKind.PROPOSALS:
        move_to_phase(process, phase)
    return process, budget


def _proposal(budget, author, title, status="submitted", **extra) -> Proposal:
    proposal = Proposal(process=budget.process, budget=budget, area=budget.area, author=author, title=title,
                        description=f"{title}, described", description_html=render_markdown(f"{title}, described"),
                        address="Okrug 7", estimated_cost=5_000_000, status=status,
                        submitted_at=None if status == "draft" else utcnow(), **extra)
    db.session.add(proposal)
    return proposal


def _stake(proposal, *supporters) -> None:
    """The stakeholder officials support ``proposal`` (as residents, before they held the role)."""
    db.session.flush()
    for person in supporters:
        db.session.add(Support(proposal_id=proposal.id, user_id=person.id))
    proposal.support_count += len(supporters)


def _jpeg() -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "green").save(buffer, "JPEG")
    buffer.seek(0)
    return buffer


def build_world(areas) -> dict:
    from app.auth import sessions
    from app.auth.services import make_reset_token
    from app.models import NotificationKind
    from app.notifications import notify

    people = _people(areas)
    for person in people.values():
        sessions.create(person)  # a logged-in session each (see _act_as)
    esil, okrug = areas["Esil district"], areas["Esil district / okrug 7"]
    author = make_user(home=okrug)        # writes the proposals and comments the roles act on
    world = {**people, "esil": esil, "okrug": okrug, "author": author}

    # Proposals phase: everything a proposal, a comment and a moderator need.
    process, budget = _process(esil, "Esil proposals", PhaseKind.PROPOSALS)
    world.update(process_prop=process, budget_prop=budget, category=process.categories[0],
                 unused_category=process.categories[-1])
    world["draft"] = _proposal(budget, people[RES], "My draft", status="draft", category=process.categories[0])
    world["own_submitted"] = _proposal(budget, people[RES], "My playground")
    world["submitted"] = _proposal(budget, author, "Playground in courtyard 5", comment_count=2)
    world["supported"] = _proposal(budget, author, "Lighting on Sygnaq street", support_count=1)
    world["duplicate"] = _proposal(budget, people[AKI_STAKE], "Playground in courtyard 5, again")
    world["feasible"] = _proposal(budget, author, "Trees on Kenesary street", status="feasible",
                                  final_cost=4_000_000)
    world["hidden"] = _proposal(budget, author, "Spam", hidden_at=utcnow(), hidden_reason="Advertising")
    db.session.flush()
    db.session.add(Support(proposal_id=world["supported"].id, user_id=people[RES].id))
    _stake(world["submitted"], people[AKI_STAKE], people[DEP_STAKE])
    _stake(world["feasible"], people[AKI_STAKE])
    world["comment"] = Comment(proposal_id=world["submitted"].id, author=author, stance="for", body="Yes",
                               body_html="<p>Yes</p>")
    world["own_comment"] = Comment(proposal_id=world["submitted"].id, author=people[RES], stance="for",
                                   body="Me too", body_html="<p>Me too</p>")
    world["hidden_comment"] = Comment(proposal_id=world["submitted"].id, author=author, stance="against",
                                      body="Rude", body_html="<p>Rude</p>", hidden_at=utcnow(),
                                      hidden_reason="Insults")
    db.session.add_all([world["comment"], world["own_comment"], world["hidden_comment"]])
    db.session.flush()
    world["report"] = Report(proposal_id=world["submitted"].id, comment_id=world["comment"].id,
                             reporter_id=author.id, reason="Looks like spam")
    db.session.add(world["report"])
    stored = store_photo(_jpeg(), max_bytes=10**6)
    db.session.add(ProposalPhoto(proposal_id=world["draft"].id, stored_name=stored.name, width=stored.width,
                                 height=stored.height))
    world["draft_photo"] = stored.name
    target = make_user(home=areas["Esil district / okrug 8"])
    world["expert_grant"] = RoleGrant(user=target, role="expert", area=esil)
    db.session.add(world["expert_grant"])
    notify([people[RES].id], NotificationKind.COMMENTS, proposal=world["own_submitted"])
    world["reset_token"] = make_reset_token(people[RES])

    # Town halls in okrug 7, hosted by its deputy.
    now = datetime.now(UTC)

    def meeting(title, starts, **extra):
        item = Meeting(area=okrug, host=people[DEP], title=title, kind="in_person", venue=f"Hall {title}",
                       starts_at=starts, ends_at=starts + timedelta(hours=2), **extra)
        db.session.add(item)
        return item

    world["meeting_upcoming"] = meeting("Upcoming", now + timedelta(days=3))
    world["meeting_upcoming2"] = meeting("Upcoming too", now + timedelta(days=4))
    world["meeting_held"] = meeting("Held", now - timedelta(hours=3), cohosts=[people[DEP_STAKE]])
    world["meeting_published"] = meeting("Published", now - timedelta(days=2), summary="Done",
                                         summary_html="<p>Done</p>", minutes_published_at=now - timedelta(days=1))
    db.session.flush()
    db.session.add(AgendaItem(meeting_id=world["meeting_held"].id, position=0, proposal_id=world["submitted"].id))
    db.session.add(AgendaItem(meeting_id=world["meeting_published"].id, position=0,
                              proposal_id=world["own_submitted"].id, decision="endorsed",
                              decided_by_id=people[DEP].id))
    db.session.add(Registration(meeting_id=world["meeting_upcoming2"].id, user_id=people[RES].id))
    world["action_item"] = ActionItem(meeting_id=world["meeting_published"].id, what="Survey the courtyard",
                                      owner_id=people[AKI].id, due_on=date.today() - timedelta(days=1))
    db.session.add(world["action_item"])

    # Voting phase, not opened yet: its count keys are prepared, the file is at hand.
    process, budget = _process(esil, "Esil ready", PhaseKind.VOTING)
    world.update(process_ready=process)
    _proposal(budget, author, "Swings", status="on_ballot")
    db.session.commit()
    world["ready_key_file"] = opening.prepare_keys(process, people[AKI])

    # Voting phase: a ballot with two projects, a voter for the paper ballot, and one marked as
    # voting on paper whose ballot paper is still to be entered.
    process, budget = _process(esil, "Esil voting", PhaseKind.VOTING)
    world.update(process_vote=process, budget_vote=budget)
    world["on_ballot"] = _proposal(budget, author, "Ramps", status="on_ballot")
    _proposal(budget, author, "Benches", status="on_ballot")
    db.session.add(BallotConfig(budget_id=budget.id))
    world["paper_voter"] = make_user(home=okrug)
    marked = make_user(home=okrug)
    db.session.commit()
    open_voting(process, people[AKI])
    paper_service.mark_voter(people[AKI], budget, marked.iin)

    # Results phase: ballots cast and counted, not yet published.
    process, budget = _process(esil, "Esil results", PhaseKind.VOTING)
    world.update(budget_counted=budget)
    counted = [_proposal(budget, author, f"Counted {n}", status="on_ballot") for n in range(2)]
    db.session.commit()
    open_voting(process, people[AKI])
    ballot_service.cast_with_snapshot(author, ballot_snapshot(budget.id), [str(counted[0].id)])
    move_to_phase(process, PhaseKind.RESULTS)
    world["result_unpublished"] = count_votes(budget, people[AKI])

    # Implementation phase: a published result and a funded project with a milestone.
    process, budget = _process(esil, "Esil done", PhaseKind.VOTING)
    world.update(process_done=process, budget_done=budget)
    funded = _proposal(budget, author, "Funded playground", status="on_ballot")
    db.session.commit()
    open_voting(process, people[AKI])
    ballot_service.cast_with_snapshot(author, ballot_snapshot(budget.id), [str(funded.id)])
    move_to_phase(process, PhaseKind.IMPLEMENTATION)
    world["result_published"] = count_votes(budget, people[AKI], publish=True)
    world["funded"] = db.session.get(Proposal, funded.id)
    implementation_service.follow_budget(people[RES], budget)
    _stake(world["funded"], people[AKI_STAKE])
    from app.models import Milestone

    world["milestone"] = Milestone(proposal_id=funded.id, title="Groundwork", starts_on=date.today(),
                                   planned_on=date.today() + timedelta(days=30))
    db.session.add(world["milestone"])
    db.session.commit()
    world["static_file"] = "js/booth.js"
    return world


def rebuild() -> tuple[dict, dict]:
    """Empty every table and build the world again: (world, its snapshot)."""
    from app.demo import load_areas

    empty_every_table(lift_guards=True)
    areas = load_areas()
    db.session.commit()
    world = build_world(areas)
    return world, snapshot()


def snapshot() -> dict:
    """Every row of every table, in an order that does not depend on the database."""
    db.session.rollback()
    return {table.name: sorted(map(repr, db.session.execute(select(table)).all()))
            for table in db.metadata.sorted_tables}


def changed_tables(before: dict, after: dict) -> list[str]:
    return [name for name in before if before[name] != after[name]]


# --- the walk ------------------------------------------------------------------------------------------

def routes(app) -> set[tuple[str, str]]:
    return {(rule.rule, method) for rule in app.url_map.iter_rules()
            for method in rule.methods - {"HEAD", "OPTIONS"}}


def test_the_matrix_names_every_route_exactly_once(app):
    present = routes(app)
    missing = sorted(present - MATRIX.keys())
    gone = sorted(MATRIX.keys() - present)
    assert not missing, f"routes without a row in MATRIX: {missing}"
    assert not gone, f"MATRIX rows for routes that no longer exist: {gone}"
    for key, row in MATRIX.items():
        assert row.allow <= EVERYONE and row.changes <= row.allow, key
        assert row.refuse in ("403", "404", "400", "flash", "info") and row.anon in ("login", "404"), key
        assert row.stake.keys() <= STAKEHOLDERS - row.allow and set(row.stake.values()) <= {"flash"}, key
        assert key[1] != "GET" or not row.changes, key


def outcome(client, response) -> str:
    """What the person sees: ok, login, flash (sent back with an error), info (sent elsewhere with
    an explanation), or the status code."""
    if response.status_code in (301, 302, 303):
        location = response.headers["Location"]
        if "/auth/login" in location:
            return "login"
        with client.session_transaction() as session:
            categories = {category for category, _ in session.get("_flashes", [])}
        return "flash" if "error" in categories else "info" if "info" in categories else "ok"
    if 200 <= response.status_code < 300:
        return "ok"
    return str(response.status_code)


def expected(row: Row, role: str) -> str:
    if role in row.allow:
        return row.done
    if role in row.stake:
        return row.stake[role]
    return row.anon if role == ANON else row.refuse


def _request(row: Row, rule: str, world: dict) -> tuple[str, dict | None]:
    values = {name: key[1:] if key.startswith("=") else world[key] for name, key in row.args.items()}
    path = rule
    for name, value in values.items():
        value = value.id if hasattr(value, "id") else value
        path = path.replace(f"<int:{name}>", str(value)).replace(f"<path:{name}>", str(value))
        path = path.replace(f"<{name}>", str(value))
    assert "<" not in path, f"no value for a parameter of {rule}"
    data = row.data(world) if callable(row.data) else row.data
    if data is not None:
        data = {k: (v(world) if callable(v) else v) for k, v in data.items()}
    return path + row.query, data


def _act_as(client, user) -> None:
    """Start every request from a fresh cookie of ``user``'s session (None: a visitor). The
    sessions themselves are rows of the world (``build_world``), so only a request that ends one
    (logging out) changes them."""
    with client.session_transaction() as session:
        session.clear()
        if user is not None:
            session["_user_id"] = user.session_token
            session["_fresh"] = True


@pytest.mark.parametrize("role", ROLES)
def test_every_route_answers_each_role_as_the_matrix_says(app, client, areas, role):
    world = build_world(areas)
    before = snapshot()
    problems = []
    for (rule, method), row in sorted(MATRIX.items()):
        path, data = _request(row, rule, world)
        _act_as(client, world.get(role))
        response = client.open(path, method=method, data=data, headers={"Accept-Language": "en"})
        got, want = outcome(client, response), expected(row, role)
        after = snapshot()
        changed = changed_tables(before, after)
        must_change = role in row.changes
        if got != want:
            problems.append(f"{method} {rule}: expected {want}, got {got} ({response.status_code})")
        elif must_change and not changed:
            problems.append(f"{method} {rule}: allowed but nothing was stored")
        elif changed and not must_change:
            problems.append(f"{method} {rule}: changed {changed} though it should change nothing")
        if changed:
            world, before = rebuild()
    assert not problems, f"{role}:\n" + "\n".join(problems)


def test_every_post_route_refuses_a_request_without_its_csrf_token(app, client, areas, monkeypatch):
    """The same walk with CSRF protection on (as in production), each POST sent by a role the
    matrix allows to change something: without the form's token it is refused with 400 and
    nothing changes — a forged cross-site request cannot act for a logged-in person."""
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    world = build_world(areas)
    before = snapshot()
    problems = []
    for (rule, method), row in sorted(MATRIX.items()):
        if method != "POST":
            continue
        role = sorted(row.changes or row.allow or {ANON})[0]
        path, data = _request(row, rule, world)
        _act_as(client, world.get(role))
        response = client.post(path, data=data, headers={"Accept-Language": "en"})
        if response.status_code != 400:
            problems.append(f"POST {rule} as {role}: {response.status_code}")
        changed = changed_tables(before, snapshot())
        if changed:
            problems.append(f"POST {rule} as {role} changed {changed}")
            world, before = rebuild()
    assert not problems, "\n".join(problems)
