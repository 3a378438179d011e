"""Badges for an event, for check-in staff and organisers (Perm.CHECKIN): a page with the
options, and the PDF (A4 sheets of 8 or A6 single) for all confirmed attendees, a filtered list
or given people. A list needs Perm.ATTENDEES_EXPORT (managers); check-in staff print given
people's badges, DESK_BADGE_LIMIT at a time (issue 20, point 8). Filters use the attendee
list's names: q, category, region, checked_in (yes/no) or who, and id (repeatable) for given
registrations."""

from __future__ import annotations

from dataclasses import replace

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import Length, Optional

from eventapp.extensions import db
from eventapp.i18n import current_language
from eventapp.models import ActorCategory, Event, Region, Registration
from eventapp.organiser.attendees.query import AttendeeFilter, registrations_query
from eventapp.organiser.blueprint import bp
from eventapp.organiser.checkin.design import LAYOUT_CHOICES
from eventapp.organiser.checkin.forms import select_choices
from eventapp.organiser.forms import LANGUAGE_CHOICES
from eventapp.permissions import Perm, guard
from eventapp.questions import reading
from eventapp.routing import parse_int
from eventapp.services import badges as badges_service
from eventapp.services.counts import event_counts

# Badges check-in staff may print at once (given people); whole lists need ATTENDEES_EXPORT.
DESK_BADGE_LIMIT = 10


class BadgeForm(FlaskForm):
    """The badge PDF's options (a GET form: no CSRF token)."""

    class Meta:
        csrf = False

    layout = SelectField(_l("Format"), choices=select_choices(LAYOUT_CHOICES), default="a4")
    who = SelectField(
        _l("Who"),
        choices=select_choices(
            [
                ("all", _l("Every confirmed attendee")),
                ("not_checked_in", _l("Not checked in yet")),
                ("checked_in", _l("Already checked in")),
            ]
        ),
        default="all",
    )
    category = SelectField(
        _l("Actor category"), choices=select_choices(ActorCategory.choices(), _l("All")), default=""
    )
    region = SelectField(
        _l("Region"), choices=select_choices(Region.choices(), _l("All")), default=""
    )
    q = StringField(_l("Name or organisation contains"), validators=[Optional(), Length(max=100)])
    lang = SelectField(
        _l("Language of the badges"), choices=select_choices(LANGUAGE_CHOICES), default="fr"
    )


@bp.get("/events/<id:event_id>/badges")
@guard.event(Perm.CHECKIN)
def badges(event):
    layout = badges_service.design_for(event).layout
    return _badges_page(event, BadgeForm(formdata=None, lang=current_language(), layout=layout))


@bp.get("/events/<id:event_id>/badges.pdf")
@guard.event(Perm.CHECKIN)
def badges_pdf(event):
    """The badges PDF. Query: layout=a4|a6, lang=fr|en, and filters: id (repeatable: given
    registrations), and the attendee list's filter: q, category, region, checked_in=yes|no (or
    who=...)."""
    args = request.args
    form = BadgeForm(args, lang=current_language())
    valid = form.validate()
    ids = [value for value in args.getlist("id") if value.strip()]
    if not all(parse_int(value, None, minimum=1) for value in ids):
        form.form_errors.append(_("The list of attendees to print is not valid."))
        valid = False
    if not valid:
        return _badges_page(event, form, 400)
    if Perm.ATTENDEES_EXPORT not in guard.event_permissions(event) and not 0 < len(ids) <= (
        DESK_BADGE_LIMIT
    ):
        # Check-in staff reprint a few given people's badges at the desk; a PDF of a whole
        # list (every attendee's name and organisation) is an export, for the event's managers.
        form.form_errors.append(
            _(
                "Badges of a whole list are printed by the event's managers. At the desk, print "
                "the badge of a given person (at most %(limit)d at a time).",
                limit=DESK_BADGE_LIMIT,
            )
        )
        return _badges_page(event, form, 403)
    # The attendee list's own filter ("Badges for this list" prints what the list shows),
    # narrowed to confirmed people, in name order as a desk hands them out.
    flt = replace(AttendeeFilter.from_args(args), status="confirmed", stage=None, sort="name")
    who = {"checked_in": "yes", "not_checked_in": "no"}.get(form.who.data or "")
    if who:
        flt = replace(flt, checked_in=who)
    stmt = registrations_query([event.id], flt)
    if ids:
        stmt = stmt.where(Registration.id.in_([int(value) for value in ids[:1000]]))
    registrations = list(db.session.scalars(stmt))
    if not registrations:
        flash(_("No confirmed attendee matches: there is no badge to print."), "warning")
        return redirect(url_for("organiser.badges", event_id=event.id))
    # The saved design's format, unless the request chose another.
    design = badges_service.design_for(event).with_layout(args.get("layout") and form.layout.data)
    answers = reading.flagged_texts(registrations, event, form.lang.data, "on_badge")
    data = badges_service.build_badges_pdf(
        event,
        registrations,
        design=design,
        lang=form.lang.data,
        logo=badges_service.event_logo(event) if "logo" in design.elements else None,
        extras={rid: " · ".join(t for _label, t in rows) for rid, rows in answers.items()},
    )
    chunk = 256 * 1024
    response = Response(
        (data[i : i + chunk] for i in range(0, len(data), chunk)),
        mimetype="application/pdf",
        direct_passthrough=True,
    )
    response.headers["Content-Length"] = str(len(data))
    response.headers["Content-Disposition"] = f'inline; filename="badges-{event.slug}.pdf"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _badges_page(event: Event, form: BadgeForm, status: int = 200):
    counts = event_counts([event.id])[event.id]
    return (
        render_template(
            "organiser/checkin/badges.html",
            event=event,
            title=event.title(current_language()),
            form=form,
            confirmed=counts.confirmed,
            can_design=Perm.EVENT_SETTINGS in guard.event_permissions(event),
        ),
        status,
    )
