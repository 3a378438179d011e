"""Check-in desk and badges, for check-in staff and organisers (Need.CHECKIN).

The desk page works without JavaScript (forms post, results come back on the page); with it,
static/js/checkin.js sends the same forms as JSON calls (X-CSRFToken header), searches as one
types, refreshes the counts, scans with the camera and queues scans while the network is down.
POST answers are JSON when the request asks for JSON (Accept: application/json), else a
redirect back to the desk page (the result is kept in the session for the next page).
"""

from __future__ import annotations

from flask import (
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import format_decimal, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import BooleanField, EmailField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length

from eventapp.extensions import db
from eventapp.i18n import current_language, localdatetime
from eventapp.models import ActorCategory, Event, Registration, utcnow
from eventapp.organiser import bp
from eventapp.organiser.access import event_tab, require_event
from eventapp.organiser.forms import LANGUAGE_CHOICES, one_line
from eventapp.permissions import (
    Need,
    accessible_events_clause,
    can_access_event,
)
from eventapp.services import checkin as service
from eventapp.services.counts import event_counts
from eventapp.services.registrations import Participant, RegistrationError

DESK_KEY = "checkin_desk"
RESULT_KEY = "checkin_result"

TONES = {
    service.State.CHECKED_IN: "ok",
    service.State.ALREADY: "warn",
    service.State.CANCELLED: "stop",
    service.State.WAITLISTED: "stop",
    service.State.PENDING: "stop",
    service.State.OTHER_EVENT: "stop",
    service.State.UNKNOWN: "stop",
}

# The desk in every event's sub-navigation (check-in staff see it too; a tour's desk lists its
# stages).
event_tab("organiser.checkin_desk", _l("Check-in"), Need.CHECKIN, for_tours=True)


# --- forms -----------------------------------------------------------------------------------


def select_choices(pairs, blank=None) -> list[SelectChoice]:
    options = [SelectChoice("", blank)] if blank is not None else []
    return options + [SelectChoice(value, label) for value, label in pairs]


class DeskForm(FlaskForm):
    desk = StringField(
        _l("Desk name"),
        filters=[one_line],
        validators=[DataRequired(), Length(max=service.DESK_MAX_LENGTH)],
    )


class CodeForm(FlaskForm):
    code = StringField(_l("Ticket code"), validators=[DataRequired(), Length(max=200)])


class WalkInForm(FlaskForm):
    # Names go into e-mail subjects, badges and calendar lines: one line, like the attendee form.
    first_name = StringField(
        _l("First name"), filters=[one_line], validators=[DataRequired(), Length(max=100)]
    )
    last_name = StringField(
        _l("Last name"), filters=[one_line], validators=[DataRequired(), Length(max=100)]
    )
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email(), Length(max=254)])
    organisation_name = StringField(
        _l("Organisation"), filters=[one_line], validators=[Length(max=200)]
    )
    category = SelectField(
        _l("Actor category"),
        choices=select_choices(ActorCategory.choices(), _l("Choose…")),
        validators=[DataRequired(message=_l("Choose an actor category."))],
    )
    language = SelectField(_l("Language for e-mails"), choices=select_choices(LANGUAGE_CHOICES))
    consent = BooleanField(
        _l("The person agrees that their registration data is processed for this event"),
        validators=[DataRequired(message=_l("The person's consent is needed to register."))],
    )
    override_capacity = BooleanField(_l("Admit over capacity if the event is full"))


# --- helpers ---------------------------------------------------------------------------------


def checkin_event(event_id: int) -> Event:
    """The event, for check-in staff or managers (404 otherwise); remembered for the tabs."""
    return require_event(event_id, Need.CHECKIN)


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


def _registration(event: Event, registration_id: int) -> Registration:
    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.event_id != event.id:
        abort(404)
    return registration


def _counts(event: Event) -> dict:
    counts = event_counts([event.id])[event.id]
    return {
        "checked_in": counts.checked_in,
        "confirmed": counts.confirmed,
        "text": ngettext(
            "Checked in: %(checked_in)s of %(confirmed)s confirmed",
            "Checked in: %(checked_in)s of %(confirmed)s confirmed",
            counts.confirmed,
            checked_in=format_decimal(counts.checked_in),
            confirmed=format_decimal(counts.confirmed),
        ),
    }


def _when(moment) -> str:
    """09:42 today, or the date and time on another day (Europe/Paris)."""
    if moment is None:
        return ""
    # i18n.localdatetime: Babel's patterns parsed once (a search answers as one types).
    if localdatetime(moment, "yyyy-MM-dd") == localdatetime(utcnow(), "yyyy-MM-dd"):
        return localdatetime(moment, "HH:mm")
    return localdatetime(moment, "short")


def _person(registration: Registration | None) -> str:
    if registration is None:
        return ""
    return ", ".join(p for p in (registration.full_name, registration.organisation_name) if p)


def present(event: Event, result: service.Result) -> dict:
    """A result as the desk shows it: a state, a tone (colour, always with a word and a sign),
    a title and details, in the staff member's language."""
    registration = result.registration
    state = result.state
    details = _person(registration)
    if state == service.State.CHECKED_IN:
        title = _("Checked in — %(person)s", person=details)
        details = registration.category.label
    elif state == service.State.ALREADY:
        by = registration.checkin_desk or "—"
        if registration.checked_in_by is not None:
            by = f"{by} ({registration.checked_in_by.name})"
        title = _(
            "Already checked in at %(time)s by %(desk)s",
            time=_when(registration.checked_in_at),
            desk=by,
        )
    elif state == service.State.CANCELLED:
        title = _("Registration cancelled")
        details = _(
            "%(person)s — this registration was cancelled: the ticket is not valid.",
            person=details,
        )
    elif state == service.State.WAITLISTED:
        title = _("Waiting list")
        details = _(
            "%(person)s — no confirmed place: send the person to an organiser.", person=details
        )
    elif state == service.State.PENDING:
        title = _("Not confirmed")
        details = _("%(person)s — the registration is not confirmed yet.", person=details)
    elif state == service.State.OTHER_EVENT:
        title = _("Other event")
        other = registration.event
        # Name the other event only to staff who may see it.
        details = (
            _("This ticket is for: %(event)s.", event=other.title(current_language()))
            if can_access_event(current_user, other, Need.CHECKIN)
            else _("This ticket is for another event.")
        )
    else:
        title = _("Unknown code")
        details = _("No ticket matches this code. Check it, or search by name.")
    data = {
        "state": str(state),
        "tone": TONES[state],
        "title": title,
        "details": details,
        # Another event's registration is not identified to this desk.
        "registration_id": (
            registration.id
            if registration is not None and registration.event_id == event.id
            else None
        ),
        "counts": _counts(event),
    }
    if registration is not None and registration.event_id == event.id:
        if state in (service.State.CHECKED_IN, service.State.ALREADY):
            data["undo_url"] = url_for(
                "organiser.checkin_undo", event_id=event.id, registration_id=registration.id
            )
        if state in (service.State.CHECKED_IN, service.State.ALREADY):
            data["badge_url"] = url_for(
                "organiser.badges_pdf", event_id=event.id, id=registration.id, layout="a6"
            )
    return data


def _respond(event: Event, payload: dict, registration: Registration | None):
    if _wants_json():
        return jsonify(payload)
    # Without JavaScript: show the result on the desk page after the redirect (only the state
    # and the id go in the signed session cookie, no personal data).
    session[RESULT_KEY] = {
        "state": payload["state"],
        "registration_id": registration.id if registration is not None else None,
    }
    return redirect(url_for("organiser.checkin_desk", event_id=event.id))


def _json_error(message: str, status: int):
    return jsonify(error={"code": status, "message": message}), status


def _no_desk(event: Event):
    message = _("Choose your desk name first.")
    if _wants_json():
        return _json_error(message, 409)
    flash(message, "error")
    return redirect(url_for("organiser.checkin_desk", event_id=event.id))


def _result_from_session(event: Event) -> dict | None:
    """The result of the last no-JavaScript action, shown once on the desk page."""
    saved = session.pop(RESULT_KEY, None)
    if not isinstance(saved, dict):
        return None
    registration = None
    if saved.get("registration_id"):
        registration = db.session.get(Registration, saved["registration_id"])
        if registration is None:
            return None
    state = saved.get("state")
    if state in ("undone", "not_checked_in") and registration is not None:
        return _undo_payload(event, registration, state == "undone")
    try:
        state = service.State(state)
    except ValueError:
        return None
    if state != service.State.UNKNOWN and registration is None:
        return None
    return present(event, service.Result(state, registration))


def _undo_payload(event: Event, registration: Registration, undone: bool) -> dict:
    person = _person(registration)
    if undone:
        title = _("Check-in undone")
        details = _("%(person)s is no longer checked in.", person=person)
    else:
        title = _("Not checked in")
        details = _("%(person)s was not checked in: nothing to undo.", person=person)
    return {
        "state": "undone" if undone else "not_checked_in",
        "tone": "info",
        "title": title,
        "details": details,
        "registration_id": registration.id,
        "counts": _counts(event),
    }


def _search_item(event: Event, registration: Registration) -> dict:
    checked = registration.checked_in_at is not None
    item = {
        "id": registration.id,
        "name": registration.full_name,
        "organisation": registration.organisation_name,
        "category": registration.category.label,
        "status": str(registration.status),
        "status_label": registration.status.label,
        "checked_in": checked,
        "checked_in_text": (
            _(
                "Checked in at %(time)s by %(desk)s",
                time=_when(registration.checked_in_at),
                desk=registration.checkin_desk or "—",
            )
            if checked
            else ""
        ),
        "checkin_url": url_for(
            "organiser.checkin_registration", event_id=event.id, registration_id=registration.id
        ),
        "undo_url": url_for(
            "organiser.checkin_undo", event_id=event.id, registration_id=registration.id
        ),
        "badge_url": url_for(
            "organiser.badges_pdf", event_id=event.id, id=registration.id, layout="a6"
        ),
    }
    return item


def _desk_page(event: Event, walk_in_form: WalkInForm | None = None, status: int = 200):
    if event.is_tour:
        stages = list(
            db.session.scalars(
                select(Event)
                .where(
                    Event.parent_id == event.id,
                    accessible_events_clause(current_user, Need.CHECKIN),
                )
                .order_by(Event.position, Event.starts_at)
            )
        )
        return render_template("organiser/checkin/tour.html", event=event, stages=stages)
    query = (request.args.get("q") or "").strip()[:100]
    results, more = service.search(event, query) if query else ([], False)
    desk = session.get(DESK_KEY)
    desk_form = DeskForm(data={"desk": desk or ""})
    return (
        render_template(
            "organiser/checkin/desk.html",
            event=event,
            title=event.title(current_language()),
            desk=desk,
            desk_form=desk_form,
            used_desks=service.used_desks(event),
            code_form=CodeForm(formdata=None),
            walk_in_form=walk_in_form or WalkInForm(formdata=None, language=current_language()),
            query=query,
            results=[_search_item(event, r) for r in results],
            more=more,
            searched=bool(query),
            too_short=bool(query) and service.name_conditions(query) is None,
            result=_result_from_session(event) if walk_in_form is None else None,
            counts=_counts(event),
            poll_seconds=_poll_seconds(),
        ),
        status,
    )


def _poll_seconds() -> int:
    return max(1, int(current_app.config.get("CHECKIN_POLL_SECONDS", 5)))


# --- the desk --------------------------------------------------------------------------------


@bp.get("/events/<int:event_id>/checkin")
def checkin_desk(event_id: int):
    return _desk_page(checkin_event(event_id))


@bp.post("/events/<int:event_id>/checkin/desk")
def checkin_set_desk(event_id: int):
    event = checkin_event(event_id)
    form = DeskForm()
    if form.validate():
        session[DESK_KEY] = " ".join(form.desk.data.split())
    else:
        flash(
            _("Give a desk name (%(num)s characters at most).", num=service.DESK_MAX_LENGTH),
            "error",
        )
    return redirect(url_for("organiser.checkin_desk", event_id=event.id))


@bp.post("/events/<int:event_id>/checkin/scan")
def checkin_scan(event_id: int):
    """Check in the holder of a scanned or typed ticket code."""
    event = checkin_event(event_id)
    desk = session.get(DESK_KEY)
    if not desk:
        return _no_desk(event)
    form = CodeForm()
    if not form.validate():
        message = _("Enter or scan a ticket code.")
        if _wants_json():
            return _json_error(message, 400)
        flash(message, "error")
        return redirect(url_for("organiser.checkin_desk", event_id=event.id))
    result = service.check_in_code(event, form.code.data, user=current_user, desk=desk)
    db.session.commit()
    return _respond(event, present(event, result), result.registration)


@bp.post("/events/<int:event_id>/checkin/registrations/<int:registration_id>")
def checkin_registration(event_id: int, registration_id: int):
    """Check in someone found by search."""
    event = checkin_event(event_id)
    desk = session.get(DESK_KEY)
    if not desk:
        return _no_desk(event)
    registration = _registration(event, registration_id)
    result = service.check_in(event, registration, user=current_user, desk=desk)
    db.session.commit()
    return _respond(event, present(event, result), result.registration)


@bp.post("/events/<int:event_id>/checkin/registrations/<int:registration_id>/undo")
def checkin_undo(event_id: int, registration_id: int):
    event = checkin_event(event_id)
    registration = _registration(event, registration_id)
    undone = service.undo(event, registration, user=current_user)
    db.session.commit()
    return _respond(event, _undo_payload(event, registration, undone), registration)


@bp.get("/events/<int:event_id>/checkin/search")
def checkin_search(event_id: int):
    """People matching a name or organisation (JSON for the desk's search-as-you-type)."""
    event = checkin_event(event_id)
    query = (request.args.get("q") or "").strip()[:100]
    results, more = service.search(event, query)
    return jsonify(
        query=query,
        results=[_search_item(event, r) for r in results],
        more=more,
        message=(
            _("Type at least two letters.")
            if service.name_conditions(query) is None
            else ("" if results else _("Nobody matches “%(query)s”.", query=query))
        ),
    )


@bp.get("/events/<int:event_id>/checkin/counts")
def checkin_counts(event_id: int):
    response = jsonify(_counts(checkin_event(event_id)))
    response.headers["Cache-Control"] = "no-store"
    return response


_REGISTRATION_ERRORS = {
    "full": _l(
        "The event is full. Tick “Admit over capacity” to register this person anyway "
        "(it is recorded in the log)."
    ),
    "cancelled": _l("This event is cancelled: nobody can be registered."),
    "tour": _l("Register people for a stage of the tour, not for the tour itself."),
}


@bp.post("/events/<int:event_id>/checkin/walk-in")
def checkin_walk_in(event_id: int):
    """Register someone at the desk and check them in, in one step."""
    event = checkin_event(event_id)
    desk = session.get(DESK_KEY)
    if not desk:
        return _no_desk(event)
    form = WalkInForm()
    if not form.validate():
        return _desk_page(event, form, 400)
    person = Participant(
        first_name=form.first_name.data,
        last_name=form.last_name.data,
        email=form.email.data,
        category=form.category.data,
        organisation_name=form.organisation_name.data or "",
        language=form.language.data,
        consent_at=utcnow(),
        consent_version=current_app.config["PRIVACY_NOTICE_VERSION"],
    )
    try:
        result = service.walk_in(
            event,
            person,
            user=current_user,
            desk=desk,
            override_capacity=bool(form.override_capacity.data),
        )
    except RegistrationError as error:
        db.session.rollback()
        message = _REGISTRATION_ERRORS.get(error.code, _l("This person cannot be registered."))
        form.form_errors.append(str(message))
        return _desk_page(event, form, 409)
    db.session.commit()
    return _respond(event, present(event, result), result.registration)
