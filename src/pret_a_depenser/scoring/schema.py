"""Request and response models of the service, the request one built from the model's kept features.

Strict on purpose: a string such as ``"1.5"`` or a boolean in a numeric field, NaN/inf, an unknown
(e.g. misspelt) field or an object with none of the model's features is an error naming the field,
never a silent coercion or a silently missing feature. Null means missing (CatBoost handles it).
"""

from __future__ import annotations

import keyword
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictFloat, StrictStr, create_model, model_validator

MAX_LABEL_LENGTH = 200


class _ApplicantBase(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False, frozen=True)

    @model_validator(mode="after")
    def _has_some_feature(self) -> _ApplicantBase:
        if not self.model_fields_set:
            raise ValueError("the applicant has none of the model's features: send at least one, keyed by feature name")
        return self


def _field_name(name: str) -> str:
    reserved = name.startswith(("_", "model_")) or keyword.iskeyword(name) or hasattr(BaseModel, name)
    return f"feature_{name}" if reserved or not name.isidentifier() else name


def applicant_model(spec: dict[str, Any]) -> type[BaseModel]:
    """``Applicant``: every kept feature optional, numbers as JSON numbers, labels as strings."""
    fields: dict[str, Any] = {}
    renamed: dict[str, str] = {}
    for feature in spec["features"]:
        name = feature["name"]
        field_name = _field_name(name)
        if field_name != name:
            renamed[field_name] = name
        if feature["dtype"] == "string":
            annotation = StrictStr | None
            field = Field(default=None, alias=name, max_length=MAX_LABEL_LENGTH, examples=sorted(spec["categories"].get(name, []))[:3] or None)
        else:
            annotation = StrictFloat | None  # strict: JSON integers pass, strings and booleans do not
            field = Field(default=None, alias=name, allow_inf_nan=False)
        fields[field_name] = (annotation, field)
    model = create_model("Applicant", __base__=_ApplicantBase, __doc__="One applicant, keyed by the model's feature names; null or absent = missing.", **fields)
    model.__renamed_features__ = renamed
    return model


def applicant_values(applicant: BaseModel) -> dict[str, Any]:
    """Feature name -> value of a validated applicant (no copy unless a feature name needed an alias)."""
    renamed = applicant.__class__.__renamed_features__
    if not renamed:
        return applicant.__dict__
    return {renamed.get(field, field): value for field, value in applicant.__dict__.items()}


class Prediction(BaseModel):
    probability_of_default: float = Field(description="Estimated probability of default, between 0 and 1.")
    decision: Literal["ACCEPTED", "REFUSED"] = Field(description="REFUSED when the probability reaches the threshold.")
    threshold: float = Field(description="Decision threshold minimising 10 x missed defaults + 1 x refused good clients.")
    model_tag: str = Field(description="The model that scored this applicant (BentoML tag, MLflow URI or Hub revision).")
    unseen_categories: list[str] = Field(description="Categorical features whose value never occurred in training (scored anyway).")
    request_id: str = Field(description="Identifies the decision in the audit log (the X-Request-ID header if the client sent one).")


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
    raw_score: float = Field(description="The model's raw score (log-odds of default) for this applicant.")
    contributions: list[Contribution] = Field(description="Every feature's SHAP contribution, largest magnitude first.")
    reasons: list[Reason] = Field(description="For a REFUSED decision, at most four principal reasons in plain words.")


class Health(BaseModel):
    ready: bool
    model_tag: str
    model_source: str
    threshold: float
    n_features: int
    mlflow_run_id: str | None
