from sqlalchemy import select

from marketplace.data import read_csv
from marketplace.extensions import db
from marketplace.models import Organisation, OrganisationKind, Region

# The four NHS Commissioning Board regions of 2013, with their ODS regional-team codes.
REGIONS = [
    ("Y54", "North of England"),
    ("Y55", "Midlands and East of England"),
    ("Y56", "London"),
    ("Y57", "South of England"),
]

SHA_CLUSTERS = [
    ("NHS North of England (SHA cluster)", "North of England"),
    ("NHS Midlands and East (SHA cluster)", "Midlands and East of England"),
    ("NHS London (SHA cluster)", "London"),
    ("NHS South of England (SHA cluster)", "South of England"),
]

BDU_NAME = "NHS Commissioning Board Authority: Business Development Unit"

# Where each Checkpoint 2 CSS of 2012 worked; the national communications service has none.
CSS_REGIONS = {
    "South Yorkshire": "North of England",
    "Staffordshire": "Midlands and East of England",
    "North West London": "London",
    "Arden": "Midlands and East of England",
    "North Yorkshire and Humber": "North of England",
    "Kent and Medway": "South of England",
    "Merseyside": "North of England",
    "Cheshire, Warrington and Wirral": "North of England",
    "Norfolk and Waveney": "Midlands and East of England",
    "North East": "North of England",
    "North and East London": "London",
    "West Yorkshire": "North of England",
    "Best West": "South of England",
    "CSS South": "South of England",
    "Greater East Midlands": "Midlands and East of England",
    "Greater Manchester": "North of England",
    "Cumbria and Lancashire": "North of England",
    "Birmingham and Black Country": "Midlands and East of England",
    "Essex": "Midlands and East of England",
    "South London": "London",
    "Surrey and Sussex": "South of England",
    "Central Southern": "South of England",
    "Hertfordshire": "Midlands and East of England",
    "West Mercia": "Midlands and East of England",
    "Peninsula": "South of England",
    "NHS Communications and Engagement Service": None,
}

LOCAL_AUTHORITIES = [
    ("Coventry City Council", "Midlands and East of England"),
    ("Warwickshire County Council", "Midlands and East of England"),
    ("London Borough of Ealing", "London"),
]

INDEPENDENT_PROVIDERS = [
    ("Meridian Commissioning Partners Ltd", "Midlands and East of England"),
    ("Northern Health Analytics LLP", "North of England"),
]


def css_display_name(csv_name: str) -> str:
    """'Arden' → 'Arden CSS'; names that already say what they are stay as they are."""
    if "CSS" in csv_name or "Service" in csv_name:
        return csv_name
    return f"{csv_name} CSS"


def _upsert(kind: str, name: str, **fields) -> Organisation:
    organisation = db.session.scalar(select(Organisation).where(Organisation.name == name))
    if organisation is None:
        organisation = Organisation(kind=kind, name=name, **fields)
        db.session.add(organisation)
    return organisation


def seed_organisations(scale: int = 1) -> None:
    regions = {}
    for code, name in REGIONS:
        region = db.session.scalar(select(Region).where(Region.code == code))
        if region is None:
            region = Region(code=code, name=name)
            db.session.add(region)
        regions[name] = region

    clusters = {row["ods_code"]: row["pct_cluster"] for row in read_csv("ccg_clusters_2012.csv")}
    for row in read_csv("ccgs_2013.csv"):
        ccg = _upsert(
            OrganisationKind.CCG,
            row["name"],
            ods_code=row["ods_code"],
            ons_code=row["ons_code"],
            region=regions[row["region"]],
            population=int(row["population"]),
        )
        # Filled in on databases seeded before clusters were recorded, too.
        ccg.pct_cluster = ccg.pct_cluster or clusters.get(row["ods_code"])
    _upsert(OrganisationKind.BDU, BDU_NAME)
    for name, region in SHA_CLUSTERS:
        _upsert(OrganisationKind.SHA_CLUSTER, name, region=regions[region])
    for row in read_csv("checkpoint2_outcomes_2012.csv"):
        region = CSS_REGIONS[row["css_name"]]
        _upsert(
            OrganisationKind.CSS,
            css_display_name(row["css_name"]),
            region=regions[region] if region else None,
        )
    for name, region in LOCAL_AUTHORITIES:
        _upsert(OrganisationKind.LOCAL_AUTHORITY, name, region=regions[region])
    for name, region in INDEPENDENT_PROVIDERS:
        _upsert(OrganisationKind.INDEPENDENT_PROVIDER, name, region=regions[region])
