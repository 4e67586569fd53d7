"""ASGI middlewares of the service: API-key check, request-size limit and body read, concurrency limit.

BentoML sets no request-size limit and has no authentication of its own; these are plain ASGI
middlewares added with ``Service.add_asgi_middleware``, in this order (outermost first):
``RetryAfterMiddleware``, ``ApiKeyMiddleware``, ``BodySizeLimitMiddleware`` (reads the whole body, with
a size limit, a deadline and a budget of bytes held), ``ConcurrencyLimitMiddleware`` (429 past
capacity), ``ErrorBodyLimitMiddleware`` (at most 100 validation errors per answer) and
``JsonContentTypeMiddleware``. The concurrency limit is ours rather than BentoML's
``traffic.max_concurrency`` because BentoML's sits outside every user middleware: a client sending its
body slowly would hold a slot while the body is read. Here a slot is taken only once the body is in.
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
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()), *headers],
        }
    )
    await send({"type": "http.response.body", "body": body})


class BodySizeLimitMiddleware:
    """413 for a body over the limit of its route, decided before the endpoint parses anything.

    ``limits`` maps a path to its limit in bytes; other paths get ``default_limit``. A declared
    Content-Length over the limit is refused at once; otherwise the body is read here, counted as it
    arrives, and replayed to the endpoint. A client that disconnects before its body is complete gets
    nothing and the endpoint is never called: a disconnect is the client's doing, not a server error.
    A body not complete within ``body_timeout`` seconds gets a 408. The bytes of all bodies held at once
    (read, or replayed to an endpoint still running) are capped by ``max_held_bytes``: past it, a 429.
    """

    def __init__(
        self,
        app: ASGIApp,
        default_limit: int,
        limits: dict[str, int] | None = None,
        body_timeout: float = 10.0,
        max_held_bytes: int | None = None,
    ) -> None:
        self.app = app
        self.default_limit = default_limit
        self.limits = dict(limits or {})
        self.body_timeout = body_timeout
        self.max_held_bytes = max_held_bytes  # bodies held at once (being read or being scored); past it: 429
        self.held_bytes = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            return await self.app(scope, receive, send)
        limit = self.limits.get(scope["path"], self.default_limit)
        declared = next((value for key, value in scope["headers"] if key == b"content-length"), None)
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            return await send_json_error(send, 413, f"request body over the {limit}-byte limit of {scope['path']}")
        size = 0
        try:
            chunks = []
            deadline = asyncio.get_running_loop().time() + self.body_timeout
            while True:
                try:
                    message = await asyncio.wait_for(receive(), timeout=max(deadline - asyncio.get_running_loop().time(), 0))
                except TimeoutError:
                    return await send_json_error(send, 408, f"request body not received within {self.body_timeout:g} s")
                if message["type"] != "http.request":
                    return  # http.disconnect: the client left mid-body
                chunk = message.get("body", b"")
                if self.max_held_bytes is not None and self.held_bytes + len(chunk) > self.max_held_bytes:
                    return await send_json_error(send, 429, "too many request bodies in flight; retry later")
                chunks.append(chunk)
                size += len(chunk)
                self.held_bytes += len(chunk)
                if size > limit:
                    return await send_json_error(send, 413, f"request body over the {limit}-byte limit of {scope['path']}")
                if not message.get("more_body", False):
                    break
            body = b"".join(chunks)
            del chunks
            await self._call_with_body(scope, receive, send, body)
        finally:
            self.held_bytes -= size

    async def _call_with_body(self, scope: Scope, receive: Receive, send: Send, body: bytes) -> None:
        replayed = False

        async def replay() -> dict[str, Any]:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)


class ConcurrencyLimitMiddleware:
    """429 once ``max_concurrency`` requests are in the given ``paths``, or once a path of ``path_limits``
    has that many of its own in progress (batches: each holds hundreds of MB while it is parsed and
    scored). Other paths (health, metrics) are never refused. Placed after the body is read, so slow
    senders hold no slot."""

    def __init__(
        self, app: ASGIApp, max_concurrency: int, paths: Iterable[str], path_limits: dict[str, int] | None = None
    ) -> None:
        self.app = app
        self.max_concurrency = max_concurrency
        self.paths = frozenset(paths)
        self.path_limits = dict(path_limits or {})
        self.in_flight = 0
        self.in_flight_by_path = dict.fromkeys(self.path_limits, 0)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path")
        if scope["type"] != "http" or path not in self.paths:
            return await self.app(scope, receive, send)
        if self.in_flight >= self.max_concurrency:
            return await send_json_error(send, 429, f"{self.max_concurrency} requests already in progress; retry later")
        if path in self.path_limits and self.in_flight_by_path[path] >= self.path_limits[path]:
            return await send_json_error(send, 429, f"{self.path_limits[path]} {path} requests already in progress; retry later")
        self.in_flight += 1
        if path in self.path_limits:
            self.in_flight_by_path[path] += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.in_flight -= 1
            if path in self.path_limits:
                self.in_flight_by_path[path] -= 1


class ErrorBodyLimitMiddleware:
    """A 400 listing more than ``max_errors`` validation errors keeps the first ``max_errors`` and says how
    many there were: an invalid 1,000-applicant batch would otherwise be answered with one entry per bad
    field, megabytes of JSON."""

    def __init__(self, app: ASGIApp, max_errors: int = 100) -> None:
        self.app = app
        self.max_errors = max_errors

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        start: dict[str, Any] | None = None
        chunks: list[bytes] = []

        async def send_limited(message: dict[str, Any]) -> None:
            nonlocal start
            if message["type"] == "http.response.start" and message["status"] == 400:
                start = message
                return
            if start is None:
                return await send(message)
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            body = self._limited(b"".join(chunks))
            headers = [(key, value) for key, value in start.get("headers", []) if key.lower() != b"content-length"]
            await send({**start, "headers": [*headers, (b"content-length", str(len(body)).encode())]})
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, send_limited)

    def _limited(self, body: bytes) -> bytes:
        try:
            answer = json.loads(body)
        except ValueError:
            return body
        detail = answer.get("detail") if isinstance(answer, dict) else None
        if not isinstance(detail, list) or len(detail) <= self.max_errors:
            return body
        answer["detail"] = detail[: self.max_errors]
        answer["detail_truncated"] = f"the first {self.max_errors} of {len(detail)} validation errors"
        return json.dumps(answer).encode()


class RetryAfterMiddleware:
    """``Retry-After`` on every 429 and 503 that has none, so a client knows when to come back."""

    def __init__(self, app: ASGIApp, seconds: int = 1) -> None:
        self.app = app
        self.value = str(seconds).encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_retry_after(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start" and message["status"] in (429, 503):
                headers = list(message.get("headers", []))
                if not any(key.lower() == b"retry-after" for key, _ in headers):
                    message = {**message, "headers": [*headers, (b"retry-after", self.value)]}
            await send(message)

        await self.app(scope, receive, send_with_retry_after)


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
    30,000 live contexts, a few hundred MB, and garbage-collection pauses of 100-200 ms. It also waits
    for the first message sent, so a request whose app returns or raises without answering (a client
    that left mid-body) was held for the whole timeout, then answered 504: the waiter is released as
    soon as the app's task ends, and its exception, if any, propagates at once.
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

        def release(_: asyncio.Future) -> None:  # the app returned (or raised) without answering
            if not waiter.done():
                waiter.set_result(None)

        task = asyncio.ensure_future(self.app(scope, receive, send_and_release))
        task.add_done_callback(release)
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
    original = getattr(
        instruments.RunnerTrafficMetricsMiddleware, "__credit_scoring_original__", instruments.RunnerTrafficMetricsMiddleware
    )

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


def install_header_timeout(seconds: float) -> None:
    """Close a connection whose request line and headers are not complete within ``seconds`` of their
    first byte (or of the connection): uvicorn has no such timeout, so a client sending its headers a
    byte at a time keeps a connection open for as long as it likes. A 408 is written before closing.

    Replaces uvicorn's ``auto`` HTTP protocol (httptools, which uvicorn picks when it is installed, as it
    is here) in the worker that imports the service, before BentoML builds its uvicorn config.
    """
    from uvicorn.protocols.http import auto
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    class HeaderTimeoutProtocol(HttpToolsProtocol):
        header_timer: asyncio.TimerHandle | None = None

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._start_header_timer()

        def on_message_begin(self) -> None:
            super().on_message_begin()
            self._start_header_timer()

        def on_headers_complete(self) -> None:
            self._cancel_header_timer()
            super().on_headers_complete()

        def connection_lost(self, exc: Exception | None) -> None:
            self._cancel_header_timer()
            super().connection_lost(exc)

        def _start_header_timer(self) -> None:
            if self.header_timer is None:
                self.header_timer = self.loop.call_later(seconds, self._headers_too_slow)

        def _cancel_header_timer(self) -> None:
            if self.header_timer is not None:
                self.header_timer.cancel()
                self.header_timer = None

        def _headers_too_slow(self) -> None:
            self.header_timer = None
            if not self.transport.is_closing():
                self.transport.write(b"HTTP/1.1 408 Request Timeout\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
                self.transport.close()

    auto.AutoHTTPProtocol = HeaderTimeoutProtocol


def decoded_json_input(schema: type, decode: Callable[[bytes], Any]) -> type:
    """A BentoML route input: ``schema`` (a pydantic model) is the route's OpenAPI schema, and a JSON
    body is parsed by ``decode`` (its result is what the API function receives).

    BentoML parses a body with the model's own ``model_validate_json``; its IO classes take the body
    through ``from_http_request``, the hook overridden here (BentoML 1.4's ``IOMixin``)."""
    from _bentoml_impl.serde import JSONSerde
    from _bentoml_sdk.io_models import IOMixin
    from pydantic import create_model

    class DecodedBody:
        @classmethod
        async def from_http_request(cls, request: Any, serde: Any) -> Any:
            if not isinstance(serde, JSONSerde):
                return await super().from_http_request(request, serde)  # type: ignore[misc]
            return decode(await request.body() or b"{}")

    return create_model(schema.__name__, __base__=(DecodedBody, IOMixin, schema), __doc__=schema.__doc__)
