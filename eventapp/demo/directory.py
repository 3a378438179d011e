"""Demo data of the sector directory (issue 18): the companies, laboratories, platforms and
investors the demo's participants work for, each with its home region (where its main French
site is) and a line on what it does; most chose to be listed, a few did not, two are featured,
one was hidden by the organisers. Idempotent: an organisation already in the directory is left
as it is."""

from __future__ import annotations

from sqlalchemy import select

from eventapp.extensions import db
from eventapp.models import ActorCategory, DirectoryEntry, Sector, utcnow
from eventapp.text import fold, slugify

DESCRIPTIONS = {
    "industrial": "Site de production de médicaments biologiques, du lot clinique au commercial.",
    "biotech": "Biotech de biothérapies, du candidat préclinique à l’essai clinique.",
    "cdmo": "Façonnier (CDMO) : développement de procédés et production pour tiers.",
    "equipment": "Équipements, consommables à usage unique et automatisation des bioprocédés.",
    "academic": "Laboratoires de recherche et plateformes ouverts aux partenariats industriels.",
    "techprovider": "Plateforme de services : analyses, contrôles et développement sous BPF.",
    "investor": "Fonds d’investissement dans les biothérapies et la bioproduction.",
}

# name → (category, region): the organisations of demo/people.py with their main French site.
ORGANISATIONS = {
    "Sanofi": ("industrial", "idf"),
    "Servier": ("industrial", "cvl"),
    "LFB": ("industrial", "hdf"),
    "Ipsen": ("industrial", "idf"),
    "Pierre Fabre": ("industrial", "occ"),
    "GSK Vaccines": ("industrial", "hdf"),
    "Boehringer Ingelheim France": ("industrial", "ara"),
    "Octapharma": ("industrial", "ges"),
    "Novo Nordisk Production": ("industrial", "cvl"),
    "Recipharm": ("industrial", "cvl"),
    "Delpharm": ("industrial", "idf"),
    "Fareva": ("industrial", "ara"),
    "Cellectis": ("biotech", "idf"),
    "Yposkesi": ("biotech", "idf"),
    "Genethon": ("biotech", "idf"),
    "TreeFrog Therapeutics": ("biotech", "naq"),
    "Abolis": ("biotech", "idf"),
    "Vivet Therapeutics": ("biotech", "idf"),
    "Innate Pharma": ("biotech", "pac"),
    "Erytech": ("biotech", "ara"),
    "Osivax": ("biotech", "ara"),
    "ImCheck": ("biotech", "pac"),
    "MaaT Pharma": ("biotech", "ara"),
    "Genclis": ("biotech", "ges"),
    "Mablink": ("biotech", "ara"),
    "Ksilink": ("biotech", "ges"),
    "Novasep": ("cdmo", "ges"),
    "Carbogen Amcis": ("cdmo", "ara"),
    "Biose Industrie": ("cdmo", "ara"),
    "Cellforcure": ("cdmo", "cvl"),
    "Skyepharma": ("cdmo", "ara"),
    "Provepharm": ("cdmo", "pac"),
    "Minaris": ("cdmo", "idf"),
    "Thermo Fisher Viral Vector Services": ("cdmo", "pdl"),
    "Exothera": ("cdmo", "abroad"),
    "Cerbios": ("cdmo", "abroad"),
    "Sartorius": ("equipment", "pac"),
    "Merck Life Science": ("equipment", "ges"),
    "Cytiva": ("equipment", "idf"),
    "Pall": ("equipment", "idf"),
    "Getinge": ("equipment", "cvl"),
    "Eppendorf": ("equipment", "idf"),
    "Repligen": ("equipment", "abroad"),
    "Saint-Gobain Life Sciences": ("equipment", "idf"),
    "Bertin Technologies": ("equipment", "idf"),
    "Pierre Guérin": ("equipment", "naq"),
    "Inserm": ("academic", "idf"),
    "Institut Pasteur": ("academic", "idf"),
    "Université Paris-Saclay": ("academic", "idf"),
    "Université de Lyon": ("academic", "ara"),
    "Université de Nantes": ("academic", "pdl"),
    "INRAE": ("academic", "idf"),
    "Université de Strasbourg": ("academic", "ges"),
    "Université de Lille": ("academic", "hdf"),
    "Aix-Marseille Université": ("academic", "pac"),
    "Institut Curie": ("academic", "idf"),
    "ENSTBB Bordeaux": ("academic", "naq"),
    "Eurofins": ("techprovider", "pdl"),
    "Charles River": ("techprovider", "ara"),
    "Biofortis": ("techprovider", "pdl"),
    "Clean Cells": ("techprovider", "pdl"),
    "Texcell": ("techprovider", "idf"),
    "Plateforme BioProd": ("techprovider", "cvl"),
    "Genoskin": ("techprovider", "occ"),
    "Covalab": ("techprovider", "ara"),
    "Sofinnova Partners": ("investor", "idf"),
    "Kurma Partners": ("investor", "idf"),
    "Seventure Partners": ("investor", "idf"),
    "Jeito Capital": ("investor", "idf"),
}
NOT_LISTED = {"Getinge", "Recipharm", "Covalab", "Seventure Partners"}
FEATURED = {"Yposkesi", "Cellforcure"}
HIDDEN = {"Pall"}


def load() -> int:
    """The directory's entries that are missing. Returns how many were added."""
    known = set(db.session.scalars(select(DirectoryEntry.organisation_key)))
    now = utcnow()
    added = 0
    for name, (category, region) in ORGANISATIONS.items():
        key = fold(name)
        if key in known:
            continue
        listed = name not in NOT_LISTED
        db.session.add(
            DirectoryEntry(
                slug=slugify(name),
                organisation_key=key,
                name=name,
                category=ActorCategory(category),
                sector=Sector.of_category(category),
                region=region,
                description=DESCRIPTIONS[category],
                listed=listed,
                listed_at=now if listed else None,
                hidden=name in HIDDEN,
                featured=name in FEATURED,
                search_text=fold(f"{name} {DESCRIPTIONS[category]}"),
            )
        )
        added += 1
    db.session.flush()
    return added
