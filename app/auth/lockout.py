"""Per-account lockout: after LOGIN_LOCKOUT wrong passwords (default 5 in 15 minutes) an email
cannot log in until the window ends or the password is reset.

Counted in the rate limiter's storage — Redis when REDIS_URL is set — so every app server sees the
same count, and unknown emails are counted like real ones: the lockout does not tell which emails
have accounts. The per-address throttle (LOGIN_RATE_LIMIT) still applies on top."""
import hashlib
import math
import time

from flask import current_app
from limits import parse

from app.extensions import limiter


def _limit():
    return parse(current_app.config["LOGIN_LOCKOUT"])


def _key(email: str) -> str:
    # Hashed: the limiter's storage (possibly a shared Redis) does not need to hold addresses.
    return "login-failures/" + hashlib.sha256(email.strip().lower().encode()).hexdigest()


def minutes_locked(email: str) -> int:
    """Minutes until ``email`` may try again; 0 when it is not locked."""
    limit = _limit()
    if limiter.limiter.test(limit, _key(email)):
        return 0
    reset_at, _remaining = limiter.limiter.get_window_stats(limit, _key(email))
    return max(1, math.ceil((reset_at - time.time()) / 60))


def record_failure(email: str) -> int:
    """Count a wrong password; returns the attempts left before the lock."""
    limit = _limit()
    limiter.limiter.hit(limit, _key(email))
    return limiter.limiter.get_window_stats(limit, _key(email))[1]


def clear(email: str) -> None:
    """A successful login or a password reset ends the count."""
    limiter.limiter.clear(_limit(), _key(email))
