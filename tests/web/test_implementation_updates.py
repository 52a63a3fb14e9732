"""Implementation reports (issue #18): a photo on a report through the upload pipeline, and a
report corrected with its history kept."""
import io

from sqlalchemy import select

from app.extensions import db
from app.models import ImplementationUpdate, Proposal

from .test_implementation import funded
from .test_proposals import EN, image_bytes

FIXTURES = (funded,)  # another test file's fixture, used here by name


def _report(client, proposal, **data):
    body = {"what": "report", "status": "in_progress", "progress": "60", "spent": "20 000 000",
            "note": "Frames installed", **data}
    return client.post(f"/proposals/{proposal.id}/implementation", data=body, headers=EN,
                       content_type="multipart/form-data")


def test_a_report_carries_a_photo_reencoded_and_shown_to_residents(client, users, funded, log_in):
    proposal, _ = funded
    log_in(users["akimat"])
    assert _report(client, proposal, photo=(io.BytesIO(image_bytes("PNG")), "site.png")).status_code == 302
    update = db.session.scalar(select(ImplementationUpdate))
    assert update.photo_name and update.photo_name.endswith(".jpg")
    client.post("/auth/logout")
    page = client.get(f"/proposals/{proposal.id}", headers=EN).get_data(as_text=True)
    assert f"/implementation-photos/{update.photo_name}" in page
    served = client.get(f"/implementation-photos/{update.photo_name}")
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    assert client.get("/implementation-photos/not-ours.jpg").status_code == 404


def test_a_file_that_is_not_a_photo_is_refused_and_nothing_stored(client, users, funded, log_in):
    proposal, _ = funded
    log_in(users["akimat"])
    response = _report(client, proposal, photo=(io.BytesIO(b"%PDF-1.4 not a picture"), "report.pdf"))
    assert response.status_code == 200 and "This file is not a picture we can read" in response.get_data(as_text=True)
    assert db.session.scalar(select(ImplementationUpdate.id)) is None


def test_a_report_is_corrected_and_its_history_kept(client, users, funded, log_in):
    proposal, _ = funded
    log_in(users["akimat"])
    _report(client, proposal, spent="200 000 000")  # a typo: one zero too many
    wrong = db.session.scalar(select(ImplementationUpdate))
    response = client.post(f"/implementation-updates/{wrong.id}/correct", headers=EN,
                           data={"progress": "60", "spent": "20 000 000", "reason": "One zero too many"})
    assert response.status_code == 302
    db.session.expire_all()
    impl = db.session.get(Proposal, proposal.id).implementation
    assert impl.spent == 20_000_000
    updates = db.session.scalars(select(ImplementationUpdate).order_by(ImplementationUpdate.id)).all()
    assert [(u.spent, u.corrects_id) for u in updates] == [(200_000_000, None), (20_000_000, wrong.id)]
    page = client.get(f"/proposals/{proposal.id}", headers=EN).get_data(as_text=True)
    assert "Corrected: One zero too many" in page and "200,000,000 ₸" in page  # the old report stays visible
    again = client.post(f"/implementation-updates/{wrong.id}/correct", headers=EN, follow_redirects=True,
                        data={"progress": "60", "spent": "1", "reason": "Twice"})
    assert "This report is already corrected" in again.get_data(as_text=True)


def test_a_correction_needs_a_reason_and_money_and_the_areas_akimat(client, users, funded, log_in):
    proposal, _ = funded
    log_in(users["akimat"])
    _report(client, proposal)
    update = db.session.scalar(select(ImplementationUpdate))
    url = f"/implementation-updates/{update.id}/correct"
    for data, message in (({"progress": "60", "spent": "5", "reason": ""}, "Give the reason for the correction"),
                          ({"progress": "60", "spent": "5 млн", "reason": "Typo"}, "Enter the amount in whole tenge")):
        page = client.post(url, data=data, headers=EN, follow_redirects=True).get_data(as_text=True)
        assert message in page
    client.post("/auth/logout")
    log_in(users["akimat_elsewhere"])
    assert client.post(url, data={"progress": "1", "spent": "1", "reason": "Not mine"}).status_code == 403
    assert len(db.session.scalars(select(ImplementationUpdate)).all()) == 1
