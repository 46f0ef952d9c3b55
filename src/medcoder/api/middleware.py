"""ASGI middleware: a request body limit, an access log that carries no PHI, and the
security headers on every answer."""

from __future__ import annotations

import json
import logging
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from medcoder.api.errors import error_body
from medcoder.errors import RequestTooLargeError

access_log = logging.getLogger("medcoder.api.access")


async def _refuse(send: Send, limit: int) -> None:
    body = error_body(
        413,
        RequestTooLargeError.code,
        f"the request body is over the limit of {limit:,} bytes",
        "split the note, or send fewer documents per request",
    )
    data = json.dumps(body).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", b"%d" % len(data)),
            ],
        }
    )
    await send({"type": "http.response.body", "body": data})


class BodyLimit:
    """Refuse a body over ``limit`` bytes: by Content-Length before reading, and while
    reading a chunked body that declared none."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", ()):
            if name == b"content-length" and (not value.isdigit() or int(value) > self.limit):
                await _refuse(send, self.limit)
                return
        seen = 0
        state = {"started": False, "refused": False}

        async def counted() -> Message:
            nonlocal seen
            if state["refused"]:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    # Answer now and tell the app the client left: it stops reading.
                    if not state["started"]:
                        await _refuse(send, self.limit)
                    state["refused"] = True
                    return {"type": "http.disconnect"}
            return message

        async def tracking(message: Message) -> None:
            if state["refused"]:
                return  # the 413 is already sent
            if message["type"] == "http.response.start":
                state["started"] = True
            await send(message)

        await self.app(scope, counted, tracking)


class AccessLog:
    """One line per request: method, the route's template (``/v1/encounters/{encounter_id}``,
    never the encounter number), status and time. Query strings and bodies are not logged:
    they can carry identifiers and note text."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status: dict[str, Any] = {"code": 500}

        async def tracking(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, tracking)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", None) or "(unrouted)"
            access_log.info(
                "%s %s %s %.1fms",
                scope.get("method", "-"),
                template,
                status["code"],
                (time.perf_counter() - start) * 1000,
            )


# The workbench loads only its own CSS and JS; its one inline style is the confidence bar's
# ``style="--c: 0.8"`` attribute (style-src-attr; no inline script anywhere). Nothing may
# frame a page (clickjacking) and forms post only here.
CSP = (
    "default-src 'self'; style-src 'self'; style-src-attr 'unsafe-inline'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
# FastAPI's /docs page loads Swagger UI from its CDN and starts it with an inline script.
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' https://cdn.jsdelivr.net; img-src 'self' data: https://fastapi.tiangolo.com; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
STATIC_PREFIX = "/static/"


class SecurityHeaders:
    """CSP, no framing, no MIME sniffing and no referrer to other sites on every answer, and
    ``Cache-Control: no-store`` on all but the workbench's static files: pages and API
    answers carry PHI, which no browser or proxy cache may keep."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        policy = DOCS_CSP if path == "/docs" else CSP
        extra = [
            (b"content-security-policy", policy.encode()),
            (b"x-frame-options", b"DENY"),
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"same-origin"),  # "no-referrer" makes Origin "null"
        ]
        if not path.startswith(STATIC_PREFIX):
            extra += [(b"cache-control", b"no-store"), (b"pragma", b"no-cache")]
        names = {name for name, _ in extra}

        async def adding(message: Message) -> None:
            if message["type"] == "http.response.start":
                kept = [(n, v) for n, v in message.get("headers", ()) if n.lower() not in names]
                message = {**message, "headers": kept + extra}
            await send(message)

        await self.app(scope, receive, adding)
