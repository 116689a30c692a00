"""Request body limits, enforced before the body is read (ASGI middleware).

A declared ``Content-Length`` over the limit is answered 413 at once, unread; a body without one
(chunked) is counted as it streams and cut off with 413 the moment it passes the limit.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .errors import ApiError

__all__ = ["BodyLimitMiddleware", "too_large"]


def too_large(limit: int) -> ApiError:
    """The 413 error for a body over ``limit`` bytes."""
    return ApiError(
        413,
        "body_too_large",
        f"גוף הבקשה גדול מ-{limit:,} בתים",
        f"the request body is larger than {limit:,} bytes",
    )


class BodyLimitMiddleware:
    """Limit request bodies; ``limit_for(path)`` gives the limit of each path in bytes."""

    def __init__(self, app: ASGIApp, *, limit_for: Callable[[str], int]) -> None:
        self.app = app
        self.limit_for = limit_for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer 413 for a declared size over the limit, else count the body as it is received."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope.get("path", "/"))
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await too_large(limit).response()(scope, receive, send)
            return
        if declared is not None and declared < 0:
            error = ApiError(400, "bad_content_length", "כותרת Content-Length שגויה", "invalid Content-Length header")
            await error.response()(scope, receive, send)
            return
        received = 0

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise too_large(limit)
            return message

        await self.app(scope, limited, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return -1
    return None
