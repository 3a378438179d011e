"""The API's marshmallow schemas: what each resource looks like (dump) and what a write may
send (load). Unknown fields in a body are refused (422), so a typo is not silently ignored."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from eventapp.api.v1.answering import answers_field
from eventapp.models import ActorCategory, EventKind, Region
from eventapp.services.events.data import TOP_LEVEL_KINDS


class Strict(ma.Schema):
    class Meta:
        unknown = ma.RAISE


class Title(ma.Schema):
    fr = fields.String()
    en = fields.String()


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


_text = {"validate": validate.Length(max=200)}


class EventIn(Strict):
    kind = fields.String(
        load_default=str(EventKind.CONGRESS),
        validate=validate.OneOf([str(k) for k in TOP_LEVEL_KINDS if k != EventKind.TOUR]),
    )
    title_fr = fields.String(required=True, validate=validate.Length(min=1, max=200))
    title_en = fields.String(load_default="", **_text)
    description_fr = fields.String(load_default="", validate=validate.Length(max=20000))
    description_en = fields.String(load_default="", validate=validate.Length(max=20000))
    starts_at = fields.AwareDateTime(required=True)
    ends_at = fields.AwareDateTime(required=True)
    venue = fields.String(load_default=None, allow_none=True, **_text)
    city = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=120))
    region = fields.String(
        load_default=None, allow_none=True, validate=validate.OneOf([str(r) for r in Region])
    )
    capacity = fields.Integer(
        load_default=None, allow_none=True, validate=validate.Range(min=0, max=1_000_000)
    )
    registration_opens_at = fields.AwareDateTime(load_default=None, allow_none=True)
    registration_closes_at = fields.AwareDateTime(load_default=None, allow_none=True)


class EventPatch(Strict):
    title_fr = fields.String(validate=validate.Length(min=1, max=200))
    title_en = fields.String(**_text)
    description_fr = fields.String(validate=validate.Length(max=20000))
    description_en = fields.String(validate=validate.Length(max=20000))
    starts_at = fields.AwareDateTime()
    ends_at = fields.AwareDateTime()
    venue = fields.String(allow_none=True, **_text)
    city = fields.String(allow_none=True, validate=validate.Length(max=120))
    capacity = fields.Integer(allow_none=True, validate=validate.Range(min=0, max=1_000_000))
    registration_opens_at = fields.AwareDateTime(allow_none=True)
    registration_closes_at = fields.AwareDateTime(allow_none=True)


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
    category = fields.String(validate=validate.OneOf([str(c) for c in ActorCategory]))
    checked_in = fields.String(validate=validate.OneOf(["yes", "no"]))
    answer = fields.String(
        validate=validate.Regexp(r"^[1-9][0-9]{0,9}:[a-z0-9_]{1,40}$"),
        metadata={"description": "<question id>:<option identifier or yes/no>"},
    )


_name = {"required": True, "validate": validate.Length(min=1, max=100)}


class AttendeeIn(Strict):
    first_name = fields.String(**_name)
    last_name = fields.String(**_name)
    email = fields.Email(required=True, validate=validate.Length(max=254))
    category = fields.String(
        required=True, validate=validate.OneOf([str(c) for c in ActorCategory])
    )
    organisation_name = fields.String(load_default="", **_text)
    job_title = fields.String(load_default="", **_text)
    region = fields.String(
        load_default=None, allow_none=True, validate=validate.OneOf([str(r) for r in Region])
    )
    language = fields.String(load_default="fr", validate=validate.OneOf(["fr", "en"]))
    notify = fields.Boolean(load_default=True, metadata={"description": "E-mail the person."})
    override_capacity = fields.Boolean(load_default=False)
    answers = answers_field(load_default=dict)


class AttendeePatch(Strict):
    first_name = fields.String(validate=validate.Length(min=1, max=100))
    last_name = fields.String(validate=validate.Length(min=1, max=100))
    organisation_name = fields.String(**_text)
    job_title = fields.String(**_text)
    category = fields.String(validate=validate.OneOf([str(c) for c in ActorCategory]))
    region = fields.String(allow_none=True, validate=validate.OneOf([str(r) for r in Region]))
    answers = answers_field()


class CancelIn(Strict):
    notify = fields.Boolean(load_default=True)


class MoveIn(Strict):
    to_event_id = fields.Integer(required=True, validate=validate.Range(min=1, max=2**31 - 1))
    notify = fields.Boolean(load_default=True)
    override_capacity = fields.Boolean(load_default=False)


class MoveOut(ma.Schema):
    moved_to = fields.Nested(AttendeeOut, required=True)


class CheckinIn(Strict):
    registration_id = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1))
    ticket_code = fields.String(validate=validate.Length(min=1, max=200))
    desk = fields.String(load_default="API", validate=validate.Length(max=40))

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


class Bilingual(ma.Schema):
    fr = fields.String(required=True)
    en = fields.String(required=True)


class TrackOut(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.Nested(Bilingual, required=True)


class PublicSessionOut(ma.Schema):
    id = fields.Integer(required=True)
    event_id = fields.Integer(required=True)
    kind = fields.String(required=True)
    title = fields.Nested(Bilingual, required=True)
    description = fields.Nested(Bilingual, required=True)
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
    bio = fields.Nested(Bilingual, required=True)
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
