"""The project's parameters as typed models, checked once when a run starts.

``conf/*/parameters*.yml`` (and ``--params``) must match these models: a misspelt key, a missing one or a
value of the wrong type stops the run before any node, naming the key. Nodes still receive plain dicts
(``params:tuning``), as Kedro and kedro-mlflow's parameter logging expect, but may trust their types.
Free-form blocks (a model's hyperparameters, the reason texts) are typed as mappings only.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

Share = Annotated[float, Field(ge=0, le=1)]
PositiveInt = Annotated[int, Field(gt=0)]
Days = Annotated[int, Field(gt=0)]


class ParameterError(ValueError):
    """The run's parameters do not match ``pret_a_depenser.parameters``."""


class _Block(BaseModel):
    # strict: "1.5" is not 1.5 and 1.5 is not 1; an int is still a valid float
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class BusinessCost(_Block):
    fn_cost: Annotated[float, Field(ge=0)]
    fp_cost: Annotated[float, Field(ge=0)]
    threshold_step: Annotated[float, Field(gt=0, lt=1)]


class Split(_Block):
    holdout_share: Annotated[float, Field(gt=0, lt=1)]
    n_folds: Annotated[int, Field(ge=2)]


class Benchmarking(_Block):
    sample_size: PositiveInt
    models: dict[Literal["logistic_regression", "random_forest", "lightgbm", "xgboost", "catboost", "mlp"], dict[str, Any]]


class RecentDays(_Block):
    recent_days: Days


class RecentMonths(_Block):
    recent_months: Annotated[int, Field(gt=0)]


class BureauFeatures(RecentDays):
    max_days_back: Days


class FeatureDefinition(_Block):
    statistics: list[Literal["min", "max", "mean", "sum", "var"]]
    max_category_levels: PositiveInt
    days_sentinel: int
    unknown_labels: list[str]
    bureau: BureauFeatures
    previous_application: RecentDays
    pos_cash: RecentMonths
    installments: RecentDays
    credit_card: RecentMonths


class RawValidation(_Block):
    max_orphan_share: Share


class ExampleApplicants(_Block):
    n_examples: PositiveInt
    n_candidates: PositiveInt


class DataProcessing(_Block):
    validation: RawValidation
    examples: ExampleApplicants
    features: FeatureDefinition


class Explainability(_Block):
    sample_size: PositiveInt
    max_display: PositiveInt
    local_examples_per_decision: Annotated[int, Field(ge=0)]


class FeatureSelection(_Block):
    n_features: PositiveInt
    n_candidates: PositiveInt
    max_correlation: Annotated[float, Field(gt=0, le=1)]
    correlation_sample: PositiveInt
    ranking_sample: PositiveInt
    comparison_sample: PositiveInt
    ranker: dict[str, Any]


class FinalModel(_Block):
    calibration_bins: Annotated[int, Field(ge=2)]


class Fairness(_Block):
    age_band_edges: Annotated[list[float], Field(min_length=2)]
    min_group_size: PositiveInt


class ModelCard(_Block):
    model_name: str
    intended_use: str
    limitations: list[str]


class GenerateData(_Block):
    n_applicants: PositiveInt
    chunk_size: PositiveInt
    progress: bool


class Monitoring(_Block):
    current_source: Literal["audit_log", "test_applicants"]
    max_reference_rows: PositiveInt
    psi_bins: Annotated[int, Field(ge=2)]
    psi_watch: Annotated[float, Field(gt=0)]
    psi_act: Annotated[float, Field(gt=0)]
    p_value: Annotated[float, Field(gt=0, lt=1)]
    min_current_rows: PositiveInt
    report_max_features: PositiveInt

    @model_validator(mode="after")
    def _watch_before_act(self) -> Monitoring:
        if self.psi_watch > self.psi_act:
            raise ValueError(f"psi_watch ({self.psi_watch}) must not exceed psi_act ({self.psi_act})")
        return self


class OutcomeMonitoring(_Block):
    period: Literal["W", "M", "Q"]
    cost_margin: Annotated[float, Field(ge=0)]


class ReasonTexts(_Block):
    sources: dict[str, str]
    subsets: dict[str, str]
    statistics: dict[str, str]
    measures: dict[str, str]


class Serving(_Block):
    max_reasons: PositiveInt
    reason_texts: ReasonTexts


class Promotion(_Block):
    max_cost_increase: Annotated[float, Field(ge=0)]
    max_auc_decrease: Annotated[float, Field(ge=0)]
    min_approval_rate_ratio: Share
    fairness_attributes: list[str]


class Thresholding(_Block):
    oof_folds: Annotated[int, Field(ge=2)] | None = None
    early_stopping_rounds: PositiveInt
    bootstrap_samples: PositiveInt
    interval_level: Annotated[float, Field(gt=0, lt=1)]
    calibration: Literal["platt", "isotonic", "none"]


class SearchDimension(_Block):
    type: Literal["int", "float", "categorical"]
    low: int | float | None = None
    high: int | float | None = None
    step: int | None = None
    log: bool = False
    choices: list[Any] | None = None

    @model_validator(mode="after")
    def _bounds_or_choices(self) -> SearchDimension:
        if self.type == "categorical" and not self.choices:
            raise ValueError("a categorical dimension needs choices")
        if self.type != "categorical" and (self.low is None or self.high is None or self.low > self.high):
            raise ValueError(f"an {self.type} dimension needs low <= high")
        if self.type == "int" and not (isinstance(self.low, int) and isinstance(self.high, int)):
            raise ValueError("an int dimension needs int bounds")
        return self


class Tuning(_Block):
    study_name: str
    storage: str | None
    n_trials: PositiveInt
    timeout: Annotated[float, Field(gt=0)] | None
    sample_size: PositiveInt
    validation_folds: Annotated[int, Field(ge=1)]
    pruner_startup_trials: Annotated[int, Field(ge=0)]
    progress: bool
    early_stopping_rounds: PositiveInt
    fixed: dict[str, Any]
    search_space: dict[str, SearchDimension]


class BatchScoring(_Block):
    chunk_size: PositiveInt


class ProjectParameters(_Block):
    seed: Annotated[int, Field(ge=0)]
    business_cost: BusinessCost
    split: Split
    protected_attributes: list[str]
    batch_scoring: BatchScoring
    benchmarking: Benchmarking
    data_processing: DataProcessing
    explainability: Explainability
    feature_selection: FeatureSelection
    final_model: FinalModel
    fairness: Fairness
    model_card: ModelCard
    generate_data: GenerateData
    monitoring: Monitoring
    outcome_monitoring: OutcomeMonitoring
    serving: Serving
    promotion: Promotion
    thresholding: Thresholding
    tuning: Tuning


def _location(error: dict[str, Any]) -> str:
    return ".".join(str(part) for part in error["loc"] if not str(part).startswith("function-after"))


def validate_parameters(parameters: dict[str, Any]) -> ProjectParameters:
    """The parameters as typed models; a ``ParameterError`` lists every key that is unknown, missing or mistyped."""
    try:
        return ProjectParameters.model_validate(parameters)
    except ValidationError as error:
        problems = []
        for detail in error.errors():
            message = "unknown key" if detail["type"] == "extra_forbidden" else detail["msg"]
            value = "" if detail["type"] in ("extra_forbidden", "missing") else f" (got {detail['input']!r})"
            problems.append(f"{_location(detail) or '<root>'}: {message}{value}")
        raise ParameterError(
            "Parameters (conf/*/parameters*.yml and --params) do not match pret_a_depenser/parameters.py:\n  "
            + "\n  ".join(problems)
        ) from None
