"""The authorization matrix's table: for every route and method, who is allowed, how everybody
else is refused, what fills the URL and the form, and who changes the database with it.
test_authorization_matrix.py walks it (its docstring explains the columns)."""
from __future__ import annotations

from .authorization_rows import (  # noqa: F401  (the walk reads the roles and rows from here)
    AREA_FORM,
    BALLOT_CONFIG,
    BUDGET_FORM,
    EVERYONE,
    LOGGED_IN,
    MEETING_BODY,
    PROCESS_FORM,
    PROPOSAL_BODY,
    REASON,
    ROLES,
    STAKEHOLDERS,
    TOMORROW,
    R,
    Row,
    _judgement,
    _minutes_body,
    _open_voting_body,
    _registration_body,
    _w,
)
from .authorization_world import (  # noqa: F401  (the matrix's walk and test_hostile_input use the same world)
    ADM,
    ADM_ELSE,
    AKI,
    AKI_ELSE,
    AKI_STAKE,
    ANON,
    DEP,
    DEP_ELSE,
    DEP_STAKE,
    EXP,
    EXP_STAKE,
    MOD,
    RES,
    RES_ELSE,
    build_world,
    changed_tables,
    rebuild,
    snapshot,
)


def _council_rows() -> dict:
    admins = (AKI, AKI_STAKE, ADM)
    prop = {"process_id": "process_prop"}
    return {
        ("/admin/processes/<int:process_id>/council", "GET"): R(*admins, args=prop),
        ("/admin/processes/<int:process_id>/council/settings", "POST"): R(
            *admins, args=prop, data={"rule": "unanimous", "revision_days": "5", "names_public": "y"}, changes="all"),
        ("/admin/processes/<int:process_id>/council/members", "POST"): R(
            *admins, args=prop, data={"email": _w("expert_free", "email")}, changes="all"),
        ("/admin/council-members/<int:member_id>/remove", "POST"): R(*admins, args={"member_id": "council_spare"},
                                                                     changes="all"),
        ("/admin/processes/<int:process_id>/council/criteria", "POST"): R(
            *admins, args=prop, data={"name_kk": "Құны", "name_ru": "Стоимость", "name_en": "Cost realistic",
                                      "scale": "score"}, changes="all"),
        ("/admin/council-criteria/<int:criterion_id>/delete", "POST"): R(
            *admins, args={"criterion_id": "council_criterion"}, changes="all"),
        ("/admin/processes/<int:process_id>/council/assign", "POST"): R(
            *admins, args=prop, data={"proposal": _w("supported"), "member_id": _w("council_expert")},
            changes="all"),
        ("/admin/processes/<int:process_id>/council/round-robin", "POST"): R(
            *admins, args=prop, data={"per_proposal": "1"}, changes="all"),
        # Nothing is due in the world: allowed, and nothing changes.
        ("/admin/processes/<int:process_id>/council/finalize", "POST"): R(*admins, args=prop),
        ("/council", "GET"): R(LOGGED_IN),
        # Only the assigned members judge; the one who supports the proposal is told why not.
        ("/proposals/<int:proposal_id>/council", "GET"): R(EXP, refuse="flash", args={"proposal_id": "council_assigned"}),
        ("/proposals/<int:proposal_id>/council", "POST"): R(
            EXP, refuse="flash", args={"proposal_id": "council_assigned"}, data=_judgement, changes="all"),
    }


# Every route and method of the app. Keys are (rule, method); the walk fails if a route is
# missing here or a row names a route that no longer exists.
MATRIX: dict[tuple[str, str], Row] = {
    # --- public pages, open data and calendars -------------------------------------------------
    ("/", "GET"): R(EVERYONE),
    ("/healthz", "GET"): R(EVERYONE),
    ("/favicon.ico", "GET"): R(EVERYONE),
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
    ("/proposals/<int:proposal_id>/review", "POST"): R(AKI, EXP, refuse="flash", args={"proposal_id": "submitted"},
                                                       data={"decision": "feasible", "final_cost": "4000000",
                                                             "reason": "Fits the courtyard plan"}, changes="all"),
    ("/proposals/<int:proposal_id>/merge", "POST"): R(AKI, EXP, refuse="flash", args={"proposal_id": "duplicate"},
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
    # The hosts' pages of a meeting's registrants (the co-host with a stake hosts like the others:
    # nothing here decides a proposal); the printed хаттама is as public as the published minutes.
    ("/meetings/<int:meeting_id>/messages", "POST"): R(DEP, args={"meeting_id": "meeting_upcoming2"},
                                                       data={"text": "We meet in room 12 instead."}, changes="all"),
    ("/meetings/<int:meeting_id>/registrants.csv", "GET"): R(DEP, args={"meeting_id": "meeting_upcoming2"}),
    ("/meetings/<int:meeting_id>/attendance-sheet", "GET"): R(DEP, DEP_STAKE, args={"meeting_id": "meeting_held"}),
    ("/meetings/<int:meeting_id>/protocol", "GET"): R(EVERYONE, args={"meeting_id": "meeting_published"}),
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
    ("/implementation-updates/<int:update_id>/correct", "POST"): R(
        AKI, args={"update_id": "impl_update"}, data={"progress": "5", "spent": "1 000", "reason": "Typo in the figures"},
        changes="all", stake={AKI_STAKE: "flash"}),
    ("/implementation-photos/<name>", "GET"): R(EVERYONE, args={"name": "impl_photo"}),

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
    ("/admin/processes/<int:process_id>/copy", "GET"): R(AKI, AKI_STAKE, ADM, args={"process_id": "process_prop"}),
    ("/admin/processes/<int:process_id>/copy", "POST"): R(
        AKI, AKI_STAKE, ADM, args={"process_id": "process_prop"},
        data={k: v for k, v in PROCESS_FORM.items() if k not in ("area_id", "support_threshold", "voting_scope")},
        changes="all"),
    # Many proposals at once: the akimat of the area (who reviews and places on the ballot); the
    # stakeholder official acts on a proposal they have no stake in ("supported").
    ("/admin/processes/<int:process_id>/proposals", "GET"): R(AKI, AKI_STAKE, args={"process_id": "process_prop"}),
    ("/admin/processes/<int:process_id>/proposals", "POST"): R(
        AKI, AKI_STAKE, args={"process_id": "process_prop"},
        data={"ids": _w("supported"), "action": "feasible", "reason": "Fits the plan"}, changes="all"),

    # --- the expert council ----------------------------------------------------------------------------
    # The akimat of the process's area (and administrators) set it up and assign; the stakeholder
    # official may too: setting up decides on no proposal.
    **_council_rows(),
}
