"""HTTP limits in front of every route: methods, header size, and how long a client may take to send its body.

Whatever is exposed on the internet is scanned and fed garbage; these checks answer such requests with the
right 4xx before any route sees them, so a route never has to think about them:

- a method other than GET, HEAD, POST and OPTIONS is 405 with an ``Allow`` header;
- a plain OPTIONS (not a CORS preflight, which the CORS middleware answers) is 204 with ``Allow``;
- request headers larger than ``max_header_bytes`` in total are 431;
- a body that does not arrive within ``request_timeout`` seconds is 408 (a slow client holds no worker:
  queries are only sent to a worker once the whole request has been read).
"""

from __future__ import annotations

import asyncio
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .settings import WebSettings

ALLOWED_METHODS = ("GET", "HEAD", "POST", "OPTIONS")
ALLOW = ", ".join(ALLOWED_METHODS)


class RequestTimeout(Exception):
    """The client took longer than the request timeout to send its body."""


class LimitsMiddleware:
    def __init__(self, app: ASGIApp, settings: WebSettings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        refusal = self._refusal(scope)
        if refusal is not None:
            await _plain(send, *refusal)
            return
        deadline = time.monotonic() + self.settings.request_timeout
        started = body_done = False

        async def timed_receive() -> Message:
            nonlocal body_done
            if body_done:  # after the body, receive only reports a disconnect: no deadline then
                return await receive()
            try:
                message = await asyncio.wait_for(receive(), max(deadline - time.monotonic(), 0.001))
            except TimeoutError:
                raise RequestTimeout from None
            body_done = message["type"] != "http.request" or not message.get("more_body", False)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, timed_receive, tracking_send)
        except RequestTimeout:
            if not started:
                limit = self.settings.request_timeout
                await _plain(send, 408, f"the request body did not arrive within {limit:g} s", {"Connection": "close"})

    def _refusal(self, scope: Scope) -> tuple[int, str, dict[str, str]] | None:
        method = scope["method"]
        if method not in ALLOWED_METHODS:
            return 405, f"method {method} is not allowed; use one of {ALLOW}", {"Allow": ALLOW}
        headers = scope.get("headers", [])
        size = sum(len(name) + len(value) + 4 for name, value in headers)
        if size > self.settings.max_header_bytes:
            limit = self.settings.max_header_bytes
            return 431, f"the request headers are larger than the limit of {limit} bytes", {"Connection": "close"}
        if method == "OPTIONS" and not any(name == b"access-control-request-method" for name, _ in headers):
            return 204, "", {"Allow": ALLOW}
        return None


async def _plain(send: Send, status: int, message: str, headers: dict[str, str]) -> None:
    body = (message + "\n").encode("utf-8") if message else b""
    raw = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]
    if body:
        raw += [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})
