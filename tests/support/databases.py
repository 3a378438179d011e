"""The test database: one per pytest-xdist worker, built by the real migrations, emptied
between tests.

SQLite: a file in the worker's own temporary folder. PostgreSQL: TEST_DATABASE_URL names the
database of a plain run; worker gw0 uses `<name>_gw0` on the same server (created when
missing), so parallel workers never share tables.
"""

import os

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from eventapp.extensions import db as _db


def xdist_worker() -> str | None:
    """The pytest-xdist worker id ("gw0", "gw1"...), None outside a distributed run."""
    return os.environ.get("PYTEST_XDIST_WORKER") or None


def worker_database_url(url: str, worker: str | None) -> str:
    """`url` for this worker: a database of its own on a PostgreSQL server, created if
    missing (named after the one TEST_DATABASE_URL gives, which must exist)."""
    parsed = make_url(url)
    if worker is None or parsed.get_backend_name() != "postgresql":
        return url
    name = f"{parsed.database}_{worker}"
    admin = create_engine(parsed, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            exists = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return parsed.set(database=name).render_as_string(hide_password=False)


def reset_schema(app) -> None:
    """Empty database, then the real migrations (so every run proves them)."""
    from flask_migrate import upgrade

    with app.app_context():
        engine = _db.engine
        if engine.dialect.name == "postgresql":
            with engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        upgrade()
        _db.session.remove()


def clean_tables() -> None:
    tables = [t.name for t in reversed(_db.metadata.sorted_tables)]
    if _db.engine.dialect.name == "postgresql":
        quoted = ", ".join(f'"{name}"' for name in tables)
        _db.session.execute(text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))
    else:
        for name in tables:
            _db.session.execute(text(f'DELETE FROM "{name}"'))
    _db.session.commit()
