"""The credit rule, written once: the model's score -> calibrated probability of default -> ACCEPTED or
REFUSED, and the typed results every consumer reads.

The inference artefact (``CreditScoringModel``) holds one ``DecisionRule``; the service, the MLflow
pyfunc, batch scoring, holdout evaluation, explainability, the promotion gate and monitoring all decide
through it, so the model that is evaluated is the model that is served. The thresholding pipeline fits
the calibration and sweeps candidate thresholds (``business_cost.cost_curve`` counts the same rule at
each of them) before the rule exists.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from .calibration import calibrate

ACCEPTED, REFUSED = "ACCEPTED", "REFUSED"
DecisionLabel = Literal["ACCEPTED", "REFUSED"]


@dataclass(frozen=True)
class Decisions:
    """The rule applied to some applicants: one entry per applicant, in their order."""

    scores: np.ndarray  # the model's score, before calibration
    probabilities: np.ndarray  # calibrated probability of default: what the threshold applies to
    refused: np.ndarray  # bool
    threshold: float

    def __len__(self) -> int:
        return len(self.refused)

    @property
    def labels(self) -> np.ndarray:
        """ACCEPTED / REFUSED of each applicant."""
        return np.where(self.refused, REFUSED, ACCEPTED)

    @property
    def refusal_rate(self) -> float:
        return float(self.refused.mean()) if len(self) else 0.0


@dataclass(frozen=True)
class DecisionRule:
    """Calibration of the score and the threshold on the calibrated probability: REFUSED at or above it.

    ``threshold`` is None only while the thresholding pipeline calibrates out-of-fold scores to choose
    it; such a rule calibrates but cannot decide.
    """

    threshold: float | None
    calibration: dict[str, Any] | None = None  # score -> default frequency (scoring.calibration); None: the score

    def probability_of_default(self, scores: np.ndarray) -> np.ndarray:
        return calibrate(self.calibration, scores)

    def refuses(self, probabilities: np.ndarray) -> np.ndarray:
        """Whether each calibrated probability of default is refused."""
        if self.threshold is None:
            raise ValueError("this decision rule has no threshold yet: run the thresholding pipeline")
        return np.asarray(probabilities, dtype=float) >= self.threshold

    def decide(self, scores: np.ndarray) -> Decisions:
        """Score -> probability of default -> decision, for each applicant."""
        scores = np.asarray(scores, dtype=float)
        probabilities = self.probability_of_default(scores)
        return Decisions(scores, probabilities, self.refuses(probabilities), float(self.threshold))

    def decide_log_odds(self, log_odds: np.ndarray) -> Decisions:
        """``decide`` for scores given as log-odds (a SHAP explanation's base value + contributions)."""
        return self.decide(1.0 / (1.0 + np.exp(-np.asarray(log_odds, dtype=float))))


@dataclass(frozen=True)
class Decision:
    """One applicant's answer: what /predict, /predict_batch, the pyfunc and the audit log carry."""

    probability_of_default: float
    decision: DecisionLabel
    threshold: float
    model_tag: str
    unseen_categories: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class Contribution:
    feature: str
    value: float | str | None
    contribution: float  # SHAP value, log-odds of default
    direction: Literal["increases_risk", "decreases_risk", "none"]


@dataclass(frozen=True)
class Reason:
    feature: str
    text: str
    contribution: float


@dataclass(frozen=True)
class ExplainedDecision(Decision):
    """The answer with its SHAP contributions (largest first) and, if REFUSED, the principal reasons."""

    base_value: float = 0.0
    raw_score: float = 0.0  # log-odds of the score: base_value + sum of the contributions
    contributions: list[Contribution] = field(default_factory=list)
    reasons: list[Reason] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            **super().as_dict(),
            "contributions": [dict(item.__dict__) for item in self.contributions],
            "reasons": [dict(item.__dict__) for item in self.reasons],
        }
