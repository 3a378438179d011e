"""The benchmark's reference endpoint and SQL counter exist only in BENCH_MODE."""

import pytest
from sqlalchemy import func, select

from eventapp import create_app
from eventapp.models import AuditLog
from tests.support.apps import DbAwareClient, make_config


@pytest.fixture
def bench_app(database_url):
    app = create_app(make_config(database_url, BENCH_MODE=True, WTF_CSRF_ENABLED=True))
    app.test_client_class = DbAwareClient
    yield app
    with app.app_context():
        from eventapp.extensions import db

        db.engine.dispose()


def test_bench_insert_writes_one_row_and_reports_statements(bench_app, db):
    response = bench_app.test_client().post("/bench/insert")
    assert response.status_code == 200
    assert int(response.headers["X-SQL-Statements"]) >= 1
    assert db.session.scalar(select(func.count()).select_from(AuditLog)) == 1


def test_bench_endpoints_do_not_exist_outside_bench_mode(client):
    assert client.post("/bench/insert").status_code == 404
    assert "X-SQL-Statements" not in client.get("/healthz").headers
