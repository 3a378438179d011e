"""A second app on the test database with a few probe views: the request's transaction, the
ServiceError answers and the domain events, seen through real requests."""

from enum import StrEnum

import pytest
from flask import Blueprint, render_template_string, request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import IntegerField, StringField

from eventapp import create_app, events
from eventapp.database import own_transaction
from eventapp.extensions import db
from eventapp.models import AuditLog
from eventapp.permissions import guard
from eventapp.problems import flash_and_redirect, keep_form
from eventapp.services.errors import ServiceError
from tests.support.apps import DbAwareClient, make_config


class ProbeError(ServiceError):
    kind = "probe"

    class Code(StrEnum):
        BUSY = "busy"
        BAD = "bad"
        HIDDEN = "hidden"

    MESSAGES = {
        Code.BUSY: _l("This event is cancelled: registration is closed."),
        Code.BAD: _l("The capacity cannot be negative."),
        Code.HIDDEN: _l("This event is not published."),
    }
    STATUS = {Code.BAD: 422, Code.HIDDEN: 404}


class ProbeForm(FlaskForm):
    class Meta:
        csrf = False

    name = StringField(_l("Name"))
    capacity = IntegerField(_l("Capacity"))


PAGE = """{% for m in get_flashed_messages() %}<p class="flash">{{ m }}</p>{% endfor %}
<form>{{ form.name(value=form.name.data or "") }}{{ form.capacity() }}
{% for e in form.capacity.errors %}<p class="field-error">{{ e }}</p>{% endfor %}</form>"""


def _write(action: str) -> None:
    db.session.add(AuditLog(action=action, actor="probe"))
    db.session.flush()
    events.record("event.updated", event_id=1)


def _outcome(action: str):
    """?then=ok|status|raise|service: what the view does after writing."""
    then = request.args.get("then", "ok")
    if then == "raise":
        raise RuntimeError("boom")
    if then == "status":
        return {"error": "refused"}, 400
    if then == "service":
        raise ProbeError(ProbeError.Code(request.args.get("code", "busy")), field="capacity")
    return {"ok": action}


def probe_blueprint() -> Blueprint:
    bp = Blueprint("probe", __name__)

    @bp.route("/probe/write", methods=["GET", "POST"])
    @guard.public
    def write():
        _write("probe.write")
        return _outcome("probe.write")

    @bp.post("/probe/commit-inside")
    @guard.public
    def commit_inside():
        # The old way (views committing themselves), kept by views not converted yet.
        _write("probe.inside")
        db.session.commit()
        _write("probe.after")
        return {"ok": True}

    @bp.post("/probe/own")
    @guard.public
    def own():
        """Something that must survive the request's rollback (a failed-login counter)."""
        with own_transaction():
            db.session.add(AuditLog(action="probe.counter", actor="probe"))
        _write("probe.write")
        return _outcome("probe.write")

    @bp.post("/probe/own-after-write")
    @guard.public
    def own_after_write():
        _write("probe.write")
        with own_transaction():
            db.session.add(AuditLog(action="probe.counter", actor="probe"))
        return {"ok": True}

    @bp.route("/probe/form", methods=["GET", "POST"])
    @guard.public
    def form_page():
        form = ProbeForm()

        def page(status=200):
            return render_template_string(PAGE, form=form), status

        if request.method == "POST":
            with keep_form(form, page):
                _write("probe.form")
                raise ProbeError(
                    ProbeError.Code(request.args.get("code", "busy")),
                    field=request.args.get("field"),
                )
        return page()

    @bp.post("/probe/button")
    @guard.public
    def button():
        with flash_and_redirect("/probe/form"):
            _write("probe.button")
            raise ProbeError(ProbeError.Code.BUSY)

    @bp.post("/api/probe/action")
    @guard.public
    def api_action():
        _write("probe.api")
        raise ProbeError(ProbeError.Code(request.args.get("code", "busy")))

    return bp


@pytest.fixture(scope="session")
def probe_app(database_url, tmp_path_factory):
    app = create_app(make_config(database_url))
    app.test_client_class = DbAwareClient
    app.instance_path = str(tmp_path_factory.mktemp("probe-instance"))
    app.register_blueprint(probe_blueprint())
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def probe(probe_app):
    return probe_app.test_client()


def actions() -> list[str]:
    """The audit actions in the database, read afresh."""
    db.session.rollback()
    return list(db.session.scalars(select(AuditLog.action).order_by(AuditLog.id)))
