"""An event's status: publish, unpublish, cancel (which e-mails the registrants)."""

from flask import flash, redirect, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from eventapp.i18n import current_language
from eventapp.models import EventStatus
from eventapp.organiser.blueprint import bp
from eventapp.organiser.forms import ActionForm, ConfirmForm
from eventapp.organiser.navigation import render_event
from eventapp.permissions import Perm, guard
from eventapp.problems import flash_and_redirect
from eventapp.services import events as event_service

# --- status ---------------------------------------------------------------------------------


@bp.post("/events/<id:event_id>/publish")
@guard.event(Perm.EVENT_SETTINGS)
def event_publish(event):
    back = url_for("organiser.event_overview", event_id=event.id)
    if ActionForm().validate_on_submit():
        with flash_and_redirect(back):
            event_service.publish(event, user=current_user)
        flash(_("The event is published: it appears on the public site."), "success")
    return redirect(back)


@bp.post("/events/<id:event_id>/unpublish")
@guard.event(Perm.EVENT_SETTINGS)
def event_unpublish(event):
    back = url_for("organiser.event_overview", event_id=event.id)
    if ActionForm().validate_on_submit():
        with flash_and_redirect(back):
            event_service.unpublish(event, user=current_user)
        flash(_("The event is back to draft: it no longer appears on the public site."), "info")
    return redirect(back)


@bp.route("/events/<id:event_id>/cancel", methods=["GET", "POST"])
@guard.event(Perm.EVENT_SETTINGS)
def event_cancel(event):
    """Cancelling asks for confirmation, saying how many people will be e-mailed."""
    if event.status == EventStatus.CANCELLED:
        flash(_("This event is already cancelled."), "info")
        return redirect(url_for("organiser.event_overview", event_id=event.id))
    summary = event_service.cancellation_summary(event)
    form = ConfirmForm()
    if form.validate_on_submit():
        with flash_and_redirect(url_for("organiser.event_overview", event_id=event.id)):
            queued = event_service.cancel_event(event, user=current_user)
        flash(
            ngettext(
                "The event is cancelled. %(num)s registrant is being e-mailed.",
                "The event is cancelled. %(num)s registrants are being e-mailed.",
                queued,
            ),
            "success",
        )
        return redirect(url_for("organiser.event_overview", event_id=event.id))
    lang = current_language()
    status = 400 if form.is_submitted() else 200
    return render_event(
        "organiser/event_cancel.html",
        event,
        status=status,
        form=form,
        recipients=summary["recipients"],
        stages=[e.title(lang) for e in summary["events"] if e.id != event.id],
        current_tab="organiser.event_overview",
    )
