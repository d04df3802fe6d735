from alembic.script import ScriptDirectory
from flask_migrate import Migrate
from sqlalchemy import inspect

from marketplace.extensions import db
from marketplace.search.schema import include_object


def test_there_is_one_alembic_head(app, app_context):
    config = app.extensions["migrate"].migrate.get_config()
    heads = ScriptDirectory.from_config(config).get_heads()
    assert len(heads) == 1, f"several migration heads: {heads}; add a merge revision"


def test_the_migrations_build_every_model_table(app_context):
    # The schema comes from the migrations; every table the models declare must exist.
    existing = set(inspect(db.engine).get_table_names())
    assert set(db.metadata.tables) <= existing


def test_the_models_and_the_migrations_agree(app_context):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": False, "include_object": include_object}
        )
        differences = compare_metadata(context, db.metadata)
    assert differences == [], "models changed without a migration: run flask db migrate"


def test_migrate_is_bound(app):
    assert isinstance(app.extensions["migrate"].migrate, Migrate)
