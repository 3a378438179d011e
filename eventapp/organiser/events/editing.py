"""Event pages: overview, create, edit, tour stages, publish, unpublish, cancel."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from eventapp.extensions import db
from eventapp.i18n import current_language
from eventapp.models import Event, EventOrganiser, EventRegion, EventStatus, Organisation
from eventapp.organiser import bp
from eventapp.organiser.access import (
    accessible_stages,
    event_view,
    render_event,
    require_event,
    require_tour_overview,
    requires,
)
from eventapp.organiser.forms import ActionForm, ConfirmForm, EventForm, choices
from eventapp.organiser.messages import event_error, registration_error
from eventapp.permissions import Need
from eventapp.services import events as event_service
from eventapp.services.counts import Counts, event_counts, free_seats
from eventapp.services.registrations import RegistrationError


def _organisations_for_form(form: EventForm) -> None:
    everyone = list(db.session.scalars(select(Organisation).order_by(Organisation.name)))
    form.set_organisations(event_service.lead_organisations(current_user), everyone)


def _organiser_names(event: Event) -> list[tuple[str, str]]:
    rows = db.session.execute(
        select(Organisation.name, EventOrganiser.role)
        .join(EventOrganiser, EventOrganiser.organisation_id == Organisation.id)
        .where(EventOrganiser.event_id == event.id)
        .order_by(EventOrganiser.position, Organisation.name)
    )
    return [(name, role.label if hasattr(role, "label") else role) for name, role in rows]


def _apply_error(form: EventForm, error: event_service.EventError) -> None:
    target = getattr(form, error.field, None) if error.field else None
    message = event_error(error)
    if target is not None:
        target.errors = [*target.errors, message]
    else:
        flash(message, "error")


# --- overview -------------------------------------------------------------------------------


@bp.get("/events/<int:event_id>")
@requires(Need.MANAGE)
def event_overview(event_id: int):
    """An event's summary; for a tour, its stages (those the user manages) and their totals."""
    event = db.session.get(Event, event_id)
    if event is not None and event.is_tour:
        event = require_tour_overview(event_id)
    else:
        event = require_event(event_id, Need.MANAGE)
    lang = current_language()
    if event.is_tour:
        stages = accessible_stages(event)
        counts = event_counts(s.id for s in stages)
        rows = [
            {
                "event": stage,
                "title": stage.title(lang),
                "counts": counts[stage.id],
                "fill": _fill(stage, counts[stage.id].confirmed),
            }
            for stage in stages
        ]
        totals = Counts(
            **{
                key: sum(getattr(counts[s.id], key) for s in stages)
                for key in ("confirmed", "waitlisted", "pending", "cancelled", "checked_in")
            }
        )
        capacity = sum(s.capacity or 0 for s in stages)
        unlimited = any(s.capacity is None for s in stages)
        return render_event(
            "organiser/tour_overview.html",
            event,
            stages=rows,
            totals=totals,
            capacity=None if unlimited else capacity,
            fill=None if unlimited or not capacity else totals.confirmed / capacity,
            organisers=_organiser_names(event),
            action_form=ActionForm(),
            all_stages=len(stages),
        )
    counts = event_counts([event.id])[event.id]
    return render_event(
        "organiser/event_overview.html",
        event,
        counts=counts,
        free=free_seats(event, counts.confirmed),
        fill=_fill(event, counts.confirmed),
        checkin_rate=(counts.checked_in / counts.confirmed) if counts.confirmed else None,
        state=event.registration_state(),
        organisers=_organiser_names(event),
        action_form=ActionForm(),
    )


def _fill(event: Event, confirmed: int) -> float | None:
    if not event.capacity:
        return None
    return confirmed / event.capacity


# --- create and edit ------------------------------------------------------------------------


@bp.route("/events/new", methods=["GET", "POST"])
@requires(Need.MANAGE)
def event_new():
    leads = event_service.lead_organisations(current_user)
    if not leads:
        abort(403, _("Only managers of an organisation can create events."))
    form = EventForm()
    _organisations_for_form(form)
    if not form.is_submitted():
        form.lead_id.data = leads[0].id
    if form.validate_on_submit():
        try:
            event = event_service.create_event(form.to_data(), user=current_user)
        except event_service.EventError as error:
            _apply_error(form, error)
        else:
            db.session.commit()
            flash(_("The event has been created as a draft."), "success")
            return redirect(url_for("organiser.event_overview", event_id=event.id))
    status = 400 if form.is_submitted() else 200
    return render_template("organiser/event_form.html", form=form, event=None, tour=None), status


@bp.route("/events/<int:event_id>/stages/new", methods=["GET", "POST"])
@event_view(Need.MANAGE)
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
    if form.validate_on_submit():
        try:
            stage = event_service.create_event(form.to_data(), user=current_user, tour=event)
        except event_service.EventError as error:
            _apply_error(form, error)
        else:
            db.session.commit()
            flash(_("The stage has been added to the tour as a draft."), "success")
            return redirect(url_for("organiser.event_overview", event_id=stage.id))
    status = 400 if form.is_submitted() else 200
    return render_event(
        "organiser/event_form.html",
        event,
        status=status,
        form=form,
        tour=event,
        current_tab="organiser.event_overview",
    )


@bp.route("/events/<int:event_id>/edit", methods=["GET", "POST"])
@event_view(Need.MANAGE)
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
    if form.validate_on_submit():
        try:
            result = event_service.update_event(event, form.to_data(), user=current_user)
        except event_service.EventError as error:
            db.session.rollback()
            _apply_error(form, error)
        except RegistrationError as error:
            db.session.rollback()
            form.capacity.errors = [*form.capacity.errors, registration_error(error)]
        else:
            db.session.commit()
            if result["promoted"]:
                flash(
                    ngettext(
                        "Saved. %(num)s person moved from the waiting list to confirmed (and "
                        "was e-mailed).",
                        "Saved. %(num)s people moved from the waiting list to confirmed (and "
                        "were e-mailed).",
                        len(result["promoted"]),
                    ),
                    "success",
                )
            elif result["fields"]:
                flash(_("Your changes have been saved."), "success")
            else:
                flash(_("Nothing was changed."), "info")
            return redirect(url_for("organiser.event_overview", event_id=event.id))
    status = 400 if form.is_submitted() else 200
    return render_event("organiser/event_form.html", event, status=status, form=form, tour=None)


# --- status ---------------------------------------------------------------------------------


@bp.post("/events/<int:event_id>/publish")
@event_view(Need.MANAGE)
def event_publish(event):
    if ActionForm().validate_on_submit():
        try:
            event_service.publish(event, user=current_user)
        except event_service.EventError as error:
            flash(event_error(error), "error")
        else:
            db.session.commit()
            flash(_("The event is published: it appears on the public site."), "success")
    return redirect(url_for("organiser.event_overview", event_id=event.id))


@bp.post("/events/<int:event_id>/unpublish")
@event_view(Need.MANAGE)
def event_unpublish(event):
    if ActionForm().validate_on_submit():
        try:
            event_service.unpublish(event, user=current_user)
        except event_service.EventError as error:
            flash(event_error(error), "error")
        else:
            db.session.commit()
            flash(_("The event is back to draft: it no longer appears on the public site."), "info")
    return redirect(url_for("organiser.event_overview", event_id=event.id))


@bp.route("/events/<int:event_id>/cancel", methods=["GET", "POST"])
@event_view(Need.MANAGE)
def event_cancel(event):
    """Cancelling asks for confirmation, saying how many people will be e-mailed."""
    if event.status == EventStatus.CANCELLED:
        flash(_("This event is already cancelled."), "info")
        return redirect(url_for("organiser.event_overview", event_id=event.id))
    summary = event_service.cancellation_summary(event)
    form = ConfirmForm()
    if form.validate_on_submit():
        queued = event_service.cancel_event(event, user=current_user)
        db.session.commit()
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
