"""The demo's fees: the 2026 congress is paid with the rates of the issue, has vouchers and a
mix of payment states; its tour stages stay free; Medicen and Polepharma have directories."""

from collections import Counter

from sqlalchemy import func, select

from eventapp.models import (
    BookingPayment,
    Event,
    MemberCompany,
    Organisation,
    PriceCategory,
    Voucher,
)


def test_the_demo_congress_is_paid_and_the_tour_is_free(runner, db):
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    congress = db.session.scalar(
        select(Event).where(Event.slug == "congres-france-bioproduction-2026")
    )
    prices = dict(
        db.session.execute(
            select(PriceCategory.name_fr, PriceCategory.price_cents).where(
                PriceCategory.event_id == congress.id
            )
        ).all()
    )
    assert prices["Adhérent"] == 39000 and prices["Non-adhérent"] == 59000
    assert prices["Académique"] == 19000 and prices["Étudiant"] == 9000
    assert prices["Intervenant / partenaire"] == 0
    assert prices["Adhérent — early bird"] == 33150  # −15 % until 30 September
    states = Counter(
        db.session.scalars(
            select(BookingPayment.state).where(BookingPayment.event_id == congress.id)
        )
    )
    assert states["paid"] > 150 and states["awaiting_payment"] > 20
    assert states["refunded"] + states["partly_refunded"] > 3
    assert db.session.scalar(select(func.count()).select_from(Voucher)) == 2
    tour = db.session.scalar(select(Event).where(Event.slug == "french-bioproduction-tour-2027"))
    stage_ids = select(Event.id).where(Event.parent_id == tour.id)
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(PriceCategory)
            .where(PriceCategory.event_id.in_(stage_ids))
        )
        == 0
    )
    for slug in ("medicen", "polepharma"):
        org = db.session.scalar(select(Organisation).where(Organisation.slug == slug))
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(MemberCompany)
                .where(MemberCompany.organisation_id == org.id)
            )
            >= 5
        )
    before = db.session.scalar(select(func.count()).select_from(BookingPayment))
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    assert db.session.scalar(select(func.count()).select_from(BookingPayment)) == before
