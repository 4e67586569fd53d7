"""Response models of the service, and the body of the feature-vector route.

The scoring routes' request models are the raw data contract's (``records.ApplicantRecords``); the
feature-vector route takes ready-made features keyed by name, checked against the loaded model when
scored (a misspelt feature, a string in a numeric feature or NaN is a 400 naming the field).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, RootModel, StrictFloat, StrictStr

from .model import FeatureVectorError


class FeatureVector(RootModel[dict[str, StrictFloat | StrictStr | None]]):
    """One applicant's ready-made model features keyed by feature name (the seed's contract); null = missing."""


def feature_vector_error(error: FeatureVectorError):
    """The error as a pydantic validation error, so the service answers it as any invalid body (400)."""
    from pydantic_core import InitErrorDetails, PydanticCustomError, ValidationError

    details = [
        InitErrorDetails(
            type=PydanticCustomError("feature_vector", "{message}", {"message": str(error)}),
            loc=(error.field,) if error.field else (),
            input=error.value,
        )
    ]
    return ValidationError.from_exception_data("FeatureVector", details)


class Prediction(BaseModel):
    probability_of_default: float = Field(description="Calibrated probability of default (a default frequency), between 0 and 1.")
    decision: Literal["ACCEPTED", "REFUSED"] = Field(description="REFUSED when the probability reaches the threshold.")
    threshold: float = Field(description="Decision threshold minimising 10 x missed defaults + 1 x refused good clients.")
    model_tag: str = Field(description="The model that scored this applicant (BentoML tag, MLflow URI or Hub revision).")
    unseen_categories: list[str] = Field(
        description="Scored anyway, but flagged: label features whose value never occurred in training, then history label "
        "columns (table.column) with a value that has no share feature."
    )
    request_id: str = Field(
        description="Identifies the decision in the audit log (also the X-Request-ID response header); a client's own X-Request-ID "
        "is recorded beside it."
    )


class BatchPrediction(BaseModel):
    model_tag: str
    threshold: float
    request_id: str
    predictions: list[Prediction] = Field(description="One result per applicant, in request order.")


class Contribution(BaseModel):
    feature: str
    value: float | str | None
    contribution: float = Field(description="SHAP value in log-odds of default.")
    direction: Literal["increases_risk", "decreases_risk", "none"]


class Reason(BaseModel):
    feature: str
    text: str
    contribution: float


class Explanation(Prediction):
    base_value: float = Field(description="Expected raw score (log-odds); base_value + sum(contributions) = raw_score.")
    raw_score: float = Field(
        description="The model's raw score for this applicant: the log-odds of its score, before the (monotone) "
        "calibration that gives probability_of_default."
    )
    contributions: list[Contribution] = Field(description="Every feature's SHAP contribution, largest magnitude first.")
    reasons: list[Reason] = Field(description="For a REFUSED decision, at most four principal reasons in plain words.")


class Health(BaseModel):
    ready: bool
    model_tag: str
    model_source: str
    threshold: float
    n_features: int
    feature_spec_version: str
    mlflow_run_id: str | None
