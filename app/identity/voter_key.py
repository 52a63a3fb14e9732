"""A voter's key: HMAC-SHA256 of the IIN under a secret from the environment.

The electoral roll and the participation records name voters by this key, never by the IIN,
so a copy of those tables does not say who voted without the secret (which lives with the app
servers, not in the database). Registration and paper entry look voters up by the same key."""
import hashlib
import hmac

from flask import current_app


def voter_key(iin: str) -> str:
    secret = current_app.config["VOTER_KEY_SECRET"].encode("utf-8")
    return hmac.new(secret, iin.encode("ascii"), hashlib.sha256).hexdigest()
