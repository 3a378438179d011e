"""The public directory of the sector's organisations (issue 18): the companies, institutions
and laboratories whose people hold networking profiles, listed only once one of those people
opted the organisation in (`listed`). Organisers curate it (`hidden`, `featured`).

One entry per organisation, keyed like the profiles (`NetworkProfile.organisation_key`, the
folded name): its offers and needs are aggregated from its people's profiles when the page is
shown, never copied. An organisation's data, not a person's: no name, e-mail or job title is
kept here (the `domain` is the web site's, used to find its pole or cluster memberships in the
member directories, `MemberCompany.domains`).
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from eventapp.models.base import Base, TimestampMixin, str_enum
from eventapp.models.enums import ActorCategory, LabelledEnum, Region


class Sector(LabelledEnum):
    """The directory's families, those of the sector maps (Medicen's 2023 map of Île-de-France:
    48 % biotherapies, 6 % bioproduction, 46 % technology providers), plus the actors around."""

    BIOTHERAPIES = "biotherapies"
    BIOPRODUCTION = "bioproduction"
    TECHPROVIDERS = "techproviders"
    RESEARCH = "research"
    NETWORKS = "networks"
    INVESTORS = "investors"

    @classmethod
    def _labels(cls):
        return {
            cls.BIOTHERAPIES: _l("Biotherapies"),
            cls.BIOPRODUCTION: _l("Bioproduction"),
            cls.TECHPROVIDERS: _l("Technology providers (CROs, platforms, equipment)"),
            cls.RESEARCH: _l("Academic research"),
            cls.NETWORKS: _l("Poles, clusters and institutions"),
            cls.INVESTORS: _l("Investors"),
        }

    @classmethod
    def of_category(cls, category: str) -> Sector:
        """The family an actor category belongs to (the entry's default)."""
        return {
            ActorCategory.BIOTECH: cls.BIOTHERAPIES,
            ActorCategory.CDMO: cls.BIOPRODUCTION,
            ActorCategory.INDUSTRIAL: cls.BIOPRODUCTION,
            ActorCategory.TECHPROVIDER: cls.TECHPROVIDERS,
            ActorCategory.EQUIPMENT: cls.TECHPROVIDERS,
            ActorCategory.ACADEMIC: cls.RESEARCH,
            ActorCategory.INVESTOR: cls.INVESTORS,
        }.get(category, cls.NETWORKS)


class DirectoryEntry(TimestampMixin, Base):
    __tablename__ = "b2b_directory_entry"
    __table_args__ = (
        Index("ix_b2b_directory_entry_listed_hidden", "listed", "hidden"),
        Index("ix_b2b_directory_entry_region", "region"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    organisation_key: Mapped[str] = mapped_column(String(200), unique=True)  # folded name
    name: Mapped[str] = mapped_column(String(200))
    category: Mapped[ActorCategory] = mapped_column(str_enum(ActorCategory))
    sector: Mapped[Sector] = mapped_column(str_enum(Sector), index=True)
    region: Mapped[Region | None] = mapped_column(str_enum(Region, 10))
    website: Mapped[str | None] = mapped_column(String(300))
    domain: Mapped[str | None] = mapped_column(String(253), index=True)  # the web site's host
    description: Mapped[str] = mapped_column(Text, default="")
    # The organisation's choice (through one of its people): shown on the public directory.
    listed: Mapped[bool] = mapped_column(Boolean, default=False)
    listed_at: Mapped[datetime | None]
    # The organisers' curation: hidden from the directory whatever it chose; featured first.
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    featured: Mapped[bool] = mapped_column(Boolean, default=False)
    # Folded name and description: what the directory search looks in.
    search_text: Mapped[str] = mapped_column(Text, default="")
