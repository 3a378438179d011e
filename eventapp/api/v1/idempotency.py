"""Idempotent writes (pretix's rules): a POST, PATCH or DELETE sent with an `Idempotency-Key`
header is run once per token and key; its answer is kept 24 hours and replayed, errors
included, for the same key and the same request (method, path and query, body). The same key with
another request is refused (422); while the first is still running, 409. Answers that say
"try again" (409, 429, 5xx) are not kept: the key can be used again.

The key is claimed in a transaction of its own before the view runs (the unique index on
(token, key) settles a race); a success's answer is written in the request's own
transaction, with the change (a failed commit leaves no answer to replay); an error's after
the request's rollback. A claim left running for longer than STALE (the process died) is
taken over.

A kept answer may show a person (an attendee's name, e-mail, answers): the registrations it
shows are its subjects (IdempotentSubject, noted by present.py through `holds`), and erasing
one of them (the `registration.erased` and `privacy.purged` domain events) deletes the answer
in the erasure's own transaction, not 24 hours later."""

from __future__ import annotations

import functools
import hashlib
from datetime import timedelta

from flask import g, has_request_context, make_response, request
from flask_babel import gettext as _
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException

from eventapp import database
from eventapp import events as domain_events
from eventapp.api.v1 import errors
from eventapp.api.v1.auth import current_token
from eventapp.database import own_transaction
from eventapp.extensions import db
from eventapp.models import IdempotentRequest, IdempotentSubject, utcnow
from eventapp.services.errors import ServiceError

HEADER = "Idempotency-Key"
KEEP = timedelta(hours=24)
STALE = timedelta(minutes=5)
NOT_KEPT = (409, 429)
REPLAYED_HEADERS = ("Content-Type", "Location")
_SUBJECTS = "api_idempotent_subjects"

DOC = {
    "parameters": [
        {
            "in": "header",
            "name": HEADER,
            "required": False,
            "schema": {"type": "string", "maxLength": 200},
            "description": "Send the same key again to get the same answer, without a second "
            "change (kept 24 hours).",
        }
    ]
}


def fingerprint() -> str:
    digest = hashlib.sha256()
    digest.update(request.method.encode())
    digest.update(b"\0" + request.path.encode() + b"?" + request.query_string + b"\0")
    digest.update(request.get_data(cache=True))
    return digest.hexdigest()


def _replay(row: IdempotentRequest):
    response = make_response(row.body or "", row.status)
    for name, value in (row.headers or {}).items():
        response.headers[name] = value
    response.headers["Idempotent-Replayed"] = "true"
    return response


def _claim(token_id: int, key: str, print_: str):
    """Claim the key: None if it is ours now, else the answer to give."""
    now = utcnow()
    with own_transaction():
        db.session.execute(
            delete(IdempotentRequest).where(
                IdempotentRequest.token_id == token_id,
                IdempotentRequest.key == key,
                IdempotentRequest.expires_at < now,
            )
        )
        db.session.execute(
            delete(IdempotentRequest).where(
                IdempotentRequest.token_id == token_id,
                IdempotentRequest.key == key,
                IdempotentRequest.status.is_(None),
                IdempotentRequest.created_at < now - STALE,
            )
        )
    try:
        with own_transaction():
            db.session.add(
                IdempotentRequest(
                    token_id=token_id,
                    key=key,
                    fingerprint=print_,
                    status=None,
                    created_at=now,
                    expires_at=now + KEEP,
                )
            )
        return None
    except IntegrityError:
        db.session.rollback()
    row = db.session.scalar(
        select(IdempotentRequest).where(
            IdempotentRequest.token_id == token_id, IdempotentRequest.key == key
        )
    )
    database.end_read()
    if row is None:  # deleted meanwhile (a "try again" answer): try again
        return errors.problem(409, _("This request is being processed: try again."))
    if row.fingerprint != print_:
        return errors.problem(
            422,
            _("This Idempotency-Key was used for another request."),
            code="idempotency_key_reused",
        )
    if row.status is None:
        return errors.problem(
            409, _("A request with this Idempotency-Key is still running."), code="in_progress"
        )
    return _replay(row)


def _run(view, kwargs):
    """The view's answer as a response, its rule errors answered as problems here (so the
    answer can be kept)."""
    try:
        return make_response(view(**kwargs)), False
    except ServiceError as error:
        database.rollback_request()
        return errors.service_problem(error), True
    except HTTPException as error:
        database.rollback_request()
        return errors.http_problem(error), True


def holds(registrations) -> None:
    """The answer being made shows these registrations' personal data (present.py says so of
    every attendee it shows): a kept answer goes with their erasure."""
    if has_request_context():
        g.setdefault(_SUBJECTS, {}).update({r.id: r.event_id for r in registrations})


def _keep(where, response) -> None:
    """Write the answer on its claim, with the registrations it shows."""
    db.session.execute(update(IdempotentRequest).where(*where).values(**_values(response)))
    subjects = g.pop(_SUBJECTS, {})
    if subjects:
        request_id = db.session.scalar(select(IdempotentRequest.id).where(*where))
        db.session.add_all(
            IdempotentSubject(request_id=request_id, registration_id=rid, event_id=eid)
            for rid, eid in sorted(subjects.items())
        )


def _values(response) -> dict:
    return {
        "status": response.status_code,
        "body": response.get_data(as_text=True),
        "headers": {k: response.headers[k] for k in REPLAYED_HEADERS if k in response.headers},
    }


def idempotent(view):
    """Put under the route decorator (above the guard): see the module docstring."""

    @functools.wraps(view)
    def wrapper(**kwargs):
        key = request.headers.get(HEADER)
        token = current_token()
        if key is None or token is None:
            return view(**kwargs)
        key = key.strip()
        if not key or len(key) > 200 or not key.isprintable():
            return errors.problem(422, _("The Idempotency-Key must be 1 to 200 characters."))
        print_ = fingerprint()
        early = _claim(token.id, key, print_)
        if early is not None:
            return early
        where = (IdempotentRequest.token_id == token.id, IdempotentRequest.key == key)
        g.pop(_SUBJECTS, None)
        try:
            response, failed = _run(view, kwargs)
        except BaseException:
            database.rollback_request()
            with own_transaction():
                db.session.execute(delete(IdempotentRequest).where(*where))
            raise
        status = response.status_code
        if status in NOT_KEPT or status >= 500:
            if not failed:
                database.rollback_request()
            with own_transaction():
                db.session.execute(delete(IdempotentRequest).where(*where))
        elif failed or status >= 400:
            if not failed:
                database.rollback_request()
            with own_transaction():
                _keep(where, response)
        else:  # with the change, in the request's transaction
            _keep(where, response)
        return response

    return wrapper


def prune(now=None) -> int:
    """Delete the answers past their 24 hours (they may hold personal data)."""
    now = now or utcnow()
    with own_transaction():
        return db.session.execute(
            delete(IdempotentRequest).where(IdempotentRequest.expires_at < now)
        ).rowcount


def _forget(event: domain_events.DomainEvent) -> None:
    """Before the erasure commits: the kept answers showing the erased people go with it."""
    if event.name == "registration.erased":
        shown = IdempotentSubject.registration_id == event["registration_id"]
    else:  # privacy.purged: the event's registrations
        shown = IdempotentSubject.event_id == event["event_id"]
    db.session.execute(
        delete(IdempotentRequest)
        .where(IdempotentRequest.id.in_(select(IdempotentSubject.request_id).where(shown)))
        .execution_options(synchronize_session=False)
    )


def init_app(app) -> None:
    for name in ("registration.erased", "privacy.purged"):
        domain_events.subscribe(name, _forget, phase="before_commit")
