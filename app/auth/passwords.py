"""What makes a password acceptable: long enough, not one of the most common passwords, and not
easy to guess from the person's own name, email or birth date.

The common-password list and the guessability estimate come from zxcvbn (Dropbox's estimator): its
ranked list of the 30,000 most used passwords, and its score of how many guesses a password needs,
which also catches keyboard patterns, dates and the user's own details."""
from flask_babel import lazy_gettext as _l
from zxcvbn import zxcvbn
from zxcvbn.matching import RANKED_DICTIONARIES

MIN_LENGTH = 10
MAX_LENGTH = 128
MIN_SCORE = 3  # zxcvbn: "safely unguessable", about 10^10 guesses: survives a leaked hash database

COMMON = RANKED_DICTIONARIES["passwords"]


def password_problem(password: str, personal: list[str] = ()) -> str | None:
    """Why ``password`` is refused (a translatable message), or None when it is acceptable.
    ``personal``: the person's own details (name, email, IIN) that a password must not lean on."""
    if len(password) < MIN_LENGTH:
        return _l("A password needs at least %(n)s characters.", n=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        return _l("A password can have at most %(n)s characters.", n=MAX_LENGTH)
    if password.lower() in COMMON:
        return _l("This is one of the most common passwords, the first ones attackers try. Choose another.")
    # zxcvbn's cost grows with length; past 64 characters the score is already the highest.
    if zxcvbn(password[:64], user_inputs=[p for p in personal if p])["score"] < MIN_SCORE:
        return _l("This password is easy to guess (a name, a date, a word with digits or a keyboard pattern). "
                  "A few unrelated words make a strong one.")
    return None


def personal_details(*values: str | None) -> list[str]:
    """Name parts, the email's local part and the IIN's date, for ``password_problem``."""
    found = []
    for value in values:
        if not value:
            continue
        value = value.strip().lower()
        found.append(value)
        if "@" in value:
            found.append(value.split("@", 1)[0])
        found.extend(part for part in value.replace("@", " ").replace(".", " ").split() if len(part) > 2)
        if value.isdigit() and len(value) == 12:
            found.append(value[:6])  # an IIN starts with the birth date
    return found
