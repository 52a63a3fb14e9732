"""Photos sent with a form that was refused for another reason are kept for the retry.

The route keeps every upload of a POST here first (decoded and re-encoded like any photo), and the
page carries their tokens in hidden fields; the service that saves the proposal attaches them.
Only the uploader can claim a token; unclaimed photos go after a day."""
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, select

from app.core.clock import utcnow
from app.core.errors import ServiceError
from app.extensions import db
from app.models import PendingPhoto, Proposal, ProposalPhoto, User
from app.uploads.services import delete_stored, store_photo

KEPT_FOR = timedelta(days=1)
MAX_TOKENS = 20  # more tokens than photos a proposal may have are not ours


def keep(user: User, uploads, tokens) -> tuple[list[PendingPhoto], ServiceError | None]:
    """The photos already kept under ``tokens`` (this user's only) plus the new ``uploads``, and
    the refusal of an upload that is not a photo we take (the others are kept all the same)."""
    _forget_old(user)
    kept = claimable(user, tokens)
    refusal = None
    for upload in [u for u in uploads if u and getattr(u, "filename", "")]:
        try:
            image = store_photo(upload.stream, max_bytes=current_app.config["MAX_PHOTO_BYTES"])
        except ServiceError as error:
            refusal = ServiceError(error.message, field="photos")
            continue
        photo = PendingPhoto(token=secrets.token_hex(16), user_id=user.id, stored_name=image.name,
                             width=image.width, height=image.height)
        db.session.add(photo)
        kept.append(photo)
    db.session.commit()
    return kept, refusal


def claimable(user: User, tokens) -> list[PendingPhoto]:
    tokens = [t for t in tokens if isinstance(t, str) and len(t) == 32][:MAX_TOKENS]
    if not tokens:
        return []
    return list(db.session.scalars(select(PendingPhoto).where(
        PendingPhoto.user_id == user.id, PendingPhoto.token.in_(tokens)).order_by(PendingPhoto.id)))


def attach(proposal: Proposal, pending: list[PendingPhoto]) -> None:
    """Make kept photos the proposal's, in the caller's transaction (the files stay where they are)."""
    for photo in pending:
        proposal.photos.append(ProposalPhoto(stored_name=photo.stored_name, width=photo.width,
                                             height=photo.height, position=len(proposal.photos)))
        db.session.delete(photo)


def _forget_old(user: User) -> None:
    old = list(db.session.scalars(select(PendingPhoto).where(
        PendingPhoto.user_id == user.id, PendingPhoto.created_at < utcnow() - KEPT_FOR)))
    if old:
        db.session.execute(delete(PendingPhoto).where(PendingPhoto.id.in_([p.id for p in old])))
        for photo in old:
            delete_stored(photo.stored_name)
