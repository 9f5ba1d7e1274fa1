"""Security headers on every response the app itself sends (not left to a reverse proxy).

The policy allows scripts only from our own origin (no inline script: templates carry none; a JSON
data block `<script type="application/json">` is data, not script), inline styles (wangEditor and the
lobby screen set them), images from our origin, data: (QR codes), blob: (pasted images in the editor)
and https: (pictures in reposted bodies). Pages cannot be framed. The mobile preview
(`/m/preview/TOKEN`) carries its token in the path, so it sends no Referer at all; everything else
sends only the origin to other sites. HSTS is sent only when the request came over https.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob: https:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))
PERMISSIONS = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=(), fullscreen=(self)"
HSTS = "max-age=31536000"
TOKEN_PATH_PREFIXES = ("/m/preview/",)  # a secret in the path: no Referer may carry it elsewhere

BASE_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"permissions-policy", PERMISSIONS.encode()),
)


def _is_https(scope: Scope) -> bool:
    """The request reached us over https (uvicorn's --proxy-headers already applied X-Forwarded-Proto)."""
    return scope.get("scheme") == "https"


def headers_for(scope: Scope) -> list[tuple[bytes, bytes]]:
    path = scope.get("path", "")
    referrer = b"no-referrer" if path.startswith(TOKEN_PATH_PREFIXES) else b"strict-origin-when-cross-origin"
    out = [*BASE_HEADERS, (b"referrer-policy", referrer)]
    if _is_https(scope):
        out.append((b"strict-transport-security", HSTS.encode()))
    return out


class SecurityHeaders:
    """ASGI middleware: adds the headers above unless the route set its own value for one of them."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = headers_for(scope)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                message["headers"] = [*message.get("headers", []), *(h for h in extra if h[0] not in present)]
            await send(message)

        await self.app(scope, receive, send_with_headers)


def install(app) -> None:
    app.add_middleware(SecurityHeaders)
