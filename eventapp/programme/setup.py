"""The organiser's rooms, tracks and speakers: a list with an add form, and an edit page each."""

from __future__ import annotations

from flask import abort, flash, make_response, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from eventapp.extensions import db
from eventapp.models import Registration, RegistrationStatus, Room, Speaker, Track
from eventapp.organiser.forms import ConfirmForm
from eventapp.organiser.navigation import render_event
from eventapp.permissions import Perm, guard
from eventapp.problems import keep_form
from eventapp.programme.blueprint import bp
from eventapp.programme.forms import RoomForm, SpeakerForm, TrackForm
from eventapp.programme.organiser import BASE
from eventapp.services import programme as svc
from eventapp.services.programme import editing

TAB = "programme.timetable"
MAX_REGISTRATION_CHOICES = 1000


def _owned(model, event, object_id):
    found = db.session.get(model, object_id)
    if found is None or found.event_id != event.id:
        abort(404)
    return found


def _page(template, event, status, **context):
    return render_event(template, event, status=status, current_tab=TAB, **context)


# --- rooms --------------------------------------------------------------------------------


@bp.route(BASE + "/rooms", methods=["GET", "POST"])
@guard.event(Perm.EVENT_SETTINGS)
def rooms(event):
    form = RoomForm()

    def page(status):
        return _page(
            "programme/organiser/rooms.html", event, status, form=form, rooms=svc.rooms(event)
        )

    if form.validate_on_submit():
        room = svc.save_room(event, form.to_data())
        flash(_("Room “%(name)s” added.", name=room.name), "success")
        return redirect(url_for("programme.rooms", event_id=event.id))
    return page(400 if form.is_submitted() else 200)


@bp.route(BASE + "/rooms/<id:room_id>", methods=["GET", "POST"])
@guard.event(Perm.EVENT_SETTINGS)
def room_edit(event, room_id):
    room = _owned(Room, event, room_id)
    form = RoomForm(obj=room)
    if form.validate_on_submit():
        svc.save_room(event, form.to_data(), room)
        flash(_("Room saved."), "success")
        return redirect(url_for("programme.rooms", event_id=event.id))
    return _page(
        "programme/organiser/item_form.html",
        event,
        400 if form.is_submitted() else 200,
        form=form,
        heading=_("Edit the room"),
        back=url_for("programme.rooms", event_id=event.id),
        fields=("name", "capacity", "position"),
    )


# --- tracks -------------------------------------------------------------------------------


@bp.route(BASE + "/tracks", methods=["GET", "POST"])
@guard.event(Perm.EVENT_SETTINGS)
def tracks(event):
    form = TrackForm()
    if form.validate_on_submit():
        track = svc.save_track(event, form.to_data())
        flash(_("Track “%(name)s” added.", name=track.name_fr), "success")
        return redirect(url_for("programme.tracks", event_id=event.id))
    return _page(
        "programme/organiser/tracks.html",
        event,
        400 if form.is_submitted() else 200,
        form=form,
        tracks=svc.tracks(event),
    )


@bp.route(BASE + "/tracks/<id:track_id>", methods=["GET", "POST"])
@guard.event(Perm.EVENT_SETTINGS)
def track_edit(event, track_id):
    track = _owned(Track, event, track_id)
    form = TrackForm(obj=track)
    if form.validate_on_submit():
        svc.save_track(event, form.to_data(), track)
        flash(_("Track saved."), "success")
        return redirect(url_for("programme.tracks", event_id=event.id))
    return _page(
        "programme/organiser/item_form.html",
        event,
        400 if form.is_submitted() else 200,
        form=form,
        heading=_("Edit the track"),
        back=url_for("programme.tracks", event_id=event.id),
        fields=("name_fr", "name_en", "colour"),
    )


# --- speakers -----------------------------------------------------------------------------


def _registrations(event):
    return list(
        db.session.scalars(
            select(Registration)
            .where(
                Registration.event_id == event.id,
                Registration.status == RegistrationStatus.CONFIRMED,
            )
            .order_by(Registration.last_name, Registration.first_name, Registration.id)
            .limit(MAX_REGISTRATION_CHOICES)
        )
    )


def _speaker_page(event, form, speaker, status):
    return _page(
        "programme/organiser/speaker_form.html",
        event,
        status,
        form=form,
        speaker=speaker,
        speakers=svc.speakers(event) if speaker is None else [],
        delete_form=ConfirmForm(prefix="delete"),
    )


@bp.route(BASE + "/speakers", methods=["GET", "POST"])
@guard.event(Perm.EVENT_SETTINGS)
def speakers(event):
    form = SpeakerForm(registrations=_registrations(event))
    if form.validate_on_submit():
        with keep_form(form, lambda status: _speaker_page(event, form, None, status)):
            speaker = svc.save_speaker(event, form.to_data(), photo_png=form.photo_png)
        flash(_("Speaker “%(name)s” added.", name=speaker.name), "success")
        return redirect(url_for("programme.speakers", event_id=event.id))
    return _speaker_page(event, form, None, 400 if form.is_submitted() else 200)


@bp.route(BASE + "/speakers/<id:speaker_id>", methods=["GET", "POST"])
@guard.event(Perm.EVENT_SETTINGS)
def speaker_edit(event, speaker_id):
    speaker = _owned(Speaker, event, speaker_id)
    form = SpeakerForm(obj=speaker, registrations=_registrations(event))
    if form.validate_on_submit():
        with keep_form(form, lambda status: _speaker_page(event, form, speaker, status)):
            svc.save_speaker(event, form.to_data(), speaker, photo_png=form.photo_png)
            if form.remove_photo.data and form.photo_png is None:
                editing.remove_photo(speaker)
        flash(_("Speaker saved."), "success")
        return redirect(url_for("programme.speakers", event_id=event.id))
    return _speaker_page(event, form, speaker, 400 if form.is_submitted() else 200)


@bp.post(BASE + "/speakers/<id:speaker_id>/delete")
@guard.event(Perm.EVENT_SETTINGS)
def speaker_delete(event, speaker_id):
    """Remove a speaker (and their photo) from the event: they leave their sessions."""
    speaker = _owned(Speaker, event, speaker_id)
    if not ConfirmForm(prefix="delete").validate_on_submit():
        flash(_("Tick the box to confirm the deletion."), "error")
        return redirect(url_for("programme.speaker_edit", event_id=event.id, speaker_id=speaker.id))
    editing.delete_speaker(event, speaker, actor=current_user)
    flash(_("Speaker deleted."), "success")
    return redirect(url_for("programme.speakers", event_id=event.id))


@bp.get(BASE + "/speakers/<id:speaker_id>/photo.png")
@guard.event(Perm.EVENT_VIEW)
def speaker_photo(event, speaker_id):
    """The photo for the organiser's pages (listed or not)."""
    _owned(Speaker, event, speaker_id)
    return photo_response(speaker_id, public=False)


def photo_response(speaker_id: int, *, public: bool):
    data = db.session.scalar(select(Speaker.photo_png).where(Speaker.id == speaker_id))
    if not data:
        abort(404)
    response = make_response(data)
    response.headers["Content-Type"] = "image/png"
    response.headers["Cache-Control"] = "public, max-age=3600" if public else "private, no-store"
    return response
