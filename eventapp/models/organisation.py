from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventapp.models.base import Base, TimestampMixin, str_enum
from eventapp.models.enums import OrganisationKind

if TYPE_CHECKING:
    from eventapp.models.event import EventOrganiser
    from eventapp.models.user import Membership


class Organisation(TimestampMixin, Base):
    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    short_name: Mapped[str] = mapped_column(String(60))
    kind: Mapped[OrganisationKind] = mapped_column(str_enum(OrganisationKind))
    # Region codes (eventapp.models.enums.Region); shown, never filtered on.
    regions: Mapped[list[str]] = mapped_column(JSON, default=list)
    website: Mapped[str | None] = mapped_column(String(300))
    # The organisation's public contact address (a shared inbox, shown on its public page).
    contact_email: Mapped[str | None] = mapped_column(String(254))
    # The logo as a PNG re-encoded by the app (never the uploaded bytes); served at /o/<slug>/logo.
    logo_png: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    logo_updated_at: Mapped[datetime | None]
    # Legal details for invoices (checked by eventapp.organisations.identifiers).
    legal_name: Mapped[str | None] = mapped_column(String(200))
    legal_address: Mapped[str | None] = mapped_column(Text)
    siret: Mapped[str | None] = mapped_column(String(14))  # SIREN (9 digits) or SIRET (14)
    vat_number: Mapped[str | None] = mapped_column(String(20))
    iban: Mapped[str | None] = mapped_column(String(34))
    bic: Mapped[str | None] = mapped_column(String(11))
    # As printed on invoices: "Association loi 1901", "SAS au capital de 10 000 €"…
    legal_form: Mapped[str | None] = mapped_column(String(120))
    # Members must turn on two-factor login to use the workspace.
    require_2fa: Mapped[bool] = mapped_column(default=False)

    event_links: Mapped[list[EventOrganiser]] = relationship(back_populates="organisation")
    memberships: Mapped[list[Membership]] = relationship(back_populates="organisation")

    def __repr__(self) -> str:
        return f"<Organisation {self.slug}>"
