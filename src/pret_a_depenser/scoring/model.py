"""The inference artefact: from Kaggle-format records (or ready-made features) to a decision and its reasons.

One object carries everything a decision depends on: the fitted feature spec, the kept features, the
CatBoost model, the calibration of its score, the decision threshold and the reason texts. The pipeline's holdout evaluation,
explainability, batch scoring and monitoring, the MLflow pyfunc and the BentoML service all score
through it, so training and serving prepare the model's input one way only:

records --(records.applicant_columns)--> raw tables --(features.transform, the spec)--> feature rows
--(kept features: numbers as float32, labels as strings)--> CatBoost --> score --(the decision rule:
calibration, then threshold)--> PD and decision. SHAP contributions explain the score (its log-odds); the
calibration is monotone, so a contribution that raises the score raises the PD. Every consumer decides
through ``decide`` / ``score_inputs`` / ``explain_inputs``, never by comparing a PD with the threshold
itself.

The model's input is laid out numbers first, then labels (CatBoost's ``FeaturesData``), so a request
builds no DataFrame. Saved as a folder: ``model.cbm`` (CatBoost's own format) and ``serving.json``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import polars as pl
from catboost import CatBoostClassifier, FeaturesData, Pool

from pret_a_depenser.constants import APPLICANT_KEY, DAYS_PER_YEAR
from pret_a_depenser.features import FeatureRows, RawTable, feature_plan, planned_application_inputs, transform
from pret_a_depenser.raw_contract import RAW_TABLES, TABLE_FILES

from .decision import Contribution, Decision, DecisionRule, Decisions, ExplainedDecision, Reason
from .records import MISSING_LABEL, applicant_columns

MODEL_FILE = "model.cbm"
SERVING_FILE = "serving.json"
LOAD_KEYS = ("tag", "source")  # metadata set when loaded, never saved


class FeatureVectorError(ValueError):
    """A ready-made feature vector that does not fit the model; the message names the field."""

    def __init__(self, message: str, field: str = "", value: Any = None) -> None:
        super().__init__(message)
        self.field = field
        self.value = value


def model_feature_order(kept_features: Sequence[str], categorical_features: Sequence[str]) -> list[str]:
    """The model's input columns: the kept numeric features, then the kept labels, each in kept order."""
    labels = set(categorical_features)
    return [name for name in kept_features if name not in labels] + [name for name in kept_features if name in labels]


def label_strings(values: Sequence[Any] | np.ndarray) -> list[str]:
    """Labels as the model takes them: strings, a missing one as ``MISSING_LABEL``."""
    return [
        MISSING_LABEL if value is None or (isinstance(value, float) and math.isnan(value)) else str(value) for value in values
    ]


@dataclass(frozen=True)
class ModelInputs:
    """The model's input for some applicants: numbers (applicants x numeric) float32, labels (applicants x labels) str."""

    applicants: np.ndarray
    numbers: np.ndarray
    labels: np.ndarray
    unseen_history: list[list[str]] | None = None  # per applicant, ``table.column`` of history labels without a share feature

    def __len__(self) -> int:
        return len(self.applicants)

    def take(self, positions: np.ndarray | Sequence[int]) -> ModelInputs:
        unseen = [self.unseen_history[position] for position in positions] if self.unseen_history is not None else None
        return ModelInputs(self.applicants[positions], self.numbers[positions], self.labels[positions], unseen)


@dataclass(frozen=True)
class CreditScoringModel:
    """The credit-scoring model and what turns records into its decision."""

    model: CatBoostClassifier
    feature_spec: dict[str, Any]
    numeric_features: list[str]
    categorical_features: list[str]
    categories: dict[str, list[str]]
    threshold: float
    reason_texts: dict[str, str]
    max_reasons: int
    metadata: dict[str, Any] = field(default_factory=dict)
    calibration: dict[str, Any] | None = None  # score -> default frequency (scoring.calibration); None: the score
    rule: DecisionRule = field(init=False, repr=False, compare=False)  # the threshold and calibration, as the one rule
    # the fitted spec restricted to the model's features: what a request's records are transformed with
    planned_spec: dict[str, Any] = field(init=False, repr=False, compare=False)
    # the application columns the plan reads: all a request's application table is built with
    application_columns: list[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if list(self.model.feature_names_) != self.features:
            raise ValueError("the CatBoost model's features differ from the artefact's numeric-then-label features")
        object.__setattr__(self, "rule", DecisionRule(self.threshold, self.calibration))
        object.__setattr__(self, "planned_spec", feature_plan(self.feature_spec, self.features))
        application = RAW_TABLES[TABLE_FILES["application"]][0]
        object.__setattr__(self, "application_columns", planned_application_inputs(frozenset(self.features), application))
        object.__setattr__(self, "_known_labels", [frozenset(self.categories[name]) for name in self.categorical_features])
        share_levels = [  # a missing label (None) is no unseen level
            (table, column, frozenset([*levels, None]))
            for table, columns in self.feature_spec.get("category_levels", {}).items()
            for column, levels in columns.items()
        ]
        object.__setattr__(self, "_share_levels", share_levels)

    @property
    def features(self) -> list[str]:
        return [*self.numeric_features, *self.categorical_features]

    # ------------------------------------------------------------------ inputs
    def inputs_from_rows(self, rows: FeatureRows) -> ModelInputs:
        """Kept features of transformed rows, in the rows' applicant order."""
        labels = rows.application.labels
        return ModelInputs(rows.applicants, rows.matrix(self.numeric_features), self._label_matrix(labels, len(rows.applicants)))

    def _label_matrix(self, frame: RawTable, height: int) -> np.ndarray:
        """(applicants, labels) object array of the kept label features of ``frame``, as the model takes them."""
        matrix = np.empty((height, len(self.categorical_features)), dtype=object)
        for position, name in enumerate(self.categorical_features):
            matrix[:, position] = label_strings(frame.get_column(name).cast(pl.String).to_list())
        return matrix

    def inputs_from_tables(self, tables: Mapping[str, RawTable]) -> ModelInputs:
        """Raw Kaggle-format tables (``application`` and any history table) through the fitted transform,
        computing the model's features only (``planned_spec``; the same values as the full transform)."""
        return self.inputs_from_rows(transform(tables, self.planned_spec))

    def inputs_from_records(self, applicants: Sequence[Any]) -> ModelInputs:
        """Validated ``ApplicantRecords``, in request order."""
        tables = applicant_columns(applicants, self.application_columns)
        inputs = self.inputs_from_tables(tables)
        position = {applicant: row for row, applicant in enumerate(inputs.applicants.tolist())}
        ordered = inputs.take(np.array([position[applicant.application.SK_ID_CURR] for applicant in applicants], dtype=np.int64))
        # history label columns with a value that has no share feature (never seen in training, or too
        # rare): looked for in the whole request's columns, then, if any, applicant by applicant
        unseen = [
            (table, column, levels)
            for table, column, levels in self._share_levels
            if not set(tables[table][column].to_numpy().tolist()) <= levels
        ]
        return replace(ordered, unseen_history=[self._unseen_history(applicant, unseen) for applicant in applicants])

    @staticmethod
    def _unseen_history(applicant: Any, unseen: list[tuple[str, str, frozenset]]) -> list[str]:
        return [
            f"{table}.{column}"
            for table, column, levels in unseen
            if not {getattr(row, column) for row in getattr(applicant, table, ())} <= levels
        ]

    def inputs_from_frame(self, frame: pd.DataFrame | pl.DataFrame) -> ModelInputs:
        """A feature table with the kept features (e.g. ``model_input_train``), in its row order."""
        missing = [name for name in self.features if name not in frame.columns]
        if missing:
            raise FeatureVectorError(
                f"the feature table lacks {len(missing)} of the model's features, e.g. {missing[:5]}: rebuild it with data_processing"
            )
        if isinstance(frame, pd.DataFrame):  # only the columns scored: a model input table has ~1,800
            frame = pl.from_pandas(frame[[name for name in (APPLICANT_KEY, *self.features) if name in frame.columns]])
        numbers = (
            frame.select(self.numeric_features).cast(pl.Float32).to_numpy()
            if self.numeric_features
            else np.empty((frame.height, 0), np.float32)
        )
        label_matrix = self._label_matrix(frame, frame.height)
        applicants = frame.get_column(APPLICANT_KEY).to_numpy() if APPLICANT_KEY in frame.columns else np.arange(frame.height)
        return ModelInputs(applicants, np.ascontiguousarray(numbers, dtype=np.float32), label_matrix)

    def inputs_from_vectors(self, vectors: Sequence[Mapping[str, Any]]) -> ModelInputs:
        """Ready-made feature vectors keyed by feature name (null or absent: missing); a field the model
        does not know, a label in a numeric feature or a number in a label is an error naming it."""
        numeric_position = {name: position for position, name in enumerate(self.numeric_features)}
        label_position = {name: position for position, name in enumerate(self.categorical_features)}
        numbers = np.full((len(vectors), len(self.numeric_features)), np.nan, dtype=np.float32)
        labels = np.full((len(vectors), len(self.categorical_features)), MISSING_LABEL, dtype=object)
        for row, vector in enumerate(vectors):
            given = 0
            for name, value in vector.items():
                if name in numeric_position:
                    if value is not None:
                        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                            raise FeatureVectorError(
                                f"[{row}].{name}: a finite JSON number or null is expected, got {value!r}", name, value
                            )
                        numbers[row, numeric_position[name]] = value
                        given += 1
                elif name in label_position:
                    if value is not None:
                        if not isinstance(value, str):
                            raise FeatureVectorError(
                                f"[{row}].{name}: a label (JSON string) or null is expected, got {value!r}", name, value
                            )
                        labels[row, label_position[name]] = value
                        given += 1
                else:
                    raise FeatureVectorError(f"[{row}].{name}: not one of the model's {len(self.features)} features", name, value)
            if not given:
                raise FeatureVectorError(f"[{row}]: the feature vector has none of the model's features with a value")
        return ModelInputs(np.arange(len(vectors)), numbers, labels)

    # ------------------------------------------------------------------ scoring
    def _pool(self, inputs: ModelInputs) -> Pool:
        labels = np.empty(inputs.labels.shape, dtype=object)  # CatBoost takes labels as UTF-8 bytes
        labels[...] = [[label.encode() for label in row] for row in inputs.labels.tolist()]
        data = FeaturesData(
            num_feature_data=np.ascontiguousarray(inputs.numbers, dtype=np.float32),
            cat_feature_data=labels if self.categorical_features else None,
            num_feature_names=self.numeric_features,
            cat_feature_names=self.categorical_features or None,
        )
        return Pool(data)

    def raw_scores(self, inputs: ModelInputs) -> np.ndarray:
        """The model's score of each applicant, before calibration (one thread: the
        service scores from several)."""
        if not len(inputs):
            return np.empty(0)
        return self.model.predict_proba(self._pool(inputs), thread_count=1)[:, 1]

    def decide(self, inputs: ModelInputs) -> Decisions:
        """Score, calibrated probability of default and decision of each applicant, by the artefact's rule."""
        return self.rule.decide(self.raw_scores(inputs))

    def unseen_categories(self, inputs: ModelInputs, row: int) -> list[str]:
        """Label features whose value never occurred in training, then history label columns
        (``table.column``) with a value that has no share feature: scored, but flagged."""
        values = inputs.labels[row]
        unseen = [
            name
            for name, value, known in zip(self.categorical_features, values, self._known_labels, strict=True)
            if value != MISSING_LABEL and value not in known
        ]
        return unseen + inputs.unseen_history[row] if inputs.unseen_history is not None else unseen

    def score_inputs(self, inputs: ModelInputs) -> list[Decision]:
        decisions, tag = self.decide(inputs), self.tag
        return [
            Decision(float(probability), label, decisions.threshold, tag, self.unseen_categories(inputs, row))
            for row, (probability, label) in enumerate(
                zip(decisions.probabilities.tolist(), decisions.labels.tolist(), strict=True)
            )
        ]

    def score(self, applicants: Sequence[Any]) -> list[Decision]:
        """One result per validated ``ApplicantRecords``, in order."""
        return self.score_inputs(self.inputs_from_records(applicants))

    def score_table(self, inputs: ModelInputs) -> pd.DataFrame:
        """SK_ID_CURR, probability of default, decision and unseen labels of many applicants at once."""
        decisions = self.decide(inputs)
        return pd.DataFrame(
            {
                APPLICANT_KEY: inputs.applicants,
                "probability_of_default": decisions.probabilities,
                "decision": decisions.labels,
                "threshold": decisions.threshold,
                "model_tag": self.tag,
                "unseen_categories": [";".join(self.unseen_categories(inputs, row)) for row in range(len(inputs))],
            }
        )

    # ------------------------------------------------------------------ explanations
    def shap_values(self, inputs: ModelInputs) -> tuple[np.ndarray, np.ndarray]:
        """SHAP contributions (applicants x features, log-odds) and base values, from CatBoost's TreeSHAP:
        base value + contributions = the raw score of each applicant."""
        values = self.model.get_feature_importance(
            data=self._pool(inputs), type="ShapValues", shap_mode="NoPreCalc", thread_count=1
        )
        return values[:, :-1], values[:, -1]

    def explain_inputs(self, inputs: ModelInputs) -> list[ExplainedDecision]:
        """Decision, every feature's contribution (largest first) and, if REFUSED, the principal reasons."""
        contributions, base_values = self.shap_values(inputs)
        raw_scores = base_values + contributions.sum(axis=1)
        decisions = self.rule.decide_log_odds(raw_scores)
        explanations = []
        for row in range(len(inputs)):
            values = [*inputs.numbers[row].tolist(), *inputs.labels[row].tolist()]
            order = np.argsort(-np.abs(contributions[row]), kind="stable")
            listed = [
                Contribution(
                    self.features[position],
                    _json_value(values[position]),
                    float(contributions[row, position]),
                    _direction(contributions[row, position]),
                )
                for position in order
            ]
            refused = bool(decisions.refused[row])
            reasons = []
            if refused:
                reasons = [
                    Reason(
                        item.feature,
                        f"{self.reason_texts[item.feature]} ({_describe(item.feature, item.value)}) raises the estimated risk",
                        item.contribution,
                    )
                    for item in listed
                    if item.contribution > 0
                ][: self.max_reasons]
            explanations.append(
                ExplainedDecision(
                    probability_of_default=float(decisions.probabilities[row]),
                    decision=str(decisions.labels[row]),
                    threshold=decisions.threshold,
                    model_tag=self.tag,
                    unseen_categories=self.unseen_categories(inputs, row),
                    base_value=float(base_values[row]),
                    raw_score=float(raw_scores[row]),
                    contributions=listed,
                    reasons=reasons,
                )
            )
        return explanations

    def explain(self, applicants: Sequence[Any]) -> list[ExplainedDecision]:
        return self.explain_inputs(self.inputs_from_records(applicants))

    def feature_values(self, inputs: ModelInputs, row: int) -> dict[str, Any]:
        """The kept features of one applicant by name (JSON values: null for missing), e.g. for the audit log."""
        values = [*inputs.numbers[row].tolist(), *inputs.labels[row].tolist()]
        return {name: _json_value(value) for name, value in zip(self.features, values, strict=True)}

    # ------------------------------------------------------------------ identity and storage
    @property
    def tag(self) -> str:
        """What identifies the model in responses: BentoML tag, MLflow URI or Hub revision."""
        return str(self.metadata.get("tag", "credit_scoring"))

    @property
    def source(self) -> str:
        return str(self.metadata.get("source", "pipeline"))

    @property
    def mlflow_run_id(self) -> str | None:
        return self.metadata.get("mlflow_run_id")

    def with_metadata(self, **metadata: Any) -> CreditScoringModel:
        return replace(self, metadata={**self.metadata, **metadata})

    def serving_spec(self) -> dict[str, Any]:
        """Everything besides the CatBoost file, as plain JSON."""
        return {
            "numeric_features": self.numeric_features,
            "categorical_features": self.categorical_features,
            "categories": self.categories,
            "missing_label": MISSING_LABEL,
            "threshold": self.threshold,
            "reason_texts": self.reason_texts,
            "max_reasons": self.max_reasons,
            "feature_spec": self.feature_spec,
            "calibration": self.calibration,
            "metadata": {key: value for key, value in self.metadata.items() if key not in LOAD_KEYS},
        }

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.model.save_model(str(directory / MODEL_FILE))
        (directory / SERVING_FILE).write_text(json.dumps(self.serving_spec(), indent=1))

    @classmethod
    def load(cls, directory: Path, **loaded: Any) -> CreditScoringModel:
        """The artefact saved in ``directory``; ``loaded`` says where it was loaded from (``tag``,
        ``source``, ``mlflow_run_id``)."""
        spec = json.loads((directory / SERVING_FILE).read_text())
        model = CatBoostClassifier()
        model.load_model(str(directory / MODEL_FILE))
        metadata = {**spec.get("metadata", {}), **{key: value for key, value in loaded.items() if value is not None}}
        return cls(
            model=model,
            feature_spec=spec["feature_spec"],
            numeric_features=spec["numeric_features"],
            categorical_features=spec["categorical_features"],
            categories=spec["categories"],
            threshold=float(spec["threshold"]),
            reason_texts=spec["reason_texts"],
            max_reasons=int(spec["max_reasons"]),
            metadata=metadata,
            calibration=spec.get("calibration"),
        )


def _json_value(value: Any) -> Any:
    if value == MISSING_LABEL or (isinstance(value, float) and math.isnan(value)):
        return None
    return value


def _direction(contribution: float) -> str:
    return "increases_risk" if contribution > 0 else "decreases_risk" if contribution < 0 else "none"


def _describe(feature: str, value: Any) -> str:
    if value is None:
        return "not provided"
    if isinstance(value, float) and feature.startswith("DAYS_"):  # day offsets before the application
        return f"{abs(value) / DAYS_PER_YEAR:.1f} years"
    if isinstance(value, float):
        return f"value {value:.4g}"
    return f"value {value!r}"
