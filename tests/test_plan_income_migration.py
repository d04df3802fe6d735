"""The connected_plan_income migration, run on a database holding plans with JSON income."""

from datetime import UTC, datetime
from decimal import Decimal

import flask_migrate
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from marketplace import create_app
from marketplace.extensions import db

from .database import database_kind, prepare_postgres

BEFORE = "notify_notifications"
NOW = datetime(2012, 11, 1, 9, 0, tzinfo=UTC)
YEARS = ["2013/14", "2014/15", "2015/16", "2016/17"]


@pytest.fixture
def old_app(database_url, tmp_path):
    """An app on a database of its own, migrated to the revision before plan income."""
    if database_kind() == "postgresql":
        url = make_url(database_url)
        url = url.set(database=f"{url.database}_plan_income").render_as_string(hide_password=False)
        prepare_postgres(url)
    else:
        url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    app = create_app({"ENV_NAME": "test", "SQLALCHEMY_DATABASE_URI": url, "REDIS_URL": None})
    with app.app_context():
        flask_migrate.upgrade(revision=BEFORE)
        yield app
        db.session.remove()
        db.engine.dispose()


def _insert(connection, table_name: str, /, **values) -> int:
    table = sa.Table(table_name, sa.MetaData(), autoload_with=connection)
    for column in table.columns:
        if (
            column.name in values
            or column.nullable
            or column.primary_key
            or column.server_default is not None
        ):
            continue
        try:
            kind = column.type.python_type
        except NotImplementedError:
            kind = str
        values[column.name] = {int: 1, bool: False, datetime: NOW}.get(kind, "x")
    return connection.execute(table.insert().values(**values).returning(table.c.id)).scalar()


def _model(by_customer: dict, by_line: dict) -> dict:
    return {
        "years": YEARS,
        "income_by_customer": {y: by_customer for y in YEARS},
        "income_by_service_line": {y: by_line for y in YEARS},
        "expenditure": {y: {"pay": "1", "non_pay": "1", "overheads": "1"} for y in YEARS},
        "wte": {y: "1" for y in YEARS},
    }


def test_json_income_becomes_rows_keyed_to_ccgs_and_specifications(old_app):
    with db.engine.begin() as connection:
        coventry = _insert(
            connection,
            "organisation",
            kind="ccg",
            name="NHS Coventry CCG",
            ods_code="05A",
            population=464_596,
        )
        warwick = _insert(
            connection,
            "organisation",
            kind="ccg",
            name="NHS Warwickshire North CCG",
            ods_code="05R",
        )
        arden = _insert(connection, "organisation", kind="css", name="Arden CSS")
        specs = {
            code: _insert(
                connection,
                "service_specification",
                code=code,
                name=name,
                phase="business_support",
                nature="transactional",
                scale="local",
                description="x",
                retired_at=None,
            )
            for code, name in (
                ("BI-DSS", "Decision support"),
                ("MON-CTM", "Contract monitoring"),
                ("BUS-FIN", "Finance"),
                ("BUS-HR", "HR and payroll"),
                ("BUS-IMT", "IM&T"),
            )
        }
        # 05A by code, Warwickshire North by its name, the Board, and a code nobody has;
        # a spec by code, one by name (any case), an old template line split three ways,
        # and a line that is no specification.
        plan = _insert(
            connection,
            "business_plan",
            organisation_id=arden,
            version=1,
            status="submitted",
            created_at=NOW,
            updated_at=NOW,
            financial_model=_model(
                {
                    "05A": "600.00",
                    "NHS WARWICKSHIRE NORTH CCG": "300.00",
                    "board": "90.00",
                    "ZZZ": "10.00",
                },
                {
                    "BI-DSS": "500.00",
                    "contract monitoring": "200.00",
                    "business_support": "200.00",
                    "Horse grooming": "100.00",
                },
            ),
        )
        empty = _insert(
            connection,
            "business_plan",
            organisation_id=arden,
            version=2,
            status="draft",
            created_at=NOW,
            updated_at=NOW,
        )

    flask_migrate.upgrade()

    with db.engine.connect() as connection:
        rows = (
            connection.execute(
                sa.text(
                    "SELECT business_plan_id, customer_id, specification_id, plan_year, amount, "
                    "customer_code, service_line FROM plan_income"
                )
            )
            .mappings()
            .all()
        )
        assert {r["business_plan_id"] for r in rows} == {plan}  # the empty plan has none
        assert {r["plan_year"] for r in rows} == {2013, 2014, 2015, 2016}
        first = [r for r in rows if r["plan_year"] == 2013]

        def total(**match):
            return sum(
                (
                    Decimal(str(r["amount"]))
                    for r in first
                    if all(r[k] == v for k, v in match.items())
                ),
                Decimal(0),
            )

        assert total(customer_id=coventry) == Decimal("600.00")
        assert total(customer_id=warwick) == Decimal("300.00")
        assert total(customer_code="board") == Decimal("90.00")
        assert {r["customer_id"] for r in first if r["customer_code"] in ("board", "ZZZ")} == {None}
        assert total(customer_code="ZZZ") == Decimal("10.00")
        assert total(specification_id=specs["BI-DSS"]) == Decimal("500.00")
        assert total(specification_id=specs["MON-CTM"]) == Decimal("200.00")
        for code in ("BUS-FIN", "BUS-HR", "BUS-IMT"):
            assert total(specification_id=specs[code]) in (Decimal("66.66"), Decimal("66.67"))
        assert total(service_line="business_support") == Decimal("200.00")
        assert {r["specification_id"] for r in first if r["service_line"] == "Horse grooming"} == {
            None
        }
        # Pro rata: Coventry's 60% of BI-DSS's £500.
        assert total(customer_id=coventry, specification_id=specs["BI-DSS"]) == Decimal("300.00")
        assert total() == Decimal("1000.00")
        assert empty not in {r["business_plan_id"] for r in rows}

    flask_migrate.downgrade(revision=BEFORE)
    with db.engine.connect() as connection:
        assert "plan_income" not in sa.inspect(connection).get_table_names()
