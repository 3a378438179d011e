"""Programme (issue 16): rooms, tracks, speakers, sessions (draft and published schedule),
sign-ups with a waiting list, stars of a personal agenda and attendance per session. New tables
only: existing data is untouched.

Revision ID: 0120_programme
Revises: 0110_invoices
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0120_programme"
down_revision = "0110_invoices"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "programme_room",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["event.id"],
            name=op.f("fk_programme_room_event_id_event"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programme_room")),
    )
    with op.batch_alter_table("programme_room", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_programme_room_event_id"), ["event_id"], unique=False)

    op.create_table(
        "programme_state",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["event.id"],
            name=op.f("fk_programme_state_event_id_event"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_programme_state")),
    )
    op.create_table(
        "programme_track",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("name_fr", sa.String(length=120), nullable=False),
        sa.Column("name_en", sa.String(length=120), nullable=False),
        sa.Column(
            "colour",
            sa.Enum(
                "blue",
                "green",
                "orange",
                "purple",
                "red",
                "teal",
                "grey",
                name="trackcolour",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["event.id"],
            name=op.f("fk_programme_track_event_id_event"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programme_track")),
    )
    with op.batch_alter_table("programme_track", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_programme_track_event_id"), ["event_id"], unique=False)

    op.create_table(
        "programme_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "plenary",
                "round_table",
                "workshop",
                "pitch",
                "b2b",
                "break",
                "visit",
                name="sessionkind",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("title_fr", sa.String(length=200), nullable=False),
        sa.Column("title_en", sa.String(length=200), nullable=False),
        sa.Column("description_fr", sa.Text(), nullable=False),
        sa.Column("description_en", sa.Text(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("room_id", sa.Integer(), nullable=True),
        sa.Column("track_id", sa.Integer(), nullable=True),
        sa.Column("seat_limit", sa.Integer(), nullable=True),
        sa.Column("cancelled", sa.Boolean(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("published_starts_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("published_ends_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("published_room_id", sa.Integer(), nullable=True),
        sa.Column("published_cancelled", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["event.id"],
            name=op.f("fk_programme_session_event_id_event"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["published_room_id"],
            ["programme_room.id"],
            name=op.f("fk_programme_session_published_room_id_programme_room"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["room_id"],
            ["programme_room.id"],
            name=op.f("fk_programme_session_room_id_programme_room"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["track_id"],
            ["programme_track.id"],
            name=op.f("fk_programme_session_track_id_programme_track"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programme_session")),
    )
    with op.batch_alter_table("programme_session", schema=None) as batch_op:
        batch_op.create_index(
            "ix_programme_session_event_id_starts_at", ["event_id", "starts_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_programme_session_room_id"), ["room_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_programme_session_track_id"), ["track_id"], unique=False
        )

    op.create_table(
        "programme_attendance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("checked_in_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("checked_in_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["checked_in_by_id"],
            ["user.id"],
            name=op.f("fk_programme_attendance_checked_in_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registration.id"],
            name=op.f("fk_programme_attendance_registration_id_registration"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["programme_session.id"],
            name=op.f("fk_programme_attendance_session_id_programme_session"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programme_attendance")),
        sa.UniqueConstraint(
            "session_id",
            "registration_id",
            name=op.f("uq_programme_attendance_session_id_registration_id"),
        ),
    )
    with op.batch_alter_table("programme_attendance", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_programme_attendance_checked_in_by_id"),
            ["checked_in_by_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_programme_attendance_registration_id"), ["registration_id"], unique=False
        )

    op.create_table(
        "programme_signup",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("confirmed", "waitlisted", name="signupstatus", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("promoted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registration.id"],
            name=op.f("fk_programme_signup_registration_id_registration"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["programme_session.id"],
            name=op.f("fk_programme_signup_session_id_programme_session"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programme_signup")),
        sa.UniqueConstraint(
            "session_id",
            "registration_id",
            name=op.f("uq_programme_signup_session_id_registration_id"),
        ),
    )
    with op.batch_alter_table("programme_signup", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_programme_signup_registration_id"), ["registration_id"], unique=False
        )
        batch_op.create_index(
            "ix_programme_signup_session_id_status_id", ["session_id", "status", "id"], unique=False
        )

    op.create_table(
        "programme_speaker",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("organisation", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=200), nullable=False),
        sa.Column("bio_fr", sa.Text(), nullable=False),
        sa.Column("bio_en", sa.Text(), nullable=False),
        sa.Column("photo_png", sa.LargeBinary(), nullable=True),
        sa.Column("photo_updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("consent_listed", sa.Boolean(), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["event.id"],
            name=op.f("fk_programme_speaker_event_id_event"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registration.id"],
            name=op.f("fk_programme_speaker_registration_id_registration"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programme_speaker")),
    )
    with op.batch_alter_table("programme_speaker", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_programme_speaker_event_id"), ["event_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_programme_speaker_registration_id"), ["registration_id"], unique=False
        )

    op.create_table(
        "programme_star",
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registration.id"],
            name=op.f("fk_programme_star_registration_id_registration"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["programme_session.id"],
            name=op.f("fk_programme_star_session_id_programme_session"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("session_id", "registration_id", name=op.f("pk_programme_star")),
    )
    with op.batch_alter_table("programme_star", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_programme_star_registration_id"), ["registration_id"], unique=False
        )

    op.create_table(
        "programme_session_speaker",
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("speaker_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["programme_session.id"],
            name=op.f("fk_programme_session_speaker_session_id_programme_session"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["speaker_id"],
            ["programme_speaker.id"],
            name=op.f("fk_programme_session_speaker_speaker_id_programme_speaker"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "session_id", "speaker_id", name=op.f("pk_programme_session_speaker")
        ),
    )
    with op.batch_alter_table("programme_session_speaker", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_programme_session_speaker_speaker_id"), ["speaker_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("programme_session_speaker", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_programme_session_speaker_speaker_id"))

    op.drop_table("programme_session_speaker")
    with op.batch_alter_table("programme_star", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_programme_star_registration_id"))

    op.drop_table("programme_star")
    with op.batch_alter_table("programme_speaker", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_programme_speaker_registration_id"))
        batch_op.drop_index(batch_op.f("ix_programme_speaker_event_id"))

    op.drop_table("programme_speaker")
    with op.batch_alter_table("programme_signup", schema=None) as batch_op:
        batch_op.drop_index("ix_programme_signup_session_id_status_id")
        batch_op.drop_index(batch_op.f("ix_programme_signup_registration_id"))

    op.drop_table("programme_signup")
    with op.batch_alter_table("programme_attendance", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_programme_attendance_registration_id"))
        batch_op.drop_index(batch_op.f("ix_programme_attendance_checked_in_by_id"))

    op.drop_table("programme_attendance")
    with op.batch_alter_table("programme_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_programme_session_track_id"))
        batch_op.drop_index(batch_op.f("ix_programme_session_room_id"))
        batch_op.drop_index("ix_programme_session_event_id_starts_at")

    op.drop_table("programme_session")
    with op.batch_alter_table("programme_track", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_programme_track_event_id"))

    op.drop_table("programme_track")
    op.drop_table("programme_state")
    with op.batch_alter_table("programme_room", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_programme_room_event_id"))

    op.drop_table("programme_room")
