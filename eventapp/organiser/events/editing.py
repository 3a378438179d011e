"""Create an event (or a tour's stage) and edit one."""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from eventapp.extensions import db
from eventapp.models import EventRegion, EventStatus, Organisation
from eventapp.organiser.blueprint import bp
from eventapp.organiser.events.forms import EventForm
from eventapp.organiser.forms import choices
from eventapp.organiser.navigation import render_event
from eventapp.permissions import Perm, guard
from eventapp.problems import keep_form
from eventapp.services import events as event_service


def _organisations_for_form(form: EventForm) -> None:
    everyone = list(db.session.scalars(select(Organisation).order_by(Organisation.name)))
    form.set_organisations(event_service.lead_organisations(current_user), everyone)


# --- create and edit ------------------------------------------------------------------------


@bp.route("/events/new", methods=["GET", "POST"])
@guard.organisations(Perm.EVENT_CREATE)
def event_new(organisations):
    """A new event, led by one of the organisations the actor may create events for."""
    form = EventForm()
    _organisations_for_form(form)
    if not form.is_submitted():
        form.lead_id.data = organisations[0].id

    def page(status: int):
        return render_template(
            "organiser/event_form.html", form=form, event=None, tour=None
        ), status

    if form.validate_on_submit():
        with keep_form(form, page):
            event = event_service.create_event(form.to_data(), user=current_user)
        flash(_("The event has been created as a draft."), "success")
        return redirect(url_for("organiser.event_overview", event_id=event.id))
    return page(400 if form.is_submitted() else 200)


@bp.route("/events/<id:event_id>/stages/new", methods=["GET", "POST"])
@guard.event(Perm.EVENT_SETTINGS)
def stage_new(event):
    if not event.is_tour:
        flash(_("Stages can only be added to a tour."), "error")
        return redirect(url_for("organiser.event_overview", event_id=event.id))
    if event.status == EventStatus.CANCELLED:
        flash(_("This tour is cancelled: no stage can be added."), "error")
        return redirect(url_for("organiser.event_overview", event_id=event.id))
    form = EventForm()
    _organisations_for_form(form)
    everyone = list(db.session.scalars(select(Organisation).order_by(Organisation.name)))
    form.lead_id.choices = choices((o.id, o.name) for o in everyone)  # any may lead
    if not form.is_submitted():
        roles = event_service.organiser_roles(event)
        lead = [org_id for org_id, role in roles.items() if role == "lead"]
        form.lead_id.data = lead[0] if lead else None

    def page(status: int):
        return render_event(
            "organiser/event_form.html",
            event,
            status=status,
            form=form,
            tour=event,
            current_tab="organiser.event_overview",
        )

    if form.validate_on_submit():
        with keep_form(form, page):
            stage = event_service.create_event(form.to_data(), user=current_user, tour=event)
        flash(_("The stage has been added to the tour as a draft."), "success")
        return redirect(url_for("organiser.event_overview", event_id=stage.id))
    return page(400 if form.is_submitted() else 200)


@bp.route("/events/<id:event_id>/edit", methods=["GET", "POST"])
@guard.event(Perm.EVENT_SETTINGS)
def event_edit(event):
    form = EventForm()
    _organisations_for_form(form)
    if event.parent_id is not None or current_user.is_admin:
        everyone = list(db.session.scalars(select(Organisation).order_by(Organisation.name)))
        form.lead_id.choices = choices((o.id, o.name) for o in everyone)
    roles = event_service.organiser_roles(event)
    # The current lead stays choosable even if the user does not manage it.
    known = {choice.value for choice in form.lead_id.choices}
    for org_id, role in roles.items():
        if role == "lead" and org_id not in known:
            org = db.session.get(Organisation, org_id)
            form.lead_id.choices.append(SelectChoice(org.id, org.name))
    if not form.is_submitted():
        form.fill_from(event, roles)
        form.regions.data = [
            str(region)
            for region in db.session.scalars(
                select(EventRegion.region).where(EventRegion.event_id == event.id)
            )
            if region != event.region
        ]
    if event.status == EventStatus.CANCELLED and form.is_submitted():
        flash(_("This event is cancelled: it can no longer be changed."), "error")
        return redirect(url_for("organiser.event_overview", event_id=event.id))

    def page(status: int):
        return render_event("organiser/event_form.html", event, status=status, form=form, tour=None)

    if form.validate_on_submit():
        with keep_form(form, page):
            result = event_service.update_event(event, form.to_data(), user=current_user)
        if result["promoted"]:
            flash(
                ngettext(
                    "Saved. %(num)s person on the waiting list was offered a place (by e-mail).",
                    "Saved. %(num)s people on the waiting list were offered a place (by e-mail).",
                    len(result["promoted"]),
                ),
                "success",
            )
        elif result["fields"]:
            flash(_("Your changes have been saved."), "success")
        else:
            flash(_("Nothing was changed."), "info")
        return redirect(url_for("organiser.event_overview", event_id=event.id))
    return page(400 if form.is_submitted() else 200)
