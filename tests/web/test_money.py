"""One money parser for every tenge field: the app's own format (``4 900 000``, ``4 900 000 ₸``,
with the spaces Babel writes), plain digits; anything else refused under its field, never dropped."""
import pytest
from sqlalchemy import select

from app.core.forms import MoneyField, parse_tenge
from app.core.i18n import money
from app.extensions import db
from app.models import Budget, Proposal
from meetings.models import Meeting

from .conftest import make_user
from .test_implementation import funded
from .test_minutes import held_meeting, minutes_form
from .test_proposals import EN, form

FIXTURES = (funded, held_meeting)  # the fixtures of other test files, used here by name
NBSP, NARROW = "\u00a0", "\u202f"


@pytest.mark.parametrize("text", ["4900000", "4 900 000", "4 900 000 ₸", f"4{NBSP}900{NBSP}000{NBSP}₸",
                                  f"4{NARROW}900{NARROW}000 ₸", " 4 900 000₸ ", "4900000 ₸"])
def test_the_apps_own_money_formats_are_read(text):
    assert parse_tenge(text) == 4_900_000


@pytest.mark.parametrize("text", ["", "₸", "4.9", "4,9", "4 900 000,50", "-5 000 000", "+5", "4,9 млн", "49 00 000",
                                  "4  900 000", "٤٩٠٠", "4²", "4 900 000 $", "1" * 16, "4 900 000 ₸ ₸", "0x10"])
def test_anything_else_is_not_money(text):
    assert parse_tenge(text) is None


def test_the_readers_grouping_sign_is_read_and_the_app_reads_what_it_writes(app):
    assert parse_tenge("4,900,000", group=",") == 4_900_000
    assert parse_tenge("4,900,000") is None  # a comma is not a grouping sign in Kazakh or Russian
    for locale in ("kk", "ru", "en"):
        with app.test_request_context(headers={"Accept-Language": locale}):
            from app.core.forms import _reader_group
            assert parse_tenge(money(16_960_000), group=_reader_group()) == 16_960_000


def test_every_tenge_field_of_every_form_is_a_money_field():
    from wtforms.fields.core import UnboundField

    from app.admin import forms as admin_forms
    from app.proposals import forms as proposal_forms
    from meetings import forms as meeting_forms

    checked = 0
    for module in (admin_forms, proposal_forms, meeting_forms):
        for form_class in vars(module).values():
            if not isinstance(form_class, type):
                continue
            for name, unbound in vars(form_class).items():
                if isinstance(unbound, UnboundField) and any(
                        word in name for word in ("cost", "amount", "limit_value", "tenge")):
                    assert unbound.field_class is MoneyField, f"{form_class.__name__}.{name}"
                    checked += 1
    assert checked >= 6


def test_a_proposal_cost_in_the_apps_format_is_stored(client, users, open_process, log_in):
    log_in(users["resident"])
    response = client.post("/proposals/new", data=form(open_process, estimated_cost="4 900 000 ₸"), headers=EN,
                           content_type="multipart/form-data")
    assert response.status_code == 302
    assert db.session.scalar(select(Proposal.estimated_cost)) == 4_900_000


def test_a_cost_that_is_not_money_is_refused_under_the_field_keeping_what_was_typed(client, users, open_process,
                                                                                     log_in):
    log_in(users["resident"])
    response = client.post("/proposals/new", data=form(open_process, estimated_cost="4,9 млн"), headers=EN,
                           content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="estimated_cost-error"' in page and "Enter the amount in whole tenge, like 4,900,000 ₸." in page
    assert 'value="4,9 млн"' in page
    assert db.session.scalar(select(Proposal.id)) is None


def test_a_kazakh_reader_is_told_in_kazakh(client, areas, open_process, log_in):
    resident = make_user(home=areas["Esil district / okrug 8"], locale="kk")
    log_in(resident)
    response = client.post("/proposals/new", data=form(open_process, estimated_cost="4.9"),
                           content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert "Соманы бүтін теңгемен жазыңыз" in page and f"4{NBSP}900{NBSP}000 ₸" in page
    assert db.session.scalar(select(Proposal.id)) is None


def test_a_budget_amount_copied_from_a_page_is_stored(client, users, areas, log_in):
    from datetime import date, timedelta

    from .test_admin import _make_process

    log_in(users["admin"])
    process = _make_process(client, areas, date.today() + timedelta(days=3))
    response = client.post(f"/admin/processes/{process.id}/budgets/new", data={
        "area_id": areas["Esil district"].id, "name_kk": "Есіл", "name_ru": "Есиль", "name_en": "Esil",
        "amount": f"300{NBSP}000{NBSP}000{NBSP}₸", "limit_value": "16 960 000", "limit_unit": "tenge"})
    assert response.status_code == 302
    budget = db.session.scalar(select(Budget))
    assert (budget.amount, budget.project_limit()) == (300_000_000, 16_960_000)


def test_an_amended_cost_in_the_apps_format_is_applied(client, users, held_meeting, log_in):
    held = held_meeting
    log_in(users["deputy"])
    item = next(i.id for i in held["meeting"].agenda if i.proposal_id == held["playground"].id)
    response = client.post(f"/meetings/{held['meeting'].id}/minutes",
                           data=minutes_form(held, users, **{f"cost-{item}": "4 900 000"}))
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Proposal, held["playground"].id).estimated_cost == 4_900_000


def test_an_amended_cost_that_is_not_money_is_refused_and_the_draft_is_not_said_saved(client, users, held_meeting,
                                                                                        log_in):
    held = held_meeting
    log_in(users["deputy"])
    item = next(i.id for i in held["meeting"].agenda if i.proposal_id == held["playground"].id)
    data = minutes_form(held, users, **{f"cost-{item}": "4,9 млн", f"title-{item}": "A smaller playground"})
    del data["publish"]
    response = client.post(f"/meetings/{held['meeting'].id}/minutes", data=data, headers=EN, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Enter the amount in whole tenge" in page and "draft minutes are saved" not in page
    assert f'id="cost-{item}-error"' in page and 'value="4,9 млн"' in page  # under the field, as typed
    db.session.expire_all()
    meeting = db.session.get(Meeting, held["meeting"].id)
    assert meeting.summary is None and all(i.amended_cost is None for i in meeting.agenda)


def test_a_spend_in_the_apps_format_is_recorded(client, users, funded, log_in):
    proposal, _ = funded
    log_in(users["akimat"])
    response = client.post(f"/proposals/{proposal.id}/implementation",
                           data={"what": "report", "status": "in_progress", "progress": "30", "spent": "5 000 000"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Proposal, proposal.id).implementation.spent == 5_000_000


def test_a_spend_that_is_not_money_is_refused_under_the_field(client, users, funded, log_in):
    proposal, _ = funded
    log_in(users["akimat"])
    response = client.post(f"/proposals/{proposal.id}/implementation", headers=EN,
                           data={"what": "report", "status": "in_progress", "progress": "30", "spent": "5 млн"})
    page = response.get_data(as_text=True)
    assert "Enter the amount in whole tenge" in page and "cannot be negative" not in page
    assert 'id="spent-error"' in page
    db.session.expire_all()
    assert db.session.get(Proposal, proposal.id).implementation is None
