"""The inference artefact logged to MLflow as a pyfunc and registered, e.g. as ``credit_scoring``.

The pyfunc (``scoring.pyfunc.CreditScoringPyfunc``) carries the artefact's folder as its
``credit_scoring`` artifact and the ``pret_a_depenser`` package as code, so ``mlflow models serve``
of a registered version scores Kaggle-format records as the service does; a few real applicants are
its input example, and the model's versions and holdout metrics its MLmodel metadata.
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path
from typing import Any

import mlflow
from kedro.io import AbstractDataset, DatasetError

import pret_a_depenser
from pret_a_depenser.scoring.bundle import PYFUNC_ARTIFACT

PYFUNC_ENTRY = Path(pret_a_depenser.__file__).parent / "scoring" / "pyfunc_entry.py"


class MlflowPyfuncModelDataset(AbstractDataset[dict[str, Any], dict[str, Any]]):
    """Saves ``{"model": CreditScoringModel, "input_example": [records...], "promotion": decision}`` into
    the active run and registers it; the promotion gate's decision moves the ``champion`` alias to the new
    version or sets ``challenger`` on it, with the reasons as version tags. Loads the latest registered
    version's ``{"name", "version", "run_id", "aliases"}``."""

    def __init__(self, name: str, registered_model_name: str | None = None, metadata: dict[str, Any] | None = None) -> None:
        self._name = name
        self._registered_model_name = registered_model_name
        self.metadata = metadata

    def save(self, data: dict[str, Any]) -> None:
        model = data["model"]
        with tempfile.TemporaryDirectory(prefix="credit-scoring-") as folder:
            model.save(Path(folder) / PYFUNC_ARTIFACT)
            info = mlflow.pyfunc.log_model(
                name=self._name,
                python_model=str(PYFUNC_ENTRY),  # a model from code: nothing pickled
                artifacts={PYFUNC_ARTIFACT: str(Path(folder) / PYFUNC_ARTIFACT)},
                code_paths=[str(Path(pret_a_depenser.__file__).parent)],
                input_example=data["input_example"],
                registered_model_name=self._registered_model_name,
                metadata={
                    "threshold": model.threshold,
                    **{key: value for key, value in model.metadata.items() if key not in ("tag", "source")},
                },
            )
        if self._registered_model_name and info.registered_model_version is not None:
            client = mlflow.MlflowClient()
            version = str(info.registered_model_version)
            for key, value in {**version_lineage_tags(model.metadata), **promotion_tags(data.get("promotion"))}.items():
                client.set_model_version_tag(self._registered_model_name, version, key, value)
            if data.get("promotion") is not None:
                alias = "champion" if data["promotion"]["promote"] else "challenger"
                client.set_registered_model_alias(self._registered_model_name, alias, version)

    def load(self) -> dict[str, Any]:
        if not self._registered_model_name:
            raise DatasetError(
                f"MLflow model {self._name!r} is not registered: load it from its run with mlflow.pyfunc.load_model"
            )
        client = mlflow.MlflowClient()
        newest = max(int(version.version) for version in client.search_model_versions(f"name='{self._registered_model_name}'"))
        latest = client.get_model_version(self._registered_model_name, str(newest))  # a search does not return the aliases
        return {"name": self._registered_model_name, "version": newest, "run_id": latest.run_id, "aliases": list(latest.aliases)}

    def _describe(self) -> dict[str, Any]:
        return {"name": self._name, "registered_model_name": self._registered_model_name}


def version_lineage_tags(metadata: dict[str, Any]) -> dict[str, str]:
    """What a registered version traces to: the feature spec, each input table's digest, and the commit
    of the code that trained it (``unknown`` outside a git work tree)."""
    tags = {"feature_spec_version": str(metadata.get("feature_spec_version", "")), "git_commit": _git_commit()}
    tags.update({f"data_digest.{name}": digest for name, digest in metadata.get("data_digests", {}).items()})
    return tags


def _git_commit() -> str:
    try:
        result = subprocess.run(["git", "rev-parse", "HEAD"], check=True, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    commit = result.stdout.strip()
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"], check=False, capture_output=True, text=True, timeout=10
    ).stdout.strip()
    return f"{commit}-dirty" if dirty else commit


def promotion_tags(decision: dict[str, Any] | None) -> dict[str, str]:
    """The promotion gate's verdict and reasons, as version tags."""
    if decision is None:
        return {}
    tags = {
        "promotion": "champion" if decision["promote"] else "challenger",
        "promotion_reasons": "; ".join(decision["reasons"])[:4900] or "none",
    }
    if decision.get("champion"):
        tags["compared_with"] = str(decision["champion"]["model_tag"])
    return tags
