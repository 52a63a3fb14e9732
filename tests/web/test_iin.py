from datetime import date

import pytest

from app.identity.iin import IINError, InvalidIIN, check_digit, make_iin, parse_iin

TODAY = date(2026, 11, 30)


def _with_check_digit(head: str) -> str:
    return head + str(check_digit(head))


def test_valid_iin_gives_birth_date_sex_and_age():
    iin = parse_iin(_with_check_digit("900917" + "3" + "0123"), today=TODAY)
    assert iin.birth_date == date(1990, 9, 17)
    assert iin.sex == "male"
    assert iin.age_on(TODAY) == 36


def test_century_digits_map_to_the_right_century_and_sex():
    assert parse_iin(_with_check_digit("0501024" + "0001"), today=TODAY).birth_date == date(1905, 1, 2)
    born_2010 = parse_iin(_with_check_digit("1003156" + "0042"), today=TODAY)
    assert (born_2010.birth_date, born_2010.sex) == (date(2010, 3, 15), "female")


def test_spaces_as_printed_on_id_cards_are_accepted():
    value = _with_check_digit("9009173" + "0123")
    assert parse_iin(f"{value[:6]} {value[6:9]} {value[9:]}", today=TODAY).value == value


def test_second_weights_are_used_when_the_first_sum_gives_ten():
    # Find a head whose first-weight checksum is 10, then check the second weighting decides.
    for serial in range(10000):
        head = f"8501023{serial:04d}"
        digits = [int(c) for c in head]
        if sum(d * w for d, w in zip(digits, range(1, 12))) % 11 == 10:
            second = sum(d * w for d, w in zip(digits, (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2))) % 11
            if second != 10:
                assert parse_iin(head + str(second), today=TODAY).birth_date == date(1985, 1, 2)
                return
    pytest.fail("no such head found")


@pytest.mark.parametrize(
    "raw, reason",
    [
        ("12345", IINError.NOT_12_DIGITS),
        ("9009173012345", IINError.NOT_12_DIGITS),
        ("90091730123a", IINError.NOT_12_DIGITS),
        ("²" * 12, IINError.NOT_12_DIGITS),  # str.isdigit() says yes; int() says no
        ("٩٠٠٩١٧٣٠١٢٣٤", IINError.NOT_12_DIGITS),
        ("", IINError.NOT_12_DIGITS),
        ("900917701234", IINError.BAD_CENTURY_DIGIT),
        ("900917001234", IINError.BAD_CENTURY_DIGIT),
        ("901317301234", IINError.BAD_BIRTH_DATE),
        ("900231301234", IINError.BAD_BIRTH_DATE),
        ("300101501234", IINError.BIRTH_DATE_IN_FUTURE),
    ],
)
def test_invalid_iin_names_its_reason(raw, reason):
    with pytest.raises(InvalidIIN) as refused:
        parse_iin(raw, today=TODAY)
    assert refused.value.reason is reason


def test_wrong_last_digit_is_a_checksum_mismatch():
    valid = _with_check_digit("9009173" + "0123")
    wrong = valid[:11] + str((int(valid[11]) + 1) % 10)
    with pytest.raises(InvalidIIN) as refused:
        parse_iin(wrong, today=TODAY)
    assert refused.value.reason is IINError.CHECKSUM_MISMATCH


def test_number_with_no_possible_check_digit_is_refused():
    for serial in range(10000):
        head = f"9009173{serial:04d}"
        if check_digit(head) is None:
            for last in "0123456789":
                with pytest.raises(InvalidIIN) as refused:
                    parse_iin(head + last, today=TODAY)
                assert refused.value.reason is IINError.CHECKSUM_UNDEFINED
            return
    pytest.fail("no undefined-checksum head found")


def test_made_iins_are_valid():
    for serial in range(50):
        value = make_iin(date(2001, 6, 30), "female", serial)
        assert parse_iin(value, today=TODAY).sex == "female"
