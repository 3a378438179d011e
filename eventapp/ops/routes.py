"""`/readyz`: may this instance take traffic? (`/healthz`, in public, only says the process
is up.) Ready means the database answers and its schema is at the code's migration head, and
the job broker answers (when jobs go through one: not with JOBS_EAGER)."""

from functools import cache

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app, jsonify
from sqlalchemy.exc import SQLAlchemyError

from eventapp.extensions import db, limiter
from eventapp.jobs import broker
from eventapp.ops.blueprint import bp
from eventapp.permissions import guard


@cache
def code_heads(directory: str) -> frozenset[str]:
    """The head revision(s) of the migrations shipped with the code (read once)."""
    return frozenset(ScriptDirectory(directory).get_heads())


def _answer(code: int, **body):
    response = jsonify(body)
    response.status_code = code
    response.headers["Cache-Control"] = "no-store"
    if code == 503:
        response.headers["Retry-After"] = "5"
    return response


@bp.get("/readyz")
@guard.public
@limiter.exempt
def readyz():
    heads = code_heads(current_app.extensions["migrate"].directory)
    try:
        with db.engine.connect() as connection:
            current = frozenset(MigrationContext.configure(connection).get_current_heads())
    except SQLAlchemyError as error:
        current_app.logger.warning("readyz: database unreachable (%s)", type(error).__name__)
        return _answer(503, status="unavailable", reason="database unreachable")
    if not current:
        return _answer(503, status="unavailable", reason="database not migrated")
    if current != heads:
        return _answer(
            503,
            status="unavailable",
            reason="migrations not current",
            database_revision=sorted(current),
            code_revision=sorted(heads),
        )
    celery = current_app.extensions["celery"]
    if celery.conf.task_always_eager:
        return _answer(200, status="ready", database="ok", revision=sorted(heads))
    kind = broker.describe(celery.conf.broker_url)
    problem = broker.check(celery)
    if problem is not None:
        current_app.logger.warning("readyz: job broker unreachable (%s)", problem)
        return _answer(503, status="unavailable", reason="broker unreachable", broker=kind)
    return _answer(200, status="ready", database="ok", broker=kind, revision=sorted(heads))
