"""The request owns its transaction: one commit after a view that answered without error, a
rollback for an exception or an error answer; what must survive it uses own_transaction()."""

from contextlib import contextmanager

import pytest
from sqlalchemy import event as sa_event

from eventapp.database import own_transaction
from eventapp.models import AuditLog
from tests.core.conftest import actions


@contextmanager
def count_commits(engine):
    commits = []

    def _commit(_conn):
        commits.append(1)

    sa_event.listen(engine, "commit", _commit)
    try:
        yield commits
    finally:
        sa_event.remove(engine, "commit", _commit)


def probe_engine(probe_app):
    from eventapp.extensions import db

    with probe_app.app_context():
        return db.engine


def test_a_write_request_commits_once_after_the_view(probe, probe_app):
    with count_commits(probe_engine(probe_app)) as commits:
        response = probe.post("/probe/write")
    assert response.status_code == 200
    assert len(commits) == 1
    assert actions() == ["probe.write"]


def test_a_get_that_writes_commits_too(probe):
    # An export's audit line is written by a GET: the request's commit keeps it.
    assert probe.get("/probe/write").status_code == 200
    assert actions() == ["probe.write"]


def test_an_exception_propagated_to_the_caller_rolled_back_first(probe):
    # Tests propagate exceptions: the rollback came before, nothing is kept.
    with pytest.raises(RuntimeError, match="boom"):
        probe.post("/probe/write?then=raise")
    assert actions() == []


@pytest.mark.parametrize("then", ["raise", "status", "service"])
def test_an_exception_or_an_error_answer_rolls_back(probe, then, monkeypatch):
    monkeypatch.setitem(probe.application.config, "PROPAGATE_EXCEPTIONS", False)
    response = probe.post(f"/probe/write?then={then}")
    assert response.status_code == {"raise": 500, "status": 400, "service": 409}[then]
    assert actions() == []


def test_a_view_that_still_commits_itself_is_harmless(probe, probe_app):
    with count_commits(probe_engine(probe_app)) as commits:
        assert probe.post("/probe/commit-inside").status_code == 200
    assert len(commits) == 2  # the view's, then the request's for what came after
    assert actions() == ["probe.inside", "probe.after"]


def test_own_transaction_survives_the_requests_rollback(probe):
    assert probe.post("/probe/own?then=status").status_code == 400
    assert actions() == ["probe.counter"]
    assert probe.post("/probe/own").status_code == 200
    assert actions() == ["probe.counter", "probe.counter", "probe.write"]


def test_own_transaction_is_refused_once_the_request_has_written(probe, monkeypatch):
    monkeypatch.setitem(probe.application.config, "PROPAGATE_EXCEPTIONS", False)
    response = probe.post("/probe/own-after-write")
    assert response.status_code == 500
    assert actions() == []


def test_own_transaction_outside_a_request_commits_and_rolls_back(db):
    with own_transaction():
        db.session.add(AuditLog(action="kept", actor="test"))
    with pytest.raises(RuntimeError), own_transaction():
        db.session.add(AuditLog(action="dropped", actor="test"))
        db.session.flush()
        raise RuntimeError("no")
    assert actions() == ["kept"]
    db.session.add(AuditLog(action="pending", actor="test"))
    with pytest.raises(RuntimeError, match="has written"), own_transaction():
        pass
    db.session.rollback()
    assert actions() == ["kept"]
