"""The credit-scoring model as an MLflow pyfunc: ``predict`` answers a probability of default and a decision.

Its input is the service's request contract, a list of applicants as Kaggle records
(``{"application": {...}, "bureau": [...], ...}``), validated by the same models; its output one row
per applicant: SK_ID_CURR, probability_of_default, decision, threshold, unseen_categories. So
``mlflow models serve`` of a registered version answers as ``POST /predict_batch`` does.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import mlflow.pyfunc
from pydantic import TypeAdapter

from .bundle import PYFUNC_ARTIFACT
from .model import CreditScoringModel
from .records import ApplicantRecords

APPLICANTS = TypeAdapter(list[ApplicantRecords])


class CreditScoringPyfunc(mlflow.pyfunc.PythonModel):
    def load_context(self, context: mlflow.pyfunc.PythonModelContext) -> None:
        self.scoring_model = CreditScoringModel.load(Path(context.artifacts[PYFUNC_ARTIFACT]), source="mlflow")

    # list[dict[str, Any]]: MLflow passes the records through as they are (its schema cannot express the
    # nested optional records, so it warns once that Any is not validated); the records' own pydantic
    # models validate them here.
    def predict(
        self, context: mlflow.pyfunc.PythonModelContext, model_input: list[dict[str, Any]], params: dict[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        applicants = APPLICANTS.validate_python(model_input)
        results = self.scoring_model.score(applicants)
        return [
            {
                "SK_ID_CURR": applicant.application.SK_ID_CURR,
                **{key: value for key, value in result.as_dict().items() if key != "model_tag"},
            }
            for applicant, result in zip(applicants, results, strict=True)
        ]
