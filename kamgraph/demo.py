"""The seeded demo territory: a fictional Russian-style regional pharma market.

At the default scale the demo is one region, the **Verkhnedolsk Region**, as a key account
manager of our company (*Veltara Pharma*) would map it:

- the regional **Ministry of Health** (a ``health_authority``): the minister, deputy ministers
  who curate the hospitals, the pharmaceutical provision, medical care, finance and state
  procurement departments with their officials and procurement specialists;
- about 30 **hospitals and clinics**: regional hospitals and dispensaries in the capital, a
  central district hospital in every district, city hospitals and polyclinics in the towns.
  Each has a chief physician, deputies, department heads, a clinical pharmacologist and a
  contract-service (procurement) head, doctors under the department heads, all joined by a
  formal ``REPORTS_TO`` hierarchy;
- the **State Medical University** with its professors (the KOLs whose scientific influence
  reaches many doctors), its university clinic (``PART_OF`` the university), the territorial
  health insurance fund, pharmacy chains and distributors;
- the regional **chief freelance specialists**: department heads or professors who also hold a
  ministry post and steer their specialty across the region;
- 4 **competitors** with their products, and our own company with its products (same INNs
  compete in the tenders); some stakeholders are ``ALIGNED_WITH`` a competitor, a few with us
  (paid speakers);
- about 25 **tenders** in every status, issued by hospitals or the ministry, with committees,
  quiet periods around evaluation and awards to manufacturers or distributors;
- the **territory tree** (region -> districts -> towns), our **team** (a regional manager and
  3 KAMs with their accounts, coverage, relationships at every stage, logged interactions and
  relationship plans) and the **events** (congresses, round tables, symposia) they attend.

Dates are relative to ``today`` so quiet periods are always current and some relationships are
always stale. Some ties have ended (``until`` in the past) and some start in the future (an
announced chief-physician appointment, a planned territory hand-over), so time windows matter.

``scale`` is the number of stakeholders; every other count follows the same proportions.
Beyond :data:`REGION_SIZE` stakeholders the market splits into several regions under one
country, each with its own ministry, hospitals, team and regional manager.

The generator streams: all node records first, then all relationship records, region by
region. Each region is rebuilt from its own seed for the relationship pass instead of being
kept in memory, so memory stays at about one region whatever the scale.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kamgraph.io.importer import ImportReport, Progress
    from kamgraph.store.base import GraphStore

__all__ = ["DEFAULT_SCALE", "MIN_SCALE", "REGION_SIZE", "demo_records", "load_demo"]

DEFAULT_SCALE = 500
"""Stakeholders in the default demo: one region with about 30 hospitals and clinics."""

MIN_SCALE = 200
"""The smallest market that still has every kind of organisation and role."""

REGION_SIZE = 5000
"""Stakeholders per region once the market is national (several regions)."""

CURRENCY = "RUB"

Record = dict[str, Any]

# --- people -------------------------------------------------------------------------------

_MALE_FIRST = (
    "Alexander", "Sergey", "Andrei", "Dmitry", "Alexei", "Mikhail", "Igor", "Vladimir",
    "Nikolai", "Yevgeny", "Oleg", "Pavel", "Viktor", "Yuri", "Konstantin", "Roman", "Maxim",
    "Denis", "Anton", "Ilya", "Boris", "Gennady", "Anatoly", "Vadim", "Stanislav", "Artyom",
    "Kirill", "Grigory", "Leonid", "Valery",
)
_FEMALE_FIRST = (
    "Irina", "Olga", "Tatyana", "Yelena", "Natalya", "Svetlana", "Marina", "Anna",
    "Yekaterina", "Lyudmila", "Galina", "Nadezhda", "Larisa", "Valentina", "Tamara", "Oksana",
    "Yulia", "Vera", "Lyubov", "Nina", "Inna", "Zhanna", "Alla", "Margarita", "Viktoria",
    "Maria", "Darya", "Ksenia", "Alyona", "Polina",
)
# Patronymic stems: "Petrov" gives Petrovich / Petrovna.
_PATRONYMIC_STEMS = (
    "Ivanov", "Sergeyev", "Nikolayev", "Alexandrov", "Dmitriyev", "Mikhailov", "Andreyev",
    "Pavlov", "Viktorov", "Yuryev", "Olegov", "Vladimirov", "Petrov", "Borisov", "Gennadyev",
    "Anatolyev", "Igorev", "Alexeyev", "Vasilyev", "Konstantinov", "Grigoryev", "Stepanov",
    "Fyodorov", "Leonidov", "Valeryev",
)
# Surnames in the male form; the female form is derived.
_SURNAMES = (
    "Sokolov", "Ivanov", "Petrov", "Smirnov", "Kuznetsov", "Popov", "Vasilyev", "Novikov",
    "Fyodorov", "Morozov", "Volkov", "Alexeyev", "Lebedev", "Semyonov", "Yegorov", "Pavlov",
    "Kozlov", "Stepanov", "Nikolayev", "Orlov", "Andreyev", "Makarov", "Zakharov", "Zaitsev",
    "Solovyov", "Borisov", "Yakovlev", "Grigoryev", "Romanov", "Vorobyov", "Sergeyev",
    "Frolov", "Alexandrov", "Dmitriyev", "Korolyov", "Gusev", "Kiselyov", "Ilyin", "Maximov",
    "Polyakov", "Sorokin", "Vinogradov", "Kovalyov", "Belov", "Medvedev", "Antonov",
    "Tarasov", "Zhukov", "Baranov", "Filippov", "Komarov", "Davydov", "Belyaev", "Gerasimov",
    "Bogdanov", "Osipov", "Sidorov", "Matveyev", "Titov", "Markov", "Mironov", "Krylov",
    "Kulikov", "Karpov", "Vlasov", "Melnikov", "Denisov", "Gavrilov", "Tikhonov", "Kazakov",
    "Afanasyev", "Danilov", "Savelyev", "Timofeyev", "Fomin", "Chernov", "Abramov",
    "Martynov", "Yefimov", "Fedotov", "Shcherbakov", "Nazarov", "Kalinin", "Isayev",
    "Chernyshev", "Bykov", "Maslov", "Rodionov", "Konovalov", "Lazarev", "Voronin", "Klimov",
    "Filatov", "Ponomaryov", "Golubev", "Kudryavtsev", "Prokhorov", "Naumov", "Potapov",
    "Zhuravlyov", "Ovchinnikov", "Trofimov", "Leonov", "Sobolev", "Yermakov", "Kolesnikov",
    "Goncharov", "Yemelyanov", "Nikiforov", "Grachev", "Kotov", "Grishin", "Yefremov",
    "Arkhipov", "Gromov", "Kirillov", "Malyshev", "Panov", "Moiseyev", "Rumyantsev", "Akimov",
    "Kondratyev", "Biryukov", "Gorbunov", "Anisimov", "Yeremin", "Tikhomirov", "Galkin",
    "Lukyanov", "Mikheyev", "Skvortsov", "Yudin", "Belousov", "Nesterov", "Simonov",
    "Prokofyev", "Kharitonov", "Knyazev", "Tsvetkov", "Mitrofanov", "Voronov", "Aksyonov",
    "Maltsev", "Loginov", "Gorshkov", "Savin", "Krasnov", "Mayorov", "Demidov", "Yeliseyev",
    "Rybakov", "Safonov", "Plotnikov", "Khokhlov", "Fadeyev", "Molchanov", "Ignatov",
    "Litvinov", "Yershov", "Ushakov", "Dementyev", "Ryabov", "Mukhin", "Leontyev", "Lobanov",
    "Korneyev", "Yevdokimov", "Borodin", "Platonov", "Nekrasov", "Balashov", "Bobrov",
    "Zhdanov", "Blinov", "Korotkov", "Muravyov", "Kryukov", "Belyakov", "Drozdov", "Lavrov",
    "Zuyev", "Petukhov", "Larin", "Nikulin", "Serov", "Terentyev", "Zotov", "Ustinov", "Fokin",
    "Samoilov", "Sakharov", "Shishkin", "Samsonov", "Cherkasov", "Chistyakov", "Nosov",
    "Spiridonov", "Avdeyev", "Vorontsov", "Zverev", "Seleznyov", "Nechayev", "Sedov",
    "Firsov", "Panin", "Golovin", "Terekhov", "Shestakov", "Ageyev", "Nikonov", "Bazhenov",
    "Gordeyev", "Kozhevnikov", "Pakhomov", "Zimin", "Kostin", "Shirokov", "Larionov",
    "Sazonov", "Suvorov", "Kornilov", "Lyubimov", "Kopylov", "Lukin", "Tokarev", "Kuleshov",
    "Shilov", "Bolshakov", "Pankratov", "Rodin", "Pokrovsky", "Zagorsky", "Rozhdestvensky",
    "Uspensky", "Kamensky", "Belinsky", "Ostrovsky", "Sosnovsky",
)

# --- places -------------------------------------------------------------------------------

_HOME_TOWN = "Verkhnedolsk"  # capital of the default region
_TOWN_PREFIXES = (
    "Verkhne", "Nizhne", "Novo", "Staro", "Krasno", "Belo", "Zlato", "Sosno", "Kameno",
    "Lesno", "Ozero", "Yasno", "Gorno", "Berezo", "Svetlo", "Chisto",
)
_TOWN_ROOTS = (
    "dolsk", "gorsk", "borsk", "yarsk", "polsk", "lugsk", "rechensk", "ozersk", "kamsk",
    "dvinsk", "volsk", "grad", "zavodsk",
)
_VILLAGES = (
    "Sosnovka", "Ivanovka", "Pokrovskoye", "Berezovka", "Mikhailovka", "Uspenka",
    "Voskresenskoye", "Troitsk", "Petrovskoye", "Alexandrovka", "Znamenka", "Nikolskoye",
    "Dubrovka", "Rozhdestveno", "Krasnaya Polyana", "Lipovka", "Kamenka", "Ozerki", "Slobodka",
    "Gorki",
)

# --- medicine -----------------------------------------------------------------------------

# specialty -> (department, doctor's title, therapeutic area its drugs belong to)
_SPECIALTIES: dict[str, tuple[str, str, str]] = {
    "cardiology": ("Cardiology", "Cardiologist", "cardiology"),
    "oncology": ("Oncology", "Oncologist", "oncology"),
    "hematology": ("Haematology", "Haematologist", "hematology"),
    "endocrinology": ("Endocrinology", "Endocrinologist", "endocrinology"),
    "rheumatology": ("Rheumatology", "Rheumatologist", "rheumatology"),
    "neurology": ("Neurology", "Neurologist", "neurology"),
    "pulmonology": ("Pulmonology", "Pulmonologist", "pulmonology"),
    "infectious diseases": (
        "Infectious Diseases", "Infectious Disease Specialist", "infectious diseases",
    ),
    "intensive care": (
        "Anaesthesiology and Intensive Care", "Anaesthesiologist-Intensivist",
        "infectious diseases",
    ),
    "surgery": ("General Surgery", "Surgeon", "hematology"),  # anticoagulation after surgery
    "internal medicine": ("Internal Medicine", "Internist", "cardiology"),
}
_GENERAL_WARDS = (
    "cardiology", "neurology", "surgery", "intensive care", "internal medicine", "pulmonology",
    "endocrinology", "rheumatology", "hematology", "infectious diseases", "oncology",
)
_OUTPATIENT_WARDS = ("internal medicine", "cardiology", "endocrinology", "neurology")
_CHAIRS = (
    "cardiology", "oncology", "endocrinology", "neurology", "rheumatology", "pulmonology",
    "hematology", "infectious diseases", "internal medicine", "surgery", "intensive care",
)
# The chief freelance specialists the ministry appoints for the areas that buy our drugs.
_CHIEF_SPECIALTIES = (
    "cardiology", "oncology", "endocrinology", "neurology", "rheumatology", "pulmonology",
    "hematology", "infectious diseases",
)

# (name, bed range, wards); wards None means a general hospital
_REGIONAL_HOSPITALS: tuple[tuple[str, tuple[int, int], tuple[str, ...] | None], ...] = (
    ("Regional Clinical Hospital No. 1", (900, 1300), None),
    ("Regional Clinical Hospital No. 2", (600, 900), None),
    ("Regional Oncology Dispensary", (350, 600), ("oncology", "hematology", "surgery",
                                                  "intensive care")),
    ("Regional Cardiology Centre", (250, 450), ("cardiology", "intensive care", "surgery",
                                                "internal medicine")),
    ("Regional Hospital for War Veterans", (300, 500), None),
    ("Regional Infectious Diseases Hospital", (250, 400), ("infectious diseases",
                                                           "intensive care", "pulmonology")),
    ("Regional Endocrinology Dispensary", (120, 200), ("endocrinology", "internal medicine")),
    ("Regional Emergency Hospital", (400, 700), ("surgery", "intensive care", "cardiology",
                                                 "neurology")),
    ("Regional Children's Clinical Hospital", (350, 550), ("infectious diseases",
                                                           "intensive care", "surgery",
                                                           "endocrinology")),
    ("Regional Perinatal Centre", (200, 300), ("intensive care", "surgery")),
)
_PRIVATE_CLINICS = (
    "MedLine Clinic", "Zdorovaya Semya Medical Centre", "Doctor Ryadom Clinic",
    "Semeyny Doktor Clinic", "Avicenna Medical Centre", "Panacea Clinic",
)
_PHARMACY_BRANDS = (
    "Zdravitsa", "Aptechny Dvor", "Romashka", "Lekar", "Vita-Line", "Solnyshko", "Kalina",
    "Dobry Doktor", "Aptekar", "Zolotoy Klyuch",
)
_DISTRIBUTOR_BRANDS = (
    "Pharmalogistika", "MedSnab", "Provizor Trade", "Dolina-Farm", "Severny Put Distribution",
    "BioLink Distribution", "Zdravmedtekh", "FarmStroi Supply",
)

# --- companies and products -------------------------------------------------------------

_OWN_COMPANY = "Veltara Pharma"
# (brand, INN, therapeutic area, price per pack in RUB)
_OWN_PRODUCTS = (
    ("Cardivel", "rosuvastatin", "cardiology", 420),
    ("Oncatrix", "bortezomib", "oncology", 21500),
    ("Glucomer", "insulin glargine", "endocrinology", 2900),
    ("Meropax", "meropenem", "infectious diseases", 640),
    ("Rheumafix", "tocilizumab", "rheumatology", 38000),
    ("Thrombovel", "enoxaparin sodium", "hematology", 1850),
    ("Neurolan", "glatiramer acetate", "neurology", 26000),
    ("Pulmovent", "tiotropium bromide", "pulmonology", 2700),
)
_COMPETITORS = (
    ("Kestrelis Biopharma", (
        ("Kestavix", "apixaban", "cardiology", 1600),
        ("Empalor", "empagliflozin", "endocrinology", 2100),
        ("Pemexa", "pemetrexed", "oncology", 17000),
        ("Sarilex", "sarilumab", "rheumatology", 41000),
    )),
    ("Dolinapharm", (
        ("Rosuvastin-DF", "rosuvastatin", "cardiology", 260),
        ("Bortezomib-DF", "bortezomib", "oncology", 13800),
        ("Enoxaparin-DF", "enoxaparin sodium", "hematology", 1100),
        ("Meropenem-DF", "meropenem", "infectious diseases", 390),
    )),
    ("Boreal Therapeutics", (
        ("Glarina", "insulin glargine", "endocrinology", 2300),
        ("Tiospira", "tiotropium bromide", "pulmonology", 2200),
        ("Glatirex", "glatiramer acetate", "neurology", 19500),
    )),
    ("Polyus-Farm", (
        ("Tocirel", "tocilizumab", "rheumatology", 29000),
        ("Ceftrix-P", "ceftriaxone", "infectious diseases", 95),
        ("Oxaliplat-P", "oxaliplatin", "oncology", 3100),
        ("Dabigan-P", "dabigatran etexilate", "cardiology", 1400),
    )),
)
# More competitors appear at national scale, each with generics of catalogue INNs.
_MORE_COMPETITORS = (
    ("Istok-Pharm", "IP"), ("Lumeris Healthcare", "LH"), ("Trident Biologics", "TB"),
    ("Severfarm", "SF"), ("Arkona Biotech", "AB"), ("Medvita Generics", "MG"),
)

# --- relationships ------------------------------------------------------------------------

_STAGES = ("unknown", "acquainted", "engaged", "trusted", "advocate")
_STAGE_STRENGTH = (0.0, 0.25, 0.5, 0.75, 0.95)  # DOMAIN.md defaults, by stage index
_STAGE_WEIGHTS_BY_TIER = {
    1: (8, 30, 30, 22, 10),
    2: (12, 40, 28, 15, 5),
    3: (20, 45, 25, 8, 2),
}
_INTERACTIONS_BY_STAGE = ((0, 0), (1, 3), (2, 4), (2, 5), (3, 6))
_TENDER_STATUSES = ("planned", "spec_drafting", "published", "evaluation", "awarded", "cancelled")
_TENDER_STATUS_WEIGHTS = (12, 14, 18, 10, 36, 10)
_PLAN_STATUSES = ("draft", "agreed", "active", "done", "dropped")
_PLAN_STATUS_WEIGHTS = (15, 20, 40, 15, 10)
_CHANNELS = ("visit", "call", "event", "email", "video", "other")
_CHANNEL_WEIGHTS = (40, 20, 10, 15, 10, 5)
_CHANNEL_NOUNS = {
    "visit": "Visit", "call": "Call", "event": "Event talk", "email": "Email",
    "video": "Video call", "other": "Meeting",
}
_ALIGNMENT_KINDS = ("speaker", "advisory", "research", "consulting", "personal")
_INFLUENCE_SOURCES = ("KAM observation", "interview", "congress programme", "publications")

_ROMAN = (
    (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"),
)

# --- model --------------------------------------------------------------------------------
# Dates inside the model are day offsets from today (negative = past); records get ISO dates.


class _Clock:
    """ISO dates as offsets from today, rendered once: a million edges share a few thousand days."""

    def __init__(self, today: date) -> None:
        self.today = today
        self._iso: dict[int, str] = {}

    def iso(self, offset: int) -> str:
        text = self._iso.get(offset)
        if text is None:
            text = self._iso[offset] = (self.today + timedelta(days=offset)).isoformat()
        return text


class _Ids:
    """Readable ids, unique across the graph: a prefix per kind and one counter per prefix."""

    def __init__(self, counts: dict[str, int] | None = None) -> None:
        self.counts = dict(counts or {})

    def next(self, prefix: str) -> str:
        number = self.counts.get(prefix, 0) + 1
        self.counts[prefix] = number
        return f"{prefix}-{number:06d}"

    def copy(self) -> _Ids:
        return _Ids(self.counts)


@dataclass(slots=True, eq=False)
class _Territory:
    id: str
    name: str
    level: str
    parent: _Territory | None
    weight: float = 1.0  # share of the region's towns' hospitals


@dataclass(slots=True, eq=False)
class _Product:
    id: str
    name: str
    inn: str
    area: str
    maker: _Org
    price: int


@dataclass(slots=True, eq=False)
class _Org:
    id: str
    name: str
    type: str
    place: _Territory
    beds: int | None = None
    budget: int | None = None
    parent: _Org | None = None
    domain: str = ""
    wards: tuple[str, ...] = ()
    staff: list[_Person] = field(default_factory=list)
    roles: dict[str, list[_Person]] = field(default_factory=dict)
    favourite: _Org | None = None  # the competitor entrenched here, if any
    kam: _AccountManager | None = None

    def first(self, role: str) -> _Person | None:
        holders = self.roles.get(role)
        return holders[0] if holders else None


@dataclass(slots=True, eq=False)
class _Job:
    org: _Org
    position: str
    seniority: str
    department: str
    since: int
    until: int | None = None


@dataclass(slots=True, eq=False)
class _Report:
    boss: _Person
    since: int | None = None  # None: from when both were in post
    until: int | None = None


@dataclass(slots=True, eq=False)
class _Person:
    id: str
    name: str
    short: str
    surname: str  # male form, so relatives match
    org: _Org
    role: str
    job: _Job
    category: str
    tier: int
    specialty: str | None
    reports: list[_Report] = field(default_factory=list)
    jobs: list[_Job] = field(default_factory=list)  # other posts: past, concurrent, announced
    aligned: list[tuple[_Org, str]] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    stance: str = "unknown"
    best_stage: int = -1
    email: str | None = None
    phone: str | None = None
    notes: str | None = None

    def tag(self, tag: str) -> None:
        if tag not in self.tags:
            self.tags.append(tag)

    def has_post_at(self, org: _Org) -> bool:
        """WORKS_AT is one relationship per (person, organisation): one post there at most."""
        return self.job.org is org or any(job.org is org for job in self.jobs)


@dataclass(slots=True, eq=False)
class _AccountManager:
    id: str
    name: str
    short: str
    role: str
    email: str
    since: int
    manager: _AccountManager | None = None
    accounts: list[_Org] = field(default_factory=list)
    covers: list[tuple[_Territory, int, int | None]] = field(default_factory=list)
    load: int = 0


@dataclass(slots=True, eq=False)
class _Tender:
    id: str
    name: str
    status: str
    issuer: _Org
    lots: list[tuple[_Product, int, int]]  # product, volume in packs, value
    announced: int
    deadline: int
    awarded_on: int | None = None
    quiet_from: int | None = None
    quiet_until: int | None = None
    winner: _Org | None = None
    committee: list[tuple[_Person, str]] = field(default_factory=list)

    @property
    def value(self) -> int:
        return sum(value for _, _, value in self.lots)


@dataclass(slots=True, eq=False)
class _Event:
    id: str
    name: str
    kind: str
    day: int
    attendees: list[tuple[_Person | _AccountManager, str]] = field(default_factory=list)


@dataclass(slots=True, eq=False)
class _Relation:
    am: _AccountManager
    person: _Person
    stage: int
    since: int
    last_contact: int | None


@dataclass(slots=True, eq=False)
class _Interaction:
    id: str
    name: str
    am: _AccountManager
    people: list[_Person]
    day: int
    channel: str
    summary: str
    outcome: str


@dataclass(slots=True, eq=False)
class _Plan:
    id: str
    name: str
    am: _AccountManager
    target: _Person
    goal_stage: str
    due: int
    budget: int
    purpose: str
    status: str
    steps: list[str]


@dataclass(slots=True, eq=False)
class _RegionPlan:
    index: int
    town: str  # the capital, which names the region
    size: int
    territory: _Territory
    capital: _Territory
    districts: list[_Territory]
    towns: list[_Territory]


@dataclass(slots=True, eq=False)
class _Market:
    seed: int
    clock: _Clock
    ids: _Ids
    country: _Territory | None
    regions: list[_RegionPlan]
    own: _Org
    competitors: list[_Org]
    products: list[_Product]


@dataclass(slots=True, eq=False)
class _Region:
    market: _Market
    plan: _RegionPlan
    rng: random.Random
    ids: _Ids
    orgs: list[_Org] = field(default_factory=list)
    people: list[_Person] = field(default_factory=list)
    tenders: list[_Tender] = field(default_factory=list)
    events: list[_Event] = field(default_factory=list)
    team: list[_AccountManager] = field(default_factory=list)
    relations: list[_Relation] = field(default_factory=list)
    interactions: list[_Interaction] = field(default_factory=list)
    plans: list[_Plan] = field(default_factory=list)
    chief_specialists: dict[str, _Person] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return self.plan.size

    @property
    def ministry(self) -> _Org:
        return self.orgs[0]


# --- the public entry point ---------------------------------------------------------------


def demo_records(
    scale: int = DEFAULT_SCALE, *, seed: int = 42, today: date | None = None
) -> Iterator[dict[str, Any]]:
    """Yield the demo market as JSON records: every node first, then every relationship.

    Parameters
    ----------
    scale : int
        Number of stakeholders (at least :data:`MIN_SCALE`); all other counts follow.
    seed : int
        Seed of the generator; the same (scale, seed, today) gives the same records.
    today : date, optional
        The date everything is relative to; defaults to ``date.today()``.

    Examples
    --------
    >>> from datetime import date
    >>> records = list(demo_records(300, today=date(2025, 6, 1)))
    >>> sum(1 for r in records if r.get("label") == "Stakeholder")
    300
    """
    if scale < MIN_SCALE:
        raise ValueError(f"scale must be at least {MIN_SCALE} stakeholders, got {scale}")
    market = _plan_market(scale, seed, today or date.today())
    return _records(market)


def _records(market: _Market) -> Iterator[Record]:
    yield from _market_nodes(market)
    starts: list[_Ids] = []
    for plan in market.regions:
        starts.append(market.ids.copy())
        yield from _region_nodes(_build_region(market, plan, market.ids))
    yield from _market_relationships(market)
    # Rebuild each region from the same seed and id counters instead of keeping it.
    for plan, start in zip(market.regions, starts, strict=True):
        yield from _region_relationships(_build_region(market, plan, start))


# --- small helpers ------------------------------------------------------------------------


def _pick(rng: random.Random, values: Sequence[str], weights: Sequence[float]) -> str:
    return rng.choices(values, weights=weights)[0]


def _round2(value: float) -> float:
    return round(min(1.0, max(0.0, value)), 2)


def _roman(number: int) -> str:
    text = ""
    for value, letters in _ROMAN * 3:
        while number >= value:
            text += letters
            number -= value
    return text


def _female_surname(surname: str) -> str:
    if surname.endswith("sky"):
        return surname[:-1] + "aya"
    return surname + "a"


def _slug(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


def _initials(name: str) -> str:
    words = name.replace("No.", "").replace("-", " ").split()
    return "".join(word[0] if word[0].isalpha() else word for word in words).lower()


# --- the market: territories, companies, products -----------------------------------------


def _plan_market(scale: int, seed: int, today: date) -> _Market:
    rng = random.Random(f"{seed}:market")
    ids = _Ids()
    sizes = _region_sizes(rng, scale)
    country = _Territory(ids.next("tr"), "National market", "country", None) if len(sizes) > 1 else None
    capitals = _region_capitals(rng, len(sizes))
    regions = [
        _plan_region(random.Random(f"{seed}:territory:{index}"), ids, index, town, size, country,
                     capitals)
        for index, (town, size) in enumerate(zip(capitals, sizes, strict=True))
    ]
    home = regions[0].capital
    own = _Org(ids.next("o"), _OWN_COMPANY, "own_company", home, domain="veltara.example")
    competitors, products = _companies(rng, ids, own, home, len(sizes))
    return _Market(seed, _Clock(today), ids, country, regions, own, competitors, products)


def _region_sizes(rng: random.Random, scale: int) -> list[int]:
    """Split the stakeholders over regions; the first (capital) region is the largest."""
    count = max(1, round(scale / REGION_SIZE))
    weights = [1.5] + [rng.uniform(0.7, 1.3) for _ in range(count - 1)]
    total = sum(weights)
    sizes = [int(scale * weight / total) for weight in weights]
    for index in range(scale - sum(sizes)):
        sizes[index % count] += 1
    return sizes


def _region_capitals(rng: random.Random, count: int) -> list[str]:
    names = [prefix + root for prefix in _TOWN_PREFIXES for root in _TOWN_ROOTS]
    names.remove(_HOME_TOWN)
    rng.shuffle(names)
    return [_HOME_TOWN, *names[: count - 1]]


def _plan_region(
    rng: random.Random, ids: _Ids, index: int, town: str, size: int,
    country: _Territory | None, capitals: list[str],
) -> _RegionPlan:
    region = _Territory(ids.next("tr"), f"{town} Region", "region", country)
    names = _town_names(rng, capitals)
    urban = _Territory(ids.next("tr"), f"{town} Urban District", "district", region)
    capital = _Territory(ids.next("tr"), town, "city", urban)
    districts, towns = [urban], [capital]
    for _ in range(max(3, round(size / 110)) - 1):
        centre = next(names)
        district = _Territory(ids.next("tr"), f"{centre} District", "district", region)
        districts.append(district)
        towns.append(_Territory(ids.next("tr"), centre, "city", district, rng.uniform(1.0, 2.0)))
        for _ in range((rng.random() < 0.6) + (rng.random() < 0.2)):
            towns.append(_Territory(ids.next("tr"), next(names), "city", district,
                                    rng.uniform(0.3, 0.8)))
    # The capital holds about as many city hospitals as all other towns together.
    capital.weight = sum(place.weight for place in towns[1:]) or 1.0
    return _RegionPlan(index, town, size, region, capital, districts, towns)


def _town_names(rng: random.Random, capitals: list[str]) -> Iterator[str]:
    taken = set(capitals)
    names = [prefix + root for prefix in _TOWN_PREFIXES for root in _TOWN_ROOTS]
    names = [name for name in names if name not in taken]
    rng.shuffle(names)
    yield from names
    yield from _VILLAGES
    number = 1
    while True:  # only for regions far beyond REGION_SIZE
        yield f"Settlement No. {number}"
        number += 1


def _companies(
    rng: random.Random, ids: _Ids, own: _Org, home: _Territory, regions: int
) -> tuple[list[_Org], list[_Product]]:
    products = [_Product(ids.next("p"), brand, inn, area, own, price)
                for brand, inn, area, price in _OWN_PRODUCTS]
    competitors = []
    for name, catalogue in _COMPETITORS:
        company = _Org(ids.next("o"), name, "competitor", home, domain=_slug(name) + ".example")
        competitors.append(company)
        products += [_Product(ids.next("p"), brand, inn, area, company, price)
                     for brand, inn, area, price in catalogue]
    inns = [(p.inn, p.area, p.price) for p in products[: len(_OWN_PRODUCTS)]]
    for name, suffix in _MORE_COMPETITORS[: (regions - 1) // 3]:
        company = _Org(ids.next("o"), name, "competitor", home, domain=_slug(name) + ".example")
        competitors.append(company)
        for inn, area, price in rng.sample(inns, 3):
            brand = f"{inn.split()[0].capitalize()}-{suffix}"
            products.append(_Product(ids.next("p"), brand, inn, area, company,
                                     round(price * rng.uniform(0.5, 0.8))))
    return competitors, products


# --- a region: organisations ----------------------------------------------------------------


def _build_region(market: _Market, plan: _RegionPlan, ids: _Ids) -> _Region:
    """Everything the node records of one region need, decided from the region's own seed."""
    region = _Region(market, plan, random.Random(f"{market.seed}:region:{plan.index}"), ids)
    _found_organisations(region)
    _staff_organisations(region)
    _appoint_chief_specialists(region)
    _record_career_moves(region)
    _align_with_companies(region)
    _issue_tenders(region)
    _form_team(region)
    _build_relations(region)
    _hold_events(region)
    _draw_up_plans(region)
    _settle_stances(region)
    return region


def _found(
    r: _Region, name: str, kind: str, place: _Territory, *, beds: int | None = None,
    budget: int | None = None, parent: _Org | None = None, wards: tuple[str, ...] = (),
) -> _Org:
    domain = f"{_initials(name)}.{_slug(r.plan.town)}.example"
    org = _Org(r.ids.next("o"), name, kind, place, beds, budget, parent, domain, wards)
    r.orgs.append(org)
    return org


def _found_organisations(r: _Region) -> None:
    rng, n, town, capital = r.rng, r.size, r.plan.town, r.plan.capital
    _found(r, f"Ministry of Health of {town} Region", "health_authority", capital,
           budget=round(n * rng.uniform(40, 70)) * 1_000_000)
    _found(r, f"Territorial Compulsory Health Insurance Fund of {town} Region", "insurer",
           capital, budget=round(n * rng.uniform(50, 90)) * 1_000_000)
    university = _found(r, f"{town} State Medical University", "university", capital,
                        budget=rng.randint(20, 50) * 100_000_000)
    _found(r, f"University Clinic of {town} State Medical University", "hospital", capital,
           beds=rng.randint(350, 700), parent=university, wards=_general_wards(rng, 500))
    _found_hospitals(r)
    for number in range(max(1, round(n / 60))):
        _found_trader(r, _PHARMACY_BRANDS, number, "pharmacy_chain", "Pharmacies", 0.6)
    for number in range(max(1, round(n / 80))):
        _found_trader(r, _DISTRIBUTOR_BRANDS, number, "distributor", "", 0.8)


def _found_hospitals(r: _Region) -> None:
    """Regional hospitals in the capital, a central hospital per district, then town ones."""
    rng, town = r.rng, r.plan.town
    total = max(4, round(r.size / 16)) - 1  # the university clinic is one of them
    regional = _REGIONAL_HOSPITALS[: max(2, min(len(_REGIONAL_HOSPITALS), round(total * 0.22)))]
    for name, (low, high), wards in regional:
        beds = rng.randint(low, high)
        _found(r, f"{town} {name}", "hospital", r.plan.capital, beds=beds,
               budget=_hospital_budget(rng, beds), wards=wards or _general_wards(rng, beds))
    left = total - len(regional)
    for district in r.plan.districts[1:][:left]:
        beds = rng.randint(80, 300)
        centre = district.name.removesuffix(" District")
        _found(r, f"{centre} Central District Hospital", "hospital", district, beds=beds,
               budget=_hospital_budget(rng, beds), wards=_general_wards(rng, beds))
        left -= 1
    numbers: dict[str, list[int]] = {}
    for index in range(max(0, left)):
        _found_town_facility(r, index, numbers)


def _found_town_facility(r: _Region, index: int, numbers: dict[str, list[int]]) -> None:
    rng = r.rng
    place = rng.choices(r.plan.towns, weights=[t.weight for t in r.plan.towns])[0]
    counts = numbers.setdefault(place.name, [0, 0])
    kind = "hospital" if index % 3 == 0 else "clinic"  # a steady mix, not a lucky draw
    if kind == "hospital":
        counts[0] += 1
        beds = rng.randint(150, 650) if place is r.plan.capital else rng.randint(100, 350)
        label = "City Clinical Hospital" if place is r.plan.capital else "City Hospital"
        _found(r, f"{place.name} {label} No. {counts[0]}", kind, place, beds=beds,
               budget=_hospital_budget(rng, beds), wards=_general_wards(rng, beds))
        return
    counts[1] += 1
    if index % 10 == 9:
        name = f"{_PRIVATE_CLINICS[(index // 10) % len(_PRIVATE_CLINICS)]} ({place.name})"
    elif rng.random() < 0.2:
        name = f"{place.name} Children's Polyclinic No. {counts[1]}"
    else:
        name = f"{place.name} City Polyclinic No. {counts[1]}"
    wards = tuple(rng.sample(_OUTPATIENT_WARDS, rng.randint(1, 3)))
    _found(r, name, kind, place, budget=rng.randint(6, 40) * 10_000_000, wards=wards)


def _found_trader(
    r: _Region, brands: Sequence[str], number: int, kind: str, suffix: str, capital_share: float
) -> None:
    rng = r.rng
    place = r.plan.capital if rng.random() < capital_share else rng.choice(r.plan.towns)
    brand = brands[number % len(brands)]
    name = f"{brand} {suffix}".strip()
    if number >= len(brands):
        name += f" ({place.name})"
    scale = 10 if kind == "distributor" else 3
    _found(r, name, kind, place, budget=rng.randint(2, 30) * scale * 10_000_000)


def _general_wards(rng: random.Random, beds: int) -> tuple[str, ...]:
    return tuple(rng.sample(_GENERAL_WARDS, min(8, max(2, beds // 120))))


def _hospital_budget(rng: random.Random, beds: int) -> int:
    return round(beds * rng.uniform(2.0, 3.5)) * 1_000_000


# --- a region: people -----------------------------------------------------------------------


def _hire(
    r: _Region, org: _Org, role: str, position: str, seniority: str, category: str, tier: int,
    *, department: str, specialty: str | None = None, boss: _Person | None = None,
) -> _Person:
    rng = r.rng
    female = rng.random() < (0.65 if category in ("hcp", "pharmacist") else 0.45)
    first = rng.choice(_FEMALE_FIRST if female else _MALE_FIRST)
    patronymic = rng.choice(_PATRONYMIC_STEMS) + ("na" if female else "ich")
    surname = rng.choice(_SURNAMES)
    last = _female_surname(surname) if female else surname
    since = -rng.randint(120, 3000) if seniority in ("executive", "head") else -rng.randint(30, 6000)
    person = _Person(
        id=r.ids.next("s"), name=f"{first} {patronymic} {last}",
        short=f"{first[0]}. {patronymic[0]}. {last}", surname=surname, org=org, role=role,
        job=_Job(org, position, seniority, department, since), category=category, tier=tier,
        specialty=specialty,
    )
    if boss is not None:
        person.reports.append(_Report(boss))
    if tier <= 2 and rng.random() < 0.6:
        person.email = f"{first[0]}.{last}@{org.domain}".lower()
    if tier <= 2 and rng.random() < 0.4:
        person.phone = f"+7 9{rng.randint(10, 99)} 555-{rng.randint(10, 99)}-{rng.randint(10, 99)}"
    if specialty in _SPECIALTIES:
        person.tag(specialty)
    org.staff.append(person)
    org.roles.setdefault(role, []).append(person)
    r.people.append(person)
    return person


def _staff_organisations(r: _Region) -> None:
    staffers = {
        "health_authority": _staff_ministry, "insurer": _staff_fund,
        "university": _staff_university, "hospital": _staff_hospital,
        "clinic": _staff_clinic, "pharmacy_chain": _staff_pharmacy_chain,
        "distributor": _staff_distributor,
    }
    for org in list(r.orgs):
        staffers[org.type](r, org)
    doctors = r.size - len(r.people)
    if doctors < 0:
        raise ValueError(f"region of {r.size} stakeholders is too small for its organisations")
    _hire_doctors(r, doctors)


def _staff_ministry(r: _Region, org: _Org) -> None:
    n, town = r.size, r.plan.town
    minister = _hire(r, org, "minister", f"Minister of Health of {town} Region", "executive",
                     "vip", 1, department="Leadership", specialty="health care management")
    first = _hire(r, org, "deputy_minister", "First Deputy Minister of Health", "executive",
                  "vip", 1, department="Leadership", boss=minister)
    deputies = [first]
    for _ in range(1 + (n >= 1500) + (n >= 4000)):
        deputies.append(_hire(r, org, "deputy_minister", "Deputy Minister of Health",
                              "executive", "vip", 1, department="Leadership", boss=minister))
    heads = [
        _hire(r, org, "pharma_head", "Head of Pharmaceutical Provision Department", "head",
              "official", 1, department="Pharmaceutical Provision Department", boss=first),
        _hire(r, org, "care_head", "Head of Medical Care Department", "head", "official", 1,
              department="Medical Care Department", boss=deputies[-1]),
        _hire(r, org, "finance_head", "Head of Financial and Economic Department", "head",
              "official", 1, department="Financial and Economic Department", boss=first),
        _hire(r, org, "procurement_head", "Head of State Procurement Department", "head",
              "procurement", 1, department="State Procurement Department", boss=first),
    ]
    for index in range(max(4, round(n * 0.03)) - len(org.staff)):
        head = heads[index % len(heads)]
        _staff_ministry_officer(r, org, head)


def _staff_ministry_officer(r: _Region, org: _Org, head: _Person) -> None:
    senior = r.rng.random() < 0.4
    if head.role == "procurement_head":
        position, category = "Procurement Specialist", "procurement"
    else:
        position, category = ("Lead Consultant" if senior else "Chief Specialist-Expert"), "official"
    _hire(r, org, "officer", position, "senior" if senior else "staff", category,
          2 if senior else 3, department=head.job.department, boss=head)


def _staff_fund(r: _Region, org: _Org) -> None:
    director = _hire(r, org, "director", "Director", "executive", "official", 1,
                     department="Directorate", specialty="health care management")
    _hire(r, org, "deputy_director", "Deputy Director", "head", "official", 2,
          department="Directorate", boss=director)
    expertise = _hire(r, org, "expertise_head", "Head of Medical Expertise Department", "head",
                      "official", 2, department="Medical Expertise Department", boss=director)
    for _ in range(max(1, round(r.size * 0.004))):
        _hire(r, org, "expert", "Medical Expert", "staff", "other", 3,
              department="Medical Expertise Department", boss=expertise)


def _staff_university(r: _Region, org: _Org) -> None:
    rng = r.rng
    rector = _hire(r, org, "rector", "Rector", "executive", "vip", 1, department="Rectorate",
                   specialty=rng.choice(_CHAIRS))
    research = _hire(r, org, "vice_rector", "Vice-Rector for Research", "executive", "kol", 1,
                     department="Rectorate", specialty=rng.choice(_CHAIRS), boss=rector)
    clinic = next(o for o in r.orgs if o.parent is org)
    chairs = rng.sample(_CHAIRS, len(_CHAIRS))
    heads: dict[str, _Person] = {}
    for index in range(max(3, round(r.size * 0.012))):
        specialty = chairs[index % len(chairs)]
        heads[specialty] = _hire_professor(r, org, clinic, specialty, heads.get(specialty),
                                           research)
    for _ in range(max(2, round(r.size * 0.008))):
        specialty = rng.choice(list(heads))
        department = _SPECIALTIES[specialty][0]
        _hire(r, org, "assoc_professor", f"Associate Professor, Chair of {department}",
              "senior", "kol" if rng.random() < 0.4 else "hcp", 2,
              department=f"Chair of {department}", specialty=specialty, boss=heads[specialty])


def _hire_professor(
    r: _Region, org: _Org, clinic: _Org, specialty: str, chair_head: _Person | None,
    research: _Person,
) -> _Person:
    """The first professor of a chair heads it; professors also consult at the clinic."""
    department = _SPECIALTIES[specialty][0]
    if chair_head is None:
        professor = _hire(r, org, "professor", f"Professor, Head of the Chair of {department}",
                          "head", "kol", 1, department=f"Chair of {department}",
                          specialty=specialty, boss=research)
    else:
        professor = _hire(r, org, "professor", f"Professor, Chair of {department}", "senior",
                          "kol", 1, department=f"Chair of {department}", specialty=specialty,
                          boss=chair_head)
    professor.jobs.append(_Job(clinic, "Consultant Professor", "senior",
                               f"{department} Department", professor.job.since))
    professor.tag("researcher")
    return chair_head or professor


def _staff_hospital(r: _Region, org: _Org) -> None:
    rng, beds = r.rng, org.beds or 0
    big = beds >= 400
    chief = _hire(r, org, "chief", "Chief Physician", "executive", "vip", 1 if big else 2,
                  department="Administration", specialty=rng.choice(_GENERAL_WARDS))
    medical = _hire(r, org, "deputy_medical", "Deputy Chief Physician for Medical Affairs",
                    "executive", "vip", 2, department="Administration",
                    specialty=rng.choice(_GENERAL_WARDS), boss=chief)
    surgical = medical
    if beds >= 350:
        surgical = _hire(r, org, "deputy_surgery", "Deputy Chief Physician for Surgery", "head",
                         "vip", 2, department="Administration", specialty="surgery", boss=chief)
    economics = _hire(r, org, "deputy_economics", "Deputy Chief Physician for Economic Affairs",
                      "head", "vip", 2, department="Economic Service", boss=chief)
    economics.tag("budget_holder")
    _hire(r, org, "procurement_head", "Head of Contract Service", "head", "procurement", 2,
          department="Contract Service", boss=economics)
    if beds >= 250:
        _hire(r, org, "pharmacologist", "Clinical Pharmacologist", "senior", "hcp", 2,
              department="Clinical Pharmacology", specialty="clinical pharmacology",
              boss=medical).tag("formulary_committee")
    if beds >= 200:
        _hire(r, org, "pharmacy_head", "Head of Hospital Pharmacy", "head", "pharmacist", 3,
              department="Hospital Pharmacy", specialty="pharmacy", boss=economics)
    if beds >= 350:
        _hire(r, org, "chief_nurse", "Chief Nurse", "head", "other", 3,
              department="Nursing Service", boss=chief)
    for specialty in org.wards:
        boss = surgical if specialty in ("surgery", "intensive care") else medical
        _hire_ward_head(r, org, specialty, 0.45 if big else 0.2, big, boss)


def _hire_ward_head(
    r: _Region, org: _Org, specialty: str, kol_share: float, big: bool, boss: _Person
) -> None:
    kol = r.rng.random() < kol_share
    department = _SPECIALTIES[specialty][0]
    _hire(r, org, "dept_head", f"Head of {department} Department", "head",
          "kol" if kol else "hcp", 1 if kol and big else 2, department=department,
          specialty=specialty, boss=boss)


def _staff_clinic(r: _Region, org: _Org) -> None:
    rng = r.rng
    chief = _hire(r, org, "chief", "Chief Physician", "executive", "vip", 2,
                  department="Administration", specialty=rng.choice(_OUTPATIENT_WARDS))
    medical = _hire(r, org, "deputy_medical", "Deputy Chief Physician for Medical Affairs",
                    "head", "vip", 3, department="Administration",
                    specialty=rng.choice(_OUTPATIENT_WARDS), boss=chief)
    _hire(r, org, "procurement_head", "Contract Manager", "senior", "procurement", 3,
          department="Contract Service", boss=chief)
    for specialty in org.wards:
        _hire_ward_head(r, org, specialty, 0.1, False, medical)


def _staff_pharmacy_chain(r: _Region, org: _Org) -> None:
    director = _hire(r, org, "director", "General Director", "executive", "other", 2,
                     department="Management")
    _hire(r, org, "procurement_head", "Head of Purchasing", "head", "procurement", 2,
          department="Purchasing", boss=director)
    chief = _hire(r, org, "chief_pharmacist", "Chief Pharmacist", "head", "pharmacist", 2,
                  department="Pharmacies", specialty="pharmacy", boss=director)
    for _ in range(r.rng.randint(1, 4)):
        _hire(r, org, "pharmacist", "Pharmacist", "staff", "pharmacist", 3,
              department="Pharmacies", specialty="pharmacy", boss=chief)


def _staff_distributor(r: _Region, org: _Org) -> None:
    director = _hire(r, org, "director", "General Director", "executive", "other", 2,
                     department="Management")
    _hire(r, org, "procurement_head", "Head of Tender Department", "head", "procurement", 2,
          department="Tender Department", boss=director)
    for _ in range(r.rng.randint(1, 2)):
        _hire(r, org, "sales", "Hospital Sales Manager", "senior", "other", 3,
              department="Sales", boss=director)


def _hire_doctors(r: _Region, count: int) -> None:
    """Doctors fill the wards in proportion to the hospital's size."""
    rng = r.rng
    heads = [p for p in r.people if p.role == "dept_head"]
    weights = [(p.org.beds or 120) / max(1, len(p.org.wards)) for p in heads]
    for head in rng.choices(heads, weights=weights, k=count):
        specialty = head.specialty or "internal medicine"
        department, title, _ = _SPECIALTIES[specialty]
        senior = rng.random() < 0.35
        _hire(r, head.org, "doctor", title, "senior" if senior else "staff", "hcp", 3,
              department=department, specialty=specialty, boss=head)


def _appoint_chief_specialists(r: _Region) -> None:
    """The ministry names a chief freelance specialist per area, usually a leading KOL."""
    rng = r.rng
    for specialty in _CHIEF_SPECIALTIES:
        candidates = [p for p in r.people if p.specialty == specialty
                      and p.role in ("professor", "dept_head") and p.org.type != "clinic"]
        if not candidates:
            continue
        best = max(candidates, key=lambda p: (p.category == "kol", p.org.beds or 500))
        title = _SPECIALTIES[specialty][1]
        best.jobs.append(_Job(r.ministry, f"Chief Freelance {title} of the Ministry of Health",
                              "senior", "Chief Freelance Specialists", -rng.randint(200, 2500)))
        best.category, best.tier = "kol", 1
        best.tag("chief_specialist")
        r.chief_specialists[specialty] = best


def _record_career_moves(r: _Region) -> None:
    _replace_chief_physicians(r)  # first: it moves start dates the other moves build on
    _move_past_jobs(r)
    _announce_appointments(r)


def _move_past_jobs(r: _Region) -> None:
    """Some managers came from another organisation of the same kind: ended posts and bosses."""
    rng = r.rng
    by_type: dict[str, list[_Org]] = {}
    for org in r.orgs:
        by_type.setdefault(org.type, []).append(org)
    for person in r.people:
        if person.role == "doctor" or rng.random() > 0.08:
            continue
        others = [o for o in by_type[person.org.type] if not person.has_post_at(o)]
        if not others:
            continue
        previous = rng.choice(others)
        until = person.job.since - rng.randint(0, 30)
        job = _Job(previous, person.job.position.replace("Head of", "Deputy Head of", 1),
                   "senior", person.job.department, until - rng.randint(700, 3000), until)
        person.jobs.append(job)
        top = previous.staff[0]
        if top.job.since < until:
            person.reports.append(_Report(top, max(job.since, top.job.since), until))


def _replace_chief_physicians(r: _Region) -> None:
    """A few hospitals have a new chief; the former one moved to the ministry."""
    rng = r.rng
    officials = [p for p in r.ministry.staff if p.role in ("care_head", "officer", "pharma_head")]
    hospitals = [o for o in r.orgs if o.type == "hospital"]
    for org in rng.sample(hospitals, max(1, len(hospitals) // 7)):
        former = next((p for p in officials if not p.jobs), None)
        chief = org.first("chief")
        if former is None or chief is None:
            return
        chief.job.since = -rng.randint(30, 400)
        former.job.since = chief.job.since + 1
        old = _Job(org, "Chief Physician", "executive", "Administration",
                   chief.job.since - rng.randint(1500, 4000), chief.job.since - 1)
        former.jobs.append(old)
        former.tag("former_chief_physician")
        chief.tag("new_in_post")
        for person in org.staff:
            current = person.reports[0] if person.reports else None
            if current is not None and current.boss is chief and person.job.since < old.until:
                person.reports.append(_Report(former, max(person.job.since, old.since),
                                              old.until))


def _announce_appointments(r: _Region) -> None:
    """A deputy has been appointed chief physician elsewhere from a date still to come."""
    rng = r.rng
    hospitals = [o for o in r.orgs if o.type == "hospital" and o.first("chief")]
    involved: list[_Org] = []  # one announced move per hospital keeps the dates consistent
    for _ in range(max(1, len(hospitals) // 12)):
        target, source = rng.sample(hospitals, 2)
        incoming, outgoing = source.first("deputy_medical"), target.first("chief")
        if (incoming is None or outgoing is None or target in involved or source in involved
                or incoming.has_post_at(target)):
            continue
        involved += [target, source]
        start = rng.randint(15, 75)
        incoming.job.until = outgoing.job.until = start - 1
        for report in incoming.reports:
            if report.until is None:
                report.until = start - 1
        incoming.jobs.append(_Job(target, "Chief Physician", "executive", "Administration",
                                  start))
        incoming.tier = 1
        incoming.tag("appointment_announced")
        for person in target.staff:
            current = person.reports[0] if person.reports else None
            if current is not None and current.boss is outgoing and current.until is None:
                current.until = start - 1
                person.reports.append(_Report(incoming, start, None))


def _align_with_companies(r: _Region) -> None:
    """Some opinion leaders work for a competitor (often the one entrenched in their hospital)
    and a few speak for us."""
    rng, market = r.rng, r.market
    for org in r.orgs:
        if rng.random() < 0.3:
            org.favourite = rng.choice(market.competitors)
    for person in r.people:
        if person.category not in ("vip", "kol") and person.role != "pharmacologist":
            continue
        if rng.random() < 0.08:
            favourite = person.org.favourite
            competitor = favourite if favourite and rng.random() < 0.7 else rng.choice(
                market.competitors)
            person.aligned.append((competitor, rng.choice(_ALIGNMENT_KINDS)))
        if rng.random() < (0.06 if person.category == "kol" else 0.02):
            kind = _pick(rng, ("speaker", "advisory", "research"), (6, 2, 2))
            person.aligned.append((market.own, kind))
            person.tag("speaker" if kind == "speaker" else "company_advisor")


# --- a region: tenders ----------------------------------------------------------------------


def _issue_tenders(r: _Region) -> None:
    """Every status appears in each region's first six tenders; evaluation and the first
    published tender sit in a quiet period."""
    rng = r.rng
    count = max(6, round(r.size / 20))
    statuses = list(_TENDER_STATUSES)
    rng.shuffle(statuses)
    statuses += rng.choices(_TENDER_STATUSES, weights=_TENDER_STATUS_WEIGHTS, k=count - 6)
    hospitals = [o for o in r.orgs if o.type in ("hospital", "clinic")]
    weights = [o.beds or 60 for o in hospitals]
    quiet_published = False
    for number, status in enumerate(statuses, start=1):
        issuer = r.ministry if rng.random() < 0.3 else rng.choices(hospitals, weights)[0]
        tender = _open_tender(r, issuer, status, number)
        if status == "published" and not quiet_published:
            tender.quiet_from, tender.quiet_until = tender.announced, tender.deadline + 30
            quiet_published = True
        _form_committee(r, tender)
        r.tenders.append(tender)


def _open_tender(r: _Region, issuer: _Org, status: str, number: int) -> _Tender:
    rng = r.rng
    lots = _tender_lots(r, issuer)
    announced, deadline, awarded_on, quiet = _tender_dates(rng, status)
    inns = ", ".join(product.inn for product, _, _ in lots)
    year = (r.market.clock.today + timedelta(days=announced)).year
    name = f"Tender No. {year}-{r.plan.index + 1:02d}{number:04d}: {inns} for {issuer.name}"
    tender = _Tender(r.ids.next("t"), name, status, issuer, lots, announced, deadline,
                     awarded_on, quiet[0], quiet[1])
    if status == "awarded":
        tender.winner = _tender_winner(r, lots)
    return tender


def _tender_lots(r: _Region, issuer: _Org) -> list[tuple[_Product, int, int]]:
    """Lots are INNs of the issuer's wards; we bid our product where we have one."""
    rng, products = r.rng, r.market.products
    areas = sorted({_SPECIALTIES[w][2] for w in issuer.wards}) or sorted({p.area for p in products})
    inns: list[str] = []
    for _ in range(rng.choice((1, 1, 2, 2, 3))):
        area = rng.choice(areas)
        inn = rng.choice([p.inn for p in products if p.area == area])
        if inn not in inns:
            inns.append(inn)
    lots = []
    for inn in inns:
        makers = [p for p in products if p.inn == inn]
        ours = [p for p in makers if p.maker.type == "own_company"]
        product = ours[0] if ours else rng.choice(makers)
        volume = rng.randint(2, 400) * (10 if product.price > 10_000 else 100)
        lots.append((product, volume, volume * product.price))
    return lots


def _tender_dates(
    rng: random.Random, status: str
) -> tuple[int, int, int | None, tuple[int | None, int | None]]:
    """Day offsets (announced, deadline, awarded_on, (quiet_from, quiet_until)) by status."""
    if status == "planned":
        announced = rng.randint(20, 120)
        return announced, announced + rng.randint(20, 30), None, (None, None)
    if status == "spec_drafting":
        announced = rng.randint(5, 45)
        return announced, announced + rng.randint(20, 30), None, (None, None)
    if status == "published":
        return -rng.randint(3, 25), rng.randint(3, 25), None, (None, None)
    if status == "evaluation":
        deadline = -rng.randint(2, 20)
        return deadline - rng.randint(20, 40), deadline, None, (deadline, rng.randint(5, 30))
    announced = -rng.randint(50, 400) if status == "awarded" else -rng.randint(10, 300)
    deadline = announced + rng.randint(20, 30)
    if status == "cancelled":
        return announced, deadline, None, (None, None)
    awarded_on = min(-1, deadline + rng.randint(10, 30))
    quiet = (deadline, awarded_on) if rng.random() < 0.7 else (None, None)
    return announced, deadline, awarded_on, quiet


def _tender_winner(r: _Region, lots: list[tuple[_Product, int, int]]) -> _Org:
    """Us, a competitor that makes one of the lots' INNs, or a distributor bidding for either."""
    rng = r.rng
    roll = rng.random()
    if roll < 0.35:
        return r.market.own
    rivals = [q.maker for p, _, _ in lots for q in r.market.products
              if q.inn == p.inn and q.maker.type == "competitor"]
    if roll < 0.7 and rivals:
        return rng.choice(rivals)
    return rng.choice([o for o in r.orgs if o.type == "distributor"])


def _form_committee(r: _Region, tender: _Tender) -> None:
    """Who asks, writes, evaluates, decides, approves and pays, by how far the tender got."""
    if tender.issuer.type == "health_authority":
        roles = _ministry_committee(r, tender)
    else:
        roles = _hospital_committee(r, tender)
    stage = {"planned": ("requester", "budget_holder"),
             "spec_drafting": ("requester", "budget_holder", "spec_author", "formulary_member")}
    allowed = stage.get(tender.status)
    seen: list[tuple[str, str]] = []
    for person, role in roles:
        if person is None or (allowed and role not in allowed) or (person.id, role) in seen:
            continue
        seen.append((person.id, role))
        tender.committee.append((person, role))
        person.tag("formulary_committee" if role == "formulary_member" else "tender_committee")


def _lot_specialists(r: _Region, org: _Org, tender: _Tender) -> list[_Person]:
    areas = {product.area for product, _, _ in tender.lots}
    return [p for p in org.roles.get("dept_head", [])
            if p.specialty and _SPECIALTIES[p.specialty][2] in areas]


def _hospital_committee(r: _Region, tender: _Tender) -> list[tuple[_Person | None, str]]:
    rng, org = r.rng, tender.issuer
    specialists = _lot_specialists(r, org, tender) or org.roles.get("dept_head", [])
    requester = rng.choice(specialists) if specialists else org.first("deputy_medical")
    pharmacologist = org.first("pharmacologist")
    deputies = r.ministry.roles["deputy_minister"]
    approver = rng.choice(deputies) if tender.value > 30_000_000 else org.first("deputy_medical")
    roles: list[tuple[_Person | None, str]] = [
        (requester, "requester"),
        (pharmacologist or requester, "spec_author"),
        (org.first("procurement_head"), "evaluator"),
        (pharmacologist or org.first("deputy_medical"), "evaluator"),
        (org.first("deputy_economics") or org.first("chief"), "evaluator"),
        (org.first("chief"), "decision_maker"),
        (approver, "approver"),
        (org.first("deputy_economics") or org.first("chief"), "budget_holder"),
        (pharmacologist, "formulary_member"),
    ]
    roles += [(p, "formulary_member") for p in specialists[:2]]
    return roles


def _ministry_committee(r: _Region, tender: _Tender) -> list[tuple[_Person | None, str]]:
    rng, ministry = r.rng, r.ministry
    areas = [p.area for p, _, _ in tender.lots]
    specialist = next((r.chief_specialists[a] for a in areas if a in r.chief_specialists), None)
    officers = ministry.roles.get("officer", [])
    professors = [p for p in r.people if p.role == "professor"]
    pharmacologists = [p for p in r.people if p.role == "pharmacologist"]
    roles: list[tuple[_Person | None, str]] = [
        (specialist or ministry.first("care_head"), "requester"),
        (ministry.first("pharma_head"), "spec_author"),
        (ministry.first("procurement_head"), "evaluator"),
        (rng.choice(officers) if officers else None, "evaluator"),
        (rng.choice(professors) if professors else None, "evaluator"),
        (ministry.first("deputy_minister"), "decision_maker"),
        (ministry.first("minister"), "approver"),
        (ministry.first("finance_head"), "budget_holder"),
    ]
    roles += [(p, "formulary_member") for p in rng.sample(pharmacologists,
                                                          min(2, len(pharmacologists)))]
    return roles


# --- a region: our team -----------------------------------------------------------------


def _is_key(person: _Person) -> bool:
    return person.category in ("vip", "kol", "official", "procurement")


def _form_team(r: _Region) -> None:
    """A regional manager and about one KAM per 150 key people; accounts split by workload."""
    rng = r.rng
    key_people = sum(1 for p in r.people if _is_key(p))
    manager = _recruit(r, "regional_manager", None, -rng.randint(1500, 4000))
    kams = [_recruit(r, "kam", manager, -rng.randint(300, 3000))
            for _ in range(max(3, round(key_people / 150)))]
    kams[-1].since = -rng.randint(60, 150)  # the newest KAM
    r.team = [manager, *kams]
    accounts = [o for o in r.orgs if o.staff]
    accounts.sort(key=lambda o: -sum(1 for p in o.staff if _is_key(p)))
    for org in accounts:
        kam = min(kams, key=lambda k: k.load)
        kam.accounts.append(org)
        kam.load += sum(1 for p in org.staff if _is_key(p)) + 1
        org.kam = kam
    manager.covers.append((r.plan.territory, manager.since, None))
    for kam in kams:
        _cover_accounts(r, kam)
    _hand_over_territories(r, kams)


def _recruit(r: _Region, role: str, manager: _AccountManager | None, since: int) -> _AccountManager:
    rng = r.rng
    female = rng.random() < 0.55
    first = rng.choice(_FEMALE_FIRST if female else _MALE_FIRST)
    patronymic = rng.choice(_PATRONYMIC_STEMS) + ("na" if female else "ich")
    surname = rng.choice(_SURNAMES)
    last = _female_surname(surname) if female else surname
    am = _AccountManager(
        r.ids.next("am"), f"{first} {patronymic} {last}", f"{first[0]}. {patronymic[0]}. {last}",
        role, f"{first[0]}.{last}@veltara.example".lower(), since, manager,
    )
    return am


def _cover_accounts(r: _Region, kam: _AccountManager) -> None:
    covered: list[_Territory] = []
    for org in kam.accounts:
        if org.place not in covered:
            covered.append(org.place)
    for place in covered:
        kam.covers.append((place, max(kam.since, -r.rng.randint(100, 2000)), None))


def _hand_over_territories(r: _Region, kams: list[_AccountManager]) -> None:
    """One place changed hands in the past; another will change hands soon."""
    rng = r.rng
    first, last = kams[0], kams[-1]
    mine = [place for place, _, _ in first.covers]
    theirs = [place for place, _, _ in kams[1].covers if place not in mine]
    if theirs:
        place = rng.choice(theirs)
        until = -rng.randint(30, 200)
        first.covers.append((place, until - rng.randint(200, 900), until))
    mine = [place for place, _, _ in last.covers]
    others = [place for place, _, _ in first.covers if place not in mine]
    if others:
        last.covers.append((rng.choice(others), rng.randint(14, 60), None))


def _build_relations(r: _Region) -> None:
    """KAMs know most VIPs and KOLs of their accounts and fewer doctors; some are gaps."""
    rng = r.rng
    manager, kams = r.team[0], r.team[1:]
    for kam in kams:
        for org in kam.accounts:
            for person in org.staff:
                if rng.random() < _contact_probability(person):
                    _relate(r, kam, person, _draw_stage(rng, person))
    for person in r.people:
        if person.tier == 1 and person.category in ("vip", "official") and rng.random() < 0.6:
            _relate(r, manager, person, _draw_stage(rng, person))
        elif _is_key(person) and rng.random() < 0.03 and person.org.kam is not kams[0]:
            _relate(r, kams[0], person, 1)  # known from a former territory


def _contact_probability(person: _Person) -> float:
    if person.tier == 1:
        return 0.92
    if person.tier == 2:
        return 0.6
    return {"pharmacist": 0.3, "official": 0.35, "procurement": 0.35}.get(person.category, 0.12)


def _draw_stage(rng: random.Random, person: _Person) -> int:
    owners = [org.type for org, _ in person.aligned]
    if "own_company" in owners:
        return rng.choice((3, 4, 4))
    weights = _STAGE_WEIGHTS_BY_TIER[person.tier]
    if "competitor" in owners:
        weights = (30, 45, 20, 5, 0)
    return rng.choices(range(len(_STAGES)), weights=weights)[0]


def _relate(r: _Region, am: _AccountManager, person: _Person, stage: int) -> None:
    """A relationship and the interactions that built it; about a fifth have gone stale."""
    rng = r.rng
    low, high = _INTERACTIONS_BY_STAGE[stage]
    count = rng.randint(low, high)
    if count == 0:
        r.relations.append(_Relation(am, person, stage, -rng.randint(5, 400), None))
    else:
        last = -rng.randint(91, 420) if rng.random() < 0.22 else -rng.randint(0, 90)
        days = [last]
        for _ in range(count - 1):
            days.append(days[-1] - rng.randint(7, 80))
        for day in reversed(days):
            _log_interaction(r, am, person, day, stage)
        r.relations.append(_Relation(am, person, stage, days[-1] - rng.randint(0, 240), last))
    person.best_stage = max(person.best_stage, stage)


_TOPICS = {
    "vip": ("next year's drug budget of the hospital", "the tender schedule for {area} drugs",
            "the hospital's plans for a new {area} unit", "supply interruptions of {inn}"),
    "kol": ("new clinical data on {brand} ({inn})", "a talk at the regional {area} congress",
            "a local observational study in {area}", "the treatment protocol for {area}"),
    "hcp": ("patient cases treated with {brand}", "dosing of {inn} in elderly patients",
            "patient education materials on {area}", "switching between {inn} brands"),
    "official": ("the regional drug provision programme",
                 "inclusion of {inn} in the regional reimbursement list",
                 "centralised procurement of {area} drugs"),
    "procurement": ("delivery terms and price of {brand}", "the upcoming tender timetable",
                    "documents for the {inn} lot"),
    "pharmacist": ("stock levels of {brand}", "training for pharmacy staff on {area}",
                   "the pharmacy chain's preferred list"),
    "other": ("the organisation's plans for the year", "logistics of {brand} deliveries"),
}
_OUTCOMES = (
    ("no interest at the moment", "refused a meeting, referred us to the deputy",
     "raised concerns about price"),
    ("asked for clinical data", "agreed to a follow-up meeting", "raised concerns about price"),
    ("will raise the question at the formulary committee", "asked for clinical data",
     "agreed to a follow-up meeting"),
    ("promised to support {inn} in the specification", "shared the department's plans",
     "asked for a literature review on {inn}"),
    ("agreed to speak at our symposium", "will recommend {brand} to colleagues",
     "introduced us to the chief physician"),
)


def _log_interaction(r: _Region, am: _AccountManager, person: _Person, day: int,
                     stage: int) -> None:
    rng = r.rng
    product = _product_for(r, person)
    words = {"brand": product.name, "inn": product.inn, "area": product.area}
    channel = rng.choices(_CHANNELS, weights=_CHANNEL_WEIGHTS)[0]
    # Ministry VIPs talk policy, not hospital budgets.
    audience = "official" if person.org.type == "health_authority" else person.category
    topic = rng.choice(_TOPICS[audience]).format(**words)
    outcome = rng.choice(_OUTCOMES[stage]).format(**words)
    noun = _CHANNEL_NOUNS[channel]
    people = [person]
    boss = person.reports[0].boss if person.reports else None
    if channel == "visit" and boss is not None and rng.random() < 0.1:
        people.append(boss)  # the head joined the meeting
    r.interactions.append(_Interaction(
        r.ids.next("i"), f"{noun}: {person.short}, {r.market.clock.iso(day)}", am, people, day,
        channel, f"{noun} with {person.short} ({person.org.name}): {topic}", outcome,
    ))


def _product_for(r: _Region, person: _Person) -> _Product:
    """Our product of the person's area, else any of ours."""
    ours = [p for p in r.market.products if p.maker.type == "own_company"]
    spec = _SPECIALTIES.get(person.specialty or "")
    matching = [p for p in ours if spec and p.area == spec[2]]
    return matching[0] if matching else ours[int(person.id[2:]) % len(ours)]


# --- a region: events and plans -----------------------------------------------------------


def _hold_events(r: _Region) -> None:
    rng = r.rng
    pools: dict[str, list[_Person]] = {}
    for person in r.people:
        if person.specialty in _SPECIALTIES:
            pools.setdefault(_SPECIALTIES[person.specialty][2], []).append(person)
    areas = sorted(pools)
    for _ in range(max(3, round(r.size / 50))):
        kind = _pick(rng, ("congress", "round table", "symposium"), (2, 4, 4))
        area = rng.choice(areas)
        day = rng.randint(5, 90) if rng.random() < 0.2 else -rng.randint(5, 400)
        event = _Event(r.ids.next("ev"), _event_name(r, kind, area, day), kind, day)
        _invite(r, event, pools[area], area)
        r.events.append(event)


def _event_name(r: _Region, kind: str, area: str, day: int) -> str:
    rng = r.rng
    year = (r.market.clock.today + timedelta(days=day)).year
    title = next(title for _, title, a in _SPECIALTIES.values() if a == area)
    if kind == "congress":
        return f"{_roman(rng.randint(3, 28))} Congress of {title}s of {r.plan.town} Region"
    if kind == "round table":
        topic = rng.choice(("Drug Provision in {a}", "Regional Formulary Revision {y}",
                            "Centralised Procurement of {a} Drugs",
                            "Hospital Budgets and Tender Planning {y}"))
        return "Round Table: " + topic.format(a=area.title(), y=year)
    sponsor = f"{_OWN_COMPANY} Symposium" if rng.random() < 0.6 else "Scientific Symposium"
    return f"{sponsor}: New Approaches in {area.title()} ({year})"


def _invite(r: _Region, event: _Event, pool: list[_Person], area: str) -> None:
    """Organisers and speakers are fixed early; participants only once the event is past."""
    rng = r.rng
    kols = [p for p in pool if p.category == "kol"]
    own_symposium = event.name.startswith(_OWN_COMPANY)
    if own_symposium:
        organiser: _Person | _AccountManager = rng.choice(r.team[1:])
        speakers = [p for p in kols if any(o is r.market.own for o, _ in p.aligned)] or kols
    elif event.kind == "round table":
        organiser = r.ministry.first("pharma_head") or r.ministry.staff[0]
        speakers = [p for p in r.people if p.role in ("chief", "pharmacologist")]
    else:
        organiser = r.chief_specialists.get(area) or (rng.choice(kols) if kols else pool[0])
        speakers = kols
    guests: list[tuple[_Person | _AccountManager, str]] = [(organiser, "organizer")]
    guests += [(p, "speaker") for p in rng.sample(speakers, min(len(speakers), rng.randint(2, 5)))]
    if event.day < 0:
        size = {"congress": (20, 50), "round table": (6, 12), "symposium": (10, 25)}[event.kind]
        crowd = pool if event.kind != "round table" else [
            p for p in r.people if p.category in ("vip", "official", "procurement")]
        guests += [(p, "participant") for p in rng.sample(crowd, min(len(crowd),
                                                                     rng.randint(*size)))]
        guests += [(am, "participant") for am in rng.sample(r.team, rng.randint(1, 2))]
    seen: list[str] = []
    for guest, role in guests:
        if guest.id not in seen:
            seen.append(guest.id)
            event.attendees.append((guest, role))
            if role == "speaker" and isinstance(guest, _Person):
                guest.tag("speaker")


_PLAN_PURPOSES = (
    "Bring {name} into our {area} speaker programme",
    "Secure support for {inn} in the next formulary revision",
    "Make {name} an ally before the next {area} tender",
    "Turn an acquaintance into a working relationship with the {org} leadership",
)
_PLAN_STEPS = (
    "Prepare a profile: career, publications, the organisation's plans",
    "Meet to learn the department's needs and next year's budget",
    "Present clinical data on {brand} at a department meeting",
    "Invite to the regional {area} round table",
    "Agree on a talk at the {company} symposium",
    "Arrange a visit of our medical science liaison",
    "Ask {boss} for an introduction",
    "Discuss the specification of the {inn} lot before drafting starts",
    "Review progress with the regional manager",
)


def _draw_up_plans(r: _Region) -> None:
    """Each VIP or KOL worth winning is a project: a goal stage, steps, a budget, a purpose."""
    rng = r.rng
    candidates = [rel for rel in r.relations if rel.am.role == "kam"
                  and rel.stage < 4 and rel.person.tier == 1]
    wanted = max(len(_PLAN_STATUSES), round(r.size / 60))
    chosen = rng.sample(candidates, min(len(candidates), wanted))
    for number, relation in enumerate(chosen):
        status = (_PLAN_STATUSES[number] if number < len(_PLAN_STATUSES)
                  else _pick(rng, _PLAN_STATUSES, _PLAN_STATUS_WEIGHTS))
        r.plans.append(_plan_for(r, relation, status))


def _plan_for(r: _Region, relation: _Relation, status: str) -> _Plan:
    rng, person = r.rng, relation.person
    goal = _STAGES[min(4, relation.stage + rng.choice((1, 1, 2)))]
    product = _product_for(r, person)
    boss = person.reports[0].boss.short if person.reports else "the chief physician"
    words = {"name": person.short, "area": product.area, "inn": product.inn,
             "brand": product.name, "org": person.org.name, "company": _OWN_COMPANY,
             "boss": boss}
    due = -rng.randint(10, 300) if status in ("done", "dropped") else rng.randint(30, 300)
    steps = [step.format(**words) for step in rng.sample(_PLAN_STEPS, rng.randint(3, 5))]
    return _Plan(
        r.ids.next("pl"), f"Relationship plan: {person.short} to {goal}", relation.am, person,
        goal, due, rng.randint(5, 80) * 10_000, rng.choice(_PLAN_PURPOSES).format(**words),
        status, steps,
    )


def _settle_stances(r: _Region) -> None:
    """Stance follows alignment first, then how far our best relationship has come."""
    rng = r.rng
    for person in r.people:
        owners = [org.type for org, _ in person.aligned]
        if "own_company" in owners:
            weights = (70, 30, 0, 0, 0, 0)
        elif "competitor" in owners:
            weights = (0, 0, 10, 45, 45, 0)
        else:
            weights = _STANCE_BY_STAGE[person.best_stage + 1]
        person.stance = rng.choices(_STANCES, weights=weights)[0]
        if person.tier == 1 and rng.random() < 0.5:
            person.notes = rng.choice(_NOTES)


_STANCES = ("champion", "supporter", "neutral", "skeptic", "opponent", "unknown")
_STANCE_BY_STAGE = (  # no relationship, then by stage
    (0, 2, 18, 5, 0, 75),
    (0, 5, 30, 10, 0, 55),
    (0, 20, 45, 25, 5, 5),
    (5, 50, 35, 10, 0, 0),
    (25, 60, 15, 0, 0, 0),
    (80, 20, 0, 0, 0, 0),
)
_NOTES = (
    "Prefers short meetings early in the morning.",
    "Values research collaboration; supervises several PhD students.",
    "Sceptical about switching patients between brands.",
    "Decides after consulting the clinical pharmacologist.",
    "Keeps a close eye on the department's budget; asks for pharmacoeconomic data.",
    "Well connected in the ministry; former colleague of the deputy minister.",
    "Publishes regularly; speaks at national congresses.",
)


# --- node records -------------------------------------------------------------------------


def _node(label: str, id_: str, name: str, **properties: Any) -> Record:
    record: Record = {"label": label, "id": id_, "name": name}
    for key, value in properties.items():
        if value is not None and value != []:
            record[key] = value
    return record


def _market_nodes(market: _Market) -> Iterator[Record]:
    if market.country is not None:
        yield _node("Territory", market.country.id, market.country.name, level="country")
    for plan in market.regions:
        for place in (plan.territory, *plan.districts, *plan.towns):
            yield _node("Territory", place.id, place.name, level=place.level)
    for org in (market.own, *market.competitors):
        yield _node("Organization", org.id, org.name, type=org.type)
    for product in market.products:
        yield _node("Product", product.id, product.name, inn=product.inn,
                    therapeutic_area=product.area)


def _region_nodes(r: _Region) -> Iterator[Record]:
    iso = r.market.clock.iso
    for org in r.orgs:
        yield _node("Organization", org.id, org.name, type=org.type, beds=org.beds,
                    annual_budget=org.budget)
    for am in r.team:
        yield _node("AccountManager", am.id, am.name, role=am.role, email=am.email)
    for p in r.people:
        yield _node("Stakeholder", p.id, p.name, category=p.category, title=p.job.position,
                    specialty=p.specialty, tier=p.tier, stance=p.stance, tags=list(p.tags),
                    notes=p.notes, email=p.email, phone=p.phone)
    for t in r.tenders:
        yield _node("Tender", t.id, t.name, status=t.status, value=t.value, currency=CURRENCY,
                    announced=iso(t.announced), deadline=iso(t.deadline),
                    awarded_on=_iso_or_none(iso, t.awarded_on),
                    quiet_from=_iso_or_none(iso, t.quiet_from),
                    quiet_until=_iso_or_none(iso, t.quiet_until))
    for e in r.events:
        yield _node("Event", e.id, e.name, date=iso(e.day), kind=e.kind)
    for i in r.interactions:
        yield _node("Interaction", i.id, i.name, date=iso(i.day), channel=i.channel,
                    summary=i.summary, outcome=i.outcome)
    for pl in r.plans:
        yield _node("Plan", pl.id, pl.name, goal_stage=pl.goal_stage, due=iso(pl.due),
                    budget=pl.budget, purpose=pl.purpose, status=pl.status, steps=list(pl.steps))


def _iso_or_none(iso: Any, offset: int | None) -> str | None:
    return None if offset is None else iso(offset)


# --- relationship records -----------------------------------------------------------------


def _rel(type_: str, from_: str, to: str, **properties: Any) -> Record:
    record: Record = {"type": type_, "from": from_, "to": to}
    for key, value in properties.items():
        if value is not None:
            record[key] = value
    return record


def _market_relationships(market: _Market) -> Iterator[Record]:
    for plan in market.regions:
        for place in (plan.territory, *plan.districts, *plan.towns):
            if place.parent is not None:
                yield _rel("PART_OF", place.id, place.parent.id)
    for org in (market.own, *market.competitors):
        yield _rel("LOCATED_IN", org.id, org.place.id)
    for product in market.products:
        yield _rel("MADE_BY", product.id, product.maker.id)


def _region_relationships(r: _Region) -> Iterator[Record]:
    rng = random.Random(f"{r.market.seed}:ties:{r.plan.index}")
    yield from _placement_relationships(r)
    yield from _employment_relationships(r)
    yield from _reporting_relationships(r)
    yield from _influence_relationships(r, rng)
    yield from _acquaintance_relationships(r, rng)
    yield from _alignment_relationships(r, rng)
    yield from _tender_relationships(r)
    yield from _team_relationships(r, rng)
    yield from _event_relationships(r)


def _placement_relationships(r: _Region) -> Iterator[Record]:
    for org in r.orgs:
        yield _rel("LOCATED_IN", org.id, org.place.id)
        if org.parent is not None:
            yield _rel("PART_OF", org.id, org.parent.id)


def _employment_relationships(r: _Region) -> Iterator[Record]:
    iso = r.market.clock.iso
    for person in r.people:
        for job in (person.job, *person.jobs):
            yield _rel("WORKS_AT", person.id, job.org.id, position=job.position,
                       seniority=job.seniority, department=job.department, since=iso(job.since),
                       until=_iso_or_none(iso, job.until))


def _reporting_relationships(r: _Region) -> Iterator[Record]:
    iso = r.market.clock.iso
    for person in r.people:
        for report in person.reports:
            since = report.since
            if since is None:
                since = max(person.job.since, report.boss.job.since)
            yield _rel("REPORTS_TO", person.id, report.boss.id, since=iso(since),
                       until=_iso_or_none(iso, report.until))
    for am in r.team:
        if am.manager is not None:
            yield _rel("REPORTS_TO", am.id, am.manager.id, since=iso(am.since))


class _Ties:
    """Stakeholder ties of one type, each (from, to) at most once."""

    def __init__(self, symmetric: bool) -> None:
        self.symmetric = symmetric
        self._seen: set[tuple[str, str]] = set()  # membership only, never iterated

    def claim(self, a: _Person, b: _Person) -> tuple[str, str] | None:
        if a is b:
            return None
        key = (a.id, b.id)
        if self.symmetric and key[1] < key[0]:
            key = (b.id, a.id)
        if key in self._seen:
            return None
        self._seen.add(key)
        return key


_Influence = Callable[[_Person, _Person, float, float, str, str], "Record | None"]


def _influence_relationships(r: _Region, rng: random.Random) -> Iterator[Record]:
    ties = _Ties(symmetric=False)
    iso = r.market.clock.iso

    def influence(a: _Person, b: _Person, low: float, high: float, kind: str,
                  source: str) -> Record | None:
        key = ties.claim(a, b)
        if key is None:
            return None
        since = until = None
        if kind in ("informal", "personal"):
            roll = rng.random()
            if roll < 0.06:  # an influence that has ended
                until = -rng.randint(30, 900)
                since = until - rng.randint(200, 2000)
            elif roll < 0.5:
                since = -rng.randint(60, 3000)
        return _rel("INFLUENCES", key[0], key[1], weight=_round2(rng.uniform(low, high)),
                    kind=kind, since=_iso_or_none(iso, since), until=_iso_or_none(iso, until),
                    source=source)

    for record in _influences(r, rng, influence):
        if record is not None:
            yield record


def _influences(r: _Region, rng: random.Random, influence: _Influence) -> Iterator[Record | None]:
    """Formal authority from the ministry, science from KOLs, informal pull inside hospitals,
    personal and family ties across them."""
    yield from _formal_influences(r, rng, influence)
    yield from _scientific_influences(r, rng, influence)
    yield from _informal_influences(r, rng, influence)
    leaders = [p for p in r.people if p.tier <= 2]
    for person in leaders:
        if rng.random() < 0.08:
            yield influence(person, rng.choice(leaders), 0.4, 0.9, "personal", "KAM observation")
    for a, b in _families(r):
        yield influence(a, b, 0.5, 0.9, "family", "KAM observation")
        yield influence(b, a, 0.5, 0.9, "family", "KAM observation")


def _formal_influences(r: _Region, rng: random.Random, influence: _Influence) -> Iterator[Record | None]:
    ministry = r.ministry
    curators = ministry.roles["deputy_minister"]
    pharma = ministry.first("pharma_head")
    for org in r.orgs:
        chief = org.first("chief")
        if chief is not None:
            yield influence(rng.choice(curators), chief, 0.55, 0.85, "formal", "org chart")
        pharmacologist = org.first("pharmacologist")
        if pharma is not None and pharmacologist is not None and rng.random() < 0.5:
            yield influence(pharma, pharmacologist, 0.3, 0.6, "formal", "regional formulary")
    for specialty, specialist in r.chief_specialists.items():
        for person in r.people:
            if person.specialty == specialty and person.role == "dept_head":
                yield influence(specialist, person, 0.4, 0.75, "formal", "ministry order")


def _scientific_influences(r: _Region, rng: random.Random,
                           influence: _Influence) -> Iterator[Record | None]:
    """Professors reach many doctors of their area; KOL ward heads reach their own wards."""
    pools: dict[str, list[_Person]] = {}
    for person in r.people:
        if person.specialty in _SPECIALTIES:
            pools.setdefault(_SPECIALTIES[person.specialty][2], []).append(person)
    for person in r.people:
        if person.category != "kol" or person.specialty not in _SPECIALTIES:
            continue
        pool = pools[_SPECIALTIES[person.specialty][2]]
        reach = rng.randint(25, 60) if person.role == "professor" else rng.randint(4, 12)
        for target in rng.sample(pool, min(len(pool), reach)):
            yield influence(person, target, 0.3, 0.9, "scientific",
                            rng.choice(("publications", "congress programme")))
        if person.role == "dept_head":
            for doctor in person.org.roles.get("doctor", []):
                if doctor.reports and doctor.reports[0].boss is person:
                    yield influence(person, doctor, 0.5, 0.9, "scientific", "KAM observation")


def _informal_influences(r: _Region, rng: random.Random,
                         influence: _Influence) -> Iterator[Record | None]:
    for person in r.people:
        boss = person.reports[0].boss if person.reports else None
        if person.role == "doctor":
            if boss is not None and rng.random() < 0.25:
                yield influence(person, boss, 0.2, 0.5, "informal", "KAM observation")
            if rng.random() < 0.6:
                yield influence(person, rng.choice(person.org.staff), 0.2, 0.6, "informal",
                                "KAM observation")
            continue
        if boss is not None and rng.random() < 0.4:
            yield influence(person, boss, 0.3, 0.8, "informal", rng.choice(_INFLUENCE_SOURCES))
        if person.role == "pharmacologist":
            for head in (person.org.first("chief"), person.org.first("deputy_medical")):
                if head is not None:
                    yield influence(person, head, 0.5, 0.85, "informal",
                                    "formulary committee minutes")
        if rng.random() < 0.3:
            yield influence(person, rng.choice(person.org.staff), 0.2, 0.7, "informal",
                            "KAM observation")


def _families(r: _Region) -> Iterator[tuple[_Person, _Person]]:
    """Relatives share a surname; a few of the region's namesakes are family.

    Its own seed, so the INFLUENCES and KNOWS passes find the same families."""
    rng = random.Random(f"{r.market.seed}:families:{r.plan.index}")
    by_surname: dict[str, list[_Person]] = {}
    for person in r.people:
        by_surname.setdefault(person.surname, []).append(person)
    for namesakes in by_surname.values():
        if len(namesakes) >= 2 and rng.random() < 0.15:
            a, b = rng.sample(namesakes, 2)
            if a.org is not b.org:
                yield a, b


def _acquaintance_relationships(r: _Region, rng: random.Random) -> Iterator[Record]:
    ties = _Ties(symmetric=True)

    def knows(a: _Person, b: _Person, low: float, high: float, context: str) -> Iterator[Record]:
        key = ties.claim(a, b)
        if key is not None:
            yield _rel("KNOWS", key[0], key[1], weight=_round2(rng.uniform(low, high)),
                       context=context)

    clinicians = [p for p in r.people if p.specialty in _SPECIALTIES]
    leaders = [p for p in r.people if p.tier <= 2]
    for person in r.people:
        colleagues = person.org.staff
        for _ in range(2 + (rng.random() < 0.5)):
            yield from knows(person, rng.choice(colleagues), 0.3, 0.8, "colleague")
        if person.specialty in _SPECIALTIES and rng.random() < 0.4:
            yield from knows(person, rng.choice(clinicians), 0.2, 0.6, "alumni")
        if person.tier <= 2 and rng.random() < 0.12:
            yield from knows(person, rng.choice(leaders), 0.4, 0.9, "friend")
        if person.role == "professor":
            peers = [p for p in clinicians if p.specialty == person.specialty
                     and p.role in ("dept_head", "assoc_professor")]
            for peer in rng.sample(peers, min(len(peers), rng.randint(3, 6))):
                yield from knows(person, peer, 0.5, 0.9, "co_author")
    for a, b in _families(r):
        yield from knows(a, b, 0.9, 1.0, "family")


def _alignment_relationships(r: _Region, rng: random.Random) -> Iterator[Record]:
    for person in r.people:
        for org, kind in person.aligned:
            yield _rel("ALIGNED_WITH", person.id, org.id,
                       strength=_round2(rng.uniform(0.3, 0.95)), kind=kind)


def _tender_relationships(r: _Region) -> Iterator[Record]:
    for tender in r.tenders:
        yield _rel("ISSUED_BY", tender.id, tender.issuer.id)
        for lot, (product, volume, value) in enumerate(tender.lots, start=1):
            yield _rel("FOR_PRODUCT", tender.id, product.id, lot=str(lot), volume=volume,
                       value=value)  # a lot is a label ("1", "2A"), not a quantity
        if tender.winner is not None:
            discount = 0.85 + (int(tender.id[2:]) % 13) / 100  # auctions bid the price down
            yield _rel("AWARDED_TO", tender.id, tender.winner.id,
                       value=round(tender.value * discount))
        for person, role in tender.committee:
            yield _rel("ROLE_IN", person.id, tender.id, role=role)


def _team_relationships(r: _Region, rng: random.Random) -> Iterator[Record]:
    iso = r.market.clock.iso
    for am in r.team:
        for place, since, until in am.covers:
            yield _rel("COVERS", am.id, place.id, since=iso(since),
                       until=_iso_or_none(iso, until))
    for rel in r.relations:
        strength = _round2(_STAGE_STRENGTH[rel.stage] + rng.uniform(-0.1, 0.1))
        yield _rel("RELATES_TO", rel.am.id, rel.person.id, stage=_STAGES[rel.stage],
                   strength=strength, since=iso(rel.since),
                   last_contact=_iso_or_none(iso, rel.last_contact))
    for interaction in r.interactions:
        yield _rel("HAD", interaction.am.id, interaction.id)
        for person in interaction.people:
            yield _rel("WITH", interaction.id, person.id)
    for plan in r.plans:
        yield _rel("PLANS", plan.am.id, plan.id)
        yield _rel("TARGETS", plan.id, plan.target.id)


def _event_relationships(r: _Region) -> Iterator[Record]:
    for event in r.events:
        for guest, role in event.attendees:
            yield _rel("ATTENDED", guest.id, event.id, role=role)


def load_demo(store: GraphStore, scale: int = 500, *, seed: int = 42, today: date | None = None,
              progress: Progress | None = None) -> ImportReport:
    """Generate the demo and import it into ``store`` (checked, all or nothing)."""
    from kamgraph.io.importer import RawRecord, import_records
    from kamgraph.model import Where

    where = Where("demo", "generated")
    raw = (RawRecord("node" if "label" in r else "relationship", r, where)
           for r in demo_records(scale, seed=seed, today=today))
    return import_records(store, raw, progress=progress)
