"""A photo attached to a proposal form is not lost when another field is refused (issue #19): it
is kept for the retry, only for its uploader, and attached when the form goes through."""
import io
import re

from sqlalchemy import func, select

from app.extensions import db
from app.models import PendingPhoto, Proposal, ProposalPhoto

from .conftest import make_user
from .test_proposals import EN, form, image_bytes


def _post(client, data):
    return client.post("/proposals/new", data=data, headers=EN, content_type="multipart/form-data")


def _tokens(html: str) -> list[str]:
    return re.findall(r'name="kept_photo" value="([0-9a-f]{32})" checked', html)


def test_a_photo_survives_an_error_in_another_field_and_is_attached_on_the_retry(client, users, open_process, log_in):
    log_in(users["resident"])
    refused = _post(client, form(open_process, title="", photos=(io.BytesIO(image_bytes()), "swing.png")))
    html = refused.get_data(as_text=True)
    assert refused.status_code == 200
    assert db.session.scalar(select(func.count()).select_from(Proposal)) == 0  # nothing saved yet
    tokens = _tokens(html)
    assert len(tokens) == 1 and "is kept and will be attached" in html
    assert 'value="Kabanbay Batyr avenue 40, courtyard"' in html  # what was typed, still there
    accepted = _post(client, form(open_process, kept_photo=tokens))
    assert accepted.status_code == 302
    proposal = db.session.scalars(select(Proposal)).one()
    assert [p.width for p in proposal.photos] == [64]
    assert db.session.scalar(select(func.count()).select_from(PendingPhoto)) == 0


def test_someone_else_cannot_claim_a_kept_photo(client, users, areas, open_process, log_in):
    log_in(users["resident"])
    tokens = _tokens(_post(client, form(open_process, title="", photos=(io.BytesIO(image_bytes()), "a.png")))
                     .get_data(as_text=True))
    client.post("/auth/logout")
    log_in(make_user(home=areas["Esil district / okrug 8"]))
    assert _post(client, form(open_process, kept_photo=tokens)).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(ProposalPhoto)) == 0
    assert db.session.scalar(select(func.count()).select_from(PendingPhoto)) == 1  # still its uploader's


def test_a_file_that_is_no_photo_is_refused_and_the_good_one_kept(client, users, open_process, log_in):
    log_in(users["resident"])
    response = _post(client, form(open_process, photos=[(io.BytesIO(image_bytes()), "good.png"),
                                                        (io.BytesIO(b"<?php echo 1; ?>"), "bad.jpg")]))
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="photos-error"' in html
    assert len(_tokens(html)) == 1
    assert db.session.scalar(select(func.count()).select_from(Proposal)) == 0
