"""The one settings object: every part of equipoise reads configuration from here."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import platformdirs
from pydantic import Field
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
        description="Directory holding the public datasets (e.g. ../shared/data); "
        "unset means only the built-in quick suite is available.",
    )
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL of the results store; default: a SQLite file."
    )
    cache_dir: Path = Field(default_factory=_default_cache_dir, description="The response cache.")
    models_dir: Path = Field(
        default_factory=lambda: _default_cache_dir() / "models",
        description="Assembled embedded-model files (about 0.6 GB for the two default models).",
    )
    home: Path = Field(default_factory=_default_data_home, description="Runs and the default store.")
    models_file: Path | None = Field(default=None, description="TOML file of named model entries.")
    default_judge: str = Field(
        default="mini", description="Response judge used when --judge is not given (a judge name or model spec)."
    )

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
