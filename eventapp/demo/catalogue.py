"""The organisations and events of the demo, as plain data (see shared/domain.md)."""

from datetime import date

ORGANISATIONS = [
    # slug, name, short name, kind, regions, website
    ("medicen", "Medicen Paris Region", "Medicen", "pole", ["idf"], "https://medicen.org"),
    (
        "polepharma",
        "Polepharma",
        "Polepharma",
        "cluster",
        ["cvl", "nor", "naq"],
        "https://www.polepharma.com",
    ),
    ("genopole", "Genopole", "Genopole", "cluster", ["idf"], "https://www.genopole.fr"),
    ("adebiotech", "Adebiotech", "Adebiotech", "cluster", ["idf"], "https://www.adebiotech.org"),
    (
        "atlanpole-biotherapies",
        "Atlanpole Biotherapies",
        "Atlanpole Biotherapies",
        "pole",
        ["pdl"],
        "https://www.atlanpolebiotherapies.com",
    ),
    ("lyonbiopole", "Lyonbiopôle", "Lyonbiopôle", "pole", ["ara"], "https://www.lyonbiopole.com"),
    ("mabdesign", "MabDesign", "MabDesign", "cluster", ["ara"], "https://www.mabdesign.fr"),
    ("allis-na", "Allis Na", "Allis Na", "cluster", ["naq"], "https://www.allis-na.fr"),
    (
        "pole-des-microtechniques",
        "Pôle des Microtechniques",
        "PMT",
        "pole",
        ["bfc"],
        "https://www.polemicrotechniques.fr",
    ),
    (
        "biovalley-france",
        "BioValley France",
        "BioValley France",
        "pole",
        ["ges"],
        "https://www.biovalley-france.com",
    ),
    (
        "clubster-nsl",
        "Clubster NSL",
        "Clubster NSL",
        "cluster",
        ["hdf"],
        "https://www.clubster-nsl.com",
    ),
    ("eurobiomed", "Eurobiomed", "Eurobiomed", "pole", ["pac", "occ"], "https://eurobiomed.org"),
    ("enosis-sante", "Enosis Santé", "Enosis Santé", "network", [], None),
    ("france-biolead", "France Biolead", "France Biolead", "network", [], None),
    (
        "cebr",
        "Council of European BioRegions",
        "CEBR",
        "network",
        ["abroad"],
        "https://www.cebr.net",
    ),
    (
        "region-ile-de-france",
        "Région Île-de-France",
        "Région Île-de-France",
        "institution",
        ["idf"],
        "https://www.iledefrance.fr",
    ),
    (
        "choose-paris-region",
        "Choose Paris Region",
        "Choose Paris Region",
        "institution",
        ["idf"],
        "https://www.chooseparisregion.org",
    ),
]

# Organisations that get a demo organiser account (those that run or co-run an event).
ORGANISER_ACCOUNTS = [
    "medicen",
    "polepharma",
    "genopole",
    "adebiotech",
    "atlanpole-biotherapies",
    "lyonbiopole",
    "mabdesign",
    "allis-na",
    "pole-des-microtechniques",
    "biovalley-france",
    "clubster-nsl",
    "eurobiomed",
    "cebr",
]

TOUR = {
    "slug": "french-bioproduction-tour-2021",
    "title_fr": "French Bioproduction Tour 2021",
    "title_en": "French Bioproduction Tour 2021",
    "description_fr": (
        "Initié par Medicen Paris Region, le French Bioproduction Tour a fédéré 11 pôles de "
        "compétitivité et clusters en sept étapes régionales. Plus de 50 intervenants "
        "industriels, académiques et politiques y ont présenté la dynamique de la filière "
        "française des biothérapies et de la bioproduction, région par région."
    ),
    "description_en": (
        "Initiated by Medicen Paris Region, the French Bioproduction Tour brought together 11 "
        "competitiveness poles and clusters in seven regional stages. More than 50 industrial, "
        "academic and political speakers presented the French biotherapy and bioproduction "
        "sector, region by region."
    ),
    "organisers": [("medicen", "lead")],
}

# position, slug suffix, FR/EN titles, regions (first = main), city, venue, day, organisers
# (first = lead), confirmed attendees.
STAGES = [
    (
        1,
        "grand-ouest",
        "Bretagne, Centre-Val de Loire, Pays de la Loire",
        "Brittany, Centre-Val de Loire, Pays de la Loire",
        ["pdl", "bre", "cvl"],
        "Nantes",
        "Cité des Congrès de Nantes",
        date(2021, 9, 14),
        ["atlanpole-biotherapies", "polepharma"],
        432,
    ),
    (
        2,
        "auvergne-rhone-alpes-nouvelle-aquitaine",
        "Auvergne-Rhône-Alpes / Nouvelle-Aquitaine",
        "Auvergne-Rhône-Alpes / Nouvelle-Aquitaine",
        ["ara", "naq"],
        "Lyon",
        "Bioparc Lyon",
        date(2021, 9, 23),
        ["lyonbiopole", "mabdesign", "allis-na"],
        468,
    ),
    (
        3,
        "bourgogne-franche-comte",
        "Bourgogne-Franche-Comté",
        "Bourgogne-Franche-Comté",
        ["bfc"],
        "Besançon",
        "TEMIS Innovation",
        date(2021, 10, 5),
        ["pole-des-microtechniques"],
        356,
    ),
    (
        4,
        "grand-est",
        "Grand Est",
        "Grand Est",
        ["ges"],
        "Strasbourg",
        "Palais de la Musique et des Congrès",
        date(2021, 10, 14),
        ["biovalley-france"],
        398,
    ),
    (
        5,
        "hauts-de-france",
        "Hauts-de-France",
        "Hauts-de-France",
        ["hdf"],
        "Lille",
        "Eurasanté",
        date(2021, 10, 21),
        ["clubster-nsl"],
        377,
    ),
    (
        6,
        "ile-de-france",
        "Île-de-France",
        "Île-de-France",
        ["idf"],
        "Évry-Courcouronnes",
        "Genopole Campus",
        date(2021, 11, 9),
        ["medicen", "adebiotech", "genopole", "polepharma"],
        612,
    ),
    (
        7,
        "sud",
        "Provence-Alpes-Côte d'Azur, Occitanie",
        "Provence-Alpes-Côte d'Azur, Occitanie",
        ["pac", "occ"],
        "Marseille",
        "Marseille Chanot",
        date(2021, 11, 23),
        ["eurobiomed"],
        441,
    ),
]

# A second edition of the tour, upcoming and open for registration, so the demo shows the
# multi-stage registration (the 2021 tour is past). Not in the source article: a plausible
# future edition with the same regions and co-organisers.
TOUR_2027 = {
    "slug": "french-bioproduction-tour-2027",
    "title_fr": "French Bioproduction Tour 2027",
    "title_en": "French Bioproduction Tour 2027",
    "description_fr": (
        "Deuxième édition du French Bioproduction Tour, initié par Medicen Paris Region : sept "
        "étapes régionales avec les pôles et clusters de la filière. Inscrivez-vous à une ou "
        "plusieurs étapes en un seul formulaire ; chaque étape a ses places et sa liste "
        "d'attente."
    ),
    "description_en": (
        "Second edition of the French Bioproduction Tour, initiated by Medicen Paris Region: "
        "seven regional stages with the sector's poles and clusters. Register for one or "
        "several stages in one form; each stage has its own places and waiting list."
    ),
    "organisers": [("medicen", "lead")],
}
# position, slug suffix, FR/EN titles, regions, city, venue, day, organisers, capacity,
# confirmed, waitlisted
STAGES_2027 = [
    (
        1,
        "grand-ouest",
        "Bretagne, Centre-Val de Loire, Pays de la Loire",
        "Brittany, Centre-Val de Loire, Pays de la Loire",
        ["cvl", "bre", "pdl"],
        "Tours",
        "Centre de congrès Vinci",
        date(2027, 3, 11),
        ["atlanpole-biotherapies", "polepharma"],
        250,
        250,
        12,
    ),
    (
        2,
        "auvergne-rhone-alpes-nouvelle-aquitaine",
        "Auvergne-Rhône-Alpes / Nouvelle-Aquitaine",
        "Auvergne-Rhône-Alpes / Nouvelle-Aquitaine",
        ["naq", "ara"],
        "Bordeaux",
        "Palais des Congrès de Bordeaux",
        date(2027, 3, 25),
        ["allis-na", "lyonbiopole", "mabdesign"],
        400,
        131,
        0,
    ),
    (
        3,
        "bourgogne-franche-comte",
        "Bourgogne-Franche-Comté",
        "Bourgogne-Franche-Comté",
        ["bfc"],
        "Dijon",
        "Palais des Congrès de Dijon",
        date(2027, 4, 8),
        ["pole-des-microtechniques"],
        250,
        64,
        0,
    ),
    (
        4,
        "grand-est",
        "Grand Est",
        "Grand Est",
        ["ges"],
        "Strasbourg",
        "Palais de la Musique et des Congrès",
        date(2027, 4, 22),
        ["biovalley-france"],
        300,
        88,
        0,
    ),
    (
        5,
        "hauts-de-france",
        "Hauts-de-France",
        "Hauts-de-France",
        ["hdf"],
        "Lille",
        "Eurasanté",
        date(2027, 5, 6),
        ["clubster-nsl"],
        300,
        71,
        0,
    ),
    (
        6,
        "ile-de-france",
        "Île-de-France",
        "Île-de-France",
        ["idf"],
        "Évry-Courcouronnes",
        "Genopole Campus",
        date(2027, 5, 20),
        ["medicen", "adebiotech", "genopole", "polepharma"],
        600,
        205,
        0,
    ),
    (
        7,
        "sud",
        "Provence-Alpes-Côte d'Azur, Occitanie",
        "Provence-Alpes-Côte d'Azur, Occitanie",
        ["occ", "pac"],
        "Montpellier",
        "Le Corum",
        date(2027, 6, 3),
        ["eurobiomed"],
        350,
        97,
        0,
    ),
]
TOUR_2027_OPENS = date(2026, 11, 2)

# year, city, region, venue, first day, capacity, confirmed so far (past: attendance)
CONGRESSES = [
    (2021, "Paris", "idf", "Palais Brongniart", date(2021, 12, 7), 550, 492),
    (2022, "Tours", "cvl", "Vinci — Centre international de congrès", date(2022, 11, 15), 550, 506),
    (2023, "Paris", "idf", "Cité internationale universitaire", date(2023, 11, 21), 550, 498),
    (2024, "Rouen", "nor", "Le 106 — Centre de congrès", date(2024, 11, 19), 550, 517),
    (2025, "Paris", "idf", "Maison de la Chimie", date(2025, 11, 18), 550, 503),
    (2026, "Paris", "idf", "Maison de la Chimie", date(2026, 12, 15), 500, 318),
]
CONGRESS_TEXT = {
    "description_fr": (
        "Le Congrès France Bioproduction, co-organisé chaque année par Medicen Paris Region et "
        "Polepharma, est le lieu de rencontre de l'ensemble des acteurs publics et privés de "
        "la filière française de la bioproduction : industriels de santé, biotechs, CDMO, "
        "équipementiers, académiques, plateformes technologiques, pôles et clusters, "
        "institutions et investisseurs. Environ 500 participants chaque année."
    ),
    "description_en": (
        "The France Bioproduction Congress, co-organised every year by Medicen Paris Region and "
        "Polepharma, is the meeting place of all public and private actors of the French "
        "bioproduction sector: health industry, biotechs, CDMOs, equipment suppliers, "
        "academics, technology platforms, poles and clusters, institutions and investors. "
        "About 500 participants every year."
    ),
}

# Other events named in the article (and a few upcoming ones for the catalogue).
OTHER_EVENTS = [
    {
        "slug": "assises-biotherapies-bioproduction-idf-2021",
        "kind": "meeting",
        "title_fr": "Assises régionales des biothérapies et de la bioproduction",
        "title_en": "Regional conference on biotherapies and bioproduction",
        "description_fr": (
            "Les assises régionales ont défini les axes des groupes de travail de la filière "
            "francilienne et lancé la cartographie de l'écosystème avec l'Institut Paris Région."
        ),
        "description_en": (
            "The regional conference set the themes of the Île-de-France sector's working "
            "groups and launched the ecosystem map with Institut Paris Région."
        ),
        "city": "Paris",
        "region": "idf",
        "venue": "Hôtel de Région Île-de-France",
        "day": date(2021, 6, 8),
        "days": 1,
        "capacity": 250,
        "confirmed": 214,
        "organisers": ["medicen", "region-ile-de-france", "genopole", "choose-paris-region"],
    },
    {
        "slug": "mabdesign-congres-bioproduction-2026",
        "kind": "congress",
        "title_fr": "Congrès bioproduction de MabDesign 2026",
        "title_en": "MabDesign bioproduction congress 2026",
        "description_fr": (
            "Le rendez-vous d'automne de MabDesign autour de la bioproduction des anticorps et "
            "des biothérapies, près de Lyon."
        ),
        "description_en": (
            "MabDesign's autumn meeting on the bioproduction of antibodies and biotherapies, "
            "near Lyon."
        ),
        "city": "Lyon",
        "region": "ara",
        "venue": "Centre de Congrès de Lyon",
        "day": date(2026, 10, 6),
        "days": 2,
        "capacity": 400,
        "confirmed": 352,
        "organisers": ["mabdesign"],
    },
    {
        "slug": "cebr-webinar-bioproduction-capacity-2026",
        "kind": "webinar",
        "title_fr": "Webinaire CEBR : capacités de bioproduction en Europe",
        "title_en": "CEBR webinar: bioproduction capacity in Europe",
        "description_fr": (
            "Groupe de travail thématique du Council of European BioRegions : état des "
            "capacités de bioproduction des 45 clusters membres, avec les partenaires du projet "
            "BioMan4R2."
        ),
        "description_en": (
            "Thematic working group of the Council of European BioRegions: the bioproduction "
            "capacity of its 45 member clusters, with the partners of the BioMan4R2 project."
        ),
        "online_url": "https://visio.cebr.net/bioproduction-capacity",
        "region": "abroad",
        "day": date(2026, 12, 3),
        "days": 1,
        "hours": (14, 16),
        "capacity": 100,
        "confirmed": 100,
        "waitlisted": 14,
        "organisers": ["cebr", "medicen"],
        "partner": ["medicen"],
        "international": True,
    },
    {
        "slug": "journees-biotesting-2027",
        "kind": "workshop",
        "title_fr": "Journées du Biotesting 2027",
        "title_en": "Biotesting Days 2027",
        "description_fr": (
            "Les Journées du Biotesting de Polepharma : stratégies analytiques pour accélérer le "
            "développement des biothérapies."
        ),
        "description_en": (
            "Polepharma's Biotesting Days: analytical strategies to speed up biotherapy "
            "development."
        ),
        "city": "Tours",
        "region": "cvl",
        "venue": "Centre de congrès Vinci",
        "day": date(2027, 2, 9),
        "days": 2,
        "capacity": 150,
        "confirmed": 64,
        "organisers": ["polepharma"],
    },
    {
        "slug": "journees-therapies-innovantes-2027",
        "kind": "workshop",
        "title_fr": "Journées Thérapies Innovantes 2027",
        "title_en": "Innovative Therapies Days 2027",
        "description_fr": (
            "Les Journées Thérapies Innovantes du Pôle des Microtechniques en "
            "Bourgogne-Franche-Comté : dispositifs, biothérapies et bioproduction."
        ),
        "description_en": (
            "The Innovative Therapies Days of the Pôle des Microtechniques in "
            "Bourgogne-Franche-Comté: devices, biotherapies and bioproduction."
        ),
        "city": "Besançon",
        "region": "bfc",
        "venue": "Kursaal",
        "day": date(2027, 3, 16),
        "days": 2,
        "capacity": 200,
        "confirmed": 0,
        "opens": date(2027, 1, 5),
        "organisers": ["pole-des-microtechniques"],
    },
    {
        "slug": "cebr-groupe-travail-atmp-2027",
        "kind": "meeting",
        "title_fr": "Groupe de travail CEBR : thérapies innovantes (ATMP)",
        "title_en": "CEBR working group: advanced therapies (ATMP)",
        "description_fr": (
            "Réunion en ligne du groupe thématique ATMP du CEBR, ouverte aux membres des "
            "clusters européens."
        ),
        "description_en": (
            "Online meeting of CEBR's ATMP thematic group, open to members of European clusters."
        ),
        "online_url": "https://visio.cebr.net/atmp-working-group",
        "region": "abroad",
        "day": date(2027, 1, 20),
        "days": 1,
        "hours": (10, 12),
        "capacity": None,
        "confirmed": 38,
        "organisers": ["cebr"],
        "international": True,
    },
    {
        "slug": "atelier-bioproduction-continue-hdf-2026",
        "kind": "workshop",
        "title_fr": "Atelier bioproduction en continu",
        "title_en": "Continuous bioproduction workshop",
        "description_fr": "Atelier technique sur les procédés de bioproduction en continu.",
        "description_en": "Technical workshop on continuous bioproduction processes.",
        "city": "Lille",
        "region": "hdf",
        "venue": "Eurasanté",
        "day": date(2026, 12, 10),
        "days": 1,
        "capacity": 60,
        "confirmed": 12,
        "organisers": ["clubster-nsl"],
        "status": "cancelled",
    },
    {
        "slug": "congres-france-bioproduction-2027",
        "kind": "congress",
        "title_fr": "Congrès France Bioproduction 2027",
        "title_en": "France Bioproduction Congress 2027",
        "description_fr": "Édition 2027 (en préparation).",
        "description_en": "2027 edition (in preparation).",
        "city": "Tours",
        "region": "cvl",
        "venue": "Centre de congrès Vinci",
        "day": date(2027, 11, 16),
        "days": 2,
        "capacity": 500,
        "confirmed": 0,
        "organisers": ["polepharma", "medicen"],
        "status": "draft",
    },
]

# Street addresses of the venues, with postcode and town (the source article names no venues:
# these are plausible conference venues of each stage's city, at their public address).
VENUE_ADDRESSES = {
    "Kursaal": "2 place du Théâtre, 25000 Besançon",
    "TEMIS Innovation": "18 rue Alain Savary, 25000 Besançon",
    "Palais des Congrès de Bordeaux": "Avenue Jean-Gabriel Domergue, 33300 Bordeaux",
    "Palais des Congrès de Dijon": "3 boulevard de Champagne, 21000 Dijon",
    "Eurasanté": "310 avenue Eugène Avinée, 59120 Loos-lez-Lille",
    "Bioparc Lyon": "60 avenue Rockefeller, 69008 Lyon",
    "Centre de Congrès de Lyon": "50 quai Charles de Gaulle, 69006 Lyon",
    "Marseille Chanot": "114 rue Raymond Teisseire, 13008 Marseille",
    "Le Corum": "Esplanade Charles de Gaulle, 34000 Montpellier",
    "Cité des Congrès de Nantes": "5 rue de Valmy, 44000 Nantes",
    "Cité internationale universitaire": "17 boulevard Jourdan, 75014 Paris",
    "Hôtel de Région Île-de-France": "2 rue Simone Veil, 93400 Saint-Ouen-sur-Seine",
    "Maison de la Chimie": "28 rue Saint-Dominique, 75007 Paris",
    "Palais Brongniart": "28 place de la Bourse, 75002 Paris",
    "Le 106 — Centre de congrès": "106 quai Jean de Béthencourt, 76100 Rouen",
    "Palais de la Musique et des Congrès": "Place de Bordeaux, 67000 Strasbourg",
    "Centre de congrès Vinci": "26 boulevard Heurteloup, 37000 Tours",
    "Vinci — Centre international de congrès": "26 boulevard Heurteloup, 37000 Tours",
    "Genopole Campus": "5 rue Henri Desbruères, 91030 Évry-Courcouronnes",
}


def contact_email(organisation_slug: str) -> str:
    """The demo organiser's contact address (a reserved .example domain: never delivered)."""
    return f"evenements@{organisation_slug}.example"
