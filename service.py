"""BentoML service of pret-a-depenser: `bentoml serve` from the project root.

Applicants arrive as the records a lender holds, in the Kaggle files' shape (``ApplicantRecords``:
the application and the credit history rows); the loaded ``CreditScoringModel`` turns them into
features with the fitted feature spec and scores them, as the pipeline does. Ready-made feature
vectors (the seed's contract) are taken on ``/predict_features``.

The model is loaded when the worker starts (``__init__``), never at import: by default the
class-level ``BentoModel`` from the local store (``credit_scoring:latest``, saved by ``kedro run``),
or an MLflow model URI / registry name or a Hugging Face repository (``CREDIT_SCORING_MODEL_SOURCE``;
every setting is in the README). BentoML's ``/readyz`` asks ``__is_ready__``.
"""

from __future__ import annotations

import asyncio
import gc
import importlib.util
import logging
import sys
import time
import urllib.parse
import uuid
from pathlib import Path

import bentoml
from pydantic import ValidationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

if importlib.util.find_spec("pret_a_depenser") is None:  # inside a Bento the package sits in src/ next to this file
    sys.path.insert(0, str(Path(__file__).resolve().parent / "src"))

from pret_a_depenser.scoring import (
    ApplicantRecords,
    CreditScoringModel,
    Decision,
    FeatureVectorError,
    ModelInputs,
    ModelSourceError,
    metrics,
)
from pret_a_depenser.scoring.audit import AuditLogUnavailable, DecisionAuditLog, check_audit_store
from pret_a_depenser.scoring.bundle import load_scoring_model, read_model_directory
from pret_a_depenser.scoring.http import (
    ApiKeyMiddleware,
    BodySizeLimitMiddleware,
    ConcurrencyLimitMiddleware,
    ErrorBodyLimitMiddleware,
    JsonContentTypeMiddleware,
    RetryAfterMiddleware,
    decoded_json_input,
    install_header_timeout,
    install_known_route_metrics,
    install_timeout_middleware_fix,
)
from pret_a_depenser.scoring.records import applicant_batch_decoder, applicant_batch_model, decode_applicant
from pret_a_depenser.scoring.schema import BatchPrediction, Explanation, FeatureVector, Health, Prediction, feature_vector_error
from pret_a_depenser.scoring.settings import ServiceSettings

GC_YOUNG_GENERATION_THRESHOLD = 10_000
logger = logging.getLogger("bentoml.service.credit_scoring")


class ClientErrorLogFilter(logging.Filter):
    """BentoML logs every rejected request at ERROR with a traceback; a client's invalid input is
    answered with a 400 naming the field, so it is logged as one INFO line instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, ValidationError):
            record.levelno, record.levelname = logging.INFO, "INFO"
            record.msg, record.args, record.exc_info, record.exc_text = (
                "%s rejected: %d validation error(s)",
                (record.getMessage().split(" on ")[-1], error.error_count()),
                None,
                None,
            )
        return True


logging.getLogger("bentoml._internal.server.http_app").addFilter(ClientErrorLogFilter())
install_timeout_middleware_fix()

SETTINGS = ServiceSettings.from_environment()
install_header_timeout(SETTINGS.header_timeout)
# The routes' schemas are the pydantic request models; their bodies are parsed by the msgspec decoders
# (records.py), which hand a body they refuse back to the models for the 400.
ApplicantRequest = decoded_json_input(ApplicantRecords, decode_applicant)
ApplicantBatch = decoded_json_input(
    applicant_batch_model(SETTINGS.max_batch_size), applicant_batch_decoder(SETTINGS.max_batch_size)
)
SCORING_ROUTES = ("/predict", "/predict_batch", "/explain", "/predict_features")
install_known_route_metrics(
    [*SCORING_ROUTES, "/", "/health", "/livez", "/readyz", "/healthz", "/metrics", "/docs.json"], ["/static_content/"]
)
MAX_REQUEST_ID_LENGTH = 128  # a client's X-Request-ID longer than this is cut in the audit log
LOADED: dict[str, CreditScoringModel] = {}  # filled once the worker has loaded the model (read by /health)


async def health(request: Request) -> JSONResponse:
    """Seed-compatible health check: ready flag, model tag, threshold and feature count."""
    model = LOADED.get("model")
    if model is None:
        return JSONResponse({"ready": False, "model_source": SETTINGS.model_source}, status_code=503)
    body = Health(
        ready=True,
        model_tag=model.tag,
        model_source=model.source,
        threshold=model.threshold,
        n_features=len(model.features),
        feature_spec_version=model.feature_spec["version"],
        mlflow_run_id=model.mlflow_run_id,
    )
    return JSONResponse(body.model_dump())


@bentoml.service(
    name="credit_scoring",
    workers=SETTINGS.workers,
    traffic={"timeout": 30},  # the concurrency limit is ConcurrencyLimitMiddleware's, taken once the body is read
    logging={"access": {"enabled": False}},
)
class CreditScoring:
    if SETTINGS.model_source == "bentoml":
        model_ref = bentoml.models.BentoModel(SETTINGS.bentoml_tag)  # `bentoml build` packs exactly this model

    def __init__(self) -> None:
        if SETTINGS.model_source == "bentoml":
            stored = type(self).model_ref.stored  # the local store only (resolving would try to pull from a remote)
            if stored is None:
                raise ModelSourceError(
                    f"BentoML model {SETTINGS.bentoml_tag!r} is not in the local model store: run `kedro run` first, or `bentoml models import` an exported model"
                )
            self.model = read_model_directory(Path(stored.path), str(stored.tag), "bentoml")
        else:
            self.model = load_scoring_model(SETTINGS.model_source_settings())
        self.audit_log = DecisionAuditLog(
            SETTINGS.audit_log,
            SETTINGS.audit_retention_days,
            self.model.tag,
            self.model.mlflow_run_id,
            commit_timeout=SETTINGS.audit_commit_timeout,
            max_queued=4 * SETTINGS.max_concurrency,
        )
        if not SETTINGS.api_key:
            logger.warning("CREDIT_SCORING_API_KEY is not set: the scoring endpoints are open to anyone who can reach this port")
        logger.info(
            "credit_scoring ready: model %s (%s), feature spec %s, %d features, threshold %.3f, decisions logged to %s (kept %d days)",
            self.model.tag,
            self.model.source,
            self.model.feature_spec["version"],
            len(self.model.features),
            self.model.threshold,
            self.audit_log.where,
            SETTINGS.audit_retention_days,
        )
        LOADED["model"] = self.model
        gc.freeze()  # the model and import-time objects are permanent: full collections no longer walk them
        # A 1,000-applicant batch builds ~150,000 row objects: collecting the young generation every 700
        # allocations (the default) spends ~40 % of its parsing time in the collector; every 10,000, ~5 %.
        gc.set_threshold(GC_YOUNG_GENERATION_THRESHOLD, *gc.get_threshold()[1:])

    @bentoml.on_deployment
    def check_stores() -> None:
        """Once, in `bentoml serve` before any worker starts: a model or an audit log that cannot be opened
        stops the server with one line naming it (exit 1), instead of workers failing in a restart loop."""
        try:
            if SETTINGS.model_source == "bentoml":
                stored = CreditScoring.inner.model_ref.stored
                if stored is None:
                    raise ModelSourceError(f"BentoML model {SETTINGS.bentoml_tag!r} is not in the local model store")
                read_model_directory(Path(stored.path), str(stored.tag), "bentoml")
            else:
                load_scoring_model(SETTINGS.model_source_settings())
            check_audit_store(SETTINGS.audit_log)
        except (ModelSourceError, AuditLogUnavailable) as error:
            raise SystemExit(f"credit_scoring cannot start: {error}") from None

    def __is_ready__(self) -> bool:
        """BentoML's readiness hook (``/readyz``): ready once this worker's model is loaded."""
        return getattr(self, "model", None) is not None

    @bentoml.on_shutdown
    def close_audit_log(self) -> None:
        """Every decision queued before shutdown is written before the worker exits."""
        self.audit_log.close()

    def _audit_record(self, ctx: bentoml.Context, endpoint: str, inputs: ModelInputs, results: list[Decision], started: float):
        """Count unseen categories and queue the decisions' audit records; the request id and the commit's future."""
        request_id = uuid.uuid4().hex  # unique: a client's X-Request-ID is kept beside it, never instead of it
        client_request_id = ascii_request_id(ctx.request.headers.get("x-request-id"))
        ctx.response.metadata["X-Request-ID"] = request_id
        for result in results:
            for feature in result.unseen_categories:
                metrics.unseen_categories.labels(feature=feature).inc()
        features = [self.model.feature_values(inputs, row) for row in range(len(inputs))]
        latency_ms = (time.perf_counter() - started) * 1000
        applicant_ids = None if endpoint == "predict_features" else inputs.applicants.tolist()  # vectors carry no SK_ID_CURR
        return request_id, self.audit_log.record(
            request_id, endpoint, features, results, latency_ms, client_request_id, applicant_ids
        )

    def _decided(self, ctx: bentoml.Context, endpoint: str, inputs: ModelInputs, results: list[Decision], started: float) -> str:
        """The request id, once the decisions' audit records are committed: a decision is never answered
        without its record (503 when the record cannot be written)."""
        request_id, committed = self._audit_record(ctx, endpoint, inputs, results, started)
        try:
            committed.result(timeout=self.audit_log.commit_timeout + 1)
        except (AuditLogUnavailable, TimeoutError) as error:
            raise unrecorded(error) from None
        return request_id

    async def _decided_async(
        self, ctx: bentoml.Context, endpoint: str, inputs: ModelInputs, results: list[Decision], started: float
    ) -> str:
        """``_decided`` for routes on the event loop: the loop keeps serving while the commit is awaited."""
        request_id, committed = self._audit_record(ctx, endpoint, inputs, results, started)
        try:
            await asyncio.wait_for(asyncio.wrap_future(committed), timeout=self.audit_log.commit_timeout + 1)
        except (AuditLogUnavailable, TimeoutError) as error:
            raise unrecorded(error) from None
        return request_id

    @bentoml.api(route="/predict")
    async def predict(self, applicant: ApplicantRequest, /, ctx: bentoml.Context) -> Prediction:  # type: ignore[valid-type]
        """One applicant's records -> probability of default and ACCEPTED/REFUSED decision.

        Scored on the event loop: one applicant's records take ~2 ms, and a hand-over to the thread
        pool costs a thread switch and GIL contention with the loop on every request."""
        started = time.perf_counter()
        inputs = self.model.inputs_from_records([applicant])
        prediction = self.model.score_inputs(inputs)[0]
        request_id = await self._decided_async(ctx, "predict", inputs, [prediction], started)
        return Prediction.model_construct(**prediction.as_dict(), request_id=request_id)

    @bentoml.api(route="/predict_batch")
    def predict_batch(self, applicants: ApplicantBatch, /, ctx: bentoml.Context) -> BatchPrediction:  # type: ignore[valid-type]
        """A list of applicants' records (at most CREDIT_SCORING_MAX_BATCH_SIZE) -> one result each, in order."""
        started = time.perf_counter()
        inputs = self.model.inputs_from_records(applicants)
        predictions = self.model.score_inputs(inputs)
        request_id = self._decided(ctx, "predict_batch", inputs, predictions, started)
        items = [
            Prediction.model_construct(**item.as_dict(), request_id=request_id) for item in predictions
        ]  # built by the model: no re-validation
        return BatchPrediction.model_construct(
            model_tag=self.model.tag, threshold=self.model.threshold, request_id=request_id, predictions=items
        )

    @bentoml.api(route="/explain")
    def explain(self, applicant: ApplicantRequest, /, ctx: bentoml.Context) -> Explanation:  # type: ignore[valid-type]
        """One applicant's records -> decision, SHAP contributions and, if REFUSED, up to four reasons in plain words."""
        started = time.perf_counter()
        inputs = self.model.inputs_from_records([applicant])
        explanation = self.model.explain_inputs(inputs)[0]
        request_id = self._decided(ctx, "explain", inputs, [explanation], started)
        return Explanation(**explanation.as_dict(), request_id=request_id)

    @bentoml.api(route="/predict_features")
    async def predict_features(self, features: FeatureVector, /, ctx: bentoml.Context) -> Prediction:
        """Ready-made model features keyed by name (for systems that compute them) -> probability and decision.

        Scored on the event loop: ~0.3 ms, less than a hand-over to the thread pool costs."""
        started = time.perf_counter()
        try:
            inputs = self.model.inputs_from_vectors([features.root])
        except FeatureVectorError as error:
            raise feature_vector_error(error) from None
        prediction = self.model.score_inputs(inputs)[0]
        request_id = await self._decided_async(ctx, "predict_features", inputs, [prediction], started)
        return Prediction.model_construct(**prediction.as_dict(), request_id=request_id)


def ascii_request_id(header: str | None) -> str | None:
    """A client's X-Request-ID as printable ASCII: other bytes percent-encoded, at most 128 characters."""
    if not header:
        return None
    return urllib.parse.quote(header.encode("latin-1", errors="replace"), safe="!#$&'()*+,/:;=?@[]~-._")[:MAX_REQUEST_ID_LENGTH]


def unrecorded(error: Exception) -> bentoml.exceptions.ServiceUnavailable:
    """503: the decision was made but could not be recorded, so it is not answered."""
    logger.error("decisions not answered: their audit records could not be committed (%s)", error)
    return bentoml.exceptions.ServiceUnavailable(
        "the decision could not be recorded in the audit log; nothing was decided, retry later"
    )


CreditScoring.mount_asgi_app(Starlette(routes=[Route("/health", health, methods=["GET"])]), path="/")
# Added outermost first: see pret_a_depenser.scoring.http for why the order matters.
CreditScoring.add_asgi_middleware(RetryAfterMiddleware, seconds=1)
if SETTINGS.api_key:  # a client without the key learns nothing else
    CreditScoring.add_asgi_middleware(ApiKeyMiddleware, api_key=SETTINGS.api_key, protected_paths=SCORING_ROUTES)
CreditScoring.add_asgi_middleware(
    BodySizeLimitMiddleware,
    default_limit=SETTINGS.max_body_bytes,
    limits={"/predict_batch": SETTINGS.max_batch_body_bytes},
    body_timeout=SETTINGS.body_timeout,
    max_held_bytes=SETTINGS.max_held_body_bytes,
)
CreditScoring.add_asgi_middleware(
    ConcurrencyLimitMiddleware,
    max_concurrency=SETTINGS.max_concurrency,
    paths=SCORING_ROUTES,
    path_limits={"/predict_batch": SETTINGS.max_concurrent_batches},
)
CreditScoring.add_asgi_middleware(ErrorBodyLimitMiddleware, max_errors=100)
CreditScoring.add_asgi_middleware(JsonContentTypeMiddleware, paths=SCORING_ROUTES)
