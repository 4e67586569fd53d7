"""ASGI middlewares of the service: request-size limit and API-key check, before any parsing.

BentoML sets no request-size limit and has no authentication of its own; both are plain ASGI
middlewares added with ``Service.add_asgi_middleware`` (BentoML's ``traffic.max_concurrency``
already answers 429 past capacity).
"""

from __future__ import annotations

import asyncio
import hmac
import json
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


async def send_json_error(send: Send, status: int, error: str, headers: Iterable[tuple[bytes, bytes]] = ()) -> None:
    body = json.dumps({"error": error}).encode()
    await send({
        "type": "http.response.start",
        "status": status,
        "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()), *headers],
    })
    await send({"type": "http.response.body", "body": body})


class BodySizeLimitMiddleware:
    """413 for a body over the limit of its route, decided before the endpoint parses anything.

    ``limits`` maps a path to its limit in bytes; other paths get ``default_limit``. A declared
    Content-Length over the limit is refused at once; otherwise the body is read here, counted as it
    arrives, and replayed to the endpoint. A client that disconnects before its body is complete gets
    nothing and the endpoint is never called: a disconnect is the client's doing, not a server error.
    A body not complete within ``body_timeout`` seconds gets a 408, so a slow client cannot hold one
    of the service's concurrency slots for long.
    """

    def __init__(self, app: ASGIApp, default_limit: int, limits: dict[str, int] | None = None, body_timeout: float = 10.0) -> None:
        self.app = app
        self.default_limit = default_limit
        self.limits = dict(limits or {})
        self.body_timeout = body_timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            return await self.app(scope, receive, send)
        limit = self.limits.get(scope["path"], self.default_limit)
        declared = next((value for key, value in scope["headers"] if key == b"content-length"), None)
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            return await send_json_error(send, 413, f"request body over the {limit}-byte limit of {scope['path']}")
        chunks, size = [], 0
        deadline = asyncio.get_running_loop().time() + self.body_timeout
        while True:
            try:
                message = await asyncio.wait_for(receive(), timeout=max(deadline - asyncio.get_running_loop().time(), 0))
            except TimeoutError:
                return await send_json_error(send, 408, f"request body not received within {self.body_timeout:g} s")
            if message["type"] != "http.request":
                return  # http.disconnect: the client left mid-body
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if size > limit:
                return await send_json_error(send, 413, f"request body over the {limit}-byte limit of {scope['path']}")
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        replayed = False

        async def replay() -> dict[str, Any]:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)


class JsonContentTypeMiddleware:
    """415 for a body sent as anything but JSON on the given paths (no Content-Type is read as JSON).

    BentoML would otherwise pick a form or multipart parser from the header, and a malformed
    multipart body ends in a 500.
    """

    def __init__(self, app: ASGIApp, paths: Iterable[str]) -> None:
        self.app = app
        self.paths = frozenset(paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] in self.paths:
            content_type = next((value for key, value in scope["headers"] if key == b"content-type"), b"application/json")
            if content_type.split(b";")[0].strip().lower() != b"application/json":
                return await send_json_error(send, 415, f"{scope['path']} takes a JSON body (Content-Type: application/json)")
        await self.app(scope, receive, send)


class ApiKeyMiddleware:
    """``Authorization: Bearer <key>`` required on the protected paths; 401 otherwise."""

    def __init__(self, app: ASGIApp, api_key: str, protected_paths: Iterable[str]) -> None:
        self.app = app
        self.expected = f"Bearer {api_key}".encode()
        self.protected = frozenset(protected_paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] in self.protected:
            given = next((value for key, value in scope["headers"] if key == b"authorization"), b"")
            if not hmac.compare_digest(given, self.expected):
                error = "missing or invalid API key: send 'Authorization: Bearer <key>'"
                return await send_json_error(send, 401, error, [(b"www-authenticate", b'Bearer realm="credit_scoring"')])
        await self.app(scope, receive, send)


class TimerCancellingTimeoutMiddleware:
    """BentoML's ``TimeoutMiddleware`` (504 after ``traffic.timeout`` seconds), with its timer cancelled
    once the request is done.

    BentoML 1.4.39's version leaves each request's timer scheduled for the whole timeout, and the
    timer holds the request's context and tracing span: at 1,000 requests/s and a 30 s timeout that is
    30,000 live contexts, a few hundred MB, and garbage-collection pauses of 100-200 ms.
    """

    def __init__(self, app: ASGIApp, timeout: float) -> None:
        self.app = app
        self.timeout = timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        loop = asyncio.get_running_loop()
        waiter = loop.create_future()

        def time_out() -> None:
            if not waiter.done():
                waiter.set_exception(asyncio.TimeoutError)

        timer = loop.call_later(self.timeout, time_out)

        async def send_and_release(message: dict[str, Any]) -> None:
            if not waiter.done():
                waiter.set_result(None)
            await send(message)

        task = asyncio.ensure_future(self.app(scope, receive, send_and_release))
        try:
            await waiter
        except TimeoutError:
            if task.cancel():
                await send_json_error(send, 504, f"Not able to process the request in {self.timeout} seconds")
        else:
            await task
        finally:
            timer.cancel()


def install_timeout_middleware_fix() -> None:
    """Make BentoML build its timeout middleware from ``TimerCancellingTimeoutMiddleware``."""
    from bentoml._internal.server.http import traffic

    traffic.TimeoutMiddleware = TimerCancellingTimeoutMiddleware


UNKNOWN_ROUTE = "/<unknown>"


def install_known_route_metrics(known_paths: Iterable[str], known_prefixes: Iterable[str] = ()) -> None:
    """Make BentoML's request metrics label every path that is not a route of the service as one
    ``/<unknown>`` endpoint: BentoML 1.4.39 labels by raw path, so each random URL a client sends would
    add Prometheus series (memory, and a ``/metrics`` that grows without limit)."""
    from bentoml._internal.server.http import instruments

    known = frozenset(known_paths)
    prefixes = tuple(known_prefixes)
    original = getattr(instruments.RunnerTrafficMetricsMiddleware, "__credit_scoring_original__", instruments.RunnerTrafficMetricsMiddleware)

    class KnownRouteMetricsMiddleware(original):
        __credit_scoring_original__ = original

        def __init__(self, app: ASGIApp, *args: Any, **kwargs: Any) -> None:
            super().__init__(app, *args, **kwargs)
            inner = self.app

            async def with_real_path(scope: Scope, receive: Receive, send: Send) -> None:
                real = scope.get("credit_scoring.path")
                await inner({**scope, "path": real} if real is not None else scope, receive, send)

            self.app = with_real_path

        async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
            path = scope.get("path", "")
            if scope["type"].startswith("http") and path not in known and not path.startswith(prefixes):
                scope = {**scope, "path": UNKNOWN_ROUTE, "credit_scoring.path": path}
            await super().__call__(scope, receive, send)

    instruments.RunnerTrafficMetricsMiddleware = KnownRouteMetricsMiddleware
