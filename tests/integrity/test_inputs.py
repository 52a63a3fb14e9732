"""Inputs that crashed the site or filled it with garbage (issue #13, "Inputs" and attack 7).

Each attack is sent through the site's own forms, as the demo's deputy, official and administrator
would send it (CSRF is off in the testing configuration, as in the other web tests), and is refused
with a message in the person's language while nothing is stored or changed."""
from datetime import date, timedelta

import icalendar
import pytest
from flask_babel import force_locale, format_date, format_decimal, gettext
from markupsafe import escape
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import Area, ImplementationUpdate, Milestone, Phase, Process, ProposalEvent
from meetings.models import ActionItem, Meeting, MinutesCorrection
from tests.web.test_admin import _process_form
from tests.web.test_implementation import funded
from tests.web.test_meetings import meeting_form, schedule
from tests.web.test_minutes import held_meeting, minutes_form

from .conftest import make_user

FIXTURES = (funded, held_meeting)  # the web tests' fixtures, used here by name
EN = {"Accept-Language": "en"}
HUGE_ID = "1" + "0" * 30  # 10^30
MEGABYTE = "x" * 1_000_000


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def text(response) -> str:
    return response.get_data(as_text=True)


def too_long(limit: int, length: int = len(MEGABYTE), locale: str = "en") -> str:
    """The message a too-long text gets, as the person reads it."""
    with force_locale(locale):
        return gettext("Up to %(max)s characters, please: this text has %(length)s.",
                       max=format_decimal(limit), length=format_decimal(length))


def date_range_message(locale: str = "en") -> str:
    with force_locale(locale):
        return gettext("Enter a date from %(first)s to %(last)s.", first=format_date(date(2000, 1, 1), "long"),
                       last=format_date(date(2100, 12, 31), "long"))


# --- ids in the meeting form's lists ---------------------------------------------------------------

@pytest.mark.parametrize("field", ["cohost_ids", "invited_ids", "proposal_ids"])
@pytest.mark.parametrize("value", [HUGE_ID, str(2**31), "0", "-7"])
def test_an_id_beyond_the_database_in_a_meeting_list_is_refused_and_nothing_stored(client, users, okrug, log_in,
                                                                                   field, value):
    log_in(users["deputy"])
    response = client.post("/meetings/new", data=meeting_form(okrug, **{field: [value]}), headers=EN)
    assert response.status_code == 200
    assert "One of the chosen entries does not exist. Reload the page and choose again." in text(response)
    assert count(Meeting) == 0


def test_a_huge_id_cannot_change_a_meetings_agenda_either(client, users, okrug, log_in):
    log_in(users["deputy"])
    meeting = schedule(client, okrug, free_items="Snow removal")
    response = client.post(f"/meetings/{meeting.id}/edit", headers=EN, data=meeting_form(
        okrug, proposal_ids=[HUGE_ID], free_items="Other", reason="The agenda grew"))
    assert "One of the chosen entries does not exist" in text(response)
    db.session.expire_all()
    assert [i.title for i in db.session.get(Meeting, meeting.id).agenda] == ["Snow removal"]


def test_a_huge_owner_id_in_the_minutes_is_refused(client, users, held_meeting, log_in):
    log_in(users["deputy"])
    meeting = held_meeting["meeting"]
    response = client.post(f"/meetings/{meeting.id}/minutes", headers=EN, follow_redirects=True,
                           data=minutes_form(held_meeting, users, **{"owner-0": HUGE_ID, "attended": [HUGE_ID]}))
    assert str(escape("An action item's owner must be an akimat official or a deputy of the meeting's area.")) in text(response)
    assert count(ActionItem) == 0 and db.session.get(Meeting, meeting.id).minutes_published_at is None


# --- KATO codes -------------------------------------------------------------------------------------

def test_the_same_kato_code_twice_is_refused_and_nothing_stored(client, users, areas, log_in):
    log_in(users["admin"])
    taken = areas["Astana"].kato
    before = count(Area)
    response = client.post("/admin/areas/new", headers=EN, data={
        "parent_id": areas["Astana"].id, "kind": "district", "kato": taken, "name_kk": "Жаңа аудан",
        "name_ru": "Новый район", "name_en": "New district"})
    assert response.status_code == 200
    assert "Another area already has this KATO code." in text(response)
    assert count(Area) == before

    esil = areas["Esil district"]
    kato, name = esil.kato, esil.name_en
    response = client.post(f"/admin/areas/{esil.id}/edit", headers=EN, data={
        "parent_id": esil.parent_id, "kind": esil.kind, "kato": taken, "name_kk": esil.name_kk,
        "name_ru": esil.name_ru, "name_en": "Renamed"})
    assert "Another area already has this KATO code." in text(response)
    db.session.expire_all()
    assert (db.session.get(Area, esil.id).kato, db.session.get(Area, esil.id).name_en) == (kato, name)


# --- dates ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("field, day", [("proposals-starts_on", "0001-01-01"), ("implementation-ends_on", "9999-12-31"),
                                        ("proposals-starts_on", "1999-12-31"), ("results-ends_on", "2101-01-01")])
def test_a_phase_date_out_of_range_is_refused_and_nothing_stored(client, users, areas, log_in, field, day):
    log_in(users["akimat_of_district"])
    start = date.today() + timedelta(days=30)
    response = client.post("/admin/processes/new", headers=EN,
                           data=_process_form(areas["Esil district"].id, start, **{field: day}))
    assert response.status_code == 200
    assert date_range_message() in text(response)
    assert count(Process) == 0 and count(Phase) == 0


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_a_phase_date_out_of_range_does_not_change_a_process(client, users, areas, open_process, log_in, day):
    log_in(users["akimat"])
    before = sorted((p.kind, p.starts_at, p.ends_at) for p in open_process.phases)
    data = _process_form(areas["Esil district"].id, date.today(), **{"implementation-ends_on": day})
    response = client.post(f"/admin/processes/{open_process.id}/edit", headers=EN, data=data)
    assert date_range_message() in text(response)
    db.session.expire_all()
    assert sorted((p.kind, p.starts_at, p.ends_at) for p in db.session.get(Process, open_process.id).phases) == before


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "2101-01-01"])
def test_a_meeting_day_out_of_range_is_refused_and_nothing_stored(client, users, okrug, log_in, day):
    log_in(users["deputy"])
    response = client.post("/meetings/new", data=meeting_form(okrug, day=day), headers=EN)
    assert response.status_code == 200 and date_range_message() in text(response)
    assert count(Meeting) == 0


@pytest.mark.parametrize("field", ["starts_on", "planned_on"])
@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_a_milestone_date_out_of_range_is_refused_and_nothing_stored(client, users, funded, log_in, field, day):
    proposal, _ = funded
    log_in(users["akimat"])
    data = {"what": "milestone", "title": "Groundwork", "starts_on": date.today().isoformat(),
            "planned_on": (date.today() + timedelta(days=30)).isoformat(), field: day}
    response = client.post(f"/proposals/{proposal.id}/implementation", data=data, headers=EN)
    assert date_range_message() in text(response)
    assert count(Milestone) == 0


def test_a_milestone_done_date_out_of_range_is_refused(client, users, funded, log_in):
    proposal, _ = funded
    log_in(users["akimat"])
    client.post(f"/proposals/{proposal.id}/implementation", data={
        "what": "milestone", "title": "Groundwork", "starts_on": date.today().isoformat(),
        "planned_on": (date.today() + timedelta(days=30)).isoformat()})
    milestone = db.session.scalars(select(Milestone)).one()
    response = client.post(f"/milestones/{milestone.id}/done", data={"done_on": "9999-12-31"}, headers=EN,
                           follow_redirects=True)
    assert date_range_message() in text(response)
    db.session.expire_all()
    assert db.session.get(Milestone, milestone.id).done_on is None


def test_an_action_item_due_date_out_of_range_is_refused(client, users, held_meeting, log_in):
    log_in(users["deputy"])
    meeting = held_meeting["meeting"]
    response = client.post(f"/meetings/{meeting.id}/minutes", headers=EN, follow_redirects=True,
                           data=minutes_form(held_meeting, users, **{"due-0": "9999-12-31"}))
    assert date_range_message() in text(response)
    assert count(ActionItem) == 0


# --- calendars --------------------------------------------------------------------------------------

def unfolded(response) -> str:
    return response.get_data(as_text=True).replace("\r\n ", "")


def test_a_newline_in_a_meeting_title_keeps_both_calendars_working(client, users, okrug, log_in):
    log_in(users["deputy"])
    title = "Courtyards of okrug 7\nand the school; yards, too"
    meeting = schedule(client, okrug, title=title)
    for path in (f"/meetings/{meeting.id}.ics", f"/areas/{okrug.id}/meetings.ics"):
        response = client.get(path)
        assert response.status_code == 200, path
        calendar = icalendar.Calendar.from_ical(response.data)
        (event,) = calendar.walk("VEVENT")
        assert str(event["SUMMARY"]) == meeting.title
    # The calendar's name is the title too, escaped as RFC 5545 TEXT (the parser leaves X- values as sent).
    assert "X-WR-CALNAME:Courtyards of okrug 7\\nand the school\\; yards\\, too\r\n" in \
        unfolded(client.get(f"/meetings/{meeting.id}.ics"))


def test_a_newline_in_an_area_name_keeps_its_calendar_working(client, users, areas, log_in):
    log_in(users["admin"])
    response = client.post("/admin/areas/new", data={
        "parent_id": areas["Esil district"].id, "kind": "okrug", "kato": "", "name_kk": "Округ 99\nсолтүстік",
        "name_ru": "Округ 99\nсевер", "name_en": "Okrug 99\nnorth"})
    assert response.status_code == 302
    area = db.session.scalars(select(Area).where(Area.name_en.startswith("Okrug 99"))).one()
    client.post("/auth/logout")
    response = client.get(f"/areas/{area.id}/meetings.ics", headers=EN)
    assert response.status_code == 200
    assert "X-WR-CALNAME:Qatysu — Okrug 99\\nnorth\r\n" in unfolded(response)
    icalendar.Calendar.from_ical(response.data)  # and the whole file parses


# --- texts too long ---------------------------------------------------------------------------------

def _publish_minutes(client, held, users):
    response = client.post(f"/meetings/{held['meeting'].id}/minutes", data=minutes_form(held, users))
    assert response.status_code == 302


def test_a_megabyte_correction_of_the_minutes_is_refused_and_nothing_stored(client, users, held_meeting, log_in):
    log_in(users["deputy"])
    _publish_minutes(client, held_meeting, users)
    events = count(ProposalEvent)
    response = client.post(f"/meetings/{held_meeting['meeting'].id}/corrections", data={"text": MEGABYTE},
                           headers=EN, follow_redirects=True)
    assert too_long(3000) in text(response)
    assert count(MinutesCorrection) == 0 and count(ProposalEvent) == events
    assert len(response.data) < 200_000  # the page does not carry the megabyte back either


@pytest.mark.parametrize("field", ["summary", "note", "what", "title", "description"])
def test_a_megabyte_in_the_minutes_is_refused_and_nothing_stored(client, users, held_meeting, log_in, field):
    log_in(users["deputy"])
    meeting = held_meeting["meeting"]
    item = next(i for i in meeting.agenda if i.proposal_id == held_meeting["playground"].id)
    name = {"summary": "summary", "what": "what-0"}.get(field, f"{field}-{item.id}")
    response = client.post(f"/meetings/{meeting.id}/minutes", headers=EN, follow_redirects=True,
                           data=minutes_form(held_meeting, users, **{name: MEGABYTE}))
    assert too_long({"summary": 20_000, "note": 2000, "what": 1000, "title": 200, "description": 10_000}[field]) \
        in text(response)
    db.session.expire_all()
    meeting = db.session.get(Meeting, meeting.id)
    assert meeting.summary is None and meeting.minutes_published_at is None and count(ActionItem) == 0
    assert all(i.note is None and i.amended_title is None for i in meeting.agenda)


def test_a_megabyte_implementation_note_is_refused_and_nothing_stored(client, users, funded, log_in):
    proposal, _ = funded
    log_in(users["akimat"])
    events = count(ProposalEvent)
    response = client.post(f"/proposals/{proposal.id}/implementation", headers=EN, data={
        "what": "report", "status": "in_progress", "progress": "10", "spent": "0", "note": MEGABYTE})
    assert too_long(2000) in text(response)
    assert count(ImplementationUpdate) == 0 and count(ProposalEvent) == events


def test_a_megabyte_milestone_title_is_refused_and_nothing_stored(client, users, funded, log_in):
    proposal, _ = funded
    log_in(users["akimat"])
    response = client.post(f"/proposals/{proposal.id}/implementation", headers=EN, data={
        "what": "milestone", "title": MEGABYTE, "starts_on": date.today().isoformat(),
        "planned_on": (date.today() + timedelta(days=30)).isoformat()})
    assert too_long(200) in text(response)
    assert count(Milestone) == 0


@pytest.mark.parametrize("locale", ["kk", "ru", "en"])
def test_a_text_over_the_limit_is_refused_in_the_persons_language(client, areas, okrug, log_in, locale):
    deputy = make_user(home=okrug, role="deputy", area=okrug, locale=locale)
    log_in(deputy)
    response = client.post("/meetings/new", data=meeting_form(okrug, venue="Школа " * 40))
    assert response.status_code == 200
    assert too_long(200, 240, locale) in text(response)
    assert count(Meeting) == 0


def test_a_cancellation_reason_over_the_limit_is_refused(client, users, okrug, log_in):
    log_in(users["deputy"])
    meeting = schedule(client, okrug)
    response = client.post(f"/meetings/{meeting.id}/cancel", data={"reason": MEGABYTE}, headers=EN,
                           follow_redirects=True)
    assert too_long(1000) in text(response)
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).status == "scheduled"


# --- links --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["in_person", "hybrid", "online"])
@pytest.mark.parametrize("link", ["javascript:alert(1)", "JavaScript:alert(1)", " javascript:alert(1)",
                                  "data:text/html,<script>alert(1)</script>", "https://", "http:/meet.example.kz",
                                  "//evil.example/x", "ftp://files.example.kz/x", "https://exa mple.kz/"])
def test_a_meeting_link_that_is_not_a_web_address_is_refused_and_nothing_stored(client, users, okrug, log_in,
                                                                                kind, link):
    log_in(users["deputy"])
    response = client.post("/meetings/new", data=meeting_form(okrug, kind=kind, online_link=link), headers=EN)
    assert response.status_code == 200
    assert "A link starts with https:// or http:// and names a site" in text(response)
    assert count(Meeting) == 0


def test_a_web_link_is_kept_and_shown(client, users, okrug, log_in):
    log_in(users["deputy"])
    meeting = schedule(client, okrug, kind="hybrid", online_link="HTTPS://meet.example.kz/okrug-7?x=1")
    assert meeting.online_link == "https://meet.example.kz/okrug-7?x=1"
    assert 'href="https://meet.example.kz/okrug-7?x=1"' in text(client.get(f"/meetings/{meeting.id}"))


def test_the_database_refuses_a_link_that_is_not_http(ctx, users, okrug):
    from app.core.clock import utcnow

    start = utcnow() + timedelta(days=3)
    db.session.add(Meeting(area=okrug, host=users["deputy"], title="Sneaky", venue="Hall", starts_at=start,
                           ends_at=start + timedelta(hours=1), online_link="javascript:alert(1)"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
