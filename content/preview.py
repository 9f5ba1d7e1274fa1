"""Signed, expiring links to the mobile preview of exactly one revision.

A link opens without login, so it must not outlive what it was sent for: it is bound to the item and the
revision (an immutable snapshot: one id, one content hash), and `open_preview` honours it only while that revision is
still the item's current one and the item is not withdrawn or archived. An edit (a new revision), a
withdrawal or an archive therefore ends every link sent before it.
"""

from __future__ import annotations

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlmodel import Session

from content.errors import Forbidden
from content.models import Item, ItemState, Revision

PREVIEW_SALT = "gongkai.preview"
DEFAULT_TTL_SECONDS = 7 * 24 * 3600
ENDED_STATES = {ItemState.withdrawn.value, ItemState.archived.value}


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=PREVIEW_SALT)


def make_preview_token(secret_key: str, *, item_id: int, revision_id: int) -> str:
    return _serializer(secret_key).dumps({"i": item_id, "r": revision_id})


def _load(secret_key: str, token: str, max_age: int) -> dict:
    try:
        data = _serializer(secret_key).loads(token, max_age=max_age)
    except SignatureExpired:
        raise Forbidden("preview_expired", "预览链接已过期，请在系统中重新打开") from None
    except BadSignature:
        raise Forbidden("preview_invalid", "预览链接无效") from None
    if not isinstance(data, dict) or not isinstance(data.get("i"), int) or not isinstance(data.get("r"), int):
        raise Forbidden("preview_invalid", "预览链接无效")
    return data


def read_preview_token(secret_key: str, token: str, *, max_age: int = DEFAULT_TTL_SECONDS) -> tuple[int, int]:
    """Return (item_id, revision_id) of a genuine, unexpired token (signature and age only)."""
    data = _load(secret_key, token, max_age)
    return data["i"], data["r"]


def open_preview(session: Session, secret_key: str, token: str, *,
                 max_age: int = DEFAULT_TTL_SECONDS) -> tuple[Item, Revision]:
    """The item and revision a link shows, or a 403 when it is forged, expired or no longer valid."""
    data = _load(secret_key, token, max_age)
    item = session.get(Item, data["i"])
    revision = session.get(Revision, data["r"])
    if item is None or revision is None or revision.item_id != item.id:
        raise Forbidden("preview_invalid", "预览链接无效")
    if item.current_revision_id != revision.id or item.state in ENDED_STATES:
        raise Forbidden("preview_ended", "稿件已修改或撤回，此预览链接已失效，请在系统中重新打开")
    return item, revision


def preview_path(secret_key: str, *, item_id: int, revision_id: int) -> str:
    return f"/m/preview/{make_preview_token(secret_key, item_id=item_id, revision_id=revision_id)}"
