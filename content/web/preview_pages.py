"""The mobile preview page the bot links to: signed, expiring, exactly one revision."""

from __future__ import annotations

from fastapi import APIRouter, Request

from content.deps import SessionDep
from content.models import Category, Revision
from content.preview import open_preview
from content.web.templating import render

router = APIRouter()


def revision_view(session, revision: Revision) -> dict:
    """The fields a preview shows, from the revision snapshot (never the working copy)."""
    c = dict(revision.content or {})
    topic = session.get(Category, c.get("topic_id")) if c.get("topic_id") else None
    area = session.get(Category, c.get("area_id")) if c.get("area_id") else None
    return {
        "title": c.get("title", ""), "digest": c.get("digest", ""), "author": c.get("author", ""),
        "body_html": c.get("body_html", ""), "cover_image": c.get("cover_image"),
        "channels": c.get("channels") or [], "origin": c.get("origin", "original"),
        "source_url": c.get("source_url"), "topic": topic.name if topic else "", "area": area.name if area else "",
        "publish_at": c.get("publish_at"), "number": revision.number, "content_hash": revision.content_hash,
        "created_at": revision.created_at,
    }  # fmt: skip


@router.get("/m/preview/{token}", name="mobile_preview")
def mobile_preview(request: Request, token: str, session: SessionDep):
    secret = request.app.state.settings.secret_key.get_secret_value()
    item, revision = open_preview(session, secret, token)
    return render(request, "mobile_preview.html", {"rev": revision_view(session, revision), "item_id": item.id})
