"""The public programme of an event: by day (parallel sessions side by side on a wide screen,
stacked in time order on a phone), a track filter, a session page, the speakers who agreed to be
listed, a printable version and calendar files. Read from the database in a few queries."""

from __future__ import annotations

from flask import abort, render_template, request

from eventapp.i18n import current_language
from eventapp.permissions import guard
from eventapp.programme.blueprint import bp
from eventapp.programme.setup import photo_response
from eventapp.public.catalogue import public_event_or_404
from eventapp.public.pagecache import anonymous_page
from eventapp.routing import parse_int
from eventapp.services import programme as svc
from eventapp.services.calendar import ics_response
from eventapp.services.programme import calendars
from eventapp.services.programme.reading import sessions_of_speakers


def _event(slug):
    event = public_event_or_404(slug, with_organisers=False)
    if event.is_tour:
        abort(404)
    return event


def _programme_context(event, *, printable=False):
    tracks = svc.tracks(event)
    track = None
    wanted = parse_int(request.args.get("track"))
    if wanted is not None:
        track = next((t for t in tracks if t.id == wanted), None)
    sessions = svc.published_sessions(event, track_id=track.id if track else None)
    if not sessions and track is None:
        abort(404)
    return {
        "event": event,
        "title": event.title(current_language()),
        "days": svc.days(sessions, published=True, all_rooms=svc.rooms(event)),
        "tracks": tracks,
        "track": track,
        "printable": printable,
    }


@bp.get("/events/<slug>/programme")
@guard.public
@anonymous_page
def public_programme(slug):
    event = _event(slug)
    return render_template("programme/public/programme.html", **_programme_context(event))


@bp.get("/events/<slug>/programme/print")
@guard.public
def public_print(slug):
    event = _event(slug)
    return render_template(
        "programme/public/print.html", **_programme_context(event, printable=True)
    )


@bp.get("/events/<slug>/programme/sessions/<id:session_id>")
@guard.public
def public_session(slug, session_id):
    event = _event(slug)
    session = svc.public_session_or_none(event, session_id)
    if session is None:
        abort(404)
    return render_template(
        "programme/public/session.html",
        event=event,
        title=event.title(current_language()),
        session=session,
        speakers=[s for s in session.speakers if s.consent_listed],
    )


@bp.get("/events/<slug>/speakers")
@guard.public
def public_speakers(slug):
    event = _event(slug)
    speakers = svc.listed_speakers(event)
    if not speakers and not svc.has_published_programme(event):
        abort(404)
    return render_template(
        "programme/public/speakers.html",
        event=event,
        title=event.title(current_language()),
        speakers=speakers,
        sessions=sessions_of_speakers(event, [s.id for s in speakers]),
    )


@bp.get("/events/<slug>/speakers/<id:speaker_id>/photo.png")
@guard.public
def public_speaker_photo(slug, speaker_id):
    event = _event(slug)
    if speaker_id not in {s.id for s in svc.listed_speakers(event)}:
        abort(404)
    return photo_response(speaker_id, public=True)


@bp.get("/events/<slug>/programme.ics")
@guard.public
def public_programme_ics(slug):
    event = _event(slug)
    sessions = svc.published_sessions(event)
    if not sessions:
        abort(404)
    lang = current_language()
    body = calendars.sessions_calendar(event, sessions, lang, name=event.title(lang))
    return ics_response(body, f"{event.slug}-programme.ics")


@bp.get("/events/<slug>/programme/sessions/<id:session_id>.ics")
@guard.public
def public_session_ics(slug, session_id):
    event = _event(slug)
    session = svc.public_session_or_none(event, session_id)
    if session is None:
        abort(404)
    lang = current_language()
    body = calendars.sessions_calendar(event, [session], lang, name=session.title(lang))
    return ics_response(body, f"{event.slug}-session-{session.id}.ics")
