"""All models, imported here so Alembic and the app see the whole schema."""
from app.models.areas import Area, AreaKind
from app.models.outbox import OutboxEmail
from app.models.processes import (
    PHASE_ORDER,
    Budget,
    McIRate,
    Phase,
    PhaseChange,
    PhaseKind,
    Process,
    mci_for_year,
)
from app.models.users import GRANTABLE_ROLES, Role, RoleGrant, User

__all__ = [
    "GRANTABLE_ROLES",
    "PHASE_ORDER",
    "Area",
    "AreaKind",
    "Budget",
    "McIRate",
    "OutboxEmail",
    "Phase",
    "PhaseChange",
    "PhaseKind",
    "Process",
    "Role",
    "RoleGrant",
    "User",
    "mci_for_year",
]
