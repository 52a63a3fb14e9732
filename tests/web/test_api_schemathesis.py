"""schemathesis generates requests from /api/v1/openapi.json and checks that no server error
happens and that responses match the documented schemas."""
import schemathesis
from hypothesis import settings

from app import create_app
from app.extensions import db

_app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
with _app.test_request_context():
    db.create_all()
    from app.demo import load_areas, load_processes, load_users

    _areas = load_areas()
    load_users(_areas)
    from datetime import date

    load_processes(_areas, date.today())
    db.session.commit()

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", _app)


@schema.parametrize()
@settings(max_examples=15, deadline=None)
def test_api_conforms_to_its_openapi_document(case):
    case.call_and_validate()
