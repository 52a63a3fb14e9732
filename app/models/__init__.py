"""All models, imported here so Alembic and the app see the whole schema."""
from app.models.areas import Area, AreaKind
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
from app.models.proposals import (
    DEFAULT_CATEGORIES,
    PUBLIC_STATUSES,
    Category,
    Comment,
    CommentStance,
    CommentUseful,
    PendingPhoto,
    Proposal,
    ProposalEvent,
    ProposalPhoto,
    ProposalStatus,
    Report,
    Support,
)
from app.models.users import GRANTABLE_ROLES, Role, RoleGrant, RoleInvitation, User

__all__ = [
    "Area", "AreaKind",
    "PHASE_ORDER", "Budget", "McIRate", "Phase", "PhaseChange", "PhaseKind", "Process", "mci_for_year",
    "DEFAULT_CATEGORIES", "PUBLIC_STATUSES", "Category", "Comment", "CommentStance", "CommentUseful",
    "PendingPhoto", "Proposal", "ProposalEvent", "ProposalPhoto", "ProposalStatus", "Report", "Support",
    "GRANTABLE_ROLES", "Role", "RoleGrant", "RoleInvitation", "User",
]
from app.models.ballots import (  # noqa: E402
    BALLOT_TYPES,
    Ballot,
    BallotConfig,
    BallotOpening,
    CountKey,
    PaperTally,
    RollEntry,
    SealedEnvelope,
    VoterParticipation,
)
from app.models.results import ParticipationStats, Result  # noqa: E402

__all__ += ["BALLOT_TYPES", "Ballot", "BallotConfig", "BallotOpening", "CountKey", "PaperTally", "RollEntry",
            "SealedEnvelope", "VoterParticipation", "ParticipationStats", "Result"]
from app.models.implementation import (  # noqa: E402
    IMPLEMENTATION_STATUSES,
    BudgetFollow,
    Implementation,
    ImplementationUpdate,
    Milestone,
)

__all__ += ["IMPLEMENTATION_STATUSES", "BudgetFollow", "Implementation", "ImplementationUpdate", "Milestone"]
from app.models.audit import AuditEntry  # noqa: E402

__all__ += ["AuditEntry"]
# The database's own refusals and the full-text index of proposals, installed with the tables.
from app.models import guards, search  # noqa: E402,F401
from app.models.sessions import LoginSession  # noqa: E402

__all__ += ["LoginSession"]
from app.models.council import (  # noqa: E402
    Assignment,
    Council,
    CouncilDecision,
    CouncilMember,
    Criterion,
    Score,
)

__all__ += ["Assignment", "Council", "CouncilDecision", "CouncilMember", "Criterion", "Score"]
