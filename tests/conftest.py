"""Shared fixtures: an isolated equipoise home per test, the shared data dir, PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from equipoise.settings import get_settings

# Rich sizes tables to the terminal; a wide one keeps CLI output assertions independent of the host.
os.environ["COLUMNS"] = "200"

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
POSTGRES_ADMIN_URL = os.environ.get("EQUIPOISE_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Every test gets its own store, runs and response cache; assembled model files are shared
    (re-joining 0.5 GB per test would only cost time)."""
    home = tmp_path / "equipoise-home"
    monkeypatch.setenv("EQUIPOISE_HOME", str(home))
    monkeypatch.setenv("EQUIPOISE_CACHE_DIR", str(tmp_path / "equipoise-cache"))
    monkeypatch.delenv("EQUIPOISE_DATABASE_URL", raising=False)
    monkeypatch.delenv("EQUIPOISE_DATA_DIR", raising=False)
    monkeypatch.delenv("EQUIPOISE_MODELS_FILE", raising=False)
    get_settings.cache_clear()
    yield home
    get_settings.cache_clear()


@pytest.fixture
def shared_data() -> Path:
    """The public datasets beside the repository (../shared/data)."""
    if not SHARED_DATA.is_dir():
        pytest.fail(f"the shared datasets are expected at {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session, dropped afterwards."""
    import psycopg

    name = f"equipoise_test_{uuid.uuid4().hex[:10]}"
    admin = psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True)
    admin.execute(f'CREATE DATABASE "{name}"')
    base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0]
    try:
        yield f"postgresql+psycopg://{base.split('://', 1)[1]}/{name}"
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def _fresh_postgres(postgres_url: str) -> Iterator[str]:
    import psycopg

    # The session's database has been migrated by other tests: make an empty one beside it.
    base, _ = postgres_url.rsplit("/", 1)
    name = f"equipoise_fresh_{uuid.uuid4().hex[:10]}"
    admin_url = postgres_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def fresh_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database: a new SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.sqlite'}"
    else:
        yield from _fresh_postgres(request.getfixturevalue("postgres_url"))
