"""Service settings, from environment variables (documented in the README's serving section)."""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

MEGABYTE = 1024 * 1024


class SettingsError(ValueError):
    """A service environment variable has a value that cannot be used; the message names it."""


def _positive_int(environ: Mapping[str, str], name: str, default: int) -> int:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name}={raw!r} is not an integer") from None
    if value <= 0:
        raise SettingsError(f"{name}={raw!r} must be positive")
    return value


def available_cpus(cgroup: Path = Path("/sys/fs/cgroup")) -> int:
    """The CPUs this process may use: its affinity mask, capped by a cgroup CPU quota (a container started
    with ``--cpus 1`` on an 8-core host has 1): ``cpu.max`` under cgroup v2, ``cpu/cpu.cfs_quota_us``
    and ``cpu/cpu.cfs_period_us`` under v1."""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    try:
        if (cgroup / "cpu.max").exists():
            quota, period = (cgroup / "cpu.max").read_text().split()[:2]
        else:
            quota, period = ((cgroup / "cpu" / name).read_text().strip() for name in ("cpu.cfs_quota_us", "cpu.cfs_period_us"))
        if quota not in ("max", "-1"):
            cpus = min(cpus, max(1, math.ceil(int(quota) / int(period))))
    except (OSError, ValueError):
        pass
    return max(cpus, 1)


@dataclass(frozen=True)
class ServiceSettings:
    model_source: str = "bentoml"  # CREDIT_SCORING_MODEL_SOURCE: bentoml | mlflow | hf
    bentoml_tag: str = "credit_scoring:latest"
    mlflow_model_uri: str = ""  # e.g. models:/credit_scoring/latest (tracking server from MLFLOW_TRACKING_URI)
    hf_repo_id: str = ""
    hf_revision: str = ""
    hf_token: str = ""
    api_key: str = ""  # empty = open access (local use)
    max_body_bytes: int = 4 * MEGABYTE  # one applicant's records (a median Kaggle history is ~25 KB)
    max_batch_body_bytes: int = 64 * MEGABYTE  # /predict_batch: up to max_batch_size applicants' records
    body_timeout: float = 10.0  # seconds to send a whole request body; past it the answer is 408
    header_timeout: float = 5.0  # seconds to send the request line and headers; past it: 408, connection closed
    max_held_body_bytes: int = 256 * MEGABYTE  # request bodies held at once (being read or scored); past it the answer is 429
    max_batch_size: int = 1000
    max_concurrency: int = 32  # requests in flight per worker beyond which the answer is 429
    max_concurrent_batches: int = 2  # /predict_batch requests in flight per worker beyond which the answer is 429
    workers: int = field(default_factory=available_cpus)  # worker processes (each loads the model; the audit log is shared)
    audit_log: str = "data/audit/decisions.sqlite"  # a SQLite file, or postgresql://user:password@host:port/database
    audit_retention_days: int = 183  # six months: the EU AI Act's minimum for high-risk systems
    audit_commit_timeout: float = 5.0  # seconds a decision waits for its audit record's commit before a 503

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> ServiceSettings:
        environ = os.environ if environ is None else environ
        return cls(
            model_source=environ.get("CREDIT_SCORING_MODEL_SOURCE", "bentoml").strip() or "bentoml",
            bentoml_tag=environ.get("CREDIT_SCORING_BENTO_MODEL", "credit_scoring:latest"),
            mlflow_model_uri=environ.get("CREDIT_SCORING_MLFLOW_MODEL_URI", ""),
            hf_repo_id=environ.get("HF_REPO_ID", ""),
            hf_revision=environ.get("HF_REVISION", ""),
            hf_token=environ.get("HF_TOKEN", ""),
            api_key=environ.get("CREDIT_SCORING_API_KEY", ""),
            max_body_bytes=_positive_int(environ, "CREDIT_SCORING_MAX_BODY_BYTES", 4 * MEGABYTE),
            max_batch_body_bytes=_positive_int(environ, "CREDIT_SCORING_MAX_BATCH_BODY_BYTES", 64 * MEGABYTE),
            body_timeout=float(_positive_int(environ, "CREDIT_SCORING_BODY_TIMEOUT", 10)),
            header_timeout=float(_positive_int(environ, "CREDIT_SCORING_HEADER_TIMEOUT", 5)),
            max_held_body_bytes=_positive_int(environ, "CREDIT_SCORING_MAX_HELD_BODY_BYTES", 256 * MEGABYTE),
            max_batch_size=_positive_int(environ, "CREDIT_SCORING_MAX_BATCH_SIZE", 1000),
            max_concurrency=_positive_int(environ, "CREDIT_SCORING_MAX_CONCURRENCY", 32),
            max_concurrent_batches=_positive_int(environ, "CREDIT_SCORING_MAX_CONCURRENT_BATCHES", 2),
            workers=_positive_int(environ, "CREDIT_SCORING_WORKERS", available_cpus()),
            audit_log=environ.get("CREDIT_SCORING_AUDIT_LOG", "").strip() or "data/audit/decisions.sqlite",
            audit_retention_days=_positive_int(environ, "CREDIT_SCORING_AUDIT_RETENTION_DAYS", 183),
            audit_commit_timeout=float(_positive_int(environ, "CREDIT_SCORING_AUDIT_COMMIT_TIMEOUT", 5)),
        )

    def model_source_settings(self) -> dict[str, str]:
        return {
            "source": self.model_source,
            "bentoml_tag": self.bentoml_tag,
            "mlflow_model_uri": self.mlflow_model_uri,
            "hf_repo_id": self.hf_repo_id,
            "hf_revision": self.hf_revision,
            "hf_token": self.hf_token,
        }
