"""The participant's B2B pages, under their manage link (no account): join with a profile
(carried over from an earlier event, to confirm), browse and search the other participants,
suggestions, requests, the meetings agenda and its calendar file.

Every page is the manage link's (`guard.manage_link`) and shows only the participants of that
registration's event who opted in: another event's participant is a 404.
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from eventapp.b2b.blueprint import bp
from eventapp.b2b.forms import ProfileForm, RequestForm, UnavailableForm
from eventapp.extensions import limiter
from eventapp.i18n import current_language, localdatetime
from eventapp.models import ActorCategory, B2BTag, Region, Registration, utcnow
from eventapp.organiser.forms import ActionForm, choices
from eventapp.permissions import guard
from eventapp.problems import flash_and_redirect, keep_form
from eventapp.routing import page_arg, parse_int
from eventapp.services import calendar
from eventapp.services.b2b import attendance, listing, profiles, rules, scheduling
from eventapp.services.b2b import ics as b2b_ics
from eventapp.services.b2b import requests as requests_service
from eventapp.services.b2b.profiles import Filters, ProfileData


def _rate():
    return current_app.config["MANAGE_RATE_LIMIT"]


def _event_open(registration: Registration):
    """The event's B2B settings; 404 when its B2B meetings are not switched on."""
    settings = profiles.settings_of(registration.event)
    if settings is None or not settings.enabled:
        abort(404)
    return settings


def _me(registration: Registration, token: str):
    """The registration's participation, or a redirect to the page where one joins."""
    _event_open(registration)
    participant = profiles.participant_of(registration)
    if participant is None:
        flash(_("Join the B2B meetings with your profile first."), "info")
    return participant


def _render(template: str, registration: Registration, status: int = 200, **context):
    event = registration.event
    return (
        render_template(
            template,
            registration=registration,
            event=event,
            title=event.title(current_language()),
            token=registration.manage_token,
            **context,
        ),
        status,
    )


def _fill_form(form: ProfileForm, registration: Registration, participant) -> bool:
    """Pre-fill on GET: the profile shown at this event, else the one carried over from an
    earlier event (True: to confirm), else what the registration says."""
    profile = participant.profile if participant else profiles.carried_profile(registration)
    if profile is not None:
        form.process(obj=profile)
        return participant is None
    form.process(
        organisation_name=registration.organisation_name,
        category=registration.category,
        region=registration.region or "",
    )
    return False


@bp.route("/r/<token>/b2b", methods=["GET", "POST"])
@limiter.limit(_rate, methods=["POST"])
@guard.manage_link
def home(registration: Registration, token: str):
    settings = _event_open(registration)
    participant = profiles.participant_of(registration)
    form = ProfileForm()
    carried = False
    if request.method == "GET":
        carried = _fill_form(form, registration, participant)

    def page(status):
        return _home(registration, settings, participant, form, carried, status)

    if request.method == "POST":
        if not form.validate():
            return page(400)
        with keep_form(form, page):
            profiles.opt_in(
                registration,
                ProfileData(
                    organisation_name=form.organisation_name.data,
                    category=form.category.data,
                    region=form.region.data or None,
                    pitch=form.pitch.data or "",
                    offers=form.offers.data or [],
                    needs=form.needs.data or [],
                    offers_text=form.offers_text.data or "",
                    needs_text=form.needs_text.data or "",
                ),
            )
        flash(_("Your B2B profile is saved."), "success")
        return redirect(url_for("b2b.home", token=token))
    return page(200)


def _home(registration, settings, participant, form, carried, status):
    unavailable = None
    if participant is not None:
        unavailable = UnavailableForm(prefix="away")
        slots = scheduling.slots_of(registration.event_id)
        unavailable.slots.choices = choices(
            [(s.id, localdatetime(s.starts_at, "short")) for s in slots]
        )
        if request.method == "GET" or unavailable.slots.data is None:
            unavailable.slots.data = list(participant.unavailable or [])
    return _render(
        "b2b/home.html",
        registration,
        status,
        settings=settings,
        participant=participant,
        form=form,
        carried=carried,
        can_join=registration.status == "confirmed",
        unavailable_form=unavailable,
        leave_form=ActionForm(prefix="leave"),
        sent=requests_service.sent_count(participant) if participant else 0,
    )


@bp.post("/r/<token>/b2b/availability")
@limiter.limit(_rate)
@guard.manage_link
def availability(registration: Registration, token: str):
    participant = _me(registration, token)
    if participant is None:
        return redirect(url_for("b2b.home", token=token))
    form = UnavailableForm(prefix="away")
    slots = scheduling.slots_of(registration.event_id)
    form.slots.choices = choices([(s.id, localdatetime(s.starts_at, "short")) for s in slots])
    if not form.validate():
        flash(_("Your session has expired. Please try again."), "error")
        return redirect(url_for("b2b.home", token=token))
    profiles.set_unavailable(participant, form.slots.data or [], {s.id for s in slots})
    flash(_("Your availability is saved."), "success")
    return redirect(url_for("b2b.home", token=token))


@bp.post("/r/<token>/b2b/leave")
@limiter.limit(_rate)
@guard.manage_link
def leave(registration: Registration, token: str):
    participant = _me(registration, token)
    if participant is not None and ActionForm(prefix="leave").validate():
        profiles.opt_out(participant)
        flash(_("You left the B2B meetings of this event."), "success")
    return redirect(url_for("b2b.home", token=token))


@bp.get("/r/<token>/b2b/people")
@guard.manage_link
def people(registration: Registration, token: str):
    participant = _me(registration, token)
    if participant is None:
        return redirect(url_for("b2b.home", token=token))
    args = request.args
    filters = Filters(
        text=(args.get("q") or "")[:100],
        tag=args.get("tag", "") if args.get("tag") in profiles.TAGS else "",
        side=args.get("side", "") if args.get("side") in ("offers", "needs") else "",
        category=args.get("category", "") if args.get("category") in set(ActorCategory) else "",
        region=args.get("region", "") if args.get("region") in set(Region) else "",
    )
    found = profiles.browse(participant, filters, page_arg())
    query = {k: v for k, v in vars(filters).items() if v}
    query = {("q" if k == "text" else k): v for k, v in query.items()}
    return _render(
        "b2b/people.html",
        registration,
        participant=participant,
        filters=filters,
        found=found,
        query=query,
        tags=B2BTag,
        categories=ActorCategory,
        regions=Region,
    )


@bp.get("/r/<token>/b2b/suggestions")
@guard.manage_link
def suggestions(registration: Registration, token: str):
    participant = _me(registration, token)
    if participant is None:
        return redirect(url_for("b2b.home", token=token))
    return _render(
        "b2b/suggestions.html",
        registration,
        participant=participant,
        suggestions=profiles.suggestions(participant),
    )


@bp.route("/r/<token>/b2b/people/<id:participant_id>", methods=["GET", "POST"])
@limiter.limit(_rate, methods=["POST"])
@guard.manage_link
def person(registration: Registration, token: str, participant_id: int):
    me = _me(registration, token)
    if me is None:
        return redirect(url_for("b2b.home", token=token))
    other = profiles.visible_to(me, participant_id)  # 404 outside the event
    form = RequestForm()

    def page(status):
        _score, they_offer, they_seek = profiles.complementarity(me.profile, other.profile)
        return _render(
            "b2b/person.html",
            registration,
            status,
            participant=me,
            other=other,
            form=form,
            they_offer=they_offer,
            they_seek=they_seek,
            shared=profiles.contact_shared(me, other),
            between=profiles.open_request_between(me, other),
            allowed=rules.may_request(
                profiles.settings_of(registration.event),
                me.profile.category,
                other.profile.category,
            ),
        )

    if request.method == "POST":
        if not form.validate():
            return page(400)
        with keep_form(form, page):
            requests_service.send(me, other.id, form.message.data or "")
        flash(_("Your request is sent. You will be told when it is answered."), "success")
        return redirect(url_for("b2b.requests", token=token))
    return page(200)


@bp.get("/r/<token>/b2b/requests")
@guard.manage_link
def requests(registration: Registration, token: str):
    participant = _me(registration, token)
    if participant is None:
        return redirect(url_for("b2b.home", token=token))
    settings = profiles.settings_of(registration.event)
    mine = requests_service.of_participant(participant)
    free = None
    if settings.slot_mode == rules.SELF_PICK:  # the slots both are free in, to pick one
        waiting = [r.sender for r in mine["received"] if r.shown_status == "pending"]
        free = scheduling.free_slots(participant, waiting)
    return _render(
        "b2b/requests.html",
        registration,
        participant=participant,
        mine=mine,
        form=ActionForm(),
        sent=requests_service.sent_count(participant),
        limit=settings.request_limit,
        free=free,
    )


ANSWERS = {
    "accept": (requests_service.accept, lambda: _("Accepted: your contact details are shared.")),
    "decline": (requests_service.decline, lambda: _("Declined.")),
    "cancel": (requests_service.cancel, lambda: _("The request is cancelled.")),
}


@bp.post("/r/<token>/b2b/requests/<id:request_id>/<verb>")
@limiter.limit(_rate)
@guard.manage_link
def answer(registration: Registration, token: str, request_id: int, verb: str):
    if verb not in ANSWERS:  # accept, decline, cancel
        abort(404)
    participant = _me(registration, token)
    back = url_for("b2b.requests", token=token)
    if participant is None:
        return redirect(url_for("b2b.home", token=token))
    if not ActionForm().validate():
        flash(_("Your session has expired. Please try again."), "error")
        return redirect(back)
    service, message = ANSWERS[verb]
    with flash_and_redirect(back):
        if verb == "accept":  # with the slot picked, in the self-pick mode
            service(participant, request_id, parse_int(request.form.get("slot")))
        else:
            service(participant, request_id)
    flash(message(), "success")
    return redirect(back)


@bp.get("/r/<token>/b2b/meetings")
@guard.manage_link
def meetings(registration: Registration, token: str):
    participant = _me(registration, token)
    if participant is None:
        return redirect(url_for("b2b.home", token=token))
    settings = profiles.settings_of(registration.event)
    agenda = listing.agenda_of(participant)
    opens = utcnow() + attendance.OPEN_BEFORE
    return _render(
        "b2b/meetings.html",
        registration,
        participant=participant,
        agenda=agenda,
        published=settings.published_at is not None,
        markable={item.meeting_id for item in agenda if item.starts_at <= opens},
        form=ActionForm(),
    )


@bp.get("/r/<token>/b2b/meetings.ics")
@guard.manage_link
def meetings_ics(registration: Registration, token: str):
    participant = _me(registration, token)
    if participant is None:
        abort(404)
    event = registration.event
    lang = registration.language or "fr"
    cal = calendar._new_calendar(_("B2B meetings: %(event)s", event=event.title(lang)))
    for entry in b2b_ics.meeting_entries(listing.agenda_of(participant), lang):
        cal.add_component(entry)
    return calendar.ics_response(cal.to_ical(), f"{event.slug}-b2b.ics")
