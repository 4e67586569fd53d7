"""The web app's settings, from environment variables (documented in the README's web app section)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class AppSettings:
    service_url: str = "http://127.0.0.1:3000"  # CREDIT_SCORING_APP_SERVICE_URL: the running BentoML service
    api_key: str = ""  # CREDIT_SCORING_API_KEY: sent as a Bearer token when set
    project_path: Path = Path()  # CREDIT_SCORING_APP_PROJECT: the Kedro project whose outputs are shown
    kedro_env: str | None = None  # CREDIT_SCORING_APP_KEDRO_ENV: its Kedro environment (default: local)
    timeout: float = 10.0  # CREDIT_SCORING_APP_TIMEOUT: seconds to wait for the service

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> AppSettings:
        environ = os.environ if environ is None else environ
        timeout = environ.get("CREDIT_SCORING_APP_TIMEOUT", "").strip()
        return cls(
            service_url=(environ.get("CREDIT_SCORING_APP_SERVICE_URL", "").strip() or cls.service_url).rstrip("/"),
            api_key=environ.get("CREDIT_SCORING_API_KEY", ""),
            project_path=Path(environ.get("CREDIT_SCORING_APP_PROJECT", "").strip() or ".").resolve(),
            kedro_env=environ.get("CREDIT_SCORING_APP_KEDRO_ENV", "").strip() or None,
            timeout=float(timeout) if timeout else cls.timeout,
        )
