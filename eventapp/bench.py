"""Benchmark-only endpoints and instrumentation, mounted only when BENCH_MODE=1.

- POST /bench/insert: the reference write — one row inserted through SQLAlchemy in one
  transaction, no validation, no CSRF — against which the registration form is measured.
- Every response carries X-SQL-Statements: the number of SQL statements the request ran.
"""

from flask import Blueprint, g
from sqlalchemy import event as sa_event

from eventapp.extensions import csrf, db
from eventapp.models import AuditLog
from eventapp.permissions import guard

bp = Blueprint("bench", __name__, url_prefix="/bench")
csrf.exempt(bp)


@bp.post("/insert")
@guard.public  # BENCH_MODE only: the reference write
def insert():
    db.session.add(AuditLog(action="bench.insert", actor="bench"))  # the request commits it
    return {"ok": True}


def init_app(app) -> None:
    if not app.config.get("BENCH_MODE"):
        return
    app.register_blueprint(bp)

    with app.app_context():
        engine = db.engine

    @sa_event.listens_for(engine, "before_cursor_execute")
    def _count(conn, cursor, statement, parameters, context, executemany):
        from flask import has_request_context

        if has_request_context():
            g.sql_statements = g.get("sql_statements", 0) + 1

    @app.after_request
    def _report(response):
        response.headers["X-SQL-Statements"] = str(g.get("sql_statements", 0))
        return response
