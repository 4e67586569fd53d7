"""Nodes of the serving pipeline: the inference artefact, described, saved to BentoML and logged to MLflow."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pandas as pd

from pret_a_depenser.lineage import table_digest
from pret_a_depenser.scoring import CreditScoringModel


def _short_hash(payload: bytes) -> str:
    return hashlib.sha256(payload).hexdigest()[:12]


def training_data_lineage(selected_training_set: pd.DataFrame, holdout_set: pd.DataFrame) -> dict[str, dict[str, Any]]:
    """Rows, columns and content digest of what the final model was trained on and evaluated on."""
    return {"selected_training_set": table_digest(selected_training_set), "holdout_set": table_digest(holdout_set)}


def serving_model(
    credit_scoring_model: CreditScoringModel,
    selected_training_set: pd.DataFrame,
    final_metrics: dict[str, Any],
    shap_global_importance: pd.DataFrame,
    raw_data_lineage: dict[str, dict[str, Any]],
    training_data_lineage: dict[str, dict[str, Any]],
) -> CreditScoringModel:
    """The artefact with what identifies it: ``feature_version`` hashes the model's ordered features and
    their kinds, ``data_version`` the training applicants and their targets (a change of either gives a
    new label), the digests of the raw tables and model input it comes from, with the holdout metrics
    and the ten most influential features."""
    kinds = [[name, "float"] for name in credit_scoring_model.numeric_features] + [
        [name, "string"] for name in credit_scoring_model.categorical_features
    ]
    training = selected_training_set[["SK_ID_CURR", "TARGET"]]
    return credit_scoring_model.with_metadata(
        feature_version=_short_hash(json.dumps(kinds).encode()),
        data_version=_short_hash(pd.util.hash_pandas_object(training, index=False).to_numpy().tobytes()),
        n_training_applicants=len(training),
        holdout_metrics={key: value for key, value in final_metrics.items() if isinstance(value, (int, float))},
        top_features=shap_global_importance["feature"].head(10).tolist(),
        data_digests={name: figures["digest"] for name, figures in {**raw_data_lineage, **training_data_lineage}.items()},
    )


def bento_model(serving_model: CreditScoringModel, model_card: str, registered_version: dict[str, Any]) -> dict[str, Any]:
    """The BentoML model's content; it carries its model card (and links to the MLflow copy) and the
    registry version it is (``registry_version``, with the aliases it holds)."""
    described = serving_model.with_metadata(
        registry_model=registered_version["name"],
        registry_version=registered_version["version"],
        registry_aliases=registered_version["aliases"],
    )
    return {"model": described, "model_card": model_card}


def mlflow_model(
    serving_model: CreditScoringModel, example_applicants: list[dict[str, Any]], promotion: dict[str, Any]
) -> dict[str, Any]:
    """The pyfunc's content, with a few test applicants' records as its input example and the promotion
    gate's decision (applied to the registered version when it is saved)."""
    return {"model": serving_model, "input_example": example_applicants[:2], "promotion": promotion}
