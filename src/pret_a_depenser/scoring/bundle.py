"""Where the service's model comes from: the BentoML store, an MLflow model or a Hugging Face repository.

Each source holds the same folder, ``model.cbm`` and ``serving.json`` (``CreditScoringModel.save``):
in the BentoML model ``credit_scoring:<version>``, as the ``credit_scoring`` artifact of the MLflow
pyfunc, or at the root of a Hugging Face model repository.
"""

from __future__ import annotations

from pathlib import Path

from .model import MODEL_FILE, SERVING_FILE, CreditScoringModel

SOURCES = ("bentoml", "mlflow", "hf")
PYFUNC_ARTIFACT = "credit_scoring"


class ModelSourceError(RuntimeError):
    """The configured model cannot be found or read; the message names the source and what is missing."""


def read_model_directory(directory: Path, tag: str, source: str, mlflow_run_id: str | None = None) -> CreditScoringModel:
    for name in (MODEL_FILE, SERVING_FILE):
        if not (directory / name).is_file():
            raise ModelSourceError(f"{source} model {tag!r}: {name} is missing from {directory}")
    from catboost import CatBoostError

    try:
        return CreditScoringModel.load(directory, tag=tag, source=source, mlflow_run_id=mlflow_run_id)
    except (ValueError, KeyError, OSError, CatBoostError) as error:
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise ModelSourceError(f"{source} model {tag!r} in {directory} cannot be read: {first_line}") from error


def bentoml_model_directory(tag: str) -> tuple[Path, str]:
    """The folder and resolved tag of a model of the local BentoML store."""
    import bentoml

    try:
        model_ref = bentoml.models.get(tag)
    except bentoml.exceptions.NotFound as error:
        raise ModelSourceError(
            f"BentoML model {tag!r} is not in the local model store ({bentoml.models.BentoMLContainer.bentoml_home.get()}): "
            "run `kedro run` first, or `bentoml models import` an exported model"
        ) from error
    return Path(model_ref.path), str(model_ref.tag)


def _from_bentoml(tag: str) -> CreditScoringModel:
    directory, resolved = bentoml_model_directory(tag)
    return read_model_directory(directory, resolved, "bentoml")


def _from_mlflow(model_uri: str) -> CreditScoringModel:
    import mlflow
    from mlflow.models import Model

    try:
        local = Path(mlflow.artifacts.download_artifacts(artifact_uri=model_uri))
    except Exception as error:  # MLflow raises several types for unknown models, runs and servers
        raise ModelSourceError(
            f"MLflow model {model_uri!r} cannot be downloaded (tracking URI {mlflow.get_tracking_uri()}): {error}"
        ) from error
    mlmodel = Model.load(str(local / "MLmodel"))
    artifacts = mlmodel.flavors.get("python_function", {}).get("artifacts", {})
    if PYFUNC_ARTIFACT not in artifacts:
        raise ModelSourceError(
            f"MLflow model {model_uri!r} is not a credit_scoring model: its pyfunc has no {PYFUNC_ARTIFACT!r} artifact"
        )
    directory = (local / artifacts[PYFUNC_ARTIFACT]["path"]).resolve()
    if not directory.is_relative_to(local.resolve()):
        raise ModelSourceError(f"MLflow model {model_uri!r}: its {PYFUNC_ARTIFACT!r} artifact points outside the model folder")
    return read_model_directory(directory, f"mlflow:{model_uri}", "mlflow", mlmodel.run_id)


def _from_hugging_face(repo_id: str, revision: str | None, token: str | None) -> CreditScoringModel:
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import HfHubHTTPError, LocalEntryNotFoundError

    try:
        local = Path(
            snapshot_download(repo_id=repo_id, revision=revision, token=token, allow_patterns=[MODEL_FILE, SERVING_FILE])
        )
    except (HfHubHTTPError, LocalEntryNotFoundError, OSError) as error:
        raise ModelSourceError(
            f"Hugging Face model repository {repo_id!r} (revision {revision or 'main'}) cannot be read: {error}"
        ) from error
    return read_model_directory(local, f"hf:{repo_id}@{local.name[:12]}", "hf")


def load_scoring_model(settings: dict[str, str]) -> CreditScoringModel:
    """The model the settings point at (``source`` is ``bentoml``, ``mlflow`` or ``hf``)."""
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
