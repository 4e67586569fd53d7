"""ASGI middlewares of the service: request-size limit and API-key check, before any parsing.

BentoML sets no request-size limit and has no authentication of its own; both are plain ASGI
middlewares added with ``Service.add_asgi_middleware`` (BentoML's ``traffic.max_concurrency``
already answers 429 past capacity).
"""

from __future__ import annotations

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
    Content-Length is checked at once; a chunked body is counted as it arrives and replayed.
    """

    def __init__(self, app: ASGIApp, default_limit: int, limits: dict[str, int] | None = None) -> None:
        self.app = app
        self.default_limit = default_limit
        self.limits = dict(limits or {})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            return await self.app(scope, receive, send)
        limit = self.limits.get(scope["path"], self.default_limit)
        declared = next((value for key, value in scope["headers"] if key == b"content-length"), None)
        if declared is not None:
            if not declared.isdigit() or int(declared) > limit:
                return await send_json_error(send, 413, f"request body over the {limit}-byte limit of {scope['path']}")
            return await self.app(scope, receive, send)
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return
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
