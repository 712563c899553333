"""Settings from environment variables (prefix ``WASTE_TRACKER_``) or a ``.env`` file.

``DATABASE_URL`` is read without the prefix because that is what every PostgreSQL host sets.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEV_SECRET = "dev-insecure-secret-change-me-not-for-production"  # noqa: S105 - refused in production by the validator


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="WASTE_TRACKER_", env_file=".env", extra="ignore")

    env: Literal["development", "test", "production"] = "development"
    database_url: str | None = Field(default=None, validation_alias=AliasChoices("DATABASE_URL", "WASTE_TRACKER_DATABASE_URL"))
    # The role that owns the schema and runs migrations, backups and restores; the service itself
    # connects with DATABASE_URL as the application role (docs/operations.md, "Database roles").
    # Unset: migrations use DATABASE_URL too (one role; not for production).
    owner_database_url: str | None = None
    # The application role granted its privileges after every migration (waste_tracker/privileges.py).
    app_role: str = "waste_tracker_app"
    secret_key: str = DEV_SECRET
    access_token_minutes: int = 60 * 8
    # The embedded development cluster (used only when no DATABASE_URL is given).
    data_dir: Path = PROJECT_ROOT / ".data"
    local_pg_port: int = 54329
    local_db_name: str = "waste_tracker"
    # The city this deployment serves (Jiaxing): its counties fill the regulators' filters, and an
    # exemption granted by an admin is recorded as granted in it.
    home_city_adcode: int = 330400
    # Scans: how far from the site a scan may be before it is flagged.
    geofence_radius_m: float = 500.0
    public_base_url: str = "http://127.0.0.1:8000"
    max_body_bytes: int = 1_000_000
    # The scheduler (waste_tracker/schedule): every worker ticks, each job runs once per interval
    # for the whole deployment; 0 switches a job off. Anchors: finished Shanghai days are anchored
    # at the first run after midnight (and any missed day is caught up).
    sweep_interval_seconds: int = 300
    anchor_interval_seconds: int = 600
    # track_point's coming monthly partitions are made once a day (waste_tracker/track).
    track_partition_interval_seconds: int = 86400
    scheduler_tick_seconds: float = 10.0
    # How often the driver's phone records its position while a load is in transit (seconds).
    track_record_interval_seconds: int = 30
    # Log-in limits (waste_tracker/auth/limits.py). Per account and address: ``login_free_attempts``
    # failures, then each further one waits twice as long as the last (from
    # ``login_delay_base_seconds`` up to ``login_max_delay_seconds``). Per address across accounts:
    # ``login_max_attempts``; per account across addresses: ``login_account_max_attempts`` (NIST's
    # 100). Failures older than ``login_window_seconds`` are forgotten.
    login_free_attempts: int = 5
    login_delay_base_seconds: int = 2
    login_max_delay_seconds: int = 900
    login_max_attempts: int = 50
    login_account_max_attempts: int = 100
    login_window_seconds: int = 900
    # Proxies whose X-Forwarded-For is believed (addresses or networks, e.g. ["10.0.0.0/8"]).
    trusted_proxies: list[str] = []
    # Two-step verification (TOTP) is required of these roles (optional for everyone else).
    second_factor_roles: list[str] = []

    @model_validator(mode="after")
    def _refuse_dev_secret_in_production(self) -> Settings:
        if self.env == "production":
            if self.secret_key == DEV_SECRET or len(self.secret_key) < 32:
                raise ValueError(
                    "WASTE_TRACKER_SECRET_KEY must be set to a random value of at least 32 characters "
                    "in production (the development default is refused)"
                )
            if not self.database_url:
                raise ValueError("DATABASE_URL must be set in production (no embedded cluster)")
        return self

    @property
    def is_production(self) -> bool:
        return self.env == "production"


@lru_cache
def get_settings() -> Settings:
    return Settings()
