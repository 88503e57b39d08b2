"""Alembic environment: runs on the connection handed in by `medtrio.store.db.upgrade`."""

from alembic import context

from medtrio.store.schema import Base

config = context.config
connection = config.attributes.get("connection")
if connection is None:  # command-line alembic: build an engine from the settings
    from medtrio.settings import get_settings
    from medtrio.store.db import make_engine

    connection = make_engine(get_settings().db_url).connect()

context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
