"""BentoML service of pret-a-depenser: `bentoml serve` from the project root.

The model comes from the local BentoML store (``credit_scoring:latest``, saved by the default
``kedro run``), or from an MLflow model URI / registry name or a Hugging Face Hub repository
(``CREDIT_SCORING_MODEL_SOURCE``; every setting is listed in the README). The HTTP layer only
validates and calls ``CreditScorer``, the code the batch pipeline also scores with.
"""

from __future__ import annotations

import gc
import importlib.util
import logging
import sys
import time
import uuid
from pathlib import Path
from typing import Annotated

import bentoml
from pydantic import Field, RootModel, ValidationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

if importlib.util.find_spec("pret_a_depenser") is None:  # inside a Bento the package sits in src/ next to this file
    sys.path.insert(0, str(Path(__file__).resolve().parent / "src"))

from pret_a_depenser.scoring import CreditScorer, load_bundle, metrics
from pret_a_depenser.scoring.audit import DecisionAuditLog
from pret_a_depenser.scoring.http import (
    ApiKeyMiddleware,
    BodySizeLimitMiddleware,
    JsonContentTypeMiddleware,
    install_timeout_middleware_fix,
)
from pret_a_depenser.scoring.schema import BatchPrediction, Explanation, Health, Prediction, applicant_model, applicant_values
from pret_a_depenser.scoring.settings import ServiceSettings

logger = logging.getLogger("bentoml.service.credit_scoring")


class ClientErrorLogFilter(logging.Filter):
    """BentoML logs every rejected request at ERROR with a traceback; a client's invalid input is
    answered with a 400 naming the field, so it is logged as one INFO line instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, ValidationError):
            record.levelno, record.levelname = logging.INFO, "INFO"
            record.msg, record.args, record.exc_info, record.exc_text = "%s rejected: %d validation error(s)", (record.getMessage().split(" on ")[-1], error.error_count()), None, None
        return True


logging.getLogger("bentoml._internal.server.http_app").addFilter(ClientErrorLogFilter())
install_timeout_middleware_fix()

SETTINGS = ServiceSettings.from_environment()
BUNDLE = load_bundle(SETTINGS.model_source_settings())  # serving.json now: the request schema needs the features
Applicant = applicant_model(BUNDLE.spec)


class ApplicantBatch(RootModel[Annotated[list[Applicant], Field(min_length=1, max_length=SETTINGS.max_batch_size)]]):  # type: ignore[valid-type]
    """A non-empty list of applicants (a RootModel, so the body is parsed and validated in one pass)."""


SCORING_ROUTES = ("/predict", "/predict_batch", "/explain")
MAX_REQUEST_ID_LENGTH = 128  # a client's X-Request-ID longer than this is cut in the response and the audit log
LOADED: dict[str, CreditScorer] = {}  # filled once the worker has loaded the model (read by /health)


async def health(request: Request) -> JSONResponse:
    """Seed-compatible health check: ready flag, model tag, threshold and feature count."""
    ready = "scorer" in LOADED
    body = Health(
        ready=ready,
        model_tag=BUNDLE.tag,
        model_source=BUNDLE.source,
        threshold=float(BUNDLE.spec["threshold"]),
        n_features=len(BUNDLE.feature_names),
        mlflow_run_id=BUNDLE.mlflow_run_id,
    )
    return JSONResponse(body.model_dump(), status_code=200 if ready else 503)


@bentoml.service(
    name="credit_scoring",
    workers=1,
    traffic={"timeout": 30, "max_concurrency": SETTINGS.max_concurrency},
    logging={"access": {"enabled": False}},
)
class CreditScoring:
    if BUNDLE.source == "bentoml":
        model_ref = bentoml.models.BentoModel(BUNDLE.tag)  # `bentoml build` packs exactly this model

    def __init__(self) -> None:
        self.scorer = CreditScorer(BUNDLE)
        self.audit_log = DecisionAuditLog(Path(SETTINGS.audit_log), SETTINGS.audit_retention_days, BUNDLE.tag, BUNDLE.mlflow_run_id)
        if not SETTINGS.api_key:
            logger.warning("CREDIT_SCORING_API_KEY is not set: the scoring endpoints are open to anyone who can reach this port")
        logger.info(
            "credit_scoring ready: model %s (%s), %d features, threshold %.3f, decisions logged to %s (kept %d days)",
            BUNDLE.tag, BUNDLE.source, len(BUNDLE.feature_names), self.scorer.threshold, SETTINGS.audit_log, SETTINGS.audit_retention_days,
        )
        LOADED["scorer"] = self.scorer
        gc.freeze()  # the model and import-time objects are permanent: full collections no longer walk them

    @bentoml.on_shutdown
    def close_audit_log(self) -> None:
        """Every decision queued before shutdown is written before the worker exits."""
        self.audit_log.close()

    def _decided(self, ctx: bentoml.Context, endpoint: str, applicants: list[dict], results: list[dict], started: float) -> str:
        """Count unseen categories, append the decisions to the audit log; the request id for the response."""
        request_id = ctx.request.headers.get("x-request-id", "")[:MAX_REQUEST_ID_LENGTH] or uuid.uuid4().hex
        ctx.response.metadata["X-Request-ID"] = request_id
        for result in results:
            for feature in result["unseen_categories"]:
                metrics.unseen_categories.labels(feature=feature).inc()
        self.audit_log.record(request_id, endpoint, applicants, results, (time.perf_counter() - started) * 1000)
        return request_id

    @bentoml.api(route="/predict")
    async def predict(self, applicant: Applicant, /, ctx: bentoml.Context) -> Prediction:  # type: ignore[valid-type]
        """One applicant -> probability of default and ACCEPTED/REFUSED decision."""
        started = time.perf_counter()
        values = applicant_values(applicant)
        prediction = self.scorer.score([values])[0]
        request_id = self._decided(ctx, "predict", [values], [prediction], started)
        return Prediction.model_construct(**prediction, request_id=request_id)

    @bentoml.api(route="/predict_batch")
    def predict_batch(self, applicants: ApplicantBatch, /, ctx: bentoml.Context) -> BatchPrediction:
        """A list of applicants (at most CREDIT_SCORING_MAX_BATCH_SIZE) -> one result each, in order."""
        started = time.perf_counter()
        values = [applicant_values(applicant) for applicant in applicants.root]
        predictions = self.scorer.score(values)
        request_id = self._decided(ctx, "predict_batch", values, predictions, started)
        items = [Prediction.model_construct(**item, request_id=request_id) for item in predictions]  # built by the scorer: no re-validation
        return BatchPrediction.model_construct(model_tag=self.scorer.tag, threshold=self.scorer.threshold, request_id=request_id, predictions=items)

    @bentoml.api(route="/explain")
    def explain(self, applicant: Applicant, /, ctx: bentoml.Context) -> Explanation:  # type: ignore[valid-type]
        """One applicant -> decision, SHAP contributions and, if REFUSED, up to four reasons in plain words."""
        started = time.perf_counter()
        values = applicant_values(applicant)
        explanation = self.scorer.explain_row(self.scorer.row(values))
        request_id = self._decided(ctx, "explain", [values], [explanation], started)
        return Explanation(**explanation, request_id=request_id)

CreditScoring.mount_asgi_app(Starlette(routes=[Route("/health", health, methods=["GET"])]), path="/")
if SETTINGS.api_key:  # outermost: a client without the key learns nothing else
    CreditScoring.add_asgi_middleware(ApiKeyMiddleware, api_key=SETTINGS.api_key, protected_paths=SCORING_ROUTES)
CreditScoring.add_asgi_middleware(
    BodySizeLimitMiddleware,
    default_limit=SETTINGS.max_body_bytes,
    limits={"/predict_batch": SETTINGS.max_batch_body_bytes},
)
CreditScoring.add_asgi_middleware(JsonContentTypeMiddleware, paths=SCORING_ROUTES)
