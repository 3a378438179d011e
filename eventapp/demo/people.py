"""Deterministic synthetic attendees: French (or European) names from Faker, organisations and
job titles typical of each actor category of the bioproduction sector."""

import random
import unicodedata

from faker import Faker

# Weights of the actor categories in a typical audience.
CATEGORY_WEIGHTS = {
    "industrial": 17,
    "biotech": 20,
    "cdmo": 10,
    "equipment": 12,
    "academic": 14,
    "techprovider": 10,
    "cluster": 5,
    "union": 2,
    "public": 4,
    "investor": 3,
    "other": 3,
}

ORGANISATIONS = {
    "industrial": [
        "Sanofi",
        "Servier",
        "LFB",
        "Ipsen",
        "Pierre Fabre",
        "GSK Vaccines",
        "Boehringer Ingelheim France",
        "Octapharma",
        "Novo Nordisk Production",
        "Recipharm",
        "Delpharm",
        "Fareva",
    ],
    "biotech": [
        "Cellectis",
        "Yposkesi",
        "Genethon",
        "TreeFrog Therapeutics",
        "Abolis",
        "Vivet Therapeutics",
        "Innate Pharma",
        "Erytech",
        "Osivax",
        "ImCheck",
        "MaaT Pharma",
        "Genclis",
        "Mablink",
        "Ksilink",
    ],
    "cdmo": [
        "Novasep",
        "Exothera",
        "Cerbios",
        "Carbogen Amcis",
        "Biose Industrie",
        "Cellforcure",
        "Skyepharma",
        "Provepharm",
        "Minaris",
        "Thermo Fisher Viral Vector Services",
    ],
    "equipment": [
        "Sartorius",
        "Merck Life Science",
        "Cytiva",
        "Pall",
        "Getinge",
        "Eppendorf",
        "Repligen",
        "Saint-Gobain Life Sciences",
        "Bertin Technologies",
        "Pierre Guérin",
    ],
    "academic": [
        "Inserm",
        "CNRS",
        "Institut Pasteur",
        "Université Paris-Saclay",
        "Université de Lyon",
        "Université de Nantes",
        "INRAE",
        "Sorbonne Université",
        "Université de Strasbourg",
        "Université de Lille",
        "Aix-Marseille Université",
        "Institut Curie",
        "ENSTBB Bordeaux",
    ],
    "techprovider": [
        "Eurofins",
        "Charles River",
        "Biofortis",
        "Clean Cells",
        "Texcell",
        "Sanofi Pasteur Biolabs",
        "Plateforme BioProd",
        "Genoskin",
        "Cyprio",
        "Covalab",
    ],
    "cluster": [
        "Medicen Paris Region",
        "Polepharma",
        "Genopole",
        "Lyonbiopôle",
        "MabDesign",
        "Eurobiomed",
        "BioValley France",
        "Atlanpole Biotherapies",
        "Clubster NSL",
        "Allis Na",
        "Pôle des Microtechniques",
        "Adebiotech",
    ],
    "union": [
        "Leem",
        "France Biotech",
        "Snitem",
        "Polepharma Alliance",
        "Coordination des industries de santé",
    ],
    "public": [
        "Région Île-de-France",
        "Bpifrance",
        "Agence de l'innovation en santé",
        "Ministère de l'Industrie",
        "ANSM",
        "Choose Paris Region",
        "Business France",
        "Région Auvergne-Rhône-Alpes",
        "Région Centre-Val de Loire",
        "ARS Île-de-France",
    ],
    "investor": [
        "Bpifrance Investissement",
        "Sofinnova Partners",
        "Kurma Partners",
        "Andera Partners",
        "Seventure Partners",
        "Truffle Capital",
        "Jeito Capital",
    ],
    "other": [
        "Indépendant",
        "Cabinet de conseil BioStrat",
        "Presse spécialisée",
        "Étudiant",
        "Cabinet d'avocats Lexbio",
    ],
}

JOB_TITLES = {
    "industrial": [
        "Directeur de site",
        "Responsable production",
        "Ingénieur procédés",
        "Responsable assurance qualité",
        "Directrice des opérations industrielles",
        "Pharmacien responsable",
        "Chef de projet industrialisation",
    ],
    "biotech": [
        "CEO",
        "Directrice scientifique",
        "Responsable CMC",
        "Chef de projet R&D",
        "Head of process development",
        "Ingénieure bioprocédés",
    ],
    "cdmo": [
        "Business developer",
        "Directeur commercial",
        "Responsable transfert de technologie",
        "Responsable production USP",
        "Responsable DSP",
    ],
    "equipment": [
        "Ingénieur d'application",
        "Key account manager",
        "Responsable marché bioprocess",
        "Directeur France",
        "Spécialiste single-use",
    ],
    "academic": [
        "Directeur de recherche",
        "Maître de conférences",
        "Ingénieure de recherche",
        "Doctorant",
        "Responsable de plateforme",
        "Professeure",
    ],
    "techprovider": [
        "Responsable de plateforme",
        "Chef de projet analytique",
        "Directrice des opérations",
        "Business developer",
        "Responsable qualité",
    ],
    "cluster": [
        "Chargée de mission bioproduction",
        "Directeur",
        "Responsable innovation",
        "Chargé d'affaires européennes",
        "Responsable événements",
    ],
    "union": ["Délégué général", "Responsable affaires industrielles", "Chargée de mission"],
    "public": [
        "Chargé de mission santé",
        "Conseillère industrie",
        "Directeur du développement économique",
        "Chef de bureau",
    ],
    "investor": ["Partner", "Chargée d'investissement", "Analyste", "Directeur de participations"],
    "other": ["Consultant", "Journaliste", "Étudiante", "Avocat"],
}

EUROPEAN_LOCALES = ["en_GB", "de_DE", "es_ES", "nl_NL", "fi_FI", "pl_PL", "it_IT", "pt_PT"]
EUROPEAN_ORGANISATIONS = [
    "Biocat",
    "Turku Science Park",
    "BioRegio STERN",
    "LifetecZONe",
    "Upper Silesian Accelerator",
    "Health Cluster Portugal",
    "ScanBalt",
    "EIT Health",
    "BioM",
    "Flanders.bio",
    "Lombardy Life Sciences Cluster",
]


def _ascii(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return "".join(ch for ch in text.lower() if ch.isalnum() or ch in "-.")


class PeopleFactory:
    """Generates the attendees of one event; same seed, same people."""

    def __init__(self, seed: int, international: bool = False):
        self.random = random.Random(seed)
        self.international = international
        self.faker_fr = Faker("fr_FR")
        self.faker_fr.seed_instance(seed)
        self.faker_eu = Faker(EUROPEAN_LOCALES)
        self.faker_eu.seed_instance(seed + 1)
        self.used_emails: set[str] = set()
        categories = list(CATEGORY_WEIGHTS)
        self._categories = categories
        self._weights = [CATEGORY_WEIGHTS[c] for c in categories]

    def person(self, regions: list[str]) -> dict:
        rnd = self.random
        category = rnd.choices(self._categories, self._weights)[0]
        european = self.international and rnd.random() < 0.7
        faker = self.faker_eu if european else self.faker_fr
        first_name, last_name = faker.first_name(), faker.last_name()
        if european:
            organisation = rnd.choice(EUROPEAN_ORGANISATIONS)
            region = "abroad"
        else:
            organisation = rnd.choice(ORGANISATIONS[category])
            roll = rnd.random()
            if regions and roll < 0.6:
                region = rnd.choice(regions)
            elif roll < 0.85:
                region = "idf"
            else:
                region = rnd.choice(
                    [
                        "ara",
                        "cvl",
                        "naq",
                        "ges",
                        "hdf",
                        "occ",
                        "pac",
                        "pdl",
                        "nor",
                        "bfc",
                        "bre",
                        "abroad",
                    ]
                )
        domain = _ascii(organisation.replace(" ", "-"))[:40].strip("-.") or "org"
        base = f"{_ascii(first_name)}.{_ascii(last_name)}".strip(".") or "participant"
        email = f"{base}@{domain}.example.org"
        suffix = 2
        while email in self.used_emails:
            email = f"{base}{suffix}@{domain}.example.org"
            suffix += 1
        self.used_emails.add(email)
        return {
            "first_name": first_name,
            "last_name": last_name,
            "email": email,
            "organisation_name": organisation,
            "job_title": rnd.choice(JOB_TITLES[category]) if not european else "Project manager",
            "category": category,
            "region": region,
            "language": "en" if european else "fr",
        }
