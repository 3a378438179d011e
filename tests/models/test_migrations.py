"""`flask db upgrade` builds the schema from nothing, and the models agree with the migrations."""

import ast
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def empty_database_url(database_url, tmp_path):
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    # Named after the test database, so parallel runs (and other people's) never collide.
    name = f"{url.database}_migrations_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _flask(*args, database_url):
    env = {**os.environ, "APP_CONFIG": "development", "DATABASE_URL": database_url}
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "eventapp", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_upgrade_on_an_empty_database_then_check_finds_no_difference(empty_database_url):
    upgrade = _flask("db", "upgrade", database_url=empty_database_url)
    assert upgrade.returncode == 0, upgrade.stderr
    check = _flask("db", "check", database_url=empty_database_url)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "No new upgrade operations detected" in check.stdout + check.stderr


def test_there_is_a_single_migration_head():
    heads = _flask("db", "heads", database_url="sqlite://")
    assert heads.returncode == 0, heads.stderr
    assert len([line for line in heads.stdout.splitlines() if "(head)" in line]) == 1


def test_search_text_migration_fills_existing_rows_and_goes_back_and_forth(empty_database_url):
    """0004 folds the names of registrations already there, and can be undone and redone."""
    assert (
        _flask(
            "db", "upgrade", "0003_search_page_index", database_url=empty_database_url
        ).returncode
        == 0
    )
    engine = create_engine(empty_database_url)
    with engine.begin() as conn:
        event_id = conn.execute(
            text(
                "INSERT INTO event (slug, kind, title_fr, title_en, description_fr, "
                "description_en, starts_at, ends_at, venue, address, city, status, created_at, "
                "updated_at) VALUES ('e', 'congress', 'E', 'E', '', '', :t, :t, '', '', '', "
                "'published', :t, :t) RETURNING id"
            ),
            {"t": "2027-01-01 09:00:00+00:00"},
        ).scalar_one()
        conn.execute(
            text(
                "INSERT INTO registration (event_id, first_name, last_name, email, "
                "organisation_name, job_title, category, status, source, language, "
                "manage_token, ticket_code, created_at, updated_at) VALUES (:e, 'Hélène', "
                "'Œuvray', 'h@lab.example', 'LFB Biomédicaments', '', 'biotech', 'confirmed', "
                "'public', 'fr', 'tok', 'code', :t, :t)"
            ),
            {"e": event_id, "t": "2026-11-01 09:00:00+00:00"},
        )
    for step in (("upgrade",), ("downgrade", "0003_search_page_index"), ("upgrade",)):
        result = _flask("db", *step, database_url=empty_database_url)
        assert result.returncode == 0, result.stderr
    with engine.connect() as conn:
        assert conn.execute(text("SELECT search_text FROM registration")).scalar_one() == (
            "oeuvray helene h@lab.example lfb biomedicaments"
        )
    engine.dispose()
    check = _flask("db", "check", database_url=empty_database_url)
    assert "No new upgrade operations detected" in check.stdout + check.stderr


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            names.add(node.module or "")
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", "")) == "import_module"
        ):
            names.add("importlib.import_module")
    return names


@pytest.mark.parametrize(
    "path", sorted((ROOT / "migrations" / "versions").glob("*.py")), ids=lambda p: p.name
)
def test_a_revision_imports_neither_application_code_nor_another_revision(path):
    """A revision must run the same in five years: it copies what it needs instead of importing
    eventapp (which changes) or another revision."""
    imported = _imported_modules(path)
    assert not {name for name in imported if name.split(".")[0] in ("eventapp", "config")}
    assert not {name for name in imported if name.startswith("migrations")}
    assert "importlib.import_module" not in imported and "importlib" not in imported


def test_env_imports_no_application_code_but_the_metadata_it_is_given():
    imported = _imported_modules(ROOT / "migrations" / "env.py")
    assert not {name for name in imported if name.split(".")[0] in ("eventapp", "config")}
