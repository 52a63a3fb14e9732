"""Translatable names for the codes stored in the database (kinds, phases, roles)."""
from flask_babel import lazy_gettext as _l

from app.models import AreaKind, PhaseKind


def lookup(table: dict):
    """A function giving the translated label of a code (the code itself when unknown)."""
    return lambda code: str(table.get(code or "", code or ""))

AREA_KIND_LABELS = {
    AreaKind.REGION: _l("Region"),
    AreaKind.CITY: _l("City"),
    AreaKind.DISTRICT: _l("District"),
    AreaKind.RURAL: _l("Rural district"),
    AreaKind.OKRUG: _l("Maslikhat okrug"),
}
PHASE_LABELS = {
    PhaseKind.PROPOSALS: _l("Proposals"),
    PhaseKind.REVIEW: _l("Review"),
    PhaseKind.VOTING: _l("Voting"),
    PhaseKind.RESULTS: _l("Results"),
    PhaseKind.IMPLEMENTATION: _l("Implementation"),
}
PROCESS_STATUS_LABELS = {
    **{kind.value: label for kind, label in PHASE_LABELS.items()},
    "upcoming": _l("Not started yet"),
    "between": _l("Between phases"),
    "finished": _l("Finished"),
}
ROLE_LABELS = {
    "resident": _l("Resident"),
    "deputy": _l("Maslikhat deputy"),
    "akimat": _l("Akimat official"),
    "expert": _l("Expert council member"),
    "moderator": _l("Moderator"),
    "admin": _l("Administrator"),
}


status_label = lookup(PROCESS_STATUS_LABELS)

PROPOSAL_STATUS_LABELS = {
    "draft": _l("Draft"),
    "submitted": _l("Submitted"),
    "withdrawn": _l("Withdrawn"),
    "feasible": _l("Feasible"),
    "not_feasible": _l("Not feasible"),
    "merged": _l("Merged"),
    "on_ballot": _l("On the ballot"),
    "funded": _l("Funded"),
    "not_funded": _l("Not funded"),
    "in_implementation": _l("Being built"),
    "completed": _l("Completed"),
}
STANCE_LABELS = {"for": _l("For"), "against": _l("Against"), "neutral": _l("Neutral")}


proposal_status_label = lookup(PROPOSAL_STATUS_LABELS)


stance_label = lookup(STANCE_LABELS)


role_label = lookup(ROLE_LABELS)

RULE_NAMES = {
    "greedy": _l("Most votes first (greedy)"),
    "greedy-per-cost": _l("Most votes per tenge first"),
    "max-utility": _l("Most total votes within the budget"),
    "mes": _l("Method of Equal Shares"),
    "phragmen": _l("Sequential Phragmén"),
}


rule_name = lookup(RULE_NAMES)

# One line each, for a resident reading the results.
RULE_EXPLANATIONS = {
    "greedy": _l("Projects are funded in order of their votes; one that no longer fits is skipped."),
    "greedy-per-cost": _l("Projects are funded in order of their votes per tenge of cost."),
    "max-utility": _l("The set of projects with the most votes in total that fits the budget."),
    "mes": _l("Every voter gets an equal share of the budget; a project is funded when its supporters "
              "can pay for it together."),
    "phragmen": _l("The cost of each funded project is spread over its supporters, keeping the loads as even "
                   "as possible."),
}
rule_explanation = lookup(RULE_EXPLANATIONS)

# The rule comparison's rows are the library's variant labels ("mes completion=none").
VARIANT_NAMES = {**RULE_NAMES, "mes completion=none": _l("Method of Equal Shares, leftover money not shared")}
variant_name = lookup(VARIANT_NAMES)

TIE_BREAK_NAMES = {
    "id": _l("by proposal number"),
    "cost": _l("the cheaper project first"),
    "votes": _l("the project with more supporters first"),
    "lottery": _l("by a lottery that anyone can repeat"),
    "maxVotes": _l("the project with more supporters first"),
    "minCost": _l("the cheaper project first"),
    "maxCost": _l("the dearer project first"),
}
TIE_BREAK_EXPLANATIONS = {
    "id": _l("When two projects have the same votes, the one with the smaller proposal number goes first."),
    "cost": _l("When two projects have the same votes, the cheaper one goes first."),
    "votes": _l("When two projects are level, the one with more supporters goes first."),
    "lottery": _l("When two projects are level, a lottery with a published seed decides."),
}


def tie_break_name(code: str) -> str:
    """'maxVotes,minCost' is a chain: each link named, in order."""
    return ", ".join(str(TIE_BREAK_NAMES.get(part, part)) for part in (code or "").split(",") if part)


tie_break_explanation = lookup(TIE_BREAK_EXPLANATIONS)


DECISION_LABELS = {
    "endorsed": _l("endorsed"),
    "amended": _l("amended"),
    "deferred": _l("deferred"),
    "rejected": _l("rejected"),
}


decision_label = lookup(DECISION_LABELS)


IMPLEMENTATION_STATUS_LABELS = {
    "planned": _l("planned"),
    "procurement": _l("procurement"),
    "in_progress": _l("in progress"),
    "completed": _l("completed"),
    "cancelled": _l("cancelled"),
}


implementation_status_label = lookup(IMPLEMENTATION_STATUS_LABELS)


# The audit log's rows: what was done, and to what (the table a row lives in).
AUDIT_ACTION_LABELS = {"create": _l("Created"), "update": _l("Changed"), "delete": _l("Deleted"),
                       "publish": _l("Published"), "annul": _l("Annulled")}
AUDIT_OBJECT_LABELS = {
    "users": _l("account"), "role_grants": _l("role"), "areas": _l("area"), "login_sessions": _l("login session"),
    "implementations": _l("implementation"), "implementation_updates": _l("implementation report"),
    "milestones": _l("milestone"), "ballot_configs": _l("ballot settings"), "count_keys": _l("count key"),
    "ballot_openings": _l("opening of voting"), "results": _l("result"), "categories": _l("category"),
    "proposals": _l("proposal"), "proposal_photos": _l("proposal photo"), "comments": _l("comment"),
    "reports": _l("report to moderators"), "processes": _l("process"), "phases": _l("phase"),
    "phase_changes": _l("phase change"), "mci_rates": _l("MCI rate"), "budgets": _l("budget"),
    "meetings": _l("town hall"), "agenda_items": _l("agenda item"), "meeting_registrations": _l("registration"),
    "action_items": _l("action item"), "minutes_corrections": _l("correction of minutes"),
    "notification_preferences": _l("notification settings"),
}
audit_action_label = lookup(AUDIT_ACTION_LABELS)
audit_object_label = lookup(AUDIT_OBJECT_LABELS)
