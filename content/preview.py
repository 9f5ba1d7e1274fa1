"""Signed, expiring links to the mobile preview of exactly one revision."""

from __future__ import annotations

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from content.errors import Forbidden

PREVIEW_SALT = "gongkai.preview"
DEFAULT_TTL_SECONDS = 7 * 24 * 3600


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=PREVIEW_SALT)


def make_preview_token(secret_key: str, *, item_id: int, revision_id: int) -> str:
    return _serializer(secret_key).dumps({"i": item_id, "r": revision_id})


def read_preview_token(secret_key: str, token: str, *, max_age: int = DEFAULT_TTL_SECONDS) -> tuple[int, int]:
    """Return (item_id, revision_id); refuse a tampered or expired token."""
    try:
        data = _serializer(secret_key).loads(token, max_age=max_age)
    except SignatureExpired:
        raise Forbidden("preview_expired", "预览链接已过期，请在系统中重新打开") from None
    except BadSignature:
        raise Forbidden("preview_invalid", "预览链接无效") from None
    return int(data["i"]), int(data["r"])


def preview_path(secret_key: str, *, item_id: int, revision_id: int) -> str:
    return f"/m/preview/{make_preview_token(secret_key, item_id=item_id, revision_id=revision_id)}"
