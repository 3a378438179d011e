"""What the benchmark's big-list work changed (issue 5) behaves as before: the trigram search,
the deferred-join pages, counts from the index, the faster date filter and cached labels."""

import importlib
from datetime import UTC, datetime, timedelta

import pytest
from flask_babel import force_locale, format_datetime
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from eventapp.extensions import db as _db
from eventapp.i18n import localdatetime
from eventapp.models import ActorCategory, Registration
from eventapp.organiser.attendees import query as filters
from eventapp.organiser.attendees.query import AttendeeFilter, paginate, registrations_query
from eventapp.services.counts import event_counts


def _people(factory, event):
    rows = [
        ("Dubois", "Camille", "camille.dubois@sanofi.example", "Sanofi", "confirmed"),
        ("Duboisier", "Léa", "lea@yposkesi.example", "Yposkesi", "confirmed"),
        ("Martin", "Hugo", "hugo.martin@lfb.example", "LFB Biomédicaments", "waitlisted"),
        ("Émile", "Zoé", "zoe@genethon.example", "Généthon", "confirmed"),
        ("O'Brien", "Sean", "sean@clean-cells.example", "Clean Cells 100%", "cancelled"),
        ("Petit", "Arthur", "a.p@lab.example", "Inserm", "confirmed"),
        ("Œuvray", "Hélène", "h.oeuvray@lab.example", "LFB", "waitlisted"),
    ]
    made = {}
    for last, first, email, organisation, status in rows:
        made[last] = factory.registration(
            event,
            last_name=last,
            first_name=first,
            email=email,
            organisation_name=organisation,
            status=status,
        )
    _db.session.commit()
    return made


def _search(event, text, status="all"):
    flt = AttendeeFilter.from_args({"q": text, "status": status})
    return sorted(r.last_name for r in _db.session.scalars(registrations_query([event.id], flt)))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("dubois", ["Dubois", "Duboisier"]),  # part of a name, any case
        ("DUBOIS camille", ["Dubois"]),  # every word must match
        ("sanofi", ["Dubois"]),  # organisation
        ("yposkesi.example", ["Duboisier"]),  # e-mail
        ("biomédicaments", ["Martin"]),  # accented text, as typed
        ("biomedicaments", ["Martin"]),  # or without its accents
        ("emile", ["Émile"]),
        ("GÉNÉTHON", ["Émile"]),
        ("oeuvray", ["Œuvray"]),  # ligatures spelled out
        ("œu", ["Œuvray"]),  # two letters typed, folded to three
        ("o'brien", ["O'Brien"]),  # quotes are text
        ("100%", ["O'Brien"]),  # so are LIKE wildcards
        ("du", ["Dubois", "Duboisier"]),  # two letters: compared row by row
        ("zz", []),
        ("nobody-here", []),
    ],
)
def test_search_finds_any_part_of_names_emails_and_organisations(factory, text, expected):
    event = factory.event()
    _people(factory, event)
    other = factory.event()
    factory.registration(other, last_name="Dubois", email="someone@else.example")
    _db.session.commit()
    assert _search(event, text) == expected


def migration(name: str):
    return importlib.import_module(f"migrations.versions.{name}")


@pytest.fixture
def without_search_table(monkeypatch):
    """An SQLite without FTS5's trigram tokenizer (before 3.34, or built without FTS5): the
    migration leaves the search table out and the search compares every row."""
    if _db.engine.dialect.name != "sqlite":
        pytest.skip("the FTS5 search table is SQLite's")
    with _db.engine.begin() as connection:
        migration("0004_search_text").drop_sqlite_search(connection.exec_driver_sql)
    monkeypatch.setattr(filters, "_SEARCH_TABLE", {})
    yield
    _db.session.remove()
    with _db.engine.begin() as connection:
        migration("0004_search_text").create_sqlite_search(connection.exec_driver_sql)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("dubois", ["Dubois", "Duboisier"]),
        ("DUBOIS camille", ["Dubois"]),
        ("yposkesi.example", ["Duboisier"]),
        ("100%", ["O'Brien"]),
        ("lfb biomedicaments", ["Martin"]),
        ("nobody-here", []),
    ],
)
def test_search_without_the_trigram_table_finds_the_same(
    without_search_table, factory, text, expected
):
    event = factory.event()
    _people(factory, event)
    assert _search(event, text) == expected
    assert filters._SEARCH_TABLE[str(_db.engine.url)] is False


def test_migration_leaves_the_search_table_out_where_sqlite_cannot_build_it():
    migration_0002 = migration("0002_bench")

    class OldSqlite:
        def exec_driver_sql(self, statement):
            raise OperationalError(statement, {}, Exception("no such tokenizer: trigram"))

    assert migration_0002.sqlite_has_trigram_fts(OldSqlite()) is False
    if _db.engine.dialect.name == "sqlite":
        with _db.engine.connect() as connection:
            assert migration_0002.sqlite_has_trigram_fts(connection) is True


def test_search_follows_corrections_and_deletions(factory):
    event = factory.event()
    people = _people(factory, event)
    people["Petit"].last_name = "Grandmaison"
    _db.session.commit()
    assert _search(event, "grandmais") == ["Grandmaison"]
    assert _search(event, "petit") == []
    _db.session.delete(people["Martin"])
    _db.session.commit()
    assert _search(event, "biomédicaments") == []


def test_deep_pages_are_the_same_rows_as_a_plain_offset(factory):
    event = factory.event()
    for n in range(57):  # ties on names: the id decides, as in the plain query
        factory.registration(event, last_name=f"Nom{n % 4}", first_name=f"P{n % 3}")
    _db.session.commit()
    for sort in ("name", "-name", "date", "-date", "organisation", "status"):
        flt = AttendeeFilter.from_args({"sort": sort, "status": "all"})
        everyone = [r.id for r in _db.session.scalars(registrations_query([event.id], flt))]
        paged = [r.id for number in (1, 2, 3) for r in paginate([event.id], flt, number, 25).items]
        assert paged == everyone, sort


def test_event_counts_from_the_index_match_the_rows(factory):
    event = factory.event(capacity=None)
    for status in ["confirmed"] * 5 + ["waitlisted"] * 3 + ["cancelled"] * 2 + ["pending"]:
        factory.registration(event, status=status)
    first = _db.session.scalars(
        select(Registration).where(Registration.status == "confirmed").limit(2)
    ).all()
    for registration in first:
        registration.checked_in_at = datetime.now(UTC)
    cancelled = _db.session.scalars(
        select(Registration).where(Registration.status == "cancelled").limit(1)
    ).one()
    cancelled.checked_in_at = datetime.now(UTC)  # not counted: only confirmed people are in
    _db.session.commit()
    counts = event_counts([event.id, 999_999])
    found = counts[event.id]
    assert (found.confirmed, found.waitlisted, found.pending, found.cancelled) == (5, 3, 1, 2)
    assert found.checked_in == 2
    assert counts[999_999].live == 0


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("fmt", ["short", "medium", "long", "dd/MM/yyyy HH:mm"])
def test_fast_date_filter_writes_what_babel_writes(app, lang, fmt):
    """The fast filter writes Babel's text in the formatting locale (en-GB for English), with
    the short time (24-hour, no seconds) in the named formats (issue 20, point 13)."""
    from babel.dates import format_date, format_time, get_datetime_format
    from flask_babel import get_timezone

    from eventapp.i18n import format_locale

    def expected(moment):
        locale, zone = format_locale(), get_timezone()
        value = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        if fmt not in ("short", "medium", "long"):
            return format_datetime(value, fmt)
        pattern = get_datetime_format(fmt, locale=locale).replace("'", "")
        return pattern.replace(
            "{0}", format_time(value, "short", tzinfo=zone, locale=locale)
        ).replace("{1}", format_date(value.astimezone(zone), fmt, locale=locale))

    moments = [
        datetime(2026, 3, 29, 0, 59, tzinfo=UTC),  # the night clocks go forward in Paris
        datetime(2026, 3, 29, 1, 1, tzinfo=UTC),
        datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
        datetime(2026, 12, 31, 23, 5, 7, tzinfo=UTC),
        datetime(2026, 6, 1, 8, 0),  # naive values are UTC
    ]
    with app.test_request_context(), force_locale(lang):
        for moment in moments:
            assert localdatetime(moment, fmt) == expected(moment)
            assert ":" in localdatetime(moment, fmt) and "AM" not in localdatetime(moment, fmt)
        assert localdatetime(None) == ""
        assert localdatetime(moments[0] + timedelta(days=1))  # default format


def test_labels_are_translated_when_shown(app):
    with app.test_request_context():
        with force_locale("fr"):
            french = ActorCategory.ACADEMIC.label
        with force_locale("en"):
            english = ActorCategory.ACADEMIC.label
    assert english == "Academic / research centre" and french != english


def test_an_anonymised_registration_is_not_found_by_its_old_details(factory):
    from eventapp.services import privacy

    event = factory.event()
    people = _people(factory, event)
    privacy.anonymise(people["Dubois"])
    _db.session.commit()
    assert _search(event, "camille.dubois") == []
    assert _search(event, "sanofi") == []
    assert _search(event, "dubois") == ["Duboisier"]
