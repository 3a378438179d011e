"""Bookings: one order for several stages or several people, and waiting-list offers.

Creates `booking`; every registration gets a `booking_id` (NOT NULL once filled). Existing data:
registrations with the same e-mail for stages of the same tour, created within a few seconds of
each other (one submission of the form), share one booking; every other registration gets its
own. Adds the waiting-list offer columns (`registration.offered_at`, `offer_expires_at`) and the
per-event offer deadline (`event.offer_hours`).

Revision ID: 0010_bookings
Revises: 0004_search_text
"""

import secrets
from contextlib import contextmanager
from datetime import timedelta

import sqlalchemy as sa
from alembic import op

revision = "0010_bookings"
down_revision = "0004_search_text"
branch_labels = None
depends_on = None

# Copied from eventapp/models/booking.py as written with this revision.
ALPHABET = "ABCDEFGHJKMNPQRSTWXYZ23456789"
ONE_SUBMISSION = timedelta(seconds=10)


def _reference(taken):
    while True:
        code = "".join(secrets.choice(ALPHABET) for _ in range(8))
        reference = f"{code[:4]}-{code[4:]}"
        if reference not in taken:
            taken.add(reference)
            return reference


def _fill(connection) -> None:
    registration = sa.table(
        "registration",
        sa.column("id"),
        sa.column("event_id"),
        sa.column("email"),
        sa.column("first_name"),
        sa.column("last_name"),
        sa.column("language"),
        sa.column("created_at", sa.DateTime()),
        sa.column("booking_id"),
    )
    event = sa.table("event", sa.column("id"), sa.column("parent_id"), sa.column("kind"))
    booking = sa.table(
        "booking",
        sa.column("id"),
        sa.column("reference"),
        sa.column("manage_token"),
        sa.column("event_id"),
        sa.column("first_name"),
        sa.column("last_name"),
        sa.column("email"),
        sa.column("language"),
        sa.column("created_at"),
        sa.column("updated_at"),
    )
    rows = connection.execute(
        sa.select(
            registration.c.id,
            registration.c.event_id,
            registration.c.email,
            registration.c.first_name,
            registration.c.last_name,
            registration.c.language,
            registration.c.created_at,
            event.c.parent_id,
        )
        .join(event, event.c.id == registration.c.event_id)
        .order_by(registration.c.id)
    ).all()
    # Group: same e-mail, same tour (parent), created within one submission's few seconds.
    groups, last_of_key = [], {}
    for row in rows:
        key = (row.email, row.parent_id) if row.email and row.parent_id else None
        group = last_of_key.get(key) if key else None
        if group is not None and abs(row.created_at - group["created_at"]) <= ONE_SUBMISSION:
            group["ids"].append(row.id)
            continue
        group = {
            "ids": [row.id],
            "created_at": row.created_at,
            "event_id": row.parent_id or row.event_id,
            "first_name": row.first_name or "",
            "last_name": row.last_name or "",
            "email": row.email,
            "language": row.language or "fr",
        }
        groups.append(group)
        if key:
            last_of_key[key] = group
    taken = set()
    for group in groups:
        booking_id = connection.execute(
            sa.insert(booking)
            .values(
                reference=_reference(taken),
                manage_token=secrets.token_urlsafe(32),
                event_id=group["event_id"],
                first_name=group["first_name"],
                last_name=group["last_name"],
                email=group["email"],
                language=group["language"],
                created_at=group["created_at"],
                updated_at=group["created_at"],
            )
            .returning(booking.c.id)
        ).scalar_one()
        connection.execute(
            sa.update(registration)
            .where(registration.c.id.in_(group["ids"]))
            .values(booking_id=booking_id)
        )


@contextmanager
def _sqlite_rebuild(table):
    """SQLite rebuilds a table to change a column (batch mode): dropping the old table with
    foreign keys on would run its ON DELETE actions (audit and outbox rows losing their
    registration, registrations deleted with their event), and its triggers (the attendee
    search's FTS table, 0004) go with it. The pragma only changes between transactions:
    commit, switch it off, rebuild, put the triggers back, check, switch it back on."""
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        yield
        return
    triggers = bind.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?", (table,)
    ).scalars().all()
    bind.exec_driver_sql("COMMIT")
    bind.exec_driver_sql("PRAGMA foreign_keys = OFF")
    bind.exec_driver_sql("BEGIN IMMEDIATE")
    yield
    for sql in triggers:
        bind.exec_driver_sql(sql)
    problems = bind.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if problems:
        raise RuntimeError(f"foreign key check failed: {problems[:5]}")
    bind.exec_driver_sql("COMMIT")
    bind.exec_driver_sql("PRAGMA foreign_keys = ON")
    bind.exec_driver_sql("BEGIN IMMEDIATE")


def upgrade():
    op.create_table(
        "booking",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=12), nullable=False),
        sa.Column("manage_token", sa.String(length=64), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("first_name", sa.String(length=100), nullable=False),
        sa.Column("last_name", sa.String(length=100), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("language", sa.String(length=5), nullable=False),
        sa.Column("anonymised_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"], ["event.id"], name="fk_booking_event_id_event", ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_booking"),
        sa.UniqueConstraint("reference", name="uq_booking_reference"),
        sa.UniqueConstraint("manage_token", name="uq_booking_manage_token"),
    )
    op.create_index("ix_booking_event_id", "booking", ["event_id"])
    op.create_index("ix_booking_email", "booking", ["email"])
    with op.batch_alter_table("event") as batch:
        batch.add_column(sa.Column("offer_hours", sa.Integer(), nullable=True))
    with op.batch_alter_table("registration") as batch:
        batch.add_column(sa.Column("booking_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("offered_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("offer_expires_at", sa.DateTime(timezone=True), nullable=True))
    _fill(op.get_bind())
    with _sqlite_rebuild("registration"), op.batch_alter_table("registration") as batch:
        batch.alter_column("booking_id", existing_type=sa.Integer(), nullable=False)
        batch.create_foreign_key(
            "fk_registration_booking_id_booking", "booking", ["booking_id"], ["id"]
        )
        batch.create_index("ix_registration_booking_id", ["booking_id"])


def downgrade():
    with _sqlite_rebuild("registration"), op.batch_alter_table("registration") as batch:
        batch.drop_index("ix_registration_booking_id")
        batch.drop_constraint("fk_registration_booking_id_booking", type_="foreignkey")
        batch.drop_column("offer_expires_at")
        batch.drop_column("offered_at")
        batch.drop_column("booking_id")
    with _sqlite_rebuild("event"), op.batch_alter_table("event") as batch:
        batch.drop_column("offer_hours")
    op.drop_index("ix_booking_email", table_name="booking")
    op.drop_index("ix_booking_event_id", table_name="booking")
    op.drop_table("booking")
