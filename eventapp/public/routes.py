"""Public pages: the catalogue, event and tour pages, calendar files, language switch, health."""

from flask import (
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _

from eventapp.extensions import db
from eventapp.helpers import external_url, safe_next
from eventapp.i18n import current_language
from eventapp.models import Event, EventStatus, utcnow
from eventapp.permissions import guard
from eventapp.public import availability, catalogue, francemap
from eventapp.public.blueprint import bp
from eventapp.public.forms import CatalogueFilterForm
from eventapp.public.pagecache import anonymous_page
from eventapp.routing import page_arg
from eventapp.services import calendar, programme
from eventapp.services.counts import event_counts


@bp.get("/events")
@bp.get("/")
@guard.public
@anonymous_page
def home():
    """The catalogue: upcoming (or past) events, filtered by type, region, organiser and title."""
    organisations = catalogue.organisers_of_public_events()
    form = CatalogueFilterForm(formdata=request.args, organisations=organisations)
    status = 200
    filters = catalogue.Filters()
    if request.args and not form.validate():
        status = 400
    else:
        by_slug = {org.slug: org for org in organisations}
        filters = catalogue.Filters(
            q=(form.q.data or "").strip(),
            kind=form.kind.data or "",
            region=form.region.data or "",
            organisation=by_slug.get(form.organisation.data or ""),
            when=form.when.data if form.when.data == "past" else "upcoming",
        )
    page_number = page_arg()
    now = utcnow()
    page = db.paginate(
        catalogue.catalogue_query(filters, now),
        page=page_number,
        per_page=current_app.config["CATALOGUE_PAGE_SIZE"],
        error_out=False,
    )
    cards = catalogue.build_cards(list(page.items), current_language(), now)
    active = {
        key: value
        for key, value in {
            "q": filters.q,
            "kind": filters.kind,
            "region": filters.region,
            "organisation": filters.organisation.slug if filters.organisation else "",
        }.items()
        if value
    }
    return (
        render_template(
            "public/home.html",
            form=form,
            cards=cards,
            page=page,
            when=filters.when,
            active=active,
        ),
        status,
    )


def _event_links(event: Event) -> dict:
    return {
        "url": external_url("public.event", slug=event.slug),
        "ics": url_for("public.event_ics", slug=event.slug),
    }


@bp.get("/events/<slug>")
@guard.public
@anonymous_page
def event(slug: str):
    event = catalogue.public_event_or_404(slug)
    if event.is_tour:
        return _tour_page(event)
    lang = current_language()
    counts = event_counts([event.id])[event.id]
    avail = availability.for_event(event, counts)
    parent = db.session.get(Event, event.parent_id) if event.parent_id else None
    register_url = None
    if parent is not None and parent.status == EventStatus.CANCELLED:
        avail.state = "cancelled"
    if avail.is_open:
        if parent is not None and parent.is_tour:
            register_url = url_for("registration.register", slug=parent.slug, stage=event.id)
        else:
            register_url = url_for("registration.register", slug=event.slug)
    return render_template(
        "public/event.html",
        event=event,
        title=event.title(lang),
        paragraphs=catalogue.paragraphs(event.description(lang)),
        organisers=event.organiser_links,
        regions=[link.region for link in event.region_links],
        availability=avail,
        parent=parent,
        parent_title=parent.title(lang) if parent else None,
        register_url=register_url,
        programme_url=(
            url_for("programme.public_programme", slug=event.slug)
            if programme.has_published_programme(event)
            else None
        ),  # issue 16
        **_event_links(event),
    )


def _tour_page(tour: Event):
    lang = current_language()
    now = utcnow()
    rows, counts = catalogue.stage_rows(tour, lang, now)
    stages = [row["event"] for row in rows]
    tour_avail = availability.for_tour(tour, stages, counts, now)
    the_map = francemap.tour_map(
        [
            (row["number"], [str(r) for r in row["regions"]], row["event"].city or row["title"])
            for row in rows
        ]
    )
    return render_template(
        "public/tour.html",
        event=tour,
        title=tour.title(lang),
        paragraphs=catalogue.paragraphs(tour.description(lang)),
        organisers=tour.organiser_links,
        stages=rows,
        availability=tour_avail,
        the_map=the_map,
        register_url=(
            url_for("registration.register", slug=tour.slug) if tour_avail.is_open else None
        ),
        **_event_links(tour),
    )


@bp.get("/events/<slug>/calendar.ics")
@guard.public
def event_ics(slug: str):
    """Add to calendar: the event, or every stage of a tour."""
    event = catalogue.public_event_or_404(slug, with_organisers=False)
    events = catalogue.public_stages(event, with_organisers=False) if event.is_tour else [event]
    body = calendar.event_calendar(events, current_language(), name=event.title(current_language()))
    return calendar.ics_response(body, calendar.calendar_filename(event))


@bp.get("/events.ics")
@guard.public
def events_ics():
    """Calendar feed of the published events (subscribe once, stays up to date)."""
    events = catalogue.calendar_feed_events(utcnow())
    body = calendar.event_calendar(events, current_language(), name=_("Bioproduction events"))
    return calendar.ics_response(body, "eventapp.ics")


@bp.get("/events/<slug>/availability.json")
@guard.public
def availability_json(slug: str):
    """Live seat count for the event page's small script (the page works without it)."""
    event = catalogue.public_event_or_404(slug, with_organisers=False)
    if event.is_tour:
        stages = catalogue.public_stages(event, with_organisers=False)
        avail = availability.for_tour(event, stages, event_counts([s.id for s in stages]))
    else:
        counts = event_counts([event.id])[event.id]
        avail = availability.for_event(event, counts)
    text = render_template("public/_availability_text.html", a=avail).strip()
    response = {"state": avail.state, "free": avail.free, "text": text}
    return response, 200, {"Cache-Control": "no-store"}


@bp.get("/language/<code>")
@guard.public
def set_language(code: str):
    """Remember the reader's language choice (works without JavaScript)."""
    if code in current_app.config["LANGUAGES"]:
        session["lang"] = code
    return redirect(safe_next(request.args.get("next")))


@bp.get("/healthz")
@guard.public
def healthz():
    return {"status": "ok"}
