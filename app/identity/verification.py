"""How Qatysu knows a person is a resident: the verification seam.

Today the only provider is :class:`DeclaredResidenceProvider`: the IIN passes its checksum and
the person declares their home area at registration. A later ``EGovProvider`` (sign-in through
eGov / ЭЦП) implements the same interface and returns a stronger ``method``; nothing else in the
app changes, because eligibility checks read ``User.verified_at`` and ``User.verification_method``.
We do not fake eGov here.
"""
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from app.core.clock import utcnow
from app.identity.iin import IIN


@dataclass(frozen=True)
class Verification:
    method: str
    verified_at: datetime


class VerificationProvider(Protocol):
    """Confirms a registering person's identity and residence."""

    method: str

    def verify(self, iin: IIN, home_area_id: int) -> Verification | None:
        """Return a verification, or None when the person is not verified (yet)."""


class DeclaredResidenceProvider:
    """IIN checked arithmetically + residence declared by the person."""

    method = "iin-declared"

    def verify(self, iin: IIN, home_area_id: int) -> Verification | None:
        return Verification(method=self.method, verified_at=utcnow())


PROVIDERS: dict[str, VerificationProvider] = {"iin-declared": DeclaredResidenceProvider()}
