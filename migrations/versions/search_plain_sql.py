"""search as plain SQL: the offer's own full-text index, no listing copy, no catalogue version

Revision ID: search_plain_sql
Revises: award_evaluation_submissions
Create Date: 2026-12-03 00:10:00.000000

Search now asks the database directly (marketplace/search/): published offers joined to
their version, provider and specification, matched and ranked by the offer's own full-text
index. What served the per-process copy of the listing goes: the offer_listing table with
its full-text index, trigger and title lexemes, and the catalogue_version row.

- PostgreSQL: offer.search_vector (generated: title weighted A, search text B, migration
  0005) gets back its GIN index, kept to offers on a version (drafts are never searched).
- SQLite: offer_fts, an external-content FTS5 table over offer(title, search_text) holding
  the offers on a version, kept in step by triggers on offer. A later migration that copies
  the offer table (batch mode) drops these triggers and must make them again;
  tests/search/test_schema.py fails if they are missing.
- Both: ix_offer_search_facets, an index holding the offer columns search counts by, so
  that counting reads it rather than the offers' wide rows. It starts with the columns of
  ix_offer_specification_id_prospectus_version_id, which it replaces.
"""
import uuid

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'search_plain_sql'
down_revision = 'award_evaluation_submissions'
branch_labels = None
depends_on = None

OFFER_FTS = ("CREATE VIRTUAL TABLE offer_fts USING fts5(title, search_text, content='offer', "
             "content_rowid='id', tokenize='porter unicode61')")
_INSERT = ("INSERT INTO offer_fts(rowid, title, search_text) "
           "VALUES (new.id, new.title, new.search_text);")
_DELETE = ("INSERT INTO offer_fts(offer_fts, rowid, title, search_text) "
           "VALUES ('delete', old.id, old.title, old.search_text);")
OFFER_FTS_TRIGGERS = {
    "offer_fts_after_insert": "AFTER INSERT ON offer "
                              f"WHEN new.prospectus_version_id IS NOT NULL BEGIN {_INSERT} END",
    "offer_fts_after_delete": "AFTER DELETE ON offer "
                              f"WHEN old.prospectus_version_id IS NOT NULL BEGIN {_DELETE} END",
    # An offer moving onto a version, or its text changing (a specification renamed).
    "offer_fts_after_update_old": "AFTER UPDATE OF title, search_text, prospectus_version_id "
                                  "ON offer WHEN old.prospectus_version_id IS NOT NULL "
                                  f"BEGIN {_DELETE} END",
    "offer_fts_after_update_new": "AFTER UPDATE OF title, search_text, prospectus_version_id "
                                  "ON offer WHEN new.prospectus_version_id IS NOT NULL "
                                  f"BEGIN {_INSERT} END",
}
OFFER_GIN = ("CREATE INDEX ix_offer_search_vector ON offer USING gin (search_vector) "
             "WHERE prospectus_version_id IS NOT NULL")


def upgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS offer_listing_search_vector ON offer_listing")
        op.execute("DROP FUNCTION IF EXISTS offer_listing_search_vector()")
    elif dialect == "sqlite":
        for name in ("offer_listing_fts_after_insert", "offer_listing_fts_after_delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS offer_listing_fts")
    op.drop_table("offer_listing")
    op.drop_table("catalogue_version")
    op.create_index("ix_offer_search_facets", "offer", [
        "specification_id", "prospectus_version_id", "organisation_id", "pricing_model",
        "price", "estimated_quantity"])
    op.drop_index("ix_offer_specification_id_prospectus_version_id", table_name="offer")
    if dialect == "postgresql":
        op.execute(OFFER_GIN)
    elif dialect == "sqlite":
        op.execute(OFFER_FTS)
        for name, body in OFFER_FTS_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {body}")
        op.execute("INSERT INTO offer_fts(rowid, title, search_text) SELECT id, title, "
                   "search_text FROM offer WHERE prospectus_version_id IS NOT NULL")


# --- downgrade: the listing and catalogue version as they were before ----------------------

LISTING_FILL = """
    INSERT INTO offer_listing (offer_id, provider_id, specification_id, region_id, provider_kind,
                               assurance_status, pricing_model, price, annual_price)
    SELECT offer.id, offer.organisation_id, offer.specification_id, organisation.region_id,
           organisation.kind, 'not_assessed', offer.pricing_model, offer.price,
           CASE offer.pricing_model WHEN 'per_head' THEN NULL
                                    WHEN 'fixed_annual' THEN offer.price
                                    ELSE offer.price * offer.estimated_quantity END
    FROM offer
    JOIN prospectus_version ON prospectus_version.id = offer.prospectus_version_id
    JOIN organisation ON organisation.id = offer.organisation_id
    WHERE prospectus_version.status = 'published'"""
OUTCOMES = """
    SELECT submission.organisation_id, checkpoint.number, review.outcome_code
    FROM review
    JOIN submission ON submission.id = review.submission_id
    JOIN checkpoint ON checkpoint.id = submission.checkpoint_id
    WHERE review.status = 'signed_off'
    ORDER BY checkpoint.number, review.signed_off_at, review.id"""
LISTING_FUNCTION = """
    CREATE FUNCTION offer_listing_search_vector() RETURNS trigger AS $$
    BEGIN
      SELECT search_vector,
             array_to_string(tsvector_to_array(to_tsvector('english', coalesce(title, ''))), ' ')
      INTO NEW.search_vector, NEW.title_lexemes
      FROM offer WHERE id = NEW.offer_id;
      RETURN NEW;
    END
    $$ LANGUAGE plpgsql"""
LISTING_FTS_TRIGGERS = {
    "offer_listing_fts_after_insert": """
        CREATE TRIGGER offer_listing_fts_after_insert AFTER INSERT ON offer_listing BEGIN
          INSERT INTO offer_listing_fts(rowid, title, search_text)
          SELECT id, title, search_text FROM offer WHERE id = new.offer_id;
        END""",
    "offer_listing_fts_after_delete": """
        CREATE TRIGGER offer_listing_fts_after_delete AFTER DELETE ON offer_listing BEGIN
          DELETE FROM offer_listing_fts WHERE rowid = old.offer_id;
        END""",
}


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_offer_search_vector")
    elif dialect == "sqlite":
        for name in OFFER_FTS_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS offer_fts")
    op.create_index("ix_offer_specification_id_prospectus_version_id", "offer",
                    ["specification_id", "prospectus_version_id"])
    op.drop_index("ix_offer_search_facets", table_name="offer")

    op.create_table(
        "catalogue_version",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("number", sa.BigInteger(), nullable=False),
        sa.Column("nonce", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalogue_version")),
    )
    op.execute(sa.text("INSERT INTO catalogue_version (id, number, nonce) VALUES (1, 1, :nonce)")
               .bindparams(nonce=uuid.uuid4().hex))
    op.create_table(
        "offer_listing",
        sa.Column("offer_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("specification_id", sa.Integer(), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=True),
        sa.Column("provider_kind", sa.String(length=32), nullable=False),
        sa.Column("assurance_status", sa.String(length=64), nullable=False),
        sa.Column("pricing_model", sa.String(length=16), nullable=False),
        sa.Column("price", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("annual_price", sa.Numeric(precision=20, scale=4), nullable=True),
        sa.ForeignKeyConstraint(["offer_id"], ["offer.id"],
                                name=op.f("fk_offer_listing_offer_id_offer")),
        sa.ForeignKeyConstraint(["provider_id"], ["organisation.id"],
                                name=op.f("fk_offer_listing_provider_id_organisation")),
        sa.PrimaryKeyConstraint("offer_id", name=op.f("pk_offer_listing")),
    )
    op.create_index(op.f("ix_offer_listing_provider_id"), "offer_listing", ["provider_id"])
    if dialect == "postgresql":
        op.execute("ALTER TABLE offer_listing ADD COLUMN search_vector tsvector")
        op.execute("ALTER TABLE offer_listing ADD COLUMN title_lexemes text")
        op.execute(LISTING_FUNCTION)
        op.execute("CREATE TRIGGER offer_listing_search_vector BEFORE INSERT ON offer_listing "
                   "FOR EACH ROW EXECUTE FUNCTION offer_listing_search_vector()")
        op.execute("CREATE INDEX ix_offer_listing_search_vector ON offer_listing "
                   "USING gin (search_vector)")
    elif dialect == "sqlite":
        op.execute("CREATE VIRTUAL TABLE offer_listing_fts USING fts5("
                   "title, search_text, tokenize='porter unicode61')")
        for statement in LISTING_FTS_TRIGGERS.values():
            op.execute(statement)

    bind = op.get_bind()
    bind.execute(sa.text(LISTING_FILL))
    latest = {}
    for organisation_id, number, code in bind.execute(sa.text(OUTCOMES)):
        latest[organisation_id] = (
            f"checkpoint-{number}-{(code or 'reviewed').lower().replace('_', '-')}")
    for organisation_id, status in latest.items():
        bind.execute(sa.text("UPDATE offer_listing SET assurance_status = :status "
                             "WHERE provider_id = :provider")
                     .bindparams(status=status, provider=organisation_id))
