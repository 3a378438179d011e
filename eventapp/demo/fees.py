"""Demo data of fees and payment (issue 14): the 2026 congress is paid (members 390 € HT,
non-members 590 € HT, academics 190 € HT, students 90 € HT, speakers and partners free,
early-bird −15 % until 30 September 2026), with vouchers and a mix of paid, awaiting-transfer,
awaiting-approval and refunded bookings; Medicen and Polepharma have member directories.
Tour stages stay free (no rate). Deterministic, and idempotent: nothing is added twice."""

from __future__ import annotations

import zlib
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from eventapp.extensions import db
from eventapp.models import (
    Booking,
    BookingLine,
    BookingPayment,
    Event,
    FeeSettings,
    MemberCompany,
    Organisation,
    PaymentTransaction,
    PriceCategory,
    Registration,
    RegistrationStatus,
    Voucher,
)
from eventapp.services.fees.checkout import reference_secret
from eventapp.services.fees.pricing import vat_of
from eventapp.services.payments.references import reference_for_booking

PARIS = ZoneInfo("Europe/Paris")
CONGRESS = "congres-france-bioproduction-2026"

# Companies of the demo attendees (demo/people.py: their e-mails are name@company.example.org).
MEMBERS = {
    "medicen": [
        ("Sanofi", "395030844"),
        ("Servier", "085480796"),
        ("LFB", "820372373"),
        ("Ipsen", "419838529"),
        ("Cellectis", "428859052"),
        ("Yposkesi", "809869926"),
        ("Genethon", "383795895"),
        ("TreeFrog Therapeutics", "818948358"),
    ],
    "polepharma": [
        ("Delpharm", "329567499"),
        ("Fareva", "388066453"),
        ("Recipharm", None),
        ("Pierre Fabre", "455501205"),
        ("Novasep", "380418897"),
        ("Octapharma", None),
    ],
}


def _domain(name: str) -> str:
    from eventapp.demo.people import _ascii

    return f"{_ascii(name.replace(' ', '-'))[:40].strip('-.')}.example.org"


def _paris(day: date, hour: int = 0, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=PARIS)


def _directories(orgs: dict[str, Organisation]) -> None:
    for slug, companies in MEMBERS.items():
        org = orgs.get(slug)
        if org is None:
            continue
        known = set(
            db.session.scalars(
                select(MemberCompany.name).where(MemberCompany.organisation_id == org.id)
            )
        )
        for name, siren in companies:
            if name not in known:
                db.session.add(
                    MemberCompany(
                        organisation_id=org.id, name=name, siren=siren, domains=[_domain(name)]
                    )
                )
    if orgs.get("medicen") is not None and not orgs["medicen"].iban:
        orgs["medicen"].iban = "FR7630004000031234567890143"
        orgs["medicen"].legal_name = orgs["medicen"].legal_name or "Medicen Paris Region"


def _rates(event: Event) -> dict[str, PriceCategory]:
    early_until = _paris(date(2026, 10, 1))
    specs = [
        (
            "member_early",
            "member",
            "Adhérent — early bird",
            "Member — early bird",
            33150,
            "member",
            None,
            early_until,
            None,
        ),
        (
            "non_member_early",
            "non_member",
            "Non-adhérent — early bird",
            "Non-member — early bird",
            50150,
            "none",
            None,
            early_until,
            None,
        ),
        ("member", "member", "Adhérent", "Member", 39000, "member", early_until, None, None),
        (
            "non_member",
            "non_member",
            "Non-adhérent",
            "Non-member",
            59000,
            "none",
            early_until,
            None,
            None,
        ),
        ("academic", "academic", "Académique", "Academic", 19000, "approval", None, None, None),
        ("student", "student", "Étudiant", "Student", 9000, "approval", None, None, 50),
        (
            "speaker",
            "speaker",
            "Intervenant / partenaire",
            "Speaker / partner",
            0,
            "approval",
            None,
            None,
            None,
        ),
    ]
    rates = {}
    for position, (key, kind, fr, en, cents, check, start, end, quota) in enumerate(specs):
        rates[key] = PriceCategory(
            event_id=event.id,
            kind=kind,
            name_fr=fr,
            name_en=en,
            price_cents=cents,
            vat_basis_points=2000,
            verification=check,
            valid_from=start,
            valid_until=end,
            quota=quota,
            includes_fr="Les deux journées, les déjeuners et le cocktail" if cents else "",
            includes_en="Both days, lunches and the cocktail reception" if cents else "",
            position=position,
        )
    db.session.add_all(rates.values())
    db.session.add(
        FeeSettings(
            event_id=event.id,
            transfer_days=10,
            card_minutes=30,
            full_refund_until=_paris(date(2026, 11, 30)),
            late_refund_percent=50,
        )
    )
    db.session.add_all(
        [
            Voucher(
                event_id=event.id,
                code="GENOPOLE-PARTENAIRE",
                kind="free",
                value=0,
                max_uses=10,
                partner="Genopole",
                category_ids=[],
            ),
            Voucher(
                event_id=event.id,
                code="ADEBIOTECH15",
                kind="percent",
                value=15,
                max_uses=30,
                partner="Adebiotech",
                valid_until=_paris(date(2026, 12, 10)),
            ),
        ]
    )
    db.session.flush()
    return rates


def _payments(event: Event, rates: dict[str, PriceCategory]) -> int:
    member_domains = {d for m in db.session.scalars(select(MemberCompany)) for d in m.domains}
    rows = db.session.execute(
        select(Registration, Booking)
        .join(Booking, Booking.id == Registration.booking_id)
        .where(
            Registration.event_id == event.id,
            Registration.status == RegistrationStatus.CONFIRMED,
        )
        .order_by(Registration.id)
    ).all()
    made = 0
    for registration, booking in rows:
        draw = zlib.crc32(f"{registration.id}:{registration.email}".encode()) % 100
        domain = (registration.email or "").rpartition("@")[2]
        early = registration.created_at < _paris(date(2026, 10, 1))
        if draw < 3:
            rate = rates["speaker"]
        elif registration.category == "academic":
            rate = rates["student"] if draw < 25 else rates["academic"]
        elif domain in member_domains:
            rate = rates["member_early" if early else "member"]
        else:
            rate = rates["non_member_early" if early else "non_member"]
        net = rate.price_cents
        vat = vat_of(net, rate.vat_basis_points)
        total = net + vat
        if rate.verification == "approval" and draw % 10 == 0:
            state, paid_cents, refunded = "awaiting_approval", 0, 0
        elif total == 0:
            state, paid_cents, refunded = "paid", 0, 0
        elif draw < 78:
            state, paid_cents, refunded = "paid", total, 0
        elif draw < 94:
            state, paid_cents, refunded = "awaiting_payment", 0, 0
        elif draw < 97:
            state, paid_cents, refunded = "partly_refunded", total, total // 2
        else:
            state, paid_cents, refunded = "refunded", total, total
        payment = BookingPayment(
            booking_id=booking.id,
            event_id=event.id,
            state=state,
            method=None if not paid_cents else ("card" if draw % 2 else "transfer"),
            net_cents=net,
            vat_cents=vat,
            total_cents=total,
            paid_cents=paid_cents,
            refunded_cents=refunded,
            price_category_id=rate.id,
            bank_reference=reference_for_booking(booking.id, reference_secret()),
            due_at=event.starts_at - timedelta(days=2) if state == "awaiting_payment" else None,
            justification="Doctorant·e, laboratoire partenaire"
            if state == "awaiting_approval"
            else None,
            created_at=registration.created_at,
            updated_at=registration.created_at,
        )
        db.session.add(payment)
        db.session.flush()
        db.session.add(
            BookingLine(
                payment_id=payment.id,
                registration_id=registration.id,
                price_category_id=rate.id,
                unit_net_cents=net,
                net_cents=net,
                vat_basis_points=rate.vat_basis_points,
                vat_cents=vat,
                total_cents=total,
            )
        )
        provider = "stripe" if payment.method == "card" else "manual_bank_transfer"
        if paid_cents:
            db.session.add(
                PaymentTransaction(
                    payment_id=payment.id,
                    kind="payment",
                    provider=provider,
                    amount_cents=paid_cents,
                    source=f"demo:pay:{payment.id}",
                    created_at=registration.created_at + timedelta(days=draw % 9),
                )
            )
        if refunded:
            db.session.add(
                PaymentTransaction(
                    payment_id=payment.id,
                    kind="refund",
                    provider=provider,
                    amount_cents=refunded,
                    source=f"demo:refund:{payment.id}",
                    state="succeeded" if draw % 2 else "pending",
                    created_at=registration.created_at + timedelta(days=12),
                )
            )
        made += 1
    return made


def load(orgs: dict[str, Organisation]) -> int:
    """The fees of the demo; returns how many booking payments were added."""
    _directories(orgs)
    event = db.session.scalar(select(Event).where(Event.slug == CONGRESS))
    if event is None:
        return 0
    if db.session.scalar(select(PriceCategory.id).where(PriceCategory.event_id == event.id)):
        return 0
    rates = _rates(event)
    made = _payments(event, rates)
    db.session.flush()
    return made
