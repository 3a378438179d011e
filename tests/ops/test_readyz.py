"""/healthz says the process is up; /readyz says the database answers at the code's schema."""

from alembic.script import ScriptDirectory
from sqlalchemy import text

from eventapp import create_app
from eventapp.extensions import db as _db
from tests.support.apps import DbAwareClient, make_config


def _code_heads(app) -> list[str]:
    return sorted(ScriptDirectory(app.extensions["migrate"].directory).get_heads())


def test_healthz_and_readyz_when_all_is_well(client, app):
    assert client.get("/healthz").json == {"status": "ok"}
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json["status"] == "ready"
    assert response.json["revision"] == _code_heads(app)
    assert response.headers["Cache-Control"] == "no-store"


def test_not_ready_on_a_database_without_migrations(sqlite_app_factory):
    bare = sqlite_app_factory("bare.db", migrate=False)
    response = bare.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json == {"status": "unavailable", "reason": "database not migrated"}
    assert response.headers["Retry-After"] == "5"


def test_not_ready_when_the_database_is_behind_the_code(sqlite_app_factory):
    behind = sqlite_app_factory("behind.db")
    with behind.app_context():
        _db.session.execute(text("UPDATE alembic_version SET version_num = '0000_older'"))
        _db.session.commit()
    response = behind.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json["reason"] == "migrations not current"
    assert response.json["database_revision"] == ["0000_older"]
    assert response.json["code_revision"] == _code_heads(behind)


def test_not_ready_when_the_database_cannot_be_opened(tmp_path):
    missing = create_app(make_config(f"sqlite:///{tmp_path}/no/such/dir/x.db"))
    try:
        response = missing.test_client().get("/readyz")
        assert response.status_code == 503
        assert response.json == {"status": "unavailable", "reason": "database unreachable"}
        assert missing.test_client().get("/healthz").status_code == 200  # the process is up
    finally:
        with missing.app_context():
            _db.engine.dispose()


def test_not_ready_when_postgresql_goes_away_and_ready_again_when_it_is_back(proxied_app, db_proxy):
    proxied_app.test_client_class = DbAwareClient
    client = proxied_app.test_client()
    assert client.get("/readyz").status_code == 200
    db_proxy.close()
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json["reason"] == "database unreachable"
    db_proxy.reopen()
    assert client.get("/readyz").status_code == 200
