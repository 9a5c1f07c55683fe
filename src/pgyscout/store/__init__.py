"""Storage: SQLite by default, PostgreSQL by URL; migrations applied on first use."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pgyscout._lazy import attach
from pgyscout.client.params import params_key
from pgyscout.errors import StoreError
from pgyscout.store.location import ENV_DB, default_db_path

if TYPE_CHECKING:
    from pgyscout.store import schema
    from pgyscout.store.database import Store
    from pgyscout.store.engine import current_revision, head_revision, resolve_db_url
    from pgyscout.store.ledger import DEFAULT_MAX_AGE, StoreCache, Usage
    from pgyscout.store.writer import Writer

# SQLAlchemy loads on first use (PEP 562): a command can look at an SQLite database with the
# standard library (``store.probe``) and send its first request while the store opens.
_LAZY = {
    "Store": "pgyscout.store.database",
    "current_revision": "pgyscout.store.engine",
    "head_revision": "pgyscout.store.engine",
    "resolve_db_url": "pgyscout.store.engine",
    "DEFAULT_MAX_AGE": "pgyscout.store.ledger",
    "StoreCache": "pgyscout.store.ledger",
    "Usage": "pgyscout.store.ledger",
    "Writer": "pgyscout.store.writer",
    "create_db_engine": "pgyscout.store.engine",
    "display_url": "pgyscout.store.engine",
    "migrate": "pgyscout.store.engine",
    "usage": "pgyscout.store.ledger",
}
__getattr__, __dir__ = attach(__name__, _LAZY, submodules=True)


__all__ = [
    "DEFAULT_MAX_AGE",
    "ENV_DB",
    "Store",
    "StoreCache",
    "StoreError",
    "Usage",
    "Writer",
    "current_revision",
    "default_db_path",
    "head_revision",
    "params_key",
    "resolve_db_url",
    "schema",
]
