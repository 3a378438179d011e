"""Add a person by hand: the same service as the public form (seat rule included), with an
explicit, logged override to go over capacity."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from eventapp.i18n import current_language
from eventapp.models import EventStatus, RegistrationSource, RegistrationStatus, utcnow
from eventapp.organiser.attendees.forms import attendee_form
from eventapp.organiser.attendees.links import detail_url
from eventapp.organiser.blueprint import bp
from eventapp.organiser.navigation import render_event
from eventapp.permissions import Perm, guard
from eventapp.problems import keep_form
from eventapp.questions import answers as answer_service
from eventapp.services import registrations as registration_service
from eventapp.services.registrations import Participant


@bp.route("/events/<id:event_id>/attendees/new", methods=["GET", "POST"])
@guard.event(Perm.ATTENDEES_EDIT)
def attendee_new(event):
    """Add a person by hand: the same service as the public form (seat rule included), with an
    explicit, logged override to go over capacity."""
    if event.is_tour:
        abort(404)
    form = attendee_form(event, current_language())
    if request.method == "GET":
        form.language.data = current_language()
        form.notify.data = True
    if event.status == EventStatus.CANCELLED:
        flash(_("This event is cancelled."), "error")
        return redirect(url_for("organiser.event_overview", event_id=event.id))

    def page(status: int):
        return render_event(
            "organiser/attendee_new.html",
            event,
            status=status,
            form=form,
            current_tab="organiser.attendees",
        )

    if form.validate_on_submit():
        person = Participant(
            **form.person_data(),
            language=form.language.data,
            consent_at=utcnow(),
            consent_version=f"organiser:{current_app.config['PRIVACY_NOTICE_VERSION']}",
        )
        with keep_form(form, page):
            outcome = registration_service.register(
                [event],
                person,
                source=RegistrationSource.ORGANISER,
                user=current_user,
                override_capacity=form.override_capacity.data,
                notify=form.notify.data,
            )[0]
            if outcome.created:
                answer_service.save(
                    outcome.registration.booking,
                    [outcome.registration],
                    form.answers(),
                    user=current_user,
                )
        registration = outcome.registration
        if not outcome.created:
            flash(_("This e-mail address is already registered for this event."), "warning")
        elif registration.status == RegistrationStatus.CONFIRMED:
            flash(_("%(name)s is registered (confirmed).", name=registration.full_name), "success")
        else:
            flash(
                _(
                    "The event is full: %(name)s is on the waiting list. Promote them with "
                    "“go over capacity” to confirm them anyway.",
                    name=registration.full_name,
                ),
                "warning",
            )
        return redirect(detail_url(event, registration))
    return page(400 if form.is_submitted() else 200)
