"""The results store (SQLAlchemy + Alembic): `open_store(url)` opens it and brings its schema up to date."""

from equipoise.store._schema import JobRow, SubmissionRow
from equipoise.store._store import Store, StoreError, alembic_config, open_store, upgrade

__all__ = ["JobRow", "Store", "StoreError", "SubmissionRow", "alembic_config", "open_store", "upgrade"]
