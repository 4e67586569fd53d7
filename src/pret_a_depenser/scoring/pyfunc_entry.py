"""The pyfunc as MLflow's "model from code": ``log_model(python_model=<this file>)`` runs it to get the model."""

import mlflow.models

from pret_a_depenser.scoring.pyfunc import CreditScoringPyfunc

mlflow.models.set_model(CreditScoringPyfunc())
