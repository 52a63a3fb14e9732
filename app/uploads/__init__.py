"""Uploaded photos: decoded, checked and re-encoded before anything keeps them (app/uploads/services.py).

No table of its own: a stored file is named by the row that owns it (ProposalPhoto.stored_name)."""
