"""requirements become statements of requirements; CCGs carry their 2012 PCT cluster

Revision ID: statements_from_requirements
Revises: auth_user_sessions
Create Date: 2026-12-03 00:20:00

Each CCG's per-specification yes/no answers become one draft statement led by that CCG:
every "needed" answer a line (priority, do/buy/share and notes kept; no volume or budget,
which the old page never asked for), every "not needed" answer named in the statement's
summary so nothing the CCG said is lost. The CCG confirms its lines when it has added what
the statement asks for. One audit event per statement says where it came from.

Downgrade puts every line of the carried-over statements back as a "needed" answer (the
"not needed" answers survive only as the summary's words) and removes those statements.
"""
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = 'statements_from_requirements'
down_revision = 'auth_user_sessions'
branch_labels = None
depends_on = None

TITLE = "Our requirements (carried over from the requirements page)"
MODES = {"do", "buy", "share"}
PRIORITIES = {"high", "medium", "low"}


def _tables():
    meta = sa.MetaData()
    requirement = sa.Table(
        "requirement", meta,
        sa.Column("id", sa.Integer), sa.Column("organisation_id", sa.Integer),
        sa.Column("specification_id", sa.Integer), sa.Column("needed", sa.Boolean),
        sa.Column("priority", sa.String), sa.Column("intended_mode", sa.String),
        sa.Column("notes", sa.Text), sa.Column("created_at", sa.DateTime(timezone=True)),
        sa.Column("updated_at", sa.DateTime(timezone=True)),
        sa.Column("lock_version", sa.Integer))
    specification = sa.Table(
        "service_specification", meta, sa.Column("id", sa.Integer),
        sa.Column("code", sa.String), sa.Column("name", sa.String))
    statement = sa.Table(
        "statement", meta, sa.Column("id", sa.Integer), sa.Column("lead_ccg_id", sa.Integer),
        sa.Column("title", sa.String), sa.Column("summary", sa.Text),
        sa.Column("status", sa.String), sa.Column("split_method", sa.String),
        sa.Column("wanted_from", sa.Date), sa.Column("term_months", sa.Integer),
        sa.Column("created_by_id", sa.Integer), sa.Column("lock_version", sa.Integer),
        sa.Column("created_at", sa.DateTime(timezone=True)),
        sa.Column("updated_at", sa.DateTime(timezone=True)))
    party = sa.Table(
        "statement_party", meta, sa.Column("id", sa.Integer),
        sa.Column("statement_id", sa.Integer), sa.Column("ccg_id", sa.Integer),
        sa.Column("is_lead", sa.Boolean), sa.Column("status", sa.String),
        sa.Column("agreed_share_percent", sa.Numeric(5, 2)),
        sa.Column("invited_at", sa.DateTime(timezone=True)),
        sa.Column("confirmed_at", sa.DateTime(timezone=True)),
        sa.Column("confirmed_by_id", sa.Integer))
    line = sa.Table(
        "statement_line", meta, sa.Column("id", sa.Integer),
        sa.Column("statement_id", sa.Integer), sa.Column("ccg_id", sa.Integer),
        sa.Column("specification_id", sa.Integer), sa.Column("mode", sa.String),
        sa.Column("priority", sa.String), sa.Column("population_covered", sa.Integer),
        sa.Column("activity_per_year", sa.Numeric(14, 2)),
        sa.Column("days_per_year", sa.Numeric(14, 2)),
        sa.Column("local_service_levels", sa.JSON), sa.Column("exclusions", sa.Text),
        sa.Column("notes", sa.Text), sa.Column("budget_annual", sa.Numeric(14, 2)),
        sa.Column("scenario_line_id", sa.Integer),
        sa.Column("confirmed_at", sa.DateTime(timezone=True)),
        sa.Column("created_at", sa.DateTime(timezone=True)),
        sa.Column("updated_at", sa.DateTime(timezone=True)))
    audit = sa.Table(
        "audit_event", meta, sa.Column("id", sa.Integer),
        sa.Column("occurred_at", sa.DateTime(timezone=True)),
        sa.Column("actor_id", sa.Integer), sa.Column("organisation_id", sa.Integer),
        sa.Column("action", sa.String), sa.Column("object_type", sa.String),
        sa.Column("object_id", sa.String), sa.Column("summary", sa.Text),
        sa.Column("changes", sa.JSON))
    return requirement, specification, statement, party, line, audit


def upgrade():
    op.add_column("organisation", sa.Column("pct_cluster", sa.String(length=120),
                                            nullable=True))
    op.create_index(op.f("ix_organisation_pct_cluster"), "organisation", ["pct_cluster"],
                    unique=False)

    requirement, specification, statement, party, line, audit = _tables()
    connection = op.get_bind()
    now = datetime.now(UTC)
    rows = connection.execute(
        sa.select(requirement, specification.c.code, specification.c.name)
        .join(specification, specification.c.id == requirement.c.specification_id)
        .order_by(requirement.c.organisation_id, specification.c.code)
    ).mappings().all()
    by_ccg: dict[int, list] = {}
    for row in rows:
        by_ccg.setdefault(row["organisation_id"], []).append(row)
    for ccg_id, answers in by_ccg.items():
        needed = [row for row in answers if row["needed"]]
        not_needed = [row for row in answers if not row["needed"]]
        summary = ("Carried over from the per-specification requirements page. Add volumes, "
                   "service levels and budgets, then confirm the lines.")
        if not_needed:
            summary += " Answered as not needed: " + "; ".join(
                f"{row['name']} ({row['code']})"
                + (f": {row['notes'].strip()}" if (row["notes"] or "").strip() else "")
                for row in not_needed) + "."
        started = min(row["created_at"] for row in answers) or now
        statement_id = connection.execute(statement.insert().values(
            lead_ccg_id=ccg_id, title=TITLE, summary=summary, status="draft",
            split_method="population", wanted_from=None, term_months=12, created_by_id=None,
            lock_version=1, created_at=started, updated_at=now,
        ).returning(statement.c.id)).scalar_one()
        connection.execute(party.insert().values(
            statement_id=statement_id, ccg_id=ccg_id, is_lead=True, status="invited",
            invited_at=now))
        for row in needed:
            connection.execute(line.insert().values(
                statement_id=statement_id, ccg_id=ccg_id,
                specification_id=row["specification_id"],
                mode=row["intended_mode"] if row["intended_mode"] in MODES else "buy",
                priority=row["priority"] if row["priority"] in PRIORITIES else "medium",
                local_service_levels=[], exclusions="", notes=row["notes"] or "",
                created_at=row["created_at"] or now, updated_at=row["updated_at"] or now))
        connection.execute(audit.insert().values(
            occurred_at=now, actor_id=None, organisation_id=None,
            action="statement.created", object_type="Statement", object_id=str(statement_id),
            summary=f"Carried over {len(needed)} needed specification"
                    f"{'' if len(needed) == 1 else 's'} from the requirements page into a "
                    "draft statement",
            changes={"migrated_from": "requirement",
                     "needed": [row["code"] for row in needed],
                     "not_needed": [row["code"] for row in not_needed]}))

    with op.batch_alter_table('requirement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_requirement_organisation_id'))
    op.drop_table('requirement')


def downgrade():
    op.create_table(
        'requirement',
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('specification_id', sa.Integer(), nullable=False),
        sa.Column('needed', sa.Boolean(), nullable=False),
        sa.Column('priority', sa.String(length=8), nullable=False),
        sa.Column('intended_mode', sa.String(length=8), nullable=False),
        sa.Column('notes', sa.Text(), nullable=False),
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('lock_version', sa.Integer(), nullable=False, server_default="1"),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'],
                                name=op.f('fk_requirement_organisation_id_organisation')),
        sa.ForeignKeyConstraint(
            ['specification_id'], ['service_specification.id'],
            name=op.f('fk_requirement_specification_id_service_specification')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_requirement')),
        sa.UniqueConstraint('organisation_id', 'specification_id',
                            name=op.f('uq_requirement_organisation_id')),
    )
    with op.batch_alter_table('requirement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_requirement_organisation_id'),
                              ['organisation_id'], unique=False)

    requirement, _specification, statement, party, line, _audit = _tables()
    connection = op.get_bind()
    carried = connection.execute(sa.select(statement.c.id).where(
        statement.c.title == TITLE)).scalars().all()
    seen = set()
    for row in connection.execute(
            sa.select(line).where(line.c.statement_id.in_(carried)).order_by(line.c.id)
    ).mappings():
        key = (row["ccg_id"], row["specification_id"])
        if key in seen:
            continue
        seen.add(key)
        connection.execute(requirement.insert().values(
            organisation_id=row["ccg_id"], specification_id=row["specification_id"],
            needed=True, priority=row["priority"], intended_mode=row["mode"],
            notes=row["notes"] or "", created_at=row["created_at"],
            updated_at=row["updated_at"], lock_version=1))
    # Only statements nothing was bought from: a procurement keeps its statement.
    others = sa.MetaData()
    procurement = sa.Table("procurement", others, sa.Column("statement_id", sa.Integer))
    agreement_line = sa.Table("agreement_line", others,
                              sa.Column("statement_line_id", sa.Integer))
    removable = connection.execute(sa.select(statement.c.id).where(
        statement.c.id.in_(carried),
        statement.c.id.not_in(sa.select(procurement.c.statement_id)),
        statement.c.id.not_in(
            sa.select(line.c.statement_id).join(
                agreement_line, agreement_line.c.statement_line_id == line.c.id)),
    )).scalars().all()
    if removable:
        connection.execute(line.delete().where(line.c.statement_id.in_(removable)))
        connection.execute(party.delete().where(party.c.statement_id.in_(removable)))
        connection.execute(statement.delete().where(statement.c.id.in_(removable)))

    op.drop_index(op.f("ix_organisation_pct_cluster"), table_name="organisation")
    op.drop_column("organisation", "pct_cluster")
