"""Test apps: a config on a given database, and a test client whose requests behave like real
ones next to the test's own app context."""

import contextvars

from flask.testing import FlaskClient

from config import TestingConfig
from eventapp.extensions import db as _db
from eventapp.jobs import dispatch


def make_config(database_url: str, **extra):
    return type("TestConfig", (TestingConfig,), {"SQLALCHEMY_DATABASE_URI": database_url, **extra})


class DbAwareClient(FlaskClient):
    """A test client whose requests behave like real ones next to the test's app context.

    Before each request the test's own session is committed: set-up becomes visible to the
    request and the test's next reads start a fresh transaction (no stale snapshot). The request
    then runs in an empty contextvars context, so it pushes its own app context: its own `g`,
    its own database session, its own Flask-Babel locale, as in production.
    """

    def open(self, *args, **kwargs):
        _db.session.commit()
        # A server publishes a request's jobs once it has sent the response (jobs/dispatch.py);
        # the test client never closes one: they run here, after the response, as in a worker.
        jobs = self.environ_base[dispatch.ENVIRON_KEY] = []
        response = contextvars.Context().run(super().open, *args, **kwargs)
        contextvars.Context().run(dispatch.publish, jobs)
        return response
