"""The booking page, reached through the booking's secret link (/b/<token>, e-mailed to the
booker): every registration of the booking with its status, ticket and calendar file; add a
stage of the tour (same seat rule, same lock); correct the person's details once for all their
registrations; cancel one registration. Views never commit: the request does, once."""

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from eventapp.extensions import csrf, db, limiter
from eventapp.fees.participant import payment_context
from eventapp.i18n import current_language
from eventapp.models import Booking, Event, Registration, RegistrationStatus, utcnow
from eventapp.permissions import guard
from eventapp.problems import flash_and_redirect, keep_form
from eventapp.public import catalogue
from eventapp.questions import answers as answer_service
from eventapp.registration.blueprint import bp
from eventapp.registration.forms import AddStagesForm, CancelForm, details_form
from eventapp.registration.routes import changes_closed_message, frees_a_seat_for_someone
from eventapp.services import bookings
from eventapp.services import registrations as svc
from eventapp.services.counts import waitlist_positions
from eventapp.services.fees import cancellation as fees_cancellation
from eventapp.services.fees import checkout as fees_checkout


def _rate(name: str):
    return lambda: current_app.config[name]


def _addable(booking: Booking, registrations, lang: str):
    """The tour's open stages the booking does not hold yet: (id, title) pairs."""
    origin = db.session.get(Event, booking.event_id) if booking.event_id else None
    if origin is None or not origin.is_tour:
        return origin, []
    held = {r.event_id for r in registrations if r.is_live}
    rows, _counts = catalogue.stage_rows(origin, lang, utcnow())
    return origin, [
        (row["event"].id, row["title"])
        for row in rows
        if row["availability"].state == "open" and row["event"].id not in held
    ]


def _person(booking: Booking, registrations) -> Registration | None:
    """The registration whose details the page corrects: the booker's own, else the first."""
    live = [r for r in registrations if r.is_live]
    own = [r for r in live if r.email == booking.email]
    return (own or live or [None])[0]


def _own(registrations, person):
    """The person's registrations in the booking (the form asks each of their events')."""
    return [r for r in registrations if r.is_live and r.email == person.email] or [person]


def _changeable(registrations):
    """Those the participant may still change online (before their event's deadline)."""
    return [r for r in registrations if r.event.changes_allowed()]


def _page(booking, token, form=None, add_form=None, status=200):
    lang = current_language()
    registrations = bookings.registrations_of(booking)
    origin, addable = _addable(booking, registrations, lang)
    person = _person(booking, registrations)
    changeable = _changeable(_own(registrations, person)) if person is not None else []
    if form is None and changeable:
        form = details_form(changeable, lang, obj=person, formdata=None)
    if add_form is None and addable:
        add_form = AddStagesForm(stage_choices=addable, formdata=None)
    positions = waitlist_positions(registrations)
    rows = [
        {"registration": r, "event": r.event, "position": positions.get(r.id)}
        for r in registrations
    ]
    return (
        render_template(
            "registration/booking.html",
            booking=booking,
            token=token,
            origin=origin,
            lang=lang,
            rows=rows,
            form=form if changeable else None,
            add_form=add_form if addable else None,
            fee=payment_context(booking),  # issue 14: what the booking owes, if anything
            answers_due=answer_service.answers_due(_own(registrations, person), lang)
            if person is not None
            else [],
        ),
        status,
    )


@bp.route("/b/<token>", methods=["GET", "POST"])
@csrf.exempt  # DetailsForm checks its own token and keeps the corrections typed
@limiter.limit(_rate("MANAGE_RATE_LIMIT"), methods=["POST"])
@guard.booking_link
def booking(booking: Booking, token: str):
    if request.method == "POST":
        registrations = bookings.registrations_of(booking)
        person = _person(booking, registrations)
        if person is None:
            flash(_("Nothing is left to change: every registration is cancelled."), "info")
            return redirect(url_for("registration.booking", token=token))
        own = _changeable(_own(registrations, person))
        if not own:
            flash(changes_closed_message(person.event), "error")
            return redirect(url_for("registration.booking", token=token))
        form = details_form(own, current_language(), obj=person)
        if not form.validate():
            return _page(booking, token, form=form, status=400)
        data = form.person_data()
        with keep_form(form, lambda status: _page(booking, token, form=form, status=status)):
            changed = bookings.update_person(
                booking,
                person.email,
                {name: data[name] for name in svc.EDITABLE_FIELDS},
                only=own,
            )
            answered = answer_service.save(booking, own, form.answers(), actor="participant")
        if changed or answered:
            flash(_("Your corrections are saved for every registration."), "success")
        else:
            flash(_("Nothing to change: your details were already up to date."), "info")
        return redirect(url_for("registration.booking", token=token))
    return _page(booking, token)


@bp.post("/b/<token>/add")
@limiter.limit(_rate("MANAGE_RATE_LIMIT"))
@guard.booking_link
def booking_add(booking: Booking, token: str):
    lang = current_language()
    registrations = bookings.registrations_of(booking)
    _origin, addable = _addable(booking, registrations, lang)
    form = AddStagesForm(stage_choices=addable)
    if not form.validate():
        if form.csrf_token.errors:
            flash(_("Your session has expired. Please confirm again."), "error")
        return _page(booking, token, add_form=form, status=400)
    chosen = set(form.stages.data)

    events = [db.session.get(Event, event_id) for event_id, _title in addable if event_id in chosen]
    with keep_form(form, lambda status: _page(booking, token, add_form=form, status=status)):
        outcomes = bookings.add_events(booking, events)
        # A tour's per-stage rate: each stage added is owed too (a pass already covers it).
        fees_checkout.add_stages(booking, [o.registration for o in outcomes if o.created])
    waiting = [o for o in outcomes if o.status == RegistrationStatus.WAITLISTED]
    flash(
        _("Added to your booking. A confirmation has been e-mailed.")
        if not waiting
        else _(
            "Added to your booking; a full stage put you on its waiting list. A confirmation "
            "has been e-mailed."
        ),
        "success",
    )
    return redirect(url_for("registration.booking", token=token))


@bp.route("/b/<token>/cancel/<id:registration_id>", methods=["GET", "POST"])
@limiter.limit(_rate("MANAGE_RATE_LIMIT"), methods=["POST"])
@guard.booking_link
def booking_cancel(booking: Booking, token: str, registration_id: int):
    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.booking_id != booking.id:
        return redirect(url_for("registration.booking", token=token))
    back = url_for("registration.booking", token=token)
    if not registration.is_live:
        flash(_("This registration is already cancelled."), "info")
        return redirect(back)
    if not registration.event.changes_allowed():
        flash(changes_closed_message(registration.event), "error")
        return redirect(back)
    form = CancelForm()
    refund_cents = fees_cancellation.refund_on_cancel(registration)  # issue 14
    if request.method == "POST" and form.validate():
        with flash_and_redirect(back):
            bookings.cancel_registration(booking, registration)
            fees_cancellation.after_cancel(registration, amount=refund_cents)
        flash(_("The registration is cancelled. A confirmation has been e-mailed."), "success")
        return redirect(back)
    if request.method == "POST":
        flash(_("Your session has expired. Please confirm again."), "error")
    someone_waits = frees_a_seat_for_someone(registration)
    return (
        render_template(
            "registration/booking_cancel.html",
            booking=booking,
            token=token,
            registration=registration,
            title=registration.event.title(current_language()),
            form=form,
            someone_waits=someone_waits,
            refund_cents=refund_cents,
            paid_booking=fees_cancellation.has_paid(registration),
        ),
        400 if request.method == "POST" else 200,
    )
