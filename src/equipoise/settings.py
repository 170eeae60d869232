"""The one settings object: every part of equipoise reads configuration from here."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import platformdirs
from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def sqlalchemy_url(url: str) -> str:
    """The URL SQLAlchemy should open: a plain `postgresql://` URL (as psql and libpq take it)
    names the psycopg 3 driver equipoise installs, not SQLAlchemy's default psycopg2."""
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def _default_cache_dir() -> Path:
    return Path(platformdirs.user_cache_dir("equipoise"))


def _default_data_home() -> Path:
    return Path(platformdirs.user_data_dir("equipoise"))


class Settings(BaseSettings):
    """Configuration read from `EQUIPOISE_*` environment variables."""

    model_config = SettingsConfigDict(env_prefix="EQUIPOISE_", extra="ignore")

    data_dir: Path | None = Field(
        default=None,
        description="Directory holding the public datasets, filled by `equipoise data pull`; "
        "default: `data/` under `home` (the user data directory).",
    )
    data_mirror: str | None = Field(
        default=None,
        description="Base URL of a copy of a data directory (same layout): `equipoise data pull` fetches "
        "each file from MIRROR/<file> instead of its source, e.g. a team's internal server.",
    )
    data_sources_base: str | None = Field(
        default=None,
        description="Base URL standing in for the source hosts: `equipoise data pull` fetches "
        "https://HOST/PATH as BASE/HOST/PATH (an offline copy of the sources, or a test server).",
    )
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL of the results store; default: a SQLite file."
    )
    cache_dir: Path = Field(default_factory=_default_cache_dir, description="The response cache.")
    response_cache_url: str | None = Field(
        default=None,
        description="PostgreSQL URL of a response cache shared by machines (e.g. the store's, for workers "
        "on several machines); default: the SQLite file in `cache_dir`.",
    )
    models_dir: Path = Field(
        default_factory=lambda: _default_cache_dir() / "models",
        description="Assembled embedded-model files (about 0.6 GB for the two default models).",
    )
    home: Path = Field(default_factory=_default_data_home, description="Runs and the default store.")
    models_file: Path | None = Field(default=None, description="TOML file of named model entries.")
    default_judge: str = Field(
        default="mini", description="Response judge used when --judge is not given (a judge name or model spec)."
    )

    admin_token: SecretStr | None = Field(
        default=None,
        description="Token of the web app's admin routes (header `Authorization: Bearer TOKEN`); "
        "unset: admin is off and every admin route refuses.",
    )
    submissions_per_day: int = Field(
        default=5, ge=1, description="Submissions one submitter, and one client address, may make in 24 hours."
    )
    submissions_need_approval: bool = Field(
        default=False, description="New submissions wait, PENDING, until an admin approves them."
    )
    endpoint_check_timeout_s: float = Field(
        default=20.0, gt=0, description="Seconds a submitted endpoint has to answer its one test chat request."
    )

    @model_validator(mode="after")
    def _data_dir_under_home(self) -> Settings:
        # Derived from `home` rather than fixed: EQUIPOISE_HOME moves the data with the runs.
        if self.data_dir is None:
            self.data_dir = self.home / "data"
        return self

    @property
    def resolved_database_url(self) -> str:
        """The store URL: the configured one, or a SQLite file under `home`."""
        if self.database_url:
            return self.database_url
        self.home.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{self.home / 'equipoise.sqlite'}"

    @property
    def runs_dir(self) -> Path:
        """Where run directories are written by default."""
        return self.home / "runs"

    @property
    def response_cache_path(self) -> Path:
        """The persistent response cache shared by every run."""
        return self.cache_dir / "responses.sqlite"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (read once from the environment)."""
    return Settings()
