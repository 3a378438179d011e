"""A person's page, and what an organiser does to one registration: correct it, cancel it,
re-confirm it, promote it from the waiting list. Every seat change goes through
services.registrations (the one seat rule)."""

from __future__ import annotations

from flask import flash, redirect, request
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select

from eventapp.extensions import db
from eventapp.i18n import current_language
from eventapp.models import (
    AuditLog,
    Event,
    OutboxMessage,
    OutboxStatus,
    Registration,
    RegistrationStatus,
    User,
)
from eventapp.organiser.attendees.forms import (
    CancelRegistrationForm,
    OverrideForm,
    attendee_form,
)
from eventapp.organiser.attendees.links import back_url, detail_url
from eventapp.organiser.attendees.move import move_form
from eventapp.organiser.blueprint import bp
from eventapp.organiser.navigation import render_event
from eventapp.permissions import Perm, guard
from eventapp.problems import flash_and_redirect, keep_form
from eventapp.questions import answers as answer_service
from eventapp.questions import reading
from eventapp.services import registrations as registration_service
from eventapp.services.counts import waitlist_position


@bp.get("/events/<id:event_id>/attendees/<id:registration_id>")
@guard.registration(Perm.ATTENDEES_VIEW)
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
    transferred_from = (
        db.session.scalar(
            select(Event)
            .join(Registration, Registration.event_id == Event.id)
            .where(Registration.id == registration.transferred_from_id)
        )
        if registration.transferred_from_id
        else None
    )
    return render_event(
        "organiser/attendee.html",
        event,
        registration=registration,
        transferred_from=transferred_from.title(current_language()) if transferred_from else None,
        bounced=bool(messages) and messages[0].status == OutboxStatus.BOUNCED,
        position=waitlist_position(registration),
        history=history,
        messages=messages,
        action_form=OverrideForm(),
        cancel_form=CancelRegistrationForm(notify=True),
        move_form=move_form(event),
        answers=reading.rows_of(registration, current_language()),
        current_tab="organiser.attendees",
    )


@bp.route("/events/<id:event_id>/attendees/<id:registration_id>/edit", methods=["GET", "POST"])
@guard.registration(Perm.ATTENDEES_EDIT)
def attendee_edit(event, registration):
    form = attendee_form(
        event,
        current_language(),
        registration,
        obj=registration if request.method == "GET" else None,
    )
    if request.method == "GET":
        form.category.data = str(registration.category)
        form.region.data = str(registration.region) if registration.region else ""

    def page(status: int):
        return render_event(
            "organiser/attendee_form.html",
            event,
            status=status,
            form=form,
            registration=registration,
            current_tab="organiser.attendees",
        )

    if form.validate_on_submit():
        data = form.person_data()
        with keep_form(form, page):
            changed = registration_service.update_details(
                registration,
                {name: data[name] for name in registration_service.EDITABLE_FIELDS},
                user=current_user,
            )
            changed = (
                answer_service.save(
                    registration.booking, [registration], form.answers(), user=current_user
                )
                or changed
            )
        flash(
            _("The registration has been updated.") if changed else _("Nothing was changed."),
            "success" if changed else "info",
        )
        return redirect(detail_url(event, registration))
    return page(400 if form.is_submitted() else 200)


@bp.post("/events/<id:event_id>/attendees/<id:registration_id>/cancel")
@guard.registration(Perm.ATTENDEES_EDIT)
def attendee_cancel(event, registration):
    form = CancelRegistrationForm()
    if form.validate_on_submit():
        if registration.status == RegistrationStatus.CANCELLED:
            flash(_("This registration was already cancelled."), "info")
        else:
            promoted = registration_service.cancel(
                registration, user=current_user, notify=form.notify.data
            )
            message = _("The registration of %(name)s is cancelled.", name=registration.full_name)
            if promoted:
                message += " " + ngettext(
                    "%(num)s person on the waiting list was offered the place.",
                    "%(num)s people on the waiting list were offered the place.",
                    len(promoted),
                )
            flash(message, "success")
    return redirect(back_url(event, registration))


@bp.post("/events/<id:event_id>/attendees/<id:registration_id>/reconfirm")
@guard.registration(Perm.ATTENDEES_EDIT)
def attendee_reconfirm(event, registration):
    form = OverrideForm()
    back = back_url(event, registration)
    if form.validate_on_submit():
        with flash_and_redirect(back):
            status = registration_service.reconfirm(
                registration,
                user=current_user,
                override_capacity=form.override_capacity.data,
            )
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
    return redirect(back)


@bp.post("/events/<id:event_id>/attendees/<id:registration_id>/promote")
@guard.registration(Perm.ATTENDEES_EDIT)
def attendee_promote(event, registration):
    """Move a person from the waiting list to confirmed (out of turn if need be); without a free
    seat only with the explicit over-capacity box, which the audit log records."""
    form = OverrideForm()
    back = back_url(event, registration)
    if form.validate_on_submit():
        with flash_and_redirect(back):
            registration_service.promote(
                registration,
                user=current_user,
                override_capacity=form.override_capacity.data,
            )
        flash(
            _(
                "%(name)s moved from the waiting list to confirmed, and was e-mailed.",
                name=registration.full_name,
            ),
            "success",
        )
    return redirect(back)
