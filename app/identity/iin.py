"""Kazakhstan's individual identification number (IIN, ЖСН / ИИН).

Twelve digits: YYMMDD birth date, a century-and-sex digit, four serial digits and a check digit.
The check digit is sum(d_i * i, i = 1..11) mod 11; if that is 10 the weights 3..11, 1, 2 are used
instead, and if the result is still 10 the number is invalid (such numbers are never issued).
"""
from dataclasses import dataclass
from datetime import date
from enum import Enum

from app.core import clock

FIRST_WEIGHTS = tuple(range(1, 12))
SECOND_WEIGHTS = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)

# 7th digit: century of birth and sex.
CENTURY_SEX = {
    "1": (1800, "male"),
    "2": (1800, "female"),
    "3": (1900, "male"),
    "4": (1900, "female"),
    "5": (2000, "male"),
    "6": (2000, "female"),
}


class IINError(Enum):
    """Why an IIN is refused; the web forms map each reason to a translated message."""

    NOT_12_DIGITS = "not_12_digits"
    BAD_CENTURY_DIGIT = "bad_century_digit"
    BAD_BIRTH_DATE = "bad_birth_date"
    BIRTH_DATE_IN_FUTURE = "birth_date_in_future"
    CHECKSUM_UNDEFINED = "checksum_undefined"
    CHECKSUM_MISMATCH = "checksum_mismatch"


class InvalidIIN(ValueError):
    def __init__(self, reason: IINError):
        super().__init__(reason.value)
        self.reason = reason


@dataclass(frozen=True)
class IIN:
    value: str
    birth_date: date
    sex: str  # "male" | "female"

    def age_on(self, day: date) -> int:
        """Full years of age on ``day``."""
        years = day.year - self.birth_date.year
        if (day.month, day.day) < (self.birth_date.month, self.birth_date.day):
            years -= 1
        return years


def check_digit(first_eleven: str) -> int | None:
    """The control digit for the first 11 digits, or None when no valid one exists."""
    digits = [int(c) for c in first_eleven]
    for weights in (FIRST_WEIGHTS, SECOND_WEIGHTS):
        value = sum(d * w for d, w in zip(digits, weights)) % 11
        if value != 10:
            return value
    return None


def parse_iin(raw: str, *, today: date | None = None) -> IIN:
    """Validate an IIN and return its parts; raise :class:`InvalidIIN` naming the first problem.

    Spaces are ignored so that "900101 300 123" as printed on ID cards is accepted.
    """
    value = (raw or "").replace(" ", "").strip()
    if len(value) != 12 or not (value.isascii() and value.isdigit()):
        raise InvalidIIN(IINError.NOT_12_DIGITS)
    if value[6] not in CENTURY_SEX:
        raise InvalidIIN(IINError.BAD_CENTURY_DIGIT)
    century, sex = CENTURY_SEX[value[6]]
    try:
        born = date(century + int(value[0:2]), int(value[2:4]), int(value[4:6]))
    except ValueError:
        raise InvalidIIN(IINError.BAD_BIRTH_DATE) from None
    if born > (today or clock.today()):
        raise InvalidIIN(IINError.BIRTH_DATE_IN_FUTURE)
    expected = check_digit(value[:11])
    if expected is None:
        raise InvalidIIN(IINError.CHECKSUM_UNDEFINED)
    if expected != int(value[11]):
        raise InvalidIIN(IINError.CHECKSUM_MISMATCH)
    return IIN(value=value, birth_date=born, sex=sex)


def make_iin(born: date, sex: str, serial: int) -> str:
    """Build a valid IIN (for demo data and tests): tries serials upward until one has a check digit."""
    century = (born.year // 100) * 100
    digit = next(d for d, (c, s) in CENTURY_SEX.items() if c == century and s == sex)
    for candidate in range(serial, serial + 100):
        head = f"{born:%y%m%d}{digit}{candidate % 10000:04d}"
        control = check_digit(head)
        if control is not None:
            return head + str(control)
    raise ValueError("no valid IIN near that serial")  # pragma: no cover - cannot happen in 100 tries
