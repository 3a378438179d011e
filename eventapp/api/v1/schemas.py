"""The API's marshmallow schemas: what each resource looks like (dump) and what a write may
send (load). Unknown fields in a body are refused (422), so a typo is not silently ignored."""

from __future__ import annotations

import copy

import marshmallow as ma
from marshmallow import fields, validate

from eventapp.api.v1.answering import answers_field
from eventapp.models import ActorCategory, EventKind, Region
from eventapp.services.events.data import TOP_LEVEL_KINDS


class Strict(ma.Schema):
    class Meta:
        unknown = ma.RAISE


class Title(ma.Schema):
    """A text in French and English (English may be empty)."""

    fr = fields.String(required=True)
    en = fields.String(required=True)


class EventOut(ma.Schema):
    id = fields.Integer(required=True)
    slug = fields.String(required=True)
    kind = fields.String(required=True)
    status = fields.String(required=True)
    parent_id = fields.Integer(allow_none=True)
    title = fields.Nested(Title, required=True)
    starts_at = fields.DateTime(required=True)
    ends_at = fields.DateTime(required=True)
    city = fields.String(allow_none=True)
    venue = fields.String(allow_none=True)
    capacity = fields.Integer(allow_none=True)
    registration = fields.String(required=True, metadata={"description": "open, closed, ..."})
    updated_at = fields.DateTime(required=True)


class Availability(ma.Schema):
    event_id = fields.Integer(required=True)
    capacity = fields.Integer(allow_none=True)
    confirmed = fields.Integer(required=True)
    waitlisted = fields.Integer(required=True)
    free_seats = fields.Integer(allow_none=True)
    registration = fields.String(required=True)


class TourOut(EventOut):
    stages = fields.List(fields.Nested(EventOut), required=True)


def one_of(values) -> validate.OneOf:
    return validate.OneOf([str(v) for v in values])


# No control characters but tab and line breaks (PostgreSQL refuses NUL: a 500 before).
NO_CONTROL = validate.Regexp(
    r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*\Z", error="Control characters are not allowed."
)


def text(max_length: int = 200, **kwargs) -> fields.String:
    return fields.String(validate=[validate.Length(max=max_length), NO_CONTROL], **kwargs)


def name(max_length: int = 200, **kwargs) -> fields.String:
    """A text that may not be empty."""
    return fields.String(validate=[validate.Length(min=1, max=max_length), NO_CONTROL], **kwargs)


def row_id(**kwargs) -> fields.Integer:
    return fields.Integer(validate=validate.Range(min=1, max=2**31 - 1), **kwargs)


def optional(**kwargs) -> dict:
    """A field a body may leave out (None when it does) or send as null."""
    return {"load_default": None, "allow_none": True, **kwargs}


def patch_of(schema: type[ma.Schema], class_name: str, *, exclude=()) -> type[ma.Schema]:
    """The PATCH body of a POST body: the same fields and rules, none required, none filled
    in when left out (only what is sent changes)."""
    declared = {}
    for field_name, field in schema._declared_fields.items():
        if field_name in exclude:
            continue
        field = copy.copy(field)
        field.required = False
        field.load_default = ma.missing
        declared[field_name] = field
    return type(class_name, (Strict,), declared)


class EventIn(Strict):
    kind = fields.String(
        load_default=str(EventKind.CONGRESS),
        validate=one_of(k for k in TOP_LEVEL_KINDS if k != EventKind.TOUR),
    )
    title_fr = name(required=True)
    title_en = text(load_default="")
    description_fr = text(20000, load_default="")
    description_en = text(20000, load_default="")
    starts_at = fields.AwareDateTime(required=True)
    ends_at = fields.AwareDateTime(required=True)
    venue = text(**optional())
    city = text(120, **optional())
    region = fields.String(validate=one_of(Region), **optional())
    capacity = fields.Integer(validate=validate.Range(min=0, max=1_000_000), **optional())
    registration_opens_at = fields.AwareDateTime(**optional())
    registration_closes_at = fields.AwareDateTime(**optional())


EventPatch = patch_of(EventIn, "EventPatch", exclude=("kind", "region"))


class AttendeeOut(ma.Schema):
    id = fields.Integer(required=True)
    event_id = fields.Integer(required=True)
    status = fields.String(required=True)
    first_name = fields.String(required=True)
    last_name = fields.String(required=True)
    email = fields.String(allow_none=True)
    organisation_name = fields.String(required=True)
    job_title = fields.String(required=True)
    category = fields.String(required=True)
    region = fields.String(allow_none=True)
    language = fields.String(required=True)
    source = fields.String(required=True)
    ticket_code = fields.String(required=True)
    checked_in_at = fields.DateTime(allow_none=True)
    answers = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        required=True,
        metadata={"description": "Answers to the event's questions, by question identifier."},
    )
    created_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)
    transferred_from_id = fields.Integer(allow_none=True)


class AttendeeArgs(ma.Schema):
    status = fields.String(
        load_default="all",
        validate=validate.OneOf(["live", "confirmed", "waitlisted", "pending", "cancelled", "all"]),
    )
    category = fields.String(validate=one_of(ActorCategory))
    checked_in = fields.String(validate=validate.OneOf(["yes", "no"]))
    answer = fields.String(
        validate=validate.Regexp(r"^[1-9][0-9]{0,9}:[a-z0-9_]{1,40}$"),
        metadata={"description": "<question id>:<option identifier or yes/no>"},
    )


class AttendeeIn(Strict):
    first_name = name(100, required=True)
    last_name = name(100, required=True)
    email = fields.Email(required=True, validate=validate.Length(max=254))
    category = fields.String(required=True, validate=one_of(ActorCategory))
    organisation_name = text(load_default="")
    job_title = text(load_default="")
    region = fields.String(validate=one_of(Region), **optional())
    language = fields.String(load_default="fr", validate=validate.OneOf(["fr", "en"]))
    notify = fields.Boolean(load_default=True, metadata={"description": "E-mail the person."})
    override_capacity = fields.Boolean(load_default=False)
    answers = answers_field(load_default=dict)


# What an organiser may correct (the e-mail is the registration's key).
AttendeePatch = patch_of(
    AttendeeIn, "AttendeePatch", exclude=("email", "language", "notify", "override_capacity")
)


class CancelIn(Strict):
    notify = fields.Boolean(load_default=True)


class MoveIn(Strict):
    to_event_id = row_id(required=True)
    notify = fields.Boolean(load_default=True)
    override_capacity = fields.Boolean(load_default=False)


class MoveOut(ma.Schema):
    moved_to = fields.Nested(AttendeeOut, required=True)


class CheckinIn(Strict):
    registration_id = row_id()
    ticket_code = name()
    desk = text(40, load_default="API")

    @ma.validates_schema
    def _one_of(self, data, **_kwargs):
        if ("registration_id" in data) == ("ticket_code" in data):
            raise ma.ValidationError("Give registration_id or ticket_code.", "_schema")


class CheckinOut(ma.Schema):
    state = fields.String(required=True, metadata={"description": "checked_in, already, ..."})
    admitted = fields.Boolean(required=True)
    attendee = fields.Nested(AttendeeOut, allow_none=True)


class PaymentOut(ma.Schema):
    id = fields.Integer(required=True)
    booking_id = fields.Integer(required=True)
    event_id = fields.Integer(required=True)
    state = fields.String(required=True)
    method = fields.String(allow_none=True)
    currency = fields.String(required=True)
    total_cents = fields.Integer(required=True)
    paid_cents = fields.Integer(required=True)
    refunded_cents = fields.Integer(required=True)
    updated_at = fields.DateTime(required=True)


class MailingOut(ma.Schema):
    id = fields.Integer(required=True)
    event_id = fields.Integer(required=True)
    subject = fields.String(required=True)
    status = fields.String(required=True)
    recipients_count = fields.Integer(required=True)
    send_at = fields.DateTime(allow_none=True)
    sent_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime(required=True)


class TrackOut(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.Nested(Title, required=True)


class PublicSessionOut(ma.Schema):
    id = fields.Integer(required=True)
    event_id = fields.Integer(required=True)
    kind = fields.String(required=True)
    title = fields.Nested(Title, required=True)
    description = fields.Nested(Title, required=True)
    track = fields.Nested(TrackOut, allow_none=True, required=True)
    seat_limit = fields.Integer(allow_none=True, required=True)
    starts_at = fields.DateTime(required=True)
    ends_at = fields.DateTime(required=True)
    room_id = fields.Integer(allow_none=True, required=True)
    cancelled = fields.Boolean(required=True)
    speaker_ids = fields.List(fields.Integer(), required=True)
    updated_at = fields.DateTime(required=True)


class PublishedSchedule(ma.Schema):
    at = fields.DateTime(required=True)
    starts_at = fields.DateTime(required=True)
    ends_at = fields.DateTime(required=True)
    room_id = fields.Integer(allow_none=True, required=True)
    cancelled = fields.Boolean(required=True)


class SessionOut(PublicSessionOut):
    published = fields.Nested(
        PublishedSchedule,
        allow_none=True,
        required=True,
        metadata={"description": "The published schedule (null: not published yet)."},
    )


class RoomOut(ma.Schema):
    id = fields.Integer(required=True)
    event_id = fields.Integer(required=True)
    name = fields.String(required=True)
    capacity = fields.Integer(allow_none=True, required=True)


class PublicSpeakerOut(ma.Schema):
    id = fields.Integer(required=True)
    event_id = fields.Integer(required=True)
    name = fields.String(required=True)
    organisation = fields.String(required=True)
    role = fields.String(required=True)
    bio = fields.Nested(Title, required=True)
    session_ids = fields.List(fields.Integer(), required=True)
    updated_at = fields.DateTime(required=True)


class SpeakerOut(PublicSpeakerOut):
    consent_listed = fields.Boolean(required=True)
    registration_id = fields.Integer(allow_none=True, required=True)


class VatLine(ma.Schema):
    rate = fields.String(required=True)
    taxable_cents = fields.Integer(required=True)
    vat_cents = fields.Integer(required=True)


class InvoiceOut(ma.Schema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True, metadata={"description": "invoice, credit_note, quote"})
    number = fields.String(required=True)
    issue_date = fields.Date(required=True)
    due_date = fields.Date(allow_none=True, required=True)
    valid_until = fields.Date(allow_none=True, required=True)
    language = fields.String(required=True)
    event_id = fields.Integer(allow_none=True, required=True)
    booking_id = fields.Integer(allow_none=True, required=True)
    payment_id = fields.Integer(allow_none=True, required=True)
    corrects_id = fields.Integer(allow_none=True, required=True)
    corrects_number = fields.String(allow_none=True, required=True)
    quote_id = fields.Integer(allow_none=True, required=True)
    buyer_name = fields.String(required=True)
    purchase_order = fields.String(allow_none=True, required=True)
    payment_reference = fields.String(allow_none=True, required=True)
    net_cents = fields.Integer(required=True)
    vat_cents = fields.Integer(required=True)
    total_cents = fields.Integer(required=True)
    prepaid_cents = fields.Integer(required=True)
    vat_breakdown = fields.List(fields.Nested(VatLine), required=True)
    settled = fields.Boolean(
        required=True, metadata={"description": "Paid (an invoice), refunded (a credit note)."}
    )
    created_at = fields.DateTime(required=True)
    pdf = fields.String(required=True, metadata={"description": "The PDF's address."})
