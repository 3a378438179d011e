"""0010_bookings: one booking per existing registration, grouped where one submission of the
tour's form registered the same e-mail for several stages; booking_id is then NOT NULL."""

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.exc import IntegrityError

from tests.models.test_migrations import _flask, empty_database_url  # noqa: F401

EVENT = (
    "INSERT INTO event (slug, kind, parent_id, title_fr, title_en, description_fr, "
    "description_en, starts_at, ends_at, venue, address, city, status, created_at, updated_at) "
    "VALUES (:slug, :kind, :parent, 'E', 'E', '', '', :t, :t, '', '', '', 'published', :t, :t) "
    "RETURNING id"
)
REGISTRATION = (
    "INSERT INTO registration (event_id, first_name, last_name, email, organisation_name, "
    "job_title, category, status, source, language, manage_token, ticket_code, created_at, "
    "updated_at) VALUES (:e, 'Hélène', 'Œuvray', :email, 'LFB', '', 'biotech', 'confirmed', "
    "'public', 'fr', :tok, :tok, :t, :t)"
)


def test_existing_registrations_get_bookings_grouped_by_submission(empty_database_url):  # noqa: F811
    assert (
        _flask("db", "upgrade", "0004_search_text", database_url=empty_database_url).returncode == 0
    )
    engine = create_engine(empty_database_url)
    t = "2027-01-01 09:00:00+00:00"
    with engine.begin() as conn:
        tour = conn.execute(text(EVENT), {"slug": "t", "kind": "tour", "parent": None, "t": t})
        tour = tour.scalar_one()
        stages = [
            conn.execute(
                text(EVENT), {"slug": f"s{n}", "kind": "conference", "parent": tour, "t": t}
            ).scalar_one()
            for n in range(3)
        ]
        other = conn.execute(
            text(EVENT), {"slug": "o", "kind": "congress", "parent": None, "t": t}
        ).scalar_one()
        for n, (event_id, email, at) in enumerate(
            [
                (stages[0], "h@lab.example", "2026-11-01 09:00:00+00:00"),
                (stages[1], "h@lab.example", "2026-11-01 09:00:01+00:00"),  # same submission
                (stages[2], "h@lab.example", "2026-11-20 10:00:00+00:00"),  # later: its own
                (stages[0], "x@lab.example", "2026-11-01 09:00:00+00:00"),
                (other, "h@lab.example", "2026-11-01 09:00:00+00:00"),
            ]
        ):
            conn.execute(
                text(REGISTRATION), {"e": event_id, "email": email, "tok": f"tok{n}", "t": at}
            )
        conn.execute(
            text(
                "INSERT INTO outbox_message (registration_id, kind, recipient, subject, "
                "body_text, status, attempts, attachments, created_at, updated_at) SELECT id, "
                "'registration.confirmed', email, 'S', 'B', 'sent', 1, '[]', created_at, "
                "created_at FROM registration"
            )
        )
    result = _flask("db", "upgrade", database_url=empty_database_url)
    assert result.returncode == 0, result.stderr
    with engine.connect() as conn:
        # Rebuilding the table did not run the foreign keys' ON DELETE actions.
        assert (
            conn.execute(
                text("SELECT count(*) FROM outbox_message WHERE registration_id IS NOT NULL")
            ).scalar_one()
            == 5
        )
        groups = conn.execute(
            text("SELECT booking_id, count(*) FROM registration GROUP BY booking_id ORDER BY 2")
        ).all()
        assert sorted(n for _b, n in groups) == [1, 1, 1, 2]
        assert conn.execute(text("SELECT count(*) FROM booking")).scalar_one() == 4
        first = conn.execute(
            text(
                "SELECT b.event_id, b.email FROM booking b JOIN registration r "
                "ON r.booking_id = b.id WHERE r.manage_token = 'tok0'"
            )
        ).one()
        assert first == (tour, "h@lab.example")
    if engine.dialect.name == "sqlite":  # the attendee search's triggers were put back
        with engine.connect() as conn:
            triggers = conn.execute(
                text(
                    "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' "
                    "AND tbl_name = 'registration'"
                )
            ).scalar_one()
        assert triggers == 3
    columns = {c["name"]: c for c in inspect(engine).get_columns("registration")}
    assert columns["booking_id"]["nullable"] is False
    # The partial unique index survived the table rebuild (SQLite's batch mode).
    with pytest.raises(IntegrityError), engine.begin() as conn:
        booking = conn.execute(text("SELECT min(id) FROM booking")).scalar_one()
        conn.execute(
            text(
                REGISTRATION.replace("updated_at)", "updated_at, booking_id)").replace(
                    ":t, :t)", ":t, :t, :b)"
                )
            ),
            {"e": stages[0], "email": "x@lab.example", "tok": "dup", "t": t, "b": booking},
        )
    for step in (("downgrade", "0004_search_text"), ("upgrade",)):
        result = _flask("db", *step, database_url=empty_database_url)
        assert result.returncode == 0, result.stderr
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM registration")).scalar_one() == 5
        assert (
            conn.execute(
                text("SELECT count(*) FROM outbox_message WHERE registration_id IS NOT NULL")
            ).scalar_one()
            == 5
        )
    engine.dispose()
    check = _flask("db", "check", database_url=empty_database_url)
    assert "No new upgrade operations detected" in check.stdout + check.stderr
