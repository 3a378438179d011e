"""Issue 20, point 2: a login and a "forgot password" request must not tell which accounts
exist by how long they take (82 against 7 ms: no hash computed for an unknown address; 19
against 6 ms: the reset mail prepared in the request). Proved on the work done, not on a
stopwatch: the same password-hash checks at the same cost, the same queries, the same job
published and the same page, for an address with an account and one without."""

import werkzeug.security
from sqlalchemy import select

from eventapp.jobs import dispatch
from eventapp.models import OutboxMessage
from eventapp.services import accounts


def _method(password_hash: str) -> str:
    return password_hash.split("$", 1)[0]  # "scrypt:1024:8:1": the algorithm and its cost


def test_a_login_does_the_same_work_for_an_unknown_address(
    client, factory, monkeypatch, query_counter
):
    user = factory.user(email="known@example.org")
    checks = []
    real_check = werkzeug.security.check_password_hash

    def counted(pwhash, password):
        checks.append(_method(pwhash))
        return real_check(pwhash, password)

    monkeypatch.setattr(werkzeug.security, "check_password_hash", counted)
    monkeypatch.setattr("eventapp.models.user.check_password_hash", counted)

    def attempt(email):
        checks.clear()
        with query_counter() as queries:
            response = client.post(
                "/auth/login", data={"email": email, "password": "wrong-password-123"}
            )
        page = response.get_data(as_text=True).replace(email, "EMAIL")
        return response.status_code, list(checks), len(queries), page

    client.get("/auth/login")  # warm-up (templates)
    known = attempt("known@example.org")
    unknown = attempt("nobody@example.org")
    assert known[0] == unknown[0] == 401
    # One password hash checked either way, at the account's cost (the decoy is no cheaper).
    assert known[1] == unknown[1] == [_method(user.password_hash)]
    assert known[2] == unknown[2]  # the same queries
    assert known[3] == unknown[3]  # the same page


def test_a_reset_request_does_the_same_work_for_an_unknown_address(
    app, client, db, factory, monkeypatch, query_counter
):
    factory.user(email="known@example.org")
    published = []
    monkeypatch.setattr(dispatch.Job, "publish", lambda job: published.append(job))

    def ask(email):
        published.clear()
        with query_counter() as queries:
            response = client.post("/auth/password/forgot", data={"email": email})
        return (
            response.status_code,
            response.headers.get("Location"),
            len(queries),
            [(job.name, len(job.args)) for job in published],
        ), list(published)

    client.get("/auth/password/forgot")  # warm-up
    known, known_jobs = ask("known@example.org")
    unknown, unknown_jobs = ask("nobody@example.org")
    assert known == unknown
    assert known[3] == [(accounts.RESET_JOB, 1)]  # the mail is prepared by the job, not here
    assert db.session.scalars(select(OutboxMessage)).all() == []  # nothing written in the request
    # The jobs then do the rest: a message for the account, nothing for the unknown address.
    monkeypatch.undo()
    for job in known_jobs + unknown_jobs:
        job.publish()
    db.session.rollback()
    sent = db.session.scalars(select(OutboxMessage)).all()
    assert [(m.kind, m.recipient) for m in sent] == [
        ("account.password_reset", "known@example.org")
    ]
    assert "/auth/password/reset/" in sent[0].body_text
