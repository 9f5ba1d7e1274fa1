"""`/api/v1/publications`: per-channel publication state, retry of a failed one; scheduler health.

撤稿 is an item action (`POST /api/v1/items/{id}/actions` with `withdraw` in the review API); the
scheduler then deletes every sent channel and records the reason.
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict
from sqlmodel import col, select

from content.access import item_for_viewer, visible_clause
from content.accounts import roles_of
from content.errors import NotFound
from content.models import CHANNEL_LABELS, PUBLICATION_STATE_LABELS, Item, Publication
from content.publications import retry_publication as retry
from scheduler.heartbeat import heartbeat_status
from web.api.auth import CurrentUserDep
from web.deps import SessionDep

router = APIRouter(prefix="/api/v1", tags=["publications"])


class PublicationPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    item_id: int
    channel: str
    channel_label: str = ""
    target: str
    state: str
    state_label: str = ""
    due_at: datetime
    attempts: int
    last_error: str | None
    remote_id: str | None
    remote_url: str | None
    sent_at: datetime | None
    confirmed_at: datetime | None


def _public(p: Publication) -> PublicationPublic:
    out = PublicationPublic.model_validate(p)
    out.channel_label = CHANNEL_LABELS.get(p.channel, p.channel)
    out.state_label = PUBLICATION_STATE_LABELS.get(p.state, p.state)
    return out


@router.get("/publications", response_model=list[PublicationPublic], summary="各渠道发布状态")
def list_publications(
    session: SessionDep,
    user: CurrentUserDep,
    item_id: int | None = None,
    state: str | None = Query(default=None, max_length=20),
    limit: int = Query(default=50, ge=1, le=500),
    offset: int = Query(default=0, ge=0),
) -> list[PublicationPublic]:
    roles = roles_of(session, user.id)
    query = (select(Publication).join(Item, col(Item.id) == Publication.item_id)
             .where(Publication.org_id == user.org_id, visible_clause(user, roles)))
    if item_id is not None:
        item_for_viewer(session, user, item_id, roles)  # 404 for a hidden item, the same as a missing one
        query = query.where(Publication.item_id == item_id)
    if state:
        query = query.where(Publication.state == state)
    rows = session.exec(query.order_by(col(Publication.id).desc()).offset(offset).limit(limit)).all()
    return [_public(p) for p in rows]


@router.post("/publications/{pub_id}/retry", response_model=PublicationPublic, summary="重新发送失败的渠道")
def retry_publication(pub_id: int, session: SessionDep, user: CurrentUserDep, request: Request) -> PublicationPublic:
    row = session.get(Publication, pub_id)
    if row is None or row.org_id != user.org_id:
        raise NotFound("publication_not_found", "发布记录不存在")
    try:
        item_for_viewer(session, user, row.item_id)
    except NotFound:
        raise NotFound("publication_not_found", "发布记录不存在") from None
    pub = retry(session, pub_id=pub_id, actor=user, guard=getattr(request.app.state, "resend_guard", None))
    session.commit()
    session.refresh(pub)
    return _public(pub)


@router.get("/health/scheduler", summary="调度器心跳：fresh / stale / never")
def scheduler_health(session: SessionDep, request: Request) -> dict:
    return heartbeat_status(session, request.app.state.settings.dispatch_interval_seconds).as_dict()
