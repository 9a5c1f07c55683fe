"""Alembic environment: runs on the connection pgyscout hands it (see ``store.engine``)."""

from __future__ import annotations

from alembic import context

from pgyscout.store.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - pgyscout always passes its connection
    raise RuntimeError("run migrations through pgyscout.store.migrate()")

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=True,  # SQLite alters tables by copying them
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
