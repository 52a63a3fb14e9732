"""The audit log records officials' changes with before/after and detects tampering."""
from sqlalchemy import func, select, update

from app.extensions import db
from app.models import AuditEntry

from .test_proposals import propose


def test_official_changes_are_logged_with_before_and_after_and_residents_are_not(client, users, open_process, log_in):
    log_in(users["resident"])
    proposal = propose(client, open_process)
    client.post("/auth/logout")
    assert db.session.scalar(select(func.count(AuditEntry.id))) == 0  # a resident's own actions
    log_in(users["akimat"])
    client.post(f"/proposals/{proposal.id}/review", data={"decision": "feasible", "final_cost": 11_000_000})
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.object_type == "proposals"))
    assert entry.actor_id == users["akimat"].id and entry.action == "update"
    assert entry.changes["status"] == ["submitted", "feasible"]
    assert entry.changes["final_cost"] == [None, 11_000_000]


def test_passwords_and_iins_never_reach_the_log(client, users, log_in):
    log_in(users["admin"])
    client.post("/admin/roles", data={"email": users["resident"].email, "role": "expert",
                                      "area_id": users["resident"].home_area_id})
    text = " ".join(str(e.changes) for e in db.session.scalars(select(AuditEntry)))
    assert "role_grants" in {e.object_type for e in db.session.scalars(select(AuditEntry))}
    assert users["resident"].iin not in text and "pbkdf2" not in text and "scrypt" not in text


def test_verify_catches_an_altered_and_a_removed_entry(app, client, users, open_process, log_in):
    log_in(users["admin"])
    for reason in ("First early close reason", "Second change reason"):
        client.post(f"/admin/processes/{open_process.id}/phases/review/open", data={"reason": reason, "confirm": "y"})
    client.post("/admin/mci", data={"year": 2031, "tenge": 5000})
    runner = app.test_cli_runner()
    intact = runner.invoke(args=["audit", "verify"])
    assert intact.exit_code == 0 and "intact" in intact.output
    ids = list(db.session.scalars(select(AuditEntry.id).order_by(AuditEntry.id)))
    assert len(ids) >= 3
    db.session.execute(update(AuditEntry).where(AuditEntry.id == ids[1]).values(actor_roles="resident"))
    db.session.commit()
    altered = runner.invoke(args=["audit", "verify"])
    assert altered.exit_code == 1 and f"entry {ids[1]}: its content was altered" in altered.output


def test_verify_catches_a_deleted_entry(app, client, users, log_in):
    log_in(users["admin"])
    for year in (2031, 2032, 2033):
        client.post("/admin/mci", data={"year": year, "tenge": 5000})
    ids = list(db.session.scalars(select(AuditEntry.id).order_by(AuditEntry.id)))
    db.session.execute(AuditEntry.__table__.delete().where(AuditEntry.id == ids[1]))
    db.session.commit()
    out = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert out.exit_code == 1 and "removed or inserted" in out.output


def test_audit_page_is_for_administrators(client, users, log_in):
    log_in(users["admin"])
    client.post("/admin/mci", data={"year": 2031, "tenge": 5000})
    assert "mci_rates" in client.get("/admin/audit").get_data(as_text=True)
    client.post("/auth/logout")
    log_in(users["akimat"])
    assert client.get("/admin/audit").status_code == 403
