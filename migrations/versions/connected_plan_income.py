"""plan income as rows: per plan, customer (CCG), specification and plan year

Revision ID: connected_plan_income
Revises: contract_authorisation_packs
Create Date: 2026-12-03 07:30:00

Every business plan's financial model (JSON) states income by customer and by service line.
Each year's income becomes plan_income rows keyed to organisations and specifications:

- customers: a CCG's ODS code (or, in older hand-made data, its exact name, any case) maps
  to that CCG; "board" (the NHS Commissioning Board) and "other" have no organisation, so
  customer_id stays empty. A code or name that matches no CCG also keeps customer_id empty;
  customer_code keeps what the plan said, so those rows can be found and mended.
- service lines: a specification's code or name (any case) maps to it; the five lines of
  the first template map to the specifications they meant (business intelligence: BI-DSS,
  contract management: MON-CTM, procurement: AGR-PRC, communications: BUS-COM, and business
  support shared equally, to the penny, between BUS-FIN, BUS-HR and BUS-IMT). Anything else
  keeps specification_id empty ("other"), with service_line saying what the plan said.
- the plan never said which customer buys which line, so each customer's income is spread
  over the lines pro rata, to the penny, every customer's and every line's total exact.
  A year whose two totals disagree (the product never saved one) keeps each customer's
  income with no specification.

The JSON stays as it is (the plan's own record); downgrade drops the table and loses
nothing. The arithmetic is written out here, not imported, so this migration never changes.
"""
import json
from decimal import Decimal

import sqlalchemy as sa
from alembic import op

revision = 'connected_plan_income'
down_revision = 'contract_authorisation_packs'
branch_labels = None
depends_on = None

PENNY = Decimal("0.01")
LEGACY_SERVICE_LINES = {
    "business_intelligence": ("BI-DSS",),
    "contract_management": ("MON-CTM",),
    "procurement": ("AGR-PRC",),
    "business_support": ("BUS-FIN", "BUS-HR", "BUS-IMT"),
    "communications": ("BUS-COM",),
}


def _pennies(value) -> int:
    amount = Decimal(str(value).strip().replace(",", "").lstrip("£"))
    return int((amount / PENNY).to_integral_value())


def _apportion(rows: dict, cols: dict) -> dict:
    """Pro-rata cells in pence whose row and column sums are exact (as the domain's)."""
    total = sum(rows.values())
    if total != sum(cols.values()):
        raise ValueError("totals disagree")
    if total == 0:
        return {}
    cells, remainders = {}, []
    for c, r in rows.items():
        for s, k in cols.items():
            whole, remainder = divmod(r * k, total)
            cells[(c, s)] = whole
            remainders.append((remainder, c, s))
    row_left = {c: r - sum(cells[(c, s)] for s in cols) for c, r in rows.items()}
    col_left = {s: k - sum(cells[(c, s)] for c in rows) for s, k in cols.items()}
    order = {c: i for i, c in enumerate(rows)} | {s: i for i, s in enumerate(cols)}
    for remainder, c, s in sorted(remainders, key=lambda r: (-r[0], order[r[1]], order[r[2]])):
        if remainder and row_left[c] > 0 and col_left[s] > 0:
            cells[(c, s)] += 1
            row_left[c] -= 1
            col_left[s] -= 1
    for c in rows:
        for s in cols:
            give = min(row_left[c], col_left[s])
            if give > 0:
                cells[(c, s)] += give
                row_left[c] -= give
                col_left[s] -= give
    return {key: p for key, p in cells.items() if p}


def upgrade():
    table = op.create_table(
        'plan_income',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('business_plan_id', sa.Integer(), nullable=False),
        sa.Column('customer_id', sa.Integer(), nullable=True),
        sa.Column('specification_id', sa.Integer(), nullable=True),
        sa.Column('plan_year', sa.Integer(), nullable=False),
        sa.Column('amount', sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column('customer_code', sa.String(length=200), nullable=False),
        sa.Column('service_line', sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(['business_plan_id'], ['business_plan.id'],
                                name=op.f('fk_plan_income_business_plan_id_business_plan'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['customer_id'], ['organisation.id'],
                                name=op.f('fk_plan_income_customer_id_organisation')),
        sa.ForeignKeyConstraint(['specification_id'], ['service_specification.id'],
                                name=op.f('fk_plan_income_specification_id_'
                                          'service_specification')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_income')),
    )
    with op.batch_alter_table('plan_income', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_income_business_plan_id'),
                              ['business_plan_id'], unique=False)
        batch_op.create_index('ix_plan_income_customer_year', ['customer_id', 'plan_year'],
                              unique=False)
        batch_op.create_index('ix_plan_income_specification_year',
                              ['specification_id', 'plan_year'], unique=False)

    connection = op.get_bind()
    meta = sa.MetaData()
    plan = sa.Table('business_plan', meta, sa.Column('id', sa.Integer),
                    sa.Column('financial_model', sa.JSON))
    organisation = sa.Table('organisation', meta, sa.Column('id', sa.Integer),
                            sa.Column('kind', sa.String), sa.Column('name', sa.String),
                            sa.Column('ods_code', sa.String))
    specification = sa.Table('service_specification', meta, sa.Column('id', sa.Integer),
                             sa.Column('code', sa.String), sa.Column('name', sa.String))
    ccgs = {}
    for org_id, name, ods in connection.execute(
            sa.select(organisation.c.id, organisation.c.name, organisation.c.ods_code)
            .where(organisation.c.kind == 'ccg')):
        ccgs[name.strip().upper()] = org_id
    for org_id, name, ods in connection.execute(
            sa.select(organisation.c.id, organisation.c.name, organisation.c.ods_code)
            .where(organisation.c.kind == 'ccg')):
        if ods:
            ccgs[ods.strip().upper()] = org_id
    specs = {}
    for spec_id, code, name in connection.execute(
            sa.select(specification.c.id, specification.c.code, specification.c.name)):
        specs.setdefault(name.strip().upper(), spec_id)
    for spec_id, code, name in connection.execute(
            sa.select(specification.c.id, specification.c.code, specification.c.name)):
        specs[code.strip().upper()] = spec_id

    def line_specs(line):
        found = specs.get(str(line).strip().upper())
        if found is not None:
            return [found]
        legacy = LEGACY_SERVICE_LINES.get(str(line))
        if legacy and all(code in specs for code in legacy):
            return [specs[code] for code in legacy]
        return [None]

    inserts = []
    for plan_id, model in connection.execute(sa.select(plan.c.id, plan.c.financial_model)):
        if isinstance(model, str):  # a JSON text column read as text
            model = json.loads(model)
        if not isinstance(model, dict):
            continue
        by_customer_table = model.get("income_by_customer") or {}
        by_line_table = model.get("income_by_service_line") or {}
        for year in model.get("years") or ():
            start = int(str(year)[:4])
            rows = {str(c): _pennies(a) for c, a in (by_customer_table.get(year) or {}).items()}
            cols, named = {}, {}
            for line, amount in (by_line_table.get(year) or {}).items():
                targets = line_specs(line)
                whole, odd = divmod(_pennies(amount), len(targets))
                for part, spec_id in enumerate(targets):
                    cols[(str(line), part)] = whole + (1 if part < odd else 0)
                    named[(str(line), part)] = spec_id
            try:
                cells = _apportion(rows, cols)
            except ValueError:
                named = {("", 0): None}
                cells = {(c, ("", 0)): p for c, p in rows.items() if p}
            for (customer, key), pennies in cells.items():
                inserts.append({
                    "business_plan_id": plan_id,
                    "customer_id": ccgs.get(customer.strip().upper())
                    if customer not in ("board", "other") else None,
                    "specification_id": named[key], "plan_year": start,
                    "amount": Decimal(pennies) * PENNY, "customer_code": customer[:200],
                    "service_line": key[0][:200]})
    if inserts:
        op.bulk_insert(table, inserts)


def downgrade():
    with op.batch_alter_table('plan_income', schema=None) as batch_op:
        batch_op.drop_index('ix_plan_income_specification_year')
        batch_op.drop_index('ix_plan_income_customer_year')
        batch_op.drop_index(batch_op.f('ix_plan_income_business_plan_id'))
    op.drop_table('plan_income')
