"""The service's ASGI middlewares on a trivial app: timeout timers released, 504 past the timeout."""

from __future__ import annotations

import asyncio
import json

import httpx

from pret_a_depenser.scoring.http import JsonContentTypeMiddleware, TimerCancellingTimeoutMiddleware


def answering_app(delay: float):
    async def app(scope, receive, send):
        await asyncio.sleep(delay)
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": b"{}"})

    return app


async def _post(app, path: str = "/predict", **kwargs) -> httpx.Response:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://service") as client:
        return await client.post(path, **kwargs)


def test_timeout_timer_is_cancelled_once_the_request_is_answered():
    async def scenario() -> tuple[int, int]:
        app = TimerCancellingTimeoutMiddleware(answering_app(0), timeout=30)
        responses = [await _post(app, json={}) for _ in range(50)]
        pending = [
            handle
            for handle in asyncio.get_running_loop()._scheduled
            if not handle.cancelled() and handle.when() > asyncio.get_running_loop().time() + 20
        ]
        return sum(response.status_code == 200 for response in responses), len(pending)

    answered, pending_timers = asyncio.run(scenario())
    assert answered == 50 and pending_timers == 0


def test_request_past_the_timeout_gets_504():
    app = TimerCancellingTimeoutMiddleware(answering_app(1.0), timeout=0.05)
    response = asyncio.run(_post(app, json={}))
    assert response.status_code == 504 and "0.05 seconds" in response.json()["error"]


def test_scoring_routes_take_json_only():
    app = JsonContentTypeMiddleware(answering_app(0), paths=["/predict"])
    assert asyncio.run(_post(app, content=b"x", headers={"content-type": "multipart/form-data"})).status_code == 415
    assert asyncio.run(_post(app, content=b"{}", headers={"content-type": "application/json; charset=utf-8"})).status_code == 200
    assert asyncio.run(_post(app, path="/other", content=b"x", headers={"content-type": "text/plain"})).status_code == 200


def test_a_client_leaving_mid_body_reaches_no_endpoint_and_gets_no_answer():
    from pret_a_depenser.scoring.http import BodySizeLimitMiddleware

    called, sent = [], []

    async def endpoint(scope, receive, send):
        called.append(await receive())

    messages = iter([{"type": "http.request", "body": b'{"applic', "more_body": True}, {"type": "http.disconnect"}])

    async def receive():
        return next(messages)

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/predict", "headers": [(b"content-length", b"5000")]}
    asyncio.run(BodySizeLimitMiddleware(endpoint, default_limit=10_000)(scope, receive, send))
    assert called == [] and sent == []
    whole = iter([{"type": "http.request", "body": b"{}", "more_body": False}])

    async def receive_whole():
        return next(whole)

    asyncio.run(BodySizeLimitMiddleware(endpoint, default_limit=10_000)(scope, receive_whole, send))
    assert called == [{"type": "http.request", "body": b"{}", "more_body": False}] and sent == []


def test_a_body_trickling_past_the_timeout_gets_408_at_once():
    from pret_a_depenser.scoring.http import BodySizeLimitMiddleware

    async def endpoint(scope, receive, send):
        raise AssertionError("the endpoint must not be called")

    async def trickle():
        await asyncio.sleep(0.03)
        return {"type": "http.request", "body": b"x", "more_body": True}

    sent = []

    async def send(message):
        sent.append(message)

    async def scenario() -> float:
        started = asyncio.get_running_loop().time()
        scope = {"type": "http", "method": "POST", "path": "/predict", "headers": []}
        await BodySizeLimitMiddleware(endpoint, default_limit=10_000, body_timeout=0.2)(scope, trickle, send)
        return asyncio.get_running_loop().time() - started

    elapsed = asyncio.run(scenario())
    assert sent[0]["status"] == 408 and b"0.2 s" in sent[1]["body"] and elapsed < 0.5


def _recorder():
    sent = []

    async def send(message):
        sent.append(message)

    return sent, send


def test_held_body_bytes_over_the_budget_get_429_and_are_released_after_the_request():
    from pret_a_depenser.scoring.http import BodySizeLimitMiddleware

    async def endpoint(scope, receive, send):
        await receive()
        await send({"type": "http.response.start", "status": 200, "headers": []})

    def one_chunk(size):
        async def receive():
            return {"type": "http.request", "body": b"x" * size, "more_body": False}

        return receive

    limiter = BodySizeLimitMiddleware(endpoint, default_limit=10_000, max_held_bytes=1_000)
    scope = {"type": "http", "method": "POST", "path": "/predict", "headers": []}
    sent, send = _recorder()
    asyncio.run(limiter(scope, one_chunk(1_001), send))
    asyncio.run(limiter(scope, one_chunk(1_000), send))
    asyncio.run(limiter(scope, one_chunk(1_000), send))
    assert [message["status"] for message in sent if message["type"] == "http.response.start"] == [429, 200, 200]
    assert limiter.held_bytes == 0


def test_requests_past_the_concurrency_limit_get_429_and_health_is_never_refused():
    from pret_a_depenser.scoring.http import ConcurrencyLimitMiddleware

    release = None

    async def endpoint(scope, receive, send):
        if scope["path"] == "/predict":
            await release.wait()
        await send({"type": "http.response.start", "status": 200, "headers": []})

    async def scenario():
        nonlocal release
        release = asyncio.Event()
        limiter = ConcurrencyLimitMiddleware(endpoint, max_concurrency=2, paths=["/predict"])
        sent, send = _recorder()
        scope = {"type": "http", "method": "POST", "path": "/predict", "headers": []}
        holders = [asyncio.ensure_future(limiter(scope, None, send)) for _ in range(2)]
        await asyncio.sleep(0.01)
        await limiter(scope, None, send)
        await limiter({**scope, "path": "/health", "method": "GET"}, None, send)
        release.set()
        await asyncio.gather(*holders)
        await limiter(scope, None, send)
        return [message["status"] for message in sent if message["type"] == "http.response.start"], limiter.in_flight

    statuses, in_flight = asyncio.run(scenario())
    assert statuses == [429, 200, 200, 200, 200] and in_flight == 0


def test_retry_after_is_added_to_429_and_503_only():
    from pret_a_depenser.scoring.http import RetryAfterMiddleware

    def answering(status, headers=()):
        async def app(scope, receive, send):
            await send({"type": "http.response.start", "status": status, "headers": list(headers)})

        return app

    def headers_of(app):
        sent, send = _recorder()
        asyncio.run(RetryAfterMiddleware(app, seconds=2)({"type": "http"}, None, send))
        return dict(sent[0]["headers"])

    assert headers_of(answering(429))[b"retry-after"] == b"2"
    assert headers_of(answering(503))[b"retry-after"] == b"2"
    assert headers_of(answering(503, [(b"Retry-After", b"30")])) == {b"Retry-After": b"30"}
    assert b"retry-after" not in headers_of(answering(200))


def test_batches_have_their_own_concurrency_limit():
    from pret_a_depenser.scoring.http import ConcurrencyLimitMiddleware

    release = None

    async def endpoint(scope, receive, send):
        if scope["path"] == "/predict_batch":
            await release.wait()
        await send({"type": "http.response.start", "status": 200, "headers": []})

    async def scenario():
        nonlocal release
        release = asyncio.Event()
        limiter = ConcurrencyLimitMiddleware(
            endpoint, max_concurrency=10, paths=["/predict", "/predict_batch"], path_limits={"/predict_batch": 1}
        )
        sent, send = _recorder()
        batch = {"type": "http", "method": "POST", "path": "/predict_batch", "headers": []}
        holder = asyncio.ensure_future(limiter(batch, None, send))
        await asyncio.sleep(0.01)
        await limiter(batch, None, send)
        await limiter({**batch, "path": "/predict"}, None, send)
        release.set()
        await holder
        await limiter(batch, None, send)
        return [message["status"] for message in sent if message["type"] == "http.response.start"], limiter.in_flight_by_path

    statuses, in_flight = asyncio.run(scenario())
    assert statuses == [429, 200, 200, 200] and in_flight == {"/predict_batch": 0}


def test_a_400_with_many_validation_errors_keeps_the_first_ones_and_says_how_many():
    from pret_a_depenser.scoring.http import ErrorBodyLimitMiddleware

    def answering(status, answer):
        async def app(scope, receive, send):
            body = json.dumps(answer).encode()
            await send(
                {"type": "http.response.start", "status": status, "headers": [(b"content-length", str(len(body)).encode())]}
            )
            await send({"type": "http.response.body", "body": body[:10], "more_body": True})
            await send({"type": "http.response.body", "body": body[10:]})

        return app

    def answer_of(app):
        sent, send = _recorder()
        asyncio.run(ErrorBodyLimitMiddleware(app, max_errors=3)({"type": "http"}, None, send))
        body = b"".join(message.get("body", b"") for message in sent[1:])
        assert dict(sent[0]["headers"])[b"content-length"] == str(len(body)).encode()
        return json.loads(body)

    many = {
        "error": "500 validation error for ApplicantBatch",
        "detail": [{"loc": [index, "application"]} for index in range(500)],
    }
    limited = answer_of(answering(400, many))
    assert limited["detail"] == many["detail"][:3] and limited["detail_truncated"] == "the first 3 of 500 validation errors"
    assert answer_of(answering(400, {"error": "x", "detail": [1, 2]})) == {"error": "x", "detail": [1, 2]}
    assert answer_of(answering(200, many)) == many


def test_a_request_whose_app_ends_without_answering_is_released_at_once():
    """A client leaving mid-body: the body middleware returns without answering, and the timeout
    middleware releases the request then, not after its 30 s timeout (nor answers it with a 504)."""
    import time

    from pret_a_depenser.scoring.http import BodySizeLimitMiddleware

    async def endpoint(scope, receive, send):  # never reached: the body is not complete
        raise AssertionError("the endpoint was called")

    app = TimerCancellingTimeoutMiddleware(BodySizeLimitMiddleware(endpoint, default_limit=10_000), timeout=30)
    messages = iter([{"type": "http.request", "body": b'{"applic', "more_body": True}, {"type": "http.disconnect"}])
    sent = []

    async def receive():
        return next(messages)

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/predict", "headers": [(b"content-length", b"5000")]}
    started = time.monotonic()
    asyncio.run(asyncio.wait_for(app(scope, receive, send), timeout=5))
    assert time.monotonic() - started < 1 and sent == []

    async def failing(scope, receive, send):
        raise RuntimeError("the app failed before answering")

    started = time.monotonic()
    try:
        asyncio.run(asyncio.wait_for(TimerCancellingTimeoutMiddleware(failing, timeout=30)(scope, receive, send), timeout=5))
    except RuntimeError as error:
        assert "failed before answering" in str(error)
    else:
        raise AssertionError("the app's exception was swallowed")
    assert time.monotonic() - started < 1
