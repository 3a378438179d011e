"""Registration questions (issue 12): what an organiser asks beyond the person's details, the
options of a choice, and the answers.

A question belongs to an event or to a tour. A tour's question is asked once per booking for
all its stages: its answer is the booking's (`registration_id` NULL); an event's (or stage's)
question is answered per registration. An answer keeps the wording it was given under
(`label`), so editing a question never changes what a person answered. Chosen options are rows
of `answer_choice`: what the per-option seat limit counts and the attendee list filters on.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from eventapp.models.base import Base, TimestampMixin

if TYPE_CHECKING:
    from eventapp.models.event import Event

BOOKING_ANSWER = text("registration_id IS NULL")


class Question(TimestampMixin, Base):
    __tablename__ = "question"
    __table_args__ = (UniqueConstraint("event_id", "identifier"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    # Stable name for exports, the import's mapping and the API ([a-z0-9_]).
    identifier: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(20))  # eventapp/questions/types.py: TYPES
    label_fr: Mapped[str] = mapped_column(String(300))
    label_en: Mapped[str] = mapped_column(String(300), default="")
    help_fr: Mapped[str] = mapped_column(Text, default="")
    help_en: Mapped[str] = mapped_column(Text, default="")
    # "optional", "required", or "required_after" (required from required_from on).
    requirement: Mapped[str] = mapped_column(String(16), default="optional")
    required_from: Mapped[datetime | None]
    organiser_only: Mapped[bool] = mapped_column(Boolean, default=False)
    # Health-related (dietary, accessibility): left out of exports unless asked for.
    sensitive: Mapped[bool] = mapped_column(Boolean, default=False)
    # Answers purged this many days after the event ends (None: with the registration).
    retention_days: Mapped[int | None] = mapped_column(Integer)
    # Choice questions: "radio" or "list".
    widget: Mapped[str] = mapped_column(String(10), default="radio")
    min_number: Mapped[Decimal | None] = mapped_column(Numeric(14, 4))
    max_number: Mapped[Decimal | None] = mapped_column(Numeric(14, 4))
    min_date: Mapped[date | None] = mapped_column(Date)
    max_date: Mapped[date | None] = mapped_column(Date)
    # Shown when the question `depends_on_id` was answered with one of `depends_values`
    # (option identifiers, or "yes"/"no").
    depends_on_id: Mapped[int | None] = mapped_column(
        ForeignKey("question.id", ondelete="SET NULL")
    )
    depends_values: Mapped[list] = mapped_column(JSON, default=list)
    on_badge: Mapped[bool] = mapped_column(Boolean, default=False)
    at_desk: Mapped[bool] = mapped_column(Boolean, default=False)
    # Bumped when the wording changes: a consent answer names the version it was given to.
    version: Mapped[int] = mapped_column(default=1)

    event: Mapped[Event] = relationship()
    options: Mapped[list[QuestionOption]] = relationship(
        back_populates="question",
        order_by="QuestionOption.position, QuestionOption.id",
        cascade="all, delete-orphan",
    )

    def label(self, lang: str) -> str:
        return (self.label_en if lang == "en" else self.label_fr) or self.label_fr

    def help(self, lang: str) -> str:
        return (self.help_en if lang == "en" else self.help_fr) or self.help_fr

    def __repr__(self) -> str:
        return f"<Question {self.id} {self.identifier} {self.kind}>"


class QuestionOption(Base):
    __tablename__ = "question_option"
    __table_args__ = (UniqueConstraint("question_id", "identifier"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(default=0)
    identifier: Mapped[str] = mapped_column(String(40))
    label_fr: Mapped[str] = mapped_column(String(200))
    label_en: Mapped[str] = mapped_column(String(200), default="")
    # At most this many live holders (None: unlimited), counted under the event's lock.
    seat_limit: Mapped[int | None]
    # A workshop chosen with this option (issue 16): the answer is the session's sign-up, and
    # the session's places are the option's (services/programme/answers.py); one option per
    # session.
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("programme_session.id", ondelete="SET NULL"), unique=True
    )

    question: Mapped[Question] = relationship(back_populates="options")

    def label(self, lang: str) -> str:
        return (self.label_en if lang == "en" else self.label_fr) or self.label_fr


class Answer(TimestampMixin, Base):
    __tablename__ = "answer"
    __table_args__ = (
        UniqueConstraint("question_id", "registration_id"),
        Index(
            "uq_answer_booking_question",
            "booking_id",
            "question_id",
            unique=True,
            sqlite_where=BOOKING_ANSWER,
            postgresql_where=BOOKING_ANSWER,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("question.id", ondelete="CASCADE"), index=True
    )
    booking_id: Mapped[int] = mapped_column(ForeignKey("booking.id", ondelete="CASCADE"))
    registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("registration.id", ondelete="CASCADE"), index=True
    )
    # The canonical text of the answer (eventapp/questions/types.py says each type's form).
    value: Mapped[str] = mapped_column(Text, default="")
    # The question's wording when it was answered (kept readable after an edit).
    label: Mapped[str] = mapped_column(String(300), default="")
    # Consent: the version of the text agreed to, and when.
    consent_version: Mapped[int | None]
    consent_at: Mapped[datetime | None]
    file_name: Mapped[str | None] = mapped_column(String(200))
    file_type: Mapped[str | None] = mapped_column(String(40))
    file_data: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))

    question: Mapped[Question] = relationship()
    choices: Mapped[list[AnswerChoice]] = relationship(
        back_populates="answer", cascade="all, delete-orphan"
    )


class AnswerChoice(Base):
    __tablename__ = "answer_choice"

    answer_id: Mapped[int] = mapped_column(
        ForeignKey("answer.id", ondelete="CASCADE"), primary_key=True
    )
    option_id: Mapped[int] = mapped_column(
        ForeignKey("question_option.id", ondelete="CASCADE"), primary_key=True, index=True
    )

    answer: Mapped[Answer] = relationship(back_populates="choices")
