"""Comments, useful marks, reports and moderation, notifications and the listing."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Comment, Proposal, Report
from app.notifications.models import Notification, NotificationPreference, OutboxEmail

from .conftest import make_user
from .test_proposals import EN, propose


@pytest.fixture
def proposal(client, users, open_process, log_in):
    log_in(users["resident"])
    made = propose(client, open_process)
    client.post("/auth/logout")
    return made


@pytest.fixture
def neighbour(areas):
    return make_user(home=areas["Esil district / okrug 8"])


def comment_on(client, proposal, body="I agree, our kids need it", stance="for", parent=None):
    data = {"body": body, "stance": stance}
    if parent:
        data["parent_id"] = parent
    return client.post(f"/proposals/{proposal.id}/comments", data=data)


def test_comment_with_stance_notifies_the_author_and_counts_in_the_balance(client, users, proposal, neighbour, log_in):
    log_in(neighbour)
    comment_on(client, proposal, stance="for")
    comment_on(client, proposal, "Too expensive for a courtyard", stance="against")
    page = client.get(f"/proposals/{proposal.id}", headers=EN).get_data(as_text=True)
    assert "For: 1" in page and "Against: 1" in page and "Too expensive" in page
    notified = list(db.session.scalars(select(Notification).where(Notification.user_id == users["resident"].id)))
    assert len(notified) == 2 and all(n.kind == "comments" for n in notified)


def test_replies_stay_one_level_deep(client, proposal, neighbour, log_in):
    log_in(neighbour)
    comment_on(client, proposal)
    top = db.session.scalar(select(Comment))
    comment_on(client, proposal, "A reply", "neutral", parent=top.id)
    reply = db.session.scalar(select(Comment).where(Comment.parent_id == top.id))
    comment_on(client, proposal, "A reply to the reply", "neutral", parent=reply.id)
    nested = db.session.scalar(select(Comment).where(Comment.body == "A reply to the reply"))
    assert nested.parent_id == top.id


def test_bad_comment_is_refused_and_nothing_stored(client, proposal, neighbour, log_in):
    log_in(neighbour)
    comment_on(client, proposal, body="")
    comment_on(client, proposal, stance="maybe")
    assert db.session.scalar(select(func.count(Comment.id))) == 0


def test_comment_edits_only_within_15_minutes_by_its_author(client, proposal, neighbour, users, log_in):
    log_in(neighbour)
    comment_on(client, proposal)
    comment = db.session.scalar(select(Comment))
    client.post(f"/comments/{comment.id}/edit", data={"body": "Changed my words", "stance": "neutral"})
    db.session.expire_all()
    assert db.session.get(Comment, comment.id).body == "Changed my words"
    comment = db.session.get(Comment, comment.id)
    comment.created_at -= timedelta(minutes=16)
    db.session.commit()
    late = client.post(f"/comments/{comment.id}/edit", data={"body": "Too late now", "stance": "for"},
                       headers=EN, follow_redirects=True)
    assert "within 15 minutes" in late.get_data(as_text=True)
    client.post("/auth/logout")
    log_in(users["resident_elsewhere"])
    assert client.post(f"/comments/{comment.id}/edit", data={"body": "Not mine", "stance": "for"}).status_code == 403
    client.post(f"/comments/{comment.id}/delete")
    db.session.expire_all()
    assert db.session.get(Comment, comment.id).body == "Changed my words"


def test_author_deletes_own_comment(client, proposal, neighbour, log_in):
    log_in(neighbour)
    comment_on(client, proposal, "Regret this")
    comment = db.session.scalar(select(Comment))
    client.post(f"/comments/{comment.id}/delete")
    page = client.get(f"/proposals/{proposal.id}", headers=EN).get_data(as_text=True)
    assert "Regret this" not in page and "Deleted by its author." in page


def test_useful_is_counted_once_per_resident(client, proposal, neighbour, users, log_in):
    log_in(neighbour)
    comment_on(client, proposal)
    comment = db.session.scalar(select(Comment))
    client.post("/auth/logout")
    log_in(users["resident"])
    client.post(f"/comments/{comment.id}/useful")
    client.post(f"/comments/{comment.id}/useful")
    db.session.expire_all()
    assert db.session.get(Comment, comment.id).useful_count == 1


def test_report_and_moderator_hides_with_a_reason_shown_in_place(client, users, proposal, neighbour, log_in):
    log_in(neighbour)
    comment_on(client, proposal, "Buy cheap pills at spam.example")
    comment = db.session.scalar(select(Comment))
    client.post(f"/comments/{comment.id}/report", data={"reason": "Advertising spam"})
    assert db.session.scalar(select(func.count(Report.id))) == 1
    client.post("/auth/logout")
    log_in(users["resident_elsewhere"])  # not a moderator: refused, nothing hidden
    client.post(f"/comments/{comment.id}/hide", data={"reason": "I do not like it"})
    db.session.expire_all()
    assert db.session.get(Comment, comment.id).hidden_at is None
    client.post("/auth/logout")
    log_in(users["moderator"])
    assert "Advertising spam" in client.get("/moderation").get_data(as_text=True)
    client.post(f"/comments/{comment.id}/hide", data={"reason": "Advertising"})
    page = client.get(f"/proposals/{proposal.id}", headers=EN).get_data(as_text=True)
    assert "Hidden by a moderator: Advertising" in page and "spam.example" not in page
    assert db.session.scalar(select(Report.resolution)) == "hidden"
    assert "Advertising spam" not in client.get("/moderation").get_data(as_text=True)
    client.post(f"/comments/{comment.id}/restore", data={"reason": "Reviewed again: fine"})
    assert "spam.example" in client.get(f"/proposals/{proposal.id}").get_data(as_text=True)


def test_moderator_hides_a_proposal_and_its_timeline_says_so(client, users, proposal, log_in):
    log_in(users["moderator"])
    client.post(f"/proposals/{proposal.id}/hide", data={"reason": "Personal data in the text"})
    client.post("/auth/logout")
    page = client.get(f"/proposals/{proposal.id}", headers=EN).get_data(as_text=True)
    assert "Hidden by a moderator: Personal data in the text" in page
    assert "Kabanbay Batyr avenue 40" not in page
    assert [e.kind for e in db.session.get(Proposal, proposal.id).events][-1] == "hidden"


def test_photos_of_a_hidden_proposal_are_not_served_until_it_is_restored(client, users, open_process, log_in):
    import io

    from .test_proposals import image_bytes

    log_in(users["resident"])
    made = propose(client, open_process, photos=[(io.BytesIO(image_bytes("JPEG")), "courtyard.jpg")])
    photo_url = f"/photos/{made.photos[0].stored_name}"
    assert client.get(photo_url).status_code == 200
    client.post("/auth/logout")
    log_in(users["moderator"])
    client.post(f"/proposals/{made.id}/hide", data={"reason": "An offensive picture"})
    assert client.get(photo_url).status_code == 404  # the moderator's reason replaces it everywhere
    client.post("/auth/logout")
    assert client.get(photo_url).status_code == 404
    log_in(users["resident"])
    assert client.get(photo_url).status_code == 404
    client.post("/auth/logout")
    log_in(users["moderator"])
    client.post(f"/proposals/{made.id}/restore", data={"reason": "The picture was replaced"})
    client.post("/auth/logout")
    assert client.get(photo_url).status_code == 200


def test_moderation_queue_is_for_moderators_only(client, users, log_in):
    assert "/auth/login" in client.get("/moderation").headers["Location"]
    log_in(users["resident"])
    assert client.get("/moderation").status_code == 403


def test_switching_off_notifications_and_opting_in_to_email(client, users, proposal, neighbour, log_in):
    log_in(users["resident"])
    client.post("/notifications/settings", data={"comments-email": "on"})  # in-app off, email on
    pref = db.session.get(NotificationPreference, (users["resident"].id, "comments"))
    assert (pref.in_app, pref.email) == (False, True)
    client.post("/auth/logout")
    log_in(neighbour)
    comment_on(client, proposal)
    assert db.session.scalar(select(func.count(Notification.id))) == 0
    email = db.session.scalar(select(OutboxEmail))
    assert email.recipient == users["resident"].email and "our kids need it" in email.body


def test_notifications_page_marks_all_read(client, users, proposal, neighbour, log_in):
    log_in(neighbour)
    comment_on(client, proposal)
    client.post("/auth/logout")
    log_in(users["resident"])
    assert 'class="count"' in client.get("/").get_data(as_text=True)
    client.post("/notifications/read")
    assert 'class="count"' not in client.get("/").get_data(as_text=True)


# --- listing ---------------------------------------------------------------------------------

@pytest.fixture
def several(client, users, areas, open_process, log_in):
    log_in(users["resident"])
    cheap = propose(client, open_process, title="Benches along Turan avenue", estimated_cost=2_000_000,
                    category_id=next(c.id for c in open_process.categories if c.code == "benches_bins"))
    lit = propose(client, open_process, title="Lighting for the Esil embankment path", estimated_cost=15_000_000,
                  category_id=next(c.id for c in open_process.categories if c.code == "lighting"))
    client.post("/auth/logout")
    log_in(make_user(home=areas["Esil district / okrug 8"]))
    client.post(f"/proposals/{lit.id}/support")
    client.post("/auth/logout")
    return cheap, lit


def _titles(client, query):
    html = client.get("/proposals" + query, headers=EN).get_data(as_text=True)
    return [t for t in ("Benches along Turan", "Lighting for the Esil") if t in html], html


def test_listing_searches_filters_and_sorts(client, several):
    assert _titles(client, "?q=embankment")[0] == ["Lighting for the Esil"]
    assert _titles(client, "?category=benches_bins")[0] == ["Benches along Turan"]
    assert _titles(client, "?status=feasible")[0] == []
    html = _titles(client, "?sort=cost")[1]
    assert html.index("Benches along Turan") < html.index("Lighting for the Esil")
    html = _titles(client, "?sort=supports")[1]
    assert html.index("Lighting for the Esil") < html.index("Benches along Turan")


def test_listing_survives_nonsense_parameters(client, several):
    for query in ("?page=-3", "?page=abc", "?sort=drop+table", "?area=999999", "?status=draft", "?q=%25_%25",
                  "?budget=x", "?page=99999999999999"):
        assert client.get("/proposals" + query).status_code == 200, query


def test_listing_paginates_with_shareable_urls(client, users, open_process, log_in, monkeypatch):
    monkeypatch.setattr("app.proposals.listing.PER_PAGE", 1)
    log_in(users["resident"])
    for title in ("First proposal title", "Second proposal title"):
        propose(client, open_process, title=title)
    html = client.get("/proposals?sort=newest").get_data(as_text=True)
    assert "Second proposal title" in html and "First proposal title" not in html
    assert 'href="/proposals?sort=newest&amp;page=2"' in html
    assert "First proposal title" in client.get("/proposals?sort=newest&page=2").get_data(as_text=True)
