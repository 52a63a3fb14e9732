"""Procurement of a funded project (issue #18): the lot number on the public procurement portal,
the contractor's BIN with its check digit, the contract amount and date — shown to residents."""
from datetime import date

import pytest

from app.extensions import db
from app.identity.bin import is_valid_bin, make_bin
from app.models import Proposal

from .test_implementation import funded
from .test_proposals import EN

FIXTURES = (funded,)  # another test file's fixture, used here by name
GOOD_BIN = make_bin(2019, 3, 1234)


def test_the_bin_check_digit_is_the_iins():
    assert is_valid_bin(GOOD_BIN)
    wrong = GOOD_BIN[:11] + str((int(GOOD_BIN[11]) + 1) % 10)
    for bad in (wrong, "12345678901", "1234567890123", "19134" + "0000001", "19037" + "0012340", "١٩٠٣٤٠٠١٢٣٤٠", ""):
        assert not is_valid_bin(bad), bad


def _procure(client, proposal, **data):
    body = {"what": "procurement", "procurement_lot": "52934523-ЗЦП1", "contractor_bin": GOOD_BIN,
            "contract_amount": "38 500 000", "contract_signed_on": "2026-11-20", **data}
    return client.post(f"/proposals/{proposal.id}/implementation", data=body, headers=EN)


def test_the_akimat_records_the_procurement_and_residents_see_it(client, users, funded, log_in):
    proposal, _ = funded
    log_in(users["akimat"])
    assert _procure(client, proposal).status_code == 302
    db.session.expire_all()
    impl = db.session.get(Proposal, proposal.id).implementation
    assert (impl.procurement_lot, impl.contractor_bin, impl.contract_amount, impl.contract_signed_on) == (
        "52934523-ЗЦП1", GOOD_BIN, 38_500_000, date(2026, 11, 20))
    client.post("/auth/logout")
    page = client.get(f"/proposals/{proposal.id}", headers=EN).get_data(as_text=True)
    assert "52934523-ЗЦП1" in page and GOOD_BIN in page and "38,500,000 ₸" in page


@pytest.mark.parametrize("data, message", [
    ({"contractor_bin": "123456789012"}, "A BIN has 12 digits and a check digit"),
    ({"contract_amount": "38,5 млн"}, "Enter the amount in whole tenge"),
    ({"contract_amount": "0"}, "The contract amount is more than zero."),
    ({"contract_signed_on": "20.11.2026"}, "Enter a date from"),
    ({"procurement_lot": "<script>"}, "A lot number is its digits, a dash and the code of the method"),
])
def test_bad_procurement_data_is_refused_under_its_field_and_nothing_stored(client, users, funded, log_in, data,
                                                                            message):
    proposal, _ = funded
    log_in(users["akimat"])
    response = _procure(client, proposal, **data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and message in page
    field = next(iter(data))
    assert f'id="{field}-error"' in page
    db.session.expire_all()
    assert db.session.get(Proposal, proposal.id).implementation is None


def test_only_the_areas_akimat_records_the_procurement(client, users, funded, log_in):
    proposal, _ = funded
    log_in(users["akimat_elsewhere"])
    assert _procure(client, proposal).status_code == 403
    db.session.expire_all()
    assert db.session.get(Proposal, proposal.id).implementation is None
