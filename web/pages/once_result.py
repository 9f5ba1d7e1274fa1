"""A result shown once to the browser session that asked for it: POST-redirect-GET without a URL secret.

Why: the admin reset answered its POST with the temporary password, so F5 re-posted the form and
made another password. Now the POST stores the result in a short-lived cookie, encrypted (Fernet,
a key derived from the app's secret key), scoped to the one page that shows it and bound to the
web session that posted; the POST answers 303 and the GET shows the result and deletes the cookie.
A reload, another tab or another login finds nothing. Nothing is written to the database and the
secret never appears in a URL, a log line or the session cookie.
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from fastapi import Request
from starlette.responses import Response

from web.pages.session import read_session

COOKIE_NAME = "gongkai_once"
TTL_SECONDS = 300  # long enough for the redirect, short enough to be gone if the tab is left


def _fernet(request: Request) -> Fernet:
    secret = request.app.state.settings.secret_key.get_secret_value()
    key = hashlib.sha256(b"gongkai.once-result\0" + secret.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def _binding(request: Request) -> str:
    """The web session this result belongs to (a digest of its key; "" when anonymous)."""
    key = read_session(request).key or ""
    return hashlib.sha256(key.encode()).hexdigest() if key else ""


def put(request: Request, response: Response, *, kind: str, path: str, data: dict[str, Any]) -> None:
    """Attach a result for the next GET of `path` by this session."""
    token = _fernet(request).encrypt(json.dumps({"k": kind, "b": _binding(request), "d": data}).encode())
    secure = request.app.state.settings.public_url.startswith("https://")
    response.set_cookie(COOKIE_NAME, token.decode(), max_age=TTL_SECONDS, httponly=True, samesite="strict",
                        secure=secure, path=path)


def take(request: Request, *, kind: str) -> dict[str, Any] | None:
    """The result of `kind` waiting for this session, or None. Call `clear` on the answer that shows it."""
    raw = request.cookies.get(COOKIE_NAME)
    if not raw:
        return None
    try:
        payload = json.loads(_fernet(request).decrypt(raw.encode(), ttl=TTL_SECONDS))
    except (InvalidToken, ValueError):
        return None
    binding = _binding(request)
    if not isinstance(payload, dict) or payload.get("k") != kind or not binding or payload.get("b") != binding:
        return None
    data = payload.get("d")
    return data if isinstance(data, dict) else None


def clear(request: Request, response: Response, *, path: str) -> None:
    """Delete the result cookie (whatever it held): it is shown at most once."""
    if COOKIE_NAME in request.cookies:
        response.delete_cookie(COOKIE_NAME, path=path)
