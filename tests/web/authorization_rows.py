"""The pieces the authorization matrix's rows are written with: the roles, a row and its
shorthand R(...), values taken from the world, and the form bodies the allowed roles send."""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, timedelta

from app.identity.iin import make_iin

from .authorization_world import (
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
)

ROLES = (ANON, RES, RES_ELSE, DEP, DEP_ELSE, AKI, AKI_ELSE, MOD, ADM, ADM_ELSE, AKI_STAKE, DEP_STAKE, EXP, EXP_STAKE)
STAKEHOLDERS = frozenset({AKI_STAKE, DEP_STAKE, EXP_STAKE})
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


def _judgement(world):
    return {f"criterion-{world['council_criterion'].id}": "1", "verdict": "approve",
            "remark": "Within the akimat's competence and well costed."}
