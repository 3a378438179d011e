"""`flask backup`: a consistent SQLite copy while the app runs, that restores; pg_dump advice."""

import sqlite3
import threading
import time
from contextlib import closing

from sqlalchemy import func, select

from eventapp import create_app
from eventapp.database import write_transaction
from eventapp.extensions import db as _db
from eventapp.models import Event, OutboxMessage, Registration
from eventapp.services import registrations as svc
from tests import factories
from tests.support.apps import make_config


def _invoke(app, args):
    """Run a CLI command against `app` (not the session's test app, whose context is active)."""
    with app.app_context():
        return app.test_cli_runner().invoke(args=args)


def _person(n):
    return svc.Participant(
        first_name="Camille",
        last_name=f"Martin{n}",
        email=f"camille.martin{n}@example.org",
        category="cdmo",
        organisation_name="Yposkesi",
    )


def test_a_backup_restores_with_every_registration(sqlite_app_factory, tmp_path):
    source = sqlite_app_factory("live.db", MAIL_SEND_ON_COMMIT=False)
    with source.app_context():
        event = factories.event(capacity=3)
        with write_transaction():
            svc.register([event], _person(0))
        for n in range(1, 6):
            with write_transaction():
                svc.register([_db.session.get(Event, event.id)], _person(n))
        expected = sorted(
            _db.session.execute(select(Registration.id, Registration.email, Registration.status))
        )
    assert len(expected) == 6

    output = tmp_path / "backups" / "nightly.db"
    result = _invoke(source, ["backup", "--output", str(output)])
    assert result.exit_code == 0, result.output
    assert f"Backup written to {output}" in result.output
    assert "6 registrations" in result.output
    assert not output.with_name("nightly.db.part").exists()

    # One self-contained file (no -wal file needed next to it).
    with closing(sqlite3.connect(output)) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"

    # Restore: the copy is a self-contained database the app opens as it is.
    restored = create_app(make_config(f"sqlite:///{output}"))
    try:
        with restored.app_context():
            found = sorted(
                _db.session.execute(
                    select(Registration.id, Registration.email, Registration.status)
                )
            )
            _db.session.remove()
        assert found == expected
        assert restored.test_client().get("/readyz").status_code == 200
    finally:
        with restored.app_context():
            _db.engine.dispose()


def test_backup_while_registrations_keep_coming_is_consistent(sqlite_app_factory, tmp_path):
    """Each registration writes its row and its confirmation e-mail in one transaction: a copy
    taken mid-stream must hold both or neither, for every registration."""
    source = sqlite_app_factory("busy.db", MAIL_SEND_ON_COMMIT=False)
    with source.app_context():
        event_id = factories.event(capacity=None).id
    stop = threading.Event()
    written = []
    errors = []

    def keep_registering():
        n = 0
        try:
            with source.app_context():
                while not stop.is_set():
                    with write_transaction():
                        svc.register([_db.session.get(Event, event_id)], _person(n))
                    written.append(n)
                    n += 1
                _db.session.remove()
        except Exception as error:
            errors.append(repr(error))

    writer = threading.Thread(target=keep_registering)
    writer.start()
    try:
        deadline = time.monotonic() + 20
        while len(written) < 20 and time.monotonic() < deadline:
            time.sleep(0.01)
        before = len(written)
        copies = []
        for i in range(3):
            output = tmp_path / f"copy{i}.db"
            result = _invoke(source, ["backup", "--output", str(output)])
            assert result.exit_code == 0, result.output
            copies.append(output)
    finally:
        stop.set()
        writer.join(timeout=30)
    assert errors == []
    after = len(written)
    assert before >= 20

    for output in copies:
        with closing(sqlite3.connect(output)) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            registrations = conn.execute("SELECT count(*) FROM registration").fetchone()[0]
            mails = conn.execute(
                "SELECT count(*) FROM outbox_message WHERE registration_id IS NOT NULL"
            ).fetchone()[0]
            orphans = conn.execute(
                "SELECT count(*) FROM registration r WHERE NOT EXISTS "
                "(SELECT 1 FROM outbox_message m WHERE m.registration_id = r.id)"
            ).fetchone()[0]
        assert before <= registrations <= after
        assert registrations == mails and orphans == 0
    with source.app_context():
        total = _db.session.scalar(select(func.count()).select_from(Registration))
        assert total == after
        assert _db.session.scalar(select(func.count()).select_from(OutboxMessage)) == after
        _db.session.remove()


def test_backup_refuses_to_overwrite_the_live_database(sqlite_app_factory):
    source = sqlite_app_factory("self.db")
    result = _invoke(source, ["backup", "--output", str(source.db_path)])
    assert result.exit_code == 1
    assert "cannot overwrite the database itself" in result.output


def test_default_output_goes_to_instance_backups(sqlite_app_factory, tmp_path):
    source = sqlite_app_factory("default.db")
    source.instance_path = str(tmp_path / "instance")
    result = _invoke(source, ["backup"])
    assert result.exit_code == 0, result.output
    copies = list((tmp_path / "instance" / "backups").glob("eventapp-*.db"))
    assert len(copies) == 1


def test_on_postgresql_it_explains_pg_dump_without_showing_the_password():
    pg = create_app(make_config("postgresql+psycopg://eventapp:s3cret@db.internal:5432/eventapp"))
    try:
        result = _invoke(pg, ["backup"])
    finally:
        with pg.app_context():
            _db.engine.dispose()
    assert result.exit_code == 1
    assert "pg_dump --format=custom --no-owner --file eventapp-" in result.output
    assert "'postgresql://eventapp:***@db.internal:5432/eventapp'" in result.output
    assert "pg_restore --no-owner" in result.output
    assert "s3cret" not in result.output
    assert "no backup written" in result.output
