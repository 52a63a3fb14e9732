"""Writing, supporting and reviewing proposals: who may, who may not, and what everyone sees."""
import html
import io
from datetime import date

import pytest
from PIL import Image
from sqlalchemy import func, select

from app.extensions import db
from app.models import PhaseKind, Proposal, ProposalEvent, ProposalPhoto, Support

from .conftest import make_user, move_to_phase

EN = {"Accept-Language": "en"}


def image_bytes(fmt="PNG", size=(64, 48), exif=False) -> bytes:
    buffer = io.BytesIO()
    image = Image.new("RGB", size, (30, 120, 200))
    if exif:
        data = image.getexif()
        data[0x010F] = "SpyCam"  # camera make
        image.save(buffer, fmt, exif=data)
    else:
        image.save(buffer, fmt)
    return buffer.getvalue()


def form(process, **overrides):
    data = {
        "budget_id": process.budgets[0].id,
        "title": "Playground in the courtyard of Kabanbay Batyr 40",
        "description": "The courtyard has no place for children to play. We ask for a playground with swings.",
        "category_id": next(c.id for c in process.categories if c.code == "playgrounds"),
        "address": "Kabanbay Batyr avenue 40, courtyard",
        "estimated_cost": 12_000_000,
        "submit": "Submit",
    }
    data.update(overrides)
    return data


def count(model) -> int:
    return db.session.scalar(select(func.count(model.id)))


def propose(client, process, **overrides) -> Proposal:
    response = client.post("/proposals/new", data=form(process, **overrides), headers=EN,
                           content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return db.session.scalars(select(Proposal).order_by(Proposal.id.desc())).first()


# --- submitting -------------------------------------------------------------------------

def test_resident_submits_a_public_proposal_with_a_reencoded_photo(app, client, users, open_process, log_in):
    log_in(users["resident"])
    photo = (io.BytesIO(image_bytes("JPEG", exif=True)), "my photo.jpg")
    proposal = propose(client, open_process, photos=[photo])
    assert proposal.status == "submitted" and proposal.author_id == users["resident"].id
    assert [e.kind for e in proposal.events] == ["submitted"]
    stored = proposal.photos[0]
    assert stored.stored_name.endswith(".jpg") and "my photo" not in stored.stored_name
    served = client.get(f"/photos/{stored.stored_name}")
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    assert "SpyCam" not in served.get_data().decode("latin-1")  # metadata is not copied
    client.post("/auth/logout")
    page = client.get(f"/proposals/{proposal.id}", headers=EN).get_data(as_text=True)
    assert "Playground in the courtyard" in page and "Submitted to the participatory budget" in page


def test_draft_is_private_to_its_author_until_submitted(client, users, open_process, log_in):
    log_in(users["resident"])
    draft = propose(client, open_process, submit="", save_draft="Save")
    assert draft.status == "draft" and draft.events == []
    assert client.get(f"/proposals/{draft.id}").status_code == 200
    client.post("/auth/logout")
    assert client.get(f"/proposals/{draft.id}").status_code == 404
    assert "Playground in the courtyard" not in client.get("/proposals").get_data(as_text=True)
    log_in(users["resident"])
    client.post(f"/proposals/{draft.id}/submit")
    db.session.expire_all()
    assert db.session.get(Proposal, draft.id).status == "submitted"


@pytest.mark.parametrize("overrides, message", [
    ({"estimated_cost": 25_000_000}, "over this budget's limit per project, 20,000,000 ₸"),
    ({"title": ""}, "Please fill in this field"),
    ({"estimated_cost": "-5"}, "Number must be between 1 and"),
    ({"estimated_cost": "lots"}, "Enter the amount in whole tenge"),
    ({"photos": [(io.BytesIO(b"<?php echo 1; ?>"), "shell.jpg")]}, "not a picture we can read"),
    ({"photos": [(io.BytesIO(b"GIF89a" + b"\0" * 100), "anim.gif")]}, "not a picture we can read"),
    ({"photos": [(io.BytesIO(image_bytes()), f"p{i}.png") for i in range(6)]}, "at most 5 photos"),
])
def test_bad_input_is_refused_with_a_message_and_nothing_stored(app, client, users, open_process, log_in,
                                                                 overrides, message):
    log_in(users["resident"])
    response = client.post("/proposals/new", data=form(open_process, **overrides), headers=EN,
                           content_type="multipart/form-data")
    assert response.status_code == 200
    assert message in html.unescape(response.get_data(as_text=True))  # as the person reads it
    assert count(Proposal) == 0 and count(ProposalPhoto) == 0


def test_oversized_photo_is_refused_and_no_file_is_left(app, client, users, open_process, log_in, monkeypatch):
    import os

    monkeypatch.setitem(app.config, "MAX_PHOTO_BYTES", 1000)
    before = set(os.listdir(app.config["UPLOAD_FOLDER"]))
    log_in(users["resident"])
    big = (io.BytesIO(image_bytes("PNG", size=(400, 400)) + b"\0" * 2000), "big.png")
    good = (io.BytesIO(image_bytes("PNG", size=(8, 8))), "small.png")
    response = client.post("/proposals/new", data=form(open_process, photos=[good, big]), headers=EN,
                           content_type="multipart/form-data")
    assert "at most 0 MB" in response.get_data(as_text=True) or "at most" in response.get_data(as_text=True)
    assert count(Proposal) == 0
    # The refused file is not kept; the good one is, for the retry (issue #19), and only it.
    from app.models import PendingPhoto
    kept = {p.stored_name for p in db.session.scalars(select(PendingPhoto))}
    assert len(kept) == 1 and set(os.listdir(app.config["UPLOAD_FOLDER"])) == before | kept


def test_decompression_bomb_is_refused(client, users, open_process, log_in):
    log_in(users["resident"])
    buffer = io.BytesIO()
    Image.new("1", (9000, 9000)).save(buffer, "PNG")  # tiny file, 81 million pixels
    response = client.post("/proposals/new", data=form(open_process, photos=[(io.BytesIO(buffer.getvalue()), "b.png")]),
                           headers=EN, content_type="multipart/form-data")
    assert "too large in pixels" in response.get_data(as_text=True)
    assert count(Proposal) == 0


def test_script_in_markdown_is_rendered_inert(client, users, open_process, log_in):
    log_in(users["resident"])
    evil = "Nice **idea** <script>alert('x')</script> [click](javascript:alert(1)) <img src=x onerror=alert(2)>" * 2
    proposal = propose(client, open_process, description=evil)
    html = client.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    assert "<strong>idea</strong>" in html
    assert "<script>alert" not in html and "onerror=alert" not in html.replace("&lt;img src=x onerror=alert(2)&gt;", "")
    assert 'href="javascript:' not in html


@pytest.mark.parametrize("who, message", [
    ("resident_elsewhere", "Only residents of"),
    ("admin_elsewhere", "Only residents of"),
])
def test_people_outside_the_area_cannot_propose(client, users, open_process, log_in, who, message):
    log_in(users[who])
    response = client.post("/proposals/new", data=form(open_process), headers=EN,
                           content_type="multipart/form-data", follow_redirects=True)
    assert count(Proposal) == 0
    text = response.get_data(as_text=True)
    assert message in text or "No participatory budget of your area" in text


def test_minors_cannot_propose_and_are_told_the_age(client, areas, open_process, log_in):
    teen = make_user(home=areas["Esil district / okrug 7"], born=date(date.today().year - 17, 1, 1))
    log_in(teen)
    response = client.post("/proposals/new", data=form(open_process), headers=EN, content_type="multipart/form-data")
    assert "aged 18 and over" in response.get_data(as_text=True)
    assert count(Proposal) == 0


def test_proposing_outside_the_proposals_phase_is_refused(client, users, open_process, log_in):
    move_to_phase(open_process, PhaseKind.REVIEW)
    log_in(users["resident"])
    response = client.post("/proposals/new", data=form(open_process), headers=EN, follow_redirects=True)
    assert "No participatory budget of your area takes proposals now" in response.get_data(as_text=True)
    assert count(Proposal) == 0


def test_anonymous_visitors_must_log_in_to_propose(client, open_process):
    response = client.post("/proposals/new", data=form(open_process))
    assert "/auth/login" in response.headers["Location"]
    assert count(Proposal) == 0


# --- editing and withdrawing ------------------------------------------------------------------

def test_author_edits_until_review_and_each_edit_is_on_the_timeline(client, users, open_process, log_in):
    log_in(users["resident"])
    proposal = propose(client, open_process)
    response = client.post(f"/proposals/{proposal.id}/edit", data=form(open_process, estimated_cost=9_000_000),
                           content_type="multipart/form-data")
    assert response.status_code == 302
    db.session.expire_all()
    proposal = db.session.get(Proposal, proposal.id)
    assert proposal.estimated_cost == 9_000_000
    assert [e.kind for e in proposal.events] == ["submitted", "edited"]
    assert proposal.events[1].data["fields"] == ["estimated_cost"]
    move_to_phase(open_process, PhaseKind.REVIEW)
    client.post(f"/proposals/{proposal.id}/edit", data=form(open_process, estimated_cost=1_000_000),
                content_type="multipart/form-data")
    db.session.expire_all()
    assert db.session.get(Proposal, proposal.id).estimated_cost == 9_000_000


def test_only_the_author_edits_or_withdraws(client, users, open_process, log_in):
    log_in(users["resident"])
    proposal = propose(client, open_process)
    client.post("/auth/logout")
    other = make_user(home=users["resident"].home_area)
    log_in(other)
    assert client.post(f"/proposals/{proposal.id}/edit", data=form(open_process, title="Hijacked title!")).status_code == 403
    client.post(f"/proposals/{proposal.id}/withdraw", data={"reason": "I do not like it"})
    db.session.expire_all()
    proposal = db.session.get(Proposal, proposal.id)
    assert proposal.status == "submitted" and proposal.title.startswith("Playground")


def test_author_withdraws_with_a_reason_shown_on_the_timeline(client, users, open_process, log_in):
    log_in(users["resident"])
    proposal = propose(client, open_process)
    client.post(f"/proposals/{proposal.id}/withdraw", data={"reason": "The akimat already plans it"})
    page = client.get(f"/proposals/{proposal.id}", headers=EN).get_data(as_text=True)
    assert "Withdrawn by the author" in page and "The akimat already plans it" in page


# --- supports -----------------------------------------------------------------------------------

@pytest.fixture
def proposal(client, users, open_process, log_in):
    log_in(users["resident"])
    made = propose(client, open_process)
    client.post("/auth/logout")
    return made


def test_resident_supports_once_and_the_count_shows(client, users, areas, proposal, log_in):
    neighbour = make_user(home=areas["Esil district / okrug 8"])
    log_in(neighbour)
    assert client.post(f"/proposals/{proposal.id}/support").status_code == 302
    again = client.post(f"/proposals/{proposal.id}/support", headers=EN, follow_redirects=True)
    assert "You already support this proposal." in again.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Proposal, proposal.id).support_count == 1
    assert count(Support) == 1
    assert "1 resident supports this" in client.get(f"/proposals/{proposal.id}", headers=EN).get_data(as_text=True)


@pytest.mark.parametrize("who, message", [
    ("resident", "authors cannot support their own"),
    ("resident_elsewhere", "Only residents of"),
])
def test_support_is_refused_for_the_author_and_other_areas(client, users, proposal, log_in, who, message):
    log_in(users[who])
    response = client.post(f"/proposals/{proposal.id}/support", headers=EN, follow_redirects=True)
    assert message in response.get_data(as_text=True)
    assert count(Support) == 0


def test_support_is_refused_outside_the_proposals_phase(client, users, areas, open_process, proposal, log_in):
    move_to_phase(open_process, PhaseKind.VOTING)
    log_in(make_user(home=areas["Esil district / okrug 8"]))
    response = client.post(f"/proposals/{proposal.id}/support", headers=EN, follow_redirects=True)
    assert "only during the proposals phase" in response.get_data(as_text=True)
    assert count(Support) == 0


def test_anonymous_support_goes_to_login(client, proposal):
    assert "/auth/login" in client.post(f"/proposals/{proposal.id}/support").headers["Location"]
    assert count(Support) == 0


def test_reaching_the_threshold_is_an_event(client, areas, open_process, proposal, log_in):
    open_process.support_threshold = 2
    db.session.commit()
    for _ in range(2):
        log_in(make_user(home=areas["Esil district / okrug 9"]))
        client.post(f"/proposals/{proposal.id}/support")
        client.post("/auth/logout")
    kinds = list(db.session.scalars(select(ProposalEvent.kind).where(ProposalEvent.proposal_id == proposal.id)
                                    .order_by(ProposalEvent.id)))
    assert kinds == ["submitted", "threshold_reached"]


# --- review, merge, ballot ----------------------------------------------------------------

def test_resident_cannot_review(client, users, proposal, log_in):
    log_in(users["resident_elsewhere"])
    response = client.post(f"/proposals/{proposal.id}/review", data={"decision": "feasible", "final_cost": 1000},
                           headers=EN, follow_redirects=True)
    assert "Only akimat officials and the expert council" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Proposal, proposal.id).status == "submitted"


def test_official_of_another_district_cannot_review(client, users, proposal, log_in):
    log_in(users["akimat_elsewhere"])
    client.post(f"/proposals/{proposal.id}/review", data={"decision": "feasible", "final_cost": 1000})
    db.session.expire_all()
    assert db.session.get(Proposal, proposal.id).status == "submitted"


def test_review_feasible_with_final_cost_notifies_author_and_supporters(client, users, areas, proposal, log_in):
    supporter = make_user(home=areas["Esil district / okrug 8"])
    log_in(supporter)
    client.post(f"/proposals/{proposal.id}/support")
    client.post("/auth/logout")
    log_in(users["akimat"])
    client.post(f"/proposals/{proposal.id}/review", data={"decision": "feasible", "final_cost": 11_500_000,
                                                          "reason": "Fits the courtyard plan"})
    db.session.expire_all()
    reviewed = db.session.get(Proposal, proposal.id)
    assert reviewed.status == "feasible" and reviewed.final_cost == 11_500_000
    event = reviewed.events[-1]
    assert (event.kind, event.actor_role, event.data["cost"]) == ("reviewed_feasible", "akimat", 11_500_000)
    from app.notifications.models import Notification

    notified = set(db.session.scalars(select(Notification.user_id).where(Notification.event_id == event.id)))
    assert notified == {users["resident"].id, supporter.id}
    client.post("/auth/logout")
    log_in(supporter)
    page = client.get("/notifications", headers=EN).get_data(as_text=True)
    assert "Reviewed: feasible, final cost estimate 11,500,000 ₸" in page
    assert 'class="count"' in client.get("/", headers=EN).get_data(as_text=True)


def test_not_feasible_needs_a_reason_the_author_can_read(client, users, proposal, log_in):
    log_in(users["expert"] if "expert" in users else users["akimat"])
    response = client.post(f"/proposals/{proposal.id}/review", data={"decision": "not_feasible", "reason": "no"},
                           headers=EN, follow_redirects=True)
    assert "Explain to the author why" in response.get_data(as_text=True)
    client.post(f"/proposals/{proposal.id}/review",
                data={"decision": "not_feasible", "reason": "The land belongs to a private cooperative."})
    page = client.get(f"/proposals/{proposal.id}", headers=EN).get_data(as_text=True)
    assert "Reviewed: not feasible" in page and "private cooperative" in page


def test_review_waits_for_the_support_threshold(client, users, open_process, proposal, log_in):
    open_process.support_threshold = 5
    db.session.commit()
    log_in(users["akimat"])
    response = client.post(f"/proposals/{proposal.id}/review", data={"decision": "feasible", "final_cost": 1000},
                           headers=EN, follow_redirects=True)
    assert "needs 5 supports before review" in response.get_data(as_text=True)


def test_merging_a_duplicate_moves_supports_and_both_timelines_say_so(client, users, areas, open_process, log_in):
    log_in(users["resident"])
    original = propose(client, open_process)
    client.post("/auth/logout")
    other_author = make_user(home=areas["Esil district / okrug 8"])
    log_in(other_author)
    duplicate = propose(client, open_process, title="Swings for the Kabanbay Batyr 40 courtyard")
    client.post("/auth/logout")
    fans = [make_user(home=areas["Esil district / okrug 9"]) for _ in range(3)]
    for fan in fans:
        log_in(fan)
        client.post(f"/proposals/{duplicate.id}/support")
        client.post("/auth/logout")
    log_in(fans[0])
    client.post(f"/proposals/{original.id}/support")  # already supports both: counted once
    client.post("/auth/logout")
    log_in(users["akimat"])
    client.post(f"/proposals/{duplicate.id}/merge", data={"into": original.id, "note": "Same courtyard"})
    db.session.expire_all()
    original, duplicate = db.session.get(Proposal, original.id), db.session.get(Proposal, duplicate.id)
    assert (duplicate.status, duplicate.merged_into_id, duplicate.support_count) == ("merged", original.id, 0)
    assert original.support_count == 3
    assert duplicate.events[-1].kind == "merged_into" and original.events[-1].kind == "merged_from"
    assert original.events[-1].data == {"other": duplicate.id, "moved": 2}


def test_only_akimat_places_feasible_proposals_on_the_ballot(client, users, proposal, log_in):
    log_in(users["akimat"])
    client.post(f"/proposals/{proposal.id}/review", data={"decision": "feasible", "final_cost": 10_000_000})
    client.post("/auth/logout")
    log_in(users["moderator"])
    client.post(f"/proposals/{proposal.id}/ballot")
    db.session.expire_all()
    assert db.session.get(Proposal, proposal.id).status == "feasible"
    client.post("/auth/logout")
    log_in(users["akimat"])
    client.post(f"/proposals/{proposal.id}/ballot")
    db.session.expire_all()
    placed = db.session.get(Proposal, proposal.id)
    assert placed.status == "on_ballot"
    assert "Placed on the ballot: Esil district" in client.get(f"/proposals/{proposal.id}", headers=EN).get_data(as_text=True)


def test_every_status_change_has_its_event(client, users, areas, proposal, log_in):
    log_in(users["akimat"])
    client.post(f"/proposals/{proposal.id}/review", data={"decision": "feasible", "final_cost": 10_000_000})
    client.post(f"/proposals/{proposal.id}/ballot")
    db.session.expire_all()
    kinds = [e.kind for e in db.session.get(Proposal, proposal.id).events]
    assert kinds == ["submitted", "reviewed_feasible", "placed_on_ballot"]
