"""Kazakhstan's business identification number (BIN, БСН / БИН) of a legal entity: a contractor.

Twelve digits: the year and month of registration (YYMM), the entity's kind (4 a resident legal
entity, 5 a non-resident one, 6 a joint venture / individual entrepreneur's association), a
digit for its part (head office, branch, ...), five serial digits and a check digit computed as
the IIN's is (app.identity.iin.check_digit: the same two rounds of weights, mod 11).
"""
from app.identity.iin import check_digit

ENTITY_KINDS = "456"


def is_valid_bin(raw: str | None) -> bool:
    """True when ``raw`` is a well-formed BIN whose check digit is right."""
    value = (raw or "").strip()
    if len(value) != 12 or not (value.isascii() and value.isdigit()):
        return False
    if not 1 <= int(value[2:4]) <= 12 or value[4] not in ENTITY_KINDS:
        return False
    return check_digit(value[:11]) == int(value[11])


def make_bin(year: int, month: int, serial: int, kind: str = "4") -> str:
    """A BIN with a valid check digit (the demo and the tests' contractors); skips the serials
    whose check digit is undefined, as the registry does."""
    while True:
        first = f"{year % 100:02d}{month:02d}{kind}0{serial:05d}"
        digit = check_digit(first)
        if digit is not None:
            return first + str(digit)
        serial += 1
