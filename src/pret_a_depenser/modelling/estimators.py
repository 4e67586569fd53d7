"""The benchmarked classifiers, each with the preprocessing it needs and its class-imbalance handling.

Label columns (strings) are one-hot encoded for the linear and neural models, ordinal-encoded for the
tree ensembles and passed natively to CatBoost (missing labels become ``missing_label``, since CatBoost
refuses NaN in categorical features).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from catboost import CatBoostClassifier
from lightgbm import LGBMClassifier
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import RandomForestClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, OrdinalEncoder, StandardScaler
from xgboost import XGBClassifier

from pret_a_depenser.scoring.records import MISSING_LABEL

# How each model handles the ~8 % defaults (reported with the benchmark).
IMBALANCE_HANDLING = {
    "logistic_regression": "class_weight=balanced",
    "random_forest": "class_weight=balanced_subsample",
    "lightgbm": "class_weight=balanced",
    "xgboost": "scale_pos_weight=negatives/positives",
    "catboost": "auto_class_weights=Balanced",
    "mlp": "none in the loss; the business threshold compensates",
}


def label_columns(frame: pd.DataFrame) -> list[str]:
    return [name for name in frame.columns if not pd.api.types.is_numeric_dtype(frame[name])]


def catboost_frame(features: pd.DataFrame, categorical_features: list[str]) -> pd.DataFrame:
    """Features as CatBoost takes them: labels as strings, missing labels as ``MISSING_LABEL``."""
    return features.assign(
        **{name: features[name].astype("string").fillna(MISSING_LABEL).astype(str) for name in categorical_features}
    )


def _scaled_one_hot(numeric: list[str], categorical: list[str]) -> ColumnTransformer:
    return ColumnTransformer(
        [
            ("numeric", make_pipeline(SimpleImputer(strategy="median", keep_empty_features=True), StandardScaler()), numeric),
            (
                "labels",
                make_pipeline(
                    SimpleImputer(strategy="constant", fill_value=MISSING_LABEL),
                    OneHotEncoder(handle_unknown="ignore", min_frequency=20),
                ),
                categorical,
            ),
        ]
    )


def _ordinal(numeric: list[str], categorical: list[str]) -> ColumnTransformer:
    encoder = OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1, encoded_missing_value=-1)
    return ColumnTransformer([("numeric", "passthrough", numeric), ("labels", encoder, categorical)])


def catboost_classifier(categorical_features: list[str], hyperparameters: dict[str, Any], seed: int) -> CatBoostClassifier:
    """The project's CatBoost: seeded, silent, no files written next to the run; balanced class weights
    unless the hyperparameters set ``auto_class_weights`` (the tuned and final models: none)."""
    return CatBoostClassifier(
        cat_features=categorical_features,
        random_seed=seed,
        verbose=False,
        allow_writing_files=False,
        **{"auto_class_weights": "Balanced", **hyperparameters},
    )


def model_factory(name: str, hyperparameters: dict[str, Any], seed: int):
    """``make_model(features, y)`` for out_of_fold_predictions: a fresh estimator for each fold."""
    return lambda features, y: build_model(name, hyperparameters, features, y, seed)


def build_model(name: str, hyperparameters: dict[str, Any], features: pd.DataFrame, y: np.ndarray, seed: int) -> Pipeline:
    """An unfitted estimator for these features; ``y`` only sets the positive-class weight of XGBoost."""
    categorical = label_columns(features)
    numeric = [column for column in features.columns if column not in categorical]
    params = dict(hyperparameters or {})
    if name == "logistic_regression":
        model = LogisticRegression(class_weight="balanced", random_state=seed, **params)
        return Pipeline([("prepare", _scaled_one_hot(numeric, categorical)), ("model", model)])
    if name == "mlp":
        model = MLPClassifier(random_state=seed, **params)
        return Pipeline([("prepare", _scaled_one_hot(numeric, categorical)), ("model", model)])
    if name == "random_forest":
        model = RandomForestClassifier(class_weight="balanced_subsample", random_state=seed, **params)
        return Pipeline([("prepare", _ordinal(numeric, categorical)), ("model", model)])
    if name == "lightgbm":
        model = LGBMClassifier(class_weight="balanced", random_state=seed, verbose=-1, **params)
        return Pipeline([("prepare", _ordinal(numeric, categorical)), ("model", model)])
    if name == "xgboost":
        negatives, positives = float((y == 0).sum()), float(max((y == 1).sum(), 1))
        model = XGBClassifier(scale_pos_weight=negatives / positives, random_state=seed, **params)
        return Pipeline([("prepare", _ordinal(numeric, categorical)), ("model", model)])
    if name == "catboost":
        model = catboost_classifier(categorical, params, seed)
        to_catboost = FunctionTransformer(
            catboost_frame, kw_args={"categorical_features": categorical}, feature_names_out="one-to-one"
        )
        return Pipeline([("prepare", to_catboost), ("model", model)])
    raise ValueError(f"Unknown model '{name}' in benchmarking.models; expected one of {sorted(IMBALANCE_HANDLING)}")
