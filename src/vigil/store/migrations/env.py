"""Alembic environment: runs on the connection that :func:`vigil.store.open.migrate` hands over.

vigil configures Alembic from Python (no alembic.ini), so there is no URL to read here and no
offline (SQL script) mode; the caller's connection also carries PostgreSQL's search_path.
"""

from alembic import context

from vigil.store.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run vigil's migrations through vigil.store.open.migrate(engine)")

context.configure(
    connection=connection,
    target_metadata=metadata,
    # SQLite cannot ALTER most things in place; batch mode copies the table instead.
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
