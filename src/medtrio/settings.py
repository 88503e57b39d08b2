"""Medtrio settings: one pydantic-settings class, from `MEDTRIO_*` variables and an optional .env-style file.

Precedence: environment > config file (`MEDTRIO_CONFIG`, default `<data_dir>/medtrio.env`) > defaults.
"""

from __future__ import annotations

import os
import secrets
from functools import lru_cache
from pathlib import Path

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PLACEHOLDER_SECRETS = {"", "change-me", "changeme", "secret", "dev"}


def _config_file() -> str | None:
    path = os.environ.get("MEDTRIO_CONFIG")
    if path:
        return path
    default = Path(os.environ.get("MEDTRIO_DATA_DIR", "var")) / "medtrio.env"
    return str(default) if default.exists() else None


class Settings(BaseSettings):
    """Everything configurable about an installation."""

    model_config = SettingsConfigDict(env_prefix="MEDTRIO_", extra="ignore")

    environment: str = Field("development", description="development | production")
    data_dir: Path = Field(Path("var"), description="where the database, uploads and models live")
    database_url: str | None = Field(
        None, description="SQLAlchemy URL; default sqlite:///<data_dir>/medtrio.sqlite"
    )
    host: str = "127.0.0.1"
    port: int = 8000
    secret_key: str = Field("", description="signs session cookies; required in production")
    max_upload_mb: int = Field(25, description="uploads larger than this are refused")
    session_hours: int = 12
    llm_base_url: str | None = Field(None, description="OpenAI-compatible endpoint (optional)")
    llm_model: str | None = None
    llm_api_key: str | None = None
    llm_allow_identifiers: bool = Field(False, description="may patient identifiers be sent to the LLM")

    @model_validator(mode="after")
    def _check_secret(self) -> Settings:
        if self.secret_key.strip().lower() in PLACEHOLDER_SECRETS:
            if self.environment == "production":
                raise ValueError("MEDTRIO_SECRET_KEY must be set to a real secret in production")
            self.secret_key = _dev_secret(self.data_dir)
        return self

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'medtrio.sqlite').as_posix()}"

    @property
    def upload_dir(self) -> Path:
        return self.data_dir / "uploads"

    @property
    def model_dir(self) -> Path:
        return self.data_dir / "models"


def _dev_secret(data_dir: Path) -> str:
    """A per-installation random secret kept in the data directory, so sessions survive restarts."""
    path = data_dir / ".secret_key"
    try:
        if path.exists():
            return path.read_text().strip()
        data_dir.mkdir(parents=True, exist_ok=True)
        value = secrets.token_urlsafe(32)
        path.write_text(value)
        path.chmod(0o600)
        return value
    except OSError:
        return secrets.token_urlsafe(32)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (environment and config file read once)."""
    return Settings(_env_file=_config_file())  # type: ignore[call-arg]
