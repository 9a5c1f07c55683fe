"""Storage: SQLite by default, PostgreSQL by URL; migrations applied on first use."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

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


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    try:  # a submodule (``pgyscout.store.schema``), as when this package imported them all
        return importlib.import_module(f"{__name__}.{name}")
    except ModuleNotFoundError as exc:
        if exc.name != f"{__name__}.{name}":
            raise
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


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
