"""The serving bundle: a CatBoost model file and ``serving.json``, from BentoML, MLflow or the Hugging Face Hub.

The same two files make the BentoML model (``credit_scoring:<version>``) and the exported bundle a
Hugging Face model repository holds; an MLflow model carries the spec as MLmodel metadata instead.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MODEL_FILE = "model.cbm"
SERVING_FILE = "serving.json"
SOURCES = ("bentoml", "mlflow", "hf")


class ModelSourceError(RuntimeError):
    """The configured model cannot be found or read; the message names the source and what is missing."""


@dataclass(frozen=True)
class ServingBundle:
    """Where the model file is, the serving spec, and what identifies the model in responses."""

    model_path: Path
    spec: dict[str, Any]
    tag: str
    source: str
    mlflow_run_id: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def feature_names(self) -> list[str]:
        return [feature["name"] for feature in self.spec["features"]]

    def load_model(self):
        from catboost import CatBoostClassifier

        model = CatBoostClassifier()
        model.load_model(str(self.model_path))
        return model


def write_bundle_directory(directory: Path, model, spec: dict[str, Any]) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    model.save_model(str(directory / MODEL_FILE))
    (directory / SERVING_FILE).write_text(json.dumps(spec, indent=1))


def read_bundle_directory(directory: Path, tag: str, source: str) -> ServingBundle:
    for name in (MODEL_FILE, SERVING_FILE):
        if not (directory / name).is_file():
            raise ModelSourceError(f"{source} model {tag!r}: {name} is missing from {directory}")
    spec = json.loads((directory / SERVING_FILE).read_text())
    return ServingBundle(directory / MODEL_FILE, spec, tag, source, spec.get("mlflow_run_id"))


def _from_bentoml(tag: str) -> ServingBundle:
    import bentoml

    try:
        model_ref = bentoml.models.get(tag)
    except bentoml.exceptions.NotFound as error:
        raise ModelSourceError(
            f"BentoML model {tag!r} is not in the local model store ({bentoml.models.BentoMLContainer.bentoml_home.get()}): "
            "run `kedro run` first, or `bentoml models import` an exported model"
        ) from error
    return read_bundle_directory(Path(model_ref.path), str(model_ref.tag), "bentoml")


def _from_mlflow(model_uri: str) -> ServingBundle:
    import mlflow
    from mlflow.models import Model

    try:
        local = Path(mlflow.artifacts.download_artifacts(artifact_uri=model_uri))
    except Exception as error:  # MLflow raises several types for unknown models, runs and servers
        raise ModelSourceError(f"MLflow model {model_uri!r} cannot be downloaded (tracking URI {mlflow.get_tracking_uri()}): {error}") from error
    mlmodel = Model.load(str(local / "MLmodel"))
    spec = (mlmodel.metadata or {}).get("serving")
    if not spec or "catboost" not in mlmodel.flavors:
        raise ModelSourceError(f"MLflow model {model_uri!r} is not a credit_scoring model: its MLmodel has no catboost flavor or serving metadata")
    model_file = local / mlmodel.flavors["catboost"]["data"]
    return ServingBundle(model_file, spec, f"mlflow:{model_uri}", "mlflow", mlmodel.run_id)


def _from_hugging_face(repo_id: str, revision: str | None, token: str | None) -> ServingBundle:
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import HfHubHTTPError, LocalEntryNotFoundError

    try:
        local = Path(snapshot_download(repo_id=repo_id, revision=revision, token=token, allow_patterns=[MODEL_FILE, SERVING_FILE]))
    except (HfHubHTTPError, LocalEntryNotFoundError, OSError) as error:
        raise ModelSourceError(f"Hugging Face model repository {repo_id!r} (revision {revision or 'main'}) cannot be read: {error}") from error
    return read_bundle_directory(local, f"hf:{repo_id}@{local.name[:12]}", "hf")


def load_bundle(settings: dict[str, str]) -> ServingBundle:
    """The bundle the settings point at (``source`` is ``bentoml``, ``mlflow`` or ``hf``)."""
    source = settings.get("source", "bentoml")
    if source == "bentoml":
        return _from_bentoml(settings.get("bentoml_tag", "credit_scoring:latest"))
    if source == "mlflow":
        if not settings.get("mlflow_model_uri"):
            raise ModelSourceError("model source 'mlflow' needs a model URI, e.g. models:/credit_scoring/latest")
        return _from_mlflow(settings["mlflow_model_uri"])
    if source == "hf":
        if not settings.get("hf_repo_id"):
            raise ModelSourceError("model source 'hf' needs a Hugging Face repository id")
        return _from_hugging_face(settings["hf_repo_id"], settings.get("hf_revision") or None, settings.get("hf_token") or None)
    raise ModelSourceError(f"unknown model source {source!r}: choose one of {', '.join(SOURCES)}")
