"""Configuration, health, error pages and demo data."""
import pytest
from sqlalchemy import func, select

from app import create_app
from app.config import ConfigError
from app.extensions import db
from app.models import Area, Process, RoleGrant, User


@pytest.mark.parametrize("missing", ["SECRET_KEY", "VOTER_KEY_SECRET", "DATABASE_URL"])
def test_production_refuses_to_start_without_its_secrets(monkeypatch, missing):
    monkeypatch.setenv("SECRET_KEY", "s3cret-from-the-environment")
    monkeypatch.setenv("VOTER_KEY_SECRET", "another-s3cret")
    monkeypatch.setenv("DATABASE_URL", "postgresql://qatysu@db/qatysu")
    monkeypatch.delenv(missing)
    with pytest.raises(ConfigError, match=missing):
        create_app("production")


def test_production_takes_secrets_from_the_environment(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "s3cret-from-the-environment")
    monkeypatch.setenv("VOTER_KEY_SECRET", "another-s3cret")
    monkeypatch.setenv("DATABASE_URL", "postgres://qatysu@db/qatysu")
    app = create_app("production")
    assert app.config["SECRET_KEY"] == "s3cret-from-the-environment"
    assert app.config["VOTER_KEY_SECRET"] == "another-s3cret"
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://qatysu@db/qatysu"
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_healthz_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "db": "ok"}


@pytest.mark.parametrize("locale, text", [("kk", "Бет табылмады"), ("ru", "Страница не найдена"), ("en", "Page not found")])
def test_not_found_page_speaks_the_visitors_language(client, locale, text):
    response = client.get("/no-such-page", headers={"Accept-Language": locale})
    assert response.status_code == 404
    assert text in response.get_data(as_text=True)


def test_server_error_rolls_back_and_shows_a_page(app, client, areas, monkeypatch):
    def write_then_fail(user):  # a service that writes and then fails half-way
        db.session.add(Area(kind="okrug", name_kk="x", name_ru="x", name_en="half-written", path="/"))
        db.session.flush()
        raise RuntimeError("boom")

    monkeypatch.setattr("app.main.routes.processes_for_home", write_then_fail)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    response = client.get("/", headers={"Accept-Language": "en"})
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Area.id)).where(Area.name_en == "half-written")) == 0


def test_demo_data_is_idempotent_and_has_one_user_per_role(ctx):
    from app.demo import load_demo_data

    load_demo_data()
    counts = [db.session.scalar(select(func.count(m.id))) for m in (Area, User, Process, RoleGrant)]
    load_demo_data()
    assert [db.session.scalar(select(func.count(m.id))) for m in (Area, User, Process, RoleGrant)] == counts
    roles = set(db.session.scalars(select(RoleGrant.role)))
    assert roles == {"admin", "akimat", "deputy", "expert", "moderator"}
    districts = set(db.session.scalars(select(Area.name_en).where(Area.kind == "district")))
    assert districts == {"Almaty district", "Baikonur district", "Esil district", "Nura district", "Saryarka district"}
    statuses = sorted(p.status() for p in db.session.scalars(select(Process)))
    assert statuses == ["finished", "proposals"]
