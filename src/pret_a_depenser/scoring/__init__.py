"""The inference engine: Kaggle-format records (or ready-made features) -> PD, decision and reasons.

``CreditScoringModel`` is the one artefact the pipeline, the MLflow pyfunc and the service score with.
"""

from .bundle import ModelSourceError, load_scoring_model, read_model_directory
from .decision import ACCEPTED, REFUSED, Decision, DecisionRule, Decisions, ExplainedDecision
from .model import CreditScoringModel, FeatureVectorError, ModelInputs, model_feature_order
from .records import ApplicantRecords, applicant_columns, applicant_tables

__all__ = [
    "ACCEPTED",
    "REFUSED",
    "ApplicantRecords",
    "CreditScoringModel",
    "Decision",
    "DecisionRule",
    "Decisions",
    "ExplainedDecision",
    "FeatureVectorError",
    "ModelInputs",
    "ModelSourceError",
    "applicant_columns",
    "applicant_tables",
    "load_scoring_model",
    "model_feature_order",
    "read_model_directory",
]
