"""Recording the minutes as a real office does (issue #18): the form only once the meeting has
started and until it is published, any number of action items without JavaScript, owners only
from the meeting's area."""
from datetime import date, timedelta

from sqlalchemy import select

from app.extensions import db
from meetings.models import ActionItem, Meeting

from .test_meetings import schedule
from .test_minutes import held_meeting, minutes_form
from .test_proposals import EN

FIXTURES = (held_meeting,)  # another test file's fixture, used here by name


def test_the_minutes_form_is_not_shown_before_the_meeting_starts_and_says_when(client, users, okrug, log_in):
    log_in(users["deputy"])
    meeting = schedule(client, okrug)
    page = client.get(f"/meetings/{meeting.id}/minutes", headers=EN).get_data(as_text=True)
    assert "The minutes can be recorded once the meeting has started, from" in page
    assert 'name="summary"' not in page and "Publish the minutes" not in page
    assert f'href="/meetings/{meeting.id}/minutes"' not in client.get(f"/meetings/{meeting.id}").get_data(as_text=True)


def test_published_minutes_show_no_editable_form(client, users, held_meeting, log_in):
    held = held_meeting
    log_in(users["deputy"])
    client.post(f"/meetings/{held['meeting'].id}/minutes", data=minutes_form(held, users))
    page = client.get(f"/meetings/{held['meeting'].id}/minutes", headers=EN).get_data(as_text=True)
    assert "These minutes are published and are no longer edited" in page
    assert 'name="summary"' not in page and "Save the draft" not in page


def _actions(n, owner):
    due = (date.today() + timedelta(days=10)).isoformat()
    data = {"action_rows": str(n)}
    for i in range(n):
        data.update({f"what-{i}": f"Task number {i}", f"owner-{i}": str(owner.id), f"due-{i}": due})
    return data


def test_any_number_of_action_items_without_javascript(client, users, held_meeting, log_in):
    held = held_meeting
    log_in(users["deputy"])
    url = f"/meetings/{held['meeting'].id}/minutes"
    # "Another action item" posts the form back with one more row and what was typed, saving nothing.
    more = client.post(url, data={**minutes_form(held, users, **_actions(3, users["akimat"])), "publish": "",
                                  "more_rows": "1"}, headers=EN)
    page = more.get_data(as_text=True)
    assert more.status_code == 200 and 'name="what-3"' in page and 'value="Task number 2"' in page
    assert db.session.scalar(select(ActionItem.id)) is None
    data = minutes_form(held, users, **_actions(7, users["akimat"]))
    del data["publish"]
    assert client.post(url, data=data).status_code == 302
    assert len(db.session.scalars(select(ActionItem)).all()) == 7
    page = client.get(url).get_data(as_text=True)
    assert 'value="Task number 6"' in page and 'name="what-7"' in page  # and one empty row more


def test_action_item_owners_come_only_from_the_meetings_area_and_none_is_chosen_for_you(client, users, held_meeting,
                                                                                       log_in):
    held = held_meeting
    log_in(users["deputy"])
    url = f"/meetings/{held['meeting'].id}/minutes"
    page = client.get(url, headers=EN).get_data(as_text=True)
    for near in ("akimat", "akimat_of_district", "deputy"):
        assert f'<option value="{users[near].id}"' in page
    assert f'<option value="{users["akimat_elsewhere"].id}"' not in page  # another district's official
    assert ' selected>' not in page.split('id="owner-0"')[1].split("</select>")[0]
    data = minutes_form(held, users, **{"owner-0": str(users["akimat_elsewhere"].id)})
    response = client.post(url, data=data, headers=EN)
    assert "owner must be an akimat official or a deputy of the meeting" in response.get_data(as_text=True)
    data = minutes_form(held, users, **{"owner-0": ""})
    response = client.post(url, data=data, headers=EN)
    assert "Choose who owns each action item." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Meeting, held["meeting"].id).minutes_published_at is None
    assert db.session.scalar(select(ActionItem.id)) is None


def test_a_refused_save_keeps_everything_typed(client, users, held_meeting, log_in):
    held = held_meeting
    log_in(users["deputy"])
    data = minutes_form(held, users, summary="What residents said, at length", **{"due-0": "31.12.2026"})
    response = client.post(f"/meetings/{held['meeting'].id}/minutes", data=data, headers=EN)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Enter a date from" in page
    assert "What residents said, at length" in page and 'value="Ask the akimat for a survey"' in page
