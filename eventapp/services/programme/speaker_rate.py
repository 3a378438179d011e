"""The speaker rate (issues 14 and 16): a speaker of the event who registers gets its
speaker/partner rate (`PriceKind.SPEAKER`, free) without having to justify it. A registrant
is a speaker when a speaker of the event has their e-mail address (`Speaker.email`, never
shown) or is linked to their registration (`Speaker.registration_id`, the speaker form); a
speaker recognised by e-mail is linked to the registration on the way."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select

from eventapp.extensions import db
from eventapp.models import Event, PriceCategory, PriceKind, Registration, Speaker
from eventapp.text import normalise_email


def speakers_among(event: Event, people: list[Registration]) -> dict[int, Speaker]:
    """{registration id: the speaker they are}, for those of `people` who are speakers of
    the event (or of their own stage)."""
    if not people:
        return {}
    event_ids = {event.id} | {r.event_id for r in people}
    emails = {normalise_email(r.email) for r in people if r.email}
    ids = {r.id for r in people}
    speakers = db.session.scalars(
        select(Speaker).where(
            Speaker.event_id.in_(event_ids),
            or_(
                Speaker.registration_id.in_(ids),
                Speaker.email.in_(emails) if emails else False,
            ),
        )
    ).all()
    found = {}
    for person in people:
        email = normalise_email(person.email)
        for speaker in speakers:
            if speaker.registration_id == person.id or (
                email and speaker.email == email and speaker.event_id in (person.event_id, event.id)
            ):
                found[person.id] = speaker
                break
    return found


def rate_for(event: Event, people: list[Registration], now: datetime) -> PriceCategory | None:
    """The event's speaker rate on offer now, if every person priced is one of its speakers
    (a booking mixing speakers and others keeps the rate chosen); None otherwise. The
    speakers recognised by e-mail are linked to their registration."""
    from eventapp.services.fees import pricing

    if not people:
        return None
    rate = next((c for c in pricing.offered(event, now) if c.kind == PriceKind.SPEAKER), None)
    if rate is None:
        return None
    found = speakers_among(event, people)
    if len(found) != len({r.id for r in people}):
        return None
    for registration_id, speaker in found.items():
        if speaker.registration_id is None:
            speaker.registration_id = registration_id
    db.session.flush()
    return rate
