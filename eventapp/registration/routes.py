"""The sign-up flow (form, confirmation, "e-mail me my link again") and the participant's manage
page, reached through the secret link of the confirmation e-mail (no account, no login).

A submission makes one booking (services/bookings): every chosen stage, one e-mail listing
each registration with its status and the booking's link (/b/<token>, booking_routes.py).

Privacy: a submission with an address that is already registered changes nothing, e-mails that
booking's link again and shows a neutral page (no status, no details, no link); the page after a
new booking shows what the submitter has just made (statuses, the booking's link, tickets) and
the address the e-mail went to, masked. So the pages cannot be used to learn someone's personal
data, and an existing link cannot be obtained by typing someone's address. Views never commit:
the request does, once (DEVELOPERS.md).
"""

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from eventapp.database import read_first
from eventapp.extensions import csrf, db, limiter
from eventapp.fees import registration_step as fees_step
from eventapp.i18n import current_language, localdatetime
from eventapp.models import Booking, Event, Registration, RegistrationStatus, utcnow
from eventapp.permissions import guard
from eventapp.problems import keep_form
from eventapp.public import availability, catalogue
from eventapp.questions import answers as answer_service
from eventapp.registration.blueprint import bp
from eventapp.registration.forms import (
    MAX_COLLEAGUES,
    CancelForm,
    DetailsForm,
    ResendLinkForm,
    details_form,
    error_summary,
    registration_form,
)
from eventapp.routing import int_arg
from eventapp.services import bookings, calendar, programme
from eventapp.services import registrations as svc
from eventapp.services.b2b import profiles as b2b_profiles
from eventapp.services.counts import event_counts, waitlist_position, waitlist_positions

DONE_KEY = "registration_done"


def _rate(name: str):
    return lambda: current_app.config[name]


def closed_message(code: str) -> str:
    messages = {
        "cancelled": _("This event is cancelled: registration is closed."),
        "ended": _("This event is over: registration is closed."),
        "not_yet_open": _("Registration for this event is not open yet."),
        "closed": _("Registration for this event is closed."),
        "tour": _("Choose the stages you want to attend."),
        "no_event": _("Choose at least one stage."),
    }
    return messages.get(code, _("Registration for this event is closed."))


@bp.route("/events/<slug>/register", methods=["GET", "POST"])
@guard.public
@read_first  # SQLite: the write lock is taken by the seat rule, not for the whole request
@csrf.exempt  # the form checks its own token, so an expired one keeps what was typed
@limiter.limit(_rate("REGISTRATION_RATE_LIMIT"), methods=["POST"])
def register(slug: str):
    """The sign-up form. A POST reads, checks the form and only then takes the event's lock
    (services.registrations.register): a rush of submissions spends as little time as
    possible holding it. Counts are read only to show the page."""
    event = catalogue.public_event_or_404(slug, with_organisers=False)
    if event.parent_id is not None:
        parent = db.session.get(Event, event.parent_id)
        if parent is not None and parent.is_tour:
            return redirect(url_for("registration.register", slug=parent.slug, stage=event.id))
    lang = current_language()
    stage_rows, counts = catalogue.stage_rows(event, lang, utcnow()) if event.is_tour else ([], {})
    open_rows = [row for row in stage_rows if row["availability"].state == "open"]
    if event.is_tour:
        avail = availability.for_tour(event, [r["event"] for r in stage_rows], counts)
        state = "open" if open_rows else {"tour_upcoming": "closed"}.get(avail.state, avail.state)
        if avail.state == "cancelled":  # a cancelled tour takes no registration for its stages
            state, open_rows = "cancelled", []
        choices = [(row["event"].id, row["title"]) for row in open_rows]
    else:
        state = event.registration_state()
        avail = None  # counted below, only when the page is shown
        choices = None
    form = registration_form(
        event, lang, [row["event"] for row in open_rows], stage_choices=choices
    )
    fee_form, rates = fees_step.form_for(event, lang, utcnow())
    if request.method == "GET" and event.is_tour:
        wanted = int_arg("stage")
        if wanted in {c[0] for c in choices}:
            form.stages.data = [wanted]

    status, problem = 200, None
    if request.method == "POST":
        if state != "open":
            status, problem = 409, closed_message(state)
        elif form.add_colleague.data:
            # "Add a colleague" (works without JavaScript): the same form, one row more.
            form.add_colleague_row()
        elif not all([form.validate(), fee_form is None or fee_form.validate()]):
            status = 400
        elif form.homepage.data:
            # Honeypot filled in: most likely a bot. A person who did so by accident just
            # sends again (the field is emptied).
            form.homepage.data = ""
            status, problem = (
                400,
                _("Your registration could not be processed. Please send it again."),
            )
        else:
            targets = (
                [row["event"] for row in open_rows if row["event"].id in set(form.stages.data)]
                if event.is_tour
                else [event]
            )
            person = svc.Participant(
                **form.person_data(),
                language=lang,
                consent_at=utcnow(),
                consent_version=current_app.config["PRIVACY_NOTICE_VERSION"],
            )

            colleagues = form.people()
            attendees = [person] + [
                svc.Participant(
                    first_name=c["first_name"],
                    last_name=c["last_name"],
                    email=c["email"],
                    category=person.category,
                    organisation_name=person.organisation_name,
                    job_title=c["job_title"] or "",
                    region=person.region,
                    language=lang,
                    # The booker accepted the privacy notice for the people they register.
                    consent_at=person.consent_at,
                    consent_version=person.consent_version,
                )
                for c in colleagues
            ]

            def page(status):
                return _register_page(
                    event, lang, form, state, None, stage_rows, None, status, fee_form, rates
                )

            with keep_form(form, page):
                try:
                    result = bookings.book(
                        targets,
                        attendees,
                        origin=event,
                        booker=person,
                        own_links=[c["email"] for c in colleagues if c["own_link"]],
                    )
                    if result.booking is not None:
                        # Each person's answers on their own registrations (the tour's
                        # questions once, on the booking, by the booker).
                        _save_answers(result, person.email, form.answers())
                        for c in colleagues:
                            _save_answers(result, c["email"], c["answers"], c["form"])
                except IntegrityError as error:
                    # Only a write that skipped the seat lock can get here; nothing is saved
                    # (the request rolls back before the form is shown again).
                    raise bookings.BookingError(bookings.BookingError.Code.NOT_PROCESSED) from error
            with keep_form(fee_form, page):  # the checkout step: the booking's price
                payment = fees_step.after_booking(result, event, fee_form)
            booking = result.booking
            # The same page whatever the submission made: new registrations, or an address
            # already registered (whose owner gets their link by e-mail, through the outbox).
            # It names the chosen events and the (masked) address the e-mail went to; the
            # statuses, tickets and link travel in that e-mail only, so a stranger typing
            # someone's address learns nothing (not even for some of the stages).
            session[DONE_KEY] = {
                "event": event.id,
                "ids": [o.registration.id for o in result.created],
                "booking": booking.manage_token if booking is not None else None,
                "to": mask_email(svc.normalise_email(person.email)),
                # Some of the chosen events already had this address: said only then, in the
                # same words whoever holds it (no status, no name, no link).
                "existing": any(
                    o.registration.email == svc.normalise_email(person.email)
                    for o in result.existing
                ),
            }
            if payment is not None:
                return redirect(url_for("fees.pay", token=booking.manage_token))
            return redirect(url_for("registration.done", slug=event.slug))
    return _register_page(
        event, lang, form, state, avail, stage_rows, problem, status, fee_form, rates
    )


def _save_answers(result, email, answers, subform=None) -> None:
    """Save one attendee's answers on the registrations the booking has just made for them. A
    full option chosen by a colleague is said next to that colleague's field (the page shows
    the message again at the top)."""
    address = svc.normalise_email(email)
    mine = [o.registration for o in result.created if o.registration.email == address]
    if not mine and subform is not None:
        return  # a colleague already registered: nothing new, nothing answered
    try:
        answer_service.save(result.booking, mine, answers, new=True)
    except answer_service.QuestionError as error:
        if subform is not None and error.field and error.field in subform:
            field = subform[error.field]
            field.errors = [*field.errors, error.message]
            error.field = None
        raise


def _register_page(
    event, lang, form, state, avail, stage_rows, problem, status, fee_form=None, rates=()
):
    if avail is None:
        if event.is_tour:
            avail = availability.for_tour(
                event,
                [r["event"] for r in stage_rows],
                catalogue.stage_rows(event, lang, utcnow())[1],
            )
        else:
            avail = availability.for_event(event, event_counts([event.id])[event.id])
    return (
        render_template(
            "registration/register.html",
            event=event,
            title=event.title(lang),
            form=form,
            state=state,
            availability=avail,
            stage_rows=stage_rows,
            problem=problem,
            privacy_version=current_app.config["PRIVACY_NOTICE_VERSION"],
            summary=error_summary(form),
            max_colleagues=MAX_COLLEAGUES,
            fee_form=fee_form,
            rates=rates,
        ),
        status,
    )


def changes_closed_message(event: Event) -> str:
    """Why a participant can no longer cancel or change online (the event is over, or its
    deadline for online changes has passed)."""
    if event.has_ended():
        return _("This event is over: the registration can no longer be changed.")
    return _(
        "Online changes and cancellations closed on %(deadline)s (Paris time). To change "
        "anything now, write to the organiser.",
        deadline=localdatetime(event.changes_until, "long"),
    )


def frees_a_seat_for_someone(registration: Registration) -> bool:
    """Whether cancelling this registration would give a seat to someone waiting: it holds one
    (confirmed, or an open offer) and somebody waits without an offer."""
    holds = registration.status == RegistrationStatus.CONFIRMED or (
        registration.status == RegistrationStatus.WAITLISTED
        and registration.offer_expires_at is not None
    )
    if not holds:
        return False
    waiting = db.session.scalar(
        select(Registration.id)
        .where(
            Registration.event_id == registration.event_id,
            Registration.status == RegistrationStatus.WAITLISTED,
            Registration.offer_expires_at.is_(None),
            Registration.id != registration.id,
        )
        .limit(1)
    )
    return waiting is not None


def mask_email(address: str) -> str:
    """c•••@example.org: enough for its owner to recognise, no more."""
    local, _at, domain = (address or "").partition("@")
    return f"{local[:1]}{'•' * max(len(local) - 1, 3)}@{domain}" if domain else ""


@bp.get("/events/<slug>/registered")
@guard.public
def done(slug: str):
    """Post/Redirect/Get target: what the last submission made. Registrations it created are
    listed with their status, the booking's link, tickets and the event's practical information
    (the submitter has just made them). For an address that was already registered nothing is
    created: the page then says only what it says to everybody (the link went by e-mail), so
    it tells a stranger nothing (issue 19: "the duplicate case ... shows a neutral page")."""
    event = catalogue.public_event_or_404(slug, with_organisers=False)
    data = session.get(DONE_KEY) or {}
    if data.get("event") != event.id:
        return redirect(url_for("public.event", slug=event.slug))
    ids = [i for i in data.get("ids", []) if isinstance(i, int)][:50]
    registrations = (
        list(
            db.session.scalars(
                select(Registration)
                .where(Registration.id.in_(ids))
                .options(selectinload(Registration.event))
            )
        )
        if ids
        else []
    )
    lang = current_language()
    positions = waitlist_positions(registrations)
    rows = [
        {
            "registration": r,
            "event": r.event,
            "title": r.event.title(lang),
            "position": positions.get(r.id),
            "practical": r.event.practical_info_text(lang),
        }
        for r in sorted(registrations, key=lambda r: (r.event.starts_at, r.id))
    ]
    booking_token = data.get("booking") if rows else None
    return render_template(
        "registration/done.html",
        event=event,
        title=event.title(lang),
        rows=rows,
        booking_token=booking_token if isinstance(booking_token, str) else None,
        sent_to=data.get("to") or "",
        some_existing=bool(data.get("existing")) and bool(rows),
    )


@bp.route("/events/<slug>/resend-link", methods=["GET", "POST"])
@guard.public
@limiter.limit(_rate("RESEND_LINK_RATE_LIMIT"), methods=["POST"])
def resend_link(slug: str):
    """E-mail me my link again: the answer is the same whether the address is registered."""
    event = catalogue.public_event_or_404(slug, with_organisers=False)
    form = ResendLinkForm()
    status = 200
    if request.method == "POST":
        if form.validate():
            event_ids = (
                [s.id for s in catalogue.public_stages(event, with_organisers=False)]
                if event.is_tour
                else [event.id]
            )
            found = db.session.scalars(
                select(Registration).where(
                    Registration.event_id.in_(event_ids),
                    Registration.email == svc.normalise_email(form.email.data),
                    Registration.status != RegistrationStatus.CANCELLED,
                )
            )
            # One e-mail per booking, whatever the number of its registrations; a colleague
            # booked by someone else gets their own registration's link.
            found = list(found)
            for booking_id in sorted({r.booking_id for r in found}):
                booking = db.session.get(Booking, booking_id)
                if any(r.email == booking.email for r in found if r.booking_id == booking_id):
                    bookings.notify_booking(booking, "reminder_link")
                else:
                    for r in found:
                        if r.booking_id == booking_id:
                            bookings.mail_service.notify_registration(r, "reminder_link")
            flash(
                _(
                    "If this address is registered for this event, we have e-mailed its "
                    "personal link. It may take a few minutes; check your spam folder too."
                ),
                "success",
            )
            return redirect(url_for("registration.resend_link", slug=event.slug))
        status = 400
    return (
        render_template(
            "registration/resend_link.html",
            event=event,
            title=event.title(current_language()),
            form=form,
        ),
        status,
    )


# --- the manage page ------------------------------------------------------------------------


def _render_manage(registration: Registration, form: DetailsForm, status: int = 200):
    event = registration.event
    lang = current_language()
    response = current_app.make_response(
        (
            render_template(
                "registration/manage.html",
                registration=registration,
                event=event,
                title=event.title(lang),
                position=waitlist_position(registration),
                form=form,
                can_cancel=registration.is_live and event.changes_allowed(),
                can_change=event.changes_allowed(),
                practical=event.practical_info_text(lang),
                answers_due=answer_service.answers_due([registration], lang),
                show_online_link=bool(
                    event.online_url and registration.status == RegistrationStatus.CONFIRMED
                ),
                programme_block=programme.manage_block(registration),  # issue 16
                b2b_open=b2b_profiles.is_enabled(event),
            ),
            status,
        )
    )
    return response


@bp.route("/r/<token>", methods=["GET", "POST"])
@csrf.exempt  # DetailsForm checks its own token and keeps the corrections typed
@limiter.limit(_rate("MANAGE_RATE_LIMIT"), methods=["POST"])
@guard.manage_link
def manage(registration: Registration, token: str):
    form = details_form([registration], current_language(), obj=registration)
    if request.method == "POST":
        if not registration.is_live:
            abort(409, _("This registration is cancelled: it can no longer be changed."))
        if not registration.event.changes_allowed():
            abort(409, changes_closed_message(registration.event))
        if not form.validate():
            return _render_manage(registration, form, 400)
        data = form.person_data()
        with keep_form(form, lambda status: _render_manage(registration, form, status)):
            changed = svc.update_details(
                registration,
                {name: data[name] for name in svc.EDITABLE_FIELDS},
                actor="participant",
            )
            answered = answer_service.save(
                registration.booking, [registration], form.answers(), actor="participant"
            )
        if changed or answered:
            flash(_("Your corrections are saved."), "success")
        else:
            flash(_("Nothing to change: your details were already up to date."), "info")
        return redirect(url_for("registration.manage", token=token))
    return _render_manage(registration, form)


@bp.route("/r/<token>/cancel", methods=["GET", "POST"])
@limiter.limit(_rate("MANAGE_RATE_LIMIT"), methods=["POST"])
@guard.manage_link
def cancel(registration: Registration, token: str):
    """Cancelling asks for a confirmation; the freed seat goes to the waiting list at once."""
    event = registration.event
    if not registration.is_live:
        flash(_("This registration is already cancelled."), "info")
        return redirect(url_for("registration.manage", token=token))
    if event.has_ended():
        abort(409, _("This event is over: the registration can no longer be cancelled."))
    if not event.changes_allowed():
        abort(409, changes_closed_message(event))
    form = CancelForm()
    if request.method == "POST":
        if form.validate():
            svc.cancel(registration, actor="participant")
            flash(_("Your registration is cancelled. A confirmation has been e-mailed."), "success")
            return redirect(url_for("registration.manage", token=token))
        flash(_("Your session has expired. Please confirm again."), "error")
    response = current_app.make_response(
        (
            render_template(
                "registration/cancel.html",
                registration=registration,
                event=event,
                title=event.title(current_language()),
                form=form,
                someone_waits=frees_a_seat_for_someone(registration),
            ),
            400 if request.method == "POST" else 200,
        )
    )
    return response


@bp.get("/r/<token>/calendar.ics")
@guard.manage_link
def registration_ics(registration: Registration, token: str):
    response = calendar.ics_response(
        calendar.registration_calendar(registration),
        calendar.calendar_filename(registration.event),
    )
    return response
