"""Issue 20, point 6: honest answers when the database fails. The friendly 503 always (closing
the session on a dead connection after the answer no longer turns it into a blank 500), and a
saved change is never reported as lost: the page says whether the commit was never reached
(nothing saved), was sent when the database went away (maybe saved: check your e-mail), or
was done (saved)."""

import html

from sqlalchemy import event as sa_event
from sqlalchemy.exc import OperationalError

from eventapp.extensions import db
from tests.core.conftest import actions


def _page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _lost() -> OperationalError:
    return OperationalError("COMMIT", {}, Exception("server closed the connection unexpectedly"))


def test_a_commit_cut_by_the_outage_says_it_may_be_saved(probe, probe_app):
    def cut(_conn):
        raise _lost()

    with probe_app.app_context():
        engine = db.engine
    sa_event.listen(engine, "commit", cut)
    try:
        response = probe.post("/probe/write")
    finally:
        sa_event.remove(engine, "commit", cut)
    assert response.status_code == 503
    page = _page(response)
    assert "pas pu confirmer" in page and "consultez vos e-mails" in page
    assert "Rien n’a été enregistré" not in page


def test_a_failure_after_the_commit_says_it_is_saved(probe, probe_app):
    def fail(_response):
        raise _lost()

    hooks = probe_app.after_request_funcs.setdefault(None, [])
    hooks.append(fail)
    probe_app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: the error page
    try:
        response = probe.post("/probe/write")
    finally:
        hooks.remove(fail)
        probe_app.config["PROPAGATE_EXCEPTIONS"] = None
    assert actions() == ["probe.write"]  # it was saved...
    assert response.status_code == 500
    page = _page(response)
    assert "bien été enregistré" in page  # ...and the page says so
    assert "Rien n’a été enregistré" not in page


def test_a_write_that_never_reached_its_commit_says_nothing_was_saved(probe, probe_app):
    def fail(*_args):
        raise _lost()

    with probe_app.app_context():
        engine = db.engine
    sa_event.listen(engine, "before_cursor_execute", fail)
    try:
        response = probe.post("/probe/write")
    finally:
        sa_event.remove(engine, "before_cursor_execute", fail)
    assert response.status_code == 503
    assert "Rien n’a été enregistré" in _page(response)
    assert actions() == []


def test_closing_the_session_on_a_dead_connection_keeps_the_answer(probe, probe_app, caplog):
    scoped = db.session
    original = type(scoped).remove
    calls = []

    def remove(self):
        if not calls:
            calls.append(1)
            self.registry().close()
            raise _lost()
        return original(self)

    type(scoped).remove = remove
    try:
        response = probe.post("/probe/write")  # used to escape to the server: a blank 500
    finally:
        type(scoped).remove = original
    assert calls and response.status_code == 200 and response.json == {"ok": "probe.write"}
    assert "closing the request's session failed" in caplog.text
    assert actions() == ["probe.write"]
