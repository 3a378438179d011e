"""Attendees: the filtered list (an event's, or a tour's across the stages the user manages),
a person's page, edit, cancel, re-confirm, promote from the waiting list, add by hand.

Every seat change goes through services.registrations (the one seat rule)."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select

from eventapp.extensions import db
from eventapp.helpers import safe_next
from eventapp.i18n import current_language
from eventapp.models import (
    ActorCategory,
    AuditLog,
    Event,
    EventKind,
    EventStatus,
    OutboxMessage,
    Region,
    RegistrationSource,
    RegistrationStatus,
    User,
    utcnow,
)
from eventapp.organiser import bp
from eventapp.organiser.access import (
    accessible_stages,
    event_view,
    registration_view,
    render_event,
    require_event,
    require_tour_overview,
    requires,
)
from eventapp.organiser.filters import (
    DEFAULT_PAGE_SIZE,
    PAGE_SIZES,
    SORTS,
    STATUS_CHOICES,
    AttendeeFilter,
    paginate,
)
from eventapp.organiser.forms import (
    AddAttendeeForm,
    AttendeeForm,
    CancelRegistrationForm,
    MoveForm,
    OverrideForm,
)
from eventapp.organiser.messages import registration_error
from eventapp.permissions import Need, accessible_events_clause
from eventapp.services import registrations as registration_service
from eventapp.services.counts import waitlist_position, waitlist_positions
from eventapp.services.registrations import Participant, RegistrationError


def list_scope(event_id: int) -> tuple[Event, list[Event]]:
    """The event whose list is asked for and the events the list covers: the event itself, or
    for a tour the stages the user manages. 404 if the user may not see it."""
    event = db.session.get(Event, event_id)
    if event is not None and event.is_tour:
        tour = require_tour_overview(event_id)
        return tour, accessible_stages(tour)
    event = require_event(event_id, Need.MANAGE)
    return event, [event]


def _int_arg(name: str, default: int) -> int:
    value = request.args.get(name, "")
    return int(value) if value.isdigit() and len(value) < 7 else default


@bp.get("/events/<int:event_id>/attendees")
@requires(Need.MANAGE)
def attendees(event_id: int):
    event, scope = list_scope(event_id)
    flt = AttendeeFilter.from_args(request.args)
    ids = [e.id for e in scope]
    size = _int_arg("per_page", DEFAULT_PAGE_SIZE)
    page = paginate(ids, flt, _int_arg("page", 1), size) if ids else None
    lang = current_language()
    titles = {e.id: e.title(lang) for e in scope}
    positions = waitlist_positions(page.items) if page else {}
    return render_event(
        "organiser/attendees.html",
        event,
        scope=scope,
        titles=titles,
        flt=flt,
        page=page,
        positions=positions,
        status_choices=STATUS_CHOICES,
        sorts=SORTS,
        page_sizes=PAGE_SIZES,
        categories=ActorCategory.choices(),
        regions=Region.choices(),
        action_form=OverrideForm(),
        here=request.full_path,
    )


@bp.get("/events/<int:event_id>/attendees/<int:registration_id>")
@registration_view(Need.MANAGE)
def attendee(event, registration):
    history = db.session.execute(
        select(AuditLog, User.name)
        .outerjoin(User, User.id == AuditLog.user_id)
        .where(AuditLog.registration_id == registration.id)
        .order_by(AuditLog.created_at.desc(), AuditLog.id.desc())
        .limit(100)
    ).all()
    messages = list(
        db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.registration_id == registration.id)
            .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
            .limit(100)
        )
    )
    return render_event(
        "organiser/attendee.html",
        event,
        registration=registration,
        position=waitlist_position(registration),
        history=history,
        messages=messages,
        action_form=OverrideForm(),
        cancel_form=CancelRegistrationForm(notify=True),
        move_form=_move_form(event),
        current_tab="organiser.attendees",
    )


def _move_form(event: Event, formdata=None) -> MoveForm:
    """The events this organiser may move a person to: the ones they manage that still take
    people (not tours, not cancelled, not over), the same tour's stages first."""
    lang = current_language()
    targets = db.session.scalars(
        select(Event)
        .where(
            accessible_events_clause(current_user, Need.MANAGE),
            Event.id != event.id,
            Event.kind != EventKind.TOUR,
            Event.status != EventStatus.CANCELLED,
            Event.ends_at > utcnow(),
        )
        .order_by((Event.parent_id == event.parent_id).desc(), Event.starts_at, Event.id)
        .limit(200)
    )
    form = MoveForm(formdata=formdata)
    form.target.choices = [(e.id, e.title(lang)) for e in targets]
    return form


@bp.post("/events/<int:event_id>/attendees/<int:registration_id>/move")
@registration_view(Need.MANAGE)
def attendee_move(event, registration):
    """Move a person to another event the organiser manages (seat rule of the target; the
    freed seat goes to the first waitlisted person of this event)."""
    form = _move_form(event, request.form)
    if not form.validate():
        flash(_("Choose the event to move this person to."), "error")
        return redirect(_back(event, registration))
    target = require_event(form.target.data, Need.MANAGE)
    try:
        outcome, promoted = registration_service.move(
            registration,
            target,
            user=current_user,
            override_capacity=form.override_capacity.data,
            notify=form.notify.data,
        )
    except RegistrationError as error:
        db.session.rollback()
        flash(registration_error(error), "error")
        return redirect(_back(event, registration))
    db.session.commit()
    lang = current_language()
    if outcome.status == RegistrationStatus.CONFIRMED:
        message = _(
            "%(name)s is moved to %(event)s (confirmed).",
            name=registration.full_name,
            event=target.title(lang),
        )
    else:
        message = _(
            "%(name)s is moved to %(event)s, on the waiting list (that event is full).",
            name=registration.full_name,
            event=target.title(lang),
        )
    if promoted:
        message += " " + ngettext(
            "%(num)s person moved up from the waiting list here.",
            "%(num)s people moved up from the waiting list here.",
            len(promoted),
        )
    flash(message, "success" if outcome.status == RegistrationStatus.CONFIRMED else "warning")
    return redirect(
        url_for("organiser.attendee", event_id=target.id, registration_id=outcome.registration.id)
    )


@bp.route("/events/<int:event_id>/attendees/<int:registration_id>/edit", methods=["GET", "POST"])
@registration_view(Need.MANAGE)
def attendee_edit(event, registration):
    form = AttendeeForm(obj=registration if request.method == "GET" else None)
    if request.method == "GET":
        form.category.data = str(registration.category)
        form.region.data = str(registration.region) if registration.region else ""
    if form.validate_on_submit():
        changed = registration_service.update_details(
            registration,
            {name: getattr(form, name).data for name in registration_service.EDITABLE_FIELDS},
            user=current_user,
        )
        db.session.commit()
        flash(
            _("The registration has been updated.") if changed else _("Nothing was changed."),
            "success" if changed else "info",
        )
        return redirect(_detail_url(event, registration))
    status = 400 if form.is_submitted() else 200
    return render_event(
        "organiser/attendee_form.html",
        event,
        status=status,
        form=form,
        registration=registration,
        current_tab="organiser.attendees",
    )


def _detail_url(event, registration) -> str:
    return url_for("organiser.attendee", event_id=event.id, registration_id=registration.id)


def _back(event, registration) -> str:
    fallback = _detail_url(event, registration)
    target = request.form.get("next")
    return safe_next(target, "organiser.dashboard") if target else fallback


@bp.post("/events/<int:event_id>/attendees/<int:registration_id>/cancel")
@registration_view(Need.MANAGE)
def attendee_cancel(event, registration):
    form = CancelRegistrationForm()
    if form.validate_on_submit():
        if registration.status == RegistrationStatus.CANCELLED:
            flash(_("This registration was already cancelled."), "info")
        else:
            promoted = registration_service.cancel(
                registration, user=current_user, notify=form.notify.data
            )
            db.session.commit()
            message = _("The registration of %(name)s is cancelled.", name=registration.full_name)
            if promoted:
                message += " " + ngettext(
                    "%(num)s person moved up from the waiting list.",
                    "%(num)s people moved up from the waiting list.",
                    len(promoted),
                )
            flash(message, "success")
    return redirect(_back(event, registration))


@bp.post("/events/<int:event_id>/attendees/<int:registration_id>/reconfirm")
@registration_view(Need.MANAGE)
def attendee_reconfirm(event, registration):
    form = OverrideForm()
    if form.validate_on_submit():
        try:
            status = registration_service.reconfirm(
                registration,
                user=current_user,
                override_capacity=form.override_capacity.data,
            )
        except RegistrationError as error:
            db.session.rollback()
            flash(registration_error(error), "error")
        else:
            db.session.commit()
            if status == RegistrationStatus.CONFIRMED:
                flash(
                    _("%(name)s is registered again (confirmed).", name=registration.full_name),
                    "success",
                )
            else:
                flash(
                    _(
                        "%(name)s is registered again, on the waiting list (the event is full).",
                        name=registration.full_name,
                    ),
                    "warning",
                )
    return redirect(_back(event, registration))


@bp.post("/events/<int:event_id>/attendees/<int:registration_id>/promote")
@registration_view(Need.MANAGE)
def attendee_promote(event, registration):
    """Move a person from the waiting list to confirmed (out of turn if need be); without a free
    seat only with the explicit over-capacity box, which the audit log records."""
    form = OverrideForm()
    if form.validate_on_submit():
        try:
            registration_service.promote(
                registration,
                user=current_user,
                override_capacity=form.override_capacity.data,
            )
        except RegistrationError as error:
            db.session.rollback()
            flash(registration_error(error), "error")
        else:
            db.session.commit()
            flash(
                _(
                    "%(name)s moved from the waiting list to confirmed, and was e-mailed.",
                    name=registration.full_name,
                ),
                "success",
            )
    return redirect(_back(event, registration))


@bp.route("/events/<int:event_id>/attendees/new", methods=["GET", "POST"])
@event_view(Need.MANAGE)
def attendee_new(event):
    """Add a person by hand: the same service as the public form (seat rule included), with an
    explicit, logged override to go over capacity."""
    if event.is_tour:
        abort(404)
    form = AddAttendeeForm()
    if request.method == "GET":
        form.language.data = current_language()
        form.notify.data = True
    if event.status == EventStatus.CANCELLED:
        flash(_("This event is cancelled."), "error")
        return redirect(url_for("organiser.event_overview", event_id=event.id))
    if form.validate_on_submit():
        person = Participant(
            first_name=form.first_name.data,
            last_name=form.last_name.data,
            email=form.email.data,
            category=form.category.data,
            organisation_name=form.organisation_name.data or "",
            job_title=form.job_title.data or "",
            region=form.region.data or None,
            language=form.language.data,
            consent_at=utcnow(),
            consent_version=f"organiser:{current_app.config['PRIVACY_NOTICE_VERSION']}",
        )
        try:
            outcome = registration_service.register(
                [event],
                person,
                source=RegistrationSource.ORGANISER,
                user=current_user,
                override_capacity=form.override_capacity.data,
                notify=form.notify.data,
            )[0]
        except RegistrationError as error:
            db.session.rollback()
            flash(registration_error(error), "error")
        else:
            db.session.commit()
            registration = outcome.registration
            if not outcome.created:
                flash(_("This e-mail address is already registered for this event."), "warning")
            elif registration.status == RegistrationStatus.CONFIRMED:
                flash(
                    _("%(name)s is registered (confirmed).", name=registration.full_name), "success"
                )
            else:
                flash(
                    _(
                        "The event is full: %(name)s is on the waiting list. Promote them with "
                        "“go over capacity” to confirm them anyway.",
                        name=registration.full_name,
                    ),
                    "warning",
                )
            return redirect(_detail_url(event, registration))
    status = 400 if form.is_submitted() else 200
    return render_event(
        "organiser/attendee_new.html",
        event,
        status=status,
        form=form,
        current_tab="organiser.attendees",
    )
